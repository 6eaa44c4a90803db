using DmKernel.Kernel;
using DmKernel.Tests.Support;

namespace DmKernel.Tests.Kernel;

/// <summary>
/// <see cref="Prefetch"/>: the vector kernel's software prefetches (the cold columns of a short host coming up, the hot
/// columns of the host after one that takes the general steps) are hints only. A fleet ticked with them, on a fleet too
/// small to get them by size (<see cref="FleetColumns.PrefetchCold"/> forced on), reaches the same state as without
/// them and as the scalar reference, tick by tick, through lifecycle requests and short hosts.
/// </summary>
public class PrefetchTests
{
    [Theory]
    [InlineData(KernelPath.Vector512)]
    [InlineData(KernelPath.Vector256)]
    [InlineData(KernelPath.Vector128)]
    public void Prefetching_TicksToTheSameStateAsNot(KernelPath path)
    {
        int[] hosts = RandomFleet.MixedHosts;
        Fleet with = RandomFleet.Started(hosts), without = RandomFleet.Started(hosts), reference = RandomFleet.Started(hosts);
        with.Cols.PrefetchCold = true;
        without.Cols.PrefetchCold = false;
        using var a = new Balancer(with, path);
        using var b = new Balancer(without, path);
        using var s = new Balancer(reference, KernelPath.Scalar);
        int shortHostTicks = 0;
        for (int t = 0; t < 40; t++)
        {
            int[] committed = RandomFleet.SweptCommitted(with.SlotCount, t);
            a.Tick(committed);
            b.Tick(committed);
            s.Tick(committed);
            Assert.Equal(without.ComputeStateHash(), with.ComputeStateHash());
            Assert.Equal(reference.ComputeStateHash(), with.ComputeStateHash());
            for (int h = 0; h < with.HostCount; h++)
                shortHostTicks += with.HostWasShort(h) ? 1 : 0;
        }

        // The prefetches run only around short hosts (and hosts with lifecycle requests, on the first tick).
        Assert.True(shortHostTicks > 0, "no host was short: the test does not reach the prefetching code");
        FleetAssert.Equal(reference, with, path.ToString());
    }
}

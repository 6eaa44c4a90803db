using DmKernel.Tests.Support;

namespace DmKernel.Tests.Kernel;

public class StateHashTests
{
    [Fact]
    public void StateHash_EqualAcrossPathsAndThreads_AfterManyTicks()
    {
        int[] hosts = [20, 33, 7, 64];
        var hashes = new List<ulong>();
        foreach ((KernelPath path, int threads) in new[] { (KernelPath.Scalar, 1), (KernelPath.Vector128, 1), (KernelPath.Vector256, 2), (KernelPath.Vector512, 3) })
        {
            var fleet = new RandomFleet(5).Build(RandomFleet.FastModel, hosts, 0.7);
            using var balancer = new Balancer(fleet, path, threads);
            var ops = new RandomFleet(6);
            for (int t = 0; t < 150; t++)
            {
                ops.Step(fleet, [fleet], 0.05);
                balancer.Tick();
            }

            hashes.Add(fleet.ComputeStateHash());
        }

        Assert.All(hashes, h => Assert.Equal(hashes[0], h));
    }

    /// <summary>
    /// The hash is composed per host (docs/cluster.md): <see cref="Fleet.CombineStateHash"/> of every host's
    /// <see cref="Fleet.ComputeHostStateHash"/>, in host order, is <see cref="Fleet.ComputeStateHash"/>, so a fleet split by
    /// host gives the fleet's hash from its parts; the same host hashes in another order give another hash.
    /// </summary>
    [Fact]
    public void StateHash_IsCombinedFromTheHostHashes_InHostOrder()
    {
        var fleet = new RandomFleet(7).Build(RandomFleet.FastModel, [20, 33, 7], 0.7);
        using var balancer = new Balancer(fleet);
        var ops = new RandomFleet(8);
        for (int t = 0; t < 40; t++)
        {
            ops.Step(fleet, [fleet], 0.05);
            balancer.Tick();
        }

        ulong[] hosts = [fleet.ComputeHostStateHash(0), fleet.ComputeHostStateHash(1), fleet.ComputeHostStateHash(2)];
        Assert.Equal(fleet.ComputeStateHash(), Fleet.CombineStateHash(fleet.TickIndex, fleet.SlotCount, hosts));
        Assert.NotEqual(fleet.ComputeStateHash(), Fleet.CombineStateHash(fleet.TickIndex, fleet.SlotCount, [hosts[1], hosts[0], hosts[2]]));
    }

    [Fact]
    public void StateHash_ChangesWithAnyColumn()
    {
        var fleet = new RandomFleet(9).Build(RandomFleet.FastModel, [10, 5], 0.7);
        using var balancer = new Balancer(fleet);
        balancer.Tick(3);
        ulong baseline = fleet.ComputeStateHash();
        Assert.Equal(baseline, fleet.ComputeStateHash());

        void Changes(Action mutate, Action undo, string what)
        {
            mutate();
            Assert.True(baseline != fleet.ComputeStateHash(), $"changing {what} did not change the hash");
            undo();
            Assert.Equal(baseline, fleet.ComputeStateHash());
        }

        Changes(() => fleet.Cols.Assigned[3] += 2, () => fleet.Cols.Assigned[3] -= 2, "Assigned");
        Changes(() => fleet.Cols.AddedTotal[20]++, () => fleet.Cols.AddedTotal[20]--, "AddedTotal");
        Changes(() => fleet.Cols.HostAvailable[1]++, () => fleet.Cols.HostAvailable[1]--, "HostAvailable");
        Changes(() => fleet.Cols.Request[0] = 1, () => fleet.Cols.Request[0] = 0, "Request");
        Changes(() => fleet.Cols.HostShort[1] ^= 1, () => fleet.Cols.HostShort[1] ^= 1, "HostShort");
        Changes(() => fleet.TickIndex++, () => fleet.TickIndex--, "TickIndex");

        // The Flags column's derived marks are not state (VmFlags.ModelBits): a checkpoint that recomputes them, or a path
        // that sets them where another leaves them, hashes the same.
        foreach (int mark in (int[])[VmFlags.Decided, VmFlags.HasSmartPaging])
        {
            fleet.Cols.Flags[3] ^= mark;
            Assert.Equal(baseline, fleet.ComputeStateHash());
            fleet.Cols.Flags[3] ^= mark;
        }

        // Every slot of a host counts, not only its first vector's: a host of 40 VMs, the last one changed.
        var large = new RandomFleet(10).Build(RandomFleet.FastModel, [40], 1.0);
        using var largeBalancer = new Balancer(large);
        largeBalancer.Tick(3);
        ulong largeBaseline = large.ComputeStateHash();
        large.Cols.Assigned[39] += 2;
        Assert.NotEqual(largeBaseline, large.ComputeStateHash());
        large.Cols.Assigned[39] -= 2;
        Assert.Equal(largeBaseline, large.ComputeStateHash());
    }

    /// <summary>The hash chains the columns in schema order (each column's hash seeds the next): values moved from one
    /// column to another change it, as do the same values moved between two VMs of a host.</summary>
    [Fact]
    public void StateHash_ChangesWhenValuesSwapColumnsOrVms()
    {
        var fleet = new RandomFleet(9).Build(RandomFleet.FastModel, [10, 5], 0.7);
        using var balancer = new Balancer(fleet);
        balancer.Tick(3);
        ulong baseline = fleet.ComputeStateHash();
        int[] startup = fleet.Cols.Startup, maximum = fleet.Cols.Maximum;
        int vm = Enumerable.Range(0, 10).First(i => fleet.IsUsed(i) && startup[i] != maximum[i]);
        int other = Enumerable.Range(0, 10).First(i => fleet.IsUsed(i) && startup[i] != startup[vm]);

        // Startup and Maximum swapped in every slot of the host (a hash of each column alone, XORed, would not see it).
        int[] s0 = startup[..10], m0 = maximum[..10];
        m0.CopyTo(startup, 0);
        s0.CopyTo(maximum, 0);
        Assert.NotEqual(baseline, fleet.ComputeStateHash());
        s0.CopyTo(startup, 0);
        m0.CopyTo(maximum, 0);
        Assert.Equal(baseline, fleet.ComputeStateHash());

        (startup[vm], startup[other]) = (startup[other], startup[vm]);
        Assert.NotEqual(baseline, fleet.ComputeStateHash());
        (startup[vm], startup[other]) = (startup[other], startup[vm]);
        Assert.Equal(baseline, fleet.ComputeStateHash());
    }

    [Fact]
    public void StateHash_AllocatesNothing()
    {
        var fleet = new RandomFleet(9).Build(RandomFleet.FastModel, [10, 5], 0.7);
        ulong h = 0;
        int hashes = AllocationAssert.NothingOnThisThread("ComputeStateHash", warmUp: 100, steps: 2000, _ => h ^= fleet.ComputeStateHash());
        Assert.Equal(0, hashes % 2);
        Assert.Equal(0UL, h); // an even number (2 100, or 4 100 with a second window) of equal hashes XOR to zero
    }
}

using DmKernel.Tests.Support;

namespace DmKernel.Tests.Kernel;

public class FleetStateTests
{
    private static Fleet Busy(int seed)
    {
        var fleet = new RandomFleet(seed).Build(RandomFleet.FastModel, [20, 33, 7], 0.6);
        using var balancer = new Balancer(fleet, KernelPath.Vector512);
        var ops = new RandomFleet(seed + 1);
        for (int t = 0; t < 60; t++)
        {
            ops.Step(fleet, [fleet], 0.05);
            balancer.Tick();
        }

        return fleet;
    }

    [Fact]
    public void SaveThenLoad_RestoresEveryColumn_AndTheRunContinuesIdentically()
    {
        Fleet original = Busy(3);
        using var state = new MemoryStream();
        original.SaveState(state);

        var copy = new RandomFleet(3).Build(RandomFleet.FastModel, [20, 33, 7], 0.6);
        state.Position = 0;
        copy.LoadState(state);
        FleetAssert.Equal(original, copy, "after load");
        Assert.Equal(original.ComputeStateHash(), copy.ComputeStateHash());

        using var a = new Balancer(original, KernelPath.Scalar);
        using var b = new Balancer(copy, KernelPath.Vector256);
        for (int t = 0; t < 30; t++)
        {
            a.Tick();
            b.Tick();
        }

        FleetAssert.Equal(original, copy, "30 ticks after load");
    }

    [Fact]
    public void Load_CorruptTruncatedOrForeignState_ThrowsAndChangesNothing()
    {
        Fleet original = Busy(4);
        using var state = new MemoryStream();
        original.SaveState(state);
        byte[] bytes = state.ToArray();

        var target = new RandomFleet(4).Build(RandomFleet.FastModel, [20, 33, 7], 0.6);
        ulong before = target.ComputeStateHash();

        byte[] flipped = (byte[])bytes.Clone();
        flipped[bytes.Length / 2] ^= 1;
        Assert.Contains("checksum", Assert.Throws<InvalidDataException>(() => target.LoadState(new MemoryStream(flipped))).Message, StringComparison.Ordinal);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => target.LoadState(new MemoryStream(bytes[..(bytes.Length - 20)]))).Message, StringComparison.Ordinal);
        var other = new Fleet(RandomFleet.FastModel, [new HostSpec(8192, 4)]);
        Assert.Contains("slots", Assert.Throws<InvalidDataException>(() => other.LoadState(new MemoryStream(bytes))).Message, StringComparison.Ordinal);
        Assert.Equal(before, target.ComputeStateHash());
    }
}

using DmKernel.Traces;

namespace DmKernel.Tests.Traces;

/// <summary>
/// The mutation round's survivors in <see cref="TracePlacement"/>: the argument checks at their boundaries, and a VM
/// whose Startup is exactly a host's free memory (TotalMb − ReserveMb), which fits (R4: it can boot there).
/// </summary>
public sealed class PlacementMutationTests
{
    private static TraceVm Vm(string id, int startup) => new(id, VmSettings.Dynamic(startup, 32, startup));

    [Theory]
    [InlineData(0, 0, 1, "hostMb")]            // no host
    [InlineData(10_001, 1000, 1, "hostMb")]    // odd
    [InlineData(4096, 4096, 1, "reserveMb")]   // a reserve that is the whole host
    [InlineData(10_000, 1000, 0, "maxVmsPerHost")]
    public void BadArgument_IsRefusedNamingIt(int hostMb, int reserveMb, int maxVmsPerHost, string name)
    {
        var e = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => TracePlacement.FirstFitByStartup([], hostMb, reserveMb, maxVmsPerHost));
        Assert.Equal(name, e.ParamName);
    }

    [Fact]
    public void SmallestAcceptedArguments_PlaceNothingOnNoHost()
    {
        var r = TracePlacement.FirstFitByStartup([], hostMb: 2, reserveMb: 0, maxVmsPerHost: 1);
        Assert.Empty(r.Vms);
        Assert.Empty(r.Hosts);
    }

    [Fact]
    public void VmOfExactlyAHostsFreeMemory_FitsAnEmptyHost()
    {
        // 10 000 MB hosts with a 1000 MB reserve hold 9000 MB: "full" (9000) fills host 0 exactly, "small" opens host 1.
        var r = TracePlacement.FirstFitByStartup([Vm("small", 512), Vm("full", 9000)], hostMb: 10_000, reserveMb: 1000);
        Assert.Equal([1, 0], r.Vms.Select(v => v.Host));
        Assert.Equal(2, r.Hosts.Length);
    }
}

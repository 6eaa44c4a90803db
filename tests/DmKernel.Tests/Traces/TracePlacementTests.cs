using DmKernel.Traces;

namespace DmKernel.Tests.Traces;

public sealed class TracePlacementTests
{
    private static TraceVm Vm(string id, int startup) => new(id, VmSettings.Dynamic(startup, 32, startup));

    [Fact]
    public void FirstFitDecreasing_FillsLowestHostThatFits()
    {
        TraceVm[] vms = [Vm("a", 2000), Vm("b", 6000), Vm("c", 3000), Vm("d", 1000), Vm("e", 6000), Vm("f", 2000)];
        var placed = TracePlacement.FirstFitByStartup(vms, hostMb: 10_000, reserveMb: 1000);
        // 9000 MB usable: b(6000)→0, e(6000)→1, c(3000)→0, a(2000)→1, f(2000)→2, d(1000)→1.
        Assert.Equal([1, 0, 0, 1, 1, 2], placed.Vms.Select(v => v.Host));
        Assert.Equal(3, placed.Hosts.Length);
        Assert.All(placed.Hosts, h => Assert.Equal(new TraceHost(10_000, 1000), h));
        Assert.Equal(vms.Select(v => v.Id), placed.Vms.Select(v => v.Id));
    }

    [Fact]
    public void Placement_RespectsCapacityAndVmSlots_AndIsDeterministic()
    {
        var rng = new Random(3);
        var vms = Enumerable.Range(0, 5000).Select(i => Vm("v" + i, 2 * rng.Next(16, 8000))).ToArray();
        var a = TracePlacement.FirstFitByStartup(vms, 65_536, 2048, maxVmsPerHost: 20);
        var b = TracePlacement.FirstFitByStartup(vms, 65_536, 2048, maxVmsPerHost: 20);
        Assert.Equal(a.Vms, b.Vms);
        for (int h = 0; h < a.Hosts.Length; h++)
        {
            var on = a.Vms.Where(v => v.Host == h).ToArray();
            Assert.InRange(on.Length, 1, 20);
            Assert.True(on.Sum(v => v.Settings.StartupMb) + 2048 <= 65_536);
        }
    }

    [Fact]
    public void VmTooLargeForAHost_IsNamed()
    {
        var e = Assert.Throws<ArgumentException>(() => TracePlacement.FirstFitByStartup([Vm("small", 512), Vm("huge", 70_000)], 65_536));
        Assert.Contains("'huge'", e.Message, StringComparison.Ordinal);
    }
    [Fact]
    public void MaxVmsPerHost_IsTheMostVmsAHostTakes_ExactlyThat()
    {
        // Five 512 MB VMs fit one 9000 MB host by memory; at most 2 per host: hosts 0, 0, 1, 1, 2. At most 1: one host each.
        TraceVm[] vms = [.. Enumerable.Range(0, 5).Select(i => Vm("v" + i, 512))];
        var two = TracePlacement.FirstFitByStartup(vms, hostMb: 10_000, reserveMb: 1000, maxVmsPerHost: 2);
        Assert.Equal([0, 0, 1, 1, 2], two.Vms.Select(v => v.Host));
        Assert.Equal(3, two.Hosts.Length);
        var one = TracePlacement.FirstFitByStartup(vms, hostMb: 10_000, reserveMb: 1000, maxVmsPerHost: 1);
        Assert.Equal([0, 1, 2, 3, 4], one.Vms.Select(v => v.Host));
        Assert.Equal(5, one.Hosts.Length);
    }
}

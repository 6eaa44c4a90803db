using DmKernel.Tests.Rules;
using DmKernel.Tests.Support;
using DmKernel.Traces.Replay;

namespace DmKernel.Tests.Replay;

/// <summary>
/// <see cref="ReplayMetrics"/> on small fleets built by hand, whose every figure is counted here from the settings and
/// the memory each VM holds (R5, R8, R20), not taken from a replay's output.
/// </summary>
public class ReplayMetricsTests
{
    /// <summary>A fleet of four VMs of Startup = Minimum 512 MB on one host of exactly 4 × 512 MB: once they have started
    /// none can take memory from another (all at Minimum, nothing free), so each holds 512 MB on every tick.</summary>
    private static Scenario FourVmsAtStartup(VmSettings[] settings, int[] committed)
    {
        var s = new Scenario(hostTotalMb: 4 * 512, model: RuleScenario.Fast);
        for (int v = 0; v < settings.Length; v++)
        {
            int slot = s.Add(settings[v]);
            s.Fleet.SetCommitted(slot, committed[v]);
            s.Fleet.RequestStart(slot);
        }

        s.Tick(1 + s.Fleet.Model.BootGraceTicks);
        for (int v = 0; v < settings.Length; v++)
        {
            Assert.Equal(VmState.Running, s.Fleet.State(v));
            Assert.Equal(512, s.Fleet.Assigned[v]);
        }

        return s;
    }

    [Fact]
    public void R20_UnservablePaging_IsCommittedAboveTheMaximumOrAStaticVmsStartup_NotAtTheLimit()
    {
        // a: dynamic, committed exactly its Maximum (768): paging (Demand 768 > 512 held, R8, R20), and servable: a host
        //    with 256 MB more would serve it.
        // b: dynamic, committed 770 > its Maximum 768: paging, unservable.
        // c: static with a Maximum of 1024 above its Startup of 512 (R1 allows it): a static VM holds its Startup, so
        //    committed 600 is unservable although it is below the Maximum.
        // d: static, committed = Startup: not paging.
        var dyn = VmSettings.Dynamic(512, 512, 768);
        var stat = new VmSettings(512, 512, 1024, DynamicMemory: false);
        Scenario s = FourVmsAtStartup([dyn, dyn, stat, stat], [768, 770, 600, 512]);
        var metrics = new ReplayMetrics(s.Fleet);
        const int ticks = 3;
        for (int t = 0; t < ticks; t++)
        {
            s.Tick();
            metrics.AddTick(wantedOn: 4);
        }

        Assert.Equal(new[] { ticks, ticks, ticks, 0 }, metrics.PagingTicksBySlot[..4].ToArray());
        Assert.Equal(new[] { 0, ticks, ticks, 0 }, metrics.UnservableTicksBySlot[..4].ToArray());
        Assert.Equal(3 * ticks, metrics.PagingVmTicks);
        Assert.Equal(2 * ticks, metrics.UnservablePagingVmTicks);
        Assert.Equal(ticks * ((768 - 512) + (770 - 512) + (600 - 512)), metrics.UnmetMbTicks);
    }

    [Fact]
    public void DeniedVmTicks_AreTheWantedVmsNotOn_NeverNegativeWhenMoreAreOnThanWanted()
    {
        // Four VMs on. A caller's workload that wants 3 on (one of the four it no longer counts, its stop not yet
        // requested) has no VM denied: not −1. One that wants 6 on has 2 denied.
        var dyn = VmSettings.Dynamic(512, 512, 768);
        Scenario s = FourVmsAtStartup([dyn, dyn, dyn, dyn], [400, 400, 400, 400]);
        var metrics = new ReplayMetrics(s.Fleet);
        s.Tick();
        metrics.AddTick(wantedOn: 3);
        Assert.Equal(0, metrics.DeniedVmTicks);
        s.Tick();
        metrics.AddTick(wantedOn: 6);
        Assert.Equal(2, metrics.DeniedVmTicks);
        Assert.Equal(9, metrics.WantedVmTicks);
        Assert.Equal(8, metrics.OnVmTicks);
    }

    [Fact]
    public void Series_EachPointIsItsTicksIndexTotalsAndHostAvailablePercentiles()
    {
        // Ten hosts of 1000 MB; host h runs a static VM of 1000 − 100·h MB (R5: it holds its Startup), so host h has
        // 10·h % available: 0, 10, ..., 90 %. Nearest rank over 10 hosts: p5 is the 1st (0 %), p50 the 5th (40 %), p95
        // the 10th (90 %).
        const int hosts = 10;
        var specs = new HostSpec[hosts];
        for (int h = 0; h < hosts; h++)
            specs[h] = new HostSpec(1000, 1, 0);
        var fleet = new Fleet(RuleScenario.Fast, specs);
        var vms = new int[hosts];
        for (int h = 0; h < hosts; h++)
        {
            vms[h] = fleet.AddVm(h, VmSettings.Static(1000 - (100 * h)));
            fleet.SetCommitted(vms[h], 0);
            fleet.RequestStart(vms[h]);
        }

        using var balancer = new Balancer(fleet, KernelPath.Scalar);
        var metrics = new ReplayMetrics(fleet);
        balancer.Tick(); // tick 0: every VM starts
        metrics.AddTick(wantedOn: hosts);

        // Tick 1: host 0's VM stops (R7: its 1000 MB return to the pool), so host 0 is 100 % available and the hosts are
        // 10, 20, ..., 90, 100 %: p5 10 %, p50 50 %, p95 100 %, this tick's hosts only.
        fleet.RequestStop(vms[0]);
        balancer.Tick();
        metrics.AddTick(wantedOn: hosts - 1);

        int assigned0 = 0;
        for (int h = 0; h < hosts; h++)
            assigned0 += 1000 - (100 * h);
        Assert.Equal(5500, assigned0);
        Assert.Equal(
            new[]
            {
                new FleetPoint(0, 5500, 0, (hosts * 1000) - 5500, 0, hosts, 0, 0, 40, 90),
                new FleetPoint(1, 5500 - 1000, 0, (hosts * 1000) - 4500, 0, hosts - 1, 0, 10, 50, 100),
            },
            metrics.Series);
        Assert.Equal(5500, metrics.PeakAssignedMb);
        Assert.Equal(5500 + 4500, metrics.AssignedMbTicks);
    }
}

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
}

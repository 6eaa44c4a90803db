using DmKernel.Tests.Support;
using static DmKernel.Tests.Rules.RuleScenario;

namespace DmKernel.Tests.Rules;

/// <summary>R15 (passive reclaim of surplus on reclaim ticks) and R16 (Smart Paging drained into the balloon).</summary>
public class R15_R16_ReclaimDrainTests
{
    /// <summary>BootGrace 1 tick, ReclaimPeriod 10 s = 10 ticks: reclaim ticks are 9, 19, 29, ... ((t + 1) % 10 == 0).</summary>
    private static readonly ModelParameters Period10 = Fast with { ReclaimPeriodSeconds = 10 };

    // ---------------------------------------------------------------- R15

    [Theory]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Vector128)]
    [InlineData(KernelPath.Vector256)]
    [InlineData(KernelPath.Vector512)]
    public void R15_Surplus_KeptUntilAReclaimTick_ThenBalloonedAtCapPerTickUntilTarget(KernelPath path)
    {
        // Host 8192. Startup 4096, committed 1000 → Target 1200: surplus 2896 from tick 1 on.
        var s = new Scenario(hostTotalMb: 8192, model: Period10, path: path);
        int vm = s.StartRunning((Dm(4096, 512, 8192), 1000))[0]; // ticks 0, 1
        s.Tick(7); // ticks 2..8: no reclaim tick yet
        s.AssertMemory(vm, 4096);
        Assert.Equal(1200, s.Fleet.Target[vm]);
        Assert.False(s.Fleet.IsReclaiming(vm));

        int[] assigned = [3076, 2056, 1200, 1200];  // ticks 9, 10, 11, 12: 1020, 1020, then the last 856
        int[] removed = [1020, 1020, 856, 0];
        bool[] reclaiming = [true, true, false, false];
        for (int k = 0; k < 4; k++)
        {
            s.Tick();
            Assert.Equal(assigned[k], s.Fleet.Assigned[vm]);
            Assert.Equal(removed[k], s.Fleet.RemovedThisTick[vm]);
            Assert.Equal(reclaiming[k], s.Fleet.IsReclaiming(vm));
        }

        s.AssertMemory(vm, 1200, ballooned: 2896);
        Assert.Equal(2896L, s.Fleet.RemovedMemory[vm]);
        Assert.Equal(3, s.Fleet.RemoveOperations[vm]);
        Assert.Equal(8192 - 1200, s.Fleet.HostAvailable(0)); // the last 856 joined at tick 12
        Assert.Equal(0, s.Fleet.HostPendingFreed(0));
    }

    [Fact]
    public void R15_DefaultPeriod_300Seconds_FirstReclaimTickIs299()
    {
        var s = new Scenario(); // BootGrace 50, ReclaimPeriod 300
        int vm = s.StartRunning((Dm(2048, 512, 8192), 100))[0]; // ticks 0..50, Target 512
        s.Tick(299 - 51); // ticks 51..298
        s.AssertMemory(vm, 2048);
        s.Tick(); // tick 299
        s.AssertMemory(vm, 1028, ballooned: 1020);
        Assert.True(s.Fleet.IsReclaiming(vm));
    }

    [Fact]
    public void R15_GrantWhileReclaiming_EndsIt_UntilTheNextReclaimTick()
    {
        var s = new Scenario(hostTotalMb: 8192, model: Period10);
        int vm = s.StartRunning((Dm(4096, 512, 8192), 1000))[0];
        s.Tick(8); // ticks 2..9: ballooned 1020 on tick 9
        s.AssertMemory(vm, 3076, ballooned: 1020);
        Assert.True(s.Fleet.IsReclaiming(vm));

        s.Commit(vm, 3000); // Target 3600: tick 10 grants 524, all unballooned
        s.Tick();
        s.AssertMemory(vm, 3600, ballooned: 496);
        s.AssertDecision(vm, unballooned: 524, hotAdded: 0, removed: 0);
        Assert.False(s.Fleet.IsReclaiming(vm));

        s.Commit(vm, 1000); // Target 1200 again: kept through ticks 11..18, ballooned from tick 19
        s.Tick(8);
        s.AssertMemory(vm, 3600, ballooned: 496);
        s.Tick();
        s.AssertMemory(vm, 2580, ballooned: 1516);
        Assert.True(s.Fleet.IsReclaiming(vm));
    }

    [Fact]
    public void R15_ShortTick_SkipsReclaim_ButKeepsTheFlag()
    {
        // Host 5120. A: Startup 4096, committed 1000 (Target 1200). B: Startup 1024, committed 853
        // (ceil(1023.6) = 1024 = its Target). Available 0 from tick 0.
        var s = new Scenario(hostTotalMb: 5120, model: Period10);
        int[] v = s.StartRunning((Dm(4096, 512, 8192), 1000), (Dm(1024, 512, 8192), 853));
        int a = v[0], b = v[1];
        s.Tick(8); // tick 9: A ballooned 1020 and reclaiming
        s.AssertMemory(a, 3076, ballooned: 1020);
        Assert.True(s.Fleet.IsReclaiming(a));

        // Tick 10: B wants 4800; Available 1020 < Shortfall 3776: short. Budget 5120: tier 0 1024; tier 1 A 488 and
        // B 3488 (120 left); tier 2 caps 200 and 800, equal weights: 60 each. A allotted 1060: R12 takes 1020;
        // B allotted 4060 gets the 1020 available. R15 does not run, but A's flag stays.
        s.Commit(b, 4000);
        s.Tick();
        Assert.True(s.Fleet.HostWasShort(0));
        s.AssertMemory(a, 2056, ballooned: 2040);
        s.AssertMemory(b, 2044);
        Assert.True(s.Fleet.IsReclaiming(a));

        // Tick 11 (no reclaim tick): enough again. A, still reclaiming, goes on to its Target (856 ≤ cap); B has
        // surplus too (2044 > 1024) but is not reclaiming, so it keeps it.
        s.Commit(b, 853);
        s.Tick();
        Assert.False(s.Fleet.HostWasShort(0));
        s.AssertMemory(a, 1200, ballooned: 2896);
        Assert.False(s.Fleet.IsReclaiming(a));
        s.AssertMemory(b, 2044);
        Assert.False(s.Fleet.IsReclaiming(b));
    }

    // ---------------------------------------------------------------- R16

    /// <summary>
    /// Host 4096, every tick a reclaim tick. A: Startup 2048, committed 300 (Target 512) is ballooned to 512 on its
    /// first two Running ticks (1020, 516). B, static 3584, takes the rest. A's restart then finds no memory and no
    /// donor: Assigned 512 + Smart Paging 1536.
    /// </summary>
    internal static (Scenario S, int A) RestartedWithSmartPaging(ModelParameters model, KernelPath path = KernelPath.Scalar)
    {
        var s = new Scenario(hostTotalMb: 4096, model: model, path: path);
        int a = s.StartRunning((Dm(2048, 512, 4096), 300))[0];
        s.Tick();
        s.AssertMemory(a, 512, ballooned: 1536);
        int b = s.Add(VmSettings.Static(3584));
        s.Fleet.RequestStart(b);
        s.Tick();
        s.Fleet.RequestRestart(a);
        s.Tick();
        Assert.Equal(LifecycleResult.RestartedWithSmartPaging, s.Fleet.LastResult(a));
        s.AssertMemory(a, 512, ballooned: 0, smartPaging: 1536);
        return (s, a);
    }

    [Theory]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Vector128)]
    [InlineData(KernelPath.Vector256)]
    [InlineData(KernelPath.Vector512)]
    public void R16_SmartPaging_DrainedAtCapPerTick_IntoBallooned_AfterBoot(KernelPath path)
    {
        // BootGrace 3 ticks: the restart (tick 6) is Booting on ticks 6..8 and Running from tick 9.
        var (s, a) = RestartedWithSmartPaging(FastReclaim with { BootGraceSeconds = 3 }, path);

        s.Tick(2); // ticks 7, 8: Booting, no drain
        Assert.Equal(VmState.Booting, s.Fleet.State(a));
        s.AssertMemory(a, 512, ballooned: 0, smartPaging: 1536);

        s.Tick(); // tick 9, Running: min(1536, 1020) converted; no RAM moves
        Assert.Equal(VmState.Running, s.Fleet.State(a));
        s.AssertMemory(a, 512, ballooned: 1020, smartPaging: 516);
        s.AssertDecision(a, 0, 0, removed: 0);
        Assert.Equal(0, s.Fleet.HostAvailable(0));
        Assert.Equal(0, s.Fleet.HostPendingFreed(0));

        s.Tick(); // tick 10: the last 516
        s.AssertMemory(a, 512, ballooned: 1536, smartPaging: 0);
        Assert.Equal(2048, s.Fleet.GuestVisible(a));
    }

    [Fact]
    public void R16_Drain_IsIndependentOfR12sBalloon()
    {
        var (s, a) = RestartedWithSmartPaging(FastReclaim);
        // While Booting, lower A's Minimum to 256 (R2 allows it). Running next tick: Target max(360, 256) = 360, so
        // R15 balloons 512 − 360 = 152, and R16 still converts a full cap of 1020 from Smart Paging.
        s.Fleet.Configure(a, Dm(2048, 256, 4096));
        s.Tick();
        s.AssertMemory(a, 360, ballooned: 152 + 1020, smartPaging: 516);
        s.AssertDecision(a, 0, 0, removed: 152);
        Assert.Equal(152, s.Fleet.HostPendingFreed(0));

        s.Tick();
        s.AssertMemory(a, 360, ballooned: 1688, smartPaging: 0);
        Assert.Equal(152, s.Fleet.HostAvailable(0));
    }
}

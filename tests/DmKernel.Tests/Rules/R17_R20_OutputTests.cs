using DmKernel.Tests.Support;
using static DmKernel.Tests.Rules.RuleScenario;

namespace DmKernel.Tests.Rules;

/// <summary>Outputs: R17 per-tick decisions, R18 per-VM counters and pressure windows, R19 host counters, R20 status.</summary>
public class R17_R20_OutputTests
{
    /// <summary>
    /// Host 8192, every tick a reclaim tick. A: Startup 2048, committed 100 (Target 512). Tick 1: ballooned 1020;
    /// tick 2: ballooned 516; then committed 2000 (Target 2400): tick 3 grants 1888 = 1536 unballooned + 352 hot-added;
    /// tick 4: nothing.
    /// </summary>
    private static (Scenario S, int A) BalloonThenGrow(KernelPath path)
    {
        var s = new Scenario(hostTotalMb: 8192, model: FastReclaim, path: path);
        int a = s.Start((Dm(2048, 512, 8192), 100))[0];
        s.AssertDecision(a, 0, 0, 0); // tick 0, Booting
        return (s, a);
    }

    // ---------------------------------------------------------------- R17

    [Theory]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Vector128)]
    [InlineData(KernelPath.Vector256)]
    [InlineData(KernelPath.Vector512)]
    public void R17_Decisions_AddSplitIntoUnballoonedAndHotAdded_RemovedAndResultingMemory_ResetEachTick(KernelPath path)
    {
        var (s, a) = BalloonThenGrow(path);
        s.Tick(); // 1
        s.AssertDecision(a, 0, 0, removed: 1020);
        s.AssertMemory(a, 1028, ballooned: 1020);
        s.Tick(); // 2
        s.AssertDecision(a, 0, 0, removed: 516);
        s.AssertMemory(a, 512, ballooned: 1536);
        s.Commit(a, 2000);
        s.Tick(); // 3
        s.AssertDecision(a, unballooned: 1536, hotAdded: 352, removed: 0);
        s.AssertMemory(a, 2400);
        s.Tick(); // 4: no decision, the columns are back at 0
        s.AssertDecision(a, 0, 0, 0);
        s.AssertMemory(a, 2400);
    }

    // ---------------------------------------------------------------- R18

    [Theory]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Vector128)]
    [InlineData(KernelPath.Vector256)]
    [InlineData(KernelPath.Vector512)]
    public void R18_Counters_CumulativeMb_AndOneOperationPerTickWithAChange(KernelPath path)
    {
        var (s, a) = BalloonThenGrow(path);
        s.Tick(2);
        s.Commit(a, 2000);
        s.Tick(2);
        // Removed 1020 + 516 over two ticks (two operations); added 1888 in one tick (one operation, although it
        // was both unballooned and hot-added). The start itself is not an add.
        Assert.Equal(1536L, s.Fleet.RemovedMemory[a]);
        Assert.Equal(2, s.Fleet.RemoveOperations[a]);
        Assert.Equal(1888L, s.Fleet.AddedMemory[a]);
        Assert.Equal(1, s.Fleet.AddOperations[a]);
        // R19: the host-wide counterparts.
        Assert.Equal(1536L, s.Fleet.HostRemovedMemory(0));
        Assert.Equal(2L, s.Fleet.HostRemoveOperations(0));
        Assert.Equal(1888L, s.Fleet.HostAddedMemory(0));
        Assert.Equal(1L, s.Fleet.HostAddOperations(0));
    }

    [Theory]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Vector128)]
    [InlineData(KernelPath.Vector256)]
    [InlineData(KernelPath.Vector512)]
    public void R18_PressureWindow_ReportsCurrentUntilTheFirstCompletes_ThenTheLastCompleted(KernelPath path)
    {
        // Window 4 s = 4 ticks, closing after ticks 3, 7, ... A static VM of 1000 MB (Booting all along: every
        // non-Off VM samples) with committed c has pressure round(c / 10): 50, 60, 71 (70.5), 80 | 90, 100, 110, 102 | 20.
        var s = new Scenario(model: new ModelParameters { PressureWindowSeconds = 4 }, path: path);
        int[] committed = [500, 600, 705, 800, 900, 1000, 1100, 1020, 200];
        int[] pressure = [50, 60, 71, 80, 90, 100, 110, 102, 20];
        // Reported (average, minimum, maximum) after each tick. Window 1: 261 / 4 = 65.25 → 65. Window 2: 402 / 4 =
        // 100.5 → 101 (half up). Before tick 3 the current window: 50; 110 / 2 = 55; 181 / 3 = 60.3 → 60.
        (int Avg, int Min, int Max)[] reported =
        [
            (50, 50, 50), (55, 50, 60), (60, 50, 71), (65, 50, 80),
            (65, 50, 80), (65, 50, 80), (65, 50, 80), (101, 90, 110),
            (101, 90, 110),
        ];

        int vm = s.Start((VmSettings.Static(1000), committed[0]))[0];
        for (int t = 0; t < committed.Length; t++)
        {
            if (t > 0)
            {
                s.Commit(vm, committed[t]);
                s.Tick();
            }

            Assert.Equal(pressure[t], s.Fleet.Pressure[vm]);
            Assert.Equal(reported[t], (s.Fleet.AveragePressure(vm), s.Fleet.MinimumPressure(vm), s.Fleet.MaximumPressure(vm)));
        }

        // R7: a stop clears the windows, the completed one's figures with them (0, 0, 0 while Off), and a start after it
        // reports its own current window (tick 10, in the window of ticks 8..11: the start's sample alone), not the
        // window of 101 its earlier run completed.
        s.Fleet.RequestStop(vm);
        s.Tick();
        Assert.Equal((0, 0, 0), (s.Fleet.AveragePressure(vm), s.Fleet.MinimumPressure(vm), s.Fleet.MaximumPressure(vm)));
        s.Commit(vm, 300);
        s.Fleet.RequestStart(vm);
        s.Tick();
        Assert.Equal(30, s.Fleet.Pressure[vm]);
        Assert.Equal((30, 30, 30), (s.Fleet.AveragePressure(vm), s.Fleet.MinimumPressure(vm), s.Fleet.MaximumPressure(vm)));
    }

    [Fact]
    public void R18_PressureWindow_IsAlignedToTheGlobalTickIndex()
    {
        // Window 4 ticks; the VM starts in tick 2, so its first window has only ticks 2 and 3.
        var s = new Scenario(model: new ModelParameters { PressureWindowSeconds = 4 });
        s.Tick(2);
        int vm = s.Start((VmSettings.Static(1000), 500))[0]; // tick 2: 50
        Assert.Equal((50, 50, 50), (s.Fleet.AveragePressure(vm), s.Fleet.MinimumPressure(vm), s.Fleet.MaximumPressure(vm)));
        s.Commit(vm, 700);
        s.Tick(); // tick 3: 70, the window closes: (50 + 70) / 2 = 60
        Assert.Equal((60, 50, 70), (s.Fleet.AveragePressure(vm), s.Fleet.MinimumPressure(vm), s.Fleet.MaximumPressure(vm)));
        s.Commit(vm, 1000);
        s.Tick(3); // ticks 4..6 at 100: still the last completed window
        Assert.Equal((60, 50, 70), (s.Fleet.AveragePressure(vm), s.Fleet.MinimumPressure(vm), s.Fleet.MaximumPressure(vm)));
        s.Tick(); // tick 7 closes ticks 4..7
        Assert.Equal((100, 100, 100), (s.Fleet.AveragePressure(vm), s.Fleet.MinimumPressure(vm), s.Fleet.MaximumPressure(vm)));
    }

    // ---------------------------------------------------------------- R19

    [Theory]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Vector128)]
    [InlineData(KernelPath.Vector256)]
    [InlineData(KernelPath.Vector512)]
    public void R19_HostCounters_AverageAndSystemPressure_OverRunningDmVmsOnly(KernelPath path)
    {
        // Host 16384. A: committed 2000 → 2400 (pressure 83.3 → 83); B: committed 100, keeps 1024 (9.8 → 10);
        // S: static 2048 with committed 5000, not counted.
        var s = new Scenario(model: Fast, path: path);
        int[] v = s.Start((Dm(1024, 512, 65536), 2000), (Dm(1024, 512, 65536), 100), (VmSettings.Static(2048), 5000));
        Assert.Equal(0, s.Fleet.HostAveragePressure(0)); // tick 0: nobody Running
        Assert.Equal(0, s.Fleet.HostSystemPressure(0));

        s.Tick();
        Assert.Equal(83, s.Fleet.Pressure[v[0]]);
        Assert.Equal(10, s.Fleet.Pressure[v[1]]);
        Assert.Equal(47, s.Fleet.HostAveragePressure(0)); // (83 + 10) / 2 = 46.5 → 47
        // Available 16384 − 2400 − 1024 − 2048 = 10912; 100 × 2100 / (3424 + 10912) = 14.6 → 15.
        Assert.Equal(10912, s.Fleet.HostAvailable(0));
        Assert.Equal(15, s.Fleet.HostSystemPressure(0));
        Assert.Equal(1376L, s.Fleet.HostShortfall(0));
        Assert.Equal(1376L, s.Fleet.HostAddedMemory(0));
        Assert.Equal(1L, s.Fleet.HostAddOperations(0));
        Assert.Equal(0L, s.Fleet.HostRemovedMemory(0));

        s.Tick();
        Assert.Equal(0L, s.Fleet.HostShortfall(0));
        Assert.Equal(1376L, s.Fleet.HostAddedMemory(0)); // cumulative
    }

    [Fact]
    public void R19_SystemPressure_ExcludesMemoryBalloonedThisTick()
    {
        // The first tick of R12's cap scenario: A (Demand 100) ballooned to 3076, 1020 MB pending; B (Demand 3000)
        // at 2048; Available 0. System = round(100 × 3100 / (5124 + 0)) = round(60.499) = 60 (with the pending
        // 1020 it would be 50). Average = (round(3.25) + round(146.48)) / 2 = (3 + 146) / 2 = 74.5 → 75.
        var s = new Scenario(hostTotalMb: 6144, model: Fast);
        int[] v = s.StartRunning((Dm(4096, 512, 8192, weight: 1000), 100), (Dm(2048, 512, 8192), 3000));
        Assert.Equal(1020, s.Fleet.HostPendingFreed(0));
        Assert.Equal(3, s.Fleet.Pressure[v[0]]);
        Assert.Equal(146, s.Fleet.Pressure[v[1]]);
        Assert.Equal(75, s.Fleet.HostAveragePressure(0));
        Assert.Equal(60, s.Fleet.HostSystemPressure(0));
        Assert.Equal(1552L, s.Fleet.HostShortfall(0));
        Assert.Equal(1020L, s.Fleet.HostRemovedMemory(0));
        Assert.Equal(1L, s.Fleet.HostRemoveOperations(0));
        Assert.Equal(0L, s.Fleet.HostAddOperations(0));
    }

    [Theory]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Vector128)]
    [InlineData(KernelPath.Vector256)]
    [InlineData(KernelPath.Vector512)]
    public void R19_HostPressures_ExactlyHalf_RoundUp(KernelPath path)
    {
        // Host 10000, no reserve. A: committed 850, Target roundUp(1020) = 1020 → Minimum 1024 (pressure 83.0 → 83);
        // B: committed 200, Target 240 → 1024 (19.53 → 20). Nothing moves: Σ Assigned + Available = 10000.
        // Average (83 + 20) / 2 = 51.5 → 52; System 100 × 1050 / 10000 = 10.5 → 11. Both halves round up.
        var s = new Scenario(hostTotalMb: 10000, model: Fast, path: path);
        int[] v = s.StartRunning((Dm(1024, 1024, 8192), 850), (Dm(1024, 1024, 8192), 200));
        for (int t = 0; t < 2; t++)
        {
            s.Tick(); // the first tick after boot and a steady one (the vector paths' one-pass tick)
            s.AssertMemory(v[0], 1024);
            s.AssertMemory(v[1], 1024);
            Assert.Equal(83, s.Fleet.Pressure[v[0]]);
            Assert.Equal(20, s.Fleet.Pressure[v[1]]);
            Assert.Equal(52, s.Fleet.HostAveragePressure(0));
            Assert.Equal(11, s.Fleet.HostSystemPressure(0));
        }
    }

    [Theory]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Vector128)]
    [InlineData(KernelPath.Vector256)]
    [InlineData(KernelPath.Vector512)]
    public void R19_SystemPressure_ExactOnALargeHost_EveryVmAtTheLargestDemand(KernelPath path)
    {
        // Σ Demand is exact whatever the host's size: 4096 Running DM VMs of 64 MB, each committing the largest demand
        // (Fleet.MaxCommittedMb = 2^24 MB), on a host of exactly their memory. Σ Demand = 2^36 MB; a vector path must
        // widen its int lane sums to 64 bits often enough (one lane may sum at most 127 such demands), or they wrap.
        // System = 100 × 2^36 / 2^18 = 26 214 400 (exact); Average = 100 × 2^24 / 64 = 26 214 400, saturated at 100 000.
        const int Vms = 4096;
        var s = new Scenario(hostTotalMb: Vms * 64, vmCapacity: Vms, model: Fast, path: path);
        for (int k = 0; k < Vms; k++)
        {
            int vm = s.Add(Dm(64, 64, 64));
            s.Commit(vm, Fleet.MaxCommittedMb);
            s.Fleet.RequestStart(vm);
        }

        s.Tick(1 + s.Fleet.Model.BootGraceTicks); // the start tick (R4–R7), then the boot grace (R5): all Running
        for (int vm = 0; vm < Vms; vm++)
            Assert.Equal(VmState.Running, s.Fleet.State(vm));
        for (int t = 0; t < 3; t++)
        {
            Assert.Equal(0, s.Fleet.HostAvailable(0));
            Assert.Equal(26_214_400, s.Fleet.HostSystemPressure(0));
            Assert.Equal(100_000, s.Fleet.HostAveragePressure(0));
            s.Tick();
        }
    }

    // ---------------------------------------------------------------- R20

    [Theory]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Vector128)]
    [InlineData(KernelPath.Vector256)]
    [InlineData(KernelPath.Vector512)]
    public void R20_Status_WarningWhenDemandAboveAssigned_LowWhenBelowTarget_ElseOk(KernelPath path)
    {
        // Host 8024: the weight-0 plan of R11 (A 5000 → 2000 = its Demand, Z1 and Z2 weight 0 → 1012 each) next to two
        // static 2000 MB VMs (not in the plan) with committed 2000 and 2002, and an Off VM.
        var s = new Scenario(hostTotalMb: 8024, model: Fast, path: path);
        int[] v = s.StartRunning((Dm(512, 512, 8192), 2000), (Dm(512, 512, 8192, weight: 0), 2000),
            (Dm(512, 512, 8192, weight: 0), 2000), (VmSettings.Static(2000), 2000), (VmSettings.Static(2000), 2002));
        int off = s.Add(Dm(512, 512, 8192));
        s.Commit(off, 9000);
        s.Tick();
        s.AssertMemory(v[0], 2000);
        s.AssertMemory(v[1], 1012);

        Assert.Equal(MemoryStatus.Low, s.Fleet.Status(v[0]));     // Demand 2000 = Assigned, Target 2400
        Assert.Equal(MemoryStatus.Warning, s.Fleet.Status(v[1])); // Demand 2000 > 1012 (and below Target too)
        Assert.Equal(MemoryStatus.Warning, s.Fleet.Status(v[2]));
        Assert.Equal(MemoryStatus.Ok, s.Fleet.Status(v[3]));      // Demand = Assigned = Target
        Assert.Equal(MemoryStatus.Warning, s.Fleet.Status(v[4])); // 2002 > 2000
        Assert.Equal(MemoryStatus.Ok, s.Fleet.Status(off));
    }

    [Fact]
    public void R20_Status_OkAtOrAboveTarget_WarningWhileBootingShort()
    {
        var s = new Scenario(model: Fast);
        int[] v = s.Start((Dm(1024, 512, 65536), 3000), (Dm(1024, 512, 65536), 100));
        Assert.Equal(MemoryStatus.Warning, s.Fleet.Status(v[0])); // Booting with Demand 3000 > Startup 1024
        Assert.Equal(MemoryStatus.Ok, s.Fleet.Status(v[1]));
        s.Tick();
        Assert.Equal(MemoryStatus.Ok, s.Fleet.Status(v[0])); // granted its Target 3600
        Assert.Equal(MemoryStatus.Ok, s.Fleet.Status(v[1])); // 1024 above Target 512
    }
}

using DmKernel.Kernel;
using DmKernel.Tests.Rules;
using DmKernel.Tests.Support;

namespace DmKernel.Tests.Kernel;

/// <summary>
/// Tests written for the mutation round on the kernel's support code (ShortPlan's sweep, WorkerGroup, the derived and
/// per-VM spans): each pins a behaviour of the spec or of docs/model.md that no earlier test held, with expected values
/// worked out by hand in the comments.
/// </summary>
public class KernelSupportMutationTests
{
    // ---------------------------------------------------------------- R11: the water-filling's ratio sweep

    /// <summary>
    /// R11, one contested tier (tier 0, goals = Minimum), where three plain passes of the scalar fill each satisfy one
    /// more VM and the fourth, the heaviest, is left to the sweep by ratio, exactly at the level. Six Running DM VMs in
    /// slots 0..5; Weight 2 for slot 0 (first in R13's order), 1 for the others; Minimum (= the tier's cap, the tier
    /// starting from 0) 4362, 2176, 2100, 1000, 5000, 5000; budget B = Available 13 400 + Σ Assigned 6 × 100 = 14 000
    /// &lt; Σ Minimum 19 638.
    /// The largest level L with Σ min(cap, L × w) ≤ 14 000 is L = 2181: 4362 (= 2 × 2181, exactly at the level) + 2176 +
    /// 2100 + 1000 + 2181 + 2181 = 14 000. So slots 0..3 get their Minimum; slots 4 and 5 roundDown(2181) = 2180 each,
    /// and the 2 MB left go to the first unsatisfied VM in R13's order: slot 4 (slot 0 is satisfied: its min(cap, L × w)
    /// is its cap). Allocations 4362, 2176, 2100, 1000, 2182, 2180 (Σ 14 000).
    /// The scalar plan's passes (cap × W ≤ (remaining − C) × w, in R13's order): pass 1 at W 7 satisfies only slot 3
    /// (1000 × 7 ≤ 14 000); pass 2 at W 6, C 1000 only slot 2 (2100 × 6 = 12 600 ≤ 13 000; slot 0: 4362 × 6 = 26 172 &gt;
    /// 26 000, slot 1: 13 056 &gt; 13 000); pass 3 at W 5, C 3100 only slot 1 (2176 × 5 = 10 880 ≤ 10 900; slot 0: 21 810
    /// &gt; 21 800). Slot 0 is then satisfied by the sweep at its tie: 4362 × 4 = 17 448 = (14 000 − 5276) × 2.
    /// A sweep that stopped at a tie, or took the members in another order than cap / weight ascending, would leave
    /// slot 0 unsatisfied with a share of exactly 4362 and hand it the leftover granule (4364, above its goal).
    /// </summary>
    [Fact]
    public void R11_SweepByRatio_AfterThreePasses_SatisfiesTheMemberAtTheLevel_AndTheLeftoverGoesToTheNext()
    {
        Fleet fleet = WaterFillingOracleTests.ShortHost(new HostSpec(32768, 6, 0), [(2, 4362), (1, 2176), (1, 2100), (1, 1000), (1, 5000), (1, 5000)], budget: 14000);
        var ctx = new TickContext(fleet.Model, 0);
        int[] expected = [4362, 2176, 2100, 1000, 2182, 2180];
        Assert.Equal(expected, WaterFillingOracleTests.ScalarPlanBySlot(fleet, ctx, members: 6));

        // The vector plans (rounds to the fixpoint) agree, per slot offset.
        WaterFillingOracleTests.AssertVectorPlans(fleet, ctx, [.. expected, .. new int[fleet.Cols.HostCapacity[0] - 6]]);
    }

    /// <summary>
    /// R11, Weight-0 VMs served after the positive weights, on a host of 80 slots (above the vector plans' small-host
    /// limit of 64 VMs, so every width takes the large-host fill). Slots 0 and 1: Weight 1, Minimum 1000; slot 2: Weight
    /// 0, Minimum 1000; budget B = Available 1700 + Σ Assigned 3 × 100 = 2000 &lt; Σ Minimum 3000, so tier 0 is contested
    /// and its positive-weight group needs exactly the 2000 there is: slots 0 and 1 get their 1000 each, nothing is
    /// left for the Weight-0 VM (0), and tiers 1 and 2 have nothing to share.
    /// </summary>
    [Fact]
    public void R11_PositiveWeightsNeedExactlyTheBudget_LargeHost_EachGetsItsGoal_Weight0GetsNothing()
    {
        Fleet fleet = WaterFillingOracleTests.ShortHost(new HostSpec(32768, 80, 0), [(1, 1000), (1, 1000), (0, 1000)], budget: 2000);
        int count = fleet.Cols.HostCapacity[0];
        Assert.True(count > 64, $"host capacity {count}");
        var ctx = new TickContext(fleet.Model, 0);
        var scratch = new HostScratch(count);
        Assert.Equal(3, ShortPlan.Plan(fleet.Cols.Host(0), ctx, scratch));
        Assert.Equal([1000, 1000, 0], scratch.Alloc.AsSpan(0, 3).ToArray());

        WaterFillingOracleTests.AssertVectorPlans(fleet, ctx, [1000, 1000, 0, .. new int[count - 3]]);
    }
}

public class KernelSupportMutationTests_Windows
{
    /// <summary>
    /// R18: the figures of the last completed window are reported until the next completes, also when that window's
    /// average is 0. Window 4 s = 4 ticks, closing after ticks 3, 7, ...; a static VM of 1000 MB (Booting all along: it
    /// samples every tick) with committed c has pressure round(c / 10). Committed 0 in ticks 0..3: window 1 is (0, 0, 0).
    /// Committed 500 from tick 4: pressure 50, but ticks 4..6 still report window 1's (0, 0, 0), not the current (50, 50,
    /// 50); tick 7 closes window 2: (50, 50, 50).
    /// </summary>
    [Fact]
    public void R18_LastCompletedWindowWithAverageZero_IsStillReported()
    {
        var s = new Scenario(model: new ModelParameters { PressureWindowSeconds = 4 });
        int vm = s.Add(VmSettings.Static(1000));
        s.Fleet.SetCommitted(vm, 0);
        s.Fleet.RequestStart(vm);
        s.Tick(4); // ticks 0..3
        Assert.Equal(0, s.Fleet.Pressure[vm]);
        Assert.Equal((0, 0, 0), Reported(s.Fleet, vm));

        s.Fleet.SetCommitted(vm, 500);
        for (int t = 4; t <= 6; t++)
        {
            s.Tick();
            Assert.Equal(50, s.Fleet.Pressure[vm]);
            Assert.Equal((0, 0, 0), Reported(s.Fleet, vm));
            FleetVmSpans spans = s.Fleet.Vms;
            Assert.Equal((0, 0, 0), (spans.AveragePressure[vm], spans.MinimumPressure[vm], spans.MaximumPressure[vm]));
        }

        s.Tick(); // tick 7 closes ticks 4..7
        Assert.Equal((50, 50, 50), Reported(s.Fleet, vm));
    }

    private static (int, int, int) Reported(Fleet fleet, int vm)
        => (fleet.AveragePressure(vm), fleet.MinimumPressure(vm), fleet.MaximumPressure(vm));
}

/// <summary>
/// <see cref="WorkerGroup"/>: every piece runs exactly once per round, on whichever thread (the caller, 0, or a worker)
/// claims it; a thread runs its pieces one at a time (its scratch is its own); a worker stuck in a piece holds up that
/// piece only, the others running on the caller; a failure on any piece fails that round only (wrapped in
/// InvalidOperationException, the lowest piece's), and the allocation hook records the workers' pieces and bytes.
/// </summary>
public class KernelSupportMutationTests_Workers
{
    [Fact]
    public void Run_RunsEveryPieceExactlyOncePerRound()
    {
        int[] runs = new int[7];
        using var group = new WorkerGroup(3, 7, (piece, _) => Interlocked.Increment(ref runs[piece]));
        Assert.Equal(7, group.Pieces);
        for (int round = 1; round <= 5; round++)
        {
            group.Run();
            Assert.Equal(Enumerable.Repeat(round, 7), runs);
        }
    }

    [Fact]
    public void Constructor_NoPiece_IsRefused_BeforeAnyThreadStarts()
    {
        var ex = Assert.Throws<InvariantOutOfRangeException>(() => new WorkerGroup(1, 0, (_, _) => { }));
        Assert.Contains("at least one piece", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_AThreadRunsItsPiecesOneAtATime_AndOnlyThreadsOfTheGroupRunThem()
    {
        int[] inFlight = new int[3];
        int overlaps = 0, strangers = 0;
        using var group = new WorkerGroup(2, 12, (_, thread) =>
        {
            if (thread is < 0 or > 2)
            {
                Interlocked.Increment(ref strangers);
                return;
            }

            if (Interlocked.Increment(ref inFlight[thread]) > 1)
                Interlocked.Increment(ref overlaps);
            Thread.SpinWait(2000);
            Interlocked.Decrement(ref inFlight[thread]);
        });
        for (int round = 0; round < 50; round++)
            group.Run();
        Assert.Equal(0, overlaps);
        Assert.Equal(0, strangers);
    }

    [Fact]
    public async Task Run_AWorkerStuckInAPiece_HoldsUpThatPieceOnly_TheCallerRunsTheRest()
    {
        using var gate = new ManualResetEventSlim(false);
        int[] ranOn = Enumerable.Repeat(-1, 8).ToArray();
        int done = 0, stuckPiece = -1;
        using var group = new WorkerGroup(1, 8, (piece, thread) =>
        {
            ranOn[piece] = thread;
            if (thread == 1 && Interlocked.CompareExchange(ref stuckPiece, piece, -1) == -1)
                gate.Wait(); // the worker's first piece: as if its core went to a neighbour
            else if (thread == 0)
                SpinWait.SpinUntil(() => Volatile.Read(ref stuckPiece) >= 0, 2000); // until the worker has one
            Interlocked.Increment(ref done);
        });
        var round = Task.Run(group.Run);
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref done) == 7, 10_000), $"{Volatile.Read(ref done)} of the 7 other pieces done");
        Assert.False(round.IsCompleted); // the round waits for the stuck piece
        gate.Set();
        await round;
        Assert.Equal(8, done);
        Assert.True(stuckPiece >= 0);
        Assert.All(Enumerable.Range(0, 8).Where(p => p != stuckPiece), p => Assert.Equal(0, ranOn[p]));
    }

    [Fact]
    public void Run_APieceThatThrows_FailsThatRoundOnly()
    {
        bool fail = true;
        using var group = new WorkerGroup(2, 3, (piece, _) =>
        {
            if (fail && piece == 2)
                throw new ArithmeticException("piece 2");
        });
        var ex = Assert.Throws<InvalidOperationException>(group.Run);
        Assert.IsType<ArithmeticException>(ex.InnerException);
        Assert.Equal("piece 2", ex.InnerException!.Message);

        fail = false;
        group.Run(); // the failure was taken with its round: the next round runs clean
        group.Run();
    }

    [Fact]
    public void Run_PieceZeroThatThrows_FailsTheRound_AfterTheOtherPiecesFinished()
    {
        bool fail = true;
        int otherRuns = 0;
        using var group = new WorkerGroup(1, 2, (piece, _) =>
        {
            if (piece == 1)
                Interlocked.Increment(ref otherRuns);
            else if (fail)
                throw new ArithmeticException("piece 0");
        });
        var ex = Assert.Throws<InvalidOperationException>(group.Run);
        Assert.IsType<ArithmeticException>(ex.InnerException);
        Assert.Equal(1, Volatile.Read(ref otherRuns));
        fail = false;
        group.Run();
        Assert.Equal(2, Volatile.Read(ref otherRuns));
    }

    [Fact]
    public void TrackAllocations_RecordsTheWorkersPiecesAndBytes()
    {
        object?[] kept = new object?[6];
        long onWorkers = 0;
        using var group = new WorkerGroup(2, 6, (piece, thread) =>
        {
            if (thread == 0)
                return;
            kept[piece] = new byte[1 << 20];
            Interlocked.Increment(ref onWorkers);
        });
        Assert.Equal(0, group.WorkerPiecesRun);
        Assert.Equal(0, group.WorkerAllocatedBytes);
        group.Run(); // not tracked yet
        Interlocked.Exchange(ref onWorkers, 0);
        group.TrackAllocations();
        for (int round = 1; round <= 20; round++)
        {
            group.Run();
            Assert.Equal(Volatile.Read(ref onWorkers), group.WorkerPiecesRun); // recorded before each piece counts as done
        }

        // Each piece a worker ran allocated at least its 1 MiB array; recorded by the worker that ran it.
        Assert.True(group.WorkerAllocatedBytes >= (group.WorkerPiecesRun << 20), $"{group.WorkerAllocatedBytes} bytes recorded for {group.WorkerPiecesRun} pieces");
        GC.KeepAlive(kept);
    }
}

public class KernelSupportMutationTests_Spans
{
    /// <summary>
    /// FleetVmSpans.Committed keeps what the caller last wrote (R8's input), not the Demand the tick derived from it: a
    /// Linux guest reports committed + floor(Assigned) (R8). Committed 700, Startup 1024: on its first Running tick
    /// (tick 1, Assigned 1024 at R8) Demand = 700 + (104 + 1024 / 8) = 932.
    /// </summary>
    [Fact]
    public void R08_CommittedSpan_IsTheCallersInput_NotDemand()
    {
        var s = new Scenario(model: RuleScenario.Fast);
        int vm = s.StartRunning((RuleScenario.Dm(1024, 512, 8192, guest: GuestKind.Linux), 700))[0];
        Assert.Equal(932, s.Fleet.Vms.Demand[vm]);
        Assert.Equal(700, s.Fleet.Vms.Committed[vm]);
        s.Fleet.SetCommitted(vm, 900);
        Assert.Equal(900, s.Fleet.Vms.Committed[vm]); // before any tick reads it
    }

    /// <summary>P10 IntermittentlyStuck(3 s, 5 s) at 1 s ticks: spells of 3 stuck ticks and 5 ideal ticks, each in its own span.</summary>
    [Fact]
    public void P10_GuestSpellSpans_StuckAndIdealTicks()
    {
        var s = new Scenario(model: RuleScenario.Fast);
        int vm = s.Add(RuleScenario.Dm(1024, 512, 8192));
        s.Fleet.SetGuestResponse(vm, GuestResponse.IntermittentlyStuck(3, 5));
        Assert.Equal(GuestResponseKind.IntermittentlyStuck, s.Fleet.Vms.GuestResponse[vm]);
        Assert.Equal(3, s.Fleet.Vms.GuestStuckTicks[vm]);
        Assert.Equal(5, s.Fleet.Vms.GuestIdealTicks[vm]);
        Assert.Equal(0, s.Fleet.Vms.GuestRateMbPerTick[vm]);
    }

    /// <summary>
    /// R6/R16: FleetVmSpans.SmartPagingMb is the Smart Paging column, Ballooned the balloon's. Host 4096, every tick a
    /// reclaim tick: A (Startup 2048, Minimum 512, committed 300, Target 512) is ballooned to 512 on its first Running
    /// ticks (1020, then 516); a static 3584 takes the rest of the host; A's restart then finds 512 of the 2048 it
    /// starts with and no donor: Assigned 512, Smart Paging 1536, Ballooned 0 (R7 clears it). Once Running (BootGrace 1
    /// tick), R16 converts min(1536, cap 1020) a tick into balloon: 1020 ballooned, 516 paged.
    /// </summary>
    [Fact]
    public void R16_SmartPagingSpan_IsTheSmartPagingColumn_NotBallooned()
    {
        // The scenario of R15_R16_ReclaimDrainTests (per-index getters checked there: 512 and 1536 ballooned, then the
        // restart's 512 and 1536 of Smart Paging); here the spans.
        (Scenario s, int a) = DmKernel.Tests.Rules.R15_R16_ReclaimDrainTests.RestartedWithSmartPaging(RuleScenario.FastReclaim);
        Assert.Equal((512, 0, 1536), (s.Fleet.Vms.Assigned[a], s.Fleet.Vms.Ballooned[a], s.Fleet.Vms.SmartPagingMb[a]));
        Assert.Equal(512 + 1536, s.Fleet.Vms.GuestVisible[a]); // R18: Assigned + Ballooned + SmartPaging
        s.Tick(); // Running: the drain's first 1020
        Assert.Equal((512, 1020, 516), (s.Fleet.Vms.Assigned[a], s.Fleet.Vms.Ballooned[a], s.Fleet.Vms.SmartPagingMb[a]));
    }
}

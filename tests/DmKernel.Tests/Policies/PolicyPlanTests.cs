using DmKernel.Policies;

namespace DmKernel.Tests.Policies;

/// <summary>
/// The policies' per-host plans, tick by tick on one host without a fleet (<see cref="PolicyRig"/>): P1's moves toward
/// goals, P4's two phases, P5–P6 on the host's samples, P7–P9's revocation with caps, P10 under each. Model defaults:
/// 1 s ticks, G = 2, R12's cap 1020 MB. Hand-derived values in the comments.
/// </summary>
public class PolicyPlanTests
{
    /// <summary>
    /// V0: Minimum 512, Maximum 2560, holds 2048, demand 100. V1: Minimum 1024, Maximum 5120, holds 1024, demand 4000.
    /// Host 4618 MB, no reserve: Available 1546. Ranges 2048 + 4096 = 6144; Σ max(0, Assigned − Minimum) = 1536;
    /// surplus = 1546 + 1536 − 10 = 3072 = half the range: γ = 1/2, goals 1536 and 3072, whatever the demands.
    /// </summary>
    private static PolicyRig SqueezedHost(bool v0Linux = false)
    {
        var rig = new PolicyRig(4618, BalancerPolicy.Squeezed);
        rig.Add(512, 1024, 2560, 2048, demand: v0Linux ? 2048 : 100, linux: v0Linux);
        rig.Add(1024, 1024, 5120, 1024, demand: 4000);
        return rig.Build();
    }

    [Fact]
    public void P4_GrowthHeldBack_WhileAVmIsAboveItsGoal_ThenGrowsInSlotOrder()
    {
        PolicyRig rig = SqueezedHost();
        HostArrays a = rig.A;

        // Tick 0 recomputes: V0 shrinks 512 toward 1536 (within the cap); V1, below its goal, waits.
        rig.Tick<SqueezedPolicy>();
        Assert.Equal([1536, 3072], a.Target);
        Assert.Equal([1536, 1024], a.Assigned);
        Assert.Equal([512, 0], a.Removed);
        Assert.Equal(0, a.HotAdded[1]);
        Assert.Equal(2048L, a.Shortfall);                    // V1: 3072 − 1024, before the moves
        Assert.Equal(1, a.Short);                            // V1 still below its goal
        Assert.Equal(512, a.PendingFreed);

        // Tick 1: the 512 MB join Available (2058); nobody is above its goal, so V1 grows 2048 (hot-added).
        rig.Tick<SqueezedPolicy>();
        Assert.Equal([1536, 3072], a.Assigned);
        Assert.Equal(2048, a.HotAdded[1]);
        Assert.Equal(10, a.Available);                       // F = 10 MB kept free
        Assert.Equal(0, a.Short);
    }

    [Fact]
    public void P4_ABalloonAtItsLinuxLimit_DoesNotHoldGrowthBack()
    {
        // V0 is a Linux guest with demand 2048: R12 may take max(0, 2048 − 2048) = 0, so its balloon cannot move and V1
        // grows at once, as far as Available (1546) goes: 1024 + 1546 = 2570.
        PolicyRig rig = SqueezedHost(v0Linux: true);
        rig.Tick<SqueezedPolicy>();
        Assert.Equal([2048, 2570], rig.A.Assigned);
        Assert.Equal(0, rig.A.Available);
    }

    /// <summary>
    /// P10 with the longest stuck spell at a sub-second tick (1e9 s at 0.25 s: int.MaxValue ticks): a guest's no-progress
    /// count at the spell stays there (before stop 53, min(n + 1, spell) wrapped n + 1 to int.MinValue, and the VM read as
    /// not stuck again).
    /// </summary>
    [Fact]
    public void P10_NoProgressAtTheLongestSpell_StaysThere()
    {
        var rig = new PolicyRig(4618, BalancerPolicy.Squeezed with { SqueezedStuckSeconds = 1e9 }, ModelParameters.Default with { TickSeconds = 0.25 });
        rig.Add(512, 1024, 2560, 2048, demand: 100);
        rig.Add(1024, 1024, 5120, 1024, demand: 4000);
        rig.Build();
        rig.SetGuest(0, GuestResponse.Stuck);
        rig.A.NoProgress[0] = int.MaxValue - 1;
        rig.Tick<SqueezedPolicy>(3);
        Assert.Equal(int.MaxValue, rig.A.NoProgress[0]);
    }

    [Fact]
    public void P10_StuckGuest_DoesNotHoldGrowthBack_IsDeclaredStuckAfter5s_AndLeavesGamma()
    {
        PolicyRig rig = SqueezedHost();
        rig.SetGuest(0, GuestResponse.Stuck);
        HostArrays a = rig.A;

        // Tick 0: V0 is asked for 512 and gives nothing; V1 grows as far as Available goes (2570).
        rig.Tick<SqueezedPolicy>();
        Assert.Equal([2048, 2570], a.Assigned);
        Assert.Equal(1, a.NoProgress[0]);

        // Ticks 1–4: V0 is asked each tick: 5 ticks without progress = 5 s, it is stuck. V1 waits (Available 0).
        rig.Tick<SqueezedPolicy>(4);
        Assert.Equal(5, a.NoProgress[0]);
        rig.Tick<SqueezedPolicy>(5);
        Assert.Equal([2048, 2570], a.Assigned);

        // Tick 10 recomputes without V0: its 2048 MB stay out of the sums. V1 alone: Available 0, Assigned − Minimum 1546,
        // surplus 1536, range 4096: goal 1024 + 1536 = 2560. V0 keeps its goal 1536. V1 shrinks 10 MB toward 2560.
        rig.Tick<SqueezedPolicy>();
        Assert.Equal([1536, 2560], a.Target);
        Assert.Equal([2048, 2560], a.Assigned);
        Assert.Equal(10, a.Removed[1]);
    }

    [Fact]
    public void P10_RateLimitedGuest_MovesAtItsRate_AndHoldsGrowthBackWhileItMoves()
    {
        // V0 moves at most 100 MB/s: 100 MB per tick toward 1536 (512 to go: 100, 100, 100, 100, 100, then 12 left →
        // R12 takes 12). While it moves V1 does not grow (P4); the tick after V0 reaches its goal V1 grows.
        PolicyRig rig = SqueezedHost();
        rig.SetGuest(0, GuestResponse.Rate(100));
        HostArrays a = rig.A;
        rig.Tick<SqueezedPolicy>(5);
        Assert.Equal(1548, a.Assigned[0]);
        Assert.Equal(1024, a.Assigned[1]);
        rig.Tick<SqueezedPolicy>();                          // tick 5: the last 12 MB
        Assert.Equal(1536, a.Assigned[0]);
        Assert.Equal(1024, a.Assigned[1]);
        rig.Tick<SqueezedPolicy>();                          // tick 6: V1's turn; its guest is ideal
        Assert.Equal(3072, a.Assigned[1]);
    }

    [Fact]
    public void P5_P6_MomGoalsStandBetweenPeriods_TheStepUsesTheAveragedSamples()
    {
        // Host 10 000, one VM (Minimum 512, Maximum 8192) holding 2000 with demand 100: Available 8000.
        var rig = new PolicyRig(10_000, BalancerPolicy.Mom);
        rig.Add(512, 2000, 8192, 2000, demand: 100);
        rig.Build();
        HostArrays a = rig.A;

        // Tick 0: sample 8000, h = 0.8: grow 5 %: 2100. Granted at once.
        rig.Tick<MomPolicy>();
        Assert.Equal(2100, a.Assigned[0]);
        Assert.Equal(100, a.HotAdded[0]);

        // Ticks 1–14: the goal stands.
        rig.Tick<MomPolicy>(14);
        Assert.Equal(2100, a.Assigned[0]);

        // Tick 15: sample 7900; mean of 8000 and 7900 = 7950, h = 0.795: grow 5 % of 2100 = 2205 → roundUp 2206.
        rig.Tick<MomPolicy>();
        Assert.Equal(2206, a.Assigned[0]);
        Assert.Equal(2, a.MomFilled);
    }

    [Fact]
    public void P6_MomCritical_ShrinksTheGuestBelowItsDemand()
    {
        // Host 10 000, a VM holding 9600 with demand 9600: Available 400, h = 0.04 ≤ 0.05: g = −0.01, g × 9600 = −96:
        // the goal is 9504 and the balloon takes 96 MB: the guest pages (Demand 9600 > Assigned 9504).
        var rig = new PolicyRig(10_000, BalancerPolicy.Mom);
        rig.Add(512, 9600, 16384, 9600, demand: 9600);
        rig.Build();
        rig.Tick<MomPolicy>();
        Assert.Equal(9504, rig.A.Assigned[0]);
        Assert.Equal(96, rig.A.Removed[0]);
        Assert.True(rig.A.Demand[0] > rig.A.Assigned[0]);
    }

    /// <summary>
    /// The paper's experiment on one host of 9900 MB: V0 idle (demand 200 of 4800: active share floor(1000 × 200 / 4800) = 41
    /// per mille), V1 active (demand 4800 of 4800: 1000), equal shares 5000, Minimum 512. Available 300 is below the soft
    /// level 4 % × 9900 = 396: revocation takes ceil((6 × 9900 − 100 × 300) / 100) = 294 MB, 147 granules.
    /// </summary>
    private static PolicyRig EsxExperiment(int taxPerMille)
    {
        var rig = new PolicyRig(9900, BalancerPolicy.Esx with { EsxIdleTaxPerMille = taxPerMille });
        rig.Add(512, 4800, 8192, 4800, demand: 200);
        rig.Add(512, 4800, 8192, 4800, demand: 4800);
        return rig.Build();
    }

    [Fact]
    public void P9_WithTax75_TheIdleVmLosesMemoryBeforeTheActiveOne()
    {
        // c'(41) = 41 × 250 + 1000 × 959 = 969 250 against c'(1000) = 250 000: V0's ρ stays lower while its memory is above
        // 4800 × 250 000 / 969 250 = 1238: all 294 MB come from the idle VM. Its goal caps it at 4506 and R12 takes 294.
        PolicyRig rig = EsxExperiment(750);
        rig.Tick<EsxPolicy>();
        Assert.Equal([41, 1000], rig.A.EsxEstimate);
        Assert.Equal([4506, 4800], rig.A.Assigned);
        Assert.Equal([294, 0], rig.A.Removed);
        Assert.Equal(1, rig.A.EsxCapping);

        // Tick 1: the 294 MB join Available (594 = the high level 6 % × 9900): the caps lift, nothing moves.
        rig.Tick<EsxPolicy>();
        Assert.Equal(0, rig.A.EsxCapping);
        Assert.Equal([0, 0], rig.A.Goal);
        Assert.Equal([4506, 4800], rig.A.Assigned);
    }

    [Fact]
    public void P9_WithoutTax_TheIdleAndTheActiveVmLoseEqually()
    {
        // τ = 0: c' = 10^6 for both; equal memory and shares tie, so granules alternate from slot 0: 74 granules from V0
        // and 73 from V1, 148 and 146 MB: equal within one granule.
        PolicyRig rig = EsxExperiment(0);
        rig.Tick<EsxPolicy>();
        Assert.Equal([4652, 4654], rig.A.Assigned);
    }

    [Fact]
    public void P9_WeightZero_IsReclaimedFirst_EvenWhenActive()
    {
        // V0 is the active one with Weight 0 (ρ = 0), V1 the idle one: the 294 MB come from V0.
        var rig = new PolicyRig(9900, BalancerPolicy.Esx);
        rig.Add(512, 4800, 8192, 4800, demand: 4800, weight: 0);
        rig.Add(512, 4800, 8192, 4800, demand: 200);
        rig.Build();
        rig.Tick<EsxPolicy>();
        Assert.Equal([4506, 4800], rig.A.Assigned);
    }

    [Fact]
    public void P9_CountedAvailable_ASlowBalloonIsNotReclaimedTwice()
    {
        // Host 9900: V0 idle holding 4800 (demand 200), V1 active holding 5100 (demand 5100): Available 0. Tick 0:
        // revocation needs ceil(6 × 9900 / 100) = 594 MB, all from V0 (its ρ is lower down to 5100 × 250 000 / 969 250 =
        // 1315): goal 4206. V0's guest moves 100 MB/s, so R12 takes 100.
        var rig = new PolicyRig(9900, BalancerPolicy.Esx);
        rig.Add(512, 4800, 8192, 4800, demand: 200);
        rig.Add(512, 5100, 8192, 5100, demand: 5100);
        rig.Build();
        rig.SetGuest(0, GuestResponse.Rate(100));
        rig.Tick<EsxPolicy>();
        Assert.Equal(4206, rig.A.Goal[0]);
        Assert.Equal(4700, rig.A.Assigned[0]);

        // Tick 1: Available 100 plus what V0 still owes (4700 − 4206 = 494) is 594, the high level: the caps lift; the
        // host is then below soft (100 < 396) and revocation runs from the VMs' memory: 494 MB more from V0, goal 4206
        // again. Had the owed 494 MB not been counted, the goal would have dropped to 4206 − 494 = 3712.
        rig.Tick<EsxPolicy>();
        Assert.Equal(4206, rig.A.Goal[0]);
        Assert.Equal(4600, rig.A.Assigned[0]);
    }

    [Fact]
    public void P9_Revocation_ReachesTheHighLevel_NotJustBelowIt()
    {
        // Host 9910: V0 idle holding 4810 (demand 200), V1 active holding 5100 (demand 5100): Available 0, below soft
        // (4 % of 9910 = 396.4 MB). Revocation takes until Available plus what it took reaches high, 6 % of 9910 = 594.6 MB:
        // 298 granules (596 MB; 594 would stay below it), all from V0 (its ρ stays the lower down to about 1315 MB):
        // goal 4810 − 596 = 4214, which an ideal guest reaches this tick (within R12's cap).
        var rig = new PolicyRig(9910, BalancerPolicy.Esx);
        rig.Add(512, 4810, 8192, 4810, demand: 200);
        rig.Add(512, 5100, 8192, 5100, demand: 5100);
        rig.Build();
        rig.Tick<EsxPolicy>();
        Assert.Equal(4214, rig.A.Goal[0]);
        Assert.Equal([4214, 5100], rig.A.Assigned);
    }

    [Fact]
    public void P7_EsxGrowsToWhatIsTouched_InSlotOrder_WhileAvailableLasts()
    {
        // Host 12 000: V0 and V1 hold 2048 each and touch 5001 and 6000: want roundUp(5001) = 5002 and 6000. Available
        // 7904 is above soft. In slot order V0 gets 2954 and V1 3952 (both fit), leaving 7904 − 2954 − 3952 = 998.
        var rig = new PolicyRig(12_000, BalancerPolicy.Esx);
        rig.Add(512, 2048, 8192, 2048, demand: 5001);
        rig.Add(512, 2048, 8192, 2048, demand: 6000);
        rig.Build();
        rig.Tick<EsxPolicy>();
        Assert.Equal([5002, 6000], rig.A.Assigned);
        Assert.Equal(998, rig.A.Available);
    }

    [Fact]
    public void P9_AvailableExactlyAtTheSoftLevel_NothingShrinks()
    {
        // Host 10 000: V0 idle and V1 active hold 4800 each, Available 400 = exactly 4 % of 10 000. Nothing shrinks while
        // Available is at or above the soft level (P7): no revocation, no caps, no balloon.
        var rig = new PolicyRig(10_000, BalancerPolicy.Esx);
        rig.Add(512, 4800, 8192, 4800, demand: 200);
        rig.Add(512, 4800, 8192, 4800, demand: 4800);
        rig.Build();
        rig.Tick<EsxPolicy>();
        Assert.Equal([0, 0], rig.A.Removed);
        Assert.Equal([0, 0], rig.A.Goal);
        Assert.Equal(0, rig.A.EsxCapping);
        Assert.Equal([4800, 4800], rig.A.Assigned);
    }

    [Fact]
    public void P8_Estimates_ChangeOnlyAtSampleTicks()
    {
        // One VM holding 4800 of a 20 000 MB host (far above soft). Tick 0 samples it fully active (1000). Its demand then
        // drops to 200: the estimate stays 1000 until the next sample at tick 30 (30 s), where a = floor(1000 × 200 / 4800)
        // = 41, fast = 1000 + (41 − 1000) / 2 = 521, slow = 1000 + (−959 / 16 → −59) = 941: f = 941.
        var rig = new PolicyRig(20_000, BalancerPolicy.Esx);
        rig.Add(512, 4800, 8192, 4800, demand: 4800);
        rig.Build();
        rig.Tick<EsxPolicy>();
        Assert.Equal(1000, rig.A.EsxEstimate[0]);
        rig.A.Demand[0] = 200;
        rig.Tick<EsxPolicy>(29);
        Assert.Equal(1000, rig.A.EsxEstimate[0]);
        Assert.Equal((1000, 1000), (rig.A.EsxFast[0], rig.A.EsxSlow[0]));
        rig.Tick<EsxPolicy>();
        Assert.Equal(941, rig.A.EsxEstimate[0]);
        Assert.Equal((521, 941), (rig.A.EsxFast[0], rig.A.EsxSlow[0]));
    }

    [Fact]
    public void P10_RateLimitedGuest_GrowsByAtMostItsRatePerTick_UnderEsxAndStatic()
    {
        // ESX, host 12 000: V0 (100 MB/s) and V1 (ideal) hold 2048 and touch 5001 and 6000. V1 jumps to 6000 at once; V0
        // grows 100 MB a tick (R13's hot-add limited by its driver): 2148, then 2248.
        var esx = new PolicyRig(12_000, BalancerPolicy.Esx);
        esx.Add(512, 2048, 8192, 2048, demand: 5001);
        esx.Add(512, 2048, 8192, 2048, demand: 6000);
        esx.Build();
        esx.SetGuest(0, GuestResponse.Rate(100));
        esx.Tick<EsxPolicy>();
        Assert.Equal([2148, 6000], esx.A.Assigned);
        Assert.Equal([100, 3952], esx.A.HotAdded);
        esx.Tick<EsxPolicy>();
        Assert.Equal([2248, 6000], esx.A.Assigned);

        // Static: a VM 512 MB below its Startup grows back 100 MB a tick.
        var st = new PolicyRig(10_000, BalancerPolicy.Static);
        st.Add(512, 2048, 8192, 1536, demand: 9000);
        st.Build();
        st.SetGuest(0, GuestResponse.Rate(100));
        st.Tick<StaticPolicy>();
        Assert.Equal(1636, st.A.Assigned[0]);
    }

    [Fact]
    public void P10_IntermittentlyStuckGuests_UnderAPolicy_TheLimitOfTheTick_PhaseFromThePlaceInTheHost()
    {
        // ESX, host 20 000 whose first slot is fleet slot 3: V0 and V1 hold 2048, touch 4000, and are stuck 2 s then ideal
        // 3 s, counted from tick + place in the host (0 and 1), not from the fleet slot: V0 is stuck at ticks 0 and 1 and
        // grows at tick 2; V1 is stuck at tick 0 only and grows at tick 1.
        var rig = new PolicyRig(20_000, BalancerPolicy.Esx);
        rig.Add(512, 2048, 8192, 2048, demand: 4000);
        rig.Add(512, 2048, 8192, 2048, demand: 4000);
        rig.Build();
        rig.A.Start = 3;
        rig.SetGuest(0, GuestResponse.IntermittentlyStuck(2, 3));
        rig.SetGuest(1, GuestResponse.IntermittentlyStuck(2, 3));
        rig.Tick<EsxPolicy>();
        Assert.Equal([2048, 2048], rig.A.Assigned);
        rig.Tick<EsxPolicy>();
        Assert.Equal([2048, 4000], rig.A.Assigned);
        rig.Tick<EsxPolicy>();
        Assert.Equal([4000, 4000], rig.A.Assigned);
    }

    [Fact]
    public void P1_StaticPolicy_AVmAboveItsStartup_ShrinksBackToIt()
    {
        // A VM holding 3072 with Startup 2048 (it grew under another policy before a static balancer took the fleet over):
        // its goal is its Startup, and it moves toward it within R12's cap (1020 MB a tick): 2052, then 2048.
        var rig = new PolicyRig(10_000, BalancerPolicy.Static);
        rig.Add(512, 2048, 8192, 3072, demand: 100);
        rig.Build();
        rig.Tick<StaticPolicy>();
        Assert.Equal(2048, rig.A.Target[0]);
        Assert.Equal(2052, rig.A.Assigned[0]);
        rig.Tick<StaticPolicy>();
        Assert.Equal(2048, rig.A.Assigned[0]);
    }

    [Fact]
    public void P1_StaticPolicy_GoalIsStartup_AVmBelowGrowsBack_NothingShrinks()
    {
        var rig = new PolicyRig(10_000, BalancerPolicy.Static);
        rig.Add(512, 2048, 8192, 1536, demand: 9000);      // below Startup (a lifecycle reclaim took some): grows back
        rig.Add(512, 2048, 8192, 2048, demand: 10);        // at Startup: stays, whatever its demand
        rig.Build();
        rig.Tick<StaticPolicy>();
        Assert.Equal([2048, 2048], rig.A.Assigned);
        Assert.Equal([2048, 2048], rig.A.Target);
        Assert.Equal([0, 0], rig.A.Removed);
    }
}

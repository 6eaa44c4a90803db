using DmKernel.Kernel;
using DmKernel.Policies;

namespace DmKernel.Tests.Kernel;

/// <summary>
/// Tests written for the second mutation round on the kernel's support code: each pins a behaviour of the spec that no
/// earlier test held, with expected values worked out by hand in the comments.
/// </summary>
public class KernelSupportMutationTests2
{
    /// <summary>
    /// R11, one contested tier (tier 0, goals = Minimum, the tier starting from 0) where the scalar fill's three plain
    /// passes each satisfy one VM, still satisfying at the third, and leave 17 members to the sweep by ratio: one more
    /// than the sort's runs of 16, so the sweep's order needs the merge of a run of 16 with a run of 1, and the member
    /// in that run of 1 (the last in R13's order) is one the sweep must satisfy.
    /// Twenty Running DM VMs in slots 0..19: slots 0..3 Weight 10, Minimum 12 500, 11 958, 10 002, 1000; slots 4..18
    /// Weight 1, Minimum 3000; slot 19 Weight 1, Minimum 1272. Budget B = 56 000 &lt; Σ Minimum 81 732; W = 56.
    /// A member is satisfied when cap × W ≤ (B − C) × w (C: the caps satisfied so far), in R13's order (slots 0..19).
    /// Pass 1 (W 56, B − C 56 000, level 1000): only slot 3 (1000 ≤ 10 000) → W 46, B − C 55 000 (level 1195.65).
    /// Pass 2: slot 1: 11 958 × 46 = 550 068 &gt; 550 000; slot 2: 10 002 × 46 = 460 092 ≤ 550 000 → W 36, B − C 44 998.
    /// Pass 3: slot 0: 12 500 × 36 = 450 000 &gt; 449 980; slot 1: 11 958 × 36 = 430 488 ≤ 449 980 → W 26, B − C 33 040;
    /// slot 19: 1272 × 26 = 33 072 &gt; 33 040. Left: slot 0, slots 4..18, slot 19 (17 members).
    /// Sweep by cap / weight (slot 0: 1250, slot 19: 1272, slots 4..18: 3000): slot 0: 12 500 × 26 = 325 000 ≤ 330 400
    /// → W 16, B − C 20 540; slot 19: 1272 × 16 = 20 352 ≤ 20 540 → W 15, B − C 19 268; slot 4: 3000 × 15 &gt; 19 268, stop.
    /// Slots 4..18 get roundDown(19 268 / 15 = 1284.53) = 1284 each (19 260), and the 8 MB left go, a granule (2 MB) each,
    /// to slots 4..7. Allocations: 12 500, 11 958, 10 002, 1000, 1286 × 4, 1284 × 11, 1272 (Σ 56 000).
    /// A sweep that took slot 19 after slots 4..18 (its run of 1 not merged) would stop at slot 4 before reaching it and
    /// leave it unsatisfied: 16 members sharing 20 540, 1282 each, slot 19 above its goal.
    /// </summary>
    [Fact]
    public void R11_SweepByRatio_OfSeventeenMembers_MergesTheLastRun()
    {
        (int Weight, int Min)[] vms =
            [(10, 12500), (10, 11958), (10, 10002), (10, 1000), .. Enumerable.Repeat((1, 3000), 15), (1, 1272)];
        Fleet fleet = WaterFillingOracleTests.ShortHost(new HostSpec(131072, 20, 0), vms, budget: 56000);
        var ctx = new TickContext(fleet.Model, 0);
        int[] expected = [12500, 11958, 10002, 1000, 1286, 1286, 1286, 1286, .. Enumerable.Repeat(1284, 11), 1272];
        Assert.Equal(56000, expected.Sum());
        Assert.Equal(expected, WaterFillingOracleTests.ScalarPlanBySlot(fleet, ctx, members: 20));

        // The vector plans (rounds to the fixpoint) agree, per slot offset.
        WaterFillingOracleTests.AssertVectorPlans(fleet, ctx, [.. expected, .. new int[fleet.Cols.HostCapacity[0] - 20]]);
    }

    /// <summary>
    /// P8 on a fleet (the per-host policy view over the fleet's columns): the two moving averages are two columns,
    /// <c>fast += (a − fast) / 2</c> and <c>slow += (a − slow) / 16</c>, both starting at the first sample, estimate
    /// <c>max(a, fast, slow)</c>. ESX policy, samples every 30 s (ticks 0, 30, 60, ...), 1 s ticks, boot grace 3 s; one
    /// host of 16 384 MB (no reserve, so P9 never reclaims), one Dynamic VM 1024 (512..2560). Committed 5000 (above
    /// Maximum, so Demand ≥ Assigned whatever it holds): at tick 0 it is Booting (not sampled: fast = slow = unsampled,
    /// estimate 1000); at tick 30 it is Running: a = min(1000, floor(1000 × Demand / Assigned)) = 1000, fast = slow =
    /// 1000, estimate 1000. Committed 0 from tick 31 (Demand 0, Assigned &gt; 0): at tick 60 a = 0, fast = 1000 − 500 =
    /// 500, slow = 1000 + (−1000 / 16 = −62) = 938, estimate max(0, 500, 938) = 938.
    /// (Slow updated in fast's column instead: fast 500 then 500 − 31 = 469, estimate 469, and the slow column never
    /// written.)
    /// </summary>
    [Fact]
    public void P8_OnAFleet_FastAndSlowAveragesAreSeparateColumns()
    {
        var model = ModelParameters.Default with { BootGraceSeconds = 3, HostReserveMb = 0 };
        var fleet = new Fleet(model, [new HostSpec(16384, 1, 0)]);
        int vm = fleet.AddVm(0, VmSettings.Dynamic(1024, 512, 2560));
        fleet.SetCommitted(vm, 5000);
        fleet.RequestStart(vm);
        using var balancer = new Balancer(fleet, BalancerPolicy.Esx, KernelPath.Scalar, 1);
        balancer.Tick();                                        // tick 0: Booting, not sampled
        Assert.Equal((Esx.Unsampled, Esx.Unsampled, 1000), (fleet.Cols.EsxFast[vm], fleet.Cols.EsxSlow[vm], fleet.Cols.EsxEstimate[vm]));
        balancer.Tick(30);                                      // ticks 1..30: the sample at tick 30
        Assert.Equal(VmState.Running, fleet.State(vm));
        Assert.Equal((1000, 1000, 1000), (fleet.Cols.EsxFast[vm], fleet.Cols.EsxSlow[vm], fleet.Cols.EsxEstimate[vm]));

        fleet.SetCommitted(vm, 0);
        balancer.Tick(29);                                      // ticks 31..59: no sample
        Assert.Equal((1000, 1000, 1000), (fleet.Cols.EsxFast[vm], fleet.Cols.EsxSlow[vm], fleet.Cols.EsxEstimate[vm]));
        balancer.Tick();                                        // tick 60: a = 0
        Assert.Equal((500, 938, 938), (fleet.Cols.EsxFast[vm], fleet.Cols.EsxSlow[vm], fleet.Cols.EsxEstimate[vm]));
    }
}

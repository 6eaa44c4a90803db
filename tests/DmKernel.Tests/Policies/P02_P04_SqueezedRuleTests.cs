using DmKernel.Policies;

namespace DmKernel.Tests.Policies;

/// <summary>
/// P2–P3 (Xen squeezed) on plain spans: the target free memory, and γ = clamp(surplus / range, 0, 1) applied exactly to
/// every Running DM VM's range. Every expected number is derived by hand in the comment beside it.
/// </summary>
public class P02_P04_SqueezedRuleTests
{
    private const int G2 = 1; // gMask for G = 2 MB
    private const int Rd = VmFlags.RunningDynamic;

    [Fact]
    public void P2_TargetFree_IsNineMbRoundedUpToTheGranularity()
    {
        Assert.Equal(10, Squeezed.TargetFree(9, G2));        // 9 → 10 with G = 2
        Assert.Equal(16, Squeezed.TargetFree(9, 7));         // G = 8: 16
        Assert.Equal(1024, Squeezed.TargetFree(9, 1023));    // G = 1024: one granule
        Assert.Equal(0, Squeezed.TargetFree(0, G2));
    }

    [Fact]
    public void P3_GammaHalf_PutsEveryVmAtTheMiddleOfItsRange_WhateverItsDemand()
    {
        // Three VMs with ranges 2048, 4096 and 1024 (Σ 7168). Σ max(0, Assigned − Minimum) = 512 + 1024 + 256 = 1792.
        // Available 1802: surplus = 1802 + 1792 − 10 = 3584 = 7168 / 2, so γ = 1/2 and each VM gets Minimum + half its
        // range: 512 + 1024, 1024 + 2048, 256 + 512. Demand is not an input of P3 at all (the function does not take it),
        // so the goals are the same whatever the VMs' demand.
        int[] flags = [Rd, Rd, Rd], assigned = [1024, 2048, 512], min = [512, 1024, 256], max = [2560, 5120, 1280];
        int[] noProgress = [0, 0, 0], goal = new int[3];
        Squeezed.Recompute(1802, flags, assigned, min, max, noProgress, stuckTicks: 5, targetFree: 10, G2, goal);
        Assert.Equal([1536, 3072, 768], goal);
    }

    [Fact]
    public void P3_SurplusAtLeastTheRange_GivesEveryVmItsMaximum_NoSurplus_ItsMinimum()
    {
        // surplus ≥ range (γ clamped to 1): Maximum. surplus 0 (γ = 0): Minimum.
        Assert.Equal(2560, Squeezed.Goal(512, 2560, surplus: 7168, range: 7168, G2));
        Assert.Equal(2560, Squeezed.Goal(512, 2560, surplus: 9000, range: 7168, G2));
        Assert.Equal(512, Squeezed.Goal(512, 2560, surplus: 0, range: 7168, G2));

        // Available 0 and every VM at its Minimum: surplus = max(0, 0 + 0 − 10) = 0, so every goal is the Minimum.
        int[] flags = [Rd, Rd], assigned = [512, 1024], min = [512, 1024], max = [2560, 5120], goal = new int[2];
        Squeezed.Recompute(0, flags, assigned, min, max, [0, 0], 5, 10, G2, goal);
        Assert.Equal([512, 1024], goal);
    }

    [Fact]
    public void P3_VmBelowItsMinimum_FreesNothing_ItDoesNotLowerTheOthersSurplus()
    {
        // minFreeable_i = max(0, Assigned_i − Minimum_i): slot 0 holds 512 below its Minimum 1024 (a restart with Smart
        // Paging, a Linux floor), which counts 0, not −512. Slot 1 frees 1024. Available 2058: surplus = 2058 + 0 + 1024 − 10
        // = 3072 of range 2048 + 4096 = 6144, γ = 1/2: 1024 + 1024 and 1024 + 2048. (Counting −512 would give surplus 2560:
        // 1024 + 852 and 1024 + 1706.)
        int[] flags = [Rd, Rd], assigned = [512, 2048], min = [1024, 1024], max = [3072, 5120], goal = new int[2];
        Squeezed.Recompute(2058, flags, assigned, min, max, [0, 0], 5, 10, G2, goal);
        Assert.Equal([2048, 3072], goal);
    }

    [Fact]
    public void P3_ZeroRange_GivesMinimum()
        => Assert.Equal(1024, Squeezed.Goal(1024, 1024, surplus: 5000, range: 0, G2));

    [Fact]
    public void P3_Share_IsRoundedDownToWholeMb_ThenToTheGranularity()
    {
        // floor(1001 × 1000 / 3000) = floor(333.67) = 333 MB, rounded down to G = 2: 332; + Minimum 100 = 432.
        Assert.Equal(432, Squeezed.Goal(100, 1100, surplus: 1001, range: 3000, G2));

        // G = 64 (mask 63): 333 → 320.
        Assert.Equal(420, Squeezed.Goal(100, 1100, surplus: 1001, range: 3000, 63));
    }

    [Fact]
    public void P3_OnlyRunningDmVms_AreMembers_OthersKeepTheirGoal()
    {
        // Slot 1 is Booting, slot 2 a Running static VM, slot 3 Off: none enters the sums or gets a goal. Members: slot 0
        // alone, range 1000, Assigned − Minimum = 0. Available 510: surplus = 510 + 0 − 10 = 500, γ = 1/2: 100 + 500.
        int[] flags = [Rd, VmFlags.Booting | VmFlags.Dynamic, VmFlags.Running, 0];
        int[] assigned = [100, 4000, 4000, 0], min = [100, 100, 4000, 0], max = [1100, 9000, 4000, 0];
        int[] goal = [-1, -1, -1, -1];
        Squeezed.Recompute(510, flags, assigned, min, max, [0, 0, 0, 0], 5, 10, G2, goal);
        Assert.Equal([600, -1, -1, -1], goal);
    }

    [Fact]
    public void P10_StuckVm_LeavesTheGammaComputation_AndKeepsItsGoal()
    {
        // Slot 1 has made no progress for 5 ticks (stuckTicks 5): it is out. Members: slot 0 (range 2048, free 512) and
        // slot 2 (range 1024, free 256). Available 1302: surplus = 1302 + 768 − 10 = 2060 < 3072: slot 0 gets
        // 512 + floor(2060 × 2048 / 3072) = 512 + 1373 (1373.3) → roundDown 1372 = 1884; slot 2 gets 256 + floor(2060 × 1024
        // / 3072) = 256 + 686 (686.7) = 942. Slot 1 keeps its old goal 777 and its 8000 MB stay out of the sums.
        int[] flags = [Rd, Rd, Rd], assigned = [1024, 8000, 512], min = [512, 1024, 256], max = [2560, 9000, 1280];
        int[] goal = [0, 777, 0];
        Squeezed.Recompute(1302, flags, assigned, min, max, [4, 5, 0], stuckTicks: 5, targetFree: 10, G2, goal);
        Assert.Equal([1884, 777, 942], goal);
    }
}

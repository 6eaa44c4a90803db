using DmKernel.Policies;

namespace DmKernel.Tests.Policies;

/// <summary>
/// P5–P6 (oVirt MoM) for one VM: the 5 % step, the dead band of cur / 400, the guest free share, the critical branch and
/// the guarantee, with the host free share h given as Σ samples / (samples × capacity); and P5's 10-sample average.
/// Capacity (Total − Reserve) is 10 000 MB below, one sample unless stated, so h = Available / 10 000. G = 2.
/// </summary>
public class P05_P06_MomRuleTests
{
    private const int G2 = 1;
    private const long P = 10_000;

    private static int Goal(int used, int cur, long available, int min = 512, int max = 8192)
        => Mom.Goal(used, cur, min, max, available, P, G2);

    [Fact]
    public void P6_Grow_ByTheStepOf5Percent_WhenTheGuestNeedsLess()
    {
        // h = 0.5 ≥ 0.2: grow. floor = max(512, 100 + 2000 × 20 / 100 = 500) = 512; size = min(8192, max(512, 2100)) = 2100;
        // 2100 − 2000 = 100 > 2000 / 400 = 5: the goal is roundUp(2100) = 2100.
        Assert.Equal(2100, Goal(used: 100, cur: 2000, available: 5000));
    }

    [Fact]
    public void P6_Grow_ToTheGuestFreeShare_WhenItIsMoreThanTheStep()
    {
        // floor = 1900 + 400 = 2300 > 2100: the goal is 2300.
        Assert.Equal(2300, Goal(used: 1900, cur: 2000, available: 5000));

        // An odd size is rounded up: used 1901 → floor 2301 → roundUp 2302.
        Assert.Equal(2302, Goal(used: 1901, cur: 2000, available: 5000));
    }

    [Fact]
    public void P6_Grow_IsCappedAtMaximum_AndStopsThere()
    {
        // cur 8000: 8000 × 105 / 100 = 8400, capped at 8192; 192 > 20: the goal is 8192. At Maximum nothing grows.
        Assert.Equal(8192, Goal(used: 100, cur: 8000, available: 5000));
        Assert.Equal(8192, Goal(used: 100, cur: 8192, available: 5000));
    }

    [Fact]
    public void P6_DeadBand_ChangesOfAtMostCurOver400_AreIgnored()
    {
        // Grow: cur 8180, size 8192 (capped); 12 × 400 = 4800 ≤ 8180: within the band, the goal stays 8180.
        Assert.Equal(8180, Goal(used: 100, cur: 8180, available: 5000));

        // Shrink at h = 0.1: g × cur = 0.1 × 2000 = 200. used 1796: floor = 1996 = size (> 1900); 4 × 400 = 1600 ≤ 2000:
        // stays 2000. used 1794: floor = size = 1994; 6 × 400 = 2400 > 2000: the goal is roundDown(1994) = 1994.
        Assert.Equal(2000, Goal(used: 1796, cur: 2000, available: 1000));
        Assert.Equal(1994, Goal(used: 1794, cur: 2000, available: 1000));
    }

    [Fact]
    public void P6_Shrink_ByTheStepOf5Percent_AtMost()
    {
        // h = 0.1 < 0.2: shrink. floor = max(512, 100 + 200) = 512; size = max(512, 2000 × 95 / 100 = 1900) = 1900.
        Assert.Equal(1900, Goal(used: 100, cur: 2000, available: 1000));

        // The guest keeps the free share g = h of its memory: floor = 1750 + 200 = 1950 > 1900: the goal is 1950.
        Assert.Equal(1950, Goal(used: 1750, cur: 2000, available: 1000));

        // Never below Minimum: Minimum 1980, floor = max(1980, 300) = 1980: the goal is 1980.
        Assert.Equal(1980, Goal(used: 100, cur: 2000, available: 1000, min: 1980));

        // At 0.2 exactly the host is not under pressure: grow (2100).
        Assert.Equal(2100, Goal(used: 100, cur: 2000, available: 2000));
    }

    [Fact]
    public void P6_Critical_ForcesTheGuestBelowItsDemand()
    {
        // h = 0.04 ≤ 0.05: g = 0.04 − 0.05 = −0.01, g × cur = −20 exactly. used 1990: floor = max(512, 1970) = 1970;
        // size = max(1970, 1900) = 1970 < cur; 30 × 400 > 2000: the goal is 1970, 20 MB below the guest's demand.
        Assert.Equal(1970, Goal(used: 1990, cur: 2000, available: 400));

        // At h = 0.05 exactly the branch is critical too, with g = 0: the goal is the demand itself (1990).
        Assert.Equal(1990, Goal(used: 1990, cur: 2000, available: 500));

        // Normal pressure just above it (h = 0.0502, g × cur = floor(502 × 2000 / 10 000) = 100): floor = 2090 > cur, so no
        // shrink: the goal stays 2000.
        Assert.Equal(2000, Goal(used: 1990, cur: 2000, available: 502));

        // Deep critical: h = 0 gives g = −0.05, g × cur = −100: used 1990 → 1890, but at most the 5 % step: max(1890, 1900) = 1900.
        Assert.Equal(1900, Goal(used: 1990, cur: 2000, available: 0));

        // An odd negative product is rounded toward −∞: h = 0.01, g = −0.04, g × 1234 = −49.36 → −50; used 1200 → 1150;
        // size = max(1150, 1234 × 95 / 100 = 1172.3 → 1172) = 1172; 62 × 400 > 1234: roundDown(1172) = 1172.
        Assert.Equal(1172, Goal(used: 1200, cur: 1234, available: 100));
    }

    [Fact]
    public void P6_Critical_GTimesCur_IsRoundedTowardMinusInfinity_BeforeTheRoundDown()
    {
        // h = 0.04: g = −0.01, g × 9650 = −96.5 → −97 (toward −∞; −96 toward zero). used 9600: floor = 9503; size =
        // max(9503, 9650 × 95 / 100 = 9167) = 9503; 147 × 400 > 9650: roundDown(9503) = 9502. Rounding toward zero would
        // give 9504, a granule more.
        Assert.Equal(9502, Goal(used: 9600, cur: 9650, available: 400, max: 16384));
    }

    [Fact]
    public void P6_Shrink_AnOddSize_IsRoundedDownToTheGranularity()
    {
        // h = 0.1: floor = max(512, 100 + 200) = 512; size = max(512, 2002 × 95 / 100 = 1901.9 → 1901) = 1901; 101 × 400 >
        // 2002: the goal is roundDown(1901) = 1900 (not roundUp, 1902).
        Assert.Equal(1900, Goal(used: 100, cur: 2002, available: 1000));
    }

    [Fact]
    public void P6_Guarantee_BelowMinimum_TheGoalIsMinimum()
    {
        // cur 400 < Minimum 512: the goal is 512 whatever the host's state.
        Assert.Equal(512, Goal(used: 100, cur: 400, available: 0));
        Assert.Equal(512, Goal(used: 100, cur: 400, available: 9000));
    }

    [Fact]
    public void P5_TenSampleAverage_FewerAtTheStart_ThenTheLastTen()
    {
        Span<int> ring = stackalloc int[10];
        int filled = 0, next = 0;
        long sum = 0;
        for (int s = 1; s <= 3; s++)
            sum = Mom.AddSample(ring, ref filled, ref next, s * 100);
        Assert.Equal(3, filled);
        Assert.Equal(600L, sum);                // 100 + 200 + 300: the mean of the three so far

        for (int s = 4; s <= 12; s++)
            sum = Mom.AddSample(ring, ref filled, ref next, s * 100);
        Assert.Equal(10, filled);
        Assert.Equal(7500L, sum);               // 300 + 400 + ... + 1200: samples 3..12, the first two fell out
    }

    /// <summary>
    /// A fleet ticked by MoM with 16 samples and then by one with 10 (a new balancer on the same fleet) reads the ring's
    /// first 10 entries (before: the next sample's index 10..15 ran past the 10-entry ring, IndexOutOfRangeException).
    /// </summary>
    [Fact]
    public void P5_FewerSamplesThanTheRingHeld_WrapsIntoTheShorterRing()
    {
        Span<int> ring = stackalloc int[16];
        int filled = 0, next = 0;
        for (int s = 1; s <= 13; s++)
            Mom.AddSample(ring, ref filled, ref next, s * 100);
        Assert.Equal((13, 13), (filled, next));
        long sum = Mom.AddSample(ring[..10], ref filled, ref next, 5000);
        Assert.Equal((10, 4), (filled, next));             // 13 mod 10 = 3 written, then the next is 4
        Assert.Equal(100 + 200 + 300 + 5000 + 500 + 600 + 700 + 800 + 900 + 1000, sum);

        var fleet = new Fleet(ModelParameters.Default, [new HostSpec(16_384, 4, 0)]);
        int vm = fleet.AddVm(0, VmSettings.Dynamic(1024, 512, 8192));
        fleet.SetCommitted(vm, 3000);
        fleet.RequestStart(vm);
        using (var sixteen = new Balancer(fleet, BalancerPolicy.Mom with { MomSamples = 16, MomPeriodSeconds = 1 }, KernelPath.Scalar, 1))
            sixteen.Tick(13);
        using var ten = new Balancer(fleet, BalancerPolicy.Mom with { MomPeriodSeconds = 1 }, KernelPath.Scalar, 1);
        ten.Tick(30);
        new InvariantChecker(fleet).Check();
    }

    [Fact]
    public void P5_TenSampleAverage_DecidesTheBranch_NotTheLastSample()
    {
        // Nine samples of 5000 and one of 0 on a 10 000 MB host: the mean is 4500, h = 0.45: grow (2100), although the last
        // sample alone (h = 0) would be critical. Σ = 45 000 over 10 × 10 000.
        Span<int> ring = stackalloc int[10];
        int filled = 0, next = 0;
        long sum = 0;
        for (int s = 0; s < 9; s++)
            sum = Mom.AddSample(ring, ref filled, ref next, 5000);
        sum = Mom.AddSample(ring, ref filled, ref next, 0);
        Assert.Equal(45_000L, sum);
        Assert.Equal(2100, Mom.Goal(100, 2000, 512, 8192, sum, filled * P, G2));
        Assert.Equal(1900, Mom.Goal(100, 2000, 512, 8192, 0, P, G2));
    }

    [Fact]
    public void P6_FloorDiv_RoundsTowardMinusInfinity()
    {
        Assert.Equal(-4, Mom.FloorDiv(-7, 2));
        Assert.Equal(-3, Mom.FloorDiv(-6, 2));
        Assert.Equal(3, Mom.FloorDiv(7, 2));
        Assert.Equal(0, Mom.FloorDiv(0, 5));
    }

    [Fact]
    public void P6_DeadBand_ChangeOfExactlyCurOver400_IsIgnored()
    {
        // The goal moves only when the change is MORE than cur / 400 (P6). Shrink at h = 0.1: g × cur = 200; used 1795:
        // floor = size = 1995 (> 1900); 5 × 400 = 2000, not > 2000: the goal stays 2000 (not roundDown(1995) = 1994).
        Assert.Equal(2000, Goal(used: 1795, cur: 2000, available: 1000));

        // Grow at h = 0.5: cur 8000, size = min(Maximum 8020, 8400) = 8020; 20 × 400 = 8000, not > 8000: stays 8000.
        Assert.Equal(8000, Goal(used: 100, cur: 8000, available: 5000, max: 8020));
    }
}

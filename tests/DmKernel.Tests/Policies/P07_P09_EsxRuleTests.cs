using DmKernel.Policies;

namespace DmKernel.Tests.Policies;

/// <summary>
/// P7–P9 (VMware ESX) on plain values: the want of allocation on touch, the active share and its two moving averages, the
/// taxed cost of a page, and min-funding revocation granule by granule. Hand-derived values in the comments.
/// </summary>
public class P07_P09_EsxRuleTests
{
    private const int G = 2;

    [Fact]
    public void P7_Want_IsDemandRoundedUp_WithinMinimumAndMaximum()
    {
        Assert.Equal(1002, Esx.Want(1001, 512, 8192, G - 1));   // roundUp(1001) = 1002
        Assert.Equal(8192, Esx.Want(9000, 512, 8192, G - 1));   // capped at Maximum
        Assert.Equal(512, Esx.Want(100, 512, 8192, G - 1));     // a running VM keeps its Minimum
    }

    [Fact]
    public void P8_ActiveShare_IsPerMille_RoundedDown_AtMost1000()
    {
        Assert.Equal(300, Esx.ActiveShare(300, 1000));
        Assert.Equal(333, Esx.ActiveShare(1, 3));                // 333.3 → 333
        Assert.Equal(1000, Esx.ActiveShare(2000, 1000));         // demand above what it holds: fully active
        Assert.Equal(1000, Esx.ActiveShare(5, 0));               // no memory: 1000
        Assert.Equal(0, Esx.ActiveShare(0, 4096));
    }

    [Fact]
    public void P8_MovingAverages_StartAtTheFirstSample_RiseFast_DecaySlowly()
    {
        int fast = Esx.Unsampled, slow = Esx.Unsampled;
        Assert.Equal(800, Esx.Sample(800, ref fast, ref slow));  // first sample: fast = slow = 800
        Assert.Equal((800, 800), (fast, slow));

        // a = 0: fast = 800 + (0 − 800) / 2 = 400; slow = 800 + (−800) / 16 = 750; f = max(0, 400, 750) = 750.
        Assert.Equal(750, Esx.Sample(0, ref fast, ref slow));
        Assert.Equal((400, 750), (fast, slow));

        // a = 0: fast = 400 − 200 = 200; slow = 750 + (−750 / 16 = −46.875 → −46, toward zero) = 704; f = 704.
        Assert.Equal(704, Esx.Sample(0, ref fast, ref slow));
        Assert.Equal((200, 704), (fast, slow));

        // a = 1000: fast = 200 + 400 = 600; slow = 704 + (296 / 16 = 18.5 → 18) = 722; f = max(1000, 600, 722) = 1000.
        Assert.Equal(1000, Esx.Sample(1000, ref fast, ref slow));
        Assert.Equal((600, 722), (fast, slow));
    }

    [Fact]
    public void P9_Cost_WithTax75_AnIdlePageCostsFourTimesAnActiveOne_WithoutTax_TheSame()
    {
        // c' = f × (1000 − τ) + 1000 × (1000 − f): idle (f 0) 1 000 000, active (f 1000) 1000 × 250 = 250 000; k = 4.
        Assert.Equal(1_000_000L, Esx.Cost(0, 750));
        Assert.Equal(250_000L, Esx.Cost(1000, 750));
        Assert.Equal(1_000_000L, Esx.Cost(0, 0));
        Assert.Equal(1_000_000L, Esx.Cost(1000, 0));
        Assert.Equal(625_000L, Esx.Cost(500, 750));              // 500 × 250 + 1000 × 500
    }

    private static long Reclaim(int[] assigned, int[] min, ushort[] shares, int[] estimate, int tax, long amount)
    {
        var cost = new long[assigned.Length];
        var candidate = new bool[assigned.Length];
        for (int k = 0; k < assigned.Length; k++)
        {
            cost[k] = Esx.Cost(estimate[k], tax);
            candidate[k] = true;
        }

        return Esx.Reclaim(candidate, shares, cost, min, assigned, amount, G, new int[assigned.Length]);
    }

    [Fact]
    public void P9_WithTax75_AnIdleVmLosesBeforeAnActiveOne_WithEqualShares()
    {
        // Slot 0 idle (f 0), slot 1 active (f 1000), 5000 shares and 4096 MB each. ρ_idle = 5000 / (A × 10^6) is below
        // ρ_active = 5000 / (4096 × 250 000) while A × 10^6 > 1.024 × 10^9, i.e. A > 1024: the first 3072 MB all come from
        // the idle VM, which ends at 1024 while the active one keeps its 4096.
        int[] assigned = [4096, 4096];
        Assert.Equal(3072L, Reclaim(assigned, [512, 512], [5000, 5000], [0, 1000], tax: 750, amount: 3072));
        Assert.Equal([1024, 4096], assigned);

        // At A = 1024 the two ρ are equal: the tie goes to the lower slot (the idle one, 1022), after which its ρ is higher
        // and the next granule comes from the active VM.
        assigned = [4096, 4096];
        Assert.Equal(3076L, Reclaim(assigned, [512, 512], [5000, 5000], [0, 1000], tax: 750, amount: 3076));
        Assert.Equal([1022, 4094], assigned);
    }

    [Fact]
    public void P9_WithoutTax_IdleAndActiveVmsWithEqualShares_LoseEqually()
    {
        // τ = 0: c' = 10^6 for both, ρ = S / (A × 10^6). Equal A: a tie, slot 0 gives a granule; then slot 0 holds less,
        // so its ρ is higher and slot 1 gives the next: they alternate, and 1024 MB come 512 from each.
        int[] assigned = [4096, 4096];
        Assert.Equal(1024L, Reclaim(assigned, [512, 512], [5000, 5000], [0, 1000], tax: 0, amount: 1024));
        Assert.Equal([3584, 3584], assigned);
    }

    [Fact]
    public void P9_WeightZero_IsReclaimedFirst_DownToItsMinimum()
    {
        // Slot 1 has 0 shares: ρ = 0, the lowest there is. It gives everything above its Minimum (2048 − 1024) before
        // anyone else gives anything; the remaining 2 MB come from slot 0 (the lower slot of the two equal others).
        int[] assigned = [4096, 2048, 4096];
        Assert.Equal(1026L, Reclaim(assigned, [512, 1024, 512], [5000, 0, 5000], [500, 500, 500], tax: 750, amount: 1026));
        Assert.Equal([4094, 1024, 4096], assigned);
    }

    [Fact]
    public void P9_RhoTies_GoToTheLowerSlot()
    {
        // Three identical VMs: one granule comes from slot 0; three granules one from each, in slot order (after slot 0
        // gave, slots 1 and 2 tie below it and slot 1 goes first).
        int[] assigned = [4096, 4096, 4096];
        Assert.Equal(2L, Reclaim(assigned, [512, 512, 512], [5000, 5000, 5000], [0, 0, 0], 750, 2));
        Assert.Equal([4094, 4096, 4096], assigned);
        assigned = [4096, 4096, 4096];
        Assert.Equal(6L, Reclaim(assigned, [512, 512, 512], [5000, 5000, 5000], [0, 0, 0], 750, 6));
        Assert.Equal([4094, 4094, 4094], assigned);
    }

    [Fact]
    public void P9_SharesPerPage_WithoutTax_EndProportionalToShares()
    {
        // τ = 0, shares 5000 and 2500, 3000 MB each, 3000 MB to take. Slot 1 (fewer shares) gives until 2500 × 3000 =
        // 5000 × A_1, A_1 = 1500; from then on the greedy keeps S / A equal within a granule, ending where A_0 = 2 A_1 and
        // A_0 + A_1 = 3000: 2000 and 1000.
        int[] assigned = [3000, 3000];
        Assert.Equal(3000L, Reclaim(assigned, [32, 32], [5000, 2500], [0, 0], 0, 3000));
        Assert.Equal([2000, 1000], assigned);
    }

    [Fact]
    public void P9_Reclaim_TakesTheLastGranuleAboveMinimum()
    {
        // Slot 0 holds one granule above its Minimum (514 of 512): it is a candidate, and with its Weight 0 (ρ = 0) it gives
        // that granule first; slot 1 gives the rest. Left out, the 4 MB would all come from slot 1.
        int[] assigned = [514, 4096];
        long taken = Esx.Reclaim([true, true], [0, 5000], [1_000_000L, 1_000_000L], [512, 512], assigned, 4, G, new int[2]);
        Assert.Equal(4L, taken);
        Assert.Equal([512, 4094], assigned);
    }

    [Fact]
    public void P9_Reclaim_StopsWhenNoVmIsAboveItsMinimum()
    {
        // 600 − 512 = 88 MB can be taken; the loop stops there although 1000 were asked for. A non-candidate gives nothing.
        int[] assigned = [600, 9000];
        var candidate = new[] { true, false };
        long taken = Esx.Reclaim(candidate, [5000, 5000], [1_000_000L, 1_000_000L], [512, 512], assigned, 1000, G, new int[2]);
        Assert.Equal(88L, taken);
        Assert.Equal([512, 9000], assigned);
    }
}

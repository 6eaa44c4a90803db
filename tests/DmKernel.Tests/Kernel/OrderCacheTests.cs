using DmKernel.Kernel;
using DmKernel.Tests.Support;

namespace DmKernel.Tests.Kernel;

/// <summary>
/// The vector short plan (R11–R13 over slots with masks, R13's order from the balancer's cache) against the scalar
/// plan, on every short host of every tick of fleets with starts, stops, restarts and weight changes; and the cache
/// of R13's order as a pure cache: whatever it returns equals a fresh sort.
/// </summary>
public class OrderCacheTests
{
    public static TheoryData<int, double, string> Cases => new()
    {
        { 1, 0.02, "v128" }, { 2, 0.2, "v128" },
        { 1, 0.02, "v256" }, { 2, 0.2, "v256" },
        { 1, 0.02, "v512" }, { 2, 0.2, "v512" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void VectorPlan_EqualsTheScalarPlan_WithAndWithoutTheCache(int seed, double activity, string width)
    {
        var fleet = new RandomFleet(seed).Build(RandomFleet.FastModel, [40, 64, 17, 33, 64, 3], fillFactor: 0.5);
        var ops = new RandomFleet(seed ^ 0x0C);
        using var balancer = new Balancer(fleet, KernelPath.Scalar);
        var cache = new OrderCache(fleet.SlotCount, fleet.HostCount);
        var cached = new HostScratch(64) { Cache = cache };
        var fresh = new HostScratch(64);
        var scalar = new HostScratch(64);
        int compared = 0, ordered = 0;
        for (int t = 0; t < 300; t++)
        {
            ops.Step(fleet, [fleet], activity);
            balancer.Tick();

            // The plans read Demand, Target, Assigned and Available as the tick left them and write only scratch.
            var ctx = new TickContext(fleet.Model, fleet.TickIndex);
            for (int h = 0; h < fleet.HostCount; h++)
            {
                if (!fleet.HostWasShort(h))
                    continue;
                int start = fleet.Cols.HostStart[h], count = fleet.Cols.HostCapacity[h];
                int n = ShortPlan.Plan(fleet.Cols.Host(h), ctx, scalar);
                var expected = new int[count];
                for (int k = 0; k < n; k++)
                    expected[(int)(uint)scalar.Keys[k]] = scalar.Alloc[k];

                long grantedCached = VectorPlan(width, fleet, h, ctx, cached);
                Assert.Equal(expected, cached.Alloc.AsSpan(0, count).ToArray());
                long grantedFresh = VectorPlan(width, fleet, h, ctx, fresh);
                Assert.Equal(expected, fresh.Alloc.AsSpan(0, count).ToArray());
                Assert.Equal(grantedFresh, grantedCached);
                Assert.Equal(fresh.Grant.AsSpan(0, count).ToArray(), cached.Grant.AsSpan(0, count).ToArray());

                // R13's grants: only to members below their allocation, at most the difference; when the differences
                // add up to more than Available, exactly Available in all (walked in R13's order).
                long wanted = 0;
                for (int k = 0; k < count; k++)
                {
                    int below = Math.Max(0, expected[k] - fleet.Cols.Assigned[start + k]);
                    Assert.InRange(cached.Grant[k], 0, below);
                    wanted += below;
                }

                int available = fleet.Cols.HostAvailable[h];
                Assert.Equal(Math.Min(wanted, Math.Max(0, available)), grantedCached);
                compared++;
                ordered += wanted > available ? 1 : 0;
            }
        }

        Assert.True(compared > 100, $"compared {compared} short hosts");
        Assert.True(ordered > 10, $"grants limited by Available on {ordered} of {compared}");
    }

    [Theory]
    [InlineData(3, 0.02)]
    [InlineData(4, 0.2)]
    public void CachedOrder_EqualsAFreshSort_AndIsReusedUntilMembershipChanges(int seed, double activity)
    {
        var fleet = new RandomFleet(seed).Build(RandomFleet.FastModel, [40, 64, 17, 33, 64], fillFactor: 0.5);
        var ops = new RandomFleet(seed ^ 0x0C);
        using var balancer = new Balancer(fleet, KernelPath.Scalar);
        var cache = new OrderCache(fleet.SlotCount, fleet.HostCount);
        var scratch = new HostScratch(64);
        var last = new int[fleet.HostCount][];
        int reused = 0, sorted = 0;
        for (int t = 0; t < 300; t++)
        {
            ops.Step(fleet, [fleet], activity);
            balancer.Tick();
            for (int h = 0; h < fleet.HostCount; h++)
            {
                int start = fleet.Cols.HostStart[h], count = fleet.Cols.HostCapacity[h];
                int[] key = MembershipKey(fleet, h);
                scratch.Keys.AsSpan().Fill(Sentinel); // a sort writes the members' keys here: it shows whether Order sorted
                int[] order = cache.Order(h, start, key, scratch).ToArray();
                bool sortedNow = scratch.Keys.AsSpan().IndexOfAnyExcept(Sentinel) >= 0;
                var expected = new int[count];
                int n = OrderCache.Sort(key, expected, scratch);
                Assert.Equal(expected[..n], order);

                // The expected order, written out: Weight descending, then slot.
                int[] byHand = [.. Enumerable.Range(0, count).Where(k => key[k] >= 0).OrderByDescending(k => key[k]).ThenBy(k => k)];
                Assert.Equal(byHand, order);
                bool same = last[h] is not null && last[h].AsSpan().SequenceEqual(key);
                Assert.False(same && sortedNow, $"tick {t}, host {h}: sorted again with the membership unchanged");
                Assert.False(!same && n > 0 && !sortedNow, $"tick {t}, host {h}: the membership changed and the old order was reused");
                reused += same ? 1 : 0;
                sorted += same ? 0 : 1;
                last[h] = key;
            }
        }

        // Both cases happened: the order was reused, and it was sorted again after changes.
        Assert.True(reused > 200, $"reused {reused}");
        Assert.True(sorted > 20, $"sorted {sorted}");
    }

    private const long Sentinel = long.MinValue;

    private static long VectorPlan(string width, Fleet f, int h, in TickContext ctx, HostScratch scratch) => width switch
    {
        "v128" => VectorShortPlan<V128>.Plan(f.Cols.Host(h), ctx, scratch),
        "v256" => VectorShortPlan<V256>.Plan(f.Cols.Host(h), ctx, scratch),
        _ => VectorShortPlan<V512>.Plan(f.Cols.Host(h), ctx, scratch),
    };

    /// <summary>Per slot of the host: Weight of a Running DM VM, −1 for any other.</summary>
    private static int[] MembershipKey(Fleet f, int h)
    {
        int start = f.Cols.HostStart[h], count = f.Cols.HostCapacity[h];
        var key = new int[count];
        for (int k = 0; k < count; k++)
        {
            int i = start + k;
            key[k] = (f.Cols.Flags[i] & (VmFlags.StateMask | VmFlags.Dynamic)) == VmFlags.RunningDynamic ? f.Cols.Weight[i] : -1;
        }

        return key;
    }
}

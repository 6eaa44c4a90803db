using DmKernel.Kernel;
using DmKernel.Tests.Support;

namespace DmKernel.Tests.Kernel;

/// <summary>
/// The balancer's cache of R13's order is a pure cache: on every short host of every tick, the plan made with the
/// cache (as the balancer runs it, across ticks with starts, stops, restarts and weight changes) equals the plan
/// made from scratch without one.
/// </summary>
public class OrderCacheTests
{
    [Theory]
    [InlineData(1, 0.02)]
    [InlineData(2, 0.2)]
    public void PlanWithTheCache_EqualsThePlanWithout_EveryShortHostEveryTick(int seed, double activity)
    {
        var fleet = new RandomFleet(seed).Build(RandomFleet.FastModel, [40, 64, 17, 33, 64], fillFactor: 0.5);
        var ops = new RandomFleet(seed ^ 0x0C);
        using var balancer = new Balancer(fleet, KernelPath.Scalar);
        var cache = new OrderCache(fleet.SlotCount, fleet.HostCount);
        var cached = new HostScratch(64) { Cache = cache };
        var fresh = new HostScratch(64);
        int compared = 0, reused = 0;
        for (int t = 0; t < 400; t++)
        {
            ops.Step(fleet, [fleet], activity);
            balancer.Tick();

            // Plan reads Demand, Target, Assigned and Available as the tick left them: any host can be planned again.
            var ctx = new TickContext(fleet.Model, fleet.TickIndex);
            for (int h = 0; h < fleet.HostCount; h++)
            {
                if (!fleet.HostWasShort(h))
                    continue;
                int n = ShortPlan.Plan(fleet, h, ctx, fresh);
                bool hit = cache.TryReuse(h, fleet.HostStartCol[h], GatherKeys(fleet, h));
                Assert.Equal(n, ShortPlan.Plan(fleet, h, ctx, cached));
                Assert.Equal(fresh.Keys.AsSpan(0, n).ToArray(), cached.Keys.AsSpan(0, n).ToArray());
                Assert.Equal(fresh.Alloc.AsSpan(0, n).ToArray(), cached.Alloc.AsSpan(0, n).ToArray());
                compared++;
                reused += hit ? 1 : 0;
            }
        }

        // Both cases happened: the order was reused, and it was sorted again after changes.
        Assert.True(reused > 50, $"reused {reused} of {compared}");
        Assert.True(compared - reused > 20, $"sorted again {compared - reused} of {compared}");
    }

    /// <summary>The keys the plan gathers, in slot order.</summary>
    private static long[] GatherKeys(Fleet f, int h)
    {
        var keys = new List<long>();
        for (int i = f.HostStartCol[h]; i < f.HostStartCol[h] + f.HostCapacityCol[h]; i++)
        {
            if ((f.FlagsCol[i] & (VmFlags.StateMask | VmFlags.Dynamic)) == VmFlags.RunningDynamic)
                keys.Add(((long)(VmSettings.MaxWeight - f.WeightCol[i]) << 32) | (uint)i);
        }

        return [.. keys];
    }
}

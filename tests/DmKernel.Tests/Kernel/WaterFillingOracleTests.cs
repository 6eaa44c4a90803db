using CsCheck;
using DmKernel.Kernel;
using DmKernel.Tests.Support;

namespace DmKernel.Tests.Kernel;

/// <summary>
/// R11's short plan against an independent oracle: the water-filling written the plain way (find the level by
/// repeatedly satisfying every VM whose cap fits under it, until nothing changes), on random short hosts.
/// </summary>
public class WaterFillingOracleTests
{
    private sealed record Member(int Slot, int Weight, int Min, int Need0, int Target);

    /// <summary>The oracle: three tiers, positive weights first, Weight 0 as equals after, leftover granules in order.</summary>
    private static int[] Oracle(IReadOnlyList<Member> members, long budget, int g)
    {
        int n = members.Count;
        var alloc = new int[n];
        long remaining = budget;
        for (int tier = 0; tier < 3; tier++)
        {
            int[] goal = members.Select(m => tier == 0 ? m.Min : tier == 1 ? m.Need0 : m.Target).ToArray();
            foreach (bool zero in new[] { false, true })
            {
                if (zero && remaining <= 0)
                    continue;
                var unsat = Enumerable.Range(0, n).Where(k => (members[k].Weight == 0) == zero && goal[k] > alloc[k]).ToList();
                long need = unsat.Sum(k => (long)goal[k] - alloc[k]);
                if (need == 0)
                    continue;
                if (need <= remaining)
                {
                    unsat.ForEach(k => alloc[k] = goal[k]);
                    remaining -= need;
                    continue;
                }

                long W(int k) => zero ? 1 : members[k].Weight;
                long caps = 0, weights = unsat.Sum(W);
                var sat = new List<int>();
                bool changed = true;
                while (changed)
                {
                    changed = false;
                    foreach (int k in unsat.ToList())
                    {
                        long cap = goal[k] - alloc[k];
                        if (cap * weights <= (remaining - caps) * W(k))
                        {
                            unsat.Remove(k);
                            sat.Add(k);
                            caps += cap;
                            weights -= W(k);
                            changed = true;
                        }
                    }
                }

                long pool = remaining - caps, given = caps;
                foreach (int k in sat)
                    alloc[k] = goal[k];
                foreach (int k in unsat)
                {
                    int share = (int)(pool * W(k) / weights / g * g);
                    alloc[k] += share;
                    given += share;
                }

                remaining -= given;
                foreach (int k in unsat.OrderBy(k => k))
                {
                    if (remaining >= g && alloc[k] < goal[k])
                    {
                        alloc[k] += g;
                        remaining -= g;
                    }
                }
            }
        }

        return alloc;
    }

    [Fact]
    public void ShortPlan_MatchesPlainWaterFilling_OnRandomShortHosts()
    {
        int shortHostsSeen = 0;
        Gen.Select(Gen.Int, Gen.Int[1, 70], Gen.Double[0.05, 0.9]).Sample((seed, vms, fill) =>
        {
            var fleet = new RandomFleet(seed, edgeValues: seed % 3 == 0).Build(RandomFleet.FastModel, [vms], fill);
            for (int vm = 0; vm < fleet.SlotCount; vm++)
            {
                if (fleet.IsUsed(vm))
                    fleet.RequestStart(vm);
            }

            using var balancer = new Balancer(fleet, KernelPath.Scalar);
            balancer.Tick(RandomFleet.FastModel.BootGraceTicks + 1);
            if (!fleet.HostWasShort(0))
                return;
            Interlocked.Increment(ref shortHostsSeen);

            // Plan again from the state the last tick left (Demand and Target are this state's).
            var ctx = new TickContext(fleet.Model, fleet.TickIndex);
            var scratch = new HostScratch(fleet.SlotCount);
            int n = ShortPlan.Plan(fleet.Cols.Host(0), ctx, scratch);
            // The members, found and ordered here (R13: Running DM VMs, Weight descending, then slot), not taken from
            // the plan's own sort.
            var members = new List<Member>();
            long budget = fleet.HostAvailable(0);
            for (int slot = 0; slot < fleet.Cols.HostCapacity[0]; slot++)
            {
                if (!fleet.IsUsed(slot) || fleet.State(slot) != VmState.Running || !fleet.GetSettings(slot).DynamicMemory)
                    continue;
                VmSettings s = fleet.GetSettings(slot);
                members.Add(new Member(slot, s.Weight, s.MinimumMb, KernelRulesNeed0(fleet.Demand[slot], s), fleet.Target[slot]));
                budget += fleet.Assigned[slot];
            }

            members = [.. members.OrderByDescending(m => m.Weight).ThenBy(m => m.Slot)];
            Assert.Equal(members.Select(m => m.Slot), Enumerable.Range(0, n).Select(k => (int)(uint)scratch.Keys[k]));
            int[] expected = Oracle(members, budget, fleet.Model.GranularityMb);
            Assert.Equal(expected, scratch.Alloc.AsSpan(0, n).ToArray());

            // The vector plans, per slot, on every width.
            var bySlot = new int[fleet.Cols.HostCapacity[0]];
            for (int k = 0; k < members.Count; k++)
                bySlot[members[k].Slot] = expected[k];
            AssertVectorPlans(fleet, ctx, bySlot);
        }, iter: 400);
        Assert.True(shortHostsSeen > 50, $"only {shortHostsSeen} short hosts generated");
    }

    /// <summary>
    /// One host of <paramref name="host"/>'s size with running Dynamic VMs of the given Weight and Minimum (Maximum twice
    /// it), each holding 100 MB and wanting its Minimum (Demand = Target = Minimum), and Available set so that R11's
    /// budget (Available + Σ Assigned) is <paramref name="budget"/>: the host is short whenever the Minimums exceed it.
    /// </summary>
    internal static Fleet ShortHost(HostSpec host, (int Weight, int Min)[] vms, int budget)
    {
        var fleet = new Fleet(RandomFleet.FastModel, [host]);
        foreach ((int weight, int min) in vms)
        {
            int slot = fleet.AddVm(0, VmSettings.Dynamic(min, min, 2 * min, 20, weight));
            fleet.Cols.Flags[slot] = (fleet.Cols.Flags[slot] & ~VmFlags.StateMask) | VmFlags.Running;
            fleet.Cols.Assigned[slot] = 100;
            fleet.Cols.Demand[slot] = min;
            fleet.Cols.Target[slot] = min;
        }

        fleet.Cols.HostAvailable[0] = budget - 100 * vms.Length;
        return fleet;
    }

    /// <summary>
    /// A member whose cap sits exactly at the level (cap × W = level × w) is satisfied (R11's "largest L with
    /// Σ min(cap, L × w) ≤ remaining"), so the leftover granule goes to the next VM in R13's order, not to it.
    /// A: Weight 2, cap 202; C1, C2: Weight 1, cap 1000; budget 404 in tier 0 → level 101: A gets its 202, C1 and C2
    /// floor(101) rounded down to 100 each, and the 2 MB left go to C1 (A, first in R13's order, is satisfied).
    /// </summary>
    [Fact]
    public void MemberExactlyAtTheLevel_IsSatisfied_AndTheLeftoverGranuleGoesToTheNext()
    {
        (int Weight, int Min)[] vms = [(2, 202), (1, 1000), (1, 1000)];
        Fleet fleet = ShortHost(new HostSpec(1024 + 404, 3, 1024), vms, budget: 404);
        var ctx = new TickContext(fleet.Model, 0);
        var scratch = new HostScratch(fleet.Cols.HostCapacity[0]);
        int n = ShortPlan.Plan(fleet.Cols.Host(0), ctx, scratch);
        Assert.Equal(3, n);
        int[] expected = [202, 102, 100];
        Assert.Equal(expected, scratch.Alloc.AsSpan(0, 3).ToArray());
        var members = vms.Select((v, slot) => new Member(slot, v.Weight, v.Min, v.Min, v.Min)).ToList();
        Assert.Equal(expected, Oracle(members, 404, 2));
        AssertVectorPlans(fleet, ctx, [.. expected, .. new int[fleet.Cols.HostCapacity[0] - 3]]);
    }

    /// <summary>The scalar plan of host 0 (<see cref="ShortPlan.Plan"/>), which must have <paramref name="members"/>
    /// members, as each member slot's allocation (the plan lists them in R13's order).</summary>
    internal static int[] ScalarPlanBySlot(Fleet fleet, in TickContext ctx, int members)
    {
        var scratch = new HostScratch(fleet.Cols.HostCapacity[0]);
        int n = ShortPlan.Plan(fleet.Cols.Host(0), ctx, scratch);
        Assert.Equal(members, n);
        int[] bySlot = new int[members];
        for (int j = 0; j < n; j++)
            bySlot[(int)(uint)scratch.Keys[j]] = scratch.Alloc[j];
        return bySlot;
    }

    /// <summary>Each vector width's plan gives the expected allocation per slot of host 0 (0 for non-members).</summary>
    internal static void AssertVectorPlans(Fleet fleet, in TickContext ctx, int[] expectedBySlot)
    {
        int count = fleet.Cols.HostCapacity[0];
        var scratch = new HostScratch(count);
        VectorShortPlan<V128>.Plan(fleet.Cols.Host(0), ctx, scratch);
        Assert.Equal(expectedBySlot, scratch.Alloc.AsSpan(0, count).ToArray());
        VectorShortPlan<V256>.Plan(fleet.Cols.Host(0), ctx, scratch);
        Assert.Equal(expectedBySlot, scratch.Alloc.AsSpan(0, count).ToArray());
        VectorShortPlan<V512>.Plan(fleet.Cols.Host(0), ctx, scratch);
        Assert.Equal(expectedBySlot, scratch.Alloc.AsSpan(0, count).ToArray());
    }

    private static int KernelRulesNeed0(int demand, VmSettings s) => Math.Clamp((Math.Min(demand, s.MaximumMb) + 1) / 2 * 2, s.MinimumMb, s.MaximumMb);
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DmKernel.Kernel;

/// <summary>
/// R11's short plan on a vector path: the same allocations as <see cref="ShortPlan"/>, computed over the host's
/// slots in slot order, <typeparamref name="TV"/>.Count at a time, with masks instead of branches. Only two steps
/// depend on R13's order (Weight descending, then slot): the leftover granules of a contested tier, when there are
/// fewer than unsatisfied VMs, and the grants, when they add up to more than Available. Those walk the order, which
/// <see cref="OrderCache"/> keeps across ticks. The plan leaves, per slot offset, each VM's allocation in
/// <see cref="HostScratch.Alloc"/> and its R13 grant in <see cref="HostScratch.Grant"/>; the kernel's finishing pass
/// applies them with R12's removal (which does not depend on order: ballooned memory joins Available next tick).
/// </summary>
/// <remarks>
/// Why it is exact: every sum is of integers; the satisfied set of a tier is the unique fixpoint of "cap fits under
/// the level", reached here by rounds that each test every member against the level of the round before (the level
/// only rises, so a member once satisfied stays so), and the test and the shares are the scalar plan's binary64
/// operations (<see cref="IVec{TSelf}.FitsUnderLevel"/>, <see cref="IVec{TSelf}.ShareOfPool"/>).
/// </remarks>
internal static class VectorShortPlan<TV>
    where TV : struct, IVec<TV>
{
    /// <summary>Vectors per block: int lane sums of MB values (&lt; 2^25 each) stay below 2^31 within a block.</summary>
    private const int BlockVectors = 32;

    /// <summary>
    /// Writes <see cref="HostScratch.Alloc"/> and <see cref="HostScratch.Grant"/> for <paramref name="host"/>
    /// (one entry per slot offset; 0 for VMs that are not Running DM) and returns the sum of the grants.
    /// Expects Demand and Target of this tick in their columns.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static long Plan(in HostColumns host, in TickContext ctx, HostScratch scratch)
    {
        int h = host.Host, start = host.Start, count = host.Count;
        ref int flagsRef = ref MemoryMarshal.GetReference(host.Flags);
        ref ushort weightRef = ref MemoryMarshal.GetReference(host.Weight);
        ref int minRef = ref MemoryMarshal.GetReference(host.Minimum);
        ref int maxRef = ref MemoryMarshal.GetReference(host.TargetLimit); // Maximum of the members (Running DM)
        ref int demandRef = ref MemoryMarshal.GetReference(host.Demand);
        ref int targetRef = ref MemoryMarshal.GetReference(host.Target);
        ref int assignedRef = ref MemoryMarshal.GetReference(host.Assigned);
        ref int keyRef = ref MemoryMarshal.GetArrayDataReference(scratch.SlotKey);
        ref int lowRef = ref MemoryMarshal.GetArrayDataReference(scratch.Min);
        ref int need0Ref = ref MemoryMarshal.GetArrayDataReference(scratch.Need0);
        ref int goalRef = ref MemoryMarshal.GetArrayDataReference(scratch.Goal);

        // Per slot: the membership key (Weight of a Running DM VM, −1 for any other) and the three tiers' goals
        // (Minimum, Need0 = demand without buffer, Target), 0 for non-members; the budget B = Available + Σ Assigned.
        TV rdMask = TV.Create(VmFlags.StateMask | VmFlags.Dynamic), rd = TV.Create(VmFlags.RunningDynamic);
        TV gMask = TV.Create(ctx.GMask), zero = TV.Create(0), one = TV.Create(1), minusOne = TV.Create(-1);
        long budget = host.Available, sumMin = 0, sumNeed0 = 0;
        int zeroWeights = 0;
        for (int block = 0; block < count; block += BlockVectors * TV.Count)
        {
            int blockEnd = Math.Min(count, block + (BlockVectors * TV.Count));
            TV assignedAcc = zero, minAcc = zero, need0Acc = zero, zeroAcc = zero;
            for (int k = block; k < blockEnd; k += TV.Count)
            {
                nuint x = (nuint)k, o = (nuint)k;
                TV member = TV.Equal(TV.Load(ref flagsRef, x) & rdMask, rd);
                TV weight = TV.LoadU16(ref weightRef, x);
                TV low = TV.Load(ref minRef, x) & member;
                TV need0 = TV.AndNot(TV.Min(TV.Load(ref demandRef, x), TV.Load(ref maxRef, x)) + gMask, gMask);
                need0 = TV.Max(need0, low) & member;
                TV.Store(TV.Select(member, weight, minusOne), ref keyRef, o);
                TV.Store(low, ref lowRef, o);
                TV.Store(need0, ref need0Ref, o);
                TV.Store(TV.Load(ref targetRef, x) & member, ref goalRef, o);
                assignedAcc += TV.Load(ref assignedRef, x) & member;
                minAcc += low;
                need0Acc += need0;
                zeroAcc += TV.Equal(weight, zero) & member & one;
            }

            budget += TV.SumWidened(assignedAcc);
            sumMin += TV.SumWidened(minAcc);
            sumNeed0 += TV.SumWidened(need0Acc);
            zeroWeights += (int)TV.SumWidened(zeroAcc);
        }

        // R11: the tiers the budget covers in full give every VM its goal; fill the first contested one and those after.
        int firstTier = ShortPlan.SettleCoveredTiers(budget, sumMin, sumNeed0, scratch.Min.AsSpan(0, count),
            scratch.Need0.AsSpan(0, count), scratch.Alloc.AsSpan(0, count), out long remaining);
        for (int tier = firstTier; tier < 3; tier++)
        {
            int[] goal = tier == 0 ? scratch.Min : tier == 1 ? scratch.Need0 : scratch.Goal;
            FillGroup(h, start, count, goal, zeroWeight: false, ctx, ref remaining, scratch);
            if (remaining > 0 && zeroWeights > 0)
                FillGroup(h, start, count, goal, zeroWeight: true, ctx, ref remaining, scratch);
        }

        return Grants(host, h, start, count, scratch);
    }

    /// <summary>
    /// One tier for one group (positive weights, or Weight 0 as equals), as <see cref="ShortPlan"/>'s FillGroup:
    /// every member whose cap fits under the level gets its goal, the others <c>roundDown(level × weight)</c>,
    /// then one granule each, in R13's order, while any is left.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FillGroup(int h, int start, int count, int[] goalCol, bool zeroWeight, in TickContext ctx,
        ref long remaining, HostScratch scratch)
    {
        if (remaining <= 0)
            return; // nothing to share: nobody is satisfied and every share is 0
        if (count <= SmallVectors * TV.Count)
        {
            FillSmallGroup(h, start, count, goalCol, zeroWeight, ctx, ref remaining, scratch);
            return;
        }

        ref int keyRef = ref MemoryMarshal.GetArrayDataReference(scratch.SlotKey);
        ref int allocRef = ref MemoryMarshal.GetArrayDataReference(scratch.Alloc);
        ref int goalRef = ref MemoryMarshal.GetArrayDataReference(goalCol);
        ref int capRef = ref MemoryMarshal.GetArrayDataReference(scratch.Cap);
        ref int fillWeightRef = ref MemoryMarshal.GetArrayDataReference(scratch.FillWeight);
        TV zero = TV.Create(0), one = TV.Create(1);

        // The group's members: cap = goal − alloc and the weight they fill with (1 for Weight 0); 0 and 0 for the rest.
        long need = 0, weights = 0;
        for (int block = 0; block < count; block += BlockVectors * TV.Count)
        {
            int blockEnd = Math.Min(count, block + (BlockVectors * TV.Count));
            TV needAcc = zero, weightAcc = zero;
            for (int k = block; k < blockEnd; k += TV.Count)
            {
                nuint o = (nuint)k;
                TV key = TV.Load(ref keyRef, o);
                TV cap = TV.Load(ref goalRef, o) - TV.Load(ref allocRef, o);
                TV inGroup = (zeroWeight ? TV.Equal(key, zero) : TV.GreaterThan(key, zero)) & TV.GreaterThan(cap, zero);
                cap &= inGroup;
                TV w = (zeroWeight ? one : key) & inGroup;
                TV.Store(cap, ref capRef, o);
                TV.Store(w, ref fillWeightRef, o);
                needAcc += cap;
                weightAcc += w;
            }

            need += TV.SumWidened(needAcc);
            weights += TV.SumWidened(weightAcc);
        }

        if (need == 0)
            return;
        if (need <= remaining)
        {
            for (int k = 0; k < count; k += TV.Count)
            {
                nuint o = (nuint)k;
                TV member = TV.GreaterThan(TV.Load(ref fillWeightRef, o), zero);
                TV.Store(TV.Select(member, TV.Load(ref goalRef, o), TV.Load(ref allocRef, o)), ref allocRef, o);
            }

            remaining -= need;
            return;
        }

        // Rounds: each satisfies every member whose cap fits under the level (remaining − C) / W of the round before
        // (C the caps satisfied, W the weights still unsatisfied), until a round satisfies nobody. A satisfied
        // member gets its goal and leaves the group (cap and weight 0).
        long satisfiedCaps = 0;
        while (true)
        {
            double level = remaining - satisfiedCaps, total = weights;
            long newCaps = 0, newWeights = 0;
            for (int block = 0; block < count; block += BlockVectors * TV.Count)
            {
                int blockEnd = Math.Min(count, block + (BlockVectors * TV.Count));
                TV capAcc = zero, weightAcc = zero;
                for (int k = block; k < blockEnd; k += TV.Count)
                {
                    nuint o = (nuint)k;
                    TV cap = TV.Load(ref capRef, o), w = TV.Load(ref fillWeightRef, o);
                    TV fits = TV.FitsUnderLevel(cap, w, total, level) & TV.GreaterThan(w, zero);
                    capAcc += cap & fits;
                    weightAcc += w & fits;
                    TV.Store(TV.Select(fits, TV.Load(ref goalRef, o), TV.Load(ref allocRef, o)), ref allocRef, o);
                    TV.Store(TV.AndNot(cap, fits), ref capRef, o);
                    TV.Store(TV.AndNot(w, fits), ref fillWeightRef, o);
                }

                // (The last round satisfies nobody: nothing to reduce.)
                if (!TV.IsZero(weightAcc))
                {
                    newCaps += TV.SumWidened(capAcc);
                    newWeights += TV.SumWidened(weightAcc);
                }
            }

            if (newWeights == 0)
                break;
            satisfiedCaps += newCaps;
            weights -= newWeights;
        }

        // Not everyone fits (need > remaining), so some weight is left: each unsatisfied member gets
        // roundDown(floor(pool × w / W)), pool = remaining − C.
        double pool = remaining - satisfiedCaps, totalWeight = weights;
        TV granuleMask = TV.Create(ctx.GMask);
        long given = satisfiedCaps;
        int unsatisfied = 0;
        for (int block = 0; block < count; block += BlockVectors * TV.Count)
        {
            int blockEnd = Math.Min(count, block + (BlockVectors * TV.Count));
            TV givenAcc = zero, unsatisfiedAcc = zero;
            for (int k = block; k < blockEnd; k += TV.Count)
            {
                nuint o = (nuint)k;
                TV w = TV.Load(ref fillWeightRef, o);
                TV share = TV.AndNot(TV.ShareOfPool(w, pool, totalWeight), granuleMask);
                TV.Store(TV.Load(ref allocRef, o) + share, ref allocRef, o);
                givenAcc += share;
                unsatisfiedAcc -= TV.GreaterThan(w, zero);
            }

            given += TV.SumWidened(givenAcc);
            unsatisfied += (int)TV.SumWidened(unsatisfiedAcc);
        }

        // Leftover granules, one each to the unsatisfied (each at least a granule below its goal) in R13's order.
        remaining -= given;
        int g = ctx.G;
        long granules = remaining / g;
        if (granules == 0)
            return;
        if (granules >= unsatisfied)
        {
            TV granule = TV.Create(g);
            for (int k = 0; k < count; k += TV.Count)
            {
                nuint o = (nuint)k;
                TV member = TV.GreaterThan(TV.Load(ref fillWeightRef, o), zero);
                TV.Store(TV.Load(ref allocRef, o) + (granule & member), ref allocRef, o);
            }

            remaining -= (long)unsatisfied * g;
            return;
        }

        // Fewer granules than unsatisfied members: the first ones in R13's order get them.
        GranuleWalk(h, start, count, (int)granules, g, scratch);
        remaining -= granules * g;
    }

    /// <summary>The most vectors a host may span for <see cref="FillSmallGroup"/> (64 VMs at 16 lanes).</summary>
    private const int SmallVectors = 4;

    /// <summary>
    /// <see cref="FillGroup"/> for a host of at most <see cref="SmallVectors"/> vectors: the same steps in the same
    /// order, with the group's caps, weights and allocations held in registers from the first pass to the last (loaded
    /// once, stored once) instead of passing over scratch columns once per round. Vectors past the host's are empty
    /// (cap and weight 0: never a member).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FillSmallGroup(int h, int start, int count, int[] goalCol, bool zeroWeight, in TickContext ctx,
        ref long remaining, HostScratch scratch)
    {
        ref int keyRef = ref MemoryMarshal.GetArrayDataReference(scratch.SlotKey);
        ref int allocRef = ref MemoryMarshal.GetArrayDataReference(scratch.Alloc);
        ref int goalRef = ref MemoryMarshal.GetArrayDataReference(goalCol);
        int n = (count + TV.Count - 1) / TV.Count;
        TV zero = TV.Create(0);
        Member(ref keyRef, ref goalRef, ref allocRef, 0, n, zeroWeight, out TV c0, out TV w0, out TV g0, out TV a0);
        Member(ref keyRef, ref goalRef, ref allocRef, 1, n, zeroWeight, out TV c1, out TV w1, out TV g1, out TV a1);
        Member(ref keyRef, ref goalRef, ref allocRef, 2, n, zeroWeight, out TV c2, out TV w2, out TV g2, out TV a2);
        Member(ref keyRef, ref goalRef, ref allocRef, 3, n, zeroWeight, out TV c3, out TV w3, out TV g3, out TV a3);

        // (Lane sums of at most four vectors of caps below 2^25 and weights up to 10 000 stay in int range.)
        long need = TV.SumWidened(c0 + c1 + c2 + c3);
        if (need == 0)
            return;
        if (need <= remaining)
        {
            a0 = TV.Select(TV.GreaterThan(w0, zero), g0, a0);
            a1 = TV.Select(TV.GreaterThan(w1, zero), g1, a1);
            a2 = TV.Select(TV.GreaterThan(w2, zero), g2, a2);
            a3 = TV.Select(TV.GreaterThan(w3, zero), g3, a3);
            StoreSmall(ref allocRef, n, a0, a1, a2, a3);
            remaining -= need;
            return;
        }

        // The rounds of FillGroup: a member that fits under the level of the round before gets its goal and leaves.
        long weights = TV.SumWidened(w0 + w1 + w2 + w3), satisfiedCaps = 0;
        while (true)
        {
            double level = remaining - satisfiedCaps, total = weights;
            TV f0 = TV.FitsUnderLevel(c0, w0, total, level) & TV.GreaterThan(w0, zero);
            TV f1 = TV.FitsUnderLevel(c1, w1, total, level) & TV.GreaterThan(w1, zero);
            TV f2 = TV.FitsUnderLevel(c2, w2, total, level) & TV.GreaterThan(w2, zero);
            TV f3 = TV.FitsUnderLevel(c3, w3, total, level) & TV.GreaterThan(w3, zero);
            TV weightAcc = (w0 & f0) + (w1 & f1) + (w2 & f2) + (w3 & f3);
            if (TV.IsZero(weightAcc))
                break;
            satisfiedCaps += TV.SumWidened((c0 & f0) + (c1 & f1) + (c2 & f2) + (c3 & f3));
            weights -= TV.SumWidened(weightAcc);
            a0 = TV.Select(f0, g0, a0);
            a1 = TV.Select(f1, g1, a1);
            a2 = TV.Select(f2, g2, a2);
            a3 = TV.Select(f3, g3, a3);
            c0 = TV.AndNot(c0, f0);
            c1 = TV.AndNot(c1, f1);
            c2 = TV.AndNot(c2, f2);
            c3 = TV.AndNot(c3, f3);
            w0 = TV.AndNot(w0, f0);
            w1 = TV.AndNot(w1, f1);
            w2 = TV.AndNot(w2, f2);
            w3 = TV.AndNot(w3, f3);
        }

        // Each unsatisfied member's share roundDown(floor(pool × w / W)), pool = remaining − C (0 for the others).
        double pool = remaining - satisfiedCaps, totalWeight = weights;
        TV granuleMask = TV.Create(ctx.GMask);
        TV s0 = TV.AndNot(TV.ShareOfPool(w0, pool, totalWeight), granuleMask);
        TV s1 = TV.AndNot(TV.ShareOfPool(w1, pool, totalWeight), granuleMask);
        TV s2 = TV.AndNot(TV.ShareOfPool(w2, pool, totalWeight), granuleMask);
        TV s3 = TV.AndNot(TV.ShareOfPool(w3, pool, totalWeight), granuleMask);
        a0 += s0;
        a1 += s1;
        a2 += s2;
        a3 += s3;
        TV u0 = TV.GreaterThan(w0, zero), u1 = TV.GreaterThan(w1, zero), u2 = TV.GreaterThan(w2, zero), u3 = TV.GreaterThan(w3, zero);
        remaining -= satisfiedCaps + TV.SumWidened(s0 + s1 + s2 + s3);
        int unsatisfied = -(int)TV.SumWidened(u0 + u1 + u2 + u3);

        // Leftover granules, one each to the unsatisfied in R13's order, as in FillGroup.
        int g = ctx.G;
        long granules = remaining / g;
        if (granules >= unsatisfied)
        {
            TV granule = TV.Create(g);
            a0 += granule & u0;
            a1 += granule & u1;
            a2 += granule & u2;
            a3 += granule & u3;
            StoreSmall(ref allocRef, n, a0, a1, a2, a3);
            remaining -= (long)unsatisfied * g;
            return;
        }

        StoreSmall(ref allocRef, n, a0, a1, a2, a3);
        if (granules == 0)
            return;
        ref int fillWeightRef = ref MemoryMarshal.GetArrayDataReference(scratch.FillWeight);
        StoreSmall(ref fillWeightRef, n, w0, w1, w2, w3);
        GranuleWalk(h, start, count, (int)granules, g, scratch);
        remaining -= granules * g;
    }

    /// <summary>Vector <paramref name="j"/> of a small host's group: its members' caps, fill weights, goals and allocations.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Member(ref int keyRef, ref int goalRef, ref int allocRef, int j, int n, bool zeroWeight,
        out TV cap, out TV weight, out TV goal, out TV alloc)
    {
        TV zero = TV.Create(0);
        if (j >= n)
        {
            cap = weight = goal = alloc = zero;
            return;
        }

        nuint o = (nuint)(j * TV.Count);
        TV key = TV.Load(ref keyRef, o);
        goal = TV.Load(ref goalRef, o);
        alloc = TV.Load(ref allocRef, o);
        TV c = goal - alloc;
        TV inGroup = (zeroWeight ? TV.Equal(key, zero) : TV.GreaterThan(key, zero)) & TV.GreaterThan(c, zero);
        cap = c & inGroup;
        weight = (zeroWeight ? TV.Create(1) : key) & inGroup;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreSmall(ref int destination, int n, TV v0, TV v1, TV v2, TV v3)
    {
        if (n > 0)
            TV.Store(v0, ref destination, 0);
        if (n > 1)
            TV.Store(v1, ref destination, (nuint)TV.Count);
        if (n > 2)
            TV.Store(v2, ref destination, (nuint)(2 * TV.Count));
        if (n > 3)
            TV.Store(v3, ref destination, (nuint)(3 * TV.Count));
    }

    /// <summary>
    /// R11's leftover granules when there are fewer than unsatisfied members: the first ones in R13's order get one
    /// each. The walk ends when the granules are gone, before the order does; whether a member is unsatisfied (fill
    /// weight above 0) is a sign bit, not a branch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GranuleWalk(int h, int start, int count, int granules, int g, HostScratch scratch)
    {
        ReadOnlySpan<int> order = Order(h, start, count, scratch);
        Span<int> alloc = scratch.Alloc, fillWeight = scratch.FillWeight;
        for (int j = 0, left = granules; left > 0; j++)
        {
            int k = order[j];
            int give = (int)((uint)-fillWeight[k] >> 31);
            alloc[k] += give * g;
            left -= give;
        }
    }

    /// <summary>
    /// R13: each member below its allocation is granted the difference when Available covers them all; otherwise
    /// grants go in R13's order while Available lasts (the last one partly). Returns their sum.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long Grants(in HostColumns host, int h, int start, int count, HostScratch scratch)
    {
        ref int assignedRef = ref MemoryMarshal.GetReference(host.Assigned);
        ref int keyRef = ref MemoryMarshal.GetArrayDataReference(scratch.SlotKey);
        ref int allocRef = ref MemoryMarshal.GetArrayDataReference(scratch.Alloc);
        ref int grantRef = ref MemoryMarshal.GetArrayDataReference(scratch.Grant);
        TV zero = TV.Create(0), minusOne = TV.Create(-1);
        long total = 0;
        for (int block = 0; block < count; block += BlockVectors * TV.Count)
        {
            int blockEnd = Math.Min(count, block + (BlockVectors * TV.Count));
            TV acc = zero;
            for (int k = block; k < blockEnd; k += TV.Count)
            {
                nuint o = (nuint)k;
                TV member = TV.GreaterThan(TV.Load(ref keyRef, o), minusOne);
                TV grant = TV.Max(TV.Load(ref allocRef, o) - TV.Load(ref assignedRef, o), zero) & member;
                TV.Store(grant, ref grantRef, o);
                acc += grant;
            }

            total += TV.SumWidened(acc);
        }

        int budget = Math.Max(0, host.Available);
        if (total <= budget)
            return total;

        // Not enough for every grant: in R13's order, in full while the running sum fits in Available; the member
        // where it stops gets what is left, the ones after it nothing.
        ReadOnlySpan<int> order = Order(h, start, count, scratch);
        Span<int> grants = scratch.Grant;
        int granted = 0, j = 0;
        for (; j < order.Length; j++)
        {
            int grant = grants[order[j]];
            if (granted + grant > budget)
                break;
            granted += grant;
        }

        // total > budget, so the loop stopped at some member.
        grants[order[j]] = budget - granted;
        for (j++; j < order.Length; j++)
            grants[order[j]] = 0;
        return budget;
    }

    /// <summary>The host's Running DM VMs in R13's order, as slot offsets (cached across ticks when the balancer keeps a cache).</summary>
    private static ReadOnlySpan<int> Order(int h, int start, int count, HostScratch scratch)
    {
        ReadOnlySpan<int> key = scratch.SlotKey.AsSpan(0, count);
        if (scratch.Cache is { } cache)
            return cache.Order(h, start, key, scratch);
        int n = OrderCache.Sort(key, scratch.Order, scratch);
        return scratch.Order.AsSpan(0, n);
    }
}

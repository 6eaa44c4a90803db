namespace DmKernel.Kernel;

/// <summary>
/// R11's short case with its execution (R12 remove, R13 add) as the scalar reference runs it: per-host code in R13's
/// order. The vector paths run <see cref="VectorShortPlan{TV}"/>, which is tested against it.
/// Runs when <c>Shortfall &gt; Available</c>. Expects Demand and Target of this tick in their columns and
/// the host's per-tick decision columns at zero; writes Assigned, Ballooned, the decisions, Available and
/// the memory pending for the next tick.
/// </summary>
internal static class ShortPlan
{
    public static void Run(in HostColumns host, in TickContext ctx, HostScratch scratch) => Run<IdealGuests>(host, ctx, scratch);

    /// <summary>
    /// R11's short case: <see cref="Plan"/>'s allocations executed by R12 and R13, each guest's moves limited by
    /// <typeparamref name="TGuests"/> (P10). With <see cref="IdealGuests"/> there is no limit and the code is R12/R13 as
    /// written; with <see cref="GuestLimits"/> R12 takes at most the limit from a VM above its allocation, and R13 grants a VM
    /// below its allocation at most the limit (unballoon and hot-add together). What a guest does not take stays in
    /// Available, so a later VM in R13's order that Available had cut short gets it, up to its own allocation.
    /// </summary>
    public static void Run<TGuests>(in HostColumns host, in TickContext ctx, HostScratch scratch)
        where TGuests : struct, IGuestLimits
    {
        int n = Plan(host, ctx, scratch);
        ReadOnlySpan<long> keys = scratch.Keys.AsSpan(0, n);
        ReadOnlySpan<int> alloc = scratch.Alloc.AsSpan(0, n);

        // R12: shrink by balloon toward the allocation, within the cap, Linux floor and Minimum. Ballooned memory
        // joins Available next tick, so the order of removals (Weight ascending) cannot change any result.
        int pending = 0;
        Span<int> assignedCol = host.Assigned, balloonedCol = host.Ballooned;
        Span<int> removedCol = host.Removed, unballoonedCol = host.Unballooned, hotAddedCol = host.HotAdded;
        for (int j = 0; j < n; j++)
        {
            int k = (int)(uint)keys[j];
            int a = assignedCol[k];
            if (a <= alloc[j])
                continue;
            int x = RemovalLimit(host, k, a, a - alloc[j], ctx);
            if (typeof(TGuests) != typeof(IdealGuests))
                x = Math.Min(x, TGuests.Limit(host, k, ctx)) & ~ctx.GMask;
            assignedCol[k] = a - x;
            balloonedCol[k] += x;
            removedCol[k] += x;
            pending += x;
        }

        host.PendingFreed += pending;

        // R13: grow in Weight-descending order while Available lasts: unballoon first, then hot-add.
        int available = host.Available;
        for (int j = 0; j < n && available > 0; j++)
        {
            int k = (int)(uint)keys[j];
            int a = assignedCol[k];
            if (a >= alloc[j])
                continue;
            int grant = Math.Min(alloc[j] - a, available);
            if (typeof(TGuests) != typeof(IdealGuests))
            {
                grant = Math.Min(grant, TGuests.Limit(host, k, ctx));
                if (grant <= 0)
                    continue;
            }

            int unballoon = Math.Min(grant, balloonedCol[k]);
            balloonedCol[k] -= unballoon;
            assignedCol[k] = a + grant;
            unballoonedCol[k] += unballoon;
            hotAddedCol[k] += grant - unballoon;
            available -= grant;
        }

        host.Available = available;
    }

    /// <summary>
    /// R11's short plan: the host's Running DM VMs in R13's order (Weight descending, then slot) in
    /// <see cref="HostScratch.Keys"/> (low 32 bits: the slot's offset in the host) and each one's allocation in <see cref="HostScratch.Alloc"/>; returns their count.
    /// </summary>
    internal static int Plan(in HostColumns host, in TickContext ctx, HostScratch scratch)
    {
        int g = ctx.G, gMask = ctx.GMask;

        // The Running DM VMs in R13's order: Weight descending, then slot.
        Span<long> keys = scratch.Keys;
        int n = 0, zeroWeights = 0;
        long budget = host.Available;
        Span<int> flagsCol = host.Flags, assignedCol = host.Assigned;
        Span<ushort> weightCol = host.Weight;
        for (int k = 0; k < host.Count; k++)
        {
            if ((flagsCol[k] & (VmFlags.StateMask | VmFlags.Dynamic)) == VmFlags.RunningDynamic)
            {
                int w = weightCol[k];
                keys[n++] = ((long)(VmSettings.MaxWeight - w) << 32) | (uint)k;
                budget += assignedCol[k];
                zeroWeights += w == 0 ? 1 : 0;
            }
        }

        keys = keys[..n];
        SortByWeightDescending(keys, scratch.KeysTemp.AsSpan(0, n), scratch.Buckets);

        // The three tiers' goals, dense in that order: Minimum, Need0 (demand without buffer), Target (R9).
        Span<int> weight = scratch.Weight.AsSpan(0, n), min = scratch.Min.AsSpan(0, n), need0 = scratch.Need0.AsSpan(0, n);
        Span<int> target = scratch.Goal.AsSpan(0, n), alloc = scratch.Alloc.AsSpan(0, n);
        long sumMin = 0, sumNeed0 = 0;
        Span<int> minimumCol = host.Minimum, maximumCol = host.Maximum, demandCol = host.Demand, targetCol = host.Target;
        for (int j = 0; j < keys.Length; j++)
        {
            int k = (int)(uint)keys[j];
            int lo = minimumCol[k], n0 = Rules.Need0(demandCol[k], lo, maximumCol[k], gMask);
            weight[j] = weightCol[k];
            min[j] = lo;
            need0[j] = n0;
            target[j] = targetCol[k];
            sumMin += lo;
            sumNeed0 += n0;
        }

        // R11: B = Available + Σ Assigned shared by weighted water-filling in three tiers: tier 0 gives each VM its
        // Minimum, tier 1 fills toward Need0, tier 2 toward Target (the buffer, last). A tier the budget covers in
        // full gives every VM its goal, so those tiers are settled at once and only the first contested one and
        // those after it are filled.
        int firstTier = SettleCoveredTiers(budget, sumMin, sumNeed0, min, need0, alloc, out long remaining);
        for (int tier = firstTier; tier < 3; tier++)
        {
            ReadOnlySpan<int> goal = tier == 0 ? min : tier == 1 ? need0 : target;

            // Positive weights first; Weight-0 VMs only once every positive-weight VM is satisfied, as equals.
            FillGroup(weight, alloc, goal, zeroWeight: false, g, ref remaining, scratch);
            if (remaining > 0 && zeroWeights > 0)
                FillGroup(weight, alloc, goal, zeroWeight: true, g, ref remaining, scratch);
        }

        return n;
    }

    /// <summary>
    /// R11's tiers the budget covers in full: every VM gets its goal in them at once. Starts
    /// <paramref name="alloc"/> at the goal of the last covered tier (Need0, Minimum, or nothing), sets
    /// <paramref name="remaining"/> to what the budget leaves, and returns the first tier to fill (2, 1 or 0).
    /// </summary>
    internal static int SettleCoveredTiers(long budget, long sumMin, long sumNeed0, ReadOnlySpan<int> min, ReadOnlySpan<int> need0,
        Span<int> alloc, out long remaining)
    {
        if (budget >= sumNeed0)
        {
            need0.CopyTo(alloc);
            remaining = budget - sumNeed0;
            return 2;
        }

        if (budget >= sumMin)
        {
            min.CopyTo(alloc);
            remaining = budget - sumMin;
            return 1;
        }

        alloc.Clear();
        remaining = budget;
        return 0;
    }

    /// <summary>
    /// Sorts keys <c>((MaxWeight − Weight) &lt;&lt; 32) | slot</c>, gathered in slot order, into Weight-descending then
    /// slot order: one stable counting pass on the weight key's high bits (79 buckets of 128 weights), then an
    /// insertion sort that only has to order keys within a bucket. (A general-purpose sort of 64 longs measured
    /// 20 ns per element here; this is a few.)
    /// </summary>
    internal static void SortByWeightDescending(Span<long> keys, Span<long> temp, int[] buckets)
    {
        const int Shift = 32 + 7, Buckets = (VmSettings.MaxWeight >> 7) + 1;
        Span<int> start = buckets.AsSpan(0, Buckets);
        start.Clear();
        foreach (long key in keys)
            start[(int)(key >> Shift)]++;
        int sum = 0;
        for (int b = 0; b < Buckets; b++)
        {
            int c = start[b];
            start[b] = sum;
            sum += c;
        }

        foreach (long key in keys)
            temp[start[(int)(key >> Shift)]++] = key;
        for (int i = 1; i < temp.Length; i++)
        {
            long x = temp[i];
            int j = i - 1;
            while (j >= 0 && temp[j] > x)
            {
                temp[j + 1] = temp[j];
                j--;
            }

            temp[j + 1] = x;
        }

        temp.CopyTo(keys);
    }

    /// <summary>
    /// R12: what the balloon takes from a VM this tick: at most <paramref name="want"/> and the per-tick cap;
    /// a Windows guest complies down to Minimum; a Linux guest also keeps its floor,
    /// <c>max(0, Assigned − committed − floor(Assigned)) = max(0, Assigned − Demand)</c>; in whole granules.
    /// </summary>
    public static int RemovalLimit(in HostColumns host, int k, int assigned, int want, in TickContext ctx)
    {
        int x = Math.Min(want, ctx.RemoveCap);
        x = Math.Min(x, Math.Max(0, assigned - host.Minimum[k]));
        if ((host.Flags[k] & VmFlags.Linux) != 0)
            x = Math.Min(x, Math.Max(0, assigned - host.Demand[k]));
        return x & ~ctx.GMask;
    }

    /// <summary>
    /// One tier for one group (positive weights, or Weight 0 as equals): find the largest level L with
    /// <c>Σ min(goal − base, L × w) ≤ remaining</c> exactly, give each VM <c>roundDown(min(goal − base, L × w))</c>,
    /// then one granule each to the unsatisfied VMs in Weight-descending, slot order while any is left.
    /// </summary>
    /// <remarks>
    /// A member is satisfied when <c>cap × W ≤ (remaining − C) × w</c>, W being the weights still unsatisfied and C
    /// the caps already satisfied: the level L = (remaining − C) / W only rises as members are satisfied, so the
    /// satisfied set grows to the unique fixpoint, the members with the smallest <c>cap / w</c>, in whatever order.
    /// Every quantity is an exact integer, so the result does not depend on order of summation.
    /// </remarks>
    private static void FillGroup(ReadOnlySpan<int> vmWeight, Span<int> alloc, ReadOnlySpan<int> goal,
        bool zeroWeight, int g, ref long remaining, HostScratch scratch)
    {
        if (remaining <= 0)
            return; // nothing to share: nobody is satisfied and every share is 0

        // The group's members, densely, in position (Weight-descending, slot) order: position, cap, weight.
        int n = alloc.Length;
        Span<int> pos = scratch.Order.AsSpan(0, n);
        Span<int> cap = scratch.Cap.AsSpan(0, n);
        Span<int> weight = scratch.FillWeight.AsSpan(0, n);
        long need = 0, weights = 0;
        int m = 0;
        for (int k = 0; k < n; k++)
        {
            int w = vmWeight[k], c = goal[k] - alloc[k];
            if ((w == 0) != zeroWeight || c <= 0)
                continue;
            w = zeroWeight ? 1 : w;
            pos[m] = k;
            cap[m] = c;
            weight[m] = w;
            need += c;
            weights += w;
            m++;
        }

        if (need == 0)
            return;
        if (need <= remaining)
        {
            for (int j = 0; j < m; j++)
                alloc[pos[j]] = goal[pos[j]];
            remaining -= need;
            return;
        }

        // A few plain passes settle most groups: each satisfies every member whose cap fits under the current
        // level, which only rises as they leave; the unsatisfied stay in position order. If members are still being
        // satisfied after them, the rest are sorted by ratio and swept once (the order in which members are
        // satisfied never changes the result).
        long satisfiedCaps = 0;
        bool changed = true;
        for (int pass = 0; pass < 3 && changed; pass++)
        {
            changed = false;
            int kept = 0;
            for (int j = 0; j < m; j++)
            {
                int c = cap[j], w = weight[j];
                if ((long)c * weights <= (remaining - satisfiedCaps) * w)
                {
                    satisfiedCaps += c;
                    weights -= w;
                    alloc[pos[j]] = goal[pos[j]];
                    changed = true;
                }
                else
                {
                    pos[kept] = pos[j];
                    cap[kept] = c;
                    weight[kept] = w;
                    kept++;
                }
            }

            m = kept;
        }

        if (changed)
            m = SweepByRatio(pos[..m], cap[..m], weight[..m], alloc, goal, remaining, ref satisfiedCaps, ref weights, scratch);

        // Not everyone fits (need > remaining), so some weight is left: the level is (remaining − C) / W.
        long pool = remaining - satisfiedCaps;
        long given = satisfiedCaps;
        long granuleMask = ~(long)(g - 1);
        for (int j = 0; j < m; j++)
        {
            // floor(pool × w / W): the product is an exact integer below 2^53, so the floor of the correctly rounded
            // binary64 quotient is the exact one (docs/model.md, "Exact arithmetic"), and cheaper than a 64-bit idiv.
            int share = (int)((long)Math.Floor((double)(pool * weight[j]) / weights) & granuleMask);
            alloc[pos[j]] += share;
            given += share;
        }

        // Leftover granules, one each, to the unsatisfied in position order (each is at least a granule below its goal).
        remaining -= given;
        for (int j = 0; j < m && remaining >= g; j++)
        {
            alloc[pos[j]] += g;
            remaining -= g;
        }
    }

    /// <summary>
    /// Sorts the members by <c>cap / weight</c> and satisfies them in that order while they fit; leaves the
    /// unsatisfied members in <paramref name="pos"/>, back in position order, and returns their count.
    /// </summary>
    private static int SweepByRatio(Span<int> pos, Span<int> cap, Span<int> weight, Span<int> alloc, ReadOnlySpan<int> goal,
        long remaining, ref long satisfiedCaps, ref long weights, HostScratch scratch)
    {
        int m = pos.Length;
        Span<int> order = scratch.Members.AsSpan(0, m);
        for (int j = 0; j < m; j++)
            order[j] = j;
        SortByRatio(order, scratch.OrderTemp.AsSpan(0, m), cap, weight);
        int s = 0;
        for (; s < m; s++)
        {
            int j = order[s];
            if ((long)cap[j] * weights > (remaining - satisfiedCaps) * weight[j])
                break;
            satisfiedCaps += cap[j];
            weights -= weight[j];
            alloc[pos[j]] = goal[pos[j]];
        }

        // The unsatisfied, back in position order (member indices ascending = positions ascending).
        Span<int> rest = order[s..];
        rest.Sort();
        Span<int> p = scratch.OrderTemp.AsSpan(0, rest.Length), c = scratch.Cap2.AsSpan(0, rest.Length), w = scratch.Weight2.AsSpan(0, rest.Length);
        for (int r = 0; r < rest.Length; r++)
        {
            p[r] = pos[rest[r]];
            c[r] = cap[rest[r]];
            w[r] = weight[rest[r]];
        }

        p.CopyTo(pos);
        c.CopyTo(cap);
        w.CopyTo(weight);
        return rest.Length;
    }

    /// <summary>
    /// Sorts member indices by <c>cap / weight</c> ascending, ties by index: exact (cross products in 64 bits),
    /// stable, allocation-free (insertion sort on runs of 16, then bottom-up merges through <paramref name="temp"/>).
    /// </summary>
    private static void SortByRatio(Span<int> order, Span<int> temp, ReadOnlySpan<int> cap, ReadOnlySpan<int> weight)
    {
        const int Run = 16;
        int n = order.Length;
        for (int start = 0; start < n; start += Run)
        {
            int end = Math.Min(n, start + Run);
            for (int i = start + 1; i < end; i++)
            {
                int x = order[i];
                int j = i - 1;
                while (j >= start && Less(x, order[j], cap, weight))
                {
                    order[j + 1] = order[j];
                    j--;
                }

                order[j + 1] = x;
            }
        }

        for (int width = Run; width < n; width *= 2)
        {
            for (int lo = 0; lo < n; lo += 2 * width)
            {
                int mid = Math.Min(n, lo + width), hi = Math.Min(n, lo + 2 * width);
                int a = lo, b = mid, t = lo;
                while (a < mid && b < hi)
                    temp[t++] = Less(order[b], order[a], cap, weight) ? order[b++] : order[a++];
                while (a < mid)
                    temp[t++] = order[a++];
                while (b < hi)
                    temp[t++] = order[b++];
            }

            temp[..n].CopyTo(order);
        }
    }

    private static bool Less(int a, int b, ReadOnlySpan<int> cap, ReadOnlySpan<int> weight)
    {
        long left = (long)cap[a] * weight[b], right = (long)cap[b] * weight[a];
        return left < right || (left == right && a < b);
    }
}

/// <summary>P10: the MB each guest's balloon / hot-add driver moves this tick, as a type argument of <see cref="ShortPlan.Run{TGuests}"/>.</summary>
internal interface IGuestLimits
{
    static abstract int Limit(in HostColumns host, int k, in TickContext ctx);
}

/// <summary>Every guest ideal: no limit (the JIT removes the limit's code).</summary>
internal readonly struct IdealGuests : IGuestLimits
{
    public static int Limit(in HostColumns host, int k, in TickContext ctx) => int.MaxValue;
}

/// <summary>Each guest's own limit (<see cref="ScalarKernel.GuestLimit"/>).</summary>
internal readonly struct GuestLimits : IGuestLimits
{
    public static int Limit(in HostColumns host, int k, in TickContext ctx) => ScalarKernel.GuestLimit(host, k, ctx);
}

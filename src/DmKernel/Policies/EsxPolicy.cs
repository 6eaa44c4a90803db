namespace DmKernel.Policies;

/// <summary>
/// VMware ESX (P7–P9): each tick a Running DM VM grows at once to what it touches (its demand, rounded up, within Minimum
/// and Maximum), in slot order while Available lasts; every sample period its active share is sampled into two moving
/// averages; and when the host's free memory, counting what is already on its way back, falls below the soft level,
/// min-funding revocation with the idle-memory tax sets balloon goals until the high level is reached. Those goals cap
/// the VMs' growth until the host is at the high level again.
/// </summary>
internal struct EsxPolicy : IPolicy
{
    public static bool StartsReclaim => true;

    public static bool TwoPhase => false;

    public static bool TracksStuck => false;

    public static void Goals(in PolicyHost host, in PolicyTick tick, PolicyScratch scratch)
    {
        Span<int> flags = host.Flags, goal = host.Goal, assigned = host.Assigned, demand = host.Demand;
        Span<int> min = host.Minimum, max = host.Maximum, estimate = host.EsxEstimate;
        int n = flags.Length;

        // P8: sample the active share into the moving averages (only at sample ticks).
        if (tick.EsxSampleTick)
        {
            Span<int> fast = host.EsxFast, slow = host.EsxSlow;
            for (int k = 0; k < n; k++)
            {
                if (GoalMoves.IsRunningDm(flags[k]))
                    estimate[k] = Esx.Sample(Esx.ActiveShare(demand[k], assigned[k]), ref fast[k], ref slow[k]);
            }
        }

        // P9: free memory counted with what is on its way back (this tick's balloon, and what earlier goals still owe).
        long capacity = host.Total - host.Reserve;
        long counted = (long)host.Available + host.PendingFreed;
        if (host.EsxCapping != 0)
        {
            for (int k = 0; k < n; k++)
            {
                if (GoalMoves.IsRunningDm(flags[k]) && goal[k] > 0)
                    counted += Math.Max(0, assigned[k] - goal[k]);
            }

            if (100 * counted >= tick.EsxHighPercent * capacity)
            {
                // At the high level again: the caps lift (goals cleared; a balloon still owing stops where it is).
                for (int k = 0; k < n; k++)
                    goal[k] = 0;
                host.EsxCapping = 0;
                counted = (long)host.Available + host.PendingFreed;
            }
        }

        if (100 * counted < tick.EsxSoftPercent * capacity)
        {
            // Below soft: take G MB at a time from the lowest shares per page until the high level is reached.
            long amount = ((tick.EsxHighPercent * capacity) - (100 * counted) + 99) / 100;
            Span<int> after = scratch.After.AsSpan(0, n);
            Span<bool> candidate = scratch.Candidate.AsSpan(0, n);
            Span<long> cost = scratch.Cost.AsSpan(0, n);
            for (int k = 0; k < n; k++)
            {
                candidate[k] = GoalMoves.IsRunningDm(flags[k]);
                after[k] = candidate[k] && host.EsxCapping != 0 && goal[k] > 0 ? Math.Min(assigned[k], goal[k]) : assigned[k];
                cost[k] = Esx.Cost(estimate[k], tick.EsxTaxPerMille);
            }

            Esx.Reclaim(candidate, host.Weight, cost, min, after, amount, tick.G, scratch.Heap);
            for (int k = 0; k < n; k++)
            {
                int before = candidate[k] && host.EsxCapping != 0 && goal[k] > 0 ? Math.Min(assigned[k], goal[k]) : assigned[k];
                if (candidate[k] && after[k] < before)
                    goal[k] = after[k];
            }

            host.EsxCapping = 1;
        }

        // P7: grow to what is touched, capped by a P9 goal while the caps hold; shrink toward P9 goals (R12).
        bool capping = host.EsxCapping != 0;
        for (int k = 0; k < n; k++)
        {
            if (!GoalMoves.IsRunningDm(flags[k]))
                continue;
            int want = Esx.Want(demand[k], min[k], max[k], tick.GMask);
            bool capped = capping && goal[k] > 0;
            scratch.GrowTo[k] = capped ? Math.Min(want, goal[k]) : want;
            scratch.ShrinkTo[k] = capped ? goal[k] : int.MaxValue;
        }
    }
}

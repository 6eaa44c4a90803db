namespace DmKernel;

/// <summary>Fleet-wide totals of the last tick (MB unless named otherwise).</summary>
public readonly record struct TickTotals(
    int OnVms,
    int RunningDynamicVms,
    int PagingVms,
    long UnmetMb,
    long AssignedMb,
    long DemandMb,
    long BalloonedMb,
    int SmartPagingVms,
    long SmartPagingMb,
    int ShortHosts,
    long AvailableMb,
    long PressureSum,
    int PressureMax);

/// <summary>One pass over the columns that sums what a capacity planner asks after each tick.</summary>
public static class FleetStatistics
{
    /// <summary>
    /// Totals of the last tick. A VM is paging when Demand &gt; Assigned (R20 Warning); unmet demand is
    /// Σ max(0, Demand − Assigned). When <paramref name="pressureBins"/> is not empty, the Current Pressure of
    /// every Running DM VM is counted into it (bin = pressure, the last bin takes everything above);
    /// <see cref="TickTotals.PressureSum"/> and <see cref="TickTotals.PressureMax"/> are exact either way.
    /// </summary>
    public static TickTotals Measure(Fleet fleet, Span<long> pressureBins) => Measure(fleet, pressureBins, default, default);

    /// <summary>
    /// <see cref="Measure(Fleet, Span{long})"/>, and when <paramref name="pagingTicks"/> and
    /// <paramref name="unmetMbTicks"/> are given (one element per slot), adds 1 and Demand − Assigned to each paging VM's.
    /// </summary>
    public static TickTotals Measure(Fleet fleet, Span<long> pressureBins, Span<int> pagingTicks, Span<long> unmetMbTicks)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        bool perSlot = pagingTicks.Length > 0;
        if (perSlot && (pagingTicks.Length != fleet.SlotCount || unmetMbTicks.Length != fleet.SlotCount))
            ThrowHelper.SpanLength(nameof(pagingTicks), pagingTicks.Length, fleet.SlotCount);
        int on = 0, runningDm = 0, paging = 0, spVms = 0, shortHosts = 0;
        long unmet = 0, assigned = 0, demand = 0, ballooned = 0, sp = 0, available = 0, pressureSum = 0;
        int pressureMax = 0;
        int[] flagsCol = fleet.FlagsCol, assignedCol = fleet.AssignedCol, demandCol = fleet.DemandCol;
        int[] balloonedCol = fleet.BalloonedCol, spCol = fleet.SmartPagingCol, pressureCol = fleet.PressureCol;
        int lastBin = pressureBins.Length - 1;
        for (int i = 0; i < flagsCol.Length; i++)
        {
            int flags = flagsCol[i];
            if ((flags & VmFlags.StateMask) == 0)
                continue;
            on++;
            int a = assignedCol[i], d = demandCol[i];
            assigned += a;
            demand += d;
            ballooned += balloonedCol[i];
            if (d > a)
            {
                paging++;
                unmet += d - a;
                if (perSlot)
                {
                    pagingTicks[i]++;
                    unmetMbTicks[i] += d - a;
                }
            }

            if (spCol[i] > 0)
            {
                spVms++;
                sp += spCol[i];
            }

            if ((flags & (VmFlags.StateMask | VmFlags.Dynamic)) == VmFlags.RunningDynamic)
            {
                runningDm++;
                int p = pressureCol[i];
                pressureSum += p;
                pressureMax = Math.Max(pressureMax, p);
                if (lastBin >= 0)
                    pressureBins[Math.Min(p, lastBin)]++;
            }
        }

        for (int h = 0; h < fleet.HostCount; h++)
        {
            available += fleet.HostAvailableCol[h];
            shortHosts += fleet.HostShortCol[h];
        }

        return new TickTotals(on, runningDm, paging, unmet, assigned, demand, ballooned, spVms, sp, shortHosts, available, pressureSum, pressureMax);
    }
}

namespace DmKernel.Kernel;

/// <summary>R19: the per-host counters of a tick, from sums every kernel path computes exactly.</summary>
internal static class HostCounters
{
    /// <summary>Host <paramref name="h"/>'s R19 counters from this tick's exact sums.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static void Write(FleetColumns c, int h, long pressureSum, int runningDm, long demandSum, long assignedSum,
        long added, long removed, int addOps, int removeOps)
    {
        // Average Pressure: mean Current Pressure of the Running DM VMs, rounded half up.
        c.HostAveragePressure[h] = runningDm == 0 ? 0 : (int)((2 * pressureSum + runningDm) / (2L * runningDm));
        // System Current Pressure = round(100 × Σ Demand / (Σ Assigned + Available)), half up.
        long den = assignedSum + c.HostAvailable[h];
        c.HostSystemPressure[h] = den == 0 ? 0 : (int)Math.Min((200 * demandSum + den) / (2 * den), int.MaxValue);
        c.HostAddedTotal[h] += added;
        c.HostRemovedTotal[h] += removed;
        c.HostAddOps[h] += addOps;
        c.HostRemoveOps[h] += removeOps;
    }

    /// <summary>
    /// Host <paramref name="h"/>'s R19 averages when no memory moved and no decision was made this tick: the cumulative
    /// counters stay as they are (adding zero to them would write the values already there).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static void WriteSums(FleetColumns c, int h, long pressureSum, int runningDm, long demandSum, long assignedSum)
    {
        c.HostAveragePressure[h] = runningDm == 0 ? 0 : (int)((2 * pressureSum + runningDm) / (2L * runningDm));
        long den = assignedSum + c.HostAvailable[h];
        c.HostSystemPressure[h] = den == 0 ? 0 : (int)Math.Min((200 * demandSum + den) / (2 * den), int.MaxValue);
    }

    public static void Write(in HostColumns host, long pressureSum, int runningDm, long demandSum, long assignedSum,
        long added, long removed, int addOps, int removeOps)
        => Write(host.Columns, host.Host, pressureSum, runningDm, demandSum, assignedSum, added, removed, addOps, removeOps);
}

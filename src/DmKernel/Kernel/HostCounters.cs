namespace DmKernel.Kernel;

/// <summary>R19: the per-host counters of a tick, from sums every kernel path computes exactly.</summary>
internal static class HostCounters
{
    public static void Write(Fleet f, int h, long pressureSum, int runningDm, long demandSum, long assignedSum,
        long added, long removed, int addOps, int removeOps)
    {
        // Average Pressure: mean Current Pressure of the Running DM VMs, rounded half up.
        f.HostAveragePressureCol[h] = runningDm == 0 ? 0 : (int)((2 * pressureSum + runningDm) / (2L * runningDm));

        // System Current Pressure = round(100 × Σ Demand / (Σ Assigned + Available)), half up.
        long den = assignedSum + f.HostAvailableCol[h];
        f.HostSystemPressureCol[h] = den == 0 ? 0 : (int)Math.Min((200 * demandSum + den) / (2 * den), int.MaxValue);
        f.HostAddedTotalCol[h] += added;
        f.HostRemovedTotalCol[h] += removed;
        f.HostAddOpsCol[h] += addOps;
        f.HostRemoveOpsCol[h] += removeOps;
    }
}

namespace DmKernel.Kernel;

/// <summary>R19: the per-host counters of a tick, from sums every kernel path computes exactly.</summary>
internal static class HostCounters
{
    public static void Write(in HostColumns host, long pressureSum, int runningDm, long demandSum, long assignedSum,
        long added, long removed, int addOps, int removeOps)
    {
        // Average Pressure: mean Current Pressure of the Running DM VMs, rounded half up.
        host.AveragePressure = runningDm == 0 ? 0 : (int)((2 * pressureSum + runningDm) / (2L * runningDm));

        // System Current Pressure = round(100 × Σ Demand / (Σ Assigned + Available)), half up.
        long den = assignedSum + host.Available;
        host.SystemPressure = den == 0 ? 0 : (int)Math.Min((200 * demandSum + den) / (2 * den), int.MaxValue);
        host.AddedTotalHost += added;
        host.RemovedTotalHost += removed;
        host.AddOpsHost += addOps;
        host.RemoveOpsHost += removeOps;
    }
}

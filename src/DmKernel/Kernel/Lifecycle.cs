namespace DmKernel.Kernel;

/// <summary>
/// R4–R7: the lifecycle requests made between ticks, processed per host at the start of the next tick:
/// all stops first (their memory is usable at once), then restarts, then starts, each in slot order.
/// </summary>
internal static class Lifecycle
{
    public static void ProcessRequests(Fleet f, int h, in TickContext ctx, HostScratch scratch)
    {
        int start = f.HostStartCol[h], end = start + f.HostCapacityCol[h];
        byte[] req = f.RequestCol;
        for (int i = start; i < end; i++)
        {
            if (req[i] == (byte)LifecycleRequest.Stop)
            {
                Stop(f, h, i);
                req[i] = 0;
            }
        }

        for (int i = start; i < end; i++)
        {
            if (req[i] == (byte)LifecycleRequest.Restart)
            {
                Restart(f, h, i, ctx, scratch);
                req[i] = 0;
            }
        }

        for (int i = start; i < end; i++)
        {
            if (req[i] == (byte)LifecycleRequest.Start)
            {
                Start(f, h, i, ctx, scratch);
                req[i] = 0;
            }
        }

        f.HostPendingRequestsCol[h] = 0;
    }

    /// <summary>R7: all Assigned memory returns to the pool at once; runtime state is cleared (cumulative counters stay).</summary>
    private static void Stop(Fleet f, int h, int i)
    {
        f.HostAvailableCol[h] += f.AssignedCol[i];
        f.ClearRuntime(i);
        f.ResultCol[i] = (byte)LifecycleResult.Stopped;
    }

    /// <summary>R4 then R5: admit with Startup MB, reclaiming from lower-or-equal-weight donors when short.</summary>
    private static void Start(Fleet f, int h, int i, in TickContext ctx, HostScratch scratch)
    {
        int startup = f.StartupCol[i];
        int missing = startup - f.HostAvailableCol[h];
        if (missing > 0 && !Reclaim(f, h, i, missing, allOrNothing: true, scratch))
        {
            // R4: NotEnoughMemory, nothing reclaimed, the VM stays Off.
            f.ResultCol[i] = (byte)LifecycleResult.NotEnoughMemory;
            f.HostFailedStartsCol[h]++;
            return;
        }

        f.HostAvailableCol[h] -= startup;
        Boot(f, i, ctx, assigned: startup, smartPaging: 0);
        f.ResultCol[i] = (byte)LifecycleResult.Started;
    }

    /// <summary>R6: memory back to Startup; the excess returns, a deficit is taken from the pool, then Smart Paging.</summary>
    private static void Restart(Fleet f, int h, int i, in TickContext ctx, HostScratch scratch)
    {
        int startup = f.StartupCol[i];
        int assigned = f.AssignedCol[i];
        if (assigned >= startup)
        {
            f.HostAvailableCol[h] += assigned - startup;
            Boot(f, i, ctx, assigned: startup, smartPaging: 0);
            f.ResultCol[i] = (byte)LifecycleResult.Restarted;
            return;
        }

        int deficit = startup - assigned;
        int missing = deficit - f.HostAvailableCol[h];
        // With Smart Paging the reclaim is best effort (what it cannot find becomes Smart Paging); without it the
        // restart fails unless the whole deficit is found, and then, as in R4, nothing is reclaimed.
        if (missing > 0)
            Reclaim(f, h, i, missing, allOrNothing: !ctx.SmartPaging, scratch);

        int take = Math.Min(deficit, f.HostAvailableCol[h]);
        f.HostAvailableCol[h] -= take;
        int rest = deficit - take;
        if (rest > 0 && !ctx.SmartPaging)
        {
            // R6 without Smart Paging: the restart fails and the VM is Off (R7).
            f.HostAvailableCol[h] += assigned + take;
            f.ClearRuntime(i);
            f.ResultCol[i] = (byte)LifecycleResult.RestartFailed;
            return;
        }

        Boot(f, i, ctx, assigned: assigned + take, smartPaging: rest);
        f.ResultCol[i] = (byte)(rest > 0 ? LifecycleResult.RestartedWithSmartPaging : LifecycleResult.Restarted);
    }

    /// <summary>R5: Booting for BootGrace ticks with Ballooned = 0 and GuestVisible = Startup.</summary>
    private static void Boot(Fleet f, int i, in TickContext ctx, int assigned, int smartPaging)
    {
        f.AssignedCol[i] = assigned;
        f.BalloonedCol[i] = 0;
        f.SmartPagingCol[i] = smartPaging;
        f.BootTicksLeftCol[i] = ctx.BootTicks;
        f.FlagsCol[i] = (f.FlagsCol[i] & VmFlags.SettingBits) | VmFlags.Booting;
        f.GenerationCol[i]++;
    }

    /// <summary>
    /// R4's reclaim: from Running DM VMs whose Weight is at most the requester's (none if its Weight is 0),
    /// lowest Weight first, then lowest slot: first their surplus above Target (as of the previous tick), then
    /// down to Minimum. Not limited by R12's cap; the memory is usable in the same tick. With
    /// <paramref name="allOrNothing"/> nothing is taken unless the whole amount can be found.
    /// </summary>
    private static bool Reclaim(Fleet f, int h, int self, int needed, bool allOrNothing, HostScratch scratch)
    {
        int weight = f.WeightCol[self];
        if (weight == 0)
            return false;
        int start = f.HostStartCol[h], end = start + f.HostCapacityCol[h];
        Span<long> keys = scratch.Keys;
        int n = 0;
        long reclaimable = 0;
        for (int i = start; i < end; i++)
        {
            if (i != self && (f.FlagsCol[i] & (VmFlags.StateMask | VmFlags.Dynamic)) == VmFlags.RunningDynamic && f.WeightCol[i] <= weight)
            {
                keys[n++] = ((long)f.WeightCol[i] << 32) | (uint)i;
                reclaimable += Math.Max(0, f.AssignedCol[i] - f.MinimumCol[i]);
            }
        }

        if (allOrNothing && reclaimable < needed)
            return false;
        keys = keys[..n];
        keys.Sort();
        for (int pass = 0; pass < 2 && needed > 0; pass++)
        {
            foreach (long key in keys)
            {
                int i = (int)(uint)key;
                int floor = pass == 0 ? Math.Max(f.TargetCol[i], f.MinimumCol[i]) : f.MinimumCol[i];
                int x = Math.Min(Math.Max(0, f.AssignedCol[i] - floor), needed);
                if (x > 0)
                {
                    f.AssignedCol[i] -= x;
                    f.BalloonedCol[i] += x;
                    f.RemovedCol[i] += x;
                    f.HostAvailableCol[h] += x;
                    needed -= x;
                    if (needed == 0)
                        break;
                }
            }
        }

        return true;
    }
}

using System.Runtime.CompilerServices;

namespace DmKernel.Kernel;

/// <summary>
/// R4–R7: the lifecycle requests made between ticks, processed per host at the start of the next tick:
/// all stops first (their memory is usable at once), then restarts, then starts, each in slot order.
/// Index k is a slot's offset in the host. Without <c>reclaim</c> (the static policy, P1) a start or restart takes
/// nothing from other VMs: what Available cannot give fails the start (or becomes Smart Paging on a restart).
/// </summary>
/// <remarks>
/// Compiled fully optimized from the first call: a replay's first tick starts every VM of the fleet at once, which
/// tier-0 code (a call per span property) made several times slower than the ticks after it.
/// </remarks>
internal static class Lifecycle
{
    /// <summary>
    /// Processes the host's requests. With <paramref name="indexed"/> (the vector paths) R4's reclaims go through
    /// <see cref="DonorIndex"/>, built once per host and pass, instead of <see cref="Reclaim"/>'s scan and sort of every
    /// VM per start: the same donors, order and amounts (the differential tests hold the vector paths to the scalar
    /// reference, which keeps the readable scan), in O(log n) and amortized O(1) per start rather than O(n log n).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ProcessRequests(in HostColumns host, in TickContext ctx, HostScratch scratch, bool reclaim = true, bool indexed = false)
    {
        scratch.DonorsBuilt = false;
        Span<byte> req = host.Request;
        for (int k = 0; k < req.Length; k++)
        {
            if (req[k] == (byte)LifecycleRequest.Stop)
            {
                Stop(host, k, ctx);
                req[k] = 0;
            }
        }

        for (int k = 0; k < req.Length; k++)
        {
            if (req[k] == (byte)LifecycleRequest.Restart)
            {
                Restart(host, k, ctx, scratch, reclaim, indexed);
                req[k] = 0;
            }
        }

        for (int k = 0; k < req.Length; k++)
        {
            if (req[k] == (byte)LifecycleRequest.Start)
            {
                Start(host, k, ctx, scratch, reclaim, indexed);
                req[k] = 0;
            }
        }

        host.PendingRequests = 0;
    }

    /// <summary>What the request did, and in which tick.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SetResult(in HostColumns host, int k, in TickContext ctx, LifecycleResult result)
    {
        host.Result[k] = (byte)result;
        host.ResultTick[k] = ctx.TickIndex;
    }

    /// <summary>R7: all Assigned memory returns to the pool at once; runtime state is cleared (cumulative counters stay).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Stop(in HostColumns host, int k, in TickContext ctx)
    {
        host.Available += host.Assigned[k];
        host.ClearRuntime(k);
        SetResult(host, k, ctx, LifecycleResult.Stopped);
    }

    /// <summary>R4 then R5: admit with Startup MB, reclaiming from lower-or-equal-weight donors when short.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Start(in HostColumns host, int k, in TickContext ctx, HostScratch scratch, bool reclaim, bool indexed)
    {
        int startup = host.Startup[k];
        int missing = startup - host.Available;
        if (missing > 0 && (!reclaim || !(indexed ? DonorIndex.Reclaim(host, k, missing, allOrNothing: true, scratch) : Reclaim(host, k, missing, allOrNothing: true, scratch))))
        {
            // R4: NotEnoughMemory, nothing reclaimed, the VM stays Off.
            SetResult(host, k, ctx, LifecycleResult.NotEnoughMemory);
            if (host.FailedStarts != int.MaxValue)
                host.FailedStarts++; // saturates: a VM denied every tick for years on a full host would wrap it negative
            return;
        }

        host.Available -= startup;
        Boot(host, k, ctx, assigned: startup, smartPaging: 0);
        host.WinFirst[k] = ctx.WindowTick;              // R18: its samples in this window start with this tick
        SetResult(host, k, ctx, LifecycleResult.Started);
    }

    /// <summary>R6: memory back to Startup; the excess returns, a deficit is taken from the pool, then Smart Paging.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Restart(in HostColumns host, int k, in TickContext ctx, HostScratch scratch, bool reclaim, bool indexed)
    {
        // The restarted VM is no donor of this pass's later reclaims (it boots, or is Off).
        if (indexed && scratch.DonorsBuilt)
            DonorIndex.Remove(host, k, scratch);
        int startup = host.Startup[k];
        int assigned = host.Assigned[k];
        if (assigned >= startup)
        {
            host.Available += assigned - startup;
            Boot(host, k, ctx, assigned: startup, smartPaging: 0);
            SetResult(host, k, ctx, LifecycleResult.Restarted);
            return;
        }

        int deficit = startup - assigned;
        int missing = deficit - host.Available;
        // With Smart Paging the reclaim is best effort (what it cannot find becomes Smart Paging); without it the
        // restart fails unless the whole deficit is found, and then, as in R4, nothing is reclaimed.
        if (missing > 0 && reclaim)
        {
            if (indexed)
                DonorIndex.Reclaim(host, k, missing, allOrNothing: !ctx.SmartPaging, scratch);
            else
                Reclaim(host, k, missing, allOrNothing: !ctx.SmartPaging, scratch);
        }

        int take = Math.Min(deficit, host.Available);
        host.Available -= take;
        int rest = deficit - take;
        if (rest > 0 && !ctx.SmartPaging)
        {
            // R6 without Smart Paging: the restart fails and the VM is Off (R7).
            host.Available += assigned + take;
            host.ClearRuntime(k);
            SetResult(host, k, ctx, LifecycleResult.RestartFailed);
            return;
        }

        Boot(host, k, ctx, assigned: assigned + take, smartPaging: rest);
        SetResult(host, k, ctx, rest > 0 ? LifecycleResult.RestartedWithSmartPaging : LifecycleResult.Restarted);
    }

    /// <summary>R5: Booting for BootGrace ticks with Ballooned = 0 and GuestVisible = Startup.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Boot(in HostColumns host, int k, in TickContext ctx, int assigned, int smartPaging)
    {
        host.Assigned[k] = assigned;
        host.Ballooned[k] = 0;
        host.SmartPaging[k] = smartPaging;
        host.BootTicksLeft[k] = ctx.BootTicks;

        // The R17 mark is kept: a restarted VM may have been a donor of a reclaim earlier in this tick.
        host.Flags[k] = (host.Flags[k] & (VmFlags.SettingBits | VmFlags.Decided)) | VmFlags.Booting | (smartPaging > 0 ? VmFlags.HasSmartPaging : 0);
        host.State[k] = (byte)VmState.Booting;
        host.Generation[k]++;
    }

    /// <summary>
    /// R4's reclaim: from Running DM VMs whose Weight is at most the requester's (none if its Weight is 0),
    /// lowest Weight first, then lowest slot: first their surplus above Target (as of the previous tick), then
    /// down to Minimum. Not limited by R12's cap; the memory is usable in the same tick. With
    /// <paramref name="allOrNothing"/> nothing is taken unless the whole amount can be found.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool Reclaim(in HostColumns host, int self, int needed, bool allOrNothing, HostScratch scratch)
    {
        Span<ushort> weightCol = host.Weight;
        Span<int> flagsCol = host.Flags, assignedCol = host.Assigned, minimumCol = host.Minimum;
        int weight = weightCol[self];
        if (weight == 0)
            return false;
        Span<long> keys = scratch.Keys;
        int n = 0;
        long reclaimable = 0, last = long.MinValue;
        bool sorted = true;
        for (int k = 0; k < host.Count; k++)
        {
            if (k != self && (flagsCol[k] & (VmFlags.StateMask | VmFlags.Dynamic)) == VmFlags.RunningDynamic && weightCol[k] <= weight)
            {
                long key = ((long)weightCol[k] << 32) | (uint)k;
                sorted &= key > last;
                keys[n++] = last = key;
                reclaimable += Math.Max(0, assignedCol[k] - minimumCol[k]);
            }
        }

        if (allOrNothing && reclaimable < needed)
            return false;
        keys = keys[..n];
        if (!sorted)
            keys.Sort(); // (in slot order the keys are already sorted when the donors' weights do not fall: all equal, say)
        Span<int> targetCol = host.Target;
        for (int pass = 0; pass < 2 && needed > 0; pass++)
        {
            foreach (long key in keys)
            {
                int k = (int)(uint)key;
                int floor = pass == 0 ? Math.Max(targetCol[k], minimumCol[k]) : minimumCol[k];
                int x = Math.Min(Math.Max(0, assignedCol[k] - floor), needed);
                if (x > 0)
                {
                    Take(host, k, x);
                    needed -= x;
                    if (needed == 0)
                        break;
                }
            }
        }

        return true;
    }

    /// <summary>R4: donor <paramref name="k"/> gives <paramref name="x"/> MB (ballooned, usable by the requester in this tick; R17's mark).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Take(in HostColumns host, int k, int x)
    {
        host.Assigned[k] -= x;
        host.Ballooned[k] += x;
        host.Removed[k] += x;
        host.Flags[k] |= VmFlags.Decided;
        host.Available += x;
    }
}

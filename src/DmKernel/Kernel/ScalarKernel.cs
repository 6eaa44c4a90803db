using DmKernel.Policies;

namespace DmKernel.Kernel;

/// <summary>
/// The scalar reference: the spec in code, one plain loop per step, each step citing its rule. Every other
/// path is tested against it, bit for bit. Index k is a slot's offset in the host (<see cref="HostColumns"/>).
/// </summary>
internal struct ScalarKernel : IHostKernel
{
    public static void TickHosts(FleetColumns columns, int first, int end, in TickContext ctx, HostScratch scratch)
    {
        for (int h = first; h < end; h++)
            TickHost(columns.Host(h), ctx, scratch);
    }

    public static void TickHost(in HostColumns host, in TickContext ctx, HostScratch scratch)
    {
        StartHostTick(host);
        int n = host.Count;
        Span<int> flagsCol = host.Flags;

        // R4–R7: lifecycle requests made since the last tick.
        if (host.PendingRequests > 0)
            Lifecycle.ProcessRequests(host, ctx, scratch);

        // R8 demand, R9 target, R11 shortfall.
        Span<int> committedCol = host.Committed, assignedCol = host.Assigned, demandCol = host.Demand, targetCol = host.Target;
        Span<int> minimumCol = host.Minimum, maximumCol = host.Maximum, startupCol = host.Startup;
        Span<ushort> bufferCol = host.Buffer;
        long shortfall = 0;
        for (int k = 0; k < n; k++)
        {
            int flags = flagsCol[k];
            if ((flags & VmFlags.StateMask) == 0)
            {
                demandCol[k] = 0;
                targetCol[k] = 0;
                continue;
            }

            int demand = committedCol[k];
            if ((flags & VmFlags.Linux) != 0)
                demand += Rules.LinuxFloor(assignedCol[k]);             // R8: Linux reports committed + floor(Assigned)
            demandCol[k] = demand;

            if ((flags & (VmFlags.StateMask | VmFlags.Dynamic)) == VmFlags.RunningDynamic)
            {
                int target = Rules.Target(demand, bufferCol[k], minimumCol[k], maximumCol[k], ctx.GMask); // R9
                targetCol[k] = target;
                shortfall += Math.Max(0, target - assignedCol[k]);      // R11
            }
            else
            {
                targetCol[k] = startupCol[k];                           // Booting and static VMs hold Startup
            }
        }

        host.Shortfall = shortfall;
        if (shortfall <= host.Available)
        {
            EnoughMemory(host, ctx);
            host.Short = 0;
        }
        else
        {
            // P10: a host with a guest that is not ideal executes the plan with each guest's limit.
            if (host.NonIdealGuests == 0)
                ShortPlan.Run<IdealGuests>(host, ctx, scratch);
            else
                ShortPlan.Run<GuestLimits>(host, ctx, scratch);
            host.Short = 1;
        }

        Finish(host, ctx);
    }

    /// <summary>
    /// R11 with enough memory: every VM below Target is granted the difference (R13: unballoon, then hot-add);
    /// nobody is shrunk by the plan. R15: on a reclaim tick every VM above Target starts being ballooned toward
    /// it, within R12's cap and Linux floor, and goes on each tick until it reaches Target. P10: on a host with a guest
    /// that is not ideal, each such guest's grant and removal are limited by what its driver moves this tick
    /// (<see cref="GuestLimit"/>); a grant it does not take stays in Available, a removal it does not make keeps R15's mark
    /// so that it goes on next tick. An ideal guest's limit is unlimited: its moves are exactly the unlimited ones.
    /// </summary>
    private static void EnoughMemory(in HostColumns host, in TickContext ctx)
    {
        Span<int> flagsCol = host.Flags, assignedCol = host.Assigned, targetCol = host.Target, balloonedCol = host.Ballooned;
        Span<int> unballoonedCol = host.Unballooned, hotAddedCol = host.HotAdded, removedCol = host.Removed;
        bool guests = host.NonIdealGuests != 0;
        int available = host.Available;
        int pending = 0;
        for (int k = 0; k < host.Count; k++)
        {
            int flags = flagsCol[k];
            if ((flags & (VmFlags.StateMask | VmFlags.Dynamic)) != VmFlags.RunningDynamic)
                continue;

            int assigned = assignedCol[k], target = targetCol[k];
            int limit = guests ? GuestLimit(host, k, ctx) : Responsiveness.Unlimited;
            if (assigned < target)
            {
                int grant = Math.Min(target - assigned, limit);     // P10: R13's unballoon and hot-add together
                int unballoon = Math.Min(grant, balloonedCol[k]);
                balloonedCol[k] -= unballoon;
                assignedCol[k] = assigned + grant;
                unballoonedCol[k] = unballoon;
                hotAddedCol[k] = grant - unballoon;
                available -= grant;
                flags &= ~VmFlags.Reclaiming;
            }
            else if (assigned > target && (ctx.ReclaimTick || (flags & VmFlags.Reclaiming) != 0))
            {
                int x = Math.Min(ShortPlan.RemovalLimit(host, k, assigned, assigned - target, ctx), limit) & ~ctx.GMask; // P10
                assignedCol[k] = assigned - x;
                balloonedCol[k] += x;
                removedCol[k] += x;
                pending += x;
                flags = assigned - x > target ? flags | VmFlags.Reclaiming : flags & ~VmFlags.Reclaiming;
            }
            else
            {
                flags &= ~VmFlags.Reclaiming;
            }

            flagsCol[k] = flags;
        }

        host.Available = available;
        host.PendingFreed += pending;
    }

    /// <summary>R12's freed memory joins Available, R17's decisions start at zero, R5's boot graces count down (every policy).</summary>
    internal static void StartHostTick(in HostColumns host)
    {
        int n = host.Count;
        Span<int> flagsCol = host.Flags, bootCol = host.BootTicksLeft;
        Span<int> unballoonedCol = host.Unballooned, hotAddedCol = host.HotAdded, removedCol = host.Removed;

        // R12: memory ballooned in the previous tick joins Available at the start of this one.
        host.Available += host.PendingFreed;
        host.PendingFreed = 0;

        for (int k = 0; k < n; k++)
        {
            // R17: this tick's decisions start at zero.
            unballoonedCol[k] = 0;
            hotAddedCol[k] = 0;
            removedCol[k] = 0;

            // R5: a Booting VM counts down its grace; at zero it is Running and balanced from this tick on.
            if ((flagsCol[k] & VmFlags.StateMask) == VmFlags.Booting && --bootCol[k] == 0)
            {
                flagsCol[k] = (flagsCol[k] & ~VmFlags.StateMask) | VmFlags.Running;
                host.State[k] = (byte)VmState.Running;
            }
        }
    }

    /// <summary>
    /// P10: the MB the driver of the guest at offset <paramref name="k"/> moves this tick (<see cref="Responsiveness.Limit"/>,
    /// the goal policies' limit: phase from the VM's place in its host).
    /// </summary>
    internal static int GuestLimit(in HostColumns host, int k, in TickContext ctx)
        => Responsiveness.Limit(host.GuestKind[k], host.GuestRate[k], host.GuestStuck[k], host.GuestIdeal[k], k, ctx.TickIndex);

    /// <summary>R16 Smart Paging drain, then the outputs: R10 pressure, R20 status, R17/R18 counters and windows, R19.</summary>
    internal static void Finish(in HostColumns host, in TickContext ctx)
    {
        Span<int> flagsCol = host.Flags, assignedCol = host.Assigned, demandCol = host.Demand, targetCol = host.Target;
        Span<int> balloonedCol = host.Ballooned, spCol = host.SmartPaging, pressureCol = host.Pressure;
        Span<int> unballoonedCol = host.Unballooned, hotAddedCol = host.HotAdded, removedCol = host.Removed;
        Span<long> addedTotalCol = host.AddedTotal, removedTotalCol = host.RemovedTotal;
        Span<int> addOpsCol = host.AddOps, removeOpsCol = host.RemoveOps;
        Span<int> winSumCol = host.WinSum, winMinCol = host.WinMin, winMaxCol = host.WinMax;
        long pressureSum = 0, demandSum = 0, assignedSum = 0, added = 0, removed = 0;
        int runningDm = 0, addOps = 0, removeOps = 0;
        for (int k = 0; k < host.Count; k++)
        {
            int flags = flagsCol[k];
            int state = flags & VmFlags.StateMask;

            // R18: cumulative counters and operation counts. An Off VM may have this tick's decision too: a donor of an
            // R4/R6 reclaim whose own restart then failed (R6 without Smart Paging, R7) counts its removal like any other.
            int add = unballoonedCol[k] + hotAddedCol[k], rem = removedCol[k];
            addedTotalCol[k] += add;
            removedTotalCol[k] += rem;
            addOpsCol[k] += add > 0 ? 1 : 0;
            removeOpsCol[k] += rem > 0 ? 1 : 0;
            added += add;
            removed += rem;
            addOps += add > 0 ? 1 : 0;
            removeOps += rem > 0 ? 1 : 0;
            int decided = (add | rem) != 0 ? VmFlags.Decided : 0;
            if (state == 0)
            {
                pressureCol[k] = 0;
                flagsCol[k] = (flags & ~(VmFlags.StatusMask | VmFlags.Decided)) | decided;
                continue;
            }

            // R16: after boot, Smart Paging is converted to balloon, one cap per tick (frees no RAM).
            if (state == VmFlags.Running && spCol[k] > 0)
            {
                int d = Math.Min(spCol[k], ctx.RemoveCap);
                spCol[k] -= d;
                balloonedCol[k] += d;
            }

            int assigned = assignedCol[k], demand = demandCol[k];
            int pressure = Rules.Pressure(demand, assigned);                           // R10
            pressureCol[k] = pressure;

            // R20 status, and the derived marks: Smart Paging left to drain, a decision this tick.
            flags = (flags & ~(VmFlags.StatusMask | VmFlags.HasSmartPaging | VmFlags.Decided))
                | Rules.StatusBits(demand, assigned, targetCol[k])
                | (spCol[k] > 0 ? VmFlags.HasSmartPaging : 0)
                | decided;
            flagsCol[k] = flags;

            // R18: the current pressure window (its sample count is derived: PressureWindows).
            winSumCol[k] += pressure;
            winMinCol[k] = Math.Min(winMinCol[k], pressure);
            winMaxCol[k] = Math.Max(winMaxCol[k], pressure);

            if ((flags & (VmFlags.StateMask | VmFlags.Dynamic)) == VmFlags.RunningDynamic)
            {
                runningDm++;
                pressureSum += pressure;
                demandSum += demand;
                assignedSum += assigned;
            }
        }

        HostCounters.Write(host, pressureSum, runningDm, demandSum, assignedSum, added, removed, addOps, removeOps);

        // R18: a window that ends with this tick reports its figures and starts over.
        if (ctx.WindowEnd)
            PressureWindows.Close(host, ctx);
    }
}

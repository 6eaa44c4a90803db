namespace DmKernel.Kernel;

/// <summary>
/// The scalar reference: the spec in code, one plain loop per step, each step citing its rule. Every other
/// path is tested against it, bit for bit.
/// </summary>
internal struct ScalarKernel : IHostKernel
{
    public static void TickHost(Fleet f, int h, in TickContext ctx, HostScratch scratch)
    {
        int start = f.HostStartCol[h], end = start + f.HostCapacityCol[h];

        // R12: memory ballooned in the previous tick joins Available at the start of this one.
        f.HostAvailableCol[h] += f.HostPendingFreedCol[h];
        f.HostPendingFreedCol[h] = 0;

        for (int i = start; i < end; i++)
        {
            // R17: this tick's decisions start at zero.
            f.UnballoonedCol[i] = 0;
            f.HotAddedCol[i] = 0;
            f.RemovedCol[i] = 0;

            // R5: a Booting VM counts down its grace; at zero it is Running and balanced from this tick on.
            if ((f.FlagsCol[i] & VmFlags.StateMask) == VmFlags.Booting && --f.BootTicksLeftCol[i] == 0)
                f.FlagsCol[i] = (f.FlagsCol[i] & ~VmFlags.StateMask) | VmFlags.Running;
        }

        // R4–R7: lifecycle requests made since the last tick.
        if (f.HostPendingRequestsCol[h] > 0)
            Lifecycle.ProcessRequests(f, h, ctx, scratch);

        // R8 demand, R9 target, R11 shortfall.
        long shortfall = 0;
        for (int i = start; i < end; i++)
        {
            int flags = f.FlagsCol[i];
            if ((flags & VmFlags.StateMask) == 0)
            {
                f.DemandCol[i] = 0;
                f.TargetCol[i] = 0;
                continue;
            }

            int demand = f.CommittedCol[i];
            if ((flags & VmFlags.Linux) != 0)
                demand += Rules.LinuxFloor(f.AssignedCol[i]);           // R8: Linux reports committed + floor(Assigned)
            f.DemandCol[i] = demand;

            if ((flags & (VmFlags.StateMask | VmFlags.Dynamic)) == VmFlags.RunningDynamic)
            {
                int target = Rules.Target(demand, f.BufferCol[i], f.MinimumCol[i], f.MaximumCol[i], ctx.GMask); // R9
                f.TargetCol[i] = target;
                shortfall += Math.Max(0, target - f.AssignedCol[i]);    // R11
            }
            else
            {
                f.TargetCol[i] = f.StartupCol[i];                       // Booting and static VMs hold Startup
            }
        }

        f.HostShortfallCol[h] = shortfall;
        if (shortfall <= f.HostAvailableCol[h])
        {
            EnoughMemory(f, h, start, end, ctx);
            f.HostShortCol[h] = 0;
        }
        else
        {
            ShortPlan.Run(f, h, ctx, scratch);
            f.HostShortCol[h] = 1;
        }

        Finish(f, h, start, end, ctx);
    }

    /// <summary>
    /// R11 with enough memory: every VM below Target is granted the difference (R13: unballoon, then hot-add);
    /// nobody is shrunk by the plan. R15: on a reclaim tick every VM above Target starts being ballooned toward
    /// it, within R12's cap and Linux floor, and goes on each tick until it reaches Target.
    /// </summary>
    private static void EnoughMemory(Fleet f, int h, int start, int end, in TickContext ctx)
    {
        int available = f.HostAvailableCol[h];
        int pending = 0;
        for (int i = start; i < end; i++)
        {
            int flags = f.FlagsCol[i];
            if ((flags & (VmFlags.StateMask | VmFlags.Dynamic)) != VmFlags.RunningDynamic)
                continue;

            int assigned = f.AssignedCol[i], target = f.TargetCol[i];
            if (assigned < target)
            {
                int grant = target - assigned;
                int unballoon = Math.Min(grant, f.BalloonedCol[i]);
                f.BalloonedCol[i] -= unballoon;
                f.AssignedCol[i] = target;
                f.UnballoonedCol[i] = unballoon;
                f.HotAddedCol[i] = grant - unballoon;
                available -= grant;
                flags &= ~VmFlags.Reclaiming;
            }
            else if (assigned > target && (ctx.ReclaimTick || (flags & VmFlags.Reclaiming) != 0))
            {
                int x = ShortPlan.RemovalLimit(f, i, assigned, assigned - target, ctx);
                f.AssignedCol[i] = assigned - x;
                f.BalloonedCol[i] += x;
                f.RemovedCol[i] += x;
                pending += x;
                flags = assigned - x > target ? flags | VmFlags.Reclaiming : flags & ~VmFlags.Reclaiming;
            }
            else
            {
                flags &= ~VmFlags.Reclaiming;
            }

            f.FlagsCol[i] = flags;
        }

        f.HostAvailableCol[h] = available;
        f.HostPendingFreedCol[h] += pending;
    }

    /// <summary>R16 Smart Paging drain, then the outputs: R10 pressure, R20 status, R17/R18 counters and windows, R19.</summary>
    private static void Finish(Fleet f, int h, int start, int end, in TickContext ctx)
    {
        long pressureSum = 0, demandSum = 0, assignedSum = 0, added = 0, removed = 0;
        int runningDm = 0, addOps = 0, removeOps = 0;
        for (int i = start; i < end; i++)
        {
            int flags = f.FlagsCol[i];
            int state = flags & VmFlags.StateMask;
            if (state == 0)
            {
                f.PressureCol[i] = 0;
                f.FlagsCol[i] = flags & ~VmFlags.StatusMask;
                continue;
            }

            // R16: after boot, Smart Paging is converted to balloon, one cap per tick (frees no RAM).
            if (state == VmFlags.Running && f.SmartPagingCol[i] > 0)
            {
                int d = Math.Min(f.SmartPagingCol[i], ctx.RemoveCap);
                f.SmartPagingCol[i] -= d;
                f.BalloonedCol[i] += d;
            }

            int assigned = f.AssignedCol[i], demand = f.DemandCol[i];
            int pressure = Rules.Pressure(demand, assigned);                           // R10
            f.PressureCol[i] = pressure;
            f.FlagsCol[i] = (flags & ~VmFlags.StatusMask) | Rules.StatusBits(demand, assigned, f.TargetCol[i]); // R20

            // R18: cumulative counters and operation counts.
            int add = f.UnballoonedCol[i] + f.HotAddedCol[i], rem = f.RemovedCol[i];
            f.AddedTotalCol[i] += add;
            f.RemovedTotalCol[i] += rem;
            f.AddOpsCol[i] += add > 0 ? 1 : 0;
            f.RemoveOpsCol[i] += rem > 0 ? 1 : 0;
            added += add;
            removed += rem;
            addOps += add > 0 ? 1 : 0;
            removeOps += rem > 0 ? 1 : 0;

            // R18: the current pressure window.
            f.WinSumCol[i] += pressure;
            f.WinCountCol[i]++;
            f.WinMinCol[i] = Math.Min(f.WinMinCol[i], pressure);
            f.WinMaxCol[i] = Math.Max(f.WinMaxCol[i], pressure);
            if (ctx.WindowEnd)
            {
                f.LastAvgCol[i] = Rules.WindowAverage(f.WinSumCol[i], f.WinCountCol[i]);
                f.LastMinCol[i] = f.WinMinCol[i];
                f.LastMaxCol[i] = f.WinMaxCol[i];
                f.WinSumCol[i] = 0;
                f.WinCountCol[i] = 0;
                f.WinMinCol[i] = int.MaxValue;
                f.WinMaxCol[i] = 0;
            }

            if ((flags & (VmFlags.StateMask | VmFlags.Dynamic)) == VmFlags.RunningDynamic)
            {
                runningDm++;
                pressureSum += pressure;
                demandSum += demand;
                assignedSum += assigned;
            }
        }

        HostCounters.Write(f, h, pressureSum, runningDm, demandSum, assignedSum, added, removed, addOps, removeOps);
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DmKernel.Kernel;

/// <summary>
/// The tick over a host's slots, <typeparamref name="TV"/>.Count VMs at a time, bit-identical to
/// <see cref="ScalarKernel"/>: branches are masks, sums are exact integers, the divisions of R9, R10 and R18
/// are the same binary64 operations as in <see cref="Rules"/>. Hosts with enough memory (the common case)
/// run two vector passes; a short host runs R11's water-filling over its slots (<see cref="VectorShortPlan{TV}"/>)
/// between them, and the second pass applies the plan; a host with lifecycle requests runs R4–R7 per VM
/// (<see cref="Lifecycle"/>) before them, in the scalar order.
/// </summary>
internal struct VectorKernel<TV> : IHostKernel
    where TV : struct, IVec<TV>
{
    /// <summary>Vectors per block: int lane sums of demand (&lt; 2^25 each) stay below 2^31 within a block.</summary>
    private const int BlockVectors = 32;

    public static void TickHost(in HostColumns host, in TickContext ctx, HostScratch scratch)
    {
        int end = host.Count;

        // R12: memory ballooned in the previous tick joins Available.
        host.Available += host.PendingFreed;
        host.PendingFreed = 0;

        // A host short last tick is likely short again: start the misses on the memory only its plan reads.
        if (host.Short != 0 && scratch.Cache is { } cache)
            scratch.Sink |= cache.Touch(host.Weight, host.Start);

        bool lifecycle = host.PendingRequests > 0;
        if (lifecycle)
        {
            // In the scalar order: R17's reset and R5's countdown, then R4–R7 (per-VM code; a donor's reclaim is
            // already in its Removed), then the vector passes without a second countdown.
            ClearDecisions(host);
            BootCountdown(host);
            Lifecycle.ProcessRequests(host, ctx, scratch);
        }

        long shortfall = DemandAndTarget(host, end, ctx, countdown: !lifecycle);
        host.Shortfall = shortfall;
        if (shortfall <= host.Available)
        {
            host.Short = 0;
            Finish(host, end, ctx, enough: true, keepRemoved: lifecycle, scratch);
        }
        else
        {
            // R11 short: the plan's allocations and R13 grants per slot; the finishing pass applies them with R12.
            host.Short = 1;
            VectorShortPlan<TV>.Plan(host, ctx, scratch);
            Finish(host, end, ctx, enough: false, keepRemoved: lifecycle, scratch);
        }
    }

    /// <summary>R17: this tick's decisions start at zero (the short plan and R4's reclaim add to them).</summary>
    private static void ClearDecisions(in HostColumns host)
    {
        host.Unballooned.Clear();
        host.HotAdded.Clear();
        host.Removed.Clear();
    }

    /// <summary>R5 alone: Booting VMs count down; at zero they are Running.</summary>
    private static void BootCountdown(in HostColumns host)
    {
        int start = 0, end = host.Count;
        ref int flagsRef = ref MemoryMarshal.GetReference(host.Flags);
        ref int bootRef = ref MemoryMarshal.GetReference(host.BootTicksLeft);
        TV stateMask = TV.Create(VmFlags.StateMask), booting = TV.Create(VmFlags.Booting), running = TV.Create(VmFlags.Running);
        TV one = TV.Create(1), zero = TV.Create(0);
        for (int i = start; i < end; i += TV.Count)
        {
            nuint x = (nuint)i;
            TV flags = TV.Load(ref flagsRef, x);
            TV isBooting = TV.Equal(flags & stateMask, booting);
            TV boot = TV.Load(ref bootRef, x) - (isBooting & one);
            TV nowRunning = isBooting & TV.Equal(boot, zero);
            TV.Store(boot, ref bootRef, x);
            TV.Store(TV.Select(nowRunning, TV.AndNot(flags, stateMask) | running, flags), ref flagsRef, x);
            if (!TV.IsZero(nowRunning))
                SyncState(host, i);
        }
    }

    /// <summary>The State column of the vector at <paramref name="offset"/> from its Flags (after VMs turned Running).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void SyncState(in HostColumns host, int offset)
    {
        Span<byte> state = host.State.Slice(offset, TV.Count);
        ReadOnlySpan<int> flags = host.Flags.Slice(offset, TV.Count);
        for (int j = 0; j < state.Length; j++)
            state[j] = (byte)(flags[j] & VmFlags.StateMask);
    }

    /// <summary>R5 boot countdown (unless it already ran: <paramref name="countdown"/> false), R8 demand, R9 target; returns R11's Shortfall.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long DemandAndTarget(in HostColumns host, int end, in TickContext ctx, bool countdown)
    {
        int start = 0;
        ref int flagsRef = ref MemoryMarshal.GetReference(host.Flags);
        ref int bootRef = ref MemoryMarshal.GetReference(host.BootTicksLeft);
        ref int committedRef = ref MemoryMarshal.GetReference(host.Committed);
        ref int assignedRef = ref MemoryMarshal.GetReference(host.Assigned);
        ref int bufferRef = ref MemoryMarshal.GetReference(host.Buffer);
        ref int minRef = ref MemoryMarshal.GetReference(host.Minimum);
        ref int maxRef = ref MemoryMarshal.GetReference(host.Maximum);
        ref int startupRef = ref MemoryMarshal.GetReference(host.Startup);
        ref int demandRef = ref MemoryMarshal.GetReference(host.Demand);
        ref int targetRef = ref MemoryMarshal.GetReference(host.Target);

        TV stateMask = TV.Create(VmFlags.StateMask), booting = TV.Create(VmFlags.Booting), running = TV.Create(VmFlags.Running);
        TV rdMask = TV.Create(VmFlags.StateMask | VmFlags.Dynamic), rd = TV.Create(VmFlags.RunningDynamic);
        TV linuxBit = TV.Create(VmFlags.Linux), one = TV.Create(1), zero = TV.Create(0);
        TV countdownMask = countdown ? TV.Create(-1) : zero;
        long shortfall = 0;
        for (int block = start; block < end; block += BlockVectors * TV.Count)
        {
            int blockEnd = Math.Min(end, block + BlockVectors * TV.Count);
            TV acc = zero;
            for (int i = block; i < blockEnd; i += TV.Count)
            {
                nuint x = (nuint)i;
                TV flags = TV.Load(ref flagsRef, x);

                // R5: Booting VMs count down; at zero they are Running. (Most vectors have no Booting VM: nothing to write.)
                TV isBooting = TV.Equal(flags & stateMask, booting) & countdownMask;
                if (!TV.IsZero(isBooting))
                {
                    TV boot = TV.Load(ref bootRef, x) - (isBooting & one);
                    TV nowRunning = isBooting & TV.Equal(boot, zero);
                    flags = TV.Select(nowRunning, TV.AndNot(flags, stateMask) | running, flags);
                    TV.Store(boot, ref bootRef, x);
                    TV.Store(flags, ref flagsRef, x);
                    if (!TV.IsZero(nowRunning))
                        SyncState(host, i);
                }

                // R8: demand; Linux guests add floor(Assigned). Off VMs have none.
                TV off = TV.Equal(flags & stateMask, zero);
                TV assigned = TV.Load(ref assignedRef, x);
                TV linux = TV.Equal(flags & linuxBit, linuxBit);
                TV demand = TV.Load(ref committedRef, x) + (LinuxFloor(assigned) & linux);
                demand = TV.AndNot(demand, off);
                TV.Store(demand, ref demandRef, x);

                // R9: Running DM VMs get their target; Booting and static VMs hold Startup; Off VMs 0.
                TV runningDm = TV.Equal(flags & rdMask, rd);
                TV target = TV.Target(demand, TV.Load(ref bufferRef, x), TV.Load(ref minRef, x), TV.Load(ref maxRef, x), ctx.GMask);
                target = TV.Select(runningDm, target, TV.AndNot(TV.Load(ref startupRef, x), off));
                TV.Store(target, ref targetRef, x);

                // R11: Shortfall = Σ max(0, Target − Assigned) over Running DM VMs.
                acc += TV.Max(target - assigned, zero) & runningDm;
            }

            shortfall += TV.SumWidened(acc);
        }

        return shortfall;
    }

    /// <summary>
    /// With <paramref name="enough"/>: R11's enough-memory grants (R13) and R15's reclaim, lane by lane. Then,
    /// for every host: R16 drain, R10 pressure, R20 status, R17/R18 counters and windows, and R19's sums.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Finish(in HostColumns host, int end, in TickContext ctx, bool enough, bool keepRemoved, HostScratch scratch)
    {
        int start = 0;
        ref int flagsRef = ref MemoryMarshal.GetReference(host.Flags);
        ref int assignedRef = ref MemoryMarshal.GetReference(host.Assigned);
        ref int balloonedRef = ref MemoryMarshal.GetReference(host.Ballooned);
        ref int spRef = ref MemoryMarshal.GetReference(host.SmartPaging);
        ref int demandRef = ref MemoryMarshal.GetReference(host.Demand);
        ref int targetRef = ref MemoryMarshal.GetReference(host.Target);
        ref int pressureRef = ref MemoryMarshal.GetReference(host.Pressure);
        ref int unbRef = ref MemoryMarshal.GetReference(host.Unballooned);
        ref int hotRef = ref MemoryMarshal.GetReference(host.HotAdded);
        ref int remRef = ref MemoryMarshal.GetReference(host.Removed);
        ref long addedTotalRef = ref MemoryMarshal.GetReference(host.AddedTotal);
        ref long removedTotalRef = ref MemoryMarshal.GetReference(host.RemovedTotal);
        ref int addOpsRef = ref MemoryMarshal.GetReference(host.AddOps);
        ref int remOpsRef = ref MemoryMarshal.GetReference(host.RemoveOps);
        ref int winSumRef = ref MemoryMarshal.GetReference(host.WinSum);
        ref int winCountRef = ref MemoryMarshal.GetReference(host.WinCount);
        ref int winMinRef = ref MemoryMarshal.GetReference(host.WinMin);
        ref int winMaxRef = ref MemoryMarshal.GetReference(host.WinMax);
        ref int lastAvgRef = ref MemoryMarshal.GetReference(host.LastAvg);
        ref int lastMinRef = ref MemoryMarshal.GetReference(host.LastMin);
        ref int lastMaxRef = ref MemoryMarshal.GetReference(host.LastMax);
        ref int minRef = ref MemoryMarshal.GetReference(host.Minimum);
        ref int allocRef = ref MemoryMarshal.GetArrayDataReference(scratch.Alloc);
        ref int grantRef = ref MemoryMarshal.GetArrayDataReference(scratch.Grant);

        TV zero = TV.Create(0), one = TV.Create(1);
        TV stateMask = TV.Create(VmFlags.StateMask), running = TV.Create(VmFlags.Running);
        TV rdMask = TV.Create(VmFlags.StateMask | VmFlags.Dynamic), rd = TV.Create(VmFlags.RunningDynamic);
        TV linuxBit = TV.Create(VmFlags.Linux), reclaimBit = TV.Create(VmFlags.Reclaiming);
        TV statusMask = TV.Create(VmFlags.StatusMask), low = TV.Create(VmFlags.Low), warning = TV.Create(VmFlags.Warning);
        TV cap = TV.Create(ctx.RemoveCap), gMask = TV.Create(ctx.GMask);
        TV reclaimTick = ctx.ReclaimTick ? TV.Create(-1) : zero;
        TV emptyMin = TV.Create(int.MaxValue);
        bool windowEnd = ctx.WindowEnd;

        TV grantAcc = zero, pendingAcc = zero, pressureAcc = zero, countAcc = zero, assignedAcc = zero;
        TV addedAcc = zero, removedAcc = zero, addOpsAcc = zero, remOpsAcc = zero;
        long demandSum = 0;
        for (int block = start; block < end; block += BlockVectors * TV.Count)
        {
            int blockEnd = Math.Min(end, block + BlockVectors * TV.Count);
            TV demandAcc = zero;
            for (int i = block; i < blockEnd; i += TV.Count)
            {
                nuint x = (nuint)i;
                TV flags = TV.Load(ref flagsRef, x);
                TV assigned = TV.Load(ref assignedRef, x);
                TV ballooned = TV.Load(ref balloonedRef, x);
                TV demand = TV.Load(ref demandRef, x);
                TV target = TV.Load(ref targetRef, x);
                TV runningDm = TV.Equal(flags & rdMask, rd);
                TV unb, hot, removed, grant, removedNow;
                if (enough)
                {
                    // R11 enough + R13: every Running DM VM below Target gets the difference: unballoon, then hot-add.
                    grant = TV.Max(target - assigned, zero) & runningDm;

                    // R15: above Target on a reclaim tick, or still reclaiming: balloon toward Target within R12's limits.
                    TV above = runningDm & TV.GreaterThan(assigned, target);
                    TV reclaimNow = above & (reclaimTick | TV.Equal(flags & reclaimBit, reclaimBit));
                    // (R12's "down to Minimum" needs no lane here: Target >= Minimum, so Assigned - Target <= Assigned - Minimum.)
                    TV take = TV.Min(assigned - target, cap);
                    TV linux = TV.Equal(flags & linuxBit, linuxBit);
                    take = TV.Select(linux, TV.Min(take, TV.Max(assigned - demand, zero)), take);
                    removedNow = TV.AndNot(take, gMask) & reclaimNow;
                    TV stillAbove = reclaimNow & TV.GreaterThan(assigned + grant - removedNow, target);
                    flags = TV.Select(runningDm, TV.AndNot(flags, reclaimBit) | (stillAbove & reclaimBit), flags);
                }
                else
                {
                    // R11 short: the plan's grant (R13), and R12's removal toward the plan's allocation within the
                    // cap, down to Minimum, and for a Linux guest not below its demand.
                    nuint o = x;
                    grant = TV.Load(ref grantRef, o);
                    TV alloc = TV.Load(ref allocRef, o);
                    TV take = TV.Min(TV.Min(assigned - alloc, cap), TV.Max(assigned - TV.Load(ref minRef, x), zero));
                    TV linux = TV.Equal(flags & linuxBit, linuxBit);
                    take = TV.Select(linux, TV.Min(take, TV.Max(assigned - demand, zero)), take);
                    removedNow = TV.AndNot(take, gMask) & runningDm & TV.GreaterThan(assigned, alloc);
                }

                // R13: unballoon, then hot-add; R12: the balloon takes what is removed (it joins Available next tick).
                unb = TV.Min(grant, ballooned);
                hot = grant - unb;
                grantAcc += grant;
                pendingAcc += removedNow;
                ballooned = ballooned - unb + removedNow;
                assigned = assigned + grant - removedNow;

                // After R4–R7 this tick a donor's Removed already holds what the lifecycle reclaim took.
                removed = keepRemoved ? removedNow + TV.Load(ref remRef, x) : removedNow;
                TV.Store(unb, ref unbRef, x);
                TV.Store(hot, ref hotRef, x);
                TV.Store(removed, ref remRef, x);

                // R16: Running VMs convert Smart Paging to balloon, one cap per tick.
                TV state = flags & stateMask;
                TV off = TV.Equal(state, zero);
                TV sp = TV.Load(ref spRef, x);
                if (!TV.IsZero(sp))
                {
                    TV drain = TV.Min(sp, cap) & TV.Equal(state, running);
                    TV.Store(sp - drain, ref spRef, x);
                    ballooned += drain;
                }

                TV.Store(ballooned, ref balloonedRef, x);
                TV.Store(assigned, ref assignedRef, x);

                // R10 pressure and R20 status (Off VMs: 0 and OK).
                TV pressure = TV.AndNot(TV.Pressure(demand, assigned), off);
                TV.Store(pressure, ref pressureRef, x);
                TV status = TV.Select(TV.GreaterThan(demand, assigned), warning, TV.LessThan(assigned, target) & low);
                flags = TV.AndNot(flags, statusMask) | TV.AndNot(status, off);
                TV.Store(flags, ref flagsRef, x);

                // R18: cumulative counters (Off VMs have no decisions, so adding zero is the scalar's skip). Most
                // VMs get no add or remove in a tick: when none of these lanes does, the counters stay as they are.
                TV added = unb + hot;
                if (!TV.IsZero(added | removed))
                {
                    TV.AddToLong(ref addedTotalRef, x, added);
                    TV.AddToLong(ref removedTotalRef, x, removed);
                    TV addOp = TV.GreaterThan(added, zero) & one, remOp = TV.GreaterThan(removed, zero) & one;
                    TV.Store(TV.Load(ref addOpsRef, x) + addOp, ref addOpsRef, x);
                    TV.Store(TV.Load(ref remOpsRef, x) + remOp, ref remOpsRef, x);
                    addedAcc += added;
                    removedAcc += removed;
                    addOpsAcc += addOp;
                    remOpsAcc += remOp;
                }

                // R18: the current pressure window, for VMs that are not Off.
                TV on = TV.AndNot(TV.Create(-1), off);
                TV sum = TV.Load(ref winSumRef, x) + (pressure & on);
                TV count = TV.Load(ref winCountRef, x) + (one & on);
                TV wmin = TV.Select(on, TV.Min(TV.Load(ref winMinRef, x), pressure), TV.Load(ref winMinRef, x));
                TV wmax = TV.Select(on, TV.Max(TV.Load(ref winMaxRef, x), pressure), TV.Load(ref winMaxRef, x));
                if (windowEnd)
                {
                    TV.Store(TV.Select(on, TV.WindowAverage(sum, count), TV.Load(ref lastAvgRef, x)), ref lastAvgRef, x);
                    TV.Store(TV.Select(on, wmin, TV.Load(ref lastMinRef, x)), ref lastMinRef, x);
                    TV.Store(TV.Select(on, wmax, TV.Load(ref lastMaxRef, x)), ref lastMaxRef, x);
                    sum = TV.AndNot(sum, on);
                    count = TV.AndNot(count, on);
                    wmin = TV.Select(on, emptyMin, wmin);
                    wmax = TV.AndNot(wmax, on);
                }

                TV.Store(sum, ref winSumRef, x);
                TV.Store(count, ref winCountRef, x);
                TV.Store(wmin, ref winMinRef, x);
                TV.Store(wmax, ref winMaxRef, x);

                // R19 sums over the Running DM VMs.
                pressureAcc += pressure & runningDm;
                countAcc += one & runningDm;
                demandAcc += demand & runningDm;
                assignedAcc += assigned & runningDm;
            }

            demandSum += TV.SumWidened(demandAcc);
        }

        host.Available -= (int)TV.SumWidened(grantAcc);
        host.PendingFreed += (int)TV.SumWidened(pendingAcc);

        HostCounters.Write(host, TV.SumWidened(pressureAcc), (int)TV.SumWidened(countAcc), demandSum, TV.SumWidened(assignedAcc),
            TV.SumWidened(addedAcc), TV.SumWidened(removedAcc), (int)TV.SumWidened(addOpsAcc), (int)TV.SumWidened(remOpsAcc));
    }

    /// <summary>R8's Linux floor, lane by lane as <see cref="Rules.LinuxFloor"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV LinuxFloor(TV t)
    {
        TV f = TV.Create(488) + TV.ShiftRight(t, 5);
        f = TV.Select(TV.LessThan(t, TV.Create(8192)), TV.Create(232) + TV.ShiftRight(t, 4), f);
        f = TV.Select(TV.LessThan(t, TV.Create(2048)), TV.Create(104) + TV.ShiftRight(t, 3), f);
        f = TV.Select(TV.LessThan(t, TV.Create(512)), TV.Create(40) + TV.ShiftRight(t, 2), f);
        return TV.Select(TV.LessThan(t, TV.Create(128)), TV.Create(8) + TV.ShiftRight(t, 1), f);
    }
}

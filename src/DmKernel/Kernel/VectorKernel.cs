using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DmKernel.Kernel;

/// <summary>
/// The tick over a host's slots, <typeparamref name="TV"/>.Count VMs at a time, bit-identical to
/// <see cref="ScalarKernel"/>: branches are masks, sums are exact integers, the binary64 steps of R9 and R10 give the
/// exact integer results of <see cref="Rules"/>. Hosts with enough memory (the common case) run two vector passes over
/// the host's columns, the second from the L1 cache; a short host runs R11's water-filling over its slots
/// (<see cref="VectorShortPlan{TV}"/>) between them, and the second pass applies the plan; a host with lifecycle
/// requests runs R4–R7 per VM (<see cref="Lifecycle"/>) before them, in the scalar order.
/// </summary>
/// <remarks>
/// No work for a VM whose inputs did not change in a way that matters: per vector, the tick reads and writes only what
/// its VMs need. Smart Paging is read only where a VM has some left (the <see cref="VmFlags.HasSmartPaging"/> mark),
/// the boot countdown only where a VM is Booting, Ballooned only where memory moves, and the decision columns (R17)
/// only where a VM has a decision this tick or had one the tick before (the <see cref="VmFlags.Decided"/> mark: without
/// it all three are zero already). Assigned and the window's minimum and maximum are written only where they change,
/// the 64-bit totals only where memory moved, R15's reclaim is computed only on reclaim ticks and where a VM is still
/// reclaiming, and R18's window close runs once per window (<see cref="PressureWindows"/>). Every skipped store would have written the value already there, so the state is
/// the scalar reference's bit for bit.
/// </remarks>
internal struct VectorKernel<TV> : IHostKernel
    where TV : struct, IVec<TV>
{
    /// <summary>Vectors per block: int lane sums of demand (&lt; 2^25 each) stay below 2^31 within a block.</summary>
    private const int BlockVectors = 32;

    /// <summary>
    /// In <see cref="HostScratch.Deferred"/> of the one-pass tick: the vector needs its grants and nothing else of the
    /// general steps (no mark, not a reclaim tick, its window not closing), so <see cref="GrantsRun"/> finishes it.
    /// </summary>
    private const int GrantsOnly = 1 << 30;

    public static void TickHost(in HostColumns host, in TickContext ctx, HostScratch scratch)
        => TickHosts(host.Columns, host.Host, host.Host + 1, ctx, scratch);

    /// <summary>
    /// Ticks hosts [<paramref name="first"/>, <paramref name="end"/>): the hosts that had enough memory last tick and have
    /// no lifecycle requests (most hosts, most ticks) in one loop (<see cref="SimpleHosts"/>), the others one by one
    /// (<see cref="TickOne"/>).
    /// </summary>
    public static void TickHosts(FleetColumns columns, int first, int end, in TickContext ctx, HostScratch scratch)
        => SimpleHosts(columns, first, end, ctx, scratch);

    /// <summary>
    /// The finishing pass of a host whose grants and shrink targets were planned by a balancer policy (docs/policies.md:
    /// <see cref="HostScratch.Grant"/>, <see cref="HostScratch.Alloc"/>; after R4–R7, R8 and Target): the short host's
    /// pass, R12 toward the targets and R13's grants, then R16, R10, R20 and R17–R19.
    /// </summary>
    internal static void FinishPlanned(in HostColumns host, in TickContext ctx, HostScratch scratch)
        => Finish(host, ctx, enough: false, lifecycle: true, windowsClean: false, scratch);

    /// <summary>
    /// The two-pass tick of a host that was short last tick or has lifecycle requests. Like every step a replay's first
    /// tick runs (it starts every VM at once), compiled fully optimized from the first call: tier-0 code there made each
    /// vector operation a call.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void TickOne(in HostColumns host, in TickContext ctx, HostScratch scratch)
    {
        // R12: memory ballooned in the previous tick joins Available.
        host.Available += host.PendingFreed;
        host.PendingFreed = 0;

        bool lifecycle = host.PendingRequests > 0;
        if (lifecycle)
        {
            // In the scalar order: R17's reset and R5's countdown, then R4–R7 (per-VM code; a donor's reclaim is
            // already in its Removed), then the vector passes without a second countdown.
            ClearDecisions(host);
            BootCountdown(host);
            Lifecycle.ProcessRequests(host, ctx, scratch, indexed: true);
        }

        long shortfall = DemandAndTarget(host, ctx, countdown: !lifecycle);
        host.Shortfall = shortfall;
        bool windowsClean = !lifecycle && host.Columns.HostWindowsClean[host.Host] != 0;
        if (shortfall <= host.Available)
        {
            host.Short = 0;
            Finish(host, ctx, enough: true, lifecycle, windowsClean, scratch);
        }
        else
        {
            // R11 short: the plan's allocations and R13 grants per slot; the finishing pass applies them with R12.
            host.Short = 1;
            VectorShortPlan<TV>.Plan(host, ctx, scratch);
            Finish(host, ctx, enough: false, lifecycle, windowsClean, scratch);
        }

    }

    /// <summary>R17: this tick's decisions start at zero (the short plan and R4's reclaim add to them).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ClearDecisions(in HostColumns host)
    {
        host.Unballooned.Clear();
        host.HotAdded.Clear();
        host.Removed.Clear();
    }

    /// <summary>R5 alone: Booting VMs count down; at zero they are Running.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BootCountdown(in HostColumns host)
    {
        ref int flagsRef = ref host.Ref(host.Columns.Flags);
        ref int bootRef = ref host.Ref(host.Columns.BootTicksLeft);
        TV stateMask = TV.Create(VmFlags.StateMask), booting = TV.Create(VmFlags.Booting), running = TV.Create(VmFlags.Running);
        TV zero = TV.Create(0), one = TV.Create(1);
        bool turnedRunning = false;
        for (int i = 0; i < host.Count; i += TV.Count)
        {
            nuint x = (nuint)i;
            TV flags = TV.Load(ref flagsRef, x);
            TV isBooting = TV.Equal(flags & stateMask, booting);
            if (TV.IsZero(isBooting))
                continue;
            TV boot = TV.Load(ref bootRef, x) - (isBooting & one);
            TV nowRunning = isBooting & TV.Equal(boot, zero);
            TV.Store(boot, ref bootRef, x);
            if (!TV.IsZero(nowRunning))
            {
                TV.Store(TV.Select(nowRunning, TV.AndNot(flags, stateMask) | running, flags), ref flagsRef, x);
                turnedRunning = true;
            }
        }

        if (turnedRunning)
            SyncState(host, 0, host.Count);
    }

    /// <summary>The State column of slots [<paramref name="offset"/>, + <paramref name="count"/>) from their Flags (after VMs turned Running).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void SyncState(in HostColumns host, int offset, int count)
    {
        Span<byte> state = host.State.Slice(offset, count);
        ReadOnlySpan<int> flags = host.Flags.Slice(offset, count);
        for (int j = 0; j < state.Length; j++)
            state[j] = (byte)(flags[j] & VmFlags.StateMask);
    }

    /// <summary>
    /// The one-pass tick of the hosts in [<paramref name="first"/>, <paramref name="end"/>) that had enough memory last
    /// tick and have no lifecycle requests (the others go to <see cref="TickOne"/>). Per host: R12's join, then one pass
    /// computes R5's countdown, R8 demand, R9 target and R11's Shortfall of every vector and, assuming the host has
    /// enough memory again, the outputs (<see cref="Outputs"/>) and R19's sums of every vector that needs nothing else;
    /// the others are noted in <see cref="HostScratch.Deferred"/>. A host that needs nothing more is finished in the
    /// loop; the others in <see cref="FinishSimple"/> (out of the loop, so that it keeps its references in registers).
    /// One loop for many hosts: its set-up is paid once, not per host of 64 VMs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SimpleHosts(FleetColumns c, int first, int end, in TickContext ctx, HostScratch scratch)
    {
        ref int flagsRef = ref MemoryMarshal.GetArrayDataReference(c.Flags);
        ref int committedRef = ref MemoryMarshal.GetArrayDataReference(c.Committed);
        ref int assignedRef = ref MemoryMarshal.GetArrayDataReference(c.Assigned);
        ref ushort bufferRef = ref MemoryMarshal.GetArrayDataReference(c.Buffer);
        ref int minRef = ref MemoryMarshal.GetArrayDataReference(c.Minimum);
        ref int limitRef = ref MemoryMarshal.GetArrayDataReference(c.TargetLimit);
        ref int demandRef = ref MemoryMarshal.GetArrayDataReference(c.Demand);
        ref int targetRef = ref MemoryMarshal.GetArrayDataReference(c.Target);
        ref int pressureRef = ref MemoryMarshal.GetArrayDataReference(c.Pressure);
        ref int winSumRef = ref MemoryMarshal.GetArrayDataReference(c.WinSum);
        ref int winMinRef = ref MemoryMarshal.GetArrayDataReference(c.WinMin);
        ref int winMaxRef = ref MemoryMarshal.GetArrayDataReference(c.WinMax);
        int[] hostStart = c.HostStart, hostCapacity = c.HostCapacity, available = c.HostAvailable, pendingFreed = c.HostPendingFreed;
        int[] pendingRequests = c.HostPendingRequests;
        byte[] hostShort = c.HostShort, hostWindowsClean = c.HostWindowsClean;
        int[] deferredAt = scratch.Deferred;
        bool reclaimTick = ctx.ReclaimTick, windowEnd = ctx.WindowEnd;

        // One-tick windows (60-s traces: every tick closes one): a window that starts the tick empty closes on this
        // tick's sample alone, so the one-pass tick closes it here (OneTickWindow) instead of deferring every vector.
        bool oneTickWindows = windowEnd && ctx.WindowTicks == 1;
        bool deferAll = windowEnd && !oneTickWindows;
        int gMask = ctx.GMask;

        bool prefetch = c.PrefetchCold;
        for (int h = first; h < end; h++)
        {
            // The cold columns of a short host coming up (short on the tick before: its plan and finishing pass read them
            // all), fetched while the hosts before it tick. Not for hosts with lifecycle requests or hosts likely to defer
            // vectors: once the grants-only vectors were finished in registers (GrantsRun), those prefetches cost the
            // generated 1M-VM replay 3-6 % per tick (same-process A/B) and TickBench nothing either way.
            int ahead = h + Prefetch.HostsAhead;
            if (prefetch && ahead < end && hostShort[ahead] != 0)
                Prefetch.GeneralSteps(c, ahead, windowEnd, scratch.Cache);

            if (pendingRequests[h] > 0 || hostShort[h] != 0)
            {
                // The next host's hot columns, whose streams the hardware loses while this one walks its other columns.
                if (prefetch && h + 1 < end)
                    Prefetch.HotColumns(c, h + 1);
                TickOne(c.Host(h), ctx, scratch);
                continue;
            }

            // R12: memory ballooned in the previous tick joins Available.
            available[h] += pendingFreed[h];
            pendingFreed[h] = 0;

            // Constants are created where they are used (embedded broadcasts), not held in registers across the loop:
            // the loop's accumulators must stay in registers.
            int start = hostStart[h], stop = start + hostCapacity[h];

            // One-tick windows of a host whose last tick ended a window start empty: no need to read them to know.
            bool checkWindows = oneTickWindows && hostWindowsClean[h] == 0;
            TV zero = TV.Create(0);
            TV pressureAcc = zero, countAcc = zero, assignedAcc = zero;
            long shortfall = 0, demandSum = 0;
            int nDeferred = 0, nExtended = 0;
            bool turnedRunning = false;
            for (int block = start; block < stop; block += BlockVectors * TV.Count)
            {
                int blockEnd = Math.Min(stop, block + (BlockVectors * TV.Count));
                TV shortfallAcc = zero, demandAcc = zero;
                for (int i = block; i < blockEnd; i += TV.Count)
                {
                    nuint x = (nuint)i;
                    TV flags = TV.Load(ref flagsRef, x);

                    // R5: Booting VMs count down; at zero they are Running. (Most vectors have no Booting VM.)
                    bool bootingLanes = TV.AnyEqual(flags & TV.Create(VmFlags.StateMask), TV.Create(VmFlags.Booting));
                    if (bootingLanes)
                    {
                        TV isBooting = TV.Equal(flags & TV.Create(VmFlags.StateMask), TV.Create(VmFlags.Booting));
                        ref int bootRef = ref MemoryMarshal.GetArrayDataReference(c.BootTicksLeft);
                        TV boot = TV.Load(ref bootRef, x) - (isBooting & TV.Create(1));
                        TV nowRunning = isBooting & TV.Equal(boot, zero);
                        TV.Store(boot, ref bootRef, x);
                        if (!TV.IsZero(nowRunning))
                        {
                            flags = TV.Select(nowRunning, TV.AndNot(flags, TV.Create(VmFlags.StateMask)) | TV.Create(VmFlags.Running), flags);
                            TV.Store(flags, ref flagsRef, x);
                            turnedRunning = true;
                        }
                    }

                    // R8 demand, R9 target, R11 shortfall.
                    TV assigned = TV.Load(ref assignedRef, x);
                    TV runningDm = TV.Equal(flags & TV.Create(VmFlags.StateMask | VmFlags.Dynamic), TV.Create(VmFlags.RunningDynamic));
                    TV demand = Demand(flags, assigned, ref committedRef, x, TV.Create(VmFlags.StateMask), TV.Create(VmFlags.Linux));
                    TV.Store(demand, ref demandRef, x);
                    TV target = Target(flags, demand, ref bufferRef, ref minRef, ref limitRef, x, TV.Create(VmFlags.StateMask), gMask);
                    if (bootingLanes)
                        target = HoldStartup(flags, target, ref MemoryMarshal.GetArrayDataReference(c.Startup), x);
                    TV.Store(target, ref targetRef, x);
                    // (Non-zero exactly where a Running DM VM is below its target.)
                    TV below = TV.Max(target - assigned, zero) & runningDm;
                    shortfallAcc += below;

                    // A grant (R11 enough, R13), a mark (reclaiming, Smart Paging) or a reclaim tick: the general steps,
                    // after the pass; a vector that needs nothing but its grants is marked for the grants' own steps.
                    if (deferAll || !TV.IsZero(below | (flags & TV.Create(VmFlags.Reclaiming | VmFlags.HasSmartPaging)))
                        || (reclaimTick && !TV.IsZero(runningDm))
                        || (checkWindows && !WindowsEmpty(c, flags, x)))
                    {
                        bool grantsOnly = !deferAll && TV.IsZero(flags & TV.Create(VmFlags.Reclaiming | VmFlags.HasSmartPaging))
                            && !(reclaimTick && !TV.IsZero(runningDm)) && !(checkWindows && !WindowsEmpty(c, flags, x));
                        deferredAt[nDeferred++] = (i - start) | (grantsOnly ? GrantsOnly : 0);
                        continue;
                    }

                    // R17: a vector with a decision last tick and none now (no grant, no removal, no lifecycle) has all
                    // three decisions 0 this tick: written here, and its Decided marks cleared (Flags is written below).
                    // Right whether the host turns out to have enough memory or not: the short path starts from zero
                    // decisions too.
                    if (!TV.IsZero(flags & TV.Create(VmFlags.Decided)))
                    {
                        TV.Store(zero, ref MemoryMarshal.GetArrayDataReference(c.Unballooned), x);
                        TV.Store(zero, ref MemoryMarshal.GetArrayDataReference(c.HotAdded), x);
                        TV.Store(zero, ref MemoryMarshal.GetArrayDataReference(c.Removed), x);
                        flags = TV.AndNot(flags, TV.Create(VmFlags.Decided));
                    }

                    if (oneTickWindows)
                    {
                        // R10, R20 and R18's one-sample window; nothing to undo if the host turns out short (the short
                        // path writes every output again, and the window's running figures are not touched).
                        TV p = OneTickWindow(c, flags, assigned, demand, target, ref flagsRef, ref pressureRef, x);
                        pressureAcc += p & runningDm;
                        countAcc -= runningDm;
                        demandAcc += demand & runningDm;
                        assignedAcc += assigned & runningDm;
                        continue;
                    }

                    // Assuming enough memory: the outputs now, while the vector is in registers. A window minimum or
                    // maximum extended is noted with its old value, in case the host turns out short.
                    TV pressure = OutputsNoting(flags, assigned, demand, target, ref flagsRef, ref pressureRef, ref winSumRef, ref winMinRef, ref winMaxRef, x,
                        out TV wmin, out TV wmax, out bool extended);
                    if (extended)
                    {
                        scratch.Extended[nExtended++] = i - start;
                        TV.Store(wmin, ref MemoryMarshal.GetArrayDataReference(scratch.SavedMin), (nuint)(i - start));
                        TV.Store(wmax, ref MemoryMarshal.GetArrayDataReference(scratch.SavedMax), (nuint)(i - start));
                    }

                    // R19 sums over the Running DM VMs.
                    pressureAcc += pressure & runningDm;
                    countAcc -= runningDm;
                    demandAcc += demand & runningDm;
                    assignedAcc += assigned & runningDm;
                }

                // (Lanes add to the shortfall only where Target > Assigned: zero almost always, and then not reduced.)
                if (!TV.IsZero(shortfallAcc))
                    shortfall += TV.SumWidened(shortfallAcc);
                demandSum += TV.SumWidened(demandAcc);
            }

            var sums = new HostSums
            {
                Pressure = TV.SumWidened(pressureAcc),
                RunningDm = (int)TV.SumWidened(countAcc),
                Demand = demandSum,
                Assigned = TV.SumWidened(assignedAcc),
            };
            c.HostShortfall[h] = shortfall;
            if (shortfall <= available[h] && nDeferred == 0 && !turnedRunning)
                HostCounters.WriteSums(c, h, sums.Pressure, sums.RunningDm, sums.Demand, sums.Assigned);
            else
                FinishSimple(c.Host(h), ctx, scratch, ref sums, shortfall, nDeferred, nExtended, turnedRunning, oneTickWindows, !checkWindows);

        }
    }

    /// <summary>
    /// The end of a host's one-pass tick when it needs more than the loop did: the deferred vectors' general steps and
    /// R19 when it has enough memory; otherwise the pass's window updates undone and the short path. First the State
    /// column of VMs that turned Running.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void FinishSimple(in HostColumns host, in TickContext ctx, HostScratch scratch, ref HostSums sums, long shortfall,
        int deferred, int extended, bool turnedRunning, bool oneTickWindows, bool windowsClean)
    {
        if (turnedRunning)
            SyncState(host, 0, host.Count);
        if (shortfall <= host.Available)
        {
            int general = GrantsRun(host, scratch, deferred, oneTickWindows, ref sums);
            for (int d = 0; d < general; d++)
                Vector(host, ctx, scratch.Deferred[d], enough: true, lifecycle: false, windowsClean, scratch, ref sums);

            Settle(host, ref sums);
        }
        else
        {
            if (!oneTickWindows)
                Undo(host, scratch, deferred, extended);
            host.Short = 1;
            VectorShortPlan<TV>.Plan(host, ctx, scratch);
            Finish(host, ctx, enough: false, lifecycle: false, windowsClean, scratch);
        }
    }

    /// <summary>
    /// Finishes the deferred vectors marked <see cref="GrantsOnly"/> of a host with enough memory: each needs only its
    /// grants (R11 enough, R13: each Running DM VM below its target gets the difference, unballooned first, then
    /// hot-added): no reclaim, no Smart Paging, nothing removed, and a window that does not close this tick, or a one-tick
    /// window that starts empty. The same stores as <see cref="Moves"/> makes there, without its general branches. Moves
    /// the other deferred entries to the front of <see cref="HostScratch.Deferred"/>, in order, and returns how many there are.
    /// </summary>
    /// <remarks>
    /// A method of its own, with the host's sums in registers across the vectors. Inlined into <see cref="FinishSimple"/>
    /// next to <see cref="Vector"/>, the JIT's inlining budget ran out: each vector paid a call to
    /// <see cref="HostSums.Add"/> and kept its ten accumulators in memory; the generated 1M-VM replay (CLI, one kernel
    /// thread) went from 33–37 to 48–51 M VM-ticks/s with this split, bit-identical (same state hash).
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int GrantsRun(in HostColumns host, HostScratch scratch, int deferred, bool oneTickWindows, ref HostSums sums)
    {
        FleetColumns c = host.Columns;
        ref int flagsRef = ref host.Ref(c.Flags);
        ref int assignedRef = ref host.Ref(c.Assigned);
        ref int demandRef = ref host.Ref(c.Demand);
        ref int targetRef = ref host.Ref(c.Target);
        ref int balloonedRef = ref host.Ref(c.Ballooned);
        ref int unballoonedRef = ref host.Ref(c.Unballooned);
        ref int hotAddedRef = ref host.Ref(c.HotAdded);
        ref int removedRef = ref host.Ref(c.Removed);
        ref long addedTotalRef = ref host.Ref(c.AddedTotal);
        ref int addOpsRef = ref host.Ref(c.AddOps);
        ref int pressureRef = ref host.Ref(c.Pressure);
        int[] deferredAt = scratch.Deferred;
        TV zero = TV.Create(0);
        TV grantAcc = zero, addOpsAcc = zero, pressureAcc = zero, countAcc = zero, assignedAcc = zero, demandAcc = zero;
        long demandSum = 0;
        int general = 0, demandVectors = 0;
        for (int d = 0; d < deferred; d++)
        {
            int e = deferredAt[d];
            if ((e & GrantsOnly) == 0)
            {
                deferredAt[general++] = e;
                continue;
            }

            nuint x = (nuint)(e & ~GrantsOnly);
            TV flags = TV.Load(ref flagsRef, x);
            TV assigned = TV.Load(ref assignedRef, x);
            TV demand = TV.Load(ref demandRef, x);
            TV target = TV.Load(ref targetRef, x);
            TV runningDm = TV.Equal(flags & TV.Create(VmFlags.StateMask | VmFlags.Dynamic), TV.Create(VmFlags.RunningDynamic));
            TV grant = TV.Max(target - assigned, zero) & runningDm;

            // R13: unballoon first, then hot-add.
            TV ballooned = TV.Load(ref balloonedRef, x);
            TV unb = TV.Min(grant, ballooned);
            TV.Store(ballooned - unb, ref balloonedRef, x);
            assigned += grant;
            TV.Store(assigned, ref assignedRef, x);

            // R17's decisions (all three: some lane has one) and R18's add-side counters.
            TV.Store(unb, ref unballoonedRef, x);
            TV.Store(grant - unb, ref hotAddedRef, x);
            TV.Store(zero, ref removedRef, x);
            TV.AddToLong(ref addedTotalRef, x, grant);
            TV granted = TV.GreaterThan(grant, zero), addOp = granted & TV.Create(1);
            TV.Store(TV.Load(ref addOpsRef, x) + addOp, ref addOpsRef, x);
            grantAcc += grant;
            addOpsAcc += addOp;
            flags = TV.AndNot(flags, TV.Create(VmFlags.Decided)) | (granted & TV.Create(VmFlags.Decided));

            TV pressure = oneTickWindows
                ? OneTickWindow(flags, assigned, demand, target, ref flagsRef, ref pressureRef, ref host.Ref(c.LastAvg),
                    ref host.Ref(c.LastMin), ref host.Ref(c.LastMax), x)
                : Outputs(flags, assigned, demand, target, ref flagsRef, ref pressureRef, ref host.Ref(c.WinSum),
                    ref host.Ref(c.WinMin), ref host.Ref(c.WinMax), x);

            // R19's sums over the Running DM lanes (demand's int lanes widened every BlockVectors vectors).
            pressureAcc += pressure & runningDm;
            countAcc -= runningDm;
            assignedAcc += assigned & runningDm;
            demandAcc += demand & runningDm;
            if (++demandVectors == BlockVectors)
            {
                demandSum += TV.SumWidened(demandAcc);
                demandAcc = zero;
                demandVectors = 0;
            }
        }

        if (general < deferred)
        {
            sums.AddMoves(grantAcc, zero);
            sums.AddCounters(grantAcc, zero, addOpsAcc, zero);
            sums.AddVectors(pressureAcc, countAcc, assignedAcc, demandSum + TV.SumWidened(demandAcc));
        }

        return general;
    }

    /// <summary>
    /// Whether every lane of the vector at <paramref name="x"/> that is not Off starts the tick with an empty window
    /// (sum 0, minimum <see cref="int.MaxValue"/>, maximum 0, first sample at 0): what a window's close leaves.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool WindowsEmpty(FleetColumns c, TV flags, nuint x)
        => WindowsEmpty(flags, ref MemoryMarshal.GetArrayDataReference(c.WinSum), ref MemoryMarshal.GetArrayDataReference(c.WinMin),
            ref MemoryMarshal.GetArrayDataReference(c.WinMax), ref MemoryMarshal.GetArrayDataReference(c.WinFirst), x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool WindowsEmpty(TV flags, ref int winSumRef, ref int winMinRef, ref int winMaxRef, ref int winFirstRef, nuint x)
    {
        TV on = TV.AndNot(TV.Create(-1), TV.Equal(flags & TV.Create(VmFlags.StateMask), TV.Create(0)));
        TV used = TV.Load(ref winSumRef, x) | TV.Load(ref winMaxRef, x) | TV.Load(ref winFirstRef, x)
            | (TV.Load(ref winMinRef, x) ^ TV.Create(int.MaxValue));
        return TV.IsZero(used & on);
    }

    /// <summary>
    /// <see cref="Outputs"/> and <see cref="CloseWindows"/> of a one-tick window that starts empty
    /// (<see cref="WindowsEmpty(FleetColumns, TV, nuint)"/>): its one sample p (0 &lt;= p &lt;= the pressure cap) makes the sum p, the minimum
    /// and maximum p, the sample count 1 and the mean p; the close reports p three times and leaves the window empty
    /// again. So the lanes that are not Off get p in LastAvg, LastMin and LastMax, and the window's running figures are
    /// neither read again nor written. Returns the pressure.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV OneTickWindow(FleetColumns c, TV flags, TV assigned, TV demand, TV target, ref int flagsRef, ref int pressureRef, nuint x)
        => OneTickWindow(flags, assigned, demand, target, ref flagsRef, ref pressureRef, ref MemoryMarshal.GetArrayDataReference(c.LastAvg),
            ref MemoryMarshal.GetArrayDataReference(c.LastMin), ref MemoryMarshal.GetArrayDataReference(c.LastMax), x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV OneTickWindow(TV flags, TV assigned, TV demand, TV target, ref int flagsRef, ref int pressureRef, ref int lastAvgRef,
        ref int lastMinRef, ref int lastMaxRef, nuint x)
    {
        TV off = TV.Equal(flags & TV.Create(VmFlags.StateMask), TV.Create(0));
        TV pressure = TV.AndNot(TV.Pressure(demand, assigned), off);
        TV.Store(pressure, ref pressureRef, x);
        TV status = TV.Select(TV.GreaterThan(demand, assigned), TV.Create(VmFlags.Warning), TV.Select(TV.LessThan(assigned, target), TV.Create(VmFlags.Low), TV.Create(0)));
        TV newFlags = TV.AndNot(flags, TV.Create(VmFlags.StatusMask)) | TV.AndNot(status, off);
        TV.Store(newFlags, ref flagsRef, x);

        if (TV.IsZero(off))
        {
            TV.Store(pressure, ref lastAvgRef, x);
            TV.Store(pressure, ref lastMinRef, x);
            TV.Store(pressure, ref lastMaxRef, x);
        }
        else
        {
            TV.Store(TV.Select(off, TV.Load(ref lastAvgRef, x), pressure), ref lastAvgRef, x);
            TV.Store(TV.Select(off, TV.Load(ref lastMinRef, x), pressure), ref lastMinRef, x);
            TV.Store(TV.Select(off, TV.Load(ref lastMaxRef, x), pressure), ref lastMaxRef, x);
        }

        return pressure;
    }

    /// <summary>
    /// Undoes <see cref="SimpleHosts"/>'s window updates when the host turned out short: the sample it added to every vector
    /// it finished (all but the <paramref name="deferred"/> ones), and the window minima and maxima it extended. The rest
    /// of what it wrote (pressure, status) is written again by the short path.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Undo(in HostColumns host, HostScratch scratch, int deferred, int extended)
    {
        Span<int> winSum = host.WinSum, pressure = host.Pressure, winMin = host.WinMin, winMax = host.WinMax;
        int d = 0;
        for (int i = 0; i < host.Count; i += TV.Count)
        {
            if (d < deferred && (scratch.Deferred[d] & ~GrantsOnly) == i)
            {
                d++;
                continue;
            }

            for (int k = i; k < i + TV.Count; k++)
                winSum[k] -= pressure[k];
        }

        for (int e = 0; e < extended; e++)
        {
            int i = scratch.Extended[e];
            scratch.SavedMin.AsSpan(i, TV.Count).CopyTo(winMin.Slice(i));
            scratch.SavedMax.AsSpan(i, TV.Count).CopyTo(winMax.Slice(i));
        }
    }

    /// <summary>R8: committed, plus floor(Assigned) for Linux guests; 0 for Off VMs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Demand(TV flags, TV assigned, ref int committedRef, nuint x, TV stateMask, TV linuxBit)
    {
        TV off = TV.Equal(flags & stateMask, TV.Create(0));
        TV demand = TV.Load(ref committedRef, x);
        TV linuxBits = flags & linuxBit;
        if (!TV.IsZero(linuxBits))
            demand += LinuxFloor(assigned) & TV.Equal(linuxBits, linuxBit);
        return TV.AndNot(demand, off);
    }

    /// <summary>
    /// R9 but for Booting VMs (<see cref="HoldStartup"/>): Running DM VMs get their target, static VMs hold Startup, Off
    /// VMs 0. One limit column for two (<see cref="FleetColumns.TargetLimit"/>: Maximum of a dynamic VM, Startup of a
    /// static one), so neither Maximum nor Startup is read: a static lane's target is its limit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Target(TV flags, TV demand, ref ushort bufferRef, ref int minRef, ref int limitRef, nuint x, TV stateMask, int gMask)
    {
        TV limit = TV.Load(ref limitRef, x);
        TV target = TV.Target(demand, TV.LoadU16(ref bufferRef, x), TV.Load(ref minRef, x), limit, gMask);
        target = TV.Select(TV.Equal(flags & TV.Create(VmFlags.Dynamic), TV.Create(0)), limit, target);
        return TV.AndNot(target, TV.Equal(flags & stateMask, TV.Create(0)));
    }

    /// <summary>R9 for the Booting VMs of a vector that has some: they hold Startup.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV HoldStartup(TV flags, TV target, ref int startupRef, nuint x)
        => TV.Select(TV.Equal(flags & TV.Create(VmFlags.StateMask), TV.Create(VmFlags.Booting)), TV.Load(ref startupRef, x), target);

    /// <summary>R5 boot countdown (unless it already ran: <paramref name="countdown"/> false), R8 demand, R9 target; returns R11's Shortfall.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long DemandAndTarget(in HostColumns host, in TickContext ctx, bool countdown)
    {
        int end = host.Count;
        FleetColumns c = host.Columns;
        ref int flagsRef = ref host.Ref(c.Flags);
        ref int committedRef = ref host.Ref(c.Committed);
        ref int assignedRef = ref host.Ref(c.Assigned);
        ref ushort bufferRef = ref host.Ref(c.Buffer);
        ref int minRef = ref host.Ref(c.Minimum);
        ref int limitRef = ref host.Ref(c.TargetLimit);
        ref int startupRef = ref host.Ref(c.Startup);
        ref int demandRef = ref host.Ref(c.Demand);
        ref int targetRef = ref host.Ref(c.Target);

        ref int bootRef = ref host.Ref(c.BootTicksLeft);
        TV stateMask = TV.Create(VmFlags.StateMask), booting = TV.Create(VmFlags.Booting), running = TV.Create(VmFlags.Running);
        TV rdMask = TV.Create(VmFlags.StateMask | VmFlags.Dynamic), rd = TV.Create(VmFlags.RunningDynamic);
        TV linuxBit = TV.Create(VmFlags.Linux), zero = TV.Create(0), one = TV.Create(1);
        TV countdownMask = countdown ? TV.Create(-1) : zero;
        bool turnedRunning = false;
        long shortfall = 0;
        for (int block = 0; block < end; block += BlockVectors * TV.Count)
        {
            int blockEnd = Math.Min(end, block + (BlockVectors * TV.Count));
            TV acc = zero;
            for (int i = block; i < blockEnd; i += TV.Count)
            {
                nuint x = (nuint)i;
                TV flags = TV.Load(ref flagsRef, x);

                // R5: Booting VMs count down; at zero they are Running. (Most vectors have no Booting VM: nothing to do.)
                bool bootingLanes = TV.AnyEqual(flags & stateMask, booting);
                TV isBooting = TV.Equal(flags & stateMask, booting) & countdownMask;
                if (!TV.IsZero(isBooting))
                {
                    TV boot = TV.Load(ref bootRef, x) - (isBooting & one);
                    TV nowRunning = isBooting & TV.Equal(boot, zero);
                    TV.Store(boot, ref bootRef, x);
                    if (!TV.IsZero(nowRunning))
                    {
                        flags = TV.Select(nowRunning, TV.AndNot(flags, stateMask) | running, flags);
                        TV.Store(flags, ref flagsRef, x);
                        turnedRunning = true;
                    }
                }

                // R8 demand, R9 target.
                TV assigned = TV.Load(ref assignedRef, x);
                TV demand = Demand(flags, assigned, ref committedRef, x, stateMask, linuxBit);
                TV.Store(demand, ref demandRef, x);
                TV runningDm = TV.Equal(flags & rdMask, rd);
                TV target = Target(flags, demand, ref bufferRef, ref minRef, ref limitRef, x, stateMask, ctx.GMask);
                if (bootingLanes)
                    target = HoldStartup(flags, target, ref startupRef, x);
                TV.Store(target, ref targetRef, x);

                // R11: Shortfall = Σ max(0, Target − Assigned) over Running DM VMs.
                acc += TV.Max(target - assigned, zero) & runningDm;
            }

            shortfall += TV.SumWidened(acc);
        }

        if (turnedRunning)
            SyncState(host, 0, host.Count);
        return shortfall;
    }

    /// <summary>
    /// What a host's finishing steps add up (R11–R13 memory moves, R18 counters, R19 sums): the general per-vector steps
    /// add whole vectors (<see cref="Add"/>, exact int lane sums: each is bounded by the host's RAM, or, for demand, flushed
    /// to 64 bits every <see cref="BlockVectors"/> vectors), the loops that reduce their own accumulators add longs.
    /// </summary>
    private struct HostSums
    {
        public long Granted, Pending, Added, Removed, Pressure, Demand, Assigned;
        public int AddOps, RemoveOps, RunningDm;
        private TV _granted, _pending, _added, _removed, _addOps, _removeOps, _pressure, _runningDm, _demand, _assigned;
        private int _demandVectors;
        private bool _moved, _counted;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void AddMoves(TV granted, TV pending)
        {
            _granted += granted;
            _pending += pending;
            _moved = true;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void AddCounters(TV added, TV removed, TV addOps, TV removeOps)
        {
            _added += added;
            _removed += removed;
            _addOps += addOps;
            _removeOps += removeOps;
            _counted = true;
        }

        /// <summary>R19's sums of a vector's Running DM lanes. (Fully optimized where a caller's inlining budget runs out.)</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        public void Add(TV pressure, TV demand, TV assigned, TV runningDm)
        {
            _pressure += pressure & runningDm;
            _runningDm -= runningDm;
            _assigned += assigned & runningDm;
            _demand += demand & runningDm;
            if (++_demandVectors == BlockVectors)
            {
                Demand += TV.SumWidened(_demand);
                _demand = TV.Create(0);
                _demandVectors = 0;
            }
        }

        /// <summary>R19's sums of whole runs of vectors: lane sums of pressure, Running DM count and Assigned, and demand's total.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void AddVectors(TV pressure, TV runningDm, TV assigned, long demand)
        {
            _pressure += pressure;
            _runningDm += runningDm;
            _assigned += assigned;
            Demand += demand;
        }

        /// <summary>Folds the vector accumulators into the 64-bit totals (those of memory moves and counters only if used).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Reduce()
        {
            if (_moved)
            {
                Granted += TV.SumWidened(_granted);
                Pending += TV.SumWidened(_pending);
            }

            if (_counted)
            {
                Added += TV.SumWidened(_added);
                Removed += TV.SumWidened(_removed);
                AddOps += (int)TV.SumWidened(_addOps);
                RemoveOps += (int)TV.SumWidened(_removeOps);
            }

            Pressure += TV.SumWidened(_pressure);
            RunningDm += (int)TV.SumWidened(_runningDm);
            Demand += TV.SumWidened(_demand);
            Assigned += TV.SumWidened(_assigned);
            _granted = _pending = _added = _removed = _addOps = _removeOps = _pressure = _runningDm = _demand = _assigned = TV.Create(0);
            _demandVectors = 0;
            _moved = _counted = false;
        }
    }

    /// <summary>A vector's Flags and Assigned after its memory moves.</summary>
    private struct Moved
    {
        public TV Flags, Assigned;
    }

    /// <summary>
    /// With <paramref name="enough"/>: R11's enough-memory grants (R13) and R15's reclaim, lane by lane; otherwise the
    /// short plan's grants and R12's removals. Then, for every host: R16 drain, R10 pressure, R20 status, R17/R18
    /// decisions, counters and window, and R19's sums. After R4–R7 (<paramref name="lifecycle"/>) a donor's Removed
    /// already holds what the lifecycle reclaim took, and every decision is written.
    /// </summary>
    /// <remarks>
    /// The common vector of a host with enough memory moves no memory, has no decision now or before, no Smart Paging and
    /// nobody reclaiming: it only needs pressure, status and the window, and the loop does nothing else. Every other
    /// vector is noted and finished after the loop by <see cref="Vector"/> (after it: the general steps inside the loop
    /// would make the JIT keep the loop's vectors in memory). Short hosts and hosts with lifecycle requests take the
    /// general steps for every vector.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Finish(in HostColumns host, in TickContext ctx, bool enough, bool lifecycle, bool windowsClean, HostScratch scratch)
    {
        if (!enough && !lifecycle)
        {
            FinishShort(host, ctx, windowsClean, scratch);
            return;
        }

        // Each case in a method of its own, with enough and lifecycle constant: inlined into one method, the JIT's
        // inlining budget ran out inside the second copy of Vector and left calls to V512's Load, Store and Select.
        if (!lifecycle)
            FinishEnough(host, ctx, windowsClean, scratch);
        else if (enough)
            FinishLifecycleEnough(host, ctx, windowsClean, scratch);
        else
            FinishLifecycleShort(host, ctx, windowsClean, scratch);
    }

    /// <summary><see cref="Finish"/> of a host with enough memory and no lifecycle requests.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void FinishEnough(in HostColumns host, in TickContext ctx, bool windowsClean, HostScratch scratch)
    {
        var sums = default(HostSums);
        int deferred = Common(host, ctx, scratch, ref sums);
        for (int d = 0; d < deferred; d++)
            Vector(host, ctx, scratch.Deferred[d], enough: true, lifecycle: false, windowsClean, scratch, ref sums);
        Settle(host, ref sums);
    }

    /// <summary><see cref="Finish"/> of a host with enough memory after R4–R7: the general steps for every vector.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void FinishLifecycleEnough(in HostColumns host, in TickContext ctx, bool windowsClean, HostScratch scratch)
    {
        var sums = default(HostSums);
        for (int i = 0; i < host.Count; i += TV.Count)
            Vector(host, ctx, i, enough: true, lifecycle: true, windowsClean, scratch, ref sums);
        Settle(host, ref sums);
    }

    /// <summary><see cref="Finish"/> of a short host after R4–R7: the general steps for every vector.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void FinishLifecycleShort(in HostColumns host, in TickContext ctx, bool windowsClean, HostScratch scratch)
    {
        var sums = default(HostSums);
        for (int i = 0; i < host.Count; i += TV.Count)
            Vector(host, ctx, i, enough: false, lifecycle: true, windowsClean, scratch, ref sums);
        Settle(host, ref sums);
    }

    /// <summary>The end of a host's finishing steps: its sums reduced, R12/R13's memory moves booked, R18/R19's host counters written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Settle(in HostColumns host, ref HostSums sums)
    {
        sums.Reduce();
        host.Available -= (int)sums.Granted;
        host.PendingFreed += (int)sums.Pending;
        HostCounters.Write(host, sums.Pressure, sums.RunningDm, sums.Demand, sums.Assigned, sums.Added, sums.Removed, sums.AddOps, sums.RemoveOps);
    }

    /// <summary>
    /// <see cref="Finish"/> of a short host without lifecycle requests (most short hosts, most ticks), compiled on its own
    /// so that the general steps inline with their constants folded: the plan's moves (<see cref="ShortMoves"/>) of every vector.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void FinishShort(in HostColumns host, in TickContext ctx, bool windowsClean, HostScratch scratch)
    {
        var sums = default(HostSums);
        for (int i = 0; i < host.Count; i += TV.Count)
            Vector(host, ctx, i, enough: false, lifecycle: false, windowsClean, scratch, ref sums);

        Settle(host, ref sums);
    }

    /// <summary>
    /// The finishing loop of a host with enough memory and no lifecycle requests: R10, R20, R18's window and R19's sums
    /// for every vector that needs nothing else; the others are noted in <see cref="HostScratch.Deferred"/> (their count
    /// is returned) for <see cref="Vector"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Common(in HostColumns host, in TickContext ctx, HostScratch scratch, ref HostSums sums)
    {
        int end = host.Count;
        FleetColumns c = host.Columns;
        ref int flagsRef = ref host.Ref(c.Flags);
        ref int assignedRef = ref host.Ref(c.Assigned);
        ref int demandRef = ref host.Ref(c.Demand);
        ref int targetRef = ref host.Ref(c.Target);
        ref int pressureRef = ref host.Ref(c.Pressure);
        ref int winSumRef = ref host.Ref(c.WinSum);
        ref int winMinRef = ref host.Ref(c.WinMin);
        ref int winMaxRef = ref host.Ref(c.WinMax);
        int[] deferred = scratch.Deferred;

        TV zero = TV.Create(0), one = TV.Create(1);
        TV rdMask = TV.Create(VmFlags.StateMask | VmFlags.Dynamic), rd = TV.Create(VmFlags.RunningDynamic);
        TV marks = TV.Create(VmFlags.Reclaiming | VmFlags.HasSmartPaging | VmFlags.Decided);
        TV reclaimTick = ctx.ReclaimTick ? TV.Create(-1) : zero;
        TV pressureAcc = zero, countAcc = zero, assignedAcc = zero;
        int n = 0;
        for (int block = 0; block < end; block += BlockVectors * TV.Count)
        {
            int blockEnd = Math.Min(end, block + (BlockVectors * TV.Count));
            TV demandAcc = zero;
            for (int i = block; i < blockEnd; i += TV.Count)
            {
                nuint x = (nuint)i;
                TV flags = TV.Load(ref flagsRef, x);
                TV assigned = TV.Load(ref assignedRef, x);
                TV target = TV.Load(ref targetRef, x);
                TV runningDm = TV.Equal(flags & rdMask, rd);

                // A grant (R11 enough, R13), a mark (reclaiming, Smart Paging, a decision last tick) or a reclaim tick:
                // the general steps, after the loop.
                if (ctx.WindowEnd || !TV.IsZero((TV.GreaterThan(target, assigned) & runningDm) | (flags & marks) | (reclaimTick & runningDm)))
                {
                    deferred[n++] = i;
                    continue;
                }

                TV demand = TV.Load(ref demandRef, x);
                TV pressure = Outputs(flags, assigned, demand, target, ref flagsRef, ref pressureRef, ref winSumRef, ref winMinRef, ref winMaxRef, x);

                // R19 sums over the Running DM VMs.
                pressureAcc += pressure & runningDm;
                countAcc += one & runningDm;
                demandAcc += demand & runningDm;
                assignedAcc += assigned & runningDm;
            }

            sums.Demand += TV.SumWidened(demandAcc);
        }

        sums.Pressure += TV.SumWidened(pressureAcc);
        sums.RunningDm += (int)TV.SumWidened(countAcc);
        sums.Assigned += TV.SumWidened(assignedAcc);
        return n;
    }

    /// <summary>
    /// R10 pressure, R20 status (Off VMs: 0 and OK; Flags written every time: a store of the unchanged value costs less
    /// than reading Flags back to compare, measured) and R18's window (the sum every tick,
    /// the minimum and maximum where a sample extends them) for the vector at <paramref name="x"/>, whose Flags in memory
    /// are <paramref name="flags"/> but for the status; returns the pressure.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Outputs(TV flags, TV assigned, TV demand, TV target, ref int flagsRef, ref int pressureRef, ref int winSumRef,
        ref int winMinRef, ref int winMaxRef, nuint x)
        => OutputsNoting(flags, assigned, demand, target, ref flagsRef, ref pressureRef, ref winSumRef, ref winMinRef, ref winMaxRef, x,
            out _, out _, out _);

    /// <summary>
    /// <see cref="Outputs"/>, also giving the window's minimum and
    /// maximum as they were and whether this sample extended either (so that the caller need not load them again).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV OutputsNoting(TV flags, TV assigned, TV demand, TV target, ref int flagsRef, ref int pressureRef, ref int winSumRef,
        ref int winMinRef, ref int winMaxRef, nuint x, out TV wmin, out TV wmax, out bool extended)
    {
        TV zero = TV.Create(0);
        TV off = TV.Equal(flags & TV.Create(VmFlags.StateMask), zero);
        TV pressure = TV.AndNot(TV.Pressure(demand, assigned), off);
        TV.Store(pressure, ref pressureRef, x);
        TV status = TV.Select(TV.GreaterThan(demand, assigned), TV.Create(VmFlags.Warning), TV.Select(TV.LessThan(assigned, target), TV.Create(VmFlags.Low), TV.Create(0)));
        TV newFlags = TV.AndNot(flags, TV.Create(VmFlags.StatusMask)) | TV.AndNot(status, off);
        TV.Store(newFlags, ref flagsRef, x);

        // Off lanes add nothing to the window: their pressure is 0, and as a candidate minimum it counts as
        // int.MaxValue (a window's maximum is never below 0, its minimum never above int.MaxValue).
        TV.Store(TV.Load(ref winSumRef, x) + pressure, ref winSumRef, x);
        wmin = TV.Load(ref winMinRef, x);
        wmax = TV.Load(ref winMaxRef, x);
        TV minCandidate = pressure | (off & TV.Create(int.MaxValue));
        extended = !TV.IsZero(TV.LessThan(minCandidate, wmin) | TV.GreaterThan(pressure, wmax));
        if (extended)
        {
            TV.Store(TV.Min(minCandidate, wmin), ref winMinRef, x);
            TV.Store(TV.Max(pressure, wmax), ref winMaxRef, x);
        }

        return pressure;
    }

    /// <summary>
    /// R18 at the end of a window, for the vector at <paramref name="offset"/> (its sample of this tick is in): every VM
    /// that is not Off reports its window's figures and starts a new one (<see cref="PressureWindows"/>; Off lanes keep
    /// their values). Here, while the vector's window columns are in the L1 cache.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CloseWindows(in HostColumns host, in TickContext ctx, int offset, TV flags)
    {
        TV on = TV.AndNot(TV.Create(-1), TV.Equal(flags & TV.Create(VmFlags.StateMask), TV.Create(0)));
        if (TV.IsZero(on))
            return;
        FleetColumns c = host.Columns;
        nuint x = (nuint)offset;
        ref int sumRef = ref host.Ref(c.WinSum);
        ref int minRef = ref host.Ref(c.WinMin);
        ref int maxRef = ref host.Ref(c.WinMax);
        ref int firstRef = ref host.Ref(c.WinFirst);
        ref int lastAvgRef = ref host.Ref(c.LastAvg);
        ref int lastMinRef = ref host.Ref(c.LastMin);
        ref int lastMaxRef = ref host.Ref(c.LastMax);
        TV sum = TV.Load(ref sumRef, x), min = TV.Load(ref minRef, x), max = TV.Load(ref maxRef, x), first = TV.Load(ref firstRef, x);
        TV.Store(TV.Select(on, TV.WindowAverage(sum, TV.Create(ctx.WindowTick + 1) - first), TV.Load(ref lastAvgRef, x)), ref lastAvgRef, x);
        TV.Store(TV.Select(on, min, TV.Load(ref lastMinRef, x)), ref lastMinRef, x);
        TV.Store(TV.Select(on, max, TV.Load(ref lastMaxRef, x)), ref lastMaxRef, x);
        TV.Store(TV.AndNot(sum, on), ref sumRef, x);
        TV.Store(TV.Select(on, TV.Create(int.MaxValue), min), ref minRef, x);
        TV.Store(TV.AndNot(max, on), ref maxRef, x);
        TV.Store(TV.AndNot(first, on), ref firstRef, x);
    }

    /// <summary>
    /// Every step of the finishing pass for the vector at <paramref name="offset"/>: the memory moves of an enough or a
    /// short host (<see cref="EnoughMoves"/>, <see cref="ShortMoves"/>), then <see cref="Outputs"/> and R19's sums; inlined
    /// into the loops that take it (every vector of short and lifecycle hosts, the deferred vectors of the one-pass tick).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Vector(in HostColumns host, in TickContext ctx, int offset, bool enough, bool lifecycle, bool windowsClean,
        HostScratch scratch, ref HostSums sums)
    {
        FleetColumns c = host.Columns;
        nuint x = (nuint)offset;
        ref int flagsRef = ref host.Ref(c.Flags);
        TV flags = TV.Load(ref flagsRef, x);
        TV assigned = TV.Load(ref host.Ref(c.Assigned), x);
        TV demand = TV.Load(ref host.Ref(c.Demand), x);
        TV target = TV.Load(ref host.Ref(c.Target), x);
        TV runningDm = TV.Equal(flags & TV.Create(VmFlags.StateMask | VmFlags.Dynamic), TV.Create(VmFlags.RunningDynamic));
        Moved m = enough
            ? EnoughMoves(host, ctx, offset, flags, assigned, demand, target, runningDm, TV.Max(target - assigned, TV.Create(0)) & runningDm, lifecycle, ref sums)
            : ShortMoves(host, ctx, offset, flags, assigned, demand, runningDm, lifecycle, scratch, ref sums);
        TV pressure;
        if (ctx.WindowEnd && ctx.WindowTicks == 1
            && (windowsClean || WindowsEmpty(m.Flags, ref host.Ref(c.WinSum), ref host.Ref(c.WinMin), ref host.Ref(c.WinMax), ref host.Ref(c.WinFirst), x)))
        {
            // A one-tick window that starts empty: R10, R20 and its close on the one sample (OneTickWindow).
            pressure = OneTickWindow(m.Flags, m.Assigned, demand, target, ref flagsRef, ref host.Ref(c.Pressure), ref host.Ref(c.LastAvg),
                ref host.Ref(c.LastMin), ref host.Ref(c.LastMax), x);
        }
        else
        {
            pressure = Outputs(m.Flags, m.Assigned, demand, target, ref flagsRef, ref host.Ref(c.Pressure), ref host.Ref(c.WinSum),
                ref host.Ref(c.WinMin), ref host.Ref(c.WinMax), x);
            if (ctx.WindowEnd)
                CloseWindows(host, ctx, offset, m.Flags);
        }

        // R19 sums over the Running DM VMs.
        sums.Add(pressure, demand, m.Assigned, runningDm);
    }

    /// <summary>
    /// R11 enough + R13 for the vector at <paramref name="offset"/>: the grants, and R15: above Target on a reclaim tick,
    /// or still reclaiming, balloon toward Target within R12's limits; then <see cref="Moves"/>. Returns Flags with the
    /// reclaim and derived marks updated.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Moved EnoughMoves(in HostColumns host, in TickContext ctx, int offset, TV flags, TV assigned, TV demand, TV target,
        TV runningDm, TV grant, bool lifecycle, ref HostSums sums)
    {
        TV zero = TV.Create(0), reclaimBit = TV.Create(VmFlags.Reclaiming);
        TV reclaimTick = ctx.ReclaimTick ? TV.Create(-1) : zero;
        TV removedNow = zero;
        if (!TV.IsZero((reclaimTick | (flags & reclaimBit)) & runningDm))
        {
            TV above = runningDm & TV.GreaterThan(assigned, target);
            TV reclaimNow = above & (reclaimTick | TV.Equal(flags & reclaimBit, reclaimBit));

            // (R12's "down to Minimum" needs no lane here: Target >= Minimum, so Assigned - Target <= Assigned - Minimum.)
            TV take = TV.Min(assigned - target, TV.Create(ctx.RemoveCap));
            TV linuxBit = TV.Create(VmFlags.Linux);
            TV linux = TV.Equal(flags & linuxBit, linuxBit);
            take = TV.Select(linux, TV.Min(take, TV.Max(assigned - demand, zero)), take);
            removedNow = TV.AndNot(take, TV.Create(ctx.GMask)) & reclaimNow;
            TV stillAbove = reclaimNow & TV.GreaterThan(assigned + grant - removedNow, target);
            flags = TV.Select(runningDm, TV.AndNot(flags, reclaimBit) | (stillAbove & reclaimBit), flags);
        }

        return Moves(host, ctx, offset, flags, assigned, grant, removedNow, lifecycle, ref sums);
    }

    /// <summary>
    /// R11 short for the vector at <paramref name="offset"/>: the plan's grant (R13), and R12's removal toward the plan's
    /// allocation within the cap, down to Minimum, and for a Linux guest not below its demand; then <see cref="Moves"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Moved ShortMoves(in HostColumns host, in TickContext ctx, int offset, TV flags, TV assigned, TV demand, TV runningDm,
        bool lifecycle, HostScratch scratch, ref HostSums sums)
    {
        nuint x = (nuint)offset;
        TV zero = TV.Create(0), linuxBit = TV.Create(VmFlags.Linux);
        TV grant = TV.Load(ref MemoryMarshal.GetArrayDataReference(scratch.Grant), x);
        TV alloc = TV.Load(ref MemoryMarshal.GetArrayDataReference(scratch.Alloc), x);
        TV minimum = TV.Load(ref host.Ref(host.Columns.Minimum), x);
        TV take = TV.Min(TV.Min(assigned - alloc, TV.Create(ctx.RemoveCap)), TV.Max(assigned - minimum, zero));
        TV linux = TV.Equal(flags & linuxBit, linuxBit);
        take = TV.Select(linux, TV.Min(take, TV.Max(assigned - demand, zero)), take);
        TV removedNow = TV.AndNot(take, TV.Create(ctx.GMask)) & runningDm & TV.GreaterThan(assigned, alloc);
        return Moves(host, ctx, offset, flags, assigned, grant, removedNow, lifecycle, ref sums);
    }

    /// <summary>
    /// The memory moves of a vector and what follows from them: R13 unballoon then hot-add, R12 the balloon takes what is
    /// removed (it joins Available next tick), R16 Running VMs convert Smart Paging to balloon one cap per tick; R17's
    /// decisions (written where a VM has one now or had one before, or everywhere after R4–R7) and R18's totals. Returns
    /// Flags with the derived marks (<see cref="VmFlags.HasSmartPaging"/>, <see cref="VmFlags.Decided"/>) updated.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Moved Moves(in HostColumns host, in TickContext ctx, int offset, TV flags, TV assigned, TV grant, TV removedNow,
        bool lifecycle, ref HostSums sums)
    {
        FleetColumns c = host.Columns;
        nuint x = (nuint)offset;
        TV zero = TV.Create(0), spBit = TV.Create(VmFlags.HasSmartPaging), decidedBit = TV.Create(VmFlags.Decided);
        TV moved = grant | removedNow;
        TV hasSp = flags & spBit;
        TV unb = zero;
        if (!TV.IsZero(moved | hasSp))
        {
            ref int balloonedRef = ref host.Ref(c.Ballooned);
            TV ballooned = TV.Load(ref balloonedRef, x);
            unb = TV.Min(grant, ballooned);
            ballooned = ballooned - unb + removedNow;
            if (!TV.IsZero(moved))
            {
                sums.AddMoves(grant, removedNow);
                assigned = assigned + grant - removedNow;
                TV.Store(assigned, ref host.Ref(c.Assigned), x);
            }

            if (!TV.IsZero(hasSp))
            {
                ref int spRef = ref host.Ref(c.SmartPaging);
                TV sp = TV.Load(ref spRef, x);
                TV drain = TV.Min(sp, TV.Create(ctx.RemoveCap)) & TV.Equal(flags & TV.Create(VmFlags.StateMask), TV.Create(VmFlags.Running));
                sp -= drain;
                TV.Store(sp, ref spRef, x);
                ballooned += drain;
                flags = TV.AndNot(flags, spBit) | (TV.GreaterThan(sp, zero) & spBit);
            }

            TV.Store(ballooned, ref balloonedRef, x);
        }

        // R17: this tick's decisions, written where a VM has one now or had one before (else all three are 0 already).
        TV hot = grant - unb;
        ref int remRef = ref host.Ref(c.Removed);
        TV removed = lifecycle ? removedNow + TV.Load(ref remRef, x) : removedNow;
        TV added = unb + hot;
        TV decided = added | removed;
        if (lifecycle || !TV.IsZero(decided | (flags & decidedBit)))
        {
            TV.Store(unb, ref host.Ref(c.Unballooned), x);
            TV.Store(hot, ref host.Ref(c.HotAdded), x);
            TV.Store(removed, ref remRef, x);
        }

        // R18: cumulative counters (Off VMs have no decisions, so adding zero is the scalar's skip), where memory moved:
        // the add side where some lane added, the remove side where some lane removed (most grants remove nothing).
        if (!TV.IsZero(decided))
        {
            TV one = TV.Create(1);
            TV addOp = TV.GreaterThan(added, zero) & one, remOp = TV.GreaterThan(removed, zero) & one;
            if (!TV.IsZero(added))
            {
                TV.AddToLong(ref host.Ref(c.AddedTotal), x, added);
                ref int addOpsRef = ref host.Ref(c.AddOps);
                TV.Store(TV.Load(ref addOpsRef, x) + addOp, ref addOpsRef, x);
            }

            if (!TV.IsZero(removed))
            {
                TV.AddToLong(ref host.Ref(c.RemovedTotal), x, removed);
                ref int remOpsRef = ref host.Ref(c.RemoveOps);
                TV.Store(TV.Load(ref remOpsRef, x) + remOp, ref remOpsRef, x);
            }

            sums.AddCounters(added, removed, addOp, remOp);
        }

        return new Moved { Flags = TV.AndNot(flags, decidedBit) | (TV.GreaterThan(decided, zero) & decidedBit), Assigned = assigned };
    }

    /// <summary>R8's Linux floor, lane by lane as <see cref="Rules.LinuxFloor"/> (internal for the tests, which run the
    /// form this CPU takes on every width).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TV LinuxFloor(TV t)
    {
        if (TV.HasFastLinuxFloor)
            return TV.FastLinuxFloor(t);
        TV f = TV.Create(488) + TV.ShiftRight(t, 5);
        f = TV.Select(TV.LessThan(t, TV.Create(8192)), TV.Create(232) + TV.ShiftRight(t, 4), f);
        f = TV.Select(TV.LessThan(t, TV.Create(2048)), TV.Create(104) + TV.ShiftRight(t, 3), f);
        f = TV.Select(TV.LessThan(t, TV.Create(512)), TV.Create(40) + TV.ShiftRight(t, 2), f);
        return TV.Select(TV.LessThan(t, TV.Create(128)), TV.Create(8) + TV.ShiftRight(t, 1), f);
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DmKernel;

/// <summary>Fleet-wide totals of the last tick (MB unless named otherwise).</summary>
/// <param name="OnVms">VMs that are on (Booting or Running) at the end of the tick.</param>
/// <param name="RunningDynamicVms">Of those, the Running VMs with Dynamic Memory on: the VMs whose Current Pressure
/// <paramref name="PressureSum"/> and <paramref name="PressureMax"/> cover.</param>
/// <param name="PagingVms">On VMs with Demand &gt; Assigned (R20 Warning: the guest pages).</param>
/// <param name="UnmetMb">Σ (Demand − Assigned) over the paging VMs, MB.</param>
/// <param name="AssignedMb">Σ Assigned (Physical Memory, R18) over the on VMs, MB.</param>
/// <param name="DemandMb">Σ Demand of the tick (R8, a Linux guest's floor included) over the on VMs, MB.</param>
/// <param name="BalloonedMb">Σ Ballooned (R12: taken back by the balloon, still visible to the guest) over the on VMs, MB.</param>
/// <param name="SmartPagingVms">On VMs that hold Smart Paging (SmartPaging &gt; 0: restarted short of RAM, R6, not yet
/// drained, R16).</param>
/// <param name="SmartPagingMb">Σ SmartPaging (Smart Paging Working Set Size, R18) over the on VMs, MB.</param>
/// <param name="ShortHosts">Hosts on which R11 ran the short (water-filling) plan in the tick.</param>
/// <param name="AvailableMb">Σ Available Memory (R3, R19) over every host at the end of the tick, MB (memory ballooned
/// this tick is not in it yet, R12).</param>
/// <param name="PressureSum">Σ Current Pressure (R10, an integer percentage) over the Running Dynamic Memory VMs; over
/// <paramref name="RunningDynamicVms"/>, their mean.</param>
/// <param name="PressureMax">The highest Current Pressure (R10, %) of a Running Dynamic Memory VM; 0 when there is none.</param>
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
    int PressureMax)
{
    /// <summary>
    /// Of <see cref="PagingVms"/>, the VMs whose committed demand is above what their settings can ever serve
    /// (<see cref="GuestMemory.MaxServableCommittedMb"/>): unservable paging. Counted by
    /// <see cref="FleetMeter.AddHosts(int, int, Span{int}, Span{long}, Span{int})"/> when it is given per-slot
    /// unservable counters; 0 otherwise.
    /// </summary>
    public int UnservablePagingVms { get; init; }
}

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
        => Measure(fleet, pressureBins, pagingTicks, unmetMbTicks, default);

    /// <summary>
    /// <see cref="Measure(Fleet, Span{long}, Span{int}, Span{long})"/>, and when <paramref name="unservableTicks"/> is given
    /// (one element per slot, with the other two), also adds 1 to it for each paging VM whose committed demand is above
    /// what its settings can ever serve (<see cref="GuestMemory.MaxServableCommittedMb"/>: starving by its settings, not by
    /// the host) and counts those VMs in <see cref="TickTotals.UnservablePagingVms"/>, as <see cref="FleetMeter.AddHosts(int, int, Span{int}, Span{long}, Span{int})"/>
    /// does (the overloads without it leave that total 0).
    /// </summary>
    public static TickTotals Measure(Fleet fleet, Span<long> pressureBins, Span<int> pagingTicks, Span<long> unmetMbTicks, Span<int> unservableTicks)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        ThrowHelper.PerSlotPair(pagingTicks.Length, unmetMbTicks.Length, fleet.SlotCount);
        if (unservableTicks.Length != 0 && (unservableTicks.Length != fleet.SlotCount || pagingTicks.Length == 0))
        {
            throw new ArgumentException(unservableTicks.Length == fleet.SlotCount
                ? "unservableTicks is given without pagingTicks and unmetMbTicks: the unservable VMs are found among the paging ones."
                : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"unservableTicks has {unservableTicks.Length} elements; expected one per slot ({fleet.SlotCount}), or none."), nameof(unservableTicks));
        }

        return Vector256.IsHardwareAccelerated
            ? MeasureVector(fleet, pressureBins, pagingTicks, unmetMbTicks, unservableTicks)
            : MeasureScalar(fleet, pressureBins, pagingTicks, unmetMbTicks, unservableTicks);
    }

    /// <summary>The plain loop: the definition of every total, and what the vector pass is tested against.</summary>
    internal static TickTotals MeasureScalar(Fleet fleet, Span<long> pressureBins, Span<int> pagingTicks, Span<long> unmetMbTicks, Span<int> unservableTicks = default)
    {
        var sums = default(Sums);
        ScalarSlots(fleet, 0, fleet.Cols.Flags.Length, ref sums, pressureBins, pagingTicks, unmetMbTicks, unservableTicks);
        AddHosts(fleet, 0, fleet.HostCount, ref sums);
        return sums.ToTotals();
    }

    /// <summary>What <see cref="MeasureScalar"/> and <see cref="MeasureVector"/> add up, over any slots and hosts.</summary>
    internal struct Sums
    {
        public int On, RunningDm, Paging, SpVms, ShortHosts, PressureMax, Unservable;
        public long Unmet, Assigned, Demand, Ballooned, Sp, Available, PressureSum;

        /// <summary>Adds another range's sums: integer adds (wraparound included, commutative and associative) and a max, so any split of the hosts, added in any order, gives one range's sums.</summary>
        public void Add(in Sums o)
        {
            On += o.On;
            RunningDm += o.RunningDm;
            Paging += o.Paging;
            SpVms += o.SpVms;
            ShortHosts += o.ShortHosts;
            PressureMax = Math.Max(PressureMax, o.PressureMax);
            Unservable += o.Unservable;
            Unmet += o.Unmet;
            Assigned += o.Assigned;
            Demand += o.Demand;
            Ballooned += o.Ballooned;
            Sp += o.Sp;
            Available += o.Available;
            PressureSum += o.PressureSum;
        }

        public readonly TickTotals ToTotals()
            => new(On, RunningDm, Paging, Unmet, Assigned, Demand, Ballooned, SpVms, Sp, ShortHosts, Available, PressureSum, PressureMax) { UnservablePagingVms = Unservable };
    }

    /// <summary>The scalar definition over slots [<paramref name="start"/>, <paramref name="end"/>), pressures counted straight into <paramref name="pressureBins"/>.</summary>
    internal static void ScalarSlots(Fleet fleet, int start, int end, ref Sums s, Span<long> pressureBins, Span<int> pagingTicks, Span<long> unmetMbTicks,
        Span<int> unservableTicks)
    {
        bool unservable = unservableTicks.Length > 0;
        bool perSlot = pagingTicks.Length > 0;
        int[] flagsCol = fleet.Cols.Flags, assignedCol = fleet.Cols.Assigned, demandCol = fleet.Cols.Demand;
        int[] balloonedCol = fleet.Cols.Ballooned, spCol = fleet.Cols.SmartPaging, pressureCol = fleet.Cols.Pressure;
        int lastBin = pressureBins.Length - 1;
        for (int i = start; i < end; i++)
        {
            int flags = flagsCol[i];
            if ((flags & VmFlags.StateMask) == 0)
                continue;
            s.On++;
            int a = assignedCol[i], d = demandCol[i];
            s.Assigned += a;
            s.Demand += d;
            s.Ballooned += balloonedCol[i];
            if (d > a)
            {
                s.Paging++;
                s.Unmet += d - a;
                if (perSlot)
                {
                    pagingTicks[i]++;
                    unmetMbTicks[i] += d - a;
                }

                if (unservable && IsUnservable(fleet, i))
                {
                    unservableTicks[i]++;
                    s.Unservable++;
                }
            }

            if (spCol[i] > 0)
            {
                s.SpVms++;
                s.Sp += spCol[i];
            }

            if ((flags & (VmFlags.StateMask | VmFlags.Dynamic)) == VmFlags.RunningDynamic)
            {
                s.RunningDm++;
                int p = pressureCol[i];
                s.PressureSum += p;
                s.PressureMax = Math.Max(s.PressureMax, p);
                if (lastBin >= 0)
                    pressureBins[Math.Min(p, lastBin)]++;
            }
        }
    }

    /// <summary>Available memory and short hosts of hosts [<paramref name="first"/>, <paramref name="end"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void AddHosts(Fleet fleet, int first, int end, ref Sums s)
    {
        int[] available = fleet.Cols.HostAvailable;
        byte[] hostShort = fleet.Cols.HostShort;
        for (int h = first; h < end; h++)
        {
            s.Available += available[h];
            s.ShortHosts += hostShort[h];
        }
    }

    /// <summary>Slots per block: int lane sums of MB values (&lt; 2^25 each) stay below 2^31 within a block.</summary>
    private const int Block = 32 * 8;

    /// <summary>
    /// The same totals as <see cref="MeasureScalar"/>, 8 slots at a time: exact integer sums (per block in int
    /// lanes, then widened), masks instead of branches. Paging VMs and the pressure histogram are per-lane
    /// work, done for the lanes that need it. Slot counts are multiples of 16 (hosts are padded), so no tail.
    /// </summary>
    internal static TickTotals MeasureVector(Fleet fleet, Span<long> pressureBins, Span<int> pagingTicks, Span<long> unmetMbTicks, Span<int> unservableTicks = default)
    {
        int lastBin = pressureBins.Length - 1;
        bool pooled = lastBin >= 0 && lastBin < PooledBins;
        int stride = pooled ? lastBin + 2 : 0;
        int[] counts = pooled ? (t_counts ??= new int[Copies * (PooledBins + 2)]) : [];
        counts.AsSpan(0, Copies * stride).Clear();
        var sums = default(Sums);
        VectorSlots(fleet, 0, fleet.Cols.Flags.Length, ref sums, counts, stride, pooled ? default : pressureBins, pagingTicks, unmetMbTicks, unservableTicks);
        if (pooled)
            FlushPressures(counts, stride, pressureBins);
        AddHosts(fleet, 0, fleet.HostCount, ref sums);
        return sums.ToTotals();
    }

    /// <summary>
    /// The vector pass over slots [<paramref name="start"/>, <paramref name="end"/>) (multiples of 8): pressures counted into
    /// <paramref name="counts"/> (<see cref="CountPressures"/>'s copies, when <paramref name="stride"/> &gt; 0) or straight
    /// into <paramref name="directBins"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void VectorSlots(Fleet fleet, int start, int end, ref Sums s, int[] counts, int stride, Span<long> directBins,
        Span<int> pagingTicks, Span<long> unmetMbTicks, Span<int> unservableTicks)
    {
        bool perSlot = pagingTicks.Length > 0;
        ref int flagsRef = ref MemoryMarshal.GetArrayDataReference(fleet.Cols.Flags);
        ref int assignedRef = ref MemoryMarshal.GetArrayDataReference(fleet.Cols.Assigned);
        ref int demandRef = ref MemoryMarshal.GetArrayDataReference(fleet.Cols.Demand);
        ref int balloonedRef = ref MemoryMarshal.GetArrayDataReference(fleet.Cols.Ballooned);
        ref int spRef = ref MemoryMarshal.GetArrayDataReference(fleet.Cols.SmartPaging);
        ref int pressureRef = ref MemoryMarshal.GetArrayDataReference(fleet.Cols.Pressure);

        Vector256<int> zero = Vector256<int>.Zero;
        Vector256<int> stateMask = Vector256.Create(VmFlags.StateMask);
        Vector256<int> rdMask = Vector256.Create(VmFlags.StateMask | VmFlags.Dynamic), rd = Vector256.Create(VmFlags.RunningDynamic);
        Vector256<int> onCount = zero, rdCount = zero, pagingCount = zero, spCount = zero, pressureMax = zero;
        long assigned = 0, demand = 0, ballooned = 0, sp = 0, unmet = 0, pressureSum = 0;
        for (int block = start; block < end; block += Block)
        {
            // The sums, branch-free; the per-lane work (paging VMs, pressure bins) runs after the block, out of line,
            // on data still in the L1 cache, so that this loop keeps its accumulators in registers.
            int blockEnd = Math.Min(end, block + Block);
            Vector256<int> accA = zero, accD = zero, accB = zero, accSp = zero, accUnmet = zero, accP = zero, anyPaging = zero;
            for (int i = block; i < blockEnd; i += Vector256<int>.Count)
            {
                nuint x = (nuint)i;
                Vector256<int> flags = Vector256.LoadUnsafe(ref flagsRef, x);
                Vector256<int> on = ~Vector256.Equals(flags & stateMask, zero);
                Vector256<int> runningDm = Vector256.Equals(flags & rdMask, rd);
                Vector256<int> a = Vector256.LoadUnsafe(ref assignedRef, x) & on;
                Vector256<int> d = Vector256.LoadUnsafe(ref demandRef, x) & on;
                Vector256<int> spv = Vector256.LoadUnsafe(ref spRef, x) & on;
                Vector256<int> p = Vector256.LoadUnsafe(ref pressureRef, x) & runningDm;
                accA += a;
                accD += d;
                accB += Vector256.LoadUnsafe(ref balloonedRef, x) & on;
                onCount -= on;
                rdCount -= runningDm;
                Vector256<int> paging = Vector256.GreaterThan(d, a);
                accUnmet += (d - a) & paging;
                pagingCount -= paging;
                anyPaging |= paging;
                accSp += spv;
                spCount -= Vector256.GreaterThan(spv, zero);
                accP += p;
                pressureMax = Vector256.Max(pressureMax, p);
            }

            assigned += Widen(accA);
            demand += Widen(accD);
            ballooned += Widen(accB);
            sp += Widen(accSp);
            unmet += Widen(accUnmet);
            pressureSum += Widen(accP);
            if (perSlot && anyPaging != zero)
                s.Unservable += AddPagingSlots(fleet, block, blockEnd, pagingTicks, unmetMbTicks, unservableTicks);

            if (stride > 0)
                CountPressures(fleet, block, blockEnd, counts, stride);
            else if (directBins.Length > 0)
                CountPressuresDirect(fleet, block, blockEnd, directBins);
        }

        s.On += Vector256.Sum(onCount);
        s.RunningDm += Vector256.Sum(rdCount);
        s.Paging += Vector256.Sum(pagingCount);
        s.SpVms += Vector256.Sum(spCount);
        s.Assigned += assigned;
        s.Demand += demand;
        s.Ballooned += ballooned;
        s.Sp += sp;
        s.Unmet += unmet;
        s.PressureSum += pressureSum;
        s.PressureMax = Math.Max(s.PressureMax, MaxLane(pressureMax));
    }

    private static int MaxLane(Vector256<int> v)
    {
        int m = 0;
        for (int k = 0; k < Vector256<int>.Count; k++)
            m = Math.Max(m, v.GetElement(k));
        return m;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Widen(Vector256<int> v)
    {
        (Vector256<long> lo, Vector256<long> hi) = Vector256.Widen(v);
        return Vector256.Sum(lo + hi);
    }

    /// <summary>Bins counted in the per-thread counters of <see cref="CountPressures"/>; with more, straight into the caller's span.</summary>
    internal const int PooledBins = 1024;

    /// <summary>Copies of the pressure counters (one per Vector256 lane).</summary>
    internal const int Copies = 8;

    /// <summary><see cref="Copies"/> × (bins + 1) counters, per thread: allocated once, cleared per call.</summary>
    [ThreadStatic]
    private static int[]? t_counts;

    /// <summary>
    /// Adds 1 and Demand − Assigned to each paging VM's per-slot totals in [start, end) (a block with one), and 1 to the
    /// unservable ticks of those whose committed demand their settings cannot serve (when given); returns how many those are.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int AddPagingSlots(Fleet fleet, int start, int end, Span<int> pagingTicks, Span<long> unmetMbTicks, Span<int> unservableTicks)
    {
        bool unservable = unservableTicks.Length > 0;
        int count = 0;
        int[] assignedCol = fleet.Cols.Assigned, demandCol = fleet.Cols.Demand;
        ref int flagsRef = ref MemoryMarshal.GetArrayDataReference(fleet.Cols.Flags);
        ref int assignedRef = ref MemoryMarshal.GetArrayDataReference(assignedCol);
        ref int demandRef = ref MemoryMarshal.GetArrayDataReference(demandCol);
        Vector256<int> stateMask = Vector256.Create(VmFlags.StateMask);
        for (int i = start; i < end; i += Vector256<int>.Count)
        {
            nuint x = (nuint)i;
            Vector256<int> on = ~Vector256.Equals(Vector256.LoadUnsafe(ref flagsRef, x) & stateMask, Vector256<int>.Zero);
            Vector256<int> paging = Vector256.GreaterThan(Vector256.LoadUnsafe(ref demandRef, x), Vector256.LoadUnsafe(ref assignedRef, x)) & on;
            for (uint bits = paging.ExtractMostSignificantBits(); bits != 0; bits &= bits - 1)
            {
                int slot = i + System.Numerics.BitOperations.TrailingZeroCount(bits);
                pagingTicks[slot]++;
                unmetMbTicks[slot] += demandCol[slot] - assignedCol[slot];
                if (unservable && IsUnservable(fleet, slot))
                {
                    unservableTicks[slot]++;
                    count++;
                }
            }
        }

        return count;
    }

    /// <summary>
    /// True when the committed demand of the VM in <paramref name="slot"/> is above what its settings can ever serve
    /// (<see cref="GuestMemory.MaxServableCommittedMb"/>: its Maximum, a static VM's Startup, less a Linux guest's R8 floor at that size).
    /// </summary>
    internal static bool IsUnservable(Fleet fleet, int slot)
    {
        FleetColumns c = fleet.Cols;
        int flags = c.Flags[slot];
        int size = (flags & VmFlags.Dynamic) != 0 ? c.Maximum[slot] : c.Startup[slot];
        return c.Committed[slot] > GuestMemory.MaxServableCommittedOfSize(size, (flags & VmFlags.Linux) != 0);
    }

    /// <summary>
    /// Counts the Current Pressure of each Running DM VM in [start, end) into its bin (the last takes everything
    /// above). The counters are <see cref="Copies"/> copies of bins + 1 ints: slot mod 8 picks the copy, since most
    /// VMs sit at a few pressures and a single copy would chain every increment through the same memory word;
    /// the spare last bin of each copy takes the VMs that are not Running DM, so no lane needs a branch.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void CountPressures(Fleet fleet, int start, int end, int[] counts, int stride)
    {
        ref int flagsRef = ref MemoryMarshal.GetArrayDataReference(fleet.Cols.Flags);
        ref int pressureRef = ref MemoryMarshal.GetArrayDataReference(fleet.Cols.Pressure);
        ref int c = ref MemoryMarshal.GetArrayDataReference(counts);
        Vector256<int> rdMask = Vector256.Create(VmFlags.StateMask | VmFlags.Dynamic), rd = Vector256.Create(VmFlags.RunningDynamic);
        Vector256<int> lastBin = Vector256.Create(stride - 2), spare = Vector256.Create(stride - 1);
        Vector256<int> copyOffset = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) * Vector256.Create(stride);
        Span<int> bins = stackalloc int[Vector256<int>.Count];
        ref int binRef = ref MemoryMarshal.GetReference(bins);
        for (int i = start; i < end; i += Vector256<int>.Count)
        {
            nuint x = (nuint)i;
            Vector256<int> runningDm = Vector256.Equals(Vector256.LoadUnsafe(ref flagsRef, x) & rdMask, rd);
            Vector256<int> bin = Vector256.ConditionalSelect(runningDm, Vector256.Min(Vector256.LoadUnsafe(ref pressureRef, x), lastBin), spare) + copyOffset;
            bin.StoreUnsafe(ref binRef);
            for (int k = 0; k < Vector256<int>.Count; k++)
                Unsafe.Add(ref c, Unsafe.Add(ref binRef, k))++;
        }
    }

    /// <summary>Adds the copies of <see cref="CountPressures"/>'s counts into <paramref name="bins"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void FlushPressures(int[] counts, int stride, Span<long> bins)
    {
        for (int copy = 0; copy < Copies; copy++)
        {
            ReadOnlySpan<int> c = counts.AsSpan(copy * stride, bins.Length);
            for (int b = 0; b < bins.Length; b++)
                bins[b] += c[b];
        }
    }

    /// <summary>The plain per-slot count, for bin counts too large for the stack.</summary>
    private static void CountPressuresDirect(Fleet fleet, int start, int end, Span<long> bins)
    {
        int[] flagsCol = fleet.Cols.Flags, pressureCol = fleet.Cols.Pressure;
        int lastBin = bins.Length - 1;
        for (int i = start; i < end; i++)
        {
            if ((flagsCol[i] & (VmFlags.StateMask | VmFlags.Dynamic)) == VmFlags.RunningDynamic)
                bins[Math.Min(pressureCol[i], lastBin)]++;
        }
    }
}

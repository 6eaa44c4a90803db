using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DmKernel;

/// <summary>Fleet-wide totals of the last tick (MB unless named otherwise).</summary>
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
    int PressureMax);

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
    {
        ArgumentNullException.ThrowIfNull(fleet);
        bool perSlot = pagingTicks.Length > 0;
        if (perSlot && (pagingTicks.Length != fleet.SlotCount || unmetMbTicks.Length != fleet.SlotCount))
            ThrowHelper.SpanLength(nameof(pagingTicks), pagingTicks.Length, fleet.SlotCount);
        return Vector256.IsHardwareAccelerated
            ? MeasureVector(fleet, pressureBins, pagingTicks, unmetMbTicks)
            : MeasureScalar(fleet, pressureBins, pagingTicks, unmetMbTicks);
    }

    /// <summary>The plain loop: the definition of every total, and what the vector pass is tested against.</summary>
    internal static TickTotals MeasureScalar(Fleet fleet, Span<long> pressureBins, Span<int> pagingTicks, Span<long> unmetMbTicks)
    {
        bool perSlot = pagingTicks.Length > 0;
        int on = 0, runningDm = 0, paging = 0, spVms = 0, shortHosts = 0;
        long unmet = 0, assigned = 0, demand = 0, ballooned = 0, sp = 0, available = 0, pressureSum = 0;
        int pressureMax = 0;
        int[] flagsCol = fleet.Cols.Flags, assignedCol = fleet.Cols.Assigned, demandCol = fleet.Cols.Demand;
        int[] balloonedCol = fleet.Cols.Ballooned, spCol = fleet.Cols.SmartPaging, pressureCol = fleet.Cols.Pressure;
        int lastBin = pressureBins.Length - 1;
        for (int i = 0; i < flagsCol.Length; i++)
        {
            int flags = flagsCol[i];
            if ((flags & VmFlags.StateMask) == 0)
                continue;
            on++;
            int a = assignedCol[i], d = demandCol[i];
            assigned += a;
            demand += d;
            ballooned += balloonedCol[i];
            if (d > a)
            {
                paging++;
                unmet += d - a;
                if (perSlot)
                {
                    pagingTicks[i]++;
                    unmetMbTicks[i] += d - a;
                }
            }

            if (spCol[i] > 0)
            {
                spVms++;
                sp += spCol[i];
            }

            if ((flags & (VmFlags.StateMask | VmFlags.Dynamic)) == VmFlags.RunningDynamic)
            {
                runningDm++;
                int p = pressureCol[i];
                pressureSum += p;
                pressureMax = Math.Max(pressureMax, p);
                if (lastBin >= 0)
                    pressureBins[Math.Min(p, lastBin)]++;
            }
        }

        for (int h = 0; h < fleet.HostCount; h++)
        {
            available += fleet.Cols.HostAvailable[h];
            shortHosts += fleet.Cols.HostShort[h];
        }

        return new TickTotals(on, runningDm, paging, unmet, assigned, demand, ballooned, spVms, sp, shortHosts, available, pressureSum, pressureMax);
    }

    /// <summary>Slots per block: int lane sums of MB values (&lt; 2^25 each) stay below 2^31 within a block.</summary>
    private const int Block = 32 * 8;

    /// <summary>
    /// The same totals as <see cref="MeasureScalar"/>, 8 slots at a time: exact integer sums (per block in int
    /// lanes, then widened), masks instead of branches. Paging VMs and the pressure histogram are per-lane
    /// work, done for the lanes that need it. Slot counts are multiples of 16 (hosts are padded), so no tail.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static TickTotals MeasureVector(Fleet fleet, Span<long> pressureBins, Span<int> pagingTicks, Span<long> unmetMbTicks)
    {
        bool perSlot = pagingTicks.Length > 0;
        int slots = fleet.Cols.Flags.Length;
        ref int flagsRef = ref MemoryMarshal.GetArrayDataReference(fleet.Cols.Flags);
        ref int assignedRef = ref MemoryMarshal.GetArrayDataReference(fleet.Cols.Assigned);
        ref int demandRef = ref MemoryMarshal.GetArrayDataReference(fleet.Cols.Demand);
        ref int balloonedRef = ref MemoryMarshal.GetArrayDataReference(fleet.Cols.Ballooned);
        ref int spRef = ref MemoryMarshal.GetArrayDataReference(fleet.Cols.SmartPaging);
        ref int pressureRef = ref MemoryMarshal.GetArrayDataReference(fleet.Cols.Pressure);
        int lastBin = pressureBins.Length - 1;
        bool pooled = lastBin >= 0 && lastBin < PooledBins;
        int stride = pooled ? lastBin + 2 : 0;
        int[] counts = pooled ? (t_counts ??= new int[Copies * (PooledBins + 2)]) : [];
        counts.AsSpan(0, Copies * stride).Clear();

        Vector256<int> zero = Vector256<int>.Zero;
        Vector256<int> stateMask = Vector256.Create(VmFlags.StateMask);
        Vector256<int> rdMask = Vector256.Create(VmFlags.StateMask | VmFlags.Dynamic), rd = Vector256.Create(VmFlags.RunningDynamic);
        Vector256<int> onCount = zero, rdCount = zero, pagingCount = zero, spCount = zero, pressureMax = zero;
        long assigned = 0, demand = 0, ballooned = 0, sp = 0, unmet = 0, pressureSum = 0;
        for (int block = 0; block < slots; block += Block)
        {
            // The sums, branch-free; the per-lane work (paging VMs, pressure bins) runs after the block, out of line,
            // on data still in the L1 cache, so that this loop keeps its accumulators in registers.
            int blockEnd = Math.Min(slots, block + Block);
            Vector256<int> accA = zero, accD = zero, accB = zero, accSp = zero, accUnmet = zero, accP = zero, anyPaging = zero;
            for (int i = block; i < blockEnd; i += Vector256<int>.Count)
            {
                nuint x = (nuint)i;
                Vector256<int> flags = Vector256.LoadUnsafe(ref flagsRef, x);
                Vector256<int> on = ~Vector256.Equals(flags & stateMask, zero);
                Vector256<int> runningDm = Vector256.Equals(flags & rdMask, rd);
                Vector256<int> a = Vector256.LoadUnsafe(ref assignedRef, x) & on;
                Vector256<int> d = Vector256.LoadUnsafe(ref demandRef, x) & on;
                Vector256<int> s = Vector256.LoadUnsafe(ref spRef, x) & on;
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
                accSp += s;
                spCount -= Vector256.GreaterThan(s, zero);
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
                AddPagingSlots(fleet, block, blockEnd, pagingTicks, unmetMbTicks);

            if (pooled)
                CountPressures(fleet, block, blockEnd, counts, stride);
            else if (lastBin >= 0)
                CountPressuresDirect(fleet, block, blockEnd, pressureBins);
        }

        if (pooled)
            FlushPressures(counts, stride, pressureBins);

        int shortHosts = 0;
        long available = 0;
        for (int h = 0; h < fleet.HostCount; h++)
        {
            available += fleet.Cols.HostAvailable[h];
            shortHosts += fleet.Cols.HostShort[h];
        }

        return new TickTotals(Vector256.Sum(onCount), Vector256.Sum(rdCount), Vector256.Sum(pagingCount), unmet, assigned, demand, ballooned,
            Vector256.Sum(spCount), sp, shortHosts, available, pressureSum, MaxLane(pressureMax));
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
    private const int PooledBins = 1024;

    /// <summary>Copies of the pressure counters (one per Vector256 lane).</summary>
    private const int Copies = 8;

    /// <summary><see cref="Copies"/> × (bins + 1) counters, per thread: allocated once, cleared per call.</summary>
    [ThreadStatic]
    private static int[]? t_counts;

    /// <summary>Adds 1 and Demand − Assigned to each paging VM's per-slot totals in [start, end) (a block with one).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AddPagingSlots(Fleet fleet, int start, int end, Span<int> pagingTicks, Span<long> unmetMbTicks)
    {
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
            }
        }
    }

    /// <summary>
    /// Counts the Current Pressure of each Running DM VM in [start, end) into its bin (the last takes everything
    /// above). The counters are <see cref="Copies"/> copies of bins + 1 ints: slot mod 8 picks the copy, since most
    /// VMs sit at a few pressures and a single copy would chain every increment through the same memory word;
    /// the spare last bin of each copy takes the VMs that are not Running DM, so no lane needs a branch.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
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
    private static void FlushPressures(int[] counts, int stride, Span<long> bins)
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

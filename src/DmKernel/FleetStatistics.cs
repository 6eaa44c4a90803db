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
        int[] flagsCol = fleet.FlagsCol, assignedCol = fleet.AssignedCol, demandCol = fleet.DemandCol;
        int[] balloonedCol = fleet.BalloonedCol, spCol = fleet.SmartPagingCol, pressureCol = fleet.PressureCol;
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
            available += fleet.HostAvailableCol[h];
            shortHosts += fleet.HostShortCol[h];
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
        int slots = fleet.FlagsCol.Length;
        ref int flagsRef = ref MemoryMarshal.GetArrayDataReference(fleet.FlagsCol);
        ref int assignedRef = ref MemoryMarshal.GetArrayDataReference(fleet.AssignedCol);
        ref int demandRef = ref MemoryMarshal.GetArrayDataReference(fleet.DemandCol);
        ref int balloonedRef = ref MemoryMarshal.GetArrayDataReference(fleet.BalloonedCol);
        ref int spRef = ref MemoryMarshal.GetArrayDataReference(fleet.SmartPagingCol);
        ref int pressureRef = ref MemoryMarshal.GetArrayDataReference(fleet.PressureCol);
        int lastBin = pressureBins.Length - 1;
        bool onStack = lastBin >= 0 && lastBin < StackBins;
        int stride = onStack ? lastBin + 2 : 0;
        Span<int> counts = stackalloc int[4 * stride];
        counts.Clear();

        Vector256<int> zero = Vector256<int>.Zero;
        Vector256<int> stateMask = Vector256.Create(VmFlags.StateMask);
        Vector256<int> rdMask = Vector256.Create(VmFlags.StateMask | VmFlags.Dynamic), rd = Vector256.Create(VmFlags.RunningDynamic);
        Vector256<int> onCount = zero, rdCount = zero, pagingCount = zero, spCount = zero, pressureMax = zero;
        long assigned = 0, demand = 0, ballooned = 0, sp = 0, unmet = 0, pressureSum = 0;
        for (int block = 0; block < slots; block += Block)
        {
            int blockEnd = Math.Min(slots, block + Block);
            Vector256<int> accA = zero, accD = zero, accB = zero, accSp = zero, accUnmet = zero, accP = zero;
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
                Vector256<int> gap = (d - a) & paging;
                accUnmet += gap;
                pagingCount -= paging;
                Vector256<int> hasSp = Vector256.GreaterThan(s, zero);
                accSp += s;
                spCount -= hasSp;
                accP += p;
                pressureMax = Vector256.Max(pressureMax, p);
                if (perSlot && paging != zero)
                {
                    uint bits = paging.ExtractMostSignificantBits();
                    while (bits != 0)
                    {
                        int lane = System.Numerics.BitOperations.TrailingZeroCount(bits);
                        bits &= bits - 1;
                        pagingTicks[i + lane]++;
                        unmetMbTicks[i + lane] += gap.GetElement(lane);
                    }
                }
            }

            assigned += Widen(accA);
            demand += Widen(accD);
            ballooned += Widen(accB);
            sp += Widen(accSp);
            unmet += Widen(accUnmet);
            pressureSum += Widen(accP);
            if (onStack)
                CountPressures(fleet, block, blockEnd, counts, stride);
            else if (lastBin >= 0)
                CountPressuresDirect(fleet, block, blockEnd, pressureBins);
        }

        if (onStack)
            FlushPressures(counts, stride, pressureBins);

        int shortHosts = 0;
        long available = 0;
        for (int h = 0; h < fleet.HostCount; h++)
        {
            available += fleet.HostAvailableCol[h];
            shortHosts += fleet.HostShortCol[h];
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

    /// <summary>Bins counted on the stack by <see cref="CountPressures"/>; with more, they go straight into the caller's span.</summary>
    private const int StackBins = 2048;

    /// <summary>
    /// Counts the Current Pressure of each Running DM VM in [start, end) into its bin (the last takes everything
    /// above), into <paramref name="counts"/>: four interleaved copies of <paramref name="stride"/> = bins + 1 ints.
    /// Most VMs sit at a few pressures, so a single array would chain every increment through the same memory word;
    /// four copies (slot mod 4) break the chain, and the spare last bin of each takes the other VMs without a branch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CountPressures(Fleet fleet, int start, int end, Span<int> counts, int stride)
    {
        int[] flagsCol = fleet.FlagsCol, pressureCol = fleet.PressureCol;
        int lastBin = stride - 2, spare = stride - 1;
        ref int c = ref MemoryMarshal.GetReference(counts);
        for (int i = start; i < end; i++)
        {
            bool runningDm = (flagsCol[i] & (VmFlags.StateMask | VmFlags.Dynamic)) == VmFlags.RunningDynamic;
            int bin = runningDm ? Math.Min(pressureCol[i], lastBin) : spare;
            Unsafe.Add(ref c, (i & 3) * stride + bin)++;
        }
    }

    /// <summary>Adds the four copies of <see cref="CountPressures"/>'s counts into <paramref name="bins"/>.</summary>
    private static void FlushPressures(ReadOnlySpan<int> counts, int stride, Span<long> bins)
    {
        for (int b = 0; b < bins.Length; b++)
            bins[b] += counts[b] + counts[stride + b] + counts[(2 * stride) + b] + counts[(3 * stride) + b];
    }

    /// <summary>The plain per-slot count, for bin counts too large for the stack.</summary>
    private static void CountPressuresDirect(Fleet fleet, int start, int end, Span<long> bins)
    {
        int[] flagsCol = fleet.FlagsCol, pressureCol = fleet.PressureCol;
        int lastBin = bins.Length - 1;
        for (int i = start; i < end; i++)
        {
            if ((flagsCol[i] & (VmFlags.StateMask | VmFlags.Dynamic)) == VmFlags.RunningDynamic)
                bins[Math.Min(pressureCol[i], lastBin)]++;
        }
    }
}

using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace DmKernel.Kernel;

/// <summary>
/// Software prefetch of the cold columns a host's general steps read and write (<see cref="GeneralSteps"/>), issued a few
/// hosts ahead by the one-pass loop, so that their cache misses overlap the hosts ticked in between instead of stalling
/// the host that needs them. The hot columns need none: every host reads them in slot order and the hardware prefetcher
/// follows. A prefetch never faults and never changes a value (an address made stale by the garbage collector moving an
/// array only wastes the hint), so results do not depend on it; where the CPU has no prefetch instruction that .NET
/// exposes (not x86), it does nothing.
/// </summary>
internal static unsafe class Prefetch
{
    /// <summary>Hosts ahead of the one being ticked whose cold columns are prefetched.</summary>
    public const int HostsAhead = 2;

    /// <summary>
    /// The state size (all columns, about 168 B per slot) from which the kernel prefetches
    /// (<see cref="FleetColumns.PrefetchCold"/>): 128 MiB, about 800 000 slots. Below it the cold columns come from the
    /// last-level cache quickly enough that a prefetch costs more than it saves. Realistic workload, 25 % short, V512,
    /// same-process A/B (<c>--probe … --prefetch-ab</c>, on / off, the best round of each): 10 000 VMs 1.03–1.08;
    /// 50 000: 1.05, 1.06, 1.05, 1.05; 100 000: 1.05, 1.03; 200 000: 1.01, 1.04; 500 000: 1.03, 1.01; 1 000 000 (168 MB of
    /// state): 0.95, 0.90 (it pays). Until 2026-12-02 the threshold was 4 MiB (a core's L2), which had the tick prefetch
    /// at 50 000 VMs too.
    /// </summary>
    public const long MinStateBytes = 128L << 20;

    /// <summary>
    /// Whether prefetches are issued (default true). For the benchmarks' same-process comparisons only
    /// (<c>--probe … --prefetch-ab</c>, <c>--replay-probe … --prefetch-ab</c>); results never depend on it.
    /// </summary>
    internal static bool Enabled { get; set; } = true;

    /// <summary>
    /// Prefetches host <paramref name="h"/>'s slots in the columns only the general steps use (the one-pass loop calls it
    /// for hosts that were short on the tick before): Weight and the order cache's key and order (R11's plan and R13's
    /// order), and, where some VM of the host had a decision on the tick before (the <see cref="VmFlags.Decided"/> mark:
    /// memory is likely to move again, and its decisions are written either way), Ballooned, the three decisions (R17),
    /// the cumulative totals and operation counts (R18) and, on a window's last tick, the reported window figures. A host
    /// whose memory stands still (a short host at equilibrium) does not get those: they would only take room in L2.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void GeneralSteps(FleetColumns c, int h, bool windowEnd, OrderCache? cache)
    {
        if (!Sse.IsSupported || !Enabled)
            return;
        int start = c.HostStart[h], count = c.HostCapacity[h];
        if (count <= 0)
            return;
        Lines(c.Weight, start, count);
        cache?.Prefetch(start, count);
        if (!AnyDecided(c.Flags.AsSpan(start, count)))
            return;
        Lines(c.Ballooned, start, count);
        Lines(c.Unballooned, start, count);
        Lines(c.HotAdded, start, count);
        Lines(c.Removed, start, count);
        Lines(c.AddedTotal, start, count);
        Lines(c.RemovedTotal, start, count);
        Lines(c.AddOps, start, count);
        Lines(c.RemoveOps, start, count);
        if (windowEnd)
        {
            Lines(c.LastAvg, start, count);
            Lines(c.LastMin, start, count);
            Lines(c.LastMax, start, count);
        }
    }

    /// <summary>
    /// Prefetches host <paramref name="h"/>'s slots in the columns every host's tick reads (the schema's hot columns:
    /// Flags, Committed, Assigned, Buffer, Minimum, TargetLimit, Demand, Target, Pressure and the window's sum,
    /// minimum and maximum). The one-pass loop calls it for the host after one that takes <c>TickOne</c>: a short host's
    /// plan and finishing pass walk some fifteen other columns, and the hardware's stream prefetchers lose the hot
    /// columns' streams meanwhile, so the next host started on cache misses. Same-process A/B
    /// (<c>--probe 1000000 realistic 25 --prefetch-ab</c>, with only this prefetch switched): 0.928, 0.926 of the time
    /// (the next two hosts: 0.936, 0.934); at 50 000 to 500 000 VMs 0.97–1.03 (so only from <see cref="MinStateBytes"/>, like the cold columns');
    /// with no short host it is never issued. (Every host's hot columns four hosts ahead instead: 0.92–0.95 with 25 %
    /// short, but 1.06–1.12 without short hosts, where the hardware keeps the streams.)
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void HotColumns(FleetColumns c, int h)
    {
        if (!Sse.IsSupported || !Enabled)
            return;
        int start = c.HostStart[h], count = c.HostCapacity[h];
        Lines(c.Flags, start, count);
        Lines(c.Committed, start, count);
        Lines(c.Assigned, start, count);
        Lines(c.Buffer, start, count);
        Lines(c.Minimum, start, count);
        Lines(c.TargetLimit, start, count);
        Lines(c.Demand, start, count);
        Lines(c.Target, start, count);
        Lines(c.Pressure, start, count);
        Lines(c.WinSum, start, count);
        Lines(c.WinMin, start, count);
        Lines(c.WinMax, start, count);
    }

    /// <summary>Whether any of <paramref name="flags"/> has the <see cref="VmFlags.Decided"/> mark.</summary>
    private static bool AnyDecided(ReadOnlySpan<int> flags)
    {
        Vector<int> acc = Vector<int>.Zero;
        int i = 0;
        for (; i <= flags.Length - Vector<int>.Count; i += Vector<int>.Count)
            acc |= new Vector<int>(flags.Slice(i));
        int rest = 0;
        for (; i < flags.Length; i++)
            rest |= flags[i];
        return ((acc & new Vector<int>(VmFlags.Decided)) != Vector<int>.Zero) || (rest & VmFlags.Decided) != 0;
    }

    /// <summary>
    /// Prefetches every cache line of <paramref name="column"/>'s elements [<paramref name="start"/>,
    /// <paramref name="start"/> + <paramref name="count"/>), which the caller guarantees are in the array.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Lines<T>(T[] column, int start, int count)
        where T : unmanaged
    {
        if (!Sse.IsSupported || count <= 0)
            return;
        nuint address = (nuint)Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(column), start));
        nuint end = address + ((nuint)count * (nuint)sizeof(T));
        for (nuint line = address & ~(nuint)63; line < end; line += 64)
            Sse.Prefetch1((void*)line);
    }
}

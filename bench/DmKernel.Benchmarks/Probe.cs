using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace DmKernel.Benchmarks;

/// <summary>
/// <c>--probe VMS WORKLOAD SHORT%</c>: a quick Stopwatch measurement of <see cref="TickBench"/>'s cases for one fleet
/// size, workload and short share (every path, interleaved round by round, median of the rounds), for iterating on
/// the kernel between BenchmarkDotNet runs. Not a substitute for them: no process isolation, no statistics. On Linux it
/// also reports the thread's CPU time per VM-tick (<c>CLOCK_THREAD_CPUTIME_ID</c>), which time slices taken by other
/// processes on a shared machine do not inflate. <c>--prefetch-ab</c> instead ticks one fleet of the workload on V512 with the
/// kernel's prefetches (<c>Kernel.Prefetch</c>) off and on in alternating rounds and prints both medians. <c>--paths
/// V512,MinFloor</c> measures only those paths (one fleet each). Each path's line says how many of its fleet's per-VM
/// columns start on a 64-byte boundary (<c>AlignedArrays</c>; <c>DMKERNEL_ALIGN=0</c> switches the placement off).
/// </summary>
internal static partial class Probe
{
    public const string Flag = "--probe";

    /// <summary>A whole number of at least <paramref name="least"/>, else a usage error naming <paramref name="what"/>.</summary>
    private static int Count(string text, string what, int least)
        => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= least ? n
            : throw new ProgramArguments.UsageException($"--probe: {what} '{text}' is not a whole number of at least {least}.");

    /// <summary>One of <typeparamref name="T"/>'s names (any case), else a usage error naming <paramref name="what"/> and the names.</summary>
    private static T Named<T>(string text, string what) where T : struct, Enum
        => !int.TryParse(text, out _) && Enum.TryParse(text, ignoreCase: true, out T value) && Enum.IsDefined(value) ? value
            : throw new ProgramArguments.UsageException($"{(what.StartsWith("--", StringComparison.Ordinal) ? what : "--probe: " + what)} '{text}' is not one of {string.Join(", ", Enum.GetNames<T>())}.");

    public static int Run(string[] args)
    {
        int at = Array.IndexOf(args, Flag);
        string? Positional(int k) => args.Length > at + k && !args[at + k].StartsWith("--", StringComparison.Ordinal) ? args[at + k] : null;
        int vms = Positional(1) is string v ? Count(v, "VMS", 1) : 50_000;
        TickWorkload workload = Positional(2) is string w ? Named<TickWorkload>(w, "WORKLOAD") : TickWorkload.Realistic;
        int shortShare = Positional(3) is string sh ? Count(sh, "SHORT%", 0) : 0;
        if (shortShare > 100)
            throw new ProgramArguments.UsageException($"--probe: SHORT% '{shortShare}' is above 100.");
        int pathsAt = Array.IndexOf(args, "--paths");
        if (pathsAt > 0 && pathsAt + 1 >= args.Length)
            throw new ProgramArguments.UsageException("--paths: expected a list of paths, e.g. --paths V512,MinFloor.");
        TickPath[] paths = pathsAt > 0
            ? [.. args[pathsAt + 1].Split(',').Select(p => Named<TickPath>(p, "--paths"))]
            : [TickPath.MinFloor, TickPath.V512, TickPath.ColFloor, TickPath.V256, TickPath.V128];
        var benches = new TickBench[paths.Length];
        for (int p = 0; p < paths.Length; p++)
        {
            benches[p] = new TickBench { Vms = vms, Workload = workload, ShortSharePercent = shortShare, Path = paths[p] };
            benches[p].Setup();
        }

        if (args.Contains("--stats"))
        {
            TickBench b = benches[1];
            for (int t = 0; t < 20; t++)
            {
                b.Tick();
                Fleet f = b.FleetForProbe;
                int grants = 0, removals = 0, reclaiming = 0, on = 0;
                for (int i = 0; i < f.SlotCount; i++)
                {
                    on += f.States[i] != VmState.Off ? 1 : 0;
                    grants += f.UnballoonedThisTick[i] + f.HotAddedThisTick[i] > 0 ? 1 : 0;
                    removals += f.RemovedThisTick[i] > 0 ? 1 : 0;
                    reclaiming += f.IsReclaiming(i) ? 1 : 0;
                }

                Console.WriteLine($"tick {f.TickIndex - 1}: on {on}, grants {grants}, removals {removals}, reclaiming {reclaiming}");
            }
        }

        if (args.Contains("--ticks"))
        {
            int perHostAt = Array.IndexOf(args, "--per-host");
            int perHost = perHostAt > 0 ? int.Parse(args[perHostAt + 1], CultureInfo.InvariantCulture) : Workload.MaxVmsPerHost;
            Fleet f = Workload.Build(vms, shortShare, vmsPerHost: perHost);
            var feed = new CommittedFeed(f);
            using var bal = new Balancer(f, KernelPath.Vector512);
            int countAt = Array.IndexOf(args, "--tick-count");
            int tickCount = countAt > 0 ? int.Parse(args[countAt + 1], CultureInfo.InvariantCulture) : 1300;
            var times = new List<(long Tick, double Ns)>();
            for (int t = 0; t < tickCount; t++)
            {
                f.SetCommitted(feed.Next());
                long c0 = ThreadCpuNs();
                bal.Tick();
                times.Add((f.TickIndex - 1, (double)(ThreadCpuNs() - c0) / vms));
            }

            var sorted = times.Skip(300).Select(x => x.Ns).Order().ToArray();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ticks 300..1299: median {sorted[sorted.Length / 2]:0.000}, p10 {sorted[sorted.Length / 10]:0.000}, p90 {sorted[sorted.Length * 9 / 10]:0.000}, mean {sorted.Average():0.000} ns/VM"));
            foreach ((long tick, double ns) in times.Skip(300).Where(x => x.Ns > 2 * sorted[sorted.Length / 2]).Take(40))
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  tick {tick}: {ns:0.000} ns/VM"));
            if (args.Contains("--by-window-tick"))
            {
                for (int k = 0; k < 60; k++)
                {
                    double[] sameTick = times.Skip(300).Where(x => x.Tick % 60 == k).Select(x => x.Ns).Order().ToArray();
                    Console.Write(string.Create(CultureInfo.InvariantCulture, $"{k}:{sameTick[sameTick.Length / 2]:0.00} "));
                }

                Console.WriteLine();
            }
            return 0;
        }

        if (args.Contains("--layout"))
        {
            // Where each per-VM column of a fleet starts, modulo 4 096: two columns whose starts are closer than a vector
            // (64 B) modulo 4 096 alias in the store buffer's address check (4K aliasing), so a load from one waits for a
            // store to the other at the same index.
            Fleet f = Workload.Build(vms, shortShare);
            var starts = new List<(string Name, long Mod, DmKernel.HotUse Hot)>();
            foreach (DmKernel.ColumnInfo info in DmKernel.FleetSchema.Columns)
            {
                if (info.Derived || info.Scope != DmKernel.ColumnScope.Vm)
                    continue;
                Array a = f.Cols.Arrays[(int)info.Id];
                long address = (long)System.Runtime.CompilerServices.Unsafe.ByteOffset(ref System.Runtime.CompilerServices.Unsafe.NullRef<byte>(), ref MemoryMarshal.GetArrayDataReference(a));
                starts.Add((info.Name, address % 4096, info.Hot));
            }

            Console.WriteLine($"{starts.Count(x => x.Mod % 64 == 0)} of {starts.Count} per-VM columns start on a 64-byte boundary ({DmKernel.AlignedArrays.Misses} arrays could not be aligned)");
            for (int p = 0; p < paths.Length; p++)
                Console.WriteLine($"  {paths[p]}'s fleet: {AlignedColumns(benches[p].FleetForProbe)} of its per-VM columns aligned");

            foreach (var (name, mod, hot) in starts)
                Console.WriteLine($"{name,-16} {mod,5} {hot}");
            for (int i = 0; i < starts.Count; i++)
            {
                for (int j = i + 1; j < starts.Count; j++)
                {
                    long d = Math.Abs(starts[i].Mod - starts[j].Mod);
                    d = Math.Min(d, 4096 - d);
                    if (d < 64 && starts[i].Hot != default && starts[j].Hot != default)
                        Console.WriteLine($"  alias: {starts[i].Name} ~ {starts[j].Name} ({d} B apart mod 4096)");
                }
            }

            return 0;
        }

        if (args.Contains("--prefetch-ab"))
        {
            // The same fleet (the chosen workload) ticked on V512 with the kernel's prefetches off (A) and on (B), alternating round by round;
            // thread CPU time per VM-tick. Results do not depend on prefetching, so both halves tick one evolving fleet.
            (Fleet f, CommittedFeed feed, Balancer warmed) = Warm(vms, shortShare);
            using Balancer bal = warmed;

            int n = Math.Max(4, 2_000_000 / vms);
            var a = new List<double>();
            var b = new List<double>();
            for (int round = 0; round < 60; round++)
            {
                bool on = round % 2 == 1;
                DmKernel.Kernel.Prefetch.Enabled = on;
                long c0 = ThreadCpuNs();
                for (int t = 0; t < n; t++)
                {
                    if (workload == TickWorkload.Realistic)
                        f.SetCommitted(feed.Next());
                    bal.Tick();
                }

                (on ? b : a).Add((ThreadCpuNs() - c0) / (double)n / vms);
            }

            a.Sort();
            b.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"A (off) median {a[a.Count / 2]:0.000} min {a[0]:0.000}; B (on) median {b[b.Count / 2]:0.000} min {b[0]:0.000} ns/VM; B/A {b[b.Count / 2] / a[a.Count / 2]:0.000}"));
            return 0;
        }

        if (args.Contains("--spin-ab"))
            return SpinAb(args, vms, shortShare);

        if (args.Contains("--threads-ab"))
        {
            // One thread against two in one process: two identical fleets of the workload, one ticked by a one-thread
            // balancer and one by a two-thread balancer, rounds alternating, both fed the same committed columns through
            // Balancer.Tick(committedMb) (as ParallelTickBench's realistic case). Wall time per VM-tick. Neighbours that
            // load the machine for a while slow both halves alike, which processes minutes apart (BenchmarkDotNet) do not.
            Fleet f1 = Workload.Build(vms, shortShare), f2 = Workload.Build(vms, shortShare);
            var feed1 = new CommittedFeed(f1);
            var feed2 = new CommittedFeed(f2);
            using var one = new Balancer(f1, KernelPath.Auto, 1);
            using var two = new Balancer(f2, KernelPath.Auto, 2);
            for (int t = 0; t < TickBench.RealisticWarmTicks; t++)
            {
                one.Tick(feed1.Next());
                two.Tick(feed2.Next());
            }

            if (f1.ComputeStateHash() != f2.ComputeStateHash())
                throw new InvalidOperationException("One and two threads ticked the same fleet to different states.");
            int roundAt = Array.IndexOf(args, "--round-ticks");
            int n = roundAt > 0 ? int.Parse(args[roundAt + 1], CultureInfo.InvariantCulture) : Math.Max(4, 2_000_000 / vms);
            var a = new List<double>(60);
            var b = new List<double>(60);
            var ratios = new List<double>(60);
            long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            for (int round = 0; round < 60; round++)
            {
                long w0 = System.Diagnostics.Stopwatch.GetTimestamp();
                for (int t = 0; t < n; t++)
                    one.Tick(feed1.Next());
                long w1 = System.Diagnostics.Stopwatch.GetTimestamp();
                for (int t = 0; t < n; t++)
                    two.Tick(feed2.Next());
                long w2 = System.Diagnostics.Stopwatch.GetTimestamp();
                double t1 = (w1 - w0) * 1e9 / System.Diagnostics.Stopwatch.Frequency / n / vms;
                double t2 = (w2 - w1) * 1e9 / System.Diagnostics.Stopwatch.Frequency / n / vms;
                a.Add(t1);
                b.Add(t2);
                ratios.Add(t1 / t2);
            }

            long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            a.Sort();
            b.Sort();
            ratios.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{vms} VMs, {workload}, {shortShare} % short, {n} ticks per round, 60 rounds alternating (wall): 1 thread median {a[a.Count / 2]:0.000} min {a[0]:0.000}; 2 threads median {b[b.Count / 2]:0.000} min {b[0]:0.000} ns/VM; speedup of medians {a[a.Count / 2] / b[b.Count / 2]:0.00}, of mins {a[0] / b[0]:0.00}, median of per-round speedups {ratios[ratios.Count / 2]:0.00} (quartiles {ratios[ratios.Count / 4]:0.00}–{ratios[ratios.Count * 3 / 4]:0.00}); allocated during the rounds, all threads: {allocated} B"));
            return 0;
        }

        if (args.Contains("--parts"))
        {
            (Fleet f, CommittedFeed feed, Balancer warmed) = Warm(vms, shortShare);
            using Balancer bal = warmed;

            int n = Math.Max(4, 2_000_000 / vms);
            int rounds = args.Contains("--long") ? 60 : 5;
            for (int round = 0; round < rounds; round++)
            {
                long c0 = ThreadCpuNs();
                for (int t = 0; t < n; t++)
                    f.SetCommitted(feed.Next());
                long c1 = ThreadCpuNs();
                for (int t = 0; t < n; t++)
                    bal.Tick();
                long c2 = ThreadCpuNs();
                for (int t = 0; t < n; t++)
                {
                    f.SetCommitted(feed.Next());
                    bal.Tick();
                }

                long c3 = ThreadCpuNs();
                int[] same = f.Committed.ToArray();
                for (int t = 0; t < n; t++)
                {
                    f.SetCommitted(same);
                    bal.Tick();
                }

                long c4 = ThreadCpuNs();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"SetCommitted {(c1 - c0) / (double)n / vms:0.000}  Tick (same input) {(c2 - c1) / (double)n / vms:0.000}  both {(c3 - c2) / (double)n / vms:0.000}  SetCommitted(same) + Tick {(c4 - c3) / (double)n / vms:0.000} ns/VM"));
            }

            return 0;
        }

        const int Rounds = 31;
        int ticks = Math.Max(4, 2_000_000 / vms);
        var samples = new double[paths.Length][];
        var cpu = new double[paths.Length][];
        for (int p = 0; p < paths.Length; p++)
        {
            samples[p] = new double[Rounds];
            cpu[p] = new double[Rounds];
        }

        for (int r = -3; r < Rounds; r++)
        {
            for (int p = 0; p < paths.Length; p++)
            {
                long cpuStart = ThreadCpuNs();
                long start = Stopwatch.GetTimestamp();
                for (int t = 0; t < ticks; t++)
                    benches[p].Tick();
                double ns = Stopwatch.GetElapsedTime(start).TotalNanoseconds / ticks / vms;
                double cpuNs = (double)(ThreadCpuNs() - cpuStart) / ticks / vms;
                if (r >= 0)
                {
                    samples[p][r] = ns;
                    cpu[p][r] = cpuNs;
                }
            }
        }

        int floorAt = FloorIndex(paths);
        double floor = floorAt >= 0 ? Median(samples[floorAt]) : double.NaN, cpuFloor = floorAt >= 0 ? Median(cpu[floorAt]) : double.NaN;
        Console.WriteLine($"{vms} VMs, {workload}, {shortShare} % short, {ticks} ticks per round, median of {Rounds} rounds (wall; thread CPU):");
        for (int p = 0; p < paths.Length; p++)
        {
            double m = Median(samples[p]), c = Median(cpu[p]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {paths[p],-9} {m,7:0.000} ns/VM {m / floor,6:0.00} x MinFloor (min {samples[p].Min():0.000});  CPU {c,7:0.000} ns/VM {c / cpuFloor,6:0.00} x; fleet columns 64-byte aligned: {AlignedColumns(benches[p].FleetForProbe)}"));
            benches[p].Cleanup();
        }

        return 0;
    }

    /// <summary>
    /// Where MinFloor is among the measured paths (the "x MinFloor" ratios divide by its median), or -1 when <c>--paths</c> leaves
    /// it out (the ratios then read NaN).
    /// </summary>
    internal static int FloorIndex(TickPath[] paths) => Array.IndexOf(paths, TickPath.MinFloor);

    /// <summary>A realistic fleet with its feed and a V512 balancer, ticked 20 times (past the feed's first rotations).</summary>
    private static (Fleet Fleet, CommittedFeed Feed, Balancer Balancer) Warm(int vms, int shortShare)
    {
        Fleet f = Workload.Build(vms, shortShare);
        var feed = new CommittedFeed(f);
        var bal = new Balancer(f, KernelPath.Vector512);
        for (int t = 0; t < 20; t++)
        {
            f.SetCommitted(feed.Next());
            bal.Tick();
        }

        return (f, feed, bal);
    }

    /// <summary>How many of a fleet's per-VM columns start on a 64-byte boundary (AlignedArrays), as "n of m".</summary>
    private static string AlignedColumns(Fleet fleet)
    {
        DmKernel.ColumnInfo[] vmColumns = [.. DmKernel.FleetSchema.Columns.Where(c => !c.Derived && c.Scope == DmKernel.ColumnScope.Vm)];
        return $"{vmColumns.Count(c => DmKernel.AlignedArrays.IsAligned(fleet.Cols.Arrays[(int)c.Id]))} of {vmColumns.Length}";
    }

    /// <summary>This thread's CPU time in nanoseconds (0 where the clock is not available).</summary>
    internal static long ThreadCpuNs()
    {
        if (!OperatingSystem.IsLinux())
            return 0;
        return ClockGetTime(ThreadCpuTimeClock, out TimeSpec ts) == 0 ? (ts.Seconds * 1_000_000_000L) + ts.Nanoseconds : 0;
    }

    private const int ThreadCpuTimeClock = 3; // CLOCK_THREAD_CPUTIME_ID

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    private static double Median(double[] values)
    {
        double[] sorted = [.. values];
        Array.Sort(sorted);
        return sorted[sorted.Length / 2];
    }
}

using System.Globalization;
using BenchmarkDotNet.Loggers;

namespace DmKernel.Benchmarks;

/// <summary>
/// <c>--ci</c>'s exact allocation check, after the BenchmarkDotNet suites: each kernel case of <see cref="TickBench"/>,
/// each policy of <see cref="PolicyTickBench"/> and <see cref="ParallelTickBench"/> ticked in this process over a long window, its allocated bytes counted exactly and
/// required to be 0. BenchmarkDotNet's "Allocated" column is bytes per operation rounded to a whole number, so a kernel
/// that allocates 1 KB every 4 096th tick reads 0 B there; this check's windows (10 000 ticks at 10 000 VMs and on two
/// threads at 50 000, 100 ticks at 1 000 000, after a tenth as many to warm up) count any allocation that recurs within
/// a window. Every case reads the ticking thread's own counter (<see cref="GC.GetAllocatedBytesForCurrentThread"/>), which
/// nothing else in the process can move; two-thread cases add the worker's own, which the worker records at the end of
/// every round (<see cref="Balancer.TrackWorkerAllocations"/>), and fail too if the worker did not run a round for every
/// measured tick. A window that shows bytes is followed by a second of as many ticks, and the case fails only if that
/// one shows bytes too (a one-off of the runtime's falls in one window; a tick's recurring allocation in both). The 1 000 000-VM cases reach the paths that only a large
/// fleet takes (prefetching above 128 MiB of state), which the BenchmarkDotNet quick mode (10 000 and 50 000 VMs) does not.
/// </summary>
internal static class AllocationCheck
{
    /// <summary>Runs only this check (it also ends <c>--ci</c>).</summary>
    public const string Flag = "--alloc-check";

    /// <summary>VM-ticks per measured window of a single-threaded case (at least 100 ticks).</summary>
    public const long TickWindow = 100_000_000;

    /// <summary>Ticks per measured window of a two-thread case (50 000 VMs).</summary>
    public const long ParallelTicks = 10_000;

    /// <summary>The cases <see cref="Run(ILogger)"/> runs: 16 + 4 of TickBench, 10 of PolicyTickBench, 2 of ParallelTickBench.</summary>
    public const int ExpectedCases = 32;

    /// <summary>
    /// One case of the check: its name in the log, its window (ticks), the bench it ticks (for the tests), the bench's
    /// setup, tick and cleanup, and, for a parallel bench, its workers' own allocation counters (read after the setup).
    /// </summary>
    internal sealed record Case(string Name, long Window, object Bench, Action Setup, Action Tick, Action Cleanup, Func<WorkerCounters?> Workers);

    /// <summary>A parallel tick's workers' own counters: start recording, the bytes recorded, the pieces of ticks the workers ran.</summary>
    internal sealed record WorkerCounters(Action Track, Func<long> AllocatedBytes, Func<long> PiecesRun)
    {
        public static WorkerCounters Of(Balancer balancer)
            => new(balancer.TrackWorkerAllocations, () => balancer.WorkerAllocatedBytes, () => balancer.WorkerPiecesRun);
    }

    /// <summary>Runs every case; returns the number that allocated (each named in the log with its bytes), plus one if the cases were not <see cref="ExpectedCases"/>.</summary>
    public static int Run(ILogger log) => Run(log, Cases(), ExpectedCases);

    /// <summary>Every case of the check, not set up yet.</summary>
    internal static List<Case> Cases()
    {
        var cases = new List<Case>();
        TickPath[] kernels = [TickPath.Scalar, TickPath.V128, TickPath.V256, TickPath.V512];
        foreach (int vms in (int[])[10_000, 1_000_000])
        {
            foreach (TickWorkload workload in Enum.GetValues<TickWorkload>())
            {
                foreach (int shortShare in (int[])[0, 25])
                {
                    // At a million VMs: the scalar reference and the widest vector path, with short hosts (the costlier plan).
                    if (vms > 10_000 && shortShare == 0)
                        continue;
                    foreach (TickPath path in vms > 10_000 ? [TickPath.Scalar, TickPath.V512] : kernels)
                    {
                        var bench = new TickBench { Vms = vms, ShortSharePercent = shortShare, Workload = workload, Path = path };
                        cases.Add(new Case($"TickBench {path} {vms} VMs {shortShare} % short {workload}", Math.Max(100, TickWindow / vms), bench, bench.Setup, bench.Tick, bench.Cleanup, static () => null));
                    }
                }
            }
        }

        // Each balancer policy (docs/policies.md) on both paths, with short hosts: their periodic steps (squeezed's and
        // MoM's periods, ESX's sampling) fall many times within the window.
        foreach (PolicyKind policy in (PolicyKind[])[PolicyKind.HyperV, PolicyKind.Static, PolicyKind.Squeezed, PolicyKind.Mom, PolicyKind.Esx])
        {
            foreach (PolicyBenchPath path in Enum.GetValues<PolicyBenchPath>())
            {
                var bench = new PolicyTickBench { Vms = 10_000, ShortSharePercent = 25, Policy = policy, Path = path };
                cases.Add(new Case($"PolicyTickBench {policy} {path} 10000 VMs 25 % short", TickWindow / 10_000, bench, bench.Setup, bench.Tick, bench.Cleanup, static () => null));
            }
        }

        foreach (TickWorkload workload in Enum.GetValues<TickWorkload>())
        {
            var bench = new ParallelTickBench { Vms = 50_000, Workload = workload, Threads = 2 };
            cases.Add(new Case($"ParallelTickBench 2 threads 50000 VMs {workload}", ParallelTicks, bench, bench.Setup, bench.Tick, bench.Cleanup, () => WorkerCounters.Of(bench.Balancer)));
        }

        return cases;
    }

    /// <summary>
    /// Sets up, measures and cleans up each of <paramref name="cases"/> in turn; returns the number that allocated (or whose
    /// workers did not run every tick), plus one if there were not <paramref name="expected"/> cases.
    /// </summary>
    internal static int Run(ILogger log, IReadOnlyList<Case> cases, int expected)
    {
        int failures = 0, ran = 0;
        foreach (Case c in cases)
        {
            c.Setup();
            try
            {
                failures += Measure(log, c.Name, c.Window, c.Tick, c.Workers());
            }
            finally
            {
                c.Cleanup();
            }

            ran++;
        }

        if (ran != expected)
        {
            failures++;
            log.WriteLineError($"FAIL exact allocation check: {ran} cases, expected {expected}.");
        }

        log.WriteLineInfo(failures == 0
            ? $"Exact allocation check: {ran} cases, 0 bytes allocated in every window."
            : $"Exact allocation check: {failures} failure(s) in {ran} cases.");
        return failures;
    }

    internal static int Measure(ILogger log, string name, long window, Action tick, WorkerCounters? workers = null)
    {
        // The ticking thread's own counter, plus, for a parallel balancer, each worker's own (recorded by the worker after
        // every piece of a tick it runs): exact, where the process-wide counter also moved with the runtime's own threads.
        workers?.Track();
        for (long t = 0; t < window / 10; t++)
            tick();
        (long bytes, long pieces) = Window(window, tick, workers);
        string what = string.Create(CultureInfo.InvariantCulture, $"{name}: {bytes} B over {window} ticks ({(workers is null ? "the ticking thread" : "the ticking thread and each worker")})");
        if (bytes != 0 && (workers is null || pieces > 0))
        {
            // The runtime can allocate once on a thread after the warm-up (the unit tests saw it in loaded runs,
            // tests/DmKernel.Tests/Support/AllocationAssert.cs): a second window of as many ticks tells a tick that
            // allocates (again: any allocation that recurs within a window falls in both) from such a one-off.
            log.WriteLineInfo($"{what}; measuring a second window (a one-off of the runtime's falls in one window only).");
            (bytes, pieces) = Window(window, tick, workers);
            what = string.Create(CultureInfo.InvariantCulture, $"{name}: {bytes} B over a second window of {window} ticks");
        }

        if (workers is not null && pieces == 0)
        {
            // The threads claim a tick's pieces as they go, so on one core the caller can run every piece before a
            // worker wakes: there the workers' bytes cannot be measured, which is said, not failed.
            if (Environment.ProcessorCount > 1)
            {
                log.WriteLineError($"FAIL {what}; the workers ran no piece of a tick in the window: the tick did not run on them.");
                return 1;
            }

            what += "; the workers ran no piece of a tick on this one-core machine: only the ticking thread was measured";
        }

        if (bytes != 0)
        {
            log.WriteLineError($"FAIL {what}; kernel ticks must allocate nothing.");
            return 1;
        }

        log.WriteLineInfo(what);
        return 0;
    }

    /// <summary>One measured window: the bytes the ticking thread (and the workers) allocated, and the pieces the workers ran.</summary>
    private static (long Bytes, long Pieces) Window(long window, Action tick, WorkerCounters? workers)
    {
        long piecesBefore = workers?.PiecesRun() ?? 0;
        long before = GC.GetAllocatedBytesForCurrentThread() + (workers?.AllocatedBytes() ?? 0);
        for (long t = 0; t < window; t++)
            tick();
        long bytes = GC.GetAllocatedBytesForCurrentThread() + (workers?.AllocatedBytes() ?? 0) - before;
        return (bytes, (workers?.PiecesRun() ?? 0) - piecesBefore);
    }
}

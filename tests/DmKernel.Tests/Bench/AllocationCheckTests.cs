using BenchmarkDotNet.Loggers;
using DmKernel.Benchmarks;

namespace DmKernel.Tests.Bench;

/// <summary>
/// CI's exact allocation check (<see cref="AllocationCheck"/>): it runs the 32 cases it lists, each set up, measured and
/// cleaned up once; a tick that allocates (on the ticking thread or on a worker) fails its case, a one-off in one window
/// does not; a parallel case whose workers did not run every measured tick fails; a check that ran other than its 32 cases fails.
/// The tests count ticks exactly (a second window is run only after bytes in the first), so they run alone, as the kernel's
/// allocation tests do: in a run of the whole suite under load (other test classes ticking, compiling and collecting
/// beside them), a clean tick once showed bytes in its first window and a clean worker case failed.
/// </summary>
[Collection(nameof(DmKernel.Tests.Kernel.AllocationTests))]
public class AllocationCheckTests
{
    /// <summary>Where an allocated object goes, so that the JIT cannot keep it on the stack.</summary>
    private static object? s_kept;

    [Fact]
    public void Cases_AreTheThirtyTwoTheDocsList_WithTheirWindows()
    {
        string[] expected =
        [
            // TickBench, 10 000 VMs, every kernel path, both workloads and short shares: 100 000 000 VM-ticks / 10 000 VMs.
            "TickBench Scalar 10000 0 Steady 10000", "TickBench V128 10000 0 Steady 10000", "TickBench V256 10000 0 Steady 10000", "TickBench V512 10000 0 Steady 10000",
            "TickBench Scalar 10000 25 Steady 10000", "TickBench V128 10000 25 Steady 10000", "TickBench V256 10000 25 Steady 10000", "TickBench V512 10000 25 Steady 10000",
            "TickBench Scalar 10000 0 Realistic 10000", "TickBench V128 10000 0 Realistic 10000", "TickBench V256 10000 0 Realistic 10000", "TickBench V512 10000 0 Realistic 10000",
            "TickBench Scalar 10000 25 Realistic 10000", "TickBench V128 10000 25 Realistic 10000", "TickBench V256 10000 25 Realistic 10000", "TickBench V512 10000 25 Realistic 10000",

            // TickBench, 1 000 000 VMs, 25 % short, Scalar and V512: 100 ticks (the floor of the window).
            "TickBench Scalar 1000000 25 Steady 100", "TickBench V512 1000000 25 Steady 100",
            "TickBench Scalar 1000000 25 Realistic 100", "TickBench V512 1000000 25 Realistic 100",

            // PolicyTickBench, every policy on both paths, 10 000 VMs, 25 % short.
            "PolicyTickBench HyperV Scalar 10000 25 10000", "PolicyTickBench HyperV Vector 10000 25 10000",
            "PolicyTickBench Static Scalar 10000 25 10000", "PolicyTickBench Static Vector 10000 25 10000",
            "PolicyTickBench Squeezed Scalar 10000 25 10000", "PolicyTickBench Squeezed Vector 10000 25 10000",
            "PolicyTickBench Mom Scalar 10000 25 10000", "PolicyTickBench Mom Vector 10000 25 10000",
            "PolicyTickBench Esx Scalar 10000 25 10000", "PolicyTickBench Esx Vector 10000 25 10000",

            // ParallelTickBench, two threads, 50 000 VMs, both workloads.
            "ParallelTickBench 2 50000 Steady 10000", "ParallelTickBench 2 50000 Realistic 10000",
        ];
        List<AllocationCheck.Case> cases = AllocationCheck.Cases();
        string[] actual = [.. cases.Select(c => c.Bench switch
        {
            TickBench t => $"TickBench {t.Path} {t.Vms} {t.ShortSharePercent} {t.Workload} {c.Window}",
            PolicyTickBench p => $"PolicyTickBench {p.Policy} {p.Path} {p.Vms} {p.ShortSharePercent} {c.Window}",
            ParallelTickBench q => $"ParallelTickBench {q.Threads} {q.Vms} {q.Workload} {c.Window}",
            _ => c.Bench.GetType().Name,
        })];
        Assert.Equal(expected, actual);
        Assert.Equal(32, AllocationCheck.ExpectedCases);
        Assert.Equal(cases.Count, cases.Select(c => c.Name).Distinct().Count()); // each named apart in the log

        // The one-thread cases measure no workers (the parallel ones' counters need their balancer: see the test below).
        Assert.All(cases.Where(c => c.Bench is not ParallelTickBench), c => Assert.Null(c.Workers()));

        // Each case's delegates are its own bench's.
        Assert.All(cases, c => Assert.Same(c.Bench, c.Tick.Target));
        Assert.All(cases, c => Assert.Same(c.Bench, c.Setup.Target));
        Assert.All(cases, c => Assert.Same(c.Bench, c.Cleanup.Target));
    }

    [Fact]
    public void Measure_ATickThatAllocatesOnceEveryThousandTicks_FailsItsCase()
    {
        var log = new AccumulationLogger();
        long n = 0;
        int failed = AllocationCheck.Measure(log, "every 1000th", 10_000, () =>
        {
            if (++n % 1000 == 0)
                s_kept = new byte[16];
        });
        Assert.Equal(1, failed);
        Assert.Contains("FAIL every 1000th:", log.GetLog(), StringComparison.Ordinal);
        Assert.Equal(1_000 + 10_000 + 10_000, n); // the warm-up (a tenth), the window, and the second window it showed bytes in
    }

    [Fact]
    public void Measure_ATickThatAllocatesNothing_Passes_AfterATenthAsManyTicksToWarmUp()
    {
        var log = new AccumulationLogger();
        long n = 0;
        Assert.Equal(0, AllocationCheck.Measure(log, "clean", 10_000, () => n++));
        Assert.Equal(11_000, n);
        Assert.Contains("clean: 0 B over 10000 ticks (the ticking thread)", log.GetLog(), StringComparison.Ordinal);
        Assert.DoesNotContain("FAIL", log.GetLog(), StringComparison.Ordinal);
    }

    [Fact]
    public void Measure_AOneOffAllocationInTheFirstWindow_Passes_OnASecondWindowWithout()
    {
        var log = new AccumulationLogger();
        long n = 0;
        int failed = AllocationCheck.Measure(log, "one-off", 10_000, () =>
        {
            if (++n == 1_000 + 5_000) // in the middle of the first measured window, and never again
                s_kept = new byte[16];
        });
        Assert.Equal(0, failed);
        Assert.Equal(21_000, n);
        Assert.Contains("measuring a second window", log.GetLog(), StringComparison.Ordinal);
        Assert.Contains("one-off: 0 B over a second window of 10000 ticks", log.GetLog(), StringComparison.Ordinal);
    }

    [Fact]
    public void Measure_AnAllocationInTheWarmUpOnly_IsNotCounted()
    {
        long n = 0;
        Assert.Equal(0, AllocationCheck.Measure(new AccumulationLogger(), "warm-up", 10_000, () =>
        {
            if (++n == 999)
                s_kept = new byte[16];
        }));
        Assert.Equal(11_000, n); // no second window: the first showed nothing
    }

    [Fact]
    public void Measure_AWorkerThatAllocates_FailsTheCase_ThoughTheTickingThreadAllocatesNothing()
    {
        using var allocating = new FakeWorker(allocateEvery: 500);
        var log = new AccumulationLogger();
        Assert.Equal(1, AllocationCheck.Measure(log, "worker allocates", 2_000, allocating.Tick, allocating.Counters));
        Assert.Contains("FAIL worker allocates:", log.GetLog(), StringComparison.Ordinal);

        using var clean = new FakeWorker(allocateEvery: 0);
        log = new AccumulationLogger();
        Assert.Equal(0, AllocationCheck.Measure(log, "worker clean", 2_000, clean.Tick, clean.Counters));
        Assert.Contains("worker clean: 0 B over 2000 ticks (the ticking thread and each worker)", log.GetLog(), StringComparison.Ordinal);
    }

    [Fact]
    public void Measure_WorkersThatRanNoPieceInTheWindow_FailTheCase_WhereTheMachineHasCoresForThem()
    {
        using var worker = new FakeWorker(allocateEvery: 0);
        long n = 0;
        var log = new AccumulationLogger();

        // The worker runs in the warm-up (the first 200 calls) only: none of the window's ticks reaches it.
        int failed = AllocationCheck.Measure(log, "warm-up only", 2_000, () =>
        {
            if (++n <= 200)
                worker.Tick();
        }, worker.Counters);
        if (Environment.ProcessorCount > 1)
        {
            Assert.Equal(1, failed);
            Assert.Contains("FAIL warm-up only: 0 B over 2000 ticks (the ticking thread and each worker); the workers ran no piece of a tick in the window", log.GetLog(), StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(0, failed);
            Assert.Contains("the workers ran no piece of a tick on this one-core machine", log.GetLog(), StringComparison.Ordinal);
        }

        // Every other tick reaching the worker is enough: the pieces go to whichever thread claims them first.
        log = new AccumulationLogger();
        Assert.Equal(0, AllocationCheck.Measure(log, "half", 2_000, () =>
        {
            if (++n % 2 == 0)
                worker.Tick();
        }, worker.Counters));
    }

    [Theory]
    [InlineData(TickWorkload.Steady)]
    [InlineData(TickWorkload.Realistic)]
    public void Measure_ARealTwoThreadTick_PassesWithItsWorkersCounted_AndATickThatSkipsTheBalancerFails(TickWorkload workload)
    {
        var bench = new ParallelTickBench { Vms = 2_000, Workload = workload, Threads = 2 };
        AllocationCheck.Case c = AllocationCheck.Cases().First(c => c.Bench is ParallelTickBench p && p.Workload == workload);
        bench.Setup();
        try
        {
            AllocationCheck.WorkerCounters workers = AllocationCheck.WorkerCounters.Of(bench.Balancer);
            var log = new AccumulationLogger();
            Assert.Equal(0, AllocationCheck.Measure(log, "two threads", 1_000, bench.Tick, workers));
            Assert.True(workers.PiecesRun() > 0 || Environment.ProcessorCount == 1, log.GetLog()); // the worker ran pieces of the ticks
            // A case that skips the balancer fails where the machine has a core for the worker; on one core the caller
            // can run every piece itself, so there the check says that only the ticking thread was measured.
            bool oneCore = Environment.ProcessorCount == 1;
            Assert.Equal(oneCore ? 0 : 1, AllocationCheck.Measure(log, "no tick", 1_000, () => { }, workers));
            Assert.Contains(oneCore ? "the workers ran no piece of a tick on this one-core machine" : "FAIL no tick", log.GetLog(), StringComparison.Ordinal);
        }
        finally
        {
            bench.Cleanup();
        }

        Assert.Equal(workload, ((ParallelTickBench)c.Bench).Workload);
    }

    [Fact]
    public void Run_SetsUpMeasuresAndCleansUpEveryCaseOnce_CountsTheAllocatingOnes_AndTheCaseCount()
    {
        var calls = new List<string>();
        AllocationCheck.Case Fake(string name, int allocateEvery)
        {
            long n = 0;
            return new AllocationCheck.Case(name, 1_000, name, () => calls.Add($"setup {name}"), () =>
            {
                if (++n == 1)
                    calls.Add($"tick {name}");
                if (allocateEvery > 0 && n % allocateEvery == 0)
                    s_kept = new byte[16];
            }, () => calls.Add($"cleanup {name}"), static () => null);
        }

        AllocationCheck.Case[] cases = [Fake("a", 0), Fake("b", 100), Fake("c", 0), Fake("d", 250)];
        var log = new AccumulationLogger();
        Assert.Equal(2, AllocationCheck.Run(log, cases, expected: 4));
        Assert.Equal(["setup a", "tick a", "cleanup a", "setup b", "tick b", "cleanup b", "setup c", "tick c", "cleanup c", "setup d", "tick d", "cleanup d"], calls);
        Assert.Contains("FAIL b:", log.GetLog(), StringComparison.Ordinal);
        Assert.Contains("FAIL d:", log.GetLog(), StringComparison.Ordinal);
        Assert.DoesNotContain("FAIL a:", log.GetLog(), StringComparison.Ordinal);

        // All clean, but one case fewer than the check lists: a failure.
        calls.Clear();
        log = new AccumulationLogger();
        Assert.Equal(1, AllocationCheck.Run(log, [Fake("a", 0), Fake("c", 0)], expected: 3));
        Assert.Contains("FAIL exact allocation check: 2 cases, expected 3.", log.GetLog(), StringComparison.Ordinal);
        Assert.Equal(0, AllocationCheck.Run(new AccumulationLogger(), [Fake("a", 0), Fake("c", 0)], expected: 2));
    }

    /// <summary>A stand-in for a balancer's worker: a thread that runs one round per <see cref="Tick"/> and records its own counter after each.</summary>
    private sealed class FakeWorker : IDisposable
    {
        private readonly Thread _thread;
        private readonly SemaphoreSlim _go = new(0), _done = new(0);
        private readonly int _allocateEvery;
        private volatile bool _stop, _track;
        private long _round, _bytes, _rounds;

        public FakeWorker(int allocateEvery)
        {
            _allocateEvery = allocateEvery;
            _thread = new Thread(Loop) { IsBackground = true };
            _thread.Start();
            Counters = new(() => _track = true, () => Volatile.Read(ref _bytes), () => Volatile.Read(ref _rounds));
        }

        public AllocationCheck.WorkerCounters Counters { get; }

        public void Tick()
        {
            _go.Release();
            _done.Wait();
        }

        private void Loop()
        {
            while (true)
            {
                _go.Wait();
                if (_stop)
                    return;
                if (_allocateEvery > 0 && ++_round % _allocateEvery == 0)
                    s_kept = new byte[64];
                if (_track)
                {
                    Volatile.Write(ref _bytes, GC.GetAllocatedBytesForCurrentThread());
                    Volatile.Write(ref _rounds, _rounds + 1);
                }

                _done.Release();
            }
        }

        public void Dispose()
        {
            _stop = true;
            _go.Release();
            _thread.Join();
            _go.Dispose();
            _done.Dispose();
        }
    }
}

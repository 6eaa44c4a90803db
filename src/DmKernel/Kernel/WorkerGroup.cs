using System.Diagnostics;

namespace DmKernel.Kernel;

/// <summary>
/// A fixed set of background threads that each run one chunk per round, started once and reused, so a
/// parallel tick allocates nothing: the caller runs chunk 0 and waits for chunks 1..N.
/// </summary>
/// <remarks>
/// A thread that waits for the other side (a worker for the next round, the caller for the workers) spins for up to
/// <see cref="SpinMicroseconds"/> before it blocks, where every thread has a core of its own. Ticks come back to back in
/// a simulation, and a blocked thread's wake-up was the largest cost of a small parallel tick on a shared VM: at 50 000
/// VMs, realistic workload, two threads, rounds alternating in one process, spinning took the median tick to 0.57–0.80 of
/// its time (spins of 50 µs to 1 ms alike), the best rounds unchanged (docs/architecture.md, "Threads and shards").
/// </remarks>
internal sealed class WorkerGroup : IDisposable
{
    private readonly Action<int> _work;
    private readonly Thread[] _threads;
    private readonly ManualResetEventSlim[] _go;
    private readonly CountdownEvent _done;
    private volatile bool _stopping;

    /// <summary>How long a waiting thread spins before it blocks (0 where the threads outnumber the cores).</summary>
    internal const int SpinMicroseconds = 200;

    private readonly long _spinTicks;
    private Exception? _failure;

    // Test hook (null unless a test asks): each worker's own allocation counter, read at the end of its last round, and
    // then (from index workers on) how many rounds it has recorded.
    private long[]? _allocatedBytes;

    public WorkerGroup(int workers, Action<int> work)
    {
        _work = work;
        _threads = new Thread[workers];
        _go = new ManualResetEventSlim[workers];
        _done = new CountdownEvent(workers);
        _spinTicks = workers + 1 <= Environment.ProcessorCount ? SpinMicroseconds * Stopwatch.Frequency / 1_000_000 : 0;
        for (int w = 0; w < workers; w++)
            _go[w] = new ManualResetEventSlim(false);

        // An event allocates its lock (a small object) the first time a thread blocks on it. With the spin, that can be
        // any tick, long after the warm-up (BenchmarkDotNet saw 3 B per tick at 1 000 000 VMs): block once on each here,
        // for a millisecond, so that no tick allocates.
        foreach (ManualResetEventSlim go in _go)
            go.Wait(1);
        _done.Wait(1);

        for (int w = 0; w < workers; w++)
        {
            int chunk = w + 1;
            _threads[w] = new Thread(() => Loop(chunk)) { IsBackground = true, Name = $"DmKernel worker {chunk}" };
            _threads[w].Start();
        }
    }

    /// <summary>
    /// For the allocation tests: from the next round on, each worker records its thread's own allocation counter
    /// (<see cref="GC.GetAllocatedBytesForCurrentThread"/>) when it finishes a round, so that a test can hold the workers
    /// to zero bytes exactly, as it holds the calling thread (a process-wide counter also counts the runtime's own threads).
    /// Call between rounds.
    /// </summary>
    internal void TrackAllocations() => _allocatedBytes ??= new long[2 * _threads.Length];

    /// <summary>
    /// The sum of the workers' allocation counters as recorded at the end of their last round (0 before
    /// <see cref="TrackAllocations"/>): what they allocated between two reads, waiting for a round included.
    /// </summary>
    internal long WorkerAllocatedBytes
    {
        get
        {
            long sum = 0;
            for (int w = 0; w < (_allocatedBytes is null ? 0 : _threads.Length); w++)
                sum += _allocatedBytes![w];
            return sum;
        }
    }

    /// <summary>The fewest rounds any worker has recorded since <see cref="TrackAllocations"/> (0 before it).</summary>
    internal long WorkerRoundsRecorded
    {
        get
        {
            long least = _allocatedBytes is null ? 0 : long.MaxValue;
            for (int w = 0; w < (_allocatedBytes is null ? 0 : _threads.Length); w++)
                least = Math.Min(least, _allocatedBytes![_threads.Length + w]);
            return least;
        }
    }

    /// <summary>Runs chunk 0 here and chunks 1..N on the workers; returns when all are done.</summary>
    public void Run()
    {
        _done.Reset(_threads.Length);
        foreach (ManualResetEventSlim go in _go)
            go.Set();
        Exception? local = null;
        try
        {
            _work(0);
        }
        catch (Exception ex)
        {
            local = ex;
        }

        if (!_done.IsSet)
            SpinWhile(static d => !d.IsSet, _done);
        _done.Wait();
        // Taken every round, even when chunk 0 failed too (left behind, it failed the next round, which ran clean).
        Exception? worker = Interlocked.Exchange(ref _failure, null);
        Exception? failure = local ?? worker;
        if (failure is not null)
            throw new InvalidOperationException("A tick failed on a worker thread.", failure);
    }

    private void Loop(int chunk)
    {
        ManualResetEventSlim go = _go[chunk - 1];
        while (true)
        {
            if (!go.IsSet)
                SpinWhile(static g => !g.IsSet, go);
            go.Wait();
            go.Reset();
            if (_stopping)
                return;
            try
            {
                _work(chunk);
            }
            catch (Exception ex)
            {
                Interlocked.CompareExchange(ref _failure, ex, null);
            }

            long[]? allocated = _allocatedBytes; // written before the signal, read by the caller after its wait
            if (allocated is not null)
            {
                allocated[chunk - 1] = GC.GetAllocatedBytesForCurrentThread();
                allocated[_threads.Length + chunk - 1]++;
            }
            _done.Signal();
        }
    }

    /// <summary>Spins while <paramref name="waiting"/> holds, for at most the spin time; the caller then blocks if it must.</summary>
    private void SpinWhile<T>(Func<T, bool> waiting, T state)
    {
        if (_spinTicks == 0)
            return;
        long until = Stopwatch.GetTimestamp() + _spinTicks;
        while (waiting(state) && Stopwatch.GetTimestamp() < until)
            Thread.SpinWait(8);
    }

    public void Dispose()
    {
        _stopping = true;
        foreach (ManualResetEventSlim go in _go)
            go.Set();
        foreach (Thread t in _threads)
            t.Join();
        foreach (ManualResetEventSlim go in _go)
            go.Dispose();
        _done.Dispose();
    }
}

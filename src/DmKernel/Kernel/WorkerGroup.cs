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
/// The spin is adaptive: each waiting side spins only where its last wait ended within the spin time. A wait that lasted
/// longer (a replay decoding the next tick between rounds, or a neighbour holding the core the other side needs) would
/// have burnt the whole spin for nothing, on a core that the other side, or the caller's serial work, may need: that
/// side blocks at once next time, and spins again after a wait that proves short.
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
    private readonly bool _adaptive;
    private bool _callerSpins = true; // the caller's last wait for the workers ended within the spin time (caller only)
    private Exception? _failure;

    // Test hook (null unless a test asks): per side (index 0 the caller, w the worker w), how many waits spun and (from
    // index workers + 1 on) how many did not, counted by each side for itself.
    private long[]? _waits;

    // Test hook (null unless a test asks): each worker's own allocation counter, read at the end of its last round, and
    // then (from index workers on) how many rounds it has recorded.
    private long[]? _allocatedBytes;

    /// <summary>Starts <paramref name="workers"/> threads that run <paramref name="work"/> for chunks 1..workers.</summary>
    /// <param name="workers">Background threads (the caller runs chunk 0).</param>
    /// <param name="work">One chunk's work.</param>
    /// <param name="fixedSpin">
    /// Spin before every wait, as before the spin was adaptive (for the benchmark that compares the two in one run).
    /// </param>
    public WorkerGroup(int workers, Action<int> work, bool fixedSpin = false)
    {
        _work = work;
        _adaptive = !fixedSpin;
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

    /// <summary>
    /// For the tests: from the next round on, each side counts its waits that spun and those that blocked without a
    /// spin (<see cref="WaitsSpun"/>, <see cref="WaitsNotSpun"/>). Call between rounds.
    /// </summary>
    internal void TrackWaits() => _waits ??= new long[2 * (_threads.Length + 1)];

    /// <summary>Waits that spun first, of side <paramref name="side"/> (0 the caller, w the worker running chunk w).</summary>
    internal long WaitsSpun(int side) => _waits is null ? 0 : Volatile.Read(ref _waits[side]);

    /// <summary>Waits that blocked without a spin (the last one lasted longer than the spin), of side <paramref name="side"/>.</summary>
    internal long WaitsNotSpun(int side) => _waits is null ? 0 : Volatile.Read(ref _waits[_threads.Length + 1 + side]);

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

        _callerSpins = _done.IsSet || Wait(static d => !d.IsSet, _done, static d => d.Wait(), _callerSpins, 0);
        // Taken every round, even when chunk 0 failed too (left behind, it failed the next round, which ran clean).
        Exception? worker = Interlocked.Exchange(ref _failure, null);
        Exception? failure = local ?? worker;
        if (failure is not null)
            throw new InvalidOperationException("A tick failed on a worker thread.", failure);
    }

    private void Loop(int chunk)
    {
        ManualResetEventSlim go = _go[chunk - 1];
        bool spins = true; // this worker's last wait for a round ended within the spin time
        while (true)
        {
            spins = go.IsSet || Wait(static g => !g.IsSet, go, static g => g.Wait(), spins, chunk);
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

    /// <summary>
    /// Waits until <paramref name="waiting"/> no longer holds: spins for at most the spin time first where
    /// <paramref name="spin"/> (or the spin is fixed), then blocks with <paramref name="block"/>. Returns whether the next
    /// wait of this side should spin: whether this one ended within the spin time.
    /// </summary>
    private bool Wait<T>(Func<T, bool> waiting, T state, Action<T> block, bool spin, int side)
    {
        long start = Stopwatch.GetTimestamp();
        bool spun = _spinTicks != 0 && (spin || !_adaptive);
        if (spun)
        {
            long until = start + _spinTicks;
            while (waiting(state) && Stopwatch.GetTimestamp() < until)
                Thread.SpinWait(8);
        }

        block(state);
        long[]? waits = _waits;
        if (waits is not null)
            waits[spun ? side : _threads.Length + 1 + side]++; // each side writes its own two slots
        return Stopwatch.GetTimestamp() - start <= _spinTicks;
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

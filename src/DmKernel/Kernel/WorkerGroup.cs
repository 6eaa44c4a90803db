using System.Diagnostics;

namespace DmKernel.Kernel;

/// <summary>
/// A fixed set of background threads that, with the caller, run a fixed number of pieces of work per round, started once
/// and reused, so a parallel tick allocates nothing. Each piece runs exactly once per round, on whichever thread claims it
/// first (one interlocked increment per claim): the caller claims pieces too, so a worker that gets no core (a neighbour
/// on a shared machine) leaves its share to the others instead of keeping the round waiting, and the round waits only for
/// the pieces already claimed. Which thread runs a piece does not change what it computes: the work must depend on the
/// piece alone and on the thread only for its scratch memory.
/// </summary>
/// <remarks>
/// A thread that waits for the other side (a worker for the next round, the caller for the last pieces) spins for up to
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
    private readonly Action<int, int> _work;
    private readonly int _pieces;
    private readonly Thread[] _threads;
    private readonly ManualResetEventSlim[] _go;
    private readonly ManualResetEventSlim _roundDone;
    private volatile bool _stopping;

    // The round: the next piece to claim (at least _pieces between rounds, so a late worker claims nothing) and the
    // pieces finished. Both are reset by the caller before it signals a round; the last piece to finish sets _roundDone.
    private int _next;
    private int _completed;

    /// <summary>How long a waiting thread spins before it blocks (0 where the threads outnumber the cores).</summary>
    internal const int SpinMicroseconds = 200;

    private readonly long _spinTicks;
    private readonly bool _adaptive;
    private bool _callerSpins = true; // the caller's last wait for the round ended within the spin time (caller only)

    // A round's failure: the one of the lowest piece, so that which thread ran what does not change what is reported.
    private readonly Lock _failureLock = new();
    private Exception? _failure;
    private int _failedPiece = int.MaxValue;

    // Test hook (null unless a test asks): each worker's own allocation counter, read after each piece it ran, and then
    // (from index workers on) how many pieces it has run.
    private long[]? _allocatedBytes;

    // Test hook (null unless a test asks): per side (index 0 the caller, w the worker w), how many waits spun and (from
    // index workers + 1 on) how many did not, counted by each side for itself.
    private long[]? _waits;

    /// <summary>Starts <paramref name="workers"/> threads that, with the caller, run <paramref name="work"/> on <paramref name="pieces"/> pieces per round.</summary>
    /// <param name="workers">Background threads (the caller is thread 0, the workers 1..workers).</param>
    /// <param name="pieces">Pieces per round, at least 1.</param>
    /// <param name="work">One piece's work: (piece, thread running it).</param>
    /// <param name="fixedSpin">
    /// Spin before every wait, as before the spin was adaptive (for the benchmark that compares the two in one run).
    /// </param>
    public WorkerGroup(int workers, int pieces, Action<int, int> work, bool fixedSpin = false)
    {
        if (pieces < 1)
            throw new InvariantOutOfRangeException(nameof(pieces), pieces, "A worker group needs at least one piece per round.");
        _work = work;
        _pieces = pieces;
        _next = pieces;
        _adaptive = !fixedSpin;
        _threads = new Thread[workers];
        _go = new ManualResetEventSlim[workers];
        _roundDone = new ManualResetEventSlim(false);
        _spinTicks = workers + 1 <= Environment.ProcessorCount ? SpinMicroseconds * Stopwatch.Frequency / 1_000_000 : 0;
        for (int w = 0; w < workers; w++)
            _go[w] = new ManualResetEventSlim(false);

        // An event allocates its lock (a small object) the first time a thread blocks on it. With the spin, that can be
        // any tick, long after the warm-up (BenchmarkDotNet saw 3 B per tick at 1 000 000 VMs): block once on each here,
        // for a millisecond, so that no tick allocates.
        foreach (ManualResetEventSlim go in _go)
            go.Wait(1);
        _roundDone.Wait(1);

        for (int w = 0; w < workers; w++)
        {
            int thread = w + 1;
            _threads[w] = new Thread(() => Loop(thread)) { IsBackground = true, Name = $"DmKernel worker {thread}" };
            _threads[w].Start();
        }
    }

    /// <summary>Pieces per round.</summary>
    public int Pieces => _pieces;

    /// <summary>
    /// For the allocation tests: from the next round on, each worker records its thread's own allocation counter
    /// (<see cref="GC.GetAllocatedBytesForCurrentThread"/>) after each piece it runs, before the piece counts as done, so
    /// that a test can hold the workers to zero bytes exactly, as it holds the calling thread (a process-wide counter
    /// also counts the runtime's own threads). Call between rounds.
    /// </summary>
    internal void TrackAllocations() => _allocatedBytes ??= new long[2 * _threads.Length];

    /// <summary>
    /// The sum of the workers' allocation counters as recorded after the last piece each ran (0 before
    /// <see cref="TrackAllocations"/>): what they allocated up to the end of their last piece before a read (what a worker
    /// allocates outside a piece, waiting or claiming, shows at its next piece; that code allocates nothing: the events'
    /// locks are made in the constructor).
    /// </summary>
    internal long WorkerAllocatedBytes
    {
        get
        {
            long sum = 0;
            for (int w = 0; w < (_allocatedBytes is null ? 0 : _threads.Length); w++)
                sum += Volatile.Read(ref _allocatedBytes![w]);
            return sum;
        }
    }

    /// <summary>How many pieces the workers (not the caller) have run since <see cref="TrackAllocations"/> (0 before it).</summary>
    internal long WorkerPiecesRun
    {
        get
        {
            long sum = 0;
            for (int w = 0; w < (_allocatedBytes is null ? 0 : _threads.Length); w++)
                sum += Volatile.Read(ref _allocatedBytes![_threads.Length + w]);
            return sum;
        }
    }

    /// <summary>
    /// For the tests: from the next round on, each side counts its waits that spun and those that blocked without a
    /// spin (<see cref="WaitsSpun"/>, <see cref="WaitsNotSpun"/>). Call between rounds.
    /// </summary>
    internal void TrackWaits() => _waits ??= new long[2 * (_threads.Length + 1)];

    /// <summary>Waits that spun first, of side <paramref name="side"/> (0 the caller, w the worker w).</summary>
    internal long WaitsSpun(int side) => _waits is null ? 0 : Volatile.Read(ref _waits[side]);

    /// <summary>Waits that blocked without a spin (the last one lasted longer than the spin), of side <paramref name="side"/>.</summary>
    internal long WaitsNotSpun(int side) => _waits is null ? 0 : Volatile.Read(ref _waits[_threads.Length + 1 + side]);

    /// <summary>
    /// Runs every piece once, here and on the workers; returns when all are done. A piece that throws fails the round
    /// (the others still run): the lowest failed piece's exception is thrown, wrapped in <see cref="InvalidOperationException"/>.
    /// </summary>
    public void Run()
    {
        _roundDone.Reset();
        _completed = 0;
        Volatile.Write(ref _next, 0); // publishes the round (and whatever the caller wrote before it) to the claims
        foreach (ManualResetEventSlim go in _go)
            go.Set();
        Drain(0);
        _callerSpins = _roundDone.IsSet || Wait(static d => !d.IsSet, _roundDone, static d => d.Wait(), _callerSpins, 0);

        // Taken every round: a failure left behind would fail the next round, which ran clean.
        Exception? failure;
        lock (_failureLock)
        {
            failure = _failure;
            _failure = null;
            _failedPiece = int.MaxValue;
        }

        if (failure is not null)
            throw new InvalidOperationException("A tick failed on a worker thread.", failure);
    }

    /// <summary>Claims and runs pieces of the current round until none is left.</summary>
    private void Drain(int thread)
    {
        while (true)
        {
            int piece = Interlocked.Increment(ref _next) - 1;
            if (piece >= _pieces)
                return;
            try
            {
                _work(piece, thread);
            }
            catch (Exception ex)
            {
                lock (_failureLock)
                {
                    if (piece < _failedPiece)
                    {
                        _failure = ex;
                        _failedPiece = piece;
                    }
                }
            }

            long[]? allocated = _allocatedBytes; // written before the piece counts as done, read by the caller after the round
            if (allocated is not null && thread > 0)
            {
                allocated[thread - 1] = GC.GetAllocatedBytesForCurrentThread();
                allocated[_threads.Length + thread - 1]++;
            }

            if (Interlocked.Increment(ref _completed) == _pieces)
                _roundDone.Set();
        }
    }

    private void Loop(int thread)
    {
        ManualResetEventSlim go = _go[thread - 1];
        bool spins = true; // this worker's last wait for a round ended within the spin time
        while (true)
        {
            spins = go.IsSet || Wait(static g => !g.IsSet, go, static g => g.Wait(), spins, thread);
            go.Reset(); // before the claims: a round signalled from here on wakes this worker again
            if (_stopping)
                return;
            Drain(thread);
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
        _roundDone.Dispose();
    }
}

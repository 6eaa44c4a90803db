using DmKernel.Kernel;

namespace DmKernel;

/// <summary>
/// Runs ticks of the Dynamic Memory balancer over a <see cref="Fleet"/>: all hosts, on one or more threads,
/// with the chosen kernel path. Results do not depend on the path or the number of threads. After
/// construction a tick allocates nothing.
/// </summary>
public sealed class Balancer : IDisposable
{
    private readonly Fleet _fleet;
    private readonly HostScratch[] _scratch;
    private readonly int[] _chunkStart;   // host ranges per worker, balanced by slot count
    private readonly WorkerGroup? _workers;
    private TickContext _ctx;

    /// <summary>Creates a balancer over <paramref name="fleet"/>.</summary>
    /// <param name="fleet">The state to tick.</param>
    /// <param name="path">Kernel path; Auto takes <c>DMKERNEL_PATH</c> or the widest accelerated one.</param>
    /// <param name="threads">Worker threads (1 = the calling thread only).</param>
    public Balancer(Fleet fleet, KernelPath path = KernelPath.Auto, int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        if (threads < 1 || threads > 1024)
            throw new ArgumentOutOfRangeException(nameof(threads), threads, "threads must be 1..1024.");
        if (!Enum.IsDefined(path))
            throw new ArgumentOutOfRangeException(nameof(path), path, "Unknown kernel path.");
        _fleet = fleet;
        Path = KernelPaths.Resolve(path);
        Threads = Math.Min(threads, Math.Max(1, fleet.HostCount));
        int maxHost = 0;
        for (int h = 0; h < fleet.HostCount; h++)
            maxHost = Math.Max(maxHost, fleet.HostCapacityCol[h]);
        _scratch = new HostScratch[Threads];
        for (int t = 0; t < Threads; t++)
            _scratch[t] = new HostScratch(maxHost);
        _chunkStart = SplitHosts(fleet, Threads);
        if (Threads > 1)
            _workers = new WorkerGroup(Threads - 1, RunChunk);
    }

    /// <summary>The path that runs (Auto resolved).</summary>
    public KernelPath Path { get; }

    /// <summary>Threads ticking hosts (never more than there are hosts).</summary>
    public int Threads { get; }

    /// <summary>The fleet being balanced.</summary>
    public Fleet Fleet => _fleet;

    /// <summary>Runs one tick over every host.</summary>
    public void Tick()
    {
        _ctx = new TickContext(_fleet.Model, _fleet.TickIndex);
        if (_workers is null)
            RunChunk(0);
        else
            _workers.Run(); // chunk 0 on this thread, the others on the workers
        _fleet.TickIndex++;
    }

    /// <summary>Runs <paramref name="count"/> ticks.</summary>
    public void Tick(int count)
    {
        for (int i = 0; i < count; i++)
            Tick();
    }

    /// <summary>Stops the worker threads.</summary>
    public void Dispose() => _workers?.Dispose();

    private void RunChunk(int chunk)
    {
        int h0 = _chunkStart[chunk], h1 = _chunkStart[chunk + 1];
        HostScratch scratch = _scratch[chunk];
        switch (Path)
        {
            case KernelPath.Scalar:
                RunHosts<ScalarKernel>(h0, h1, scratch);
                break;
            case KernelPath.Vector128:
                RunHosts<VectorKernel<V128>>(h0, h1, scratch);
                break;
            case KernelPath.Vector256:
                RunHosts<VectorKernel<V256>>(h0, h1, scratch);
                break;
            default:
                RunHosts<VectorKernel<V512>>(h0, h1, scratch);
                break;
        }
    }

    private void RunHosts<TKernel>(int h0, int h1, HostScratch scratch)
        where TKernel : struct, IHostKernel
    {
        for (int h = h0; h < h1; h++)
            TKernel.TickHost(_fleet, h, _ctx, scratch);
    }

    /// <summary>Contiguous host ranges with about equal slot counts: chunk c is hosts [start[c], start[c+1]).</summary>
    private static int[] SplitHosts(Fleet fleet, int chunks)
    {
        var start = new int[chunks + 1];
        long total = fleet.SlotCount, acc = 0;
        int c = 1;
        for (int h = 0; h < fleet.HostCount && c < chunks; h++)
        {
            acc += fleet.HostCapacityCol[h];
            while (c < chunks && acc * chunks >= total * c)
                start[c++] = h + 1;
        }

        while (c < chunks)
            start[c++] = fleet.HostCount;
        start[chunks] = fleet.HostCount;
        return start;
    }
}

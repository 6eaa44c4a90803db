namespace DmKernel.Kernel;

/// <summary>
/// A fixed set of background threads that each run one chunk per round, started once and reused, so a
/// parallel tick allocates nothing: the caller runs chunk 0 and waits for chunks 1..N.
/// </summary>
internal sealed class WorkerGroup : IDisposable
{
    private readonly Action<int> _work;
    private readonly Thread[] _threads;
    private readonly ManualResetEventSlim[] _go;
    private readonly CountdownEvent _done;
    private volatile bool _stopping;
    private Exception? _failure;

    public WorkerGroup(int workers, Action<int> work)
    {
        _work = work;
        _threads = new Thread[workers];
        _go = new ManualResetEventSlim[workers];
        _done = new CountdownEvent(workers);
        for (int w = 0; w < workers; w++)
        {
            _go[w] = new ManualResetEventSlim(false);
            int chunk = w + 1;
            _threads[w] = new Thread(() => Loop(chunk)) { IsBackground = true, Name = $"DmKernel worker {chunk}" };
            _threads[w].Start();
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

        _done.Wait();
        Exception? failure = local ?? Interlocked.Exchange(ref _failure, null);
        if (failure is not null)
            throw new InvalidOperationException("A tick failed on a worker thread.", failure);
    }

    private void Loop(int chunk)
    {
        ManualResetEventSlim go = _go[chunk - 1];
        while (true)
        {
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

            _done.Signal();
        }
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

using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace DmKernel.Traces.Replay;

/// <summary>
/// Measures a chunked replay's chunks of hosts (<see cref="ReplayMetrics.MeasureHosts"/>) on a thread of its own, each
/// chunk as soon as the replay's thread has ticked it, while that thread ticks the next one. Chunks are disjoint hosts,
/// so the two threads never touch the same columns; <see cref="WaitTick"/> waits for the tick's last chunk, so a tick's
/// metrics are complete, and its fleet no longer read, before the replay ends the tick and starts the next.
/// </summary>
internal sealed class ChunkMeasurer : IDisposable
{
    private readonly ReplayMetrics _metrics;
    private readonly int[] _chunkHost;
    private readonly SemaphoreSlim _ticked = new(0);
    private readonly SemaphoreSlim _measured = new(0);
    private readonly Thread _thread;
    private volatile bool _stop;
    private ExceptionDispatchInfo? _error;

    /// <param name="metrics">The metrics the chunks are measured into (its tick begun on the replay's thread).</param>
    /// <param name="chunkHost">The chunks' first hosts, then the host count.</param>
    public ChunkMeasurer(ReplayMetrics metrics, int[] chunkHost)
    {
        InvariantOutOfRangeException.ThrowIfLessThan(chunkHost.Length, 2, nameof(chunkHost)); // at least one chunk
        _metrics = metrics;
        _chunkHost = chunkHost;
        _thread = new Thread(Run) { IsBackground = true, Name = "DmKernel replay measurer" };
        _thread.Start();
    }

    /// <summary>The replay's thread has ticked the next chunk (in order): it may be measured.</summary>
    public void Ticked() => _ticked.Release();

    /// <summary>Waits until every chunk of the tick is measured; throws what measuring threw.</summary>
    public void WaitTick()
    {
        _measured.Wait();
        if (_error is { } error)
        {
            _error = null;
            error.Throw();
        }
    }

    public void Dispose()
    {
        _stop = true;
        _ticked.Release();
        _thread.Join();
        _ticked.Dispose();
        _measured.Dispose();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once, for the whole replay: optimized at once instead of on-stack replacement mid-tick
    private void Run()
    {
        int chunks = _chunkHost.Length - 1;
        while (true)
        {
            for (int c = 0; c < chunks; c++)
            {
                _ticked.Wait();
                if (_stop)
                    return;
                try
                {
                    if (_error is null)
                        _metrics.MeasureHosts(_chunkHost[c], _chunkHost[c + 1] - _chunkHost[c]);
                }
                catch (Exception ex)
                {
                    _error = ExceptionDispatchInfo.Capture(ex);
                }
            }

            _measured.Release();
        }
    }
}

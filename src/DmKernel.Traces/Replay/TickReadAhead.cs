using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace DmKernel.Traces.Replay;

/// <summary>
/// Reads and decodes a trace's next ticks on a thread of its own (read, checksum, zstd, delta decoding), a few ticks
/// ahead of the replay, so that on a machine with a spare core the replay's thread only applies, ticks and measures.
/// The ticks come out in order and identical to <see cref="NativeTraceReader.ReadTick"/>'s; an error (a malformed or
/// truncated trace) is thrown by <see cref="Next(out int)"/> at the tick it belongs to, as the reader would have thrown it. The
/// reader must not be used by anyone else until the read-ahead has read its ticks or is disposed. The thread starts reading
/// at once, so the first tick (its chunk's read and decompression: a tenth of a second at 1 000 000 VMs) is decoded while
/// the replay builds its fleet; <see cref="Configure"/> then says the order the ticks come out in: given a slot map, the
/// thread puts each tick in slot order (the replay's gather). It also counts the VMs the trace has on.
/// </summary>
internal sealed class TickReadAhead : IDisposable
{
    /// <summary>Ticks the thread decodes ahead of the replay at most (its buffers).</summary>
    internal const int Depth = 3;

    private readonly NativeTraceReader _reader;
    private readonly int[][] _buffers = new int[Depth][];
    private readonly int[] _on = new int[Depth];
    private readonly ExceptionDispatchInfo?[] _errors = new ExceptionDispatchInfo?[Depth];
    private readonly SemaphoreSlim _filled = new(0, Depth);
    private readonly SemaphoreSlim _free;
    private readonly ManualResetEventSlim _configured = new(false);
    private readonly Thread _thread;
    private readonly long _ticks;
    private readonly long _firstTick;
    private int[]? _vmOfSlot;
    private bool _isConfigured;
    private volatile bool _stop;
    private int _next;
    private bool _holding;
    private bool _disposed;
    private int _heldBack;

    /// <summary>
    /// Tests only: buffers (0..<see cref="Depth"/> - 1) that the read-aheads this thread constructs keep from their reading
    /// thread until <see cref="WaitUntilFull"/> gives them back. Until then the thread decodes at most Depth - n ticks ahead of
    /// the replay, whatever the timing: the state a slow decode (a tick of 1 000 000 VMs takes milliseconds) leaves the
    /// read-ahead in when the replay has just taken a tick, which a small test trace, decoded in microseconds, does not
    /// reach (ReplayBench's setup must wait for a full read-ahead; a test of it passed without the wait). Read by the
    /// constructor only (the reading thread's loop and the replay's path are as without it); 0, nothing held, by default.
    /// </summary>
    [ThreadStatic]
    internal static int HeldBackForTests;

    /// <param name="reader">The reader, positioned at tick <paramref name="firstTick"/>.</param>
    /// <param name="ticks">Ticks to read (no more: the reader is left just after them).</param>
    /// <param name="firstTick">The index of the first tick read (for the error of a trace that ends early).</param>
    public TickReadAhead(NativeTraceReader reader, long ticks, long firstTick)
    {
        _reader = reader;
        _ticks = ticks;
        _firstTick = firstTick;
        _heldBack = HeldBackForTests;
        if (_heldBack is < 0 or >= Depth)
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"HeldBackForTests is {_heldBack}, expected 0..{Depth - 1}."));
        _free = new SemaphoreSlim(Depth - _heldBack, Depth);
        _thread = new Thread(Run) { IsBackground = true, Name = "DmKernel trace read-ahead" };
        _thread.Start();
    }

    /// <summary>
    /// Sets the order ticks come out in, once, before the first <see cref="Next(out int)"/>: trace order (null), or slot
    /// order, slot s holding trace VM <paramref name="vmOfSlot"/>[s]'s value (off for -1).
    /// </summary>
    public void Configure(int[]? vmOfSlot)
    {
        if (_isConfigured)
            throw new InvalidOperationException("The read-ahead's order is set once.");
        _isConfigured = true;
        _vmOfSlot = vmOfSlot;
        _configured.Set();
    }

    /// <summary>
    /// The next tick's values, valid until <see cref="Done"/>; throws the reader's error for this tick, if it had one.
    /// </summary>
    /// <param name="on">The number of VMs the trace has on in the tick.</param>
    public int[] Next(out int on)
    {
        if (!_isConfigured)
            throw new InvalidOperationException("Configure must be called before the first tick is taken.");
        if (_holding)
            throw new InvalidOperationException("Done must be called before the next tick is taken.");
        _filled.Wait();
        _errors[_next]?.Throw();
        _holding = true;
        on = _on[_next];
        return _buffers[_next];
    }

    /// <summary>Gives the buffer of the tick taken by <see cref="Next(out int)"/> back to the reading thread.</summary>
    public void Done()
    {
        _holding = false;
        _next = (_next + 1) % Depth;
        _free.Release();
    }

    /// <summary>Whether the reading thread is still running (tests: <see cref="Dispose"/> stops it before returning).</summary>
    internal bool ThreadAlive => _thread.IsAlive;

    /// <summary>Ticks decoded and waiting to be taken (tests).</summary>
    internal int TicksReady => _filled.CurrentCount;

    /// <summary>
    /// Benchmarks and tests only: waits, between two ticks, until the reading thread has stopped working: every buffer holds
    /// a decoded tick (<see cref="Depth"/> ready, the thread waits for a buffer), or it has read its last tick or stopped at
    /// an error. A measurement that starts then starts from a defined state, with nothing of the read-ahead's left running
    /// into it. Nothing else calls it: the replay's own path has no cost of it.
    /// </summary>
    internal void WaitUntilFull()
    {
        if (_holding)
            throw new InvalidOperationException("Done must be called before waiting for the read-ahead.");
        if (_heldBack > 0)
        {
            _free.Release(_heldBack); // (tests: HeldBackForTests) the reading thread's buffers all back
            _heldBack = 0;
        }

        while (_filled.CurrentCount < Depth && _thread.IsAlive)
            Thread.Sleep(1); // (a tick's decoding takes milliseconds at 1 000 000 VMs; sleeping leaves the core to it)
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _stop = true;
        _configured.Set(); // wakes the thread if it waits for its order
        if (_free.CurrentCount < Depth)
            _free.Release(); // wakes the thread if it waits for a buffer
        _thread.Join();
        _filled.Dispose();
        _free.Dispose();
        _configured.Dispose();
    }

    private void Run()
    {
        int vmCount = _reader.Header.VmCount;
        // On 64-byte boundaries, as the fleet's columns: the replay loads a chunk's values a vector at a time from its first slot.
        var placing = new List<object>();
        int[]? first = null, traceOrder = null;
        ExceptionDispatchInfo? firstError = null;
        int firstOn = 0;
        if (_ticks > 0)
        {
            // The first tick before the order is known: into the array that becomes the trace-order buffer, or the first tick's.
            try
            {
                first = AlignedArrays.Allocate<int>(vmCount, keep: placing);
                ReadOne(first, 0);
                firstOn = ReplayEngine.CountOn(first);
            }
            catch (Exception ex)
            {
                firstError = ExceptionDispatchInfo.Capture(ex);
            }
        }

        _configured.Wait();
        if (_stop)
            return;
        int[]? vmOfSlot = _vmOfSlot;
        int slot = 0;
        for (long t = 0; t < _ticks; t++)
        {
            _free.Wait();
            if (_stop)
                return;
            try
            {
                if (t == 0)
                {
                    firstError?.Throw();
                    if (vmOfSlot is null)
                    {
                        _buffers[0] = first!;
                        for (int i = 1; i < Depth; i++)
                            _buffers[i] = AlignedArrays.Allocate<int>(vmCount, keep: placing);
                    }
                    else
                    {
                        traceOrder = first!;
                        for (int i = 0; i < Depth; i++)
                            _buffers[i] = AlignedArrays.Allocate<int>(vmOfSlot.Length, keep: placing);
                    }

                    GC.KeepAlive(placing);
                    _on[0] = firstOn;
                }
                else
                {
                    int[] values = traceOrder ?? _buffers[slot];
                    ReadOne(values, t);
                    _on[slot] = ReplayEngine.CountOn(values);
                }

                if (vmOfSlot is not null)
                    Gather(traceOrder!, vmOfSlot, _buffers[slot]);
            }
            catch (Exception ex)
            {
                _errors[slot] = ExceptionDispatchInfo.Capture(ex);
                _filled.Release();
                return;
            }

            _filled.Release();
            slot = (slot + 1) % Depth;
        }
    }

    private void ReadOne(int[] values, long t)
    {
        if (!_reader.ReadTick(values))
            TraceFormatException.ThrowEndedEarly(_reader.FilePath, _firstTick + t, _reader.Header.TickCount);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Gather(ReadOnlySpan<int> traceOrder, ReadOnlySpan<int> vmOfSlot, Span<int> slotOrder)
    {
        for (int s = 0; s < slotOrder.Length; s++)
        {
            int vm = vmOfSlot[s];
            slotOrder[s] = vm >= 0 ? traceOrder[vm] : TraceValues.Off;
        }
    }
}

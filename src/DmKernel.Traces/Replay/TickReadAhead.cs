using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace DmKernel.Traces.Replay;

/// <summary>
/// Reads and decodes a trace's next ticks on a thread of its own (read, checksum, zstd, delta decoding), a few ticks
/// ahead of the replay, so that on a machine with a spare core the replay's thread only applies, ticks and measures.
/// The ticks come out in order and identical to <see cref="NativeTraceReader.ReadTick"/>'s; an error (a malformed or
/// truncated trace) is thrown by <see cref="Next(out int)"/> at the tick it belongs to, as the reader would have thrown it. The
/// reader must not be used by anyone else until the read-ahead has read its ticks or is disposed. Given a slot map, the
/// thread also puts each tick in slot order (the replay's gather), and it counts the VMs the trace has on.
/// </summary>
internal sealed class TickReadAhead : IDisposable
{
    private const int Depth = 3;

    private readonly NativeTraceReader _reader;
    private readonly int[][] _buffers = new int[Depth][];
    private readonly int[] _on = new int[Depth];
    private readonly int[]? _vmOfSlot;
    private readonly int[]? _traceOrder;
    private readonly ExceptionDispatchInfo?[] _errors = new ExceptionDispatchInfo?[Depth];
    private readonly SemaphoreSlim _filled = new(0, Depth);
    private readonly SemaphoreSlim _free = new(Depth, Depth);
    private readonly Thread _thread;
    private readonly long _ticks;
    private readonly long _firstTick;
    private volatile bool _stop;
    private int _next;
    private bool _holding;

    /// <param name="reader">The reader, positioned at tick <paramref name="firstTick"/>.</param>
    /// <param name="ticks">Ticks to read (no more: the reader is left just after them).</param>
    /// <param name="firstTick">The index of the first tick read (for the error of a trace that ends early).</param>
    /// <param name="vmOfSlot">When given, ticks come out in slot order: slot s holds trace VM vmOfSlot[s]'s value (off for -1).</param>
    public TickReadAhead(NativeTraceReader reader, long ticks, long firstTick, int[]? vmOfSlot)
    {
        _reader = reader;
        _ticks = ticks;
        _firstTick = firstTick;
        _vmOfSlot = vmOfSlot;
        if (vmOfSlot is not null)
            _traceOrder = new int[reader.Header.VmCount];
        // On 64-byte boundaries, as the fleet's columns: the replay loads a chunk's values a vector at a time from its first slot.
        var placing = new List<object>();
        for (int i = 0; i < Depth; i++)
            _buffers[i] = AlignedArrays.Allocate<int>(vmOfSlot?.Length ?? reader.Header.VmCount, keep: placing);
        GC.KeepAlive(placing);
        _thread = new Thread(Run) { IsBackground = true, Name = "DmKernel trace read-ahead" };
        _thread.Start();
    }

    /// <summary>
    /// The next tick's values, valid until <see cref="Done"/>; throws the reader's error for this tick, if it had one.
    /// </summary>
    /// <param name="on">The number of VMs the trace has on in the tick.</param>
    public int[] Next(out int on)
    {
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

    public void Dispose()
    {
        _stop = true;
        if (_free.CurrentCount < Depth)
            _free.Release(); // wakes the thread if it waits for a buffer
        _thread.Join();
        _filled.Dispose();
        _free.Dispose();
    }

    private void Run()
    {
        int slot = 0;
        for (long t = 0; t < _ticks; t++)
        {
            _free.Wait();
            if (_stop)
                return;
            try
            {
                int[] values = _traceOrder ?? _buffers[slot];
                if (!_reader.ReadTick(values))
                {
                    throw new TraceFormatException(_reader.FilePath, $"tick {_firstTick + t}",
                        $"the trace ended early: its header promises {_reader.Header.TickCount} ticks");
                }

                _on[slot] = ReplayEngine.CountOn(values);
                if (_vmOfSlot is not null)
                    Gather(values, _vmOfSlot, _buffers[slot]);
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

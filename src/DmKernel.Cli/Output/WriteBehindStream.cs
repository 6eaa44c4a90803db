using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Text;

namespace DmKernel.Cli.Output;

/// <summary>
/// A write-only stream that hands its bytes, in blocks of 1 MiB, to a thread of its own, which writes them to the inner
/// stream in order. A replay's CSV outputs (hosts.csv: 100 MB for a 240-tick replay of 10 000 hosts) spent most of their
/// time in the write calls' copy into the page cache; here that copy runs beside the replay on a spare core, and the
/// replay's thread only formats. <see cref="Flush"/> returns when every byte written so far is in the inner stream (and
/// the inner stream is flushed); an error of the writing thread is thrown by the next <see cref="Write(byte[], int, int)"/>,
/// <see cref="Flush"/> or <see cref="Dispose(bool)"/>, so nothing is lost without a word. Not for concurrent writers.
/// </summary>
internal sealed class WriteBehindStream : Stream
{
    internal const int BlockBytes = 1 << 20;
    private const int Blocks = 4;

    private readonly Stream _inner;
    private readonly BlockingCollection<Item> _full = new(Blocks);
    private readonly BlockingCollection<byte[]> _free = new(Blocks);
    private readonly Thread _thread;
    private readonly long _start;
    private byte[] _block;
    private int _used;
    private long _written;
    private volatile ExceptionDispatchInfo? _error;
    private bool _errorThrown;
    private bool _disposed;

    /// <param name="inner">A writable stream, positioned where the bytes go; disposed with this one.</param>
    public WriteBehindStream(Stream inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        if (!inner.CanWrite)
            throw new ArgumentException("The inner stream must be writable.", nameof(inner));
        _inner = inner;
        _start = inner.CanSeek ? inner.Position : 0;
        for (int i = 1; i < Blocks; i++)
            _free.Add(new byte[BlockBytes]);
        _block = new byte[BlockBytes];
        _thread = new Thread(Run) { IsBackground = true, Name = "DmKernel write-behind" };
        _thread.Start();
    }

    /// <summary>A UTF-8 (no BOM) text writer over a new file at <paramref name="path"/>, written behind (see the class).</summary>
    public static StreamWriter CreateText(string path)
        => new(new WriteBehindStream(DmKernel.Traces.FileTooLarge.Guard(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 1), path)), new UTF8Encoding(false), 1 << 16);

    /// <summary>A block to write (<see cref="Count"/> bytes of <see cref="Block"/>), or, with <see cref="Flushed"/>, a
    /// request to flush the inner stream and say so once everything before it is written.</summary>
    private readonly record struct Item(byte[]? Block, int Count, ManualResetEventSlim? Flushed);

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !_disposed;

    /// <summary>The inner stream's length once every byte written so far is in it (its position when this stream was made, plus the bytes written).</summary>
    public override long Length => _start + _written;

    public override long Position
    {
        get => Length;
        set => throw new NotSupportedException("A write-behind stream cannot seek.");
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        Write(buffer.AsSpan(offset, count));
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ThrowError();
        while (!buffer.IsEmpty)
        {
            int n = Math.Min(buffer.Length, _block.Length - _used);
            buffer[..n].CopyTo(_block.AsSpan(_used));
            _used += n;
            _written += n;
            buffer = buffer[n..];
            if (_used == _block.Length)
                HandOver();
        }
    }

    public override void WriteByte(byte value) => Write([value]);

    /// <summary>Returns when every byte written so far is in the inner stream and the inner stream is flushed.</summary>
    public override void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_used > 0)
            HandOver();
        using var flushed = new ManualResetEventSlim(false);
        _full.Add(new Item(null, 0, flushed));
        flushed.Wait();
        ThrowError();
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("A write-behind stream cannot read.");

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("A write-behind stream cannot seek.");

    public override void SetLength(long value) => throw new NotSupportedException("A write-behind stream cannot change its length.");

    protected override void Dispose(bool disposing)
    {
        if (!disposing || _disposed)
        {
            base.Dispose(disposing);
            return;
        }

        try
        {
            if (_used > 0)
                HandOver();
            _full.CompleteAdding();
            _thread.Join();
            _disposed = true;
            _inner.Dispose();
            if (!_errorThrown)
                ThrowError(); // an error reported before is not thrown again by Dispose
        }
        finally
        {
            _disposed = true;
            _full.Dispose();
            _free.Dispose();
            base.Dispose(disposing);
        }
    }

    private void HandOver()
    {
        _full.Add(new Item(_block, _used, null));
        _used = 0;
        _block = _free.Take();
    }

    /// <summary>Throws the writing thread's error; later calls throw an IOException that names it (the stream stays failed).</summary>
    private void ThrowError()
    {
        if (_error is null)
            return;
        if (_errorThrown)
            throw new IOException($"An earlier write failed: {_error.SourceException.Message}", _error.SourceException);
        _errorThrown = true;
        _error.Throw();
    }

    private void Run()
    {
        foreach (Item item in _full.GetConsumingEnumerable())
        {
            try
            {
                if (_error is null)
                {
                    if (item.Block is not null)
                        _inner.Write(item.Block, 0, item.Count);
                    else
                        _inner.Flush();
                }
            }
            catch (Exception ex)
            {
                _error = ExceptionDispatchInfo.Capture(ex); // later blocks are dropped: the caller is told at its next call
            }
            finally
            {
                if (item.Block is not null)
                    _free.Add(item.Block);
                item.Flushed?.Set();
            }
        }
    }
}

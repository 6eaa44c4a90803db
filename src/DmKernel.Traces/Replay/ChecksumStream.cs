using System.IO.Hashing;

namespace DmKernel.Traces.Replay;

/// <summary>
/// A write-only pass-through stream that keeps an XxHash64 of every byte written through it (after the bytes it was
/// seeded with), so that a checkpoint can record the checksum of the output written so far without reading it back, and
/// a checkpoint is checksummed as it is streamed to its file. Disposing it disposes the inner stream unless
/// <paramref name="leaveOpen"/>.
/// </summary>
internal sealed class ChecksumStream(Stream inner, XxHash64 hash, bool leaveOpen = false) : Stream
{
    public XxHash64 Hash => hash;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    /// <summary>The inner stream's length (what has been written, where the inner stream counts it).</summary>
    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Length;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        inner.Write(buffer);
        hash.Append(buffer);
    }

    public override void Flush() => inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !leaveOpen)
            inner.Dispose();
        base.Dispose(disposing);
    }
}

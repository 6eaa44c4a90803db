namespace DmKernel.Traces.Replay;

/// <summary>
/// The stream a checkpoint is read through without holding it in memory (a checkpoint holds the whole fleet: some 180 B
/// per slot, over 2 GB past about 12 million VMs, more than one array or <see cref="MemoryStream"/> holds); it is written
/// through a <see cref="ChecksumStream"/>.
/// </summary>
internal static class CheckpointStreams
{
    /// <summary>Buffer of the writer and reader: the metrics are written value by value.</summary>
    public const int BufferBytes = 1 << 20;

    /// <summary>The next <paramref name="length"/> bytes of <paramref name="inner"/>, read-only; it leaves the inner stream open.</summary>
    public sealed class Window(Stream inner, long length) : Stream
    {
        private long _left = length;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_left == 0 || buffer.IsEmpty)
                return 0;
            int n = inner.Read(buffer[..(int)Math.Min(buffer.Length, _left)]);
            _left -= n;
            return n;
        }

        public override void Flush()
        {
        }

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}

using System.Globalization;
using System.IO.Compression;
using ZstdSharp;

namespace DmKernel.Traces;

/// <summary>Compresses and decompresses section payloads; owns the reusable codec contexts of one reader or writer.</summary>
internal sealed class SectionCodec : IDisposable
{
    private readonly NativeTraceCompression _compression;
    private readonly int _level;
    private Compressor? _zstdCompressor;
    private Decompressor? _zstdDecompressor;
    private MemoryStream? _deflateBuffer;

    public SectionCodec(NativeTraceCompression compression, int? level)
    {
        _compression = compression;
        _level = level ?? compression switch
        {
            NativeTraceCompression.Zstd => 1,
            NativeTraceCompression.Deflate => 6,
            _ => 0,
        };
    }

    /// <summary>The most bytes <see cref="Compress"/> writes for a payload of <paramref name="rawLength"/> bytes.</summary>
    public int PackedCapacity(int rawLength) =>
        _compression == NativeTraceCompression.Zstd ? (int)Math.Min(Compressor.GetCompressBound(rawLength), Array.MaxLength) : rawLength;

    /// <summary>Compresses <paramref name="raw"/> into <paramref name="packed"/> (grown as needed); stores it as is when that is not larger.</summary>
    public NativeTraceCompression Compress(ReadOnlySpan<byte> raw, ref byte[] packed, out int packedLength)
    {
        switch (_compression)
        {
            case NativeTraceCompression.Zstd when raw.Length > 0:
                {
                    _zstdCompressor ??= new Compressor(_level);
                    int bound = Compressor.GetCompressBound(raw.Length);
                    if (packed.Length < bound)
                        packed = new byte[bound];
                    packedLength = _zstdCompressor.Wrap(raw, packed);
                    if (packedLength < raw.Length)
                        return NativeTraceCompression.Zstd;
                    break;
                }

            case NativeTraceCompression.Deflate when raw.Length > 0:
                {
                    _deflateBuffer ??= new MemoryStream();
                    _deflateBuffer.SetLength(0);
                    using (var deflate = new DeflateStream(_deflateBuffer, new ZLibCompressionOptions { CompressionLevel = _level }, leaveOpen: true))
                        deflate.Write(raw);
                    packedLength = (int)_deflateBuffer.Length;
                    if (packedLength < raw.Length)
                    {
                        if (packed.Length < packedLength)
                            packed = new byte[packedLength];
                        _deflateBuffer.GetBuffer().AsSpan(0, packedLength).CopyTo(packed);
                        return NativeTraceCompression.Deflate;
                    }

                    break;
                }
        }

        if (packed.Length < raw.Length)
            packed = new byte[raw.Length];
        raw.CopyTo(packed);
        packedLength = raw.Length;
        return NativeTraceCompression.None;
    }

    /// <summary>
    /// Decompresses exactly <c>raw.Length</c> bytes. Throws <see cref="InvalidDataException"/> (or whatever the
    /// decompressor throws on corrupt input) when the payload does not decode to exactly that many bytes.
    /// </summary>
    public void Decompress(NativeTraceCompression codec, byte[] packed, int packedLength, Span<byte> raw)
    {
        switch (codec)
        {
            case NativeTraceCompression.None:
                if (packedLength != raw.Length)
                    throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"a stored payload of {packedLength} bytes, expected {raw.Length}"));
                packed.AsSpan(0, packedLength).CopyTo(raw);
                return;
            case NativeTraceCompression.Zstd:
                {
                    _zstdDecompressor ??= new Decompressor();
                    int n = _zstdDecompressor.Unwrap(packed.AsSpan(0, packedLength), raw);
                    if (n != raw.Length)
                        throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"Zstd payload decoded to {n} bytes, expected {raw.Length}"));
                    return;
                }

            case NativeTraceCompression.Deflate:
                {
                    using var source = new LastByteHeldBack(packed, packedLength);
                    using var deflate = new DeflateStream(source, CompressionMode.Decompress);
                    int n = deflate.ReadAtLeast(raw, raw.Length, throwOnEndOfStream: false);
                    Span<byte> one = stackalloc byte[1];
                    if (n != raw.Length || deflate.Read(one) != 0)
                        throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"DEFLATE payload decoded to {(n != raw.Length ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : "more than " + n.ToString(System.Globalization.CultureInfo.InvariantCulture))} bytes, expected {raw.Length}"));

                    // A DEFLATE stream marks its own end, so bytes stored after it would never be read: refused, as
                    // Zstd refuses them, so that PackedLength is the compressed stream's length in either codec.
                    if (!source.AllRead)
                        throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"the DEFLATE stream ends before the payload's last byte (PackedLength {packedLength}): bytes after the end of the compressed stream"));
                    return;
                }

            default:
                throw new InvalidDataException($"unknown codec {(byte)codec}, expected 0 (none), 1 (Deflate) or 3 (Zstd)");
        }
    }

    /// <summary>
    /// The stored payload as a stream that gives its last byte only in a read of its own, after every other byte has
    /// been read. The inflater asks for input only while its stream has not ended, so <see cref="AllRead"/> is false
    /// exactly when the DEFLATE stream ended before the payload's last byte.
    /// </summary>
    private sealed class LastByteHeldBack(byte[] bytes, int length) : Stream
    {
        private int _given;

        public bool AllRead => _given == length;

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
            int left = length - _given;
            if (left == 0 || buffer.IsEmpty)
                return 0;
            int n = left == 1 ? 1 : Math.Min(buffer.Length, left - 1);
            bytes.AsSpan(_given, n).CopyTo(buffer);
            _given += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    public void Dispose()
    {
        _zstdCompressor?.Dispose();
        _zstdDecompressor?.Dispose();
        _deflateBuffer?.Dispose();
    }
}

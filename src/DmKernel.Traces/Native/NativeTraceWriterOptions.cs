using System.Globalization;

namespace DmKernel.Traces;

/// <summary>Options of <see cref="NativeTraceWriter"/>; every default is a measured choice (docs/trace-format.md).</summary>
public sealed record NativeTraceWriterOptions
{
    /// <summary>Codec of the sections (default <see cref="NativeTraceCompression.Zstd"/>).</summary>
    public NativeTraceCompression Compression { get; init; } = NativeTraceCompression.Zstd;

    /// <summary>Codec level: Zstd 1..19 (default 1), Deflate 0..9 (default 6). Null = the codec's default.</summary>
    public int? CompressionLevel { get; init; }

    /// <summary>
    /// Target VM-ticks per chunk (default 4,194,304): a chunk holds max(1, this / VMs) ticks, at most
    /// <see cref="MaxTicksPerChunk"/>. It bounds the memory of reader and writer (about 4 bytes per VM-tick).
    /// </summary>
    public int ChunkVmTicks { get; init; } = 1 << 22;

    /// <summary>Ticks between keyframe chunks (delta from 0 instead of the previous tick; default 4096; 0 = only the first chunk).</summary>
    public int KeyframeIntervalTicks { get; init; } = 4096;

    /// <summary>
    /// How ticks are encoded (default <see cref="NativeTickEncoding.DeltaBlocks16"/>, format 1.1: about 3 times
    /// faster to read than <see cref="NativeTickEncoding.DeltaLeb128"/>, which format 1.0 readers need).
    /// </summary>
    public NativeTickEncoding TickEncoding { get; init; } = NativeTickEncoding.DeltaBlocks16;

    /// <summary>The defaults.</summary>
    public static NativeTraceWriterOptions Default { get; } = new();

    /// <summary>The most ticks in one chunk.</summary>
    public const int MaxTicksPerChunk = 65_536;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first bad option.</summary>
    public void Validate()
    {
        if (Compression is not (NativeTraceCompression.None or NativeTraceCompression.Deflate or NativeTraceCompression.Zstd))
            throw new InvariantOutOfRangeException(nameof(Compression), Compression, "Compression: expected None, Deflate or Zstd.");
        if (CompressionLevel is int level)
        {
            (int lo, int hi) = Compression switch
            {
                NativeTraceCompression.Zstd => (1, 19),
                NativeTraceCompression.Deflate => (0, 9),
                _ => (0, 0),
            };
            if (level < lo || level > hi)
                throw new InvariantOutOfRangeException(nameof(CompressionLevel), level, string.Create(CultureInfo.InvariantCulture, $"CompressionLevel: expected {lo}..{hi} for {Compression}."));
        }

        if (TickEncoding is not (NativeTickEncoding.DeltaLeb128 or NativeTickEncoding.DeltaBlocks16))
            throw new InvariantOutOfRangeException(nameof(TickEncoding), TickEncoding, "TickEncoding: expected DeltaLeb128 or DeltaBlocks16.");
        if (ChunkVmTicks < 1 || ChunkVmTicks > NativeFormat.MaxChunkVmTicks)
            throw new InvariantOutOfRangeException(nameof(ChunkVmTicks), ChunkVmTicks, string.Create(CultureInfo.InvariantCulture, $"ChunkVmTicks: expected 1..{NativeFormat.MaxChunkVmTicks}."));
        if (KeyframeIntervalTicks < 0)
            throw new InvariantOutOfRangeException(nameof(KeyframeIntervalTicks), KeyframeIntervalTicks, "KeyframeIntervalTicks: expected >= 0.");
    }
}

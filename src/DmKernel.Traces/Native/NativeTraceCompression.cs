namespace DmKernel.Traces;

/// <summary>How the payload of a native trace section is compressed (stored per section in its frame).</summary>
public enum NativeTraceCompression : byte
{
    /// <summary>Stored as is (also used for any section that compression would not shrink).</summary>
    None = 0,

    /// <summary>Raw DEFLATE (RFC 1951) through the BCL's <see cref="System.IO.Compression.DeflateStream"/>.</summary>
    Deflate = 1,

    /// <summary>Zstandard (RFC 8878) through ZstdSharp; the default: about 2× faster to decompress than DEFLATE here.</summary>
    Zstd = 3,
}

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

/// <summary>How a native trace stores its ticks (docs/trace-format.md); both hold each VM's zig-zag delta from the previous tick.</summary>
public enum NativeTickEncoding : byte
{
    /// <summary>Encoding 1 (format 1.0): one LEB128 varint per VM.</summary>
    DeltaLeb128 = 1,

    /// <summary>Encoding 2 (format 1.1): blocks of 16 VMs, one width byte (0..4) then 16 integers of that many bytes.</summary>
    DeltaBlocks16 = 2,
}

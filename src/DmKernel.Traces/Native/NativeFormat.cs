using System.Buffers.Binary;
using System.IO.Hashing;

namespace DmKernel.Traces;

/// <summary>Byte layout constants of the native trace format (docs/trace-format.md is the specification).</summary>
internal static class NativeFormat
{
    /// <summary>"DMKTRACE": the first 8 bytes of every file.</summary>
    public const ulong Magic = 0x45434152544B4D44; // little-endian "DMKTRACE"

    /// <summary>"DMKTRAIL": the first 8 bytes of the trailer.</summary>
    public const ulong TrailerMagic = 0x4C494152544B4D44; // little-endian "DMKTRAIL"

    public const ushort VersionMajor = 1;
    /// <summary>1.0 files use tick encoding 1 only; 1.1 added encoding 2 (a file using it says 1.1).</summary>
    public const ushort VersionMinor = 1;

    /// <summary>Tick encoding 1 (format 1.0): per VM zig-zag delta from the previous tick, LEB128, tick-major.</summary>
    public const byte TickEncodingDeltaZigZagLeb128 = 1;

    /// <summary>Tick encoding 2 (format 1.1): the same deltas in blocks of 16 VMs of one byte width (0..4) each.</summary>
    public const byte TickEncodingDeltaBlocks16 = 2;

    public const int HeaderSize = 64;
    public const int FrameSize = 56;
    public const int TrailerSize = 48;

    // Section tags (little-endian ASCII).
    public const uint TagMeta = 0x4154454D; // "META"
    public const uint TagVms = 0x20534D56;  // "VMS "
    public const uint TagHost = 0x54534F48; // "HOST"
    public const uint TagTick = 0x4B434954; // "TICK"

    public const byte FlagKeyframe = 1;

    /// <summary>Largest VM count (2^26): keeps one tick's payload under 256 MiB.</summary>
    public const int MaxVmCount = 1 << 26;

    /// <summary>Largest host count.</summary>
    public const int MaxHostCount = 1 << 24;

    /// <summary>Largest VM-ticks in one chunk (2^26), so a chunk's payload stays under 256 MiB.</summary>
    public const int MaxChunkVmTicks = 1 << 26;

    /// <summary>Entries per VMS or HOST section.</summary>
    public const int TableEntriesPerSection = 65_536;

    /// <summary>The longest LEB128 varint of a zig-zag delta (deltas are within ±(2^24 + 1), so 26 bits).</summary>
    public const int MaxVarintBytes = 4;

    /// <summary>Zeroed bytes after a decoded payload so the tick decoder can read ahead without bounds checks.</summary>
    public const int PayloadPadding = 32;

    /// <summary>Longest source, metadata key or value, in UTF-8 bytes.</summary>
    public const int MaxStringBytes = 1 << 20;

    public const int MaxMetadataEntries = 65_536;

    /// <summary>Largest META payload (source and all metadata), so a reader's allocation stays bounded.</summary>
    public const int MaxMetaBytes = 64 << 20;

    public static string TagName(uint tag) => tag switch
    {
        TagMeta => "META",
        TagVms => "VMS",
        TagHost => "HOST",
        TagTick => "TICK",
        _ => $"0x{tag:X8}",
    };

    public static ulong Hash(ReadOnlySpan<byte> bytes) => XxHash64.HashToUInt64(bytes);

    // File header (64 bytes).
    public const int HdrMagic = 0, HdrMajor = 8, HdrMinor = 10, HdrCodec = 12, HdrEncoding = 13, HdrTickSeconds = 16,
        HdrVmCount = 24, HdrHostCount = 28, HdrTickCount = 32, HdrTicksPerChunk = 40, HdrHash = 56;

    // Section frame (56 bytes).
    public const int FrTag = 0, FrCodec = 4, FrFlags = 5, FrFirstTick = 8, FrCount = 16, FrRawLength = 20,
        FrPackedLength = 24, FrPayloadHash = 32, FrPackedHash = 40, FrHash = 48;

    // Trailer (48 bytes).
    public const int TrMagic = 0, TrChunkCount = 8, TrTickCount = 16, TrOffset = 24, TrChainHash = 32, TrHash = 40;

    public static void WriteFrame(Span<byte> f, uint tag, NativeTraceCompression codec, byte flags, long firstTick, int count, int rawLength, int packedLength, ulong payloadHash, ulong packedHash)
    {
        f[..FrameSize].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(f[FrTag..], tag);
        f[FrCodec] = (byte)codec;
        f[FrFlags] = flags;
        BinaryPrimitives.WriteInt64LittleEndian(f[FrFirstTick..], firstTick);
        BinaryPrimitives.WriteInt32LittleEndian(f[FrCount..], count);
        BinaryPrimitives.WriteInt32LittleEndian(f[FrRawLength..], rawLength);
        BinaryPrimitives.WriteInt32LittleEndian(f[FrPackedLength..], packedLength);
        BinaryPrimitives.WriteUInt64LittleEndian(f[FrPayloadHash..], payloadHash);
        BinaryPrimitives.WriteUInt64LittleEndian(f[FrPackedHash..], packedHash);
        BinaryPrimitives.WriteUInt64LittleEndian(f[FrHash..], Hash(f[..FrHash]));
    }
}

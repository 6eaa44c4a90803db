using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;

namespace DmKernel.Traces;

/// <summary>
/// Reads a native trace (docs/trace-format.md). <see cref="Open(string)"/> checks the header and the trailer (so a
/// truncated file fails at once) and reads the metadata, VM and host tables; <see cref="ReadTick"/> then
/// streams ticks in constant memory, one chunk buffered at a time, whatever the trace length. Every chunk's
/// checksum is verified before any of its ticks is returned, and the whole-file chain checksum when the last
/// tick has been read. Corrupt input only ever raises <see cref="TraceFormatException"/>.
/// </summary>
public sealed class NativeTraceReader : IDisposable
{
    private readonly Stream _file;
    private readonly SectionCodec _codec = new(NativeTraceCompression.None, null);
    private readonly XxHash64 _chain = new();
    private readonly byte[] _headerBytes = new byte[NativeFormat.HeaderSize];
    private readonly byte[] _frame = new byte[NativeFormat.FrameSize];
    private readonly long _trailerOffset;
    private readonly long _openedLength;
    private readonly long _trailerChunkCount;
    private readonly ulong _trailerChain;
    private readonly int _ticksPerChunk;
    private readonly byte _encoding;
    private int[] _prev = [];
    private byte[] _packed = [];
    private byte[] _raw = [];
    private int _rawLength;
    private int _rawPos;
    private long _chunkFirstTick;
    private int _chunkTicks;
    private int _chunkTickIndex;
    private long _chunkIndex = -1;
    private long _position;
    private bool _finished;

    private NativeTraceReader(string path, Stream file)
    {
        FilePath = path;
        _file = file;
        long length = file.Length;
        _openedLength = length;
        if (length < NativeFormat.HeaderSize + NativeFormat.TrailerSize)
            throw Fail("file", string.Create(CultureInfo.InvariantCulture, $"{length} bytes, shorter than a header and a trailer ({NativeFormat.HeaderSize + NativeFormat.TrailerSize} bytes): truncated or not a trace"));

        ReadExactly(0, _headerBytes, "header");
        var h = _headerBytes.AsSpan();
        if (BinaryPrimitives.ReadUInt64LittleEndian(h) != NativeFormat.Magic)
            throw Fail("header field Magic", "bad magic, expected the bytes \"DMKTRACE\": not a native trace" + WhatItIs(h));
        ushort major = BinaryPrimitives.ReadUInt16LittleEndian(h[NativeFormat.HdrMajor..]);
        ushort minor = BinaryPrimitives.ReadUInt16LittleEndian(h[NativeFormat.HdrMinor..]);
        if (major != NativeFormat.VersionMajor)
            throw Fail("header field Version", $"unsupported format version {major}.{minor}, expected {NativeFormat.VersionMajor}.x");
        if (BinaryPrimitives.ReadUInt64LittleEndian(h[NativeFormat.HdrHash..]) != NativeFormat.Hash(h[..NativeFormat.HdrHash]))
            throw Fail("header", "checksum mismatch (XxHash64 of bytes 0..55)");
        _encoding = h[NativeFormat.HdrEncoding];
        if (_encoding is not (NativeFormat.TickEncodingDeltaZigZagLeb128 or NativeFormat.TickEncodingDeltaBlocks16))
            throw Fail("header field TickEncoding", $"{_encoding}, expected {NativeFormat.TickEncodingDeltaZigZagLeb128} (delta zig-zag LEB128) or {NativeFormat.TickEncodingDeltaBlocks16} (delta blocks of 16)");
        double tickSeconds = BinaryPrimitives.ReadDoubleLittleEndian(h[NativeFormat.HdrTickSeconds..]);
        if (!double.IsFinite(tickSeconds) || tickSeconds <= 0 || tickSeconds > 1e9)
            throw Fail("header field TickSeconds", $"{tickSeconds.ToString(CultureInfo.InvariantCulture)}, expected a finite number in (0, 1e9]");
        int vmCount = BinaryPrimitives.ReadInt32LittleEndian(h[NativeFormat.HdrVmCount..]);
        if (vmCount < 0 || vmCount > NativeFormat.MaxVmCount)
            throw Fail("header field VmCount", string.Create(CultureInfo.InvariantCulture, $"{vmCount}, expected 0..{NativeFormat.MaxVmCount}"));
        int hostCount = BinaryPrimitives.ReadInt32LittleEndian(h[NativeFormat.HdrHostCount..]);
        if (hostCount < 0 || hostCount > NativeFormat.MaxHostCount)
            throw Fail("header field HostCount", string.Create(CultureInfo.InvariantCulture, $"{hostCount}, expected 0..{NativeFormat.MaxHostCount}"));
        long tickCount = BinaryPrimitives.ReadInt64LittleEndian(h[NativeFormat.HdrTickCount..]);
        if (tickCount < 0)
            throw Fail("header field TickCount", string.Create(CultureInfo.InvariantCulture, $"{tickCount}, expected >= 0"));
        _ticksPerChunk = BinaryPrimitives.ReadInt32LittleEndian(h[NativeFormat.HdrTicksPerChunk..]);
        if (_ticksPerChunk < 1 || _ticksPerChunk > NativeTraceWriterOptions.MaxTicksPerChunk || (long)_ticksPerChunk * vmCount > Math.Max(NativeFormat.MaxChunkVmTicks, vmCount))
            throw Fail("header field TicksPerChunk", string.Create(CultureInfo.InvariantCulture, $"{_ticksPerChunk}, expected 1..{NativeTraceWriterOptions.MaxTicksPerChunk} with TicksPerChunk × VmCount <= {NativeFormat.MaxChunkVmTicks}"));

        // Trailer: checked now so that a truncated file fails at Open, not after hours of replay.
        Span<byte> t = stackalloc byte[NativeFormat.TrailerSize];
        ReadExactly(length - NativeFormat.TrailerSize, t, "trailer");
        if (BinaryPrimitives.ReadUInt64LittleEndian(t) != NativeFormat.TrailerMagic)
            throw Fail("trailer", "no trailer magic \"DMKTRAIL\" in the last 48 bytes: the file is truncated or was not completed");
        if (BinaryPrimitives.ReadUInt64LittleEndian(t[NativeFormat.TrHash..]) != NativeFormat.Hash(t[..NativeFormat.TrHash]))
            throw Fail("trailer", "checksum mismatch (XxHash64 of bytes 0..39)");
        _trailerOffset = BinaryPrimitives.ReadInt64LittleEndian(t[NativeFormat.TrOffset..]);
        if (_trailerOffset != length - NativeFormat.TrailerSize)
            throw Fail("trailer field Offset", string.Create(CultureInfo.InvariantCulture, $"{_trailerOffset}, expected {length - NativeFormat.TrailerSize} (file length − 48): truncated or extended file"));
        long trailerTicks = BinaryPrimitives.ReadInt64LittleEndian(t[NativeFormat.TrTickCount..]);
        if (trailerTicks != tickCount)
            throw Fail("trailer field TickCount", string.Create(CultureInfo.InvariantCulture, $"{trailerTicks}, expected {tickCount} as in the header"));
        _trailerChunkCount = BinaryPrimitives.ReadInt64LittleEndian(t[NativeFormat.TrChunkCount..]);
        long minChunks = (tickCount + _ticksPerChunk - 1) / _ticksPerChunk;
        if (_trailerChunkCount < minChunks || _trailerChunkCount > tickCount)
            throw Fail("trailer field ChunkCount", string.Create(CultureInfo.InvariantCulture, $"{_trailerChunkCount}, expected {minChunks}..{tickCount} for {tickCount} ticks of at most {_ticksPerChunk} per chunk"));
        _trailerChain = BinaryPrimitives.ReadUInt64LittleEndian(t[NativeFormat.TrChainHash..]);

        _position = NativeFormat.HeaderSize;
        var (source, metadata) = ReadMeta();
        Vms = ReadVms(vmCount, hostCount);
        Hosts = ReadHosts(hostCount);
        Header = new TraceHeader(major, tickSeconds, vmCount, tickCount, hostCount, source, metadata);
    }

    /// <summary>The file.</summary>
    public string FilePath { get; }

    /// <summary>The header: version, tick length, counts, source and metadata.</summary>
    public TraceHeader Header { get; }

    /// <summary>The VM table, in trace order (tick values come in this order).</summary>
    public IReadOnlyList<TraceVm> Vms { get; }

    /// <summary>The host table; empty when the trace has no placement.</summary>
    public IReadOnlyList<TraceHost> Hosts { get; }

    /// <summary>Ticks returned so far.</summary>
    public long TicksRead { get; private set; }

    /// <summary>Opens <paramref name="path"/> and reads everything but the ticks. Throws <see cref="TraceFormatException"/> on a corrupt file.</summary>
    public static NativeTraceReader Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        InputFile.EnsureRegular(path, "a trace", "by seeking (its chunk index is at its end), and a named pipe would wait for a writer");
        return Open(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16), path);
    }

    /// <summary>Reads a trace from a seekable <paramref name="stream"/> (owned: disposed with the reader); <paramref name="name"/> names it in errors.</summary>
    internal static NativeTraceReader Open(Stream stream, string name)
    {
        try
        {
            if (!stream.CanSeek || !stream.CanRead)
                throw new ArgumentException("The stream must be readable and seekable.", nameof(stream));
            return new NativeTraceReader(name, stream);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads the next tick into <paramref name="destination"/> (length = VM count): committed MB per VM or -1 (off).
    /// Returns false after the last tick, once the end of the file has been verified.
    /// </summary>
    public bool ReadTick(Span<int> destination)
    {
        if (destination.Length != Header.VmCount)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"A tick has {Header.VmCount} values (one per VM); the destination holds {destination.Length}."), nameof(destination));
        if (TicksRead == Header.TickCount)
        {
            if (!_finished)
                Finish();
            return false;
        }

        if (_chunkTickIndex == _chunkTicks)
            LoadChunk();

        bool blocks = _encoding == NativeFormat.TickEncodingDeltaBlocks16;
        int next = blocks
            ? TickCodec.DecodeTickBlocks(_raw, _rawPos, _rawLength, _prev, destination, out int bad, out bool outOfRange)
            : TickCodec.DecodeTick(_raw, _rawPos, _rawLength, _prev, destination, out bad, out outOfRange);
        if (next < 0)
        {
            throw Fail(ChunkPlace(), blocks
                ? string.Create(CultureInfo.InvariantCulture, $"tick {TicksRead}: the payload is malformed in the block of VM {bad} (a width byte above 4, or the payload ends before the tick), expected a width 0..4 and its bytes per block")
                : string.Create(CultureInfo.InvariantCulture, $"tick {TicksRead}: the payload is malformed at VM {bad} (a varint longer than 4 bytes, or the payload ends before the tick), expected a 1..4-byte varint per VM"));
        }

        if (outOfRange)
        {
            int vm = 0;
            while (vm < destination.Length && TraceValues.IsValid(destination[vm]))
                vm++;
            throw Fail(ChunkPlace(), string.Create(CultureInfo.InvariantCulture, $"tick {TicksRead}, VM {vm}: value {destination[vm]}, expected -1 (off) or 0..{TraceValues.MaxCommittedMb} MB"));
        }

        _rawPos = next;
        _chunkTickIndex++;
        TicksRead++;
        if (_chunkTickIndex == _chunkTicks && _rawPos != _rawLength)
            throw Fail(ChunkPlace(), string.Create(CultureInfo.InvariantCulture, $"{_rawLength - _rawPos} bytes left after its last tick, expected none"));
        return true;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _file.Dispose();
        _codec.Dispose();
    }

    private string ChunkPlace() => _chunkTicks > 0
        ? string.Create(CultureInfo.InvariantCulture, $"chunk {_chunkIndex} (ticks {_chunkFirstTick}..{_chunkFirstTick + _chunkTicks - 1})")
        : string.Create(CultureInfo.InvariantCulture, $"chunk {_chunkIndex}");

    private void LoadChunk()
    {
        _chunkIndex++;
        string place = string.Create(CultureInfo.InvariantCulture, $"chunk {_chunkIndex} (expected to start at tick {TicksRead})");
        var f = ReadFrame(place, NativeFormat.TagTick);
        long first = BinaryPrimitives.ReadInt64LittleEndian(f[NativeFormat.FrFirstTick..]);
        int count = BinaryPrimitives.ReadInt32LittleEndian(f[NativeFormat.FrCount..]);
        if (first != TicksRead)
            throw Fail(place, string.Create(CultureInfo.InvariantCulture, $"frame says it starts at tick {first}, expected {TicksRead}"));
        if (count < 1 || count > _ticksPerChunk || count > Header.TickCount - first)
            throw Fail(place, string.Create(CultureInfo.InvariantCulture, $"frame says {count} ticks, expected 1..{Math.Min(_ticksPerChunk, Header.TickCount - first)}"));
        _chunkFirstTick = first;
        _chunkTicks = count;
        _chunkTickIndex = 0;
        place = ChunkPlace();
        if (_chunkIndex == 0 && (f[NativeFormat.FrFlags] & NativeFormat.FlagKeyframe) == 0)
            throw Fail(place, "the first chunk is not a keyframe, expected flag 0x01");
        long maxRaw = count * TickCodec.MaxTickBytes(_encoding, Header.VmCount);
        long minRaw = count * TickCodec.MinTickBytes(_encoding, Header.VmCount);
        _rawLength = ReadPayload(f, place, minRaw, maxRaw, ref _raw);
        _rawPos = 0;
        if (_prev.Length != Header.VmCount)
            _prev = new int[Header.VmCount];
        if ((f[NativeFormat.FrFlags] & NativeFormat.FlagKeyframe) != 0)
            Array.Clear(_prev);
    }

    private void Finish()
    {
        // Skip sections of a later minor version after the last chunk, then expect the trailer exactly here.
        while (_position < _trailerOffset)
            ReadFrame(string.Create(CultureInfo.InvariantCulture, $"section after chunk {_chunkIndex}"), NativeFormat.TagTick, skipOnly: true);
        long chunks = _chunkIndex + 1;
        if (chunks != _trailerChunkCount)
            throw Fail("trailer field ChunkCount", string.Create(CultureInfo.InvariantCulture, $"{_trailerChunkCount}, but the file holds {chunks} chunks"));
        _chain.Append(_headerBytes);
        if (_chain.GetCurrentHashAsUInt64() != _trailerChain)
            throw Fail("trailer field ChainHash", "whole-file checksum mismatch (XxHash64 over every frame and the header)");
        _finished = true;
    }

    private (string Source, TraceMetadata Metadata) ReadMeta()
    {
        const string place = "META section";
        var f = ReadFrame(place, NativeFormat.TagMeta);
        int count = BinaryPrimitives.ReadInt32LittleEndian(f[NativeFormat.FrCount..]);
        if (count < 0 || count > NativeFormat.MaxMetadataEntries)
            throw Fail(place, string.Create(CultureInfo.InvariantCulture, $"{count} entries, expected 0..{NativeFormat.MaxMetadataEntries}"));
        int n = ReadPayload(f, place, 1 + 2L * count, NativeFormat.MaxMetaBytes, ref _raw);
        try
        {
            var r = new PayloadReader(_raw.AsSpan(0, n));
            string source = r.ReadString("source");
            var meta = new TraceMetadata();
            for (int i = 0; i < count; i++)
            {
                string key = r.ReadString(string.Create(CultureInfo.InvariantCulture, $"metadata key {i}"));
                string value = r.ReadString(string.Create(CultureInfo.InvariantCulture, $"metadata value {i}"));
                if (key.Length == 0 || meta.TryGetValue(key, out _))
                    throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"metadata key {i} '{key}' is empty or repeated, expected unique non-empty keys"));
                meta.Set(key, value);
            }

            if (r.Remaining != 0)
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{r.Remaining} bytes left after the last entry, expected none"));
            return (source, meta);
        }
        catch (InvalidDataException e)
        {
            throw Fail(place, e.Message, e);
        }
    }

    private TraceVm[] ReadVms(int vmCount, int hostCount)
    {
        var vms = new List<TraceVm>(Math.Min(vmCount, NativeFormat.TableEntriesPerSection));
        var ids = new HashSet<string>(StringComparer.Ordinal);
        while (vms.Count < vmCount)
        {
            string place = string.Create(CultureInfo.InvariantCulture, $"VMS section for VMs from {vms.Count}");
            var f = ReadFrame(place, NativeFormat.TagVms);
            long first = BinaryPrimitives.ReadInt64LittleEndian(f[NativeFormat.FrFirstTick..]);
            int count = BinaryPrimitives.ReadInt32LittleEndian(f[NativeFormat.FrCount..]);
            if (first != vms.Count || count < 1 || count > Math.Min(NativeFormat.TableEntriesPerSection, vmCount - vms.Count))
                throw Fail(place, string.Create(CultureInfo.InvariantCulture, $"frame says VMs {first}..{first + count - 1}, expected {vms.Count}..{vms.Count + Math.Min(NativeFormat.TableEntriesPerSection, vmCount - vms.Count) - 1}"));
            int n = ReadPayload(f, place, (long)count * (TableCodec.VmFixedBytes + 2), (long)count * (TableCodec.VmFixedBytes + 2 + TraceVm.MaxIdBytes), ref _raw);
            try
            {
                var r = new PayloadReader(_raw.AsSpan(0, n));
                for (int i = 0; i < count; i++)
                {
                    var vm = r.ReadVm();
                    if (TableCodec.StrictUtf8.GetByteCount(vm.Id) > TraceVm.MaxIdBytes)
                        throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"VM {vms.Count}: id longer than {TraceVm.MaxIdBytes} bytes"));
                    if (TableCodec.CheckVm(vm, hostCount) is string why)
                        throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"VM {vms.Count} ('{vm.Id}'): {why}"));
                    if (!ids.Add(vm.Id))
                        throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"VM {vms.Count}: id '{vm.Id}' repeats an earlier VM's, expected unique ids"));
                    vms.Add(vm);
                }

                if (r.Remaining != 0)
                    throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{r.Remaining} bytes left after the last VM, expected none"));
            }
            catch (InvalidDataException e)
            {
                throw Fail(place, e.Message, e);
            }
        }

        return [.. vms];
    }

    private TraceHost[] ReadHosts(int hostCount)
    {
        var hosts = new List<TraceHost>(Math.Min(hostCount, NativeFormat.TableEntriesPerSection));
        while (hosts.Count < hostCount)
        {
            string place = string.Create(CultureInfo.InvariantCulture, $"HOST section for hosts from {hosts.Count}");
            var f = ReadFrame(place, NativeFormat.TagHost);
            long first = BinaryPrimitives.ReadInt64LittleEndian(f[NativeFormat.FrFirstTick..]);
            int count = BinaryPrimitives.ReadInt32LittleEndian(f[NativeFormat.FrCount..]);
            if (first != hosts.Count || count < 1 || count > Math.Min(NativeFormat.TableEntriesPerSection, hostCount - hosts.Count))
                throw Fail(place, string.Create(CultureInfo.InvariantCulture, $"frame says hosts {first}..{first + count - 1}, expected {hosts.Count}..{hosts.Count + Math.Min(NativeFormat.TableEntriesPerSection, hostCount - hosts.Count) - 1}"));
            int n = ReadPayload(f, place, (long)count * TableCodec.HostBytes, (long)count * TableCodec.HostBytes, ref _raw);
            try
            {
                var r = new PayloadReader(_raw.AsSpan(0, n));
                for (int i = 0; i < count; i++)
                {
                    var host = r.ReadHost();
                    if (TableCodec.CheckHost(host) is string why)
                        throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"host {hosts.Count}: {why}"));
                    hosts.Add(host);
                }
            }
            catch (InvalidDataException e)
            {
                throw Fail(place, e.Message, e);
            }
        }

        return [.. hosts];
    }

    /// <summary>
    /// Reads and checks the next frame (skipping, after checking, sections of unknown tags that a later minor
    /// version may add) and returns it; the payload is left for <see cref="ReadPayload"/>.
    /// </summary>
    private Span<byte> ReadFrame(string place, uint expectedTag, bool skipOnly = false)
    {
        while (true)
        {
            if (_position + NativeFormat.FrameSize > _trailerOffset)
                throw Fail(place, string.Create(CultureInfo.InvariantCulture, $"the trailer comes at byte {_trailerOffset}, expected a {NativeFormat.TagName(expectedTag)} section frame at byte {_position}: sections are missing"));
            ReadExactly(_position, _frame, place);
            var f = _frame.AsSpan();
            if (BinaryPrimitives.ReadUInt64LittleEndian(f[NativeFormat.FrHash..]) != NativeFormat.Hash(f[..NativeFormat.FrHash]))
                throw Fail(place, string.Create(CultureInfo.InvariantCulture, $"frame checksum mismatch at byte {_position}"));
            _chain.Append(f);
            _position += NativeFormat.FrameSize;
            uint tag = BinaryPrimitives.ReadUInt32LittleEndian(f);
            int packed = BinaryPrimitives.ReadInt32LittleEndian(f[NativeFormat.FrPackedLength..]);
            if (packed < 0 || packed > _trailerOffset - _position)
                throw Fail(place, string.Create(CultureInfo.InvariantCulture, $"{NativeFormat.TagName(tag)} payload of {packed} bytes runs past the trailer at byte {_trailerOffset}: truncated or corrupt"));
            bool known = tag is NativeFormat.TagMeta or NativeFormat.TagVms or NativeFormat.TagHost or NativeFormat.TagTick;
            if (!known || skipOnly)
            {
                if (known)
                    throw Fail(place, $"a {NativeFormat.TagName(tag)} section after the last tick, expected the trailer");
                _position += packed;
                if (skipOnly)
                    return f; // Finish reads on to the next section, or stops where the trailer starts
                continue;
            }

            if (tag != expectedTag)
                throw Fail(place, $"a {NativeFormat.TagName(tag)} section, expected {NativeFormat.TagName(expectedTag)}");
            return f;
        }
    }

    /// <summary>Reads, decompresses and checks the payload of frame <paramref name="f"/> into <paramref name="raw"/> (padded); returns its length.</summary>
    private int ReadPayload(Span<byte> f, string place, long minRaw, long maxRaw, ref byte[] raw)
    {
        int rawLength = BinaryPrimitives.ReadInt32LittleEndian(f[NativeFormat.FrRawLength..]);
        int packedLength = BinaryPrimitives.ReadInt32LittleEndian(f[NativeFormat.FrPackedLength..]);
        var codec = (NativeTraceCompression)f[NativeFormat.FrCodec];
        ulong payloadHash = BinaryPrimitives.ReadUInt64LittleEndian(f[NativeFormat.FrPayloadHash..]);
        if (rawLength < minRaw || rawLength > maxRaw)
            throw Fail(place, string.Create(CultureInfo.InvariantCulture, $"uncompressed payload of {rawLength} bytes, expected {minRaw}..{maxRaw}"));
        if (codec is not (NativeTraceCompression.None or NativeTraceCompression.Deflate or NativeTraceCompression.Zstd))
            throw Fail(place, $"codec {(byte)codec}, expected 0 (none), 1 (Deflate) or 3 (Zstd)");
        if (_packed.Length < packedLength)
            _packed = new byte[Math.Max(packedLength, Math.Min(_packed.Length * 2L, Array.MaxLength))];
        ReadExactly(_position, _packed.AsSpan(0, packedLength), place);
        _position += packedLength;
        if (NativeFormat.Hash(_packed.AsSpan(0, packedLength)) != BinaryPrimitives.ReadUInt64LittleEndian(f[NativeFormat.FrPackedHash..]))
            throw Fail(place, "stored payload checksum mismatch (XxHash64 of the bytes as stored)");
        if (raw.Length < rawLength + NativeFormat.PayloadPadding)
            raw = new byte[rawLength + NativeFormat.PayloadPadding];
        try
        {
            _codec.Decompress(codec, _packed, packedLength, raw.AsSpan(0, rawLength));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw Fail(place, $"the {codec} payload does not decompress: {e.Message}", e);
        }

        raw.AsSpan(rawLength, NativeFormat.PayloadPadding).Clear();
        if (NativeFormat.Hash(raw.AsSpan(0, rawLength)) != payloadHash)
            throw Fail(place, "payload checksum mismatch (XxHash64 of the uncompressed payload)");
        return rawLength;
    }

    /// <summary>
    /// What a file that is not a native trace looks like from its first bytes, for the error: compressed (a trace
    /// downloaded or kept as .dmt.gz) with what unpacks it, or text (a public dataset's CSV given where its import's
    /// trace belongs); "" otherwise.
    /// </summary>
    private static string WhatItIs(ReadOnlySpan<byte> head)
    {
        if (InputFile.Compression(head) is var (what, unpack))
            return $": it is {what}; unpack it first ({unpack})";
        foreach (byte b in head)
        {
            if (b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or (byte)'\r'))
                return "";
        }

        return ": it is text (a CSV file?); a native trace is made from a public dataset's files by an importer (dmkernel import bitbrains, alibaba or gcd) or by dmkernel generate";
    }

    private void ReadExactly(long offset, Span<byte> buffer, string place)
    {
        _file.Position = offset;
        int n = _file.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (n != buffer.Length)
            throw Fail(place, string.Create(CultureInfo.InvariantCulture, $"the file ends at byte {offset + n}, expected {buffer.Length} bytes from byte {offset}: truncated"));
    }

    /// <summary>
    /// The error for <paramref name="where"/>; when the file's length is no longer what it was at open (Open checked the
    /// trailer at its end), it says the file was written over while being read (cp, or a generate or import into the
    /// same path, during the run), which a damaged file is not: the length it has now and had then.
    /// </summary>
    private TraceFormatException Fail(string where, string problem, Exception? inner = null)
    {
        long now = -1;
        try
        {
            now = _file.CanSeek ? _file.Length : -1;
        }
        catch (IOException)
        {
        }

        if (now >= 0 && now != _openedLength)
        {
            problem += string.Create(CultureInfo.InvariantCulture,
                $"; the file is now {now} bytes, but it was {_openedLength} bytes when this run opened it: it was written over while being read (write a new trace to another path while a run reads this one)");
        }

        return new(FilePath, where, problem, inner);
    }
}

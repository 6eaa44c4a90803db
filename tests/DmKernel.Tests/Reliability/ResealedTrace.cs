using System.Buffers.Binary;
using System.IO.Hashing;
using DmKernel.Traces;

namespace DmKernel.Tests.Reliability;

/// <summary>
/// A native trace with any content behind valid checksums, so that the reader's range checks, not its checksums,
/// are what must refuse a bad value. <see cref="Create"/> writes a valid trace with the same counts (stored
/// sections, one tick per chunk, every chunk a keyframe, tick encoding 1: LEB128 varints, format 1.0), then puts
/// in the given VM table, host table and tick values, encoded as the writer encodes them but not validated. A
/// test may change the header or any section further; <see cref="Save"/> re-seals every checksum: payload,
/// frame, header, chain and trailer.
/// </summary>
internal sealed class ResealedTrace
{
    private readonly byte[] _header;
    private readonly List<Section> _sections;

    private ResealedTrace(byte[] header, List<Section> sections)
    {
        _header = header;
        _sections = sections;
    }

    /// <summary>One section: its frame (lengths, codec and hashes are rewritten by <see cref="Save"/>) and its stored payload.</summary>
    internal sealed class Section(byte[] frame, byte[] payload)
    {
        public byte[] Frame { get; } = frame;

        public byte[] Payload { get; set; } = payload;

        /// <summary>When set, the section is stored as these bytes with this codec (not checked to decode to <see cref="Payload"/>, which gives RawLength and RawHash).</summary>
        public (NativeTraceCompression Codec, byte[] Bytes)? Stored { get; set; }

        public uint Tag => BinaryPrimitives.ReadUInt32LittleEndian(Frame);
    }

    /// <summary>The 64-byte file header (its hash is rewritten by <see cref="Save"/>).</summary>
    public byte[] Header => _header;

    public Section Vms => _sections.First(s => s.Tag == NativeFormat.TagVms);

    public Section Hosts => _sections.First(s => s.Tag == NativeFormat.TagHost);

    /// <summary>The TICK sections in file order (chunk k holds tick k).</summary>
    public IReadOnlyList<Section> Chunks => [.. _sections.Where(s => s.Tag == NativeFormat.TagTick)];

    /// <summary>How many sections the file holds, in file order (META, VMS, HOST when there are hosts, then the chunks).</summary>
    public int SectionCount => _sections.Count;

    /// <summary>Where <paramref name="section"/> is in file order.</summary>
    public int IndexOf(Section section) => _sections.IndexOf(section);

    /// <summary>
    /// Puts a section of tag <paramref name="tag"/> (one a reader may not know: a later minor version's) with
    /// <paramref name="payload"/> before section <paramref name="index"/> in file order (<see cref="SectionCount"/> puts it
    /// last); its frame's other fields are 0 but for the lengths, codec and hashes <see cref="Save"/> writes.
    /// </summary>
    public void InsertSection(int index, uint tag, byte[] payload)
    {
        var frame = new byte[NativeFormat.FrameSize];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, tag);
        _sections.Insert(index, new Section(frame, payload));
    }

    /// <summary>A trace holding exactly <paramref name="vms"/>, <paramref name="hosts"/> and <paramref name="ticks"/>, valid or not (at least one VM).</summary>
    public static ResealedTrace Create(string path, IReadOnlyList<TraceVm> vms, IReadOnlyList<TraceHost> hosts, IReadOnlyList<int[]> ticks)
    {
        var placeholders = new TraceVm[vms.Count];
        for (int i = 0; i < placeholders.Length; i++)
            placeholders[i] = new TraceVm("placeholder" + i, VmSettings.Dynamic(1024, 512, 4096), hosts.Count > 0 ? 0 : -1);
        var options = new NativeTraceWriterOptions
        {
            Compression = NativeTraceCompression.None,
            ChunkVmTicks = 1,
            KeyframeIntervalTicks = 1,
            TickEncoding = NativeTickEncoding.DeltaLeb128,
        };
        using (var w = new NativeTraceWriter(path, new TraceDescription(60, "resealed"), placeholders, [.. hosts.Select(_ => new TraceHost(8192))], options))
        {
            foreach (int[] _ in ticks)
                w.WriteTick(new int[vms.Count]);
            w.Complete();
        }

        var trace = Load(File.ReadAllBytes(path));
        var b = new ByteBuffer(256);
        foreach (var vm in vms)
            TableCodec.WriteVm(b, vm);
        trace.Vms.Payload = b.Span.ToArray();
        if (hosts.Count > 0)
        {
            b.Clear();
            foreach (var host in hosts)
                TableCodec.WriteHost(b, host);
            trace.Hosts.Payload = b.Span.ToArray();
        }

        var chunks = trace.Chunks;
        for (int t = 0; t < ticks.Count; t++)
            chunks[t].Payload = EncodeTick(ticks[t]);
        return trace;
    }

    /// <summary>One tick of a keyframe chunk: the varints of zigzag(value − 0), as the writer encodes them (no range check).</summary>
    public static byte[] EncodeTick(int[] values)
    {
        var raw = new byte[(values.Length * 5) + 8];
        int n = TickCodec.EncodeTick(values, new int[values.Length], raw, 0);
        return raw[..n];
    }

    /// <summary>Writes the trace to <paramref name="path"/> with every checksum valid.</summary>
    public void Save(string path)
    {
        using var file = new MemoryStream();
        var chain = new XxHash64();
        file.Write(new byte[NativeFormat.HeaderSize]);
        long chunks = 0;
        foreach (var s in _sections)
        {
            var f = s.Frame.AsSpan();
            byte[] stored = s.Stored?.Bytes ?? s.Payload;
            f[NativeFormat.FrCodec] = (byte)(s.Stored?.Codec ?? NativeTraceCompression.None);
            BinaryPrimitives.WriteInt32LittleEndian(f[NativeFormat.FrRawLength..], s.Payload.Length);
            BinaryPrimitives.WriteInt32LittleEndian(f[NativeFormat.FrPackedLength..], stored.Length);
            BinaryPrimitives.WriteUInt64LittleEndian(f[NativeFormat.FrPayloadHash..], NativeFormat.Hash(s.Payload));
            BinaryPrimitives.WriteUInt64LittleEndian(f[NativeFormat.FrPackedHash..], NativeFormat.Hash(stored));
            BinaryPrimitives.WriteUInt64LittleEndian(f[NativeFormat.FrHash..], NativeFormat.Hash(f[..NativeFormat.FrHash]));
            chain.Append(f);
            file.Write(f);
            file.Write(stored);
            if (s.Tag == NativeFormat.TagTick)
                chunks++;
        }

        BinaryPrimitives.WriteUInt64LittleEndian(_header.AsSpan(NativeFormat.HdrHash), NativeFormat.Hash(_header.AsSpan(0, NativeFormat.HdrHash)));
        chain.Append(_header);
        var trailer = new byte[NativeFormat.TrailerSize];
        BinaryPrimitives.WriteUInt64LittleEndian(trailer, NativeFormat.TrailerMagic);
        BinaryPrimitives.WriteInt64LittleEndian(trailer.AsSpan(NativeFormat.TrChunkCount), chunks);
        BinaryPrimitives.WriteInt64LittleEndian(trailer.AsSpan(NativeFormat.TrTickCount), BinaryPrimitives.ReadInt64LittleEndian(_header.AsSpan(NativeFormat.HdrTickCount)));
        BinaryPrimitives.WriteInt64LittleEndian(trailer.AsSpan(NativeFormat.TrOffset), file.Position);
        BinaryPrimitives.WriteUInt64LittleEndian(trailer.AsSpan(NativeFormat.TrChainHash), chain.GetCurrentHashAsUInt64());
        BinaryPrimitives.WriteUInt64LittleEndian(trailer.AsSpan(NativeFormat.TrHash), NativeFormat.Hash(trailer.AsSpan(0, NativeFormat.TrHash)));
        file.Write(trailer);
        file.Position = 0;
        file.Write(_header);
        File.WriteAllBytes(path, file.ToArray());
    }

    private static ResealedTrace Load(byte[] bytes)
    {
        var sections = new List<Section>();
        int end = bytes.Length - NativeFormat.TrailerSize;
        for (int pos = NativeFormat.HeaderSize; pos < end;)
        {
            byte[] frame = bytes[pos..(pos + NativeFormat.FrameSize)];
            Assert.Equal((byte)NativeTraceCompression.None, frame[NativeFormat.FrCodec]);
            int packed = BinaryPrimitives.ReadInt32LittleEndian(frame.AsSpan(NativeFormat.FrPackedLength));
            pos += NativeFormat.FrameSize;
            sections.Add(new Section(frame, bytes[pos..(pos + packed)]));
            pos += packed;
        }

        return new ResealedTrace(bytes[..NativeFormat.HeaderSize], sections);
    }
}

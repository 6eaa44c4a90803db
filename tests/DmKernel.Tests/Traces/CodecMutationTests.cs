using System.IO.Compression;
using DmKernel.Tests.Reliability;
using DmKernel.Traces;
using ZstdSharp;

namespace DmKernel.Tests.Traces;

/// <summary>
/// Tests written for the survivors of a mutation round on the native format's section codec and tables
/// (docs/trace-format.md) and the importers' sample series (docs/importers.md): each expected value follows from the
/// format's documented ranges and rules on a tiny input.
/// </summary>
public sealed class CodecMutationTests
{
    private static byte[] Random(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    private static byte[] Deflated(ReadOnlySpan<byte> raw, int level = 6)
    {
        using var m = new MemoryStream();
        using (var d = new DeflateStream(m, new ZLibCompressionOptions { CompressionLevel = level }, leaveOpen: true))
            d.Write(raw);
        return m.ToArray();
    }

    private static byte[] Zstd(ReadOnlySpan<byte> raw)
    {
        using var c = new Compressor(1);
        return c.Wrap(raw).ToArray();
    }

    private static byte[] Concat(byte[] a, params byte[] b) => [.. a, .. b];

    // ---- SectionCodec ----

    /// <summary>"A payload must decompress to exactly RawLength bytes": a stored payload of another length is refused, longer or shorter.</summary>
    [Fact]
    public void Decompress_StoredPayloadOfAnotherLength_IsRefused()
    {
        using var codec = new SectionCodec(NativeTraceCompression.None, null);
        byte[] packed = [1, 2, 3, 4, 5];
        Assert.Throws<InvalidDataException>(() => codec.Decompress(NativeTraceCompression.None, packed, 5, new byte[4]));
        Assert.Throws<InvalidDataException>(() => codec.Decompress(NativeTraceCompression.None, packed, 3, new byte[4]));
        var raw = new byte[5];
        codec.Decompress(NativeTraceCompression.None, packed, 5, raw);
        Assert.Equal(packed, raw);
    }

    /// <summary>A Zstd payload of 10 bytes where RawLength says 12 is refused.</summary>
    [Fact]
    public void Decompress_ZstdPayloadShorterThanRawLength_IsRefused()
    {
        using var codec = new SectionCodec(NativeTraceCompression.Zstd, null);
        byte[] raw = Random(10, 1), packed = Zstd(raw);
        Assert.Throws<InvalidDataException>(() => codec.Decompress(NativeTraceCompression.Zstd, packed, packed.Length, new byte[12]));
        var back = new byte[10];
        codec.Decompress(NativeTraceCompression.Zstd, packed, packed.Length, back);
        Assert.Equal(raw, back);
    }

    /// <summary>A DEFLATE payload that decodes to one byte more or one byte less than RawLength is refused.</summary>
    [Fact]
    public void Decompress_DeflatePayloadOfAnotherLength_IsRefused()
    {
        using var codec = new SectionCodec(NativeTraceCompression.Deflate, null);
        byte[] packed = Deflated(Random(11, 2));
        Assert.Throws<InvalidDataException>(() => codec.Decompress(NativeTraceCompression.Deflate, packed, packed.Length, new byte[10]));
        Assert.Throws<InvalidDataException>(() => codec.Decompress(NativeTraceCompression.Deflate, packed, packed.Length, new byte[12]));
    }

    /// <summary>
    /// "Bytes stored after the end of a DEFLATE ... stream would never be decoded, so they are refused": one byte after the
    /// stream is refused however large the inflater's reads, and the same stream without it decodes.
    /// </summary>
    [Fact]
    public void Decompress_DeflateStreamFollowedByAByte_IsRefused()
    {
        using var codec = new SectionCodec(NativeTraceCompression.Deflate, null);
        byte[] raw = Random(10, 3), packed = Deflated(raw), extra = Concat(packed, 0);
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => codec.Decompress(NativeTraceCompression.Deflate, extra, extra.Length, new byte[10]));
        Assert.Contains("the DEFLATE stream ends before the payload's last byte", e.Message, StringComparison.Ordinal);
        var back = new byte[10];
        codec.Decompress(NativeTraceCompression.Deflate, packed, packed.Length, back);
        Assert.Equal(raw, back);
    }

    /// <summary>Compress grows the buffer it is given as needed: an empty one, for an incompressible payload, comes back holding it stored.</summary>
    [Theory]
    [InlineData(NativeTraceCompression.Zstd)]
    [InlineData(NativeTraceCompression.Deflate)]
    public void Compress_IntoAnEmptyBuffer_IncompressiblePayload_IsStored(NativeTraceCompression compression)
    {
        using var codec = new SectionCodec(compression, null);
        byte[] raw = Random(1000, 4), packed = [];
        Assert.Equal(NativeTraceCompression.None, codec.Compress(raw, ref packed, out int length));
        Assert.Equal(raw, packed.AsSpan(0, length).ToArray());
    }

    /// <summary>
    /// A payload whose compressed form is exactly as long as itself, with the codec at its documented default level (k
    /// found by trying): for DEFLATE k zero bytes then 1 000 random ones; for Zstd, which stores an incompressible block
    /// raw, 128 KiB of random bytes (one whole block, 3 bytes more) then k zero bytes (a block of 4 bytes). "A section
    /// whose compressed form would not be smaller than its raw form is stored (codec 0)".
    /// </summary>
    [Theory]
    [InlineData(NativeTraceCompression.Zstd)]
    [InlineData(NativeTraceCompression.Deflate)]
    public void Compress_APayloadThatCompressesToItsOwnLength_IsStored(NativeTraceCompression compression)
    {
        bool zstd = compression == NativeTraceCompression.Zstd;
        byte[] random = Random(zstd ? 1 << 17 : 1000, 5);
        byte[]? raw = null;
        for (int k = 0; k < 400 && raw is null; k++)
        {
            byte[] candidate = zstd ? [.. random, .. new byte[k]] : [.. new byte[k], .. random];
            int packedLength = zstd ? Zstd(candidate).Length : Deflated(candidate).Length;
            if (packedLength == candidate.Length)
                raw = candidate;
        }

        Assert.NotNull(raw);
        using var codec = new SectionCodec(compression, null);
        byte[] packed = [];
        Assert.Equal(NativeTraceCompression.None, codec.Compress(raw, ref packed, out int length));
        Assert.Equal(raw.Length, length);

        // One zero byte more and it compresses to less than itself: that one is compressed.
        byte[] longer = zstd ? [.. raw, 0] : [0, .. raw];
        Assert.Equal(compression, codec.Compress(longer, ref packed, out length));
        Assert.True(length < longer.Length);
    }

    /// <summary>
    /// NativeTraceWriterOptions.CompressionLevel: "Zstd 1..19 (default 1), Deflate 0..9 (default 6)": a trace written with
    /// the default level is byte for byte the one written with that level given, and another level writes other bytes.
    /// </summary>
    [Theory]
    [InlineData(NativeTraceCompression.Zstd, 1, 19)]
    [InlineData(NativeTraceCompression.Deflate, 6, 1)]
    public void DefaultCompressionLevel_IsTheDocumentedOne(NativeTraceCompression compression, int defaultLevel, int otherLevel)
    {
        using var tmp = new TempDir();
        byte[] Write(int? level)
        {
            string path = tmp.File($"t{level}.dmt");
            TraceVm[] vms = [.. Enumerable.Range(0, 200).Select(i => new TraceVm($"vm-{i}", VmSettings.Dynamic(2048, 512, 8192)))];
            var rng = new Random(6);
            using (var w = new NativeTraceWriter(path, new TraceDescription(60, "levels", new TraceMetadata()), vms, [], new NativeTraceWriterOptions { Compression = compression, CompressionLevel = level }))
            {
                var tick = new int[vms.Length];
                for (int t = 0; t < 50; t++)
                {
                    for (int v = 0; v < vms.Length; v++)
                        tick[v] = rng.Next(10) < 3 ? rng.Next(0, 5000) : 1000 + (v % 7);
                    w.WriteTick(tick);
                }

                w.Complete();
            }

            return File.ReadAllBytes(path);
        }

        byte[] byDefault = Write(null);
        Assert.Equal(Write(defaultLevel), byDefault);
        Assert.NotEqual(Write(otherLevel), byDefault);
    }

    // ---- TableCodec: VM and host tables ----

    private static TraceData RoundTrip(TempDir tmp, TraceVm[] vms, TraceHost[] hosts, TraceMetadata? metadata = null)
    {
        string path = tmp.File("t.dmt");
        using (var w = new NativeTraceWriter(path, new TraceDescription(60, "tables", metadata ?? new TraceMetadata()), vms, hosts))
        {
            w.WriteTick(new int[vms.Length]);
            w.Complete();
        }

        return TraceData.Load(path);
    }

    /// <summary>
    /// Every documented bound itself is valid and reads back as written: Minimum 32, Maximum 16 777 216, Buffer 5 and
    /// 2 000, Weight 0 and 10 000, a dynamic Linux guest, the last host; a host whose reserve is its whole size, one with
    /// reserve 0, one without (-1 on disk), and one of 2 MB.
    /// </summary>
    [Fact]
    public void Tables_AtEveryDocumentedBound_ReadBackAsWritten()
    {
        using var tmp = new TempDir();
        TraceHost[] hosts = [new(8192, 8192), new(8192, 0), new(16_384), new(2)];
        TraceVm[] vms =
        [
            new("min32", VmSettings.Dynamic(1024, 32, 2048), 0),
            new("max", VmSettings.Dynamic(1024, 512, TraceValues.MaxCommittedMb), 1),
            new("buffer5", VmSettings.Dynamic(1024, 512, 2048, 5), 2),
            new("buffer2000", VmSettings.Dynamic(1024, 512, 2048, 2000), 3),
            new("weight0", VmSettings.Dynamic(1024, 512, 2048, 20, 0), 0),
            new("weight10000", VmSettings.Dynamic(1024, 512, 2048, 20, 10_000), 1),
            new("linux", VmSettings.Dynamic(1024, 512, 2048) with { Guest = GuestKind.Linux }, 3),
            new("static", VmSettings.Static(4096), 2),
        ];
        TraceData back = RoundTrip(tmp, vms, hosts);
        Assert.Equal(vms, back.Vms);
        Assert.Equal(hosts, back.Hosts);
        Assert.Null(back.Hosts[2].ReserveMb);
        Assert.True(back.Vms[6].Settings.DynamicMemory);
        Assert.Equal(GuestKind.Linux, back.Vms[6].Settings.Guest);
    }

    /// <summary>Just outside each documented range the writer refuses the table (ArgumentException), naming the VM or host.</summary>
    [Fact]
    public void Tables_JustOutsideEachDocumentedRange_AreRefusedByTheWriter()
    {
        using var tmp = new TempDir();
        void Refused(TraceVm vm, TraceHost[] hosts)
            => Assert.ThrowsAny<ArgumentException>(() => new NativeTraceWriter(tmp.File("bad.dmt"), new TraceDescription(60, "bad", new TraceMetadata()), [vm], hosts));
        TraceHost[] one = [new(8192)];
        var ok = VmSettings.Dynamic(1024, 512, 2048);
        Refused(new TraceVm("min30", VmSettings.Dynamic(1024, 30, 2048), 0), one);
        Refused(new TraceVm("oddMax", ok with { MaximumMb = 2049 }, 0), one);
        Refused(new TraceVm("maxAbove", VmSettings.Dynamic(1024, 512, TraceValues.MaxCommittedMb + 2), 0), one);
        Refused(new TraceVm("buffer4", VmSettings.Dynamic(1024, 512, 2048, 4), 0), one);
        Refused(new TraceVm("buffer2001", VmSettings.Dynamic(1024, 512, 2048, 2001), 0), one);
        Refused(new TraceVm("weightAbove", VmSettings.Dynamic(1024, 512, 2048, 20, 10_001), 0), one);
        Refused(new TraceVm("hostPastTheTable", ok, 1), one);
        Refused(new TraceVm("noHostWithATable", ok, -1), one);
        Refused(new TraceVm("host-2", ok, -2), []);
        Refused(new TraceVm("vm", ok, 0), [new(0)]);
        Refused(new TraceVm("vm", ok, 0), [new(8192, -2)]);
        Refused(new TraceVm("vm", ok, 0), [new(8192, 8194)]);
        Refused(new TraceVm("vm", ok, 0), [new(8192, 1023)]);
        Assert.Equal(8192, RoundTrip(tmp, [new TraceVm("vm", ok, 0)], [new(8192, 8192)]).Hosts[0].ReserveMb);
    }

    /// <summary>
    /// The reader refuses what the writer would not write, behind valid checksums: a host reserve of -2 (only -1 means
    /// "the model's"), a VM on host -2 in a trace without hosts, and a flag bit other than 0x01 and 0x02.
    /// </summary>
    [Fact]
    public void Reader_ReserveMinusTwo_HostMinusTwo_OrAnUnknownFlag_IsRefused()
    {
        using var tmp = new TempDir();
        var ok = VmSettings.Dynamic(1024, 512, 2048);
        ResealedTrace.Create(tmp.File("reserve.dmt"), [new TraceVm("vm", ok, 0)], [new TraceHost(8192, -2)], [[100]]).Save(tmp.File("reserve.dmt"));
        Assert.Throws<TraceFormatException>(() => NativeTraceReader.Open(tmp.File("reserve.dmt")).Dispose());

        ResealedTrace.Create(tmp.File("host.dmt"), [new TraceVm("vm", ok, -2)], [], [[100]]).Save(tmp.File("host.dmt"));
        Assert.Throws<TraceFormatException>(() => NativeTraceReader.Open(tmp.File("host.dmt")).Dispose());

        ResealedTrace flags = ResealedTrace.Create(tmp.File("flags.dmt"), [new TraceVm("vm", ok, -1)], [], [[100]]);
        flags.Vms.Payload[1 + 2 + 16] = 0x05; // id "vm" (length byte, 2 bytes), then the flags at fixed byte 16
        flags.Save(tmp.File("flags.dmt"));
        Assert.Throws<TraceFormatException>(() => NativeTraceReader.Open(tmp.File("flags.dmt")).Dispose());

        // The same VM without the extra bit reads.
        ResealedTrace good = ResealedTrace.Create(tmp.File("good.dmt"), [new TraceVm("vm", ok, -1)], [], [[100]]);
        Assert.Equal(TableCodec.VmFlagDynamic, good.Vms.Payload[1 + 2 + 16]);
        good.Save(tmp.File("good.dmt"));
        using NativeTraceReader r = NativeTraceReader.Open(tmp.File("good.dmt"));
        Assert.Equal(ok, r.Vms[0].Settings);
    }

    /// <summary>
    /// Strings are a LEB128 length then UTF-8: ids of 127, 128 (the first two-byte length), 129 and 1 024 bytes, a
    /// non-ASCII id (its UTF-8 longer than its characters), and a metadata value of exactly 1 MiB (the most a string may
    /// hold) read back as written.
    /// </summary>
    [Fact]
    public void Strings_AtTheLengthsWhereTheirEncodingChanges_ReadBackAsWritten()
    {
        using var tmp = new TempDir();
        var ok = VmSettings.Dynamic(1024, 512, 2048);
        TraceVm[] vms = [.. new[] { 127, 128, 129, 1024 }.Select(n => new TraceVm(new string('a', n), ok)), new TraceVm("vm-é✓", ok)];
        var metadata = new TraceMetadata().Set("big", new string('x', NativeFormat.MaxStringBytes)).Set("k128", new string('y', 128));
        TraceData back = RoundTrip(tmp, vms, [], metadata);
        Assert.Equal(vms.Select(v => v.Id), back.Vms.Select(v => v.Id));
        Assert.Equal(NativeFormat.MaxStringBytes, back.Header.Metadata["big"].Length);
        Assert.Equal(new string('y', 128), back.Header.Metadata["k128"]);
    }

    // ---- SampleSeries ----

    private static List<(long Time, int Value)> ReadBack(SampleSeries s)
    {
        var cursor = new SampleCursor(s);
        var list = new List<(long, int)>();
        while (cursor.Next(out long t, out int v))
            list.Add((t, v));
        return list;
    }

    /// <summary>
    /// A first sample at time 0 is a sample (not a duplicate of an unset one); a duplicate timestamp replaces the last
    /// sample, its value and its provisioned size ("the last row wins") and adds none; the first and last times; going
    /// back is backwards, the same time is not.
    /// </summary>
    [Fact]
    public void Series_FirstSampleAtZero_DuplicatesReplaceTheLast_BackwardsIsStrictlyEarlier()
    {
        using var tmp = new TempDir();
        using SampleSpill spill = SampleSpill.Create(tmp.File("out.dmt"));
        var s = new SampleSeries("vm", spill);
        Assert.False(s.IsBackwards(-5));
        Assert.False(s.Add(0, 7, 100));
        Assert.Equal(1, s.Count);
        Assert.False(s.Add(10, 1, 4000));
        Assert.True(s.Add(10, 2, 50));
        Assert.Equal(2, s.Count);
        Assert.Equal((0L, 10L), (s.FirstTime, s.LastTime));
        Assert.True(s.IsBackwards(9));
        Assert.False(s.IsBackwards(10));
        Assert.False(s.IsBackwards(11));
        s.Complete();
        Assert.Equal([(0L, 7), (10L, 2)], ReadBack(s));
        Assert.Equal(100, s.MaxProvisionedMb()); // 4000 was replaced by 50
    }

    /// <summary>The largest provisioned size is the largest of the samples, wherever it lies; it is known only once complete; nothing is added after.</summary>
    [Fact]
    public void Series_MaxProvisioned_IsKnownOnceComplete_NothingIsAddedAfter()
    {
        using var tmp = new TempDir();
        using SampleSpill spill = SampleSpill.Create(tmp.File("out.dmt"));
        var s = new SampleSeries("vm", spill);
        s.Add(1, 10, 300);
        s.Add(2, 20, 100);
        s.Add(3, -1, 200);
        Assert.Throws<InvalidOperationException>(() => s.MaxProvisionedMb());
        s.Complete();
        Assert.Equal(300, s.MaxProvisionedMb());
        Assert.Throws<InvalidOperationException>(() => s.Add(4, 1, 1));
        Assert.Equal([(1L, 10), (2L, 20), (3L, -1)], ReadBack(s));
    }

    /// <summary>
    /// Many samples of the largest varints (time steps of 2^40 s, values up to 16 777 216 and -1) fill several 4 KB
    /// blocks and read back exactly, the last included.
    /// </summary>
    [Fact]
    public void Series_ManySamplesOverSeveralBlocks_ReadBackExactly()
    {
        using var tmp = new TempDir();
        using SampleSpill spill = SampleSpill.Create(tmp.File("out.dmt"));
        var s = new SampleSeries("vm", spill);
        var expected = new List<(long, int)>();
        for (int i = 0; i < 2000; i++)
        {
            long t = (long)i << 40;
            int v = i % 3 == 0 ? -1 : TraceValues.MaxCommittedMb - i;
            s.Add(t, v, i);
            expected.Add((t, v));
        }

        s.Complete();
        Assert.Equal(2000, s.Count);
        Assert.Equal(expected, ReadBack(s));
        Assert.Equal(1999, s.MaxProvisionedMb());
    }
}

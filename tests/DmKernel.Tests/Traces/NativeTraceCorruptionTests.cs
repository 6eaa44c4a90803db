using System.Buffers.Binary;
using System.Globalization;
using DmKernel.Tests.Reliability;
using DmKernel.Traces;

namespace DmKernel.Tests.Traces;

public sealed class NativeTraceCorruptionTests
{
    /// <summary>A small trace: metadata, 5 VMs on 2 hosts, 40 ticks in chunks of 4 (10 chunks).</summary>
    private static byte[] MakeTrace(string path, NativeTraceCompression compression)
    {
        TraceVm[] vms = [.. Enumerable.Range(0, 5).Select(i => new TraceVm("vm" + i, VmSettings.Dynamic(1024, 512, 4096), i % 2))];
        var options = new NativeTraceWriterOptions { Compression = compression, ChunkVmTicks = 20, KeyframeIntervalTicks = 16 };
        using (var w = new NativeTraceWriter(path, new TraceDescription(1, "corruption", new TraceMetadata().Set("k", "v")), vms, [new TraceHost(8192), new TraceHost(8192, 1024)], options))
        {
            for (int t = 0; t < 40; t++)
                w.WriteTick([t % 7 == 0 ? -1 : 1000, 1000, 1000 + t, 2000 - t, t % 3 * 500]);
            w.Complete();
        }

        return File.ReadAllBytes(path);
    }

    private static void ReadAll(NativeTraceReader r)
    {
        using (r)
        {
            var row = new int[r.Header.VmCount];
            while (r.ReadTick(row))
            {
            }
        }
    }

    /// <summary>Opens and reads the whole file; returns the format error, failing on any other outcome.</summary>
    private static TraceFormatException ExpectFormatError(string path, string what) => ExpectFormatError(() => ReadAll(NativeTraceReader.Open(path)), path, what);

    /// <summary>Reads the bytes from memory (fast enough to try every byte); "mem.dmt" names them in errors.</summary>
    private static TraceFormatException ExpectFormatError(byte[] bytes, string what) =>
        ExpectFormatError(() => ReadAll(NativeTraceReader.Open(new MemoryStream(bytes, writable: false), "mem.dmt")), "mem.dmt", what);

    private static TraceFormatException ExpectFormatError(Action read, string path, string what)
    {
        try
        {
            read();
        }
        catch (TraceFormatException e)
        {
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
            return e;
        }
        catch (Exception e)
        {
            Assert.Fail($"{what}: expected TraceFormatException, got {e.GetType().Name}: {e.Message}");
        }

        Assert.Fail($"{what}: the corruption was not detected");
        return null!;
    }

    [Theory]
    [InlineData(NativeTraceCompression.Zstd)]
    [InlineData(NativeTraceCompression.Deflate)]
    [InlineData(NativeTraceCompression.None)]
    public void FlipAnyByte_InEveryRegion_RaisesTraceFormatException(NativeTraceCompression compression)
    {
        using var dir = new TempDir();
        byte[] bytes = MakeTrace(dir.File("good.dmt"), compression);
        ReadAll(NativeTraceReader.Open(dir.File("good.dmt")));
        for (int i = 0; i < bytes.Length; i++)
        {
            byte[] copy = (byte[])bytes.Clone();
            copy[i] ^= (byte)(1 << (i % 8));
            ExpectFormatError(copy, $"bit {i % 8} of byte {i} of {bytes.Length}");
        }
    }

    [Theory]
    [InlineData(NativeTraceCompression.Zstd)]
    [InlineData(NativeTraceCompression.Deflate)]
    public void GarbageForTheDecompressor_WithResealedChecksums_IsWrapped(NativeTraceCompression compression)
    {
        using var dir = new TempDir();
        byte[] bytes = MakeTrace(dir.File("good.dmt"), compression);
        int tried = 0;
        for (int frame = 64; frame < bytes.Length - 48;)
        {
            int packed = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(frame + 24));
            if (bytes[frame + 4] == (byte)compression)
            {
                for (int i = 0; i < packed; i++)
                {
                    byte[] copy = (byte[])bytes.Clone();
                    copy[frame + 56 + i] ^= 0x5A;
                    // Re-seal the stored-bytes hash and the frame hash, so the corrupt bytes reach the decompressor.
                    BinaryPrimitives.WriteUInt64LittleEndian(copy.AsSpan(frame + 40), System.IO.Hashing.XxHash64.HashToUInt64(copy.AsSpan(frame + 56, packed)));
                    BinaryPrimitives.WriteUInt64LittleEndian(copy.AsSpan(frame + 48), System.IO.Hashing.XxHash64.HashToUInt64(copy.AsSpan(frame, 48)));
                    ExpectFormatError(copy, $"byte {i} of the payload of the frame at {frame}");
                    tried++;
                }
            }

            frame += 56 + packed;
        }

        Assert.True(tried > 50, $"only {tried} compressed bytes tried");
    }

    [Fact]
    public void Truncate_AtEveryLength_RaisesTraceFormatException()
    {
        using var dir = new TempDir();
        string good = dir.File("good.dmt"), bad = dir.File("bad.dmt");
        byte[] bytes = MakeTrace(good, NativeTraceCompression.Zstd);
        for (int len = 0; len < bytes.Length; len++)
        {
            var e = ExpectFormatError(bytes.AsSpan(0, len).ToArray(), $"truncated to {len} bytes");
            Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        }

        // And through a real file, cut inside the last chunk.
        File.WriteAllBytes(bad, bytes.AsSpan(0, bytes.Length - 60).ToArray());
        Assert.Contains("truncated", ExpectFormatError(bad, "file cut in the last chunk").Message, StringComparison.Ordinal);
        ExpectFormatError([.. bytes, 0], "one byte appended");
    }

    /// <summary>
    /// A trace written over in place while a run reads it (cut short, or replaced by a longer trace's bytes, as cp does) is
    /// named as such, with the lengths it has and had at open: before, "truncated" or a checksum mismatch read as a damaged
    /// file, though it had passed Open's trailer check. Emptied (0 bytes now: cp, or a shell's redirection, truncates the
    /// file before it writes) counts too.
    /// </summary>
    [Theory]
    [InlineData("cut short")]
    [InlineData("written over by a longer trace")]
    [InlineData("emptied")]
    public void WrittenOver_WhileBeingRead_SaysSoWithTheLengthsNowAndAtOpen(string how)
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "shrinks.dmt");
        // Larger than the reader's 64 KiB buffer (a small file is read whole at the first tick): 4 000 VMs, 40 ticks in 10
        // chunks of values that do not compress away.
        byte[] Write(string file, int seed, int ticks)
        {
            TraceVm[] vms = [.. Enumerable.Range(0, 4000).Select(i => new TraceVm("vm" + i, VmSettings.Dynamic(1024, 512, 4096), 0))];
            var options = new NativeTraceWriterOptions { Compression = NativeTraceCompression.None, ChunkVmTicks = 16_000 };
            var random = new Random(seed);
            using (var w = new NativeTraceWriter(file, new TraceDescription(1, "shrinks"), vms, [new TraceHost(1 << 24)], options))
            {
                for (int t = 0; t < ticks; t++)
                    w.WriteTick([.. Enumerable.Range(0, vms.Length).Select(_ => random.Next(100, 4000))]);
                w.Complete();
            }

            return File.ReadAllBytes(file);
        }

        byte[] bytes = Write(path, 12, 40);
        Assert.True(bytes.Length > 4 << 16, $"{bytes.Length} bytes");
        byte[] other = how switch
        {
            "cut short" => bytes.AsSpan(0, bytes.Length / 2).ToArray(),
            "emptied" => [],
            _ => Write(Path.Combine(dir.Path, "other.dmt"), 13, 60),
        };
        using NativeTraceReader r = NativeTraceReader.Open(path);
        var row = new int[r.Header.VmCount];
        Assert.True(r.ReadTick(row));
        using (var writer = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            writer.SetLength(0);
            writer.Write(other);
        }

        var e = ExpectFormatError(() =>
        {
            while (r.ReadTick(row))
            {
            }
        }, path, how);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"; the file is now {other.Length} bytes, but it was {bytes.Length} bytes when this run opened it: it was written over while being read"), e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A file that is not a trace is said to be text from its first bytes (the header's 64) when they are text as the public
    /// datasets' files are: tabs and spaces (Bitbrains' header, GCD's values), CRLF line ends, UTF-8 letters; a control
    /// character other than those (not NUL only) makes it binary, which keeps the plain message.
    /// </summary>
    [Theory]
    [InlineData("Timestamp [ms];\tCPU cores;\tCPU capacity provisioned [MHZ];\tCPU usage [MHZ]\n", true)]
    [InlineData("10.5 20.25\n", true)]
    [InlineData("m_1,0,10,50,0,0,0,0,0\r\n", true)]
    [InlineData("vm_é,0,10,50\n", true)]
    [InlineData("m_1,0,10\u0001,50\n", false)]
    [InlineData("m_1,0,10\u001F,50\n", false)]
    public void NotATrace_IsSaidToBeText_WhenItsFirstBytesAre(string line, bool text)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(line, 20)));
        TraceFormatException e = ExpectFormatError(bytes, line);
        Assert.Equal("Trace file 'mem.dmt', header field Magic: bad magic, expected the bytes \"DMKTRACE\": not a native trace" +
            (text ? ": it is text (a CSV file?); a native trace is made from a public dataset's files by an importer (dmkernel import bitbrains, alibaba or gcd) or by dmkernel generate" : ""), e.Message);
    }

    [Fact]
    public void BadMagic_NamesTheField()
    {
        using var dir = new TempDir();
        string path = dir.File("t.dmt");
        byte[] bytes = MakeTrace(path, NativeTraceCompression.Zstd);
        bytes[0] = (byte)'X';
        File.WriteAllBytes(path, bytes);
        var e = ExpectFormatError(path, "magic");
        Assert.Contains("header field Magic", e.Message, StringComparison.Ordinal);
        Assert.Contains("DMKTRACE", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnsupportedVersion_SaysWhichVersionIsExpected()
    {
        using var dir = new TempDir();
        string path = dir.File("t.dmt");
        byte[] bytes = MakeTrace(path, NativeTraceCompression.Zstd);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), 2);
        File.WriteAllBytes(path, bytes);
        var e = ExpectFormatError(path, "version");
        Assert.Contains("unsupported format version 2.1, expected 1.x", e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// docs/trace-format.md, Versioning: a 1.0 reader skips a section of a tag it does not know (a later minor version's),
    /// after checking its frame, with its payload. Unknown sections with payloads of 1, 37 and 300 bytes (bytes that are
    /// no frame) after the VM table, between two chunks and after the last chunk are skipped, and every tick reads back
    /// as written; a reader that skipped the frame but not its payload would read the payload as the next frame.
    /// </summary>
    [Fact]
    public void UnknownSectionsWithPayloads_AreSkipped_TheTicksReadBackAsWritten()
    {
        using var dir = new TempDir();
        string path = dir.File("t.dmt");
        int[][] ticks = [[1000, 2000], [1500, 2500], [3000, 0], [4096, 512]];
        var trace = ResealedTrace.Create(path, [new TraceVm("a", VmSettings.Default), new TraceVm("b", VmSettings.Default)], [], ticks);
        const uint Later = 0x5458454E; // "NEXT": no tag of format 1.x
        byte[] Payload(int length) => [.. Enumerable.Range(0, length).Select(i => (byte)((i * 37) + 11))];
        trace.InsertSection(trace.SectionCount, Later, Payload(300));
        trace.InsertSection(trace.IndexOf(trace.Chunks[1]), Later, Payload(37));
        trace.InsertSection(trace.IndexOf(trace.Chunks[0]), Later, Payload(1));
        trace.Save(path);

        using var r = NativeTraceReader.Open(path);
        var row = new int[2];
        foreach (int[] expected in ticks)
        {
            Assert.True(r.ReadTick(row));
            Assert.Equal(expected, row);
        }

        Assert.False(r.ReadTick(row));
        Assert.Equal(ticks.Length, r.TicksRead);
    }

    [Fact]
    public void MajorVersion0_IsUnsupported_NotOnlyVersionsAbove1()
    {
        using var dir = new TempDir();
        string path = dir.File("t.dmt");
        byte[] bytes = MakeTrace(path, NativeTraceCompression.Zstd);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(NativeFormat.HdrMajor), 0);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(NativeFormat.HdrHash), NativeFormat.Hash(bytes.AsSpan(0, NativeFormat.HdrHash)));
        File.WriteAllBytes(path, bytes);
        var e = ExpectFormatError(path, "version");
        Assert.Contains("unsupported format version 0.1, expected 1.x", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TrailerChunkCountAboveTheTickCount_FailsAtOpen_BeforeAnyTickIsRead()
    {
        // 40 ticks cannot be in 41 chunks (a chunk holds at least one tick): the trailer is refused by Open, with a valid
        // trailer checksum, not after the whole trace has been read.
        using var dir = new TempDir();
        string path = dir.File("t.dmt");
        byte[] bytes = MakeTrace(path, NativeTraceCompression.None);
        Span<byte> trailer = bytes.AsSpan(bytes.Length - NativeFormat.TrailerSize);
        Assert.Equal(40, BinaryPrimitives.ReadInt64LittleEndian(trailer[NativeFormat.TrTickCount..]));
        BinaryPrimitives.WriteInt64LittleEndian(trailer[NativeFormat.TrChunkCount..], 41);
        BinaryPrimitives.WriteUInt64LittleEndian(trailer[NativeFormat.TrHash..], NativeFormat.Hash(trailer[..NativeFormat.TrHash]));
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<TraceFormatException>(() => NativeTraceReader.Open(path).Dispose());
        Assert.Equal("trailer field ChunkCount", e.Where);
        Assert.Contains("41, expected 10..40", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HeaderByteChanged_FailsAtOpen_OnTheHeaderChecksum()
    {
        // HeaderHash covers header bytes 0..55: a changed reserved byte (44..55), which no range check looks at, is
        // refused by Open itself, not only by the chain hash after the last tick.
        using var dir = new TempDir();
        string path = dir.File("t.dmt");
        byte[] bytes = MakeTrace(path, NativeTraceCompression.None);
        bytes[50] ^= 0x01;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<TraceFormatException>(() => NativeTraceReader.Open(path).Dispose());
        Assert.Equal("header", e.Where);
    }

    [Fact]
    public void VmsPayload_WithBytesAfterTheLastVm_IsRefusedAtOpen()
    {
        // A VMS payload is Count entries, nothing more (docs/trace-format.md, Payloads).
        using var dir = new TempDir();
        string path = dir.File("t.dmt");
        var trace = ResealedTrace.Create(path, [new TraceVm("a", VmSettings.Default)], [], [[1000]]);
        trace.Vms.Payload = [.. trace.Vms.Payload, 0];
        trace.Save(path);
        var e = Assert.Throws<TraceFormatException>(() => NativeTraceReader.Open(path).Dispose());
        Assert.StartsWith("VMS section", e.Where, StringComparison.Ordinal);
    }

    [Fact]
    public void HostPayload_WithBytesAfterTheLastHost_IsRefusedAtOpen()
    {
        // A HOST payload is Count entries of 8 bytes, nothing more: a ninth entry's worth of bytes is not read as a host.
        using var dir = new TempDir();
        string path = dir.File("t.dmt");
        var trace = ResealedTrace.Create(path, [new TraceVm("a", VmSettings.Default, 0)], [new TraceHost(8192)], [[1000]]);
        var extra = new byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(extra, 8192);
        BinaryPrimitives.WriteInt32LittleEndian(extra.AsSpan(4), -1);
        trace.Hosts.Payload = [.. trace.Hosts.Payload, .. extra];
        trace.Save(path);
        var e = Assert.Throws<TraceFormatException>(() => NativeTraceReader.Open(path).Dispose());
        Assert.StartsWith("HOST section", e.Where, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1024, true)]
    [InlineData(1025, false)]
    public void VmId_UpTo1024Bytes_IsRead_LongerIsRefused(int idBytes, bool valid)
    {
        // VMS: id (string, 1..1024 bytes). A second, short VM keeps the payload within its length bound, so that the
        // id check itself decides.
        using var dir = new TempDir();
        string path = dir.File("t.dmt");
        string id = new('i', idBytes);
        var trace = ResealedTrace.Create(path, [new TraceVm(id, VmSettings.Default), new TraceVm("b", VmSettings.Default)], [], [[1000, 1000]]);
        trace.Save(path);
        if (valid)
        {
            using var r = NativeTraceReader.Open(path);
            Assert.Equal(id, r.Vms[0].Id);
        }
        else
        {
            var e = Assert.Throws<TraceFormatException>(() => NativeTraceReader.Open(path).Dispose());
            Assert.StartsWith("VMS section", e.Where, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(NativeTraceCompression.Deflate)]
    [InlineData(NativeTraceCompression.Zstd)]
    public void CompressedPayload_DecodingToMoreThanRawLength_IsRefused(NativeTraceCompression codec)
    {
        // RawLength is the payload length after decompression: a stream that decodes to the chunk's tick and then
        // 4 more bytes is an error, even though its first RawLength bytes are the tick (and match RawHash).
        using var dir = new TempDir();
        string path = dir.File("t.dmt");
        var trace = ResealedTrace.Create(path, [new TraceVm("a", VmSettings.Default)], [], [[1000]]);
        var chunk = trace.Chunks[0];
        byte[] longer = [.. chunk.Payload, 1, 2, 3, 4];
        chunk.Stored = (codec, Compress(codec, longer));
        trace.Save(path);
        var e = ExpectFormatError(path, "payload decoding to more than RawLength");
        Assert.Contains("chunk 0", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(NativeTraceCompression.Deflate, 1)]
    [InlineData(NativeTraceCompression.Deflate, 4)]
    [InlineData(NativeTraceCompression.Deflate, 5000)]
    [InlineData(NativeTraceCompression.Zstd, 1)]
    [InlineData(NativeTraceCompression.Zstd, 4)]
    public void CompressedPayload_BytesAfterTheCompressedStream_AreRefused(NativeTraceCompression codec, int extra)
    {
        // PackedLength is the length of the compressed stream (trace-format.md): bytes stored after the stream's
        // end would decode to nothing (a DEFLATE stream marks its own end), so a payload carrying them is refused
        // in either codec, although the chunk's tick decodes correctly and every checksum matches.
        using var dir = new TempDir();
        string path = dir.File("t.dmt");
        var trace = ResealedTrace.Create(path, [new TraceVm("a", VmSettings.Default)], [], [[1000], [2000]]);
        var chunk = trace.Chunks[1];
        byte[] packed = Compress(codec, chunk.Payload);
        chunk.Stored = (codec, [.. packed, .. Enumerable.Range(1, extra).Select(i => (byte)i)]);
        trace.Save(path);
        using var r = NativeTraceReader.Open(path);
        var tick = new int[1];
        Assert.True(r.ReadTick(tick));
        Assert.Equal(1000, tick[0]);
        var e = Assert.Throws<TraceFormatException>(() => r.ReadTick(tick));
        Assert.Contains("chunk 1", e.Message, StringComparison.Ordinal);
        if (codec == NativeTraceCompression.Deflate)
            Assert.Contains($"bytes after the end of the compressed stream", e.Message, StringComparison.Ordinal);

        // The same chunk without the extra bytes reads.
        chunk.Stored = (codec, packed);
        trace.Save(path);
        using var clean = NativeTraceReader.Open(path);
        Assert.True(clean.ReadTick(tick));
        Assert.True(clean.ReadTick(tick));
        Assert.Equal(2000, tick[0]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(1000)]
    [InlineData(100_000)]
    public void DeflatePayloads_OfEverySize_AsTheWriterWritesThem_Read(int vms)
    {
        // The end-of-stream check above must not refuse a payload that ends with its stream: traces the writer
        // compresses with DEFLATE at levels 1, 6 and 9, from one VM to chunks of megabytes (values from a few
        // sizes, so that DEFLATE packs them smaller and the writer does not store them).
        var rng = new Random(vms);
        int count = vms;
        var settings = VmSettings.Default;
        var ticks = Enumerable.Range(0, Math.Max(3, 600 / count)).Select(_ => Enumerable.Range(0, count).Select(_ => 1024 + (rng.Next(0, 4) * 512)).ToArray()).ToArray();
        foreach (int level in new[] { 1, 6, 9 })
        {
            using var dir = new TempDir();
            string path = dir.File("t.dmt");
            var options = new NativeTraceWriterOptions { Compression = NativeTraceCompression.Deflate, CompressionLevel = level };
            using (var w = new NativeTraceWriter(path, new TraceDescription(1, "x"), [.. Enumerable.Range(0, count).Select(i => new TraceVm("v" + i, settings))], [], options))
            {
                foreach (var t in ticks)
                    w.WriteTick(t);
                w.Complete();
            }

            Assert.Contains(NativeTraceCompression.Deflate, ChunkCodecs(path));
            using var r = NativeTraceReader.Open(path);
            var tick = new int[count];
            foreach (var t in ticks)
            {
                Assert.True(r.ReadTick(tick));
                Assert.Equal(t, tick);
            }

            Assert.False(r.ReadTick(tick));
        }
    }

    /// <summary>The codec of every TICK section, walking the frames from the header (64 bytes) to the trailer.</summary>
    private static List<NativeTraceCompression> ChunkCodecs(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        var codecs = new List<NativeTraceCompression>();
        for (int at = NativeFormat.HeaderSize; at < bytes.Length - NativeFormat.TrailerSize;)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at)) == NativeFormat.TagTick)
                codecs.Add((NativeTraceCompression)bytes[at + NativeFormat.FrCodec]);
            at += NativeFormat.FrameSize + BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at + NativeFormat.FrPackedLength));
        }

        return codecs;
    }

    private static byte[] Compress(NativeTraceCompression codec, byte[] raw)
    {
        if (codec == NativeTraceCompression.Zstd)
        {
            using var zstd = new ZstdSharp.Compressor(1);
            return zstd.Wrap(raw).ToArray();
        }

        using var buffer = new MemoryStream();
        using (var deflate = new System.IO.Compression.DeflateStream(buffer, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
            deflate.Write(raw);
        return buffer.ToArray();
    }

    [Fact]
    public void ChecksumMismatch_NamesChunkAndTickRange()
    {
        using var dir = new TempDir();
        string path = dir.File("t.dmt");
        byte[] bytes = MakeTrace(path, NativeTraceCompression.None);
        // The last chunk's payload ends right before the 48-byte trailer: change its last byte.
        bytes[^49] ^= 0x01;
        File.WriteAllBytes(path, bytes);
        var e = ExpectFormatError(path, "payload");
        Assert.Contains("chunk 9 (ticks 36..39)", e.Message, StringComparison.Ordinal);
        Assert.Contains("payload checksum mismatch", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValueOutOfRange_WithValidChecksums_IsReportedWithTickAndVm()
    {
        using var dir = new TempDir();
        string path = dir.File("t.dmt");
        var options = new NativeTraceWriterOptions { Compression = NativeTraceCompression.None, TickEncoding = NativeTickEncoding.DeltaLeb128 };
        using (var w = new NativeTraceWriter(path, new TraceDescription(1, "x"), [new TraceVm("a", VmSettings.Default)], [], options))
        {
            w.WriteTick([TraceValues.MaxCommittedMb]);
            w.Complete();
        }

        byte[] bytes = File.ReadAllBytes(path);
        // The tick payload is the 4-byte varint of zigzag(16777216); rewrite it as 16777217 and re-seal payload and frame hashes.
        int payload = bytes.Length - 48 - 4, frame = payload - 56;
        Span<byte> raw = stackalloc byte[8];
        int n = TickCodec.EncodeTick([TraceValues.MaxCommittedMb + 1], new int[1], raw, 0);
        Assert.Equal(4, n);
        raw[..4].CopyTo(bytes.AsSpan(payload));
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(frame + 32), System.IO.Hashing.XxHash64.HashToUInt64(raw[..4]));
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(frame + 40), System.IO.Hashing.XxHash64.HashToUInt64(raw[..4]));
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(frame + 48), System.IO.Hashing.XxHash64.HashToUInt64(bytes.AsSpan(frame, 48)));
        File.WriteAllBytes(path, bytes);
        var e = ExpectFormatError(path, "range");
        Assert.Contains("chunk 0 (ticks 0..0)", e.Message, StringComparison.Ordinal);
        Assert.Contains("tick 0, VM 0: value 16777217, expected -1 (off) or 0..16777216 MB", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NotATrace_FailsCleanly()
    {
        using var dir = new TempDir();
        string path = dir.Write("text.dmt", new string('x', 500));
        ExpectFormatError(path, "text file");
        path = dir.Write("empty.dmt", "");
        Assert.Contains("truncated", ExpectFormatError(path, "empty").Message, StringComparison.Ordinal);
    }
}

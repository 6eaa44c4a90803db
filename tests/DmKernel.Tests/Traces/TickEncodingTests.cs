using System.Buffers.Binary;
using DmKernel.Traces;

namespace DmKernel.Tests.Traces;

/// <summary>Tick encoding 2 (blocks of 16 deltas of one width): round trips on every decoder, widths, malformed payloads, and both encodings read alike.</summary>
public sealed class TickEncodingTests
{
    /// <summary>Every block decoder, on any CPU: where AVX2 or AVX-512 is missing the decoder widens in software.</summary>
    public static TheoryData<string> Decoders() => [nameof(BlockDecoder.Scalar), nameof(BlockDecoder.Avx2), nameof(BlockDecoder.Avx512)];

    /// <summary>Ticks whose deltas need each width 0..4 in some block, with values -1..MaxCommittedMb.</summary>
    private static int[][] RandomTicks(int seed, int vms, int ticks)
    {
        var random = new Random(seed);
        var result = new int[ticks][];
        var current = new int[vms];
        for (int t = 0; t < ticks; t++)
        {
            for (int b = 0; b < vms; b += TickCodec.BlockSize)
            {
                int width = random.Next(5); // the block's largest delta needs about this many bytes
                for (int k = b; k < Math.Min(vms, b + TickCodec.BlockSize); k++)
                {
                    int step = width switch
                    {
                        0 => 0,
                        1 => random.Next(-100, 100),
                        2 => random.Next(-30_000, 30_000),
                        3 => random.Next(-8_000_000, 8_000_000),
                        _ => 0,
                    };
                    current[k] = width == 4 ? (random.Next(2) == 0 ? -1 : TraceValues.MaxCommittedMb) : Math.Clamp(current[k] + step, -1, TraceValues.MaxCommittedMb);
                }
            }

            result[t] = (int[])current.Clone();
        }

        return result;
    }

    private static byte[] Encode(int[][] ticks, int vms, out int length)
    {
        var buffer = new byte[(ticks.Length * TickCodec.MaxTickBytes(NativeFormat.TickEncodingDeltaBlocks16, vms)) + NativeFormat.PayloadPadding];
        var prev = new int[vms];
        length = 0;
        foreach (int[] tick in ticks)
            length = TickCodec.EncodeTickBlocks(tick, prev, buffer, length);
        return buffer;
    }

    [Theory]
    [MemberData(nameof(Decoders))]
    public void RoundTrip_EveryVmCountAndWidth_OnEveryDecoder(string decoderName)
    {
        var decoder = Enum.Parse<BlockDecoder>(decoderName);
        foreach (int vms in Enumerable.Range(0, 50).Append(1000).Append(4099))
        {
            int[][] ticks = RandomTicks(vms, vms, 12);
            byte[] payload = Encode(ticks, vms, out int length);
            var prev = new int[vms];
            var row = new int[vms];
            int pos = 0;
            foreach (int[] tick in ticks)
            {
                pos = TickCodec.DecodeTickBlocks(payload, pos, length, prev, row, out int bad, out bool outOfRange, decoder);
                Assert.True(pos >= 0, $"{vms} VMs: malformed at VM {bad}");
                Assert.False(outOfRange);
                Assert.Equal(tick, row);
            }

            Assert.Equal(length, pos);
        }
    }

    [Fact]
    public void Encoder_UsesTheSmallestWidthPerBlock()
    {
        // 20 VMs: a full block and a block of 4. Deltas from 0 (a keyframe tick).
        (int[] Values, int Bytes)[] cases =
        [
            (new int[20], 2),                                                       // width 0 for both blocks
            ([127, .. new int[19]], 1 + 16 + 1),                                    // zigzag(127) = 254: one byte
            ([128, .. new int[19]], 1 + 32 + 1),                                    // zigzag(128) = 256: two bytes
            ([.. new int[16], 40_000, 0, 0, 0], 1 + 1 + 12),                         // the tail block: three bytes
            ([.. new int[16], -1, 0, 0, TraceValues.MaxCommittedMb], 1 + 1 + 16),  // zigzag(2^24) needs four
        ];
        foreach ((int[] values, int bytes) in cases)
        {
            var buffer = new byte[200];
            Assert.Equal(bytes, TickCodec.EncodeTickBlocks(values, new int[20], buffer, 0));
        }
    }

    [Theory]
    [MemberData(nameof(Decoders))]
    public void Malformed_WidthAbove4_OrPayloadEndingInsideTheTick_NamesTheBlock(string decoderName)
    {
        var decoder = Enum.Parse<BlockDecoder>(decoderName);
        int[][] ticks = RandomTicks(7, 40, 1);
        byte[] payload = Encode(ticks, 40, out int length);
        var prev = new int[40];
        var row = new int[40];

        // Cut the payload one byte short: the last block (VMs 32..39) cannot be read.
        Assert.Equal(-1, TickCodec.DecodeTickBlocks(payload, 0, length - 1, new int[40], row, out int bad, out _, decoder));
        Assert.Equal(32, bad);

        // Width byte 5 in the first block.
        payload[0] = 5;
        Assert.Equal(-1, TickCodec.DecodeTickBlocks(payload, 0, length, prev, row, out bad, out _, decoder));
        Assert.Equal(0, bad);
    }

    [Theory]
    [MemberData(nameof(Decoders))]
    public void WidthByte5_IsMalformed_EvenWithTheBytesAFiveByteBlockWouldTake(string decoderName)
    {
        // docs/trace-format.md: a block's width byte is 0..4. A 5 followed by 16 × 5 bytes is still malformed, not decoded.
        var decoder = Enum.Parse<BlockDecoder>(decoderName);
        var payload = new byte[1 + (16 * 5) + NativeFormat.PayloadPadding];
        payload[0] = 5;
        var row = new int[16];
        Assert.Equal(-1, TickCodec.DecodeTickBlocks(payload, 0, 1 + (16 * 5), new int[16], row, out int bad, out _, decoder));
        Assert.Equal(0, bad);

        // The same block at width 4 (zero deltas) is read.
        payload[0] = 4;
        Assert.Equal(1 + (16 * 4), TickCodec.DecodeTickBlocks(payload, 0, 1 + (16 * 4), new int[16], row, out bad, out _, decoder));
        Assert.Equal(-1, bad);
    }

    [Theory]
    [MemberData(nameof(Decoders))]
    public void BlockOneByteLongerThanThePayload_IsMalformed_NoByteAtOrAfterTheEndIsRead(string decoderName)
    {
        // One block of 16 one-byte deltas takes 17 bytes; a payload ending after 16 of them ends inside the block.
        var decoder = Enum.Parse<BlockDecoder>(decoderName);
        var payload = new byte[17 + NativeFormat.PayloadPadding];
        payload[0] = 1;
        var row = new int[16];
        Assert.Equal(-1, TickCodec.DecodeTickBlocks(payload, 0, 16, new int[16], row, out int bad, out _, decoder));
        Assert.Equal(0, bad);
        Assert.Equal(17, TickCodec.DecodeTickBlocks(payload, 0, 17, new int[16], row, out bad, out _, decoder));
    }

    [Fact]
    public void Leb128_VarintRunningPastThePayloadEnd_IsMalformed_AtTheLastVm()
    {
        // Encoding 1: VM 0 is a 1-byte varint, VM 1 a 2-byte one (zigzag(100) = 200 = 0xC8 0x01). A payload that ends after
        // the first byte of VM 1's varint ends inside the tick, although VM 1 starts before the end.
        var payload = new byte[3 + NativeFormat.PayloadPadding];
        payload[0] = 2;    // zigzag(+1)
        payload[1] = 0xC8;
        payload[2] = 0x01;
        var row = new int[2];
        Assert.Equal(-1, TickCodec.DecodeTick(payload, 0, 2, new int[2], row, out int bad, out _));
        Assert.Equal(1, bad);
        Assert.Equal(3, TickCodec.DecodeTick(payload, 0, 3, new int[2], row, out bad, out _));
        Assert.Equal([1, 100], row);
    }

    [Theory]
    [MemberData(nameof(Decoders))]
    public void ValueOutOfRange_IsFlagged_OnEveryDecoder(string decoderName)
    {
        var decoder = Enum.Parse<BlockDecoder>(decoderName);
        // One block of 16 one-byte deltas from previous values at the top of the range: +1 leaves the range.
        foreach (int lane in new[] { 0, 7, 8, 15 })
        {
            var prev = new int[16];
            Array.Fill(prev, TraceValues.MaxCommittedMb);
            var payload = new byte[1 + 16 + NativeFormat.PayloadPadding];
            payload[0] = 1;
            payload[1 + lane] = 2; // zigzag(+1)
            var row = new int[16];
            int pos = TickCodec.DecodeTickBlocks(payload, 0, 17, prev, row, out _, out bool outOfRange, decoder);
            Assert.Equal(17, pos);
            Assert.True(outOfRange, $"lane {lane}");
            Assert.Equal(TraceValues.MaxCommittedMb + 1, row[lane]);
        }
    }

    [Fact]
    public void BothEncodings_ReadBackTheSameTicks_AndTheHeaderNamesTheVersion()
    {
        using var dir = new TempDir();
        TraceVm[] vms = [.. Enumerable.Range(0, 37).Select(i => new TraceVm("vm" + i, VmSettings.Dynamic(1024, 512, 4096), -1))];
        int[][] ticks = RandomTicks(3, vms.Length, 30);
        var rows = new List<int[]>[2];
        var encodings = new[] { NativeTickEncoding.DeltaLeb128, NativeTickEncoding.DeltaBlocks16 };
        for (int e = 0; e < 2; e++)
        {
            string path = dir.File($"e{e}.dmt");
            var options = new NativeTraceWriterOptions { TickEncoding = encodings[e], ChunkVmTicks = 37 * 4, KeyframeIntervalTicks = 9 };
            using (var w = new NativeTraceWriter(path, new TraceDescription(60, "encodings"), vms, [], options))
            {
                foreach (int[] tick in ticks)
                    w.WriteTick(tick);
                w.Complete();
            }

            byte[] bytes = File.ReadAllBytes(path);
            Assert.Equal(e == 0 ? 0 : 1, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(10))); // 1.0 for encoding 1, 1.1 for 2
            Assert.Equal((byte)encodings[e], bytes[13]);
            rows[e] = [];
            using var r = NativeTraceReader.Open(path);
            var row = new int[vms.Length];
            while (r.ReadTick(row))
                rows[e].Add((int[])row.Clone());
        }

        Assert.Equal(ticks, rows[0]);
        Assert.Equal(ticks, rows[1]);
        Assert.Equal(NativeTickEncoding.DeltaBlocks16, NativeTraceWriterOptions.Default.TickEncoding);
    }

    [Fact]
    public void Reader_BlockPayloadProblems_NameChunkTickAndVm()
    {
        using var dir = new TempDir();
        string path = dir.File("t.dmt");
        TraceVm[] vms = [.. Enumerable.Range(0, 20).Select(i => new TraceVm("vm" + i, VmSettings.Default, -1))];
        var options = new NativeTraceWriterOptions { Compression = NativeTraceCompression.None };
        using (var w = new NativeTraceWriter(path, new TraceDescription(1, "x"), vms, [], options))
        {
            w.WriteTick(new int[20]);
            w.Complete();
        }

        byte[] good = File.ReadAllBytes(path);

        // The only TICK payload is 2 bytes (two width-0 blocks) right before the trailer. Rewrite it, re-seal its hashes.
        void Reseal(byte[] bytes, ReadOnlySpan<byte> raw)
        {
            int payload = bytes.Length - 48 - 2, frame = payload - 56;
            raw.CopyTo(bytes.AsSpan(payload));
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(frame + 32), System.IO.Hashing.XxHash64.HashToUInt64(raw));
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(frame + 40), System.IO.Hashing.XxHash64.HashToUInt64(raw));
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(frame + 48), System.IO.Hashing.XxHash64.HashToUInt64(bytes.AsSpan(frame, 48)));
        }

        byte[] widthFive = (byte[])good.Clone();
        Reseal(widthFive, [0, 5]);
        var e = Assert.Throws<TraceFormatException>(() => ReadAll(widthFive));
        Assert.Contains("chunk 0 (ticks 0..0)", e.Message, StringComparison.Ordinal);
        Assert.Contains("tick 0: the payload is malformed in the block of VM 16 (a width byte above 4", e.Message, StringComparison.Ordinal);

        byte[] missing = (byte[])good.Clone();
        Reseal(missing, [0, 1]); // width 1 for VMs 16..19, but no bytes follow
        e = Assert.Throws<TraceFormatException>(() => ReadAll(missing));
        Assert.Contains("in the block of VM 16", e.Message, StringComparison.Ordinal);
    }

    private static void ReadAll(byte[] bytes)
    {
        using var r = NativeTraceReader.Open(new MemoryStream(bytes, writable: false), "mem.dmt");
        var row = new int[r.Header.VmCount];
        while (r.ReadTick(row))
        {
        }
    }
}

using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Text;
using DmKernel.Traces;

namespace DmKernel.Tests.Fuzz;

/// <summary>
/// Seeded fuzzing of <see cref="NativeTraceReader"/>: every case opens and reads every tick, or throws
/// <see cref="TraceFormatException"/>. Half the mutated cases re-seal every checksum after mutating (header,
/// frames, stored payloads, chain, trailer), so the corrupt values reach the parsers behind the hashes.
/// </summary>
public sealed class NativeReaderFuzzTests
{
    private static readonly long[] InterestingValues =
        [0, 1, -1, 2, 3, 4, 32, 48, 56, 64, 255, 256, 65535, 65536, 65537, 1 << 24, 1 << 26, (1 << 26) + 1, int.MaxValue, int.MinValue, uint.MaxValue, long.MaxValue, long.MinValue];

    private static List<byte[]> Bases(FuzzDir dir)
    {
        var bases = new List<byte[]>();
        int n = 0;
        void Add(IReadOnlyList<TraceVm> vms, IReadOnlyList<TraceHost> hosts, int ticks, NativeTraceWriterOptions options, TraceMetadata? meta = null)
        {
            string path = dir.File($"base{n++}.dmt");
            using (var w = new NativeTraceWriter(path, new TraceDescription(60, "fuzz base ä", meta ?? new TraceMetadata()), vms, hosts, options))
            {
                var row = new int[vms.Count];
                for (int t = 0; t < ticks; t++)
                {
                    for (int v = 0; v < row.Length; v++)
                        row[v] = (t + v) % 5 == 0 ? -1 : (t * 37 + v * 1000) % 16384;
                    w.WriteTick(row);
                }

                w.Complete();
            }

            bases.Add(File.ReadAllBytes(path));
        }

        TraceVm[] placed = [.. Enumerable.Range(0, 3).Select(i => new TraceVm("vm" + i, VmSettings.Dynamic(1024, 512, 4096), i % 2))];
        TraceVm[] free = [.. Enumerable.Range(0, 4).Select(i => new TraceVm("v" + i, VmSettings.Default))];
        TraceHost[] hosts = [new TraceHost(8192), new TraceHost(8192, 1024)];
        Add(placed, hosts, 30, new NativeTraceWriterOptions { Compression = NativeTraceCompression.Zstd, ChunkVmTicks = 12, KeyframeIntervalTicks = 8 }, new TraceMetadata().Set("k", "v"));
        Add(placed, hosts, 30, new NativeTraceWriterOptions { Compression = NativeTraceCompression.Deflate, ChunkVmTicks = 12, KeyframeIntervalTicks = 8 });
        Add(free, [], 20, new NativeTraceWriterOptions { Compression = NativeTraceCompression.None, ChunkVmTicks = 8 });

        // 40 VMs: two full blocks of 16 (the vector decoders) and a tail of 8, in tick encoding 2.
        TraceVm[] wide = [.. Enumerable.Range(0, 40).Select(i => new TraceVm("w" + i, VmSettings.Default))];
        Add(wide, [], 12, new NativeTraceWriterOptions { Compression = NativeTraceCompression.None, ChunkVmTicks = 80 });

        // Format 1.0's tick encoding (LEB128 varints), which 1.1 readers still read.
        Add(placed, hosts, 30, new NativeTraceWriterOptions { Compression = NativeTraceCompression.None, ChunkVmTicks = 12, KeyframeIntervalTicks = 8, TickEncoding = NativeTickEncoding.DeltaLeb128 });
        Add(free, [], 0, new NativeTraceWriterOptions { Compression = NativeTraceCompression.None });
        Add([new TraceVm("only", VmSettings.Default)], [], 3, new NativeTraceWriterOptions { Compression = NativeTraceCompression.None, ChunkVmTicks = 1 }, new TraceMetadata().Set("a", "1").Set("b", "2"));
        Add([], [], 5, new NativeTraceWriterOptions { Compression = NativeTraceCompression.None });
        return bases;
    }

    private static FuzzCase Make(Random r, List<byte[]> bases)
    {
        var label = new StringBuilder();
        int kind = r.Next(32);
        byte[] bytes;
        if (kind == 0)
        {
            label.Append("random-bytes");
            bytes = TextMutator.RandomBytes(r, 1024);
        }
        else if (kind == 1)
        {
            label.Append("magic+random-bytes");
            bytes = [.. "DMKTRACE"u8, .. TextMutator.RandomBytes(r, 1024)];
        }
        else
        {
            int b = r.Next(bases.Count);
            label.Append(CultureInfo.InvariantCulture, $"base{b}: ");
            var data = new List<byte>(bases[b]);
            bool reseal = r.Next(2) == 0;
            int n = r.Next(1, 4);
            for (int m = 0; m < n; m++)
                MutateOnce(r, data, reseal, label);
            bytes = [.. data];
            if (reseal)
            {
                label.Append("resealed");
                Reseal(bytes);
            }
        }

        return new FuzzCase(label.ToString(), [("t.dmt", bytes)], r.Next(8));
    }

    private static void MutateOnce(Random r, List<byte> data, bool reseal, StringBuilder label)
    {
        int pos = data.Count == 0 ? 0 : r.Next(data.Count);
        switch (r.Next(reseal ? 8 : 5))
        {
            case 0 when data.Count > 0:
                data[pos] ^= (byte)(1 << r.Next(8));
                label.Append(CultureInfo.InvariantCulture, $"bitflip@{pos} ");
                break;
            case 1:
                data.Insert(pos, (byte)r.Next(256));
                label.Append(CultureInfo.InvariantCulture, $"insert@{pos} ");
                break;
            case 2 when data.Count > 0:
                int len = Math.Min(data.Count - pos, r.Next(1, 9));
                data.RemoveRange(pos, len);
                label.Append(CultureInfo.InvariantCulture, $"delete{len}@{pos} ");
                break;
            case 3:
                data.RemoveRange(pos, data.Count - pos);
                label.Append(CultureInfo.InvariantCulture, $"truncate@{pos} ");
                break;
            default:
                // Overwrite 1, 2, 4 or 8 bytes with an interesting little-endian value (a count, length, offset...).
                int width = 1 << r.Next(4);
                if (data.Count < width)
                    break;
                pos = Math.Min(pos, data.Count - width);
                long value = r.Next(3) == 0 ? r.NextInt64() : InterestingValues[r.Next(InterestingValues.Length)];
                for (int i = 0; i < width; i++)
                    data[pos + i] = (byte)(value >> (8 * i));
                label.Append(CultureInfo.InvariantCulture, $"set{width * 8}@{pos}={value} ");
                break;
        }
    }

    /// <summary>Recomputes every checksum the format has, walking the frames as far as their lengths allow.</summary>
    private static void Reseal(byte[] b)
    {
        if (b.Length < 64 + 48)
            return;
        var chain = new XxHash64();
        long trailer = b.Length - 48;
        long frame = 64;
        while (frame + 56 <= trailer)
        {
            var f = b.AsSpan((int)frame, 56);
            int packed = BinaryPrimitives.ReadInt32LittleEndian(f[24..]);
            if (packed >= 0 && frame + 56 + packed <= trailer)
            {
                var payload = b.AsSpan((int)frame + 56, packed);
                ulong h = XxHash64.HashToUInt64(payload);
                BinaryPrimitives.WriteUInt64LittleEndian(f[40..], h);
                if (f[4] == 0)
                    BinaryPrimitives.WriteUInt64LittleEndian(f[32..], h);
            }

            BinaryPrimitives.WriteUInt64LittleEndian(f[48..], XxHash64.HashToUInt64(f[..48]));
            chain.Append(f);
            if (packed < 0)
                break;
            frame += 56 + (long)packed;
        }

        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(56), XxHash64.HashToUInt64(b.AsSpan(0, 56)));
        chain.Append(b.AsSpan(0, 64));
        var t = b.AsSpan((int)trailer, 48);
        BinaryPrimitives.WriteUInt64LittleEndian(t[32..], chain.GetCurrentHashAsUInt64());
        BinaryPrimitives.WriteUInt64LittleEndian(t[40..], XxHash64.HashToUInt64(t[..40]));
    }

    private static void ReadAll(NativeTraceReader reader)
    {
        using (reader)
        {
            var row = new int[reader.Header.VmCount];
            while (reader.ReadTick(row))
            {
            }
        }
    }

    [Fact]
    public void MutatedAndRandomTraces_ReadOrRaiseTraceFormatException()
    {
        using var dir = new FuzzDir();
        var bases = Bases(dir);
        foreach (byte[] b in bases)
            ReadAll(NativeTraceReader.Open(new MemoryStream(b, writable: false), "base.dmt"));
        string path = dir.File("case.dmt");
        FuzzRunner.Run("native", 0x0D7ACE01, FuzzRunner.Iterations,
            (r, i) => Make(r, bases),
            c =>
            {
                byte[] bytes = c.Files[0].Bytes;
                if (c.Variant == 0)
                {
                    // 1 case in 8 goes through a real file and the public Open(path).
                    File.WriteAllBytes(path, bytes);
                    ReadAll(NativeTraceReader.Open(path));
                }
                else
                {
                    ReadAll(NativeTraceReader.Open(new MemoryStream(bytes, writable: false), "case.dmt"));
                }
            },
            e => e is TraceFormatException);
    }
}

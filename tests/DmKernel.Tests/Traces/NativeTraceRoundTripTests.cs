using DmKernel.Traces;

namespace DmKernel.Tests.Traces;

public sealed class NativeTraceRoundTripTests
{
    private static TraceVm[] MakeVms(int n, int hosts)
    {
        var vms = new TraceVm[n];
        for (int i = 0; i < n; i++)
        {
            var s = i % 5 == 0 ? VmSettings.Static(1024 + 2 * i, GuestKind.Linux) : VmSettings.Dynamic(2048, 512, 8192 + 2 * i, 5 + i % 100, i * 37 % 10_001);
            vms[i] = new TraceVm($"vm-{i}-é", s, hosts == 0 ? -1 : i % hosts);
        }

        return vms;
    }

    /// <summary>Random walks with jumps to the extremes, off periods and constant stretches: every varint length.</summary>
    private static int[][] MakeTicks(int vms, int ticks, int seed)
    {
        var rng = new Random(seed);
        var data = new int[ticks][];
        var cur = new int[vms];
        for (int t = 0; t < ticks; t++)
        {
            for (int v = 0; v < vms; v++)
            {
                int r = rng.Next(100);
                cur[v] = r switch
                {
                    < 5 => TraceValues.Off,
                    < 8 => TraceValues.MaxCommittedMb,
                    < 10 => 0,
                    < 40 => cur[v],
                    < 80 => Math.Clamp(Math.Max(cur[v], 0) + rng.Next(-100, 101), 0, TraceValues.MaxCommittedMb),
                    _ => rng.Next(0, TraceValues.MaxCommittedMb + 1),
                };
            }

            data[t] = (int[])cur.Clone();
        }

        return data;
    }

    [Theory]
    [InlineData(NativeTraceCompression.Zstd)]
    [InlineData(NativeTraceCompression.Deflate)]
    [InlineData(NativeTraceCompression.None)]
    public void RoundTrip_RandomDataManyChunks_ReadsBackExactly(NativeTraceCompression compression)
    {
        using var dir = new TempDir();
        string path = dir.File("t.dmt");
        const int vmCount = 37, tickCount = 1000;
        var vms = MakeVms(vmCount, 4);
        TraceHost[] hosts = [new(65536), new(131072, 4096), new(2), new(1_048_576, 0)];
        var meta = new TraceMetadata().Set("demand.k", 1.5).Set("note", "ünïcode ✓").Set("empty", "");
        var ticks = MakeTicks(vmCount, tickCount, 42);
        var options = new NativeTraceWriterOptions { Compression = compression, ChunkVmTicks = vmCount * 7, KeyframeIntervalTicks = 50 };
        using (var w = new NativeTraceWriter(path, new TraceDescription(2.5, "round trip test", meta), vms, hosts, options))
        {
            Assert.Equal(7, w.TicksPerChunk);
            foreach (var t in ticks)
                w.WriteTick(t);
            w.Complete();
        }

        Assert.False(File.Exists(path + ".tmp"));
        var back = TraceData.Load(path);
        Assert.Equal(1, back.Header.FormatVersion);
        Assert.Equal(2.5, back.Header.TickSeconds);
        Assert.Equal(vmCount, back.Header.VmCount);
        Assert.Equal(tickCount, back.Header.TickCount);
        Assert.Equal(4, back.Header.HostCount);
        Assert.Equal("round trip test", back.Header.Source);
        Assert.Equal(meta.ToArray(), back.Header.Metadata.ToArray());
        Assert.Equal(vms, back.Vms);
        Assert.Equal(hosts, back.Hosts);
        Assert.Equal(tickCount, back.Ticks.Length);
        for (int t = 0; t < tickCount; t++)
            Assert.Equal(ticks[t], back.Ticks[t]);
    }

    [Fact]
    public void RoundTrip_TableLargerThanOneSection_KeepsOrder()
    {
        using var dir = new TempDir();
        string path = dir.File("big.dmt");
        int n = 65_536 + 1000;
        var vms = new TraceVm[n];
        for (int i = 0; i < n; i++)
            vms[i] = new TraceVm("v" + i, VmSettings.Default);
        var row = new int[n];
        using (var w = new NativeTraceWriter(path, new TraceDescription(1, "big"), vms, []))
        {
            for (int t = 0; t < 3; t++)
            {
                for (int i = 0; i < n; i++)
                    row[i] = (i + t) % 3 == 0 ? -1 : i;
                w.WriteTick(row);
            }

            w.Complete();
        }

        using var r = NativeTraceReader.Open(path);
        Assert.Equal(vms, r.Vms);
        Assert.Empty(r.Hosts);
        var back = new int[n];
        for (int t = 0; t < 3; t++)
        {
            Assert.True(r.ReadTick(back));
            for (int i = 0; i < n; i++)
                row[i] = (i + t) % 3 == 0 ? -1 : i;
            Assert.Equal(row, back);
        }

        Assert.False(r.ReadTick(back));
        Assert.False(r.ReadTick(back));
    }

    [Fact]
    public void RoundTrip_TickSecondsAtTheFormatsBound_IsReadBack()
    {
        // docs/trace-format.md: TickSeconds is in (0, 1e9]; the bound itself is a valid tick the writer writes and the reader reads.
        using var dir = new TempDir();
        string path = dir.File("t.dmt");
        using (var w = new NativeTraceWriter(path, new TraceDescription(1e9, "slow"), [new TraceVm("x", VmSettings.Default)], []))
        {
            w.WriteTick([1000]);
            w.Complete();
        }

        using var r = NativeTraceReader.Open(path);
        Assert.Equal(1e9, r.Header.TickSeconds);
        var row = new int[1];
        Assert.True(r.ReadTick(row));
        Assert.Equal(1000, row[0]);
        Assert.False(r.ReadTick(row));
    }

    [Fact]
    public void RoundTrip_NoTicksAndNoVms_Works()
    {
        using var dir = new TempDir();
        string a = dir.File("a.dmt"), b = dir.File("b.dmt");
        using (var w = new NativeTraceWriter(a, new TraceDescription(1, ""), [new TraceVm("x", VmSettings.Default)], []))
            w.Complete();
        using (var w = new NativeTraceWriter(b, new TraceDescription(1, "no vms"), [], []))
        {
            for (int t = 0; t < 5; t++)
                w.WriteTick([]);
            w.Complete();
        }

        using (var r = NativeTraceReader.Open(a))
        {
            Assert.Equal(0, r.Header.TickCount);
            Assert.False(r.ReadTick(new int[1]));
        }

        using (var r = NativeTraceReader.Open(b))
        {
            Assert.Equal(5, r.Header.TickCount);
            int n = 0;
            while (r.ReadTick([]))
                n++;
            Assert.Equal(5, n);
        }
    }

    [Fact]
    public void Writer_DisposedWithoutComplete_LeavesNoFile()
    {
        using var dir = new TempDir();
        string path = dir.File("t.dmt");
        File.WriteAllText(path, "an older file");
        using (var w = new NativeTraceWriter(path, new TraceDescription(1, "x"), [new TraceVm("a", VmSettings.Default)], []))
        {
            w.WriteTick([5]);
            Assert.True(File.Exists(path + ".tmp"));
        }

        Assert.False(File.Exists(path + ".tmp"));
        Assert.Equal("an older file", File.ReadAllText(path));
    }

    /// <summary>
    /// An output name the file system takes (up to 255 bytes) but not with the ".tmp" it is written under first is refused
    /// naming the output and the suffix (before: .NET's "The path '....dmt.tmp' is too long", a name the user never gave);
    /// a name of 251 bytes, ".tmp" included 255, is written. Two-byte characters count as two.
    /// </summary>
    [Theory]
    [InlineData(247, "a", true)]
    [InlineData(248, "a", false)]
    [InlineData(251, "a", false)]
    [InlineData(124, "é", true)]
    [InlineData(125, "é", false)]
    public void Writer_NameTooLongWithItsTemporarySuffix_IsRefusedNamingTheOutput(int repeat, string letter, bool fits)
    {
        using var dir = new TempDir();
        string name = string.Concat(Enumerable.Repeat(letter, repeat)) + (letter == "a" ? ".dmt" : ".dm");
        string path = dir.File(name);
        int bytes = System.Text.Encoding.UTF8.GetByteCount(name);
        NativeTraceWriter Create() => new(path, new TraceDescription(1, "x"), [new TraceVm("a", VmSettings.Default)], []);
        if (fits)
        {
            using (NativeTraceWriter w = Create())
            {
                w.WriteTick([5]);
                w.Complete();
            }

            Assert.True(File.Exists(path));
            return;
        }

        var e = Assert.Throws<PathTooLongException>(Create);
        Assert.StartsWith($"the output '{path}' cannot be written: its name is {bytes} bytes, and the trace is written first as '{name}.tmp' ({bytes + 4} bytes)", e.Message, StringComparison.Ordinal);
        Assert.IsType<PathTooLongException>(e.InnerException); // .NET's own error, naming the temporary file, kept beneath
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    /// <summary>Another failure to create the temporary file (its folder does not exist) is not called a name too long.</summary>
    [Fact]
    public void Writer_InAFolderThatDoesNotExist_IsNotSaidToBeTooLong()
    {
        using var dir = new TempDir();
        string path = dir.File(Path.Combine("missing", "t.dmt"));
        var e = Assert.Throws<DirectoryNotFoundException>(() => new NativeTraceWriter(path, new TraceDescription(1, "x"), [new TraceVm("a", VmSettings.Default)], []));
        Assert.DoesNotContain("cannot be written: its name is", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Writer_ReplacesAStaleTemporaryLeftByAKilledRun()
    {
        // docs/trace-format.md, "Writing safely": a process killed outright (SIGKILL) cannot delete its <path>.tmp; the
        // next write to the same path takes it over (a longer stale file is truncated, not overwritten in part).
        using var dir = new TempDir();
        string path = dir.File("t.dmt");
        File.WriteAllBytes(path + ".tmp", new byte[1 << 20]);
        using (var w = new NativeTraceWriter(path, new TraceDescription(1, "x"), [new TraceVm("a", VmSettings.Default)], []))
        {
            w.WriteTick([5]);
            w.Complete();
        }

        Assert.False(File.Exists(path + ".tmp"));
        Assert.True(new FileInfo(path).Length < 1 << 20);
        using var r = NativeTraceReader.Open(path);
        var tick = new int[1];
        Assert.True(r.ReadTick(tick));
        Assert.Equal(5, tick[0]);
        Assert.False(r.ReadTick(tick));
    }

    [Fact]
    public void Writer_CompleteReplacesOldFileAtomically()
    {
        using var dir = new TempDir();
        string path = dir.File("t.dmt");
        File.WriteAllText(path, "an older file");
        using (var w = new NativeTraceWriter(path, new TraceDescription(1, "x"), [new TraceVm("a", VmSettings.Default)], []))
        {
            w.WriteTick([5]);
            w.Complete();
            Assert.Throws<InvalidOperationException>(() => w.WriteTick([5]));
        }

        Assert.Equal(1, TraceData.Load(path).Header.TickCount);
    }

    [Fact]
    public void Writer_BadInput_IsRefusedWithAClearMessage()
    {
        using var dir = new TempDir();
        string path = dir.File("t.dmt");
        var d = new TraceDescription(1, "x");
        var ok = new TraceVm("a", VmSettings.Default);
        Assert.Contains("not unique", Assert.Throws<ArgumentException>(() => new NativeTraceWriter(path, d, [ok, ok], [])).Message);
        Assert.Contains("Minimum", Assert.Throws<ArgumentException>(() => new NativeTraceWriter(path, d, [ok with { Settings = VmSettings.Dynamic(512, 16, 1024) }], [])).Message);
        Assert.Contains("host index", Assert.Throws<ArgumentException>(() => new NativeTraceWriter(path, d, [ok with { Host = 1 }], [new TraceHost(4096)])).Message);
        Assert.Contains("every VM needs a host", Assert.Throws<ArgumentException>(() => new NativeTraceWriter(path, d, [ok], [new TraceHost(4096)])).Message);
        Assert.Contains("ChunkVmTicks", Assert.ThrowsAny<ArgumentOutOfRangeException>(() => new NativeTraceWriter(path, d, [ok], [], new NativeTraceWriterOptions { ChunkVmTicks = 0 })).Message);
        using var w = new NativeTraceWriter(path, d, [ok], []);
        Assert.Contains("VM 0", Assert.ThrowsAny<ArgumentOutOfRangeException>(() => w.WriteTick([TraceValues.MaxCommittedMb + 1])).Message);
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => w.WriteTick([-2]));
        Assert.Throws<ArgumentException>(() => w.WriteTick([1, 2]));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void StaticDemand_CompressesToAlmostNothing()
    {
        using var dir = new TempDir();
        string path = dir.File("static.dmt");
        const int n = 20_000, ticks = 200;
        var vms = new TraceVm[n];
        var row = new int[n];
        for (int i = 0; i < n; i++)
        {
            vms[i] = new TraceVm("s" + i, VmSettings.Default);
            row[i] = 1000 + (i * 7919 % 5000);
        }

        using (var w = new NativeTraceWriter(path, new TraceDescription(1, "static"), vms, []))
        {
            for (int t = 0; t < ticks; t++)
                w.WriteTick(row);
            w.Complete();
        }

        long tickBytes = new FileInfo(path).Length;
        using (var w = new NativeTraceWriter(path, new TraceDescription(1, "static"), vms, []))
        {
            w.WriteTick(row);
            w.Complete();
        }

        long oneTick = new FileInfo(path).Length;
        // 199 more ticks of 20,000 unchanged VMs (15.9 MB as ints) cost a few hundred bytes.
        Assert.True(tickBytes - oneTick < 2_000, $"199 static ticks took {tickBytes - oneTick} bytes");
    }

    [Fact]
    public void Reader_DestinationOfWrongLength_Throws()
    {
        using var dir = new TempDir();
        string path = dir.File("t.dmt");
        using (var w = new NativeTraceWriter(path, new TraceDescription(1, "x"), [new TraceVm("a", VmSettings.Default)], []))
        {
            w.WriteTick([1]);
            w.Complete();
        }

        using var r = NativeTraceReader.Open(path);
        Assert.Throws<ArgumentException>(() => r.ReadTick(new int[2]));
    }
}

using System.Globalization;
using DmKernel.Traces;
using DmKernel.Traces.Capacity;

namespace DmKernel.Tests.Traces;

/// <summary>
/// <see cref="TraceGenerator.GenerateFrom"/>: a large trace drawn from a real one. Every generated VM's series is its source
/// VM's series played from its own tick (and scaled), checked value by value against the source; the draws are compare's
/// (<see cref="CapacityStudy.Draw"/>); same seed, same bytes; bad options are refused by name.
/// </summary>
public sealed class TraceGeneratorFromTests
{
    private const int SourceTicks = 48;

    private static readonly DemandModel Model = new() { K = 1, OsBaseMb = 512, OsBaseCapPercent = 25 };

    /// <summary>
    /// Six source VMs: a ramp always on, one with off periods (a stop and a start), one never on, a tiny one (Minimum 32),
    /// one at MaxCeiling (1 TB) and a static one; committed = used + the demand model's OS base, as an import writes it.
    /// </summary>
    private static TraceSeries Source()
    {
        VmSettings[] settings =
        [
            VmSettings.Dynamic(4096, 1024, 4096),
            VmSettings.Dynamic(2048, 512, 2048),
            VmSettings.Dynamic(8192, 2048, 8192),
            VmSettings.Dynamic(128, 32, 128),
            VmSettings.Dynamic(1_048_576, 262_144, 1_048_576),
            VmSettings.Static(1024),
        ];
        var vms = new TraceVm[settings.Length];
        var values = new int[settings.Length * SourceTicks];
        for (int v = 0; v < settings.Length; v++)
        {
            vms[v] = new TraceVm($"src/{v}.csv", settings[v]);
            int baseMb = Model.BaseMb(settings[v].MaximumMb);
            for (int t = 0; t < SourceTicks; t++)
            {
                int used = v switch
                {
                    0 => 100 + (37 * t),
                    1 => t is >= 10 and < 20 || t >= 40 ? -1 : 300 + (t % 7 * 50),
                    2 => -1,
                    3 => t % 5 == 0 ? 0 : 40 + t,
                    4 => 500_000 + (t * 1000),
                    _ => 700 + (t % 3),
                };
                values[(v * SourceTicks) + t] = used < 0 ? TraceValues.Off : used + baseMb;
            }
        }

        var meta = new TraceMetadata();
        meta.Set("import.format", "test").Set("demand.k", Model.K).Set("demand.os_base_mb", Model.OsBaseMb).Set("demand.os_base_cap_percent", Model.OsBaseCapPercent);
        return TraceSeries.FromValues("source.dmt", 300, vms, SourceTicks, values, meta);
    }

    private static readonly DerivedTraceOptions Options = new() { Vms = 300, Hosts = 60, Seed = 11, Ticks = 120 };

    /// <summary>The source VM and start tick a generated VM's id names ("vm{i}:{source id}@{offset}").</summary>
    private static (int Source, int Offset) FromId(TraceSeries source, string id)
    {
        string rest = id[(id.IndexOf(':', StringComparison.Ordinal) + 1)..];
        int at = rest.LastIndexOf('@');
        int src = source.Vms.Select(v => v.Id).ToList().IndexOf(rest[..at]);
        Assert.True(src >= 0, $"id '{id}' names no source VM");
        return (src, int.Parse(rest[(at + 1)..], CultureInfo.InvariantCulture));
    }

    [Fact]
    public void SameSeedAndOptions_GiveByteIdenticalFiles_OtherSeedDiffers()
    {
        using var dir = new TempDir();
        TraceSeries source = Source();
        TraceGenerator.GenerateFrom(source, dir.File("a.dmt"), Options with { ScaleMin = 0.5, ScaleMax = 2 });
        TraceGenerator.GenerateFrom(source, dir.File("b.dmt"), Options with { ScaleMin = 0.5, ScaleMax = 2 });
        TraceGenerator.GenerateFrom(source, dir.File("c.dmt"), Options with { ScaleMin = 0.5, ScaleMax = 2, Seed = 12 });
        byte[] a = File.ReadAllBytes(dir.File("a.dmt"));
        Assert.Equal(a, File.ReadAllBytes(dir.File("b.dmt")));
        Assert.NotEqual(a, File.ReadAllBytes(dir.File("c.dmt")));
    }

    [Fact]
    public void EachVm_PlaysItsSourceSeriesFromItsOwnTick_WrappingAround_Exactly()
    {
        using var dir = new TempDir();
        TraceSeries source = Source();
        GeneratedTrace g = TraceGenerator.GenerateFrom(source, dir.File("g.dmt"), Options);
        var data = TraceData.Load(g.Path);
        Assert.Equal(300, data.Vms.Count);
        Assert.Equal(60, data.Hosts.Count);
        Assert.Equal(120, data.Ticks.Length); // 2.5 rounds of the 48-tick source
        Assert.Equal(300, data.Header.TickSeconds);

        // compare's draws: the pool is every VM that is on at some tick (VM 2 never is).
        int[] pool = [0, 1, 3, 4, 5];
        for (int i = 0; i < data.Vms.Count; i++)
        {
            (int src, int offset) = FromId(source, data.Vms[i].Id);
            ProbeVm draw = CapacityStudy.Draw(pool, SourceTicks, Options.Seed, i % Options.Hosts, i / Options.Hosts);
            Assert.Equal((draw.Source, draw.Offset), (src, offset));
            Assert.Equal(i % Options.Hosts, data.Vms[i].Host);
            Assert.Equal(source.Vms[src].Settings, data.Vms[i].Settings);

            int[] series = data.Series(i);
            ReadOnlySpan<int> expected = source.Of(src);
            for (int t = 0; t < series.Length; t++)
                Assert.Equal(expected[(offset + t) % SourceTicks], series[t]);
        }
    }

    /// <summary><see cref="Source"/> with <paramref name="before"/> and <paramref name="after"/> ticks of every VM off around it.</summary>
    private static TraceSeries Padded(int before, int after)
    {
        TraceSeries source = Source();
        int ticks = before + SourceTicks + after;
        var values = new int[source.Vms.Count * ticks];
        Array.Fill(values, TraceValues.Off);
        for (int v = 0; v < source.Vms.Count; v++)
            source.Of(v).CopyTo(values.AsSpan((v * ticks) + before, SourceTicks));
        return TraceSeries.FromValues("padded.dmt", 300, source.Vms, ticks, values, source.Metadata);
    }

    [Fact]
    public void EmptyEdgesOfTheSource_AreNotPlayed_TheDrawIsTheSourceWithoutThem()
    {
        // A review at stop 61: each VM plays the source around from a random tick, so ticks at the source's edges with no
        // VM on (a clock started before the samples) were off time in every drawn VM (compare leaves them out likewise).
        using var dir = new TempDir();
        GeneratedTrace plain = TraceGenerator.GenerateFrom(Source(), dir.File("plain.dmt"), Options);
        GeneratedTrace padded = TraceGenerator.GenerateFrom(Padded(7, 5), dir.File("padded.dmt"), Options);
        Assert.Equal((0, 0), (plain.SourceTicksLeftOutBefore, plain.SourceTicksLeftOutAfter));
        Assert.Equal((7, 5), (padded.SourceTicksLeftOutBefore, padded.SourceTicksLeftOutAfter));
        TraceData a = TraceData.Load(plain.Path), b = TraceData.Load(padded.Path);
        Assert.Equal(a.Ticks, b.Ticks); // before: the padded source's 12 empty ticks among every VM's series
        Assert.Equal(a.Vms.Select(v => v.Settings), b.Vms.Select(v => v.Settings));
        for (int i = 0; i < a.Vms.Count; i++)
            Assert.Equal(FromId(Source(), a.Vms[i].Id).Offset + 7, FromId(Padded(7, 5), b.Vms[i].Id).Offset); // ids in the source's ticks
        Assert.Equal("7..54: the 7 ticks before and 5 after have no pool VM on and are not played; the source ticks of gen.draw are the 48 played", b.Header.Metadata["gen.source_ticks_played"]);
        Assert.Equal("60", b.Header.Metadata["gen.source_ticks"]);
        Assert.False(a.Header.Metadata.TryGetValue("gen.source_ticks_played", out _));

        // With starts aligned to whole hours (12 ticks), the first edge left out is whole hours (7 -> 0, 15 -> 12) and the
        // last makes the ticks played whole hours where it can (77 - 12 = 65 ticks: 5 of its 14 left out, 60 played; a
        // review found a 3-tick edge left out at the end misaligning every VM after its wrap), so each VM's series is the
        // source's from a whole hour, wrapping at a whole hour.
        DerivedTraceOptions hourly = Options with { AlignStartsSeconds = 3600 };
        Assert.Equal((0, 0), Edges(TraceGenerator.GenerateFrom(Padded(7, 5), dir.File("h1.dmt"), hourly)));
        GeneratedTrace h2 = TraceGenerator.GenerateFrom(Padded(15, 14), dir.File("h2.dmt"), hourly);
        Assert.Equal((12, 5), Edges(h2));
        TraceSeries wide = Padded(15, 14);
        TraceData h = TraceData.Load(h2.Path);
        for (int i = 0; i < h.Vms.Count; i++)
        {
            (int src, int offset) = FromId(wide, h.Vms[i].Id);
            Assert.Equal(0, offset % 12);
            int[] series = h.Series(i);
            for (int t = 0; t < series.Length; t++)
                Assert.Equal(wide.Of(src)[12 + ((offset - 12 + t) % 60)], series[t]);
        }

        static (int, int) Edges(GeneratedTrace g) => (g.SourceTicksLeftOutBefore, g.SourceTicksLeftOutAfter);
    }

    [Fact]
    public void OffPeriods_ArePreserved_AndDrawsCoverThePool_ButNeverTheVmThatIsNeverOn()
    {
        using var dir = new TempDir();
        TraceSeries source = Source();
        GeneratedTrace g = TraceGenerator.GenerateFrom(source, dir.File("g.dmt"), Options with { ScaleMin = 0.5, ScaleMax = 2 });
        var data = TraceData.Load(g.Path);
        Assert.Equal(5, g.PoolVms);
        var drawn = new HashSet<int>();
        var offsets = new HashSet<int>();
        int sourceOffTicks = source.Of(1).Count(TraceValues.Off); // 18 of 48: two off periods
        Assert.Equal(18, sourceOffTicks);
        for (int i = 0; i < data.Vms.Count; i++)
        {
            (int src, int offset) = FromId(source, data.Vms[i].Id);
            drawn.Add(src);
            offsets.Add(offset);
            int[] series = data.Series(i);
            for (int t = 0; t < series.Length; t++)
                Assert.Equal(source.Of(src)[(offset + t) % SourceTicks] == TraceValues.Off, series[t] == TraceValues.Off);
            if (src == 1)
                Assert.Equal(sourceOffTicks, series.Take(SourceTicks).Count(x => x == TraceValues.Off)); // one round holds both off periods
        }

        Assert.Equal([0, 1, 3, 4, 5], drawn.Order());
        Assert.True(offsets.Count > SourceTicks * 3 / 4, $"{offsets.Count} distinct start ticks of {SourceTicks}");
        Assert.Equal("5", data.Header.Metadata["gen.pool_vms"]);
        Assert.Equal("1", data.Header.Metadata["gen.excluded_never_on"]);
    }

    [Fact]
    public void Scaled_SizesAndMeasuredDemandFollowTheVmsFactor_TheOsBaseFollowsTheNewSize_R1Holds()
    {
        using var dir = new TempDir();
        TraceSeries source = Source();
        DerivedTraceOptions options = Options with { ScaleMin = 0.5, ScaleMax = 2 };
        GeneratedTrace g = TraceGenerator.GenerateFrom(source, dir.File("g.dmt"), options);
        var data = TraceData.Load(g.Path);
        int[] pool = TraceGenerator.DrawPool(source, options, out _, out _);
        double low = double.MaxValue, high = 0;
        var fleet = new Fleet(ModelParameters.Default, [new HostSpec(TotalMb: 16_777_216, VmCapacity: data.Vms.Count)]);
        for (int i = 0; i < data.Vms.Count; i++)
        {
            (ProbeVm draw, double f) = TraceGenerator.DrawFrom(pool, SourceTicks, options, i);
            (int src, int offset) = FromId(source, data.Vms[i].Id);
            Assert.Equal((draw.Source, draw.Offset), (src, offset));
            Assert.InRange(f, 0.5, 2);
            low = Math.Min(low, f);
            high = Math.Max(high, f);

            // Sizes: roundUp2(size × f), at least 32, at most MaxCeiling (1 TB).
            VmSettings before = source.Vms[src].Settings, after = data.Vms[i].Settings;
            int Up(int mb) => (int)Math.Clamp(Math.Ceiling(mb * f / 2) * 2, 32, 1_048_576);
            Assert.Equal((Up(before.StartupMb), Up(before.MinimumMb), Up(before.MaximumMb)), (after.StartupMb, after.MinimumMb, after.MaximumMb));
            Assert.Equal((before.BufferPercent, before.Weight, before.DynamicMemory, before.Guest), (after.BufferPercent, after.Weight, after.DynamicMemory, after.Guest));
            fleet.AddVm(0, after); // R1, checked by the kernel

            // Demand: the measured part (committed − base of the old size) × f, plus the base of the new size; off stays
            // off. Where the Maximum was held at 32 MB or the ceiling, the measured part takes the factor the Maximum got.
            int oldBase = Model.BaseMb(before.MaximumMb), newBase = Model.BaseMb(after.MaximumMb);
            bool held = Math.Ceiling(before.MaximumMb * f / 2) * 2 != after.MaximumMb;
            double fd = held ? (double)after.MaximumMb / before.MaximumMb : f;
            int[] series = data.Series(i);
            for (int t = 0; t < series.Length; t++)
            {
                int x = source.Of(src)[(offset + t) % SourceTicks];
                int expected = x < 0 ? TraceValues.Off : (int)Math.Round((x - oldBase) * fd, MidpointRounding.AwayFromZero) + newBase;
                Assert.Equal(expected, series[t]);
                if (held && before.MaximumMb == 1_048_576)
                    Assert.Equal(x, series[t]); // the 1 TB VM scaled up stays a 1 TB VM as loaded as its source
            }
        }

        Assert.True(low < 0.6 && high > 1.9, $"factors drawn in {low}..{high}");
        Assert.Contains(data.Vms, v => v.Settings.MaximumMb == 1_048_576 && v.Id.Contains(":src/4.csv@", StringComparison.Ordinal)); // clamped at MaxCeiling
        Assert.Contains(data.Vms, v => v.Settings.MinimumMb == 32 && v.Settings.MaximumMb < 128); // the tiny VM halved keeps Minimum 32
    }

    [Fact]
    public void Metadata_RecordsEveryOptionTheSourceAndItsDemandModel()
    {
        using var dir = new TempDir();
        TraceSeries source = Source();
        GeneratedTrace g = TraceGenerator.GenerateFrom(source, dir.File("g.dmt"), Options with { ScaleMin = 0.75, ScaleMax = 1.5, HostMb = 2_097_152 });
        using NativeTraceReader reader = NativeTraceReader.Open(g.Path);
        TraceMetadata m = reader.Header.Metadata;
        Assert.Equal("source.dmt", m["gen.from"]);
        Assert.Equal(("300", "60", "11", "120", "0.75", "1.5", "2097152"), (m["gen.vms"], m["gen.hosts"], m["gen.seed"], m["gen.ticks"], m["gen.scale_min"], m["gen.scale_max"], m["gen.host_mb"]));
        Assert.Equal("test", m["gen.source.import.format"]);
        Assert.Equal(Model, DemandModel.FromMetadata(m)); // compare's sensitivity and the reports still know the model
        Assert.All(reader.Hosts, h => Assert.Equal(2_097_152, h.TotalMb));
    }

    /// <summary>
    /// P10: the mix given is recorded for replay and compare; without one, the source's mix carries over (its shares, drawn
    /// over the new VMs' indices); an explicit ideal mix drops it; a source without a mix gives a trace without one.
    /// </summary>
    [Fact]
    public void Guests_GivenOrTheSourcesMix_AreRecordedForReplay()
    {
        using var dir = new TempDir();
        TraceSeries plain = Source();
        var meta = new TraceMetadata();
        foreach (KeyValuePair<string, string> kv in plain.Metadata)
            meta.Set(kv.Key, kv.Value);
        meta.Set(GuestMix.MetadataKey, "stuck=20%");
        TraceSeries withMix = TraceSeries.FromValues("source.dmt", 300, plain.Vms.ToArray(), SourceTicks, plain.Values, meta);

        (string? Mix, string Said) Recorded(TraceSeries source, GuestMix? guests, string name)
        {
            GeneratedTrace g = TraceGenerator.GenerateFrom(source, dir.File(name), Options with { Guests = guests });
            using NativeTraceReader reader = NativeTraceReader.Open(g.Path);
            TraceMetadata m = reader.Header.Metadata;
            return (m.TryGetValue(GuestMix.MetadataKey, out string? text) ? text : null, m["gen.guests"]);
        }

        // gen.guests says where the mix came from (before: "the source's" even when the source recorded none).
        Assert.Equal(("stuck=20%", "the source's: stuck=20%"), Recorded(withMix, null, "a.dmt"));
        Assert.Equal(("rate:64=50%", "rate:64=50%"), Recorded(withMix, GuestMix.Parse("rate:64=50%"), "b.dmt"));
        Assert.Equal((null, "ideal"), Recorded(withMix, GuestMix.Ideal, "c.dmt"));
        Assert.Equal((null, "ideal (the source records no mix)"), Recorded(plain, null, "d.dmt"));
        Assert.Equal(("rate:64=50%", "rate:64=50%"), Recorded(plain, GuestMix.Parse("rate:64=50%"), "e.dmt"));
    }

    [Fact]
    public void Streams_TenTimesTheTicks_AllocateLessThanAByteMorePerVmTick()
    {
        using var dir = new TempDir();
        TraceSeries source = Source();
        var options = new DerivedTraceOptions { Vms = 2_000, Hosts = 0, Seed = 3, Ticks = 40, Writer = new NativeTraceWriterOptions { ChunkVmTicks = 40_000 } };
        TraceGenerator.GenerateFrom(source, dir.File("warm.dmt"), options);
        long Allocated(int ticks)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            TraceGenerator.GenerateFrom(source, dir.File("g.dmt"), options with { Ticks = ticks });
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        long small = Allocated(40), large = Allocated(400);
        long extraVmTicks = 2_000L * 360;
        Assert.True(large - small < extraVmTicks, $"{extraVmTicks} more VM-ticks allocated {large - small} more bytes ({small} and {large})");
    }

    public static TheoryData<string, DerivedTraceOptions> BadOptions => new()
    {
        { "Vms", Options with { Vms = 0 } },
        { "Hosts", Options with { Hosts = 301 } },
        { "Ticks", Options with { Ticks = 0 } },
        { "ScaleMin", Options with { ScaleMin = 0 } },
        { "ScaleMin", Options with { ScaleMin = double.NaN } },
        { "ScaleMax", Options with { ScaleMin = 2, ScaleMax = 1.5 } },
        { "ScaleMax", Options with { ScaleMax = 1000 } },
        { "HostMb", Options with { HostMb = 4095 } },
        { "HostReserveMb", Options with { HostMb = 2048 } },
        { "HostHeadroom", Options with { HostHeadroom = 0.5 } },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void BadOption_IsRefusedByName_NothingWritten(string name, DerivedTraceOptions options)
    {
        using var dir = new TempDir();
        var e = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => TraceGenerator.GenerateFrom(Source(), dir.File("g.dmt"), options));
        Assert.Equal(name, e.ParamName);
        Assert.StartsWith(name + " = ", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Fact]
    public void HostsTooSmallForEveryVm_OrASourceNeverOn_IsRefused_NothingWritten()
    {
        using var dir = new TempDir();
        TraceSeries source = Source();

        // The smallest VM (128 MB) at ScaleMax 2 needs 256 MB + the 2048 MB reserve.
        var e = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => TraceGenerator.GenerateFrom(source, dir.File("g.dmt"), Options with { HostMb = 2300, ScaleMax = 2 }));
        Assert.Equal("HostMb", e.ParamName);
        Assert.Contains("expected at least 2304 MB", e.Message, StringComparison.Ordinal);

        var off = TraceSeries.FromValues("off.dmt", 300, [new TraceVm("a", VmSettings.Dynamic(1024, 256, 1024))], 4, [-1, -1, -1, -1]);
        var none = Assert.Throws<ArgumentException>(() => TraceGenerator.GenerateFrom(off, dir.File("g.dmt"), Options));
        Assert.Contains("off.dmt: none of its 1 VMs is ever on", none.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Fact]
    public void WithAHostSize_VmsThatCannotFitAnEmptyHostAreNotDrawn()
    {
        using var dir = new TempDir();
        TraceSeries source = Source();

        // 8 GB hosts with a 2 GB reserve: the 1 TB VM (and the never-on one) are left out.
        GeneratedTrace g = TraceGenerator.GenerateFrom(source, dir.File("g.dmt"), Options with { HostMb = 8192 });
        var data = TraceData.Load(g.Path);
        Assert.Equal(4, g.PoolVms);
        Assert.DoesNotContain(data.Vms, v => v.Id.Contains(":src/4.csv@", StringComparison.Ordinal));
        Assert.Equal("1", data.Header.Metadata["gen.excluded_too_large"]);
        Assert.All(data.Hosts, h => Assert.Equal(8192, h.TotalMb));
    }

    [Fact]
    public void Cancelled_LeavesNoFile()
    {
        using var dir = new TempDir();
        using var cancel = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => TraceGenerator.GenerateFrom(Source(), dir.File("g.dmt"), Options, t =>
        {
            if (t == 50)
                cancel.Cancel();
        }, cancel.Token));
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    /// <summary>
    /// docs/generate.md, Scaling: committed' = round(max(0, committed − base(Maximum)) × f) + base(Maximum'), off stays off.
    /// A committed 0 (below its OS base) is a measured 0: scaled, it is the new size's base. A 4 GB VM × 0.25 is 1 GB, base
    /// min(512, 25 % × 1024) = 256: 0 → 256, 1000 → round(488 × 0.25) + 256 = 378.
    /// </summary>
    [Fact]
    public void Scaled_CommittedZero_BecomesTheNewSizesOsBase()
    {
        using var dir = new TempDir();
        var meta = new TraceMetadata();
        meta.Set("import.format", "test").Set("demand.k", Model.K).Set("demand.os_base_mb", Model.OsBaseMb).Set("demand.os_base_cap_percent", Model.OsBaseCapPercent);
        var source = TraceSeries.FromValues("zero.dmt", 300, [new TraceVm("z", VmSettings.Dynamic(4096, 1024, 4096))], 4, [0, 1000, -1, 0], meta);
        GeneratedTrace g = TraceGenerator.GenerateFrom(source, dir.File("g.dmt"), new DerivedTraceOptions { Vms = 3, Hosts = 1, Seed = 3, ScaleMin = 0.25, ScaleMax = 0.25 });
        var data = TraceData.Load(g.Path);
        for (int i = 0; i < data.Vms.Count; i++)
        {
            Assert.Equal(1024, data.Vms[i].Settings.MaximumMb);
            (_, int offset) = FromId(source, data.Vms[i].Id);
            int[] expected = [256, 378, TraceValues.Off, 256];
            Assert.Equal([.. Enumerable.Range(0, 4).Select(t => expected[(offset + t) % 4])], data.Series(i));
        }
    }

    /// <summary>
    /// docs/generate.md, the pool: with --host-mb, a VM whose Startup plus the 2048 MB reserve cannot fit an empty host is left
    /// out. The 1 TB VM fits a host of exactly its Startup + reserve, not one 2 MB smaller.
    /// </summary>
    [Fact]
    public void Pool_KeepsAVmThatExactlyFillsAnEmptyHost()
    {
        TraceSeries source = Source();
        Assert.Equal(5, TraceGenerator.DrawPool(source, Options with { HostMb = 1_048_576 + 2048 }, out int neverOn, out int tooLarge).Length);
        Assert.Equal((1, 0), (neverOn, tooLarge));
        Assert.Equal(4, TraceGenerator.DrawPool(source, Options with { HostMb = 1_048_576 + 2046 }, out _, out tooLarge).Length);
        Assert.Equal(1, tooLarge);
    }

    /// <summary>
    /// docs/generate.md, Scaling: sizes are kept within 32 MB .. max(MaxCeiling = 1 TB, the VM's own Maximum). A 2 TB source
    /// VM × 0.75 is a 1.5 TB VM; × 1.5 it stays 2 TB.
    /// </summary>
    [Fact]
    public void Scale_CeilingIsTheSourcesOwnMaximumWhenAboveOneTb()
    {
        var big = VmSettings.Dynamic(1_048_576, 524_288, 2_097_152);
        VmSettings down = TraceGenerator.Scale(big, 0.75), up = TraceGenerator.Scale(big, 1.5);
        Assert.Equal((786_432, 393_216, 1_572_864), (down.StartupMb, down.MinimumMb, down.MaximumMb));
        Assert.Equal((1_572_864, 786_432, 2_097_152), (up.StartupMb, up.MinimumMb, up.MaximumMb));
    }
    /// <summary>
    /// <see cref="DerivedDraw.Balanced"/> (a helper's review, stop 55: drawn with replacement, 500 VMs from the month's 500
    /// held 314–325 different ones, its 512 GB VM 0 to 4 times, and compare's answer moved about 2× either way): each pool VM
    /// ⌊n ÷ pool⌋ or ⌈n ÷ pool⌉ times, start ticks and sizes as the compare draw's, in a seeded order.
    /// </summary>
    [Theory]
    [InlineData(5)]
    [InlineData(300)]
    [InlineData(13)]
    public void Balanced_DrawsEachPoolVm_ItsShare_WithCompareDrawsStartTicks(int n)
    {
        using var dir = new TempDir();
        TraceSeries source = Source();
        DerivedTraceOptions options = Options with { Vms = n, Hosts = Math.Min(n, 60), Draw = DerivedDraw.Balanced };
        GeneratedTrace g = TraceGenerator.GenerateFrom(source, dir.File("g.dmt"), options);
        var data = TraceData.Load(g.Path);
        int[] pool = [0, 1, 3, 4, 5];
        var counts = new int[source.Vms.Count];
        for (int i = 0; i < n; i++)
        {
            (int src, int offset) = FromId(source, data.Vms[i].Id);
            counts[src]++;
            ProbeVm compare = CapacityStudy.Draw(pool, SourceTicks, options.Seed, i % options.Hosts, i / options.Hosts);
            Assert.Equal(compare.Offset, offset);
            int[] series = data.Series(i);
            for (int t = 0; t < series.Length; t++)
                Assert.Equal(source.Of(src)[(offset + t) % SourceTicks], series[t]);
        }

        Assert.Equal(0, counts[2]); // never on
        Assert.All(pool, v => Assert.InRange(counts[v], n / pool.Length, (n + pool.Length - 1) / pool.Length));
        Assert.Equal(Math.Min(n, pool.Length), g.DistinctSourceVms);
        Assert.Equal(data.Vms.Sum(v => (long)v.Settings.MaximumMb), g.TotalMaximumMb);
        Assert.Equal(pool.Average(v => (double)source.Vms[v].Settings.MaximumMb), g.PoolMeanMaximumMb, 6);
        Assert.Equal("balanced", data.Header.Metadata["gen.draw_rule"]);

        // Seeded: the same bytes again, another order with another seed.
        TraceGenerator.GenerateFrom(source, dir.File("h.dmt"), options);
        Assert.Equal(File.ReadAllBytes(g.Path), File.ReadAllBytes(dir.File("h.dmt")));
        if (n >= 13)
        {
            TraceGenerator.GenerateFrom(source, dir.File("k.dmt"), options with { Seed = 99 });
            Assert.NotEqual(data.Vms.Select(v => v.Id[..v.Id.LastIndexOf('@')]), TraceData.Load(dir.File("k.dmt")).Vms.Select(v => v.Id[..v.Id.LastIndexOf('@')]));
        }
    }

    /// <summary>
    /// Start ticks at whole multiples of <see cref="DerivedTraceOptions.AlignStartsSeconds"/> (a helper's review, stop 55:
    /// any start tick flattened the month's daily swing from 0.208 to 0.035 of the mean; whole days kept it, 0.232).
    /// </summary>
    [Fact]
    public void AlignStarts_DrawsStartTicksAtWholeMultiples_AndRefusesWhatIsNoWholeNumberOfTicks()
    {
        using var dir = new TempDir();
        TraceSeries source = Source(); // 48 ticks of 300 s: 4 hours
        DerivedTraceOptions options = Options with { AlignStartsSeconds = 3600 };
        var data = TraceData.Load(TraceGenerator.GenerateFrom(source, dir.File("g.dmt"), options).Path);
        int[] pool = [0, 1, 3, 4, 5];
        var offsets = new HashSet<int>();
        for (int i = 0; i < data.Vms.Count; i++)
        {
            (int src, int offset) = FromId(source, data.Vms[i].Id);
            ProbeVm compare = CapacityStudy.Draw(pool, SourceTicks, options.Seed, i % options.Hosts, i / options.Hosts);
            Assert.Equal((compare.Source, compare.Offset / 12 * 12), (src, offset));
            offsets.Add(offset);
        }

        Assert.Equal([0, 12, 24, 36], offsets.Order());
        foreach (int bad in new[] { 450, 14_700, 100 })
        {
            var e = Assert.Throws<InvariantOutOfRangeException>(() => TraceGenerator.GenerateFrom(source, dir.File("x.dmt"), Options with { AlignStartsSeconds = bad }));
            Assert.Equal(nameof(DerivedTraceOptions.AlignStartsSeconds), e.ParamName);
            Assert.Contains("expected a whole number of source.dmt's ticks of 300 s, at most its length (48 ticks, 14400 s)", e.Message, StringComparison.Ordinal);
        }

        Assert.False(File.Exists(dir.File("x.dmt")));
    }

    /// <summary>What the draw left out for the host size: the count and its share of the ever-on VMs' Maximum.</summary>
    [Fact]
    public void TooLargeForTheHost_IsCounted_WithItsShareOfTheSourcesMemory()
    {
        using var dir = new TempDir();
        TraceSeries source = Source();
        GeneratedTrace g = TraceGenerator.GenerateFrom(source, dir.File("g.dmt"), Options with { HostMb = 65_536 });
        Assert.Equal(1, g.ExcludedTooLarge); // the 1 TB VM
        double on = 4096 + 2048 + 128 + 1_048_576 + 1024; // VM 2 is never on
        Assert.Equal(1_048_576 / on, g.ExcludedTooLargeShare, 9);
    }
}

using System.Globalization;
using System.Text;
using DmKernel.Traces;
using DmKernel.Traces.Capacity;

namespace DmKernel.Tests.Traces;

/// <summary>
/// The demand model (docs/importers.md, "Demand models"): an OS base capped at a share of the provisioned memory, the
/// VMs whose demand exceeds their size named, re-expressing a trace under another model, and collection outages.
/// </summary>
public class DemandModelTests
{
    private const string Header =
        "Timestamp [ms];\tCPU cores;\tCPU capacity provisioned [MHZ];\tCPU usage [MHZ];\tCPU usage [%];\tMemory capacity provisioned [KB];\tMemory usage [KB];\tDisk read throughput [KB/s];\tDisk write throughput [KB/s];\tNetwork received throughput [KB/s];\tNetwork transmitted throughput [KB/s]\n";

    private const long T0 = 1_375_308_000;

    private static string Row(long time, double capacityMb, double usageMb) => string.Create(CultureInfo.InvariantCulture,
        $"{time};\t2;\t5000.0;\t50.0;\t1.0;\t{capacityMb * 1024:F1};\t{usageMb * 1024:F1};\t0.0;\t0.0;\t0.0;\t0.0\n");

    /// <summary>A Bitbrains file sampled every 300 s at the given times (seconds after T0), all with the same size and usage.</summary>
    private static string File(IEnumerable<long> times, double capacityMb = 4096, double usageMb = 1000)
    {
        var sb = new StringBuilder(Header);
        foreach (long t in times)
            sb.Append(Row(T0 + t, capacityMb, usageMb));
        return sb.ToString();
    }

    private static IEnumerable<long> Every300(long from, long to) => Enumerable.Range(0, (int)((to - from) / 300) + 1).Select(i => from + (i * 300L));

    [Fact]
    public void OsBase_IsCappedAtAShareOfTheProvisionedMemory()
    {
        var m = new DemandModel { K = 1, OsBaseMb = 512, OsBaseCapPercent = 25 };
        Assert.Equal(512, m.BaseMb(4096));
        Assert.Equal(512, m.BaseMb(2048));
        Assert.Equal(32, m.BaseMb(128));          // a 128 MB VM cannot hold a 512 MB OS: a quarter of it
        Assert.Equal(25, m.BaseMb(98));           // 24.5 rounds away from zero
        Assert.Equal(40 + 32, m.Demand(40, 128));
        Assert.Equal(128, new DemandModel { OsBaseMb = 512 }.BaseMb(128)); // the default cap, 100 %: at most the whole VM

        using var dir = new TempDir();
        dir.Write("in/small.csv", File(Every300(0, 1200), capacityMb: 128, usageMb: 40));
        dir.Write("in/large.csv", File(Every300(0, 1200), capacityMb: 4096, usageMb: 40));
        var report = BitbrainsImporter.Import(dir.File("in"), dir.File("t.dmt"));
        var data = TraceData.Load(dir.File("t.dmt"));
        Assert.All(data.Series(data.VmIndex("large.csv")), v => Assert.Equal(40 + 512, v));
        Assert.All(data.Series(data.VmIndex("small.csv")), v => Assert.Equal(40 + 32, v));
        Assert.Equal("25", data.Header.Metadata["demand.os_base_cap_percent"]);
        Assert.Empty(report.DemandAboveProvisioned);
    }

    [Fact]
    public void VmsDemandingMoreThanTheirSize_AreNamedInTheReportAndTheTrace_WorstFirst()
    {
        using var dir = new TempDir();
        dir.Write("in/fine.csv", File(Every300(0, 3000), capacityMb: 4096, usageMb: 1000));
        dir.Write("in/tiny.csv", File(Every300(0, 3000), capacityMb: 128, usageMb: 60));        // 60 + 128 > 128 always
        dir.Write("in/mostly.csv", File(Every300(0, 3000), capacityMb: 1024, usageMb: 900));    // 900 + 512 > 1024 always, less so
        var flat = new BitbrainsImportOptions { Demand = new DemandModel { K = 1, OsBaseMb = 512, OsBaseCapPercent = 100 } };
        var report = BitbrainsImporter.Import(dir.File("in"), dir.File("t.dmt"), flat);
        Assert.Equal(["tiny.csv", "mostly.csv"], report.DemandAboveProvisioned.Select(v => v.Id));
        DemandAboveProvisioned tiny = report.DemandAboveProvisioned[0];
        Assert.Equal(128, tiny.ProvisionedMb);
        Assert.Equal(60, tiny.MedianUsedMb, 9);
        Assert.Equal(188, tiny.MedianDemandMb);
        Assert.Equal(1.0, tiny.ShareAbove);
        Assert.Equal("2", TraceData.Load(dir.File("t.dmt")).Header.Metadata["report.demand_above_provisioned_vms"]);

        // With the default cap (25 %), the small VM fits its size: 60 + 32 MB.
        Assert.DoesNotContain(BitbrainsImporter.Import(dir.File("in"), dir.File("u.dmt")).DemandAboveProvisioned, v => v.Id == "tiny.csv");
    }

    [Fact]
    public void VmDemandingMoreThanItsSize_InExactlyHalfItsSamples_IsNotNamed()
    {
        // docs/importers.md: a VM is named when its demand is above its provisioned memory in more than half of its
        // on-samples. 1000 + 512 MB fits 4096 MB, 4000 + 512 MB does not: "half" is above in 2 of 4, "most" in 3 of 5.
        static string Varying(params double[] usageMb)
        {
            var sb = new StringBuilder(Header);
            for (int i = 0; i < usageMb.Length; i++)
                sb.Append(Row(T0 + (300L * i), 4096, usageMb[i]));
            return sb.ToString();
        }

        using var dir = new TempDir();
        dir.Write("in/half.csv", Varying(1000, 4000, 1000, 4000));
        dir.Write("in/most.csv", Varying(1000, 4000, 1000, 4000, 4000));
        var flat = new BitbrainsImportOptions { Demand = new DemandModel { K = 1, OsBaseMb = 512, OsBaseCapPercent = 100 } };
        var report = BitbrainsImporter.Import(dir.File("in"), dir.File("t.dmt"), flat);
        DemandAboveProvisioned most = Assert.Single(report.DemandAboveProvisioned);
        Assert.Equal("most.csv", most.Id);
        Assert.Equal(0.6, most.ShareAbove, 9);
    }

    [Fact]
    public void LoneGap_IsHeldUpToTheLimit_ThenOff_ButGapsEndingTogetherAreAnOutage()
    {
        // Six VMs. vm0 alone misses samples from 1500 s to 3600 s (2100 s > the 900 s hold): it turns off after 900 s.
        // All six miss samples from 6000 s to 8400 s and resume together: a collection outage, held throughout.
        var gaps = new (long From, long To)[] { (6000, 8400) };
        using var dir = new TempDir();
        for (int v = 0; v < 6; v++)
        {
            IEnumerable<long> times = Every300(0, 12_000).Where(t => t <= gaps[0].From || t >= gaps[0].To);
            if (v == 0)
                times = times.Where(t => t <= 1500 || t >= 3600);
            dir.Write($"in/vm{v}.csv", File(times));
        }

        var report = BitbrainsImporter.Import(dir.File("in"), dir.File("t.dmt"));
        var data = TraceData.Load(dir.File("t.dmt"));
        int[] vm0 = data.Series(data.VmIndex("vm0.csv"));
        Assert.Equal(1000 + 512, vm0[(1500 + 900) / 300]);         // held up to 900 s into its gap
        Assert.Equal(-1, vm0[((1500 + 900) / 300) + 1]);            // then off
        Assert.Equal(1000 + 512, vm0[3600 / 300]);                  // on again at the next sample
        for (int v = 0; v < 6; v++)
        {
            int[] s = data.Series(data.VmIndex($"vm{v}.csv"));
            for (long t = 6000; t <= 8400; t += 300)
                Assert.Equal(1000 + 512, s[t / 300]);               // the outage: held, never off
        }

        Assert.Equal(6, report.NoteOf("collection_outage_gaps"));
        Assert.Equal(6 * (((8400 - 6000 - 900) / 300) - 1), report.NoteOf("ticks_held_in_outages")); // every tick past the hold
        Assert.Equal(((3600 - 1500 - 900) / 300) - 1, report.NoteOf("ticks_off_in_gaps"));

        // ticks_held (docs/importers.md): vm0's lone gap holds 1800, 2100 and 2400 s (then off); the outage holds 6300 to
        // 8100 s on all six VMs, those past the hold included.
        Assert.Equal(3 + (6 * (((8400 - 6000) / 300) - 1)), report.NoteOf("ticks_held"));
    }

    [Theory]
    [InlineData("0,300,900,1200", 300, 1)]          // the sample due at 600 s is missing: tick 600 holds 300's value
    [InlineData("0,300,1200", 300, 2)]              // two missing: ticks 600 and 900
    [InlineData("0,300,900", 60, 5)]                // 60 s ticks: 600, 660, ..., 840 would have had 600's sample
    [InlineData("0,303,600,900", 300, 0)]           // a sample 3 s late (over the 2 s tolerance): late, not missing
    [InlineData("0,300,600,900", 600, 0)]           // ticks coarser than the samples: nothing missing
    [InlineData("0,300,600,900|0,300", 300, 2)]     // a series that ends: its value is held at 600 and 900 until the hold
    [InlineData("0,300,750,1050", 300, 1)]          // the next sample exactly 1.5 periods after 300 s: a gap, tick 600 held
    [InlineData("0,302,1202", 300, 2)]              // in force from 302 s (2 s late, within the tolerance): 600 s is due
    public void TicksHeld_CountsTheTicksWhereAMissingSampleWouldBeInForce(string vmTimes, double tickSeconds, long held)
    {
        // docs/importers.md, "Resampling": a tick is held when a gap of 1.5 nominal periods or more follows the sample in
        // force (or no sample follows) and the tick is at or past that sample + one period.
        using var dir = new TempDir();
        string[] vms = vmTimes.Split('|');
        for (int v = 0; v < vms.Length; v++)
            dir.Write($"in/vm{v}.csv", File(vms[v].Split(',').Select(t => long.Parse(t, CultureInfo.InvariantCulture))));

        var report = BitbrainsImporter.Import(dir.File("in"), dir.File("t.dmt"), new BitbrainsImportOptions { TickSeconds = tickSeconds });
        Assert.Equal(held, report.NoteOf("ticks_held"));
        Assert.Equal(0, report.NoteOf("ticks_off_in_gaps"));
    }

    /// <summary>One Bitbrains file with a sample every 300 s from T0, the usages given (MB), 4096 MB provisioned.</summary>
    private static string Usages(params double[] usageMb)
    {
        var sb = new StringBuilder(Header);
        for (int i = 0; i < usageMb.Length; i++)
            sb.Append(Row(T0 + (300L * i), 4096, usageMb[i]));
        return sb.ToString();
    }

    [Fact]
    public void Downsample_Last_TakesTheLastSampleOfEachTick_Peak_TheLargest()
    {
        // docs/importers.md, "Resampling": 900 s ticks over 300 s samples. Tick 1 (900 s) takes in the samples at 300, 600
        // and 900 s; tick 2 those at 1200, 1500 and 1800 s. Committed = usage + 512 (the OS base).
        using var dir = new TempDir();
        dir.Write("in/vm.csv", Usages(1000, 3000, 1200, 1100, 900, 2500, 800));
        int[] Series(DownsampleRule rule)
        {
            string path = dir.File($"{rule}.dmt");
            BitbrainsImporter.Import(dir.File("in"), path, new BitbrainsImportOptions { TickSeconds = 900, Downsample = rule });
            var data = TraceData.Load(path);
            Assert.Equal(rule == DownsampleRule.Peak ? "peak" : "last", data.Header.Metadata["resample.downsample"]);
            return data.Series(0);
        }

        Assert.Equal([1000 + 512, 1100 + 512, 800 + 512], Series(DownsampleRule.Last));
        Assert.Equal([1000 + 512, 3000 + 512, 2500 + 512], Series(DownsampleRule.Peak));
    }

    [Theory]
    [InlineData(900)]
    [InlineData(898)]
    public void Downsample_Peak_OfTheFirstTick_LooksOneTickBack_NotAtEverySampleBeforeTheStart(int startAfterT0)
    {
        // Tick 0 at StartSeconds = T0 + 900 takes in the samples after T0 + 0 (one tick back) up to T0 + 900: not the
        // 4000 MB at T0 itself, which was the previous tick's. At T0 + 898 (900 s ticks, the 2 s tolerance) it takes in the
        // samples after (T0 + 898 − 900) + 2 = T0, so the sample exactly at the previous tick's limit is still left out.
        // Tick 0: 1000, 1200, 1100 → 1200; tick 1: 900, 2500, 800 → 2500.
        using var dir = new TempDir();
        dir.Write("in/vm.csv", Usages(4000, 1000, 1200, 1100, 900, 2500, 800));
        string path = dir.File("t.dmt");
        BitbrainsImporter.Import(dir.File("in"), path, new BitbrainsImportOptions { TickSeconds = 900, StartSeconds = T0 + startAfterT0, Downsample = DownsampleRule.Peak });
        Assert.Equal([1200 + 512, 2500 + 512], TraceData.Load(path).Series(0));
    }

    [Fact]
    public void Downsample_Peak_ATickLongerThanTheHold_WhoseSamplesStopWithinIt_IsOnAtItsPeak()
    {
        // 3 600 s ticks, the 900 s hold: vm0's samples stop at 2 400 s and resume at 4 800 s (vm1 keeps the trace going).
        // Tick 3 600 took in vm0's samples from 300 to 2 400 s: under Peak it is on at their largest, though its last
        // sample is 1 200 s old; under Last it is off (the hold), as before.
        using var dir = new TempDir();
        dir.Write("in/vm0.csv", File(Every300(0, 7200).Where(t => t <= 2400 || t >= 4800), usageMb: 3000));
        dir.Write("in/vm1.csv", File(Every300(0, 7200)));
        int[] Vm0(DownsampleRule rule)
        {
            string path = dir.File($"{rule}.dmt");
            BitbrainsImporter.Import(dir.File("in"), path, new BitbrainsImportOptions { TickSeconds = 3600, Downsample = rule });
            var data = TraceData.Load(path);
            return data.Series(data.VmIndex("vm0.csv"));
        }

        Assert.Equal([3000 + 512, -1, 3000 + 512], Vm0(DownsampleRule.Last));
        Assert.Equal([3000 + 512, 3000 + 512, 3000 + 512], Vm0(DownsampleRule.Peak));
    }

    [Theory]
    [InlineData(300)]
    [InlineData(120)]
    public void Downsample_Peak_WithTicksNoLongerThanTheSamples_IsLast(double tickSeconds)
    {
        // At most one new sample per tick: the peak of one sample is that sample, and a tick with none holds it.
        using var dir = new TempDir();
        dir.Write("in/vm.csv", Usages(1000, 3000, 1200, 1100, 900, 2500, 800));
        int[] Series(DownsampleRule rule)
        {
            string path = dir.File($"{rule}.dmt");
            BitbrainsImporter.Import(dir.File("in"), path, new BitbrainsImportOptions { TickSeconds = tickSeconds, Downsample = rule });
            return TraceData.Load(path).Series(0);
        }

        int[] last = Series(DownsampleRule.Last);
        Assert.Equal(last, Series(DownsampleRule.Peak));
        Assert.Contains(3000 + 512, last);
    }

    [Theory]
    [InlineData("bitbrains")]
    [InlineData("alibaba")]
    [InlineData("gcd")]
    public void Downsample_Peak_IsAtLeastLast_OnEveryVmTick_OfEachRealSample(string source)
    {
        // Each source's committed real sample at three sample periods per tick: the peak of a tick's samples is at least
        // its last one on every VM-tick, and more on some.
        using var dir = new TempDir();
        TraceData Import(DownsampleRule rule)
        {
            string output = dir.File($"{source}-{rule}.dmt");
            switch (source)
            {
                case "bitbrains":
                    BitbrainsImporter.Import(RealTraces.Path("bitbrains-gwa-t-12-rnd"), output,
                        new BitbrainsImportOptions { TickSeconds = 3 * BitbrainsImportOptions.NominalPeriodSeconds, Downsample = rule });
                    break;
                case "alibaba":
                    AlibabaImporter.Import(RealTraces.Path("alibaba-2018-machine-usage/machine_usage.csv"), output,
                        new AlibabaImportOptions { HostMb = 65_536, TickSeconds = 3 * AlibabaImportOptions.NominalPeriodSeconds, Downsample = rule });
                    break;
                default:
                    GoogleGcdImporter.Import(RealTraces.Path("google-2011-gcd-vms"), output,
                        new GoogleGcdImportOptions { VmSizeMb = 4096, TickSeconds = 3 * GoogleGcdImportOptions.NominalPeriodSeconds, Downsample = rule });
                    break;
            }

            return TraceData.Load(output);
        }

        TraceData last = Import(DownsampleRule.Last), peak = Import(DownsampleRule.Peak);
        Assert.Equal(last.Header.VmCount, peak.Header.VmCount);
        long above = 0;
        for (int v = 0; v < last.Header.VmCount; v++)
        {
            int[] l = last.Series(v), p = peak.Series(v);
            Assert.Equal(l.Length, p.Length);
            for (int t = 0; t < l.Length; t++)
            {
                // Off (-1) is below every on value: a tick on under last is on under peak, at least as high; a tick
                // whose last sample is off but an earlier one within it is on is on under peak (docs/importers.md).
                Assert.True(p[t] >= l[t], $"{source} VM {v} tick {t}: peak {p[t]} below last {l[t]}");
                above += p[t] > l[t] ? 1 : 0;
            }
        }

        Assert.True(above > 0, $"{source}: the peak never read more than the last sample");
    }

    [Fact]
    public void Downsample_OutOfRange_IsRefusedNamingTheOption()
    {
        var ex = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => new BitbrainsImportOptions { Downsample = (DownsampleRule)2 }.Validate());
        Assert.Equal(nameof(ImportOptions.Downsample), ex.ParamName);
    }

    [Fact]
    public void FewerThanFiveGapsEndingTogether_AreNotAnOutage()
    {
        using var dir = new TempDir();
        for (int v = 0; v < 6; v++)
        {
            IEnumerable<long> times = Every300(0, 6000);
            if (v < ImportPipeline.OutageMinVms - 1)
                times = times.Where(t => t <= 1500 || t >= 3600);
            dir.Write($"in/vm{v}.csv", File(times));
        }

        var report = BitbrainsImporter.Import(dir.File("in"), dir.File("t.dmt"));
        Assert.Equal(0, report.NoteOf("collection_outage_gaps"));
        Assert.True(report.NoteOf("ticks_off_in_gaps") > 0);
    }

    [Fact]
    public void ExactlyFiveGapsEndingTogether_AreAnOutage_HeldThroughout()
    {
        // docs/importers.md: an outage needs the samples of at least 5 distinct VMs (and 10 % of those in their span) to
        // resume within a period. Five of six VMs miss 1500 s..3600 s (2100 s, over the 900 s hold) and resume together.
        using var dir = new TempDir();
        for (int v = 0; v < 6; v++)
        {
            IEnumerable<long> times = Every300(0, 6000);
            if (v < 5)
                times = times.Where(t => t <= 1500 || t >= 3600);
            dir.Write($"in/vm{v}.csv", File(times));
        }

        var report = BitbrainsImporter.Import(dir.File("in"), dir.File("t.dmt"));
        Assert.Equal(5, report.NoteOf("collection_outage_gaps"));
        Assert.Equal(0, report.NoteOf("ticks_off_in_gaps"));
        Assert.Equal(5 * (((3600 - 1500 - 900) / 300) - 1), report.NoteOf("ticks_held_in_outages")); // every tick past the hold
        var data = TraceData.Load(dir.File("t.dmt"));
        for (int v = 0; v < 5; v++)
        {
            int[] s = data.Series(data.VmIndex($"vm{v}.csv"));
            for (long t = 1500; t <= 3600; t += 300)
                Assert.Equal(1000 + 512, s[t / 300]);               // held, never off
        }
    }

    [Theory]
    [InlineData(3600, 6000, false)] // first sample exactly at the gap end: within its span, so 51 VMs and 5 < 10 %
    [InlineData(3900, 6000, true)]  // first sample after it: not in its span, 50 VMs and 5 = 10 %
    [InlineData(0, 3600, false)]    // last sample exactly at the gap end: within its span
    [InlineData(0, 3300, true)]     // last sample before it: not in its span
    public void OutageShare_CountsTheVmsWithinTheirSampledSpanAtTheGapsEnd_BothEndsIncluded(long first, long last, bool outage)
    {
        // docs/importers.md: an outage needs 5 distinct VMs and 10 % of the VMs within their sampled span (first sample
        // at or before the gap's end, last at or after it) to resume within a period. Five of 50 VMs miss 1500..3600 s
        // (over the 900 s hold) and resume together at 3600 s: exactly 10 %, an outage. A 51st VM, in its span at
        // 3600 s or not by one sample either way, tips it.
        using var dir = new TempDir();
        for (int v = 0; v < 50; v++)
        {
            IEnumerable<long> times = Every300(0, 6000);
            if (v < 5)
                times = times.Where(t => t <= 1500 || t >= 3600);
            dir.Write($"in/vm{v}.csv", File(times));
        }

        dir.Write("in/vm50.csv", File(Every300(first, last)));
        var report = BitbrainsImporter.Import(dir.File("in"), dir.File("t.dmt"));
        Assert.Equal(outage ? 5 : 0, report.NoteOf("collection_outage_gaps"));
        Assert.Equal(outage ? 0 : 5 * (((3600 - 1500 - 900) / 300) - 1), report.NoteOf("ticks_off_in_gaps"));
    }

    /// <summary>
    /// Five VMs, not five gap ends: with a hold shorter than the sample period every sample ends a gap, and two VMs' gaps
    /// ending within a period of each other made six ends, read as an outage (their gaps were held instead of off).
    /// </summary>
    [Fact]
    public void ManyGapEndsOfTwoVms_AreNotAnOutage()
    {
        using var dir = new TempDir();
        for (int v = 0; v < 2; v++)
            dir.Write($"in/vm{v}.csv", File(Every300(0, 1200)));
        var options = new BitbrainsImportOptions { TickSeconds = 100, MaxHoldSeconds = 150 };
        var report = BitbrainsImporter.Import(dir.File("in"), dir.File("t.dmt"), options);
        Assert.Equal(0, report.NoteOf("collection_outage_gaps"));
        var data = TraceData.Load(dir.File("t.dmt"));
        for (int v = 0; v < 2; v++)
        {
            int[] s = data.Series(v);
            Assert.Equal(1000 + 512, s[1]);   // 100 s: the sample of 0 s, held
            Assert.Equal(-1, s[2]);           // 200 s: 200 s old, beyond the 150-s hold: off
            Assert.Equal(1000 + 512, s[3]);   // 300 s: the next sample
        }
    }

    [Fact]
    public void FromMetadata_ReadsTheRecordedModel_OrNullWithoutOne()
    {
        var meta = new TraceMetadata();
        Assert.Null(DemandModel.FromMetadata(meta));
        new DemandModel { K = 1.25, OsBaseMb = 256, OsBaseCapPercent = 25 }.Record(meta, "test");
        Assert.Equal(new DemandModel { K = 1.25, OsBaseMb = 256, OsBaseCapPercent = 25 }, DemandModel.FromMetadata(meta));
        var old = new TraceMetadata();
        old.Set("demand.k", 1.0).Set("demand.os_base_mb", 512.0); // a trace written before the cap: no cap
        Assert.Equal(new DemandModel { K = 1, OsBaseMb = 512, OsBaseCapPercent = 100 }, DemandModel.FromMetadata(old));
        old.Set("demand.k", "abc");
        Assert.Null(DemandModel.FromMetadata(old));
    }

    [Fact]
    public void WithDemand_ReexpressesEveryValue_WithinOneMbOfImportingAgain()
    {
        var recorded = new DemandModel { K = 1, OsBaseMb = 512, OsBaseCapPercent = 25 };
        var other = new DemandModel { K = 1.25, OsBaseMb = 256, OsBaseCapPercent = 25 };
        var vms = new[] { new TraceVm("big", VmSettings.Dynamic(4096, 1024, 4096)), new TraceVm("small", VmSettings.Dynamic(128, 32, 128)) };
        double[] used = [0, 1, 333.3, 1000, 2500.5];
        var values = new List<int>();
        foreach (TraceVm vm in vms)
            values.AddRange(used.Select(u => recorded.Demand(u, vm.Settings.MaximumMb)));
        values[2] = TraceValues.Off;
        TraceSeries s = TraceSeries.FromValues("t", 300, vms, used.Length, values.ToArray(), null);
        TraceSeries w = s.WithDemand(recorded, other);
        for (int v = 0; v < vms.Length; v++)
        {
            for (int t = 0; t < used.Length; t++)
            {
                if (s.Of(v)[t] < 0)
                {
                    Assert.Equal(TraceValues.Off, w.Of(v)[t]);
                    continue;
                }

                Assert.InRange(w.Of(v)[t] - other.Demand(used[t], vms[v].Settings.MaximumMb), -1, 1);
            }
        }

        Assert.Same(s, s.WithDemand(recorded, recorded));
    }

    [Fact]
    public void VmWhoseSamplesEnd_IsOffAfterTheHold_WhichIsNotAGap()
    {
        // vm1's samples end at 300 s: it is held at 600, 900 and 1200 s (its last sample + 900 s), then off to the end of the
        // trace (1500..3000 s). That is the end of its series, not a gap inside it: ticks_off_in_gaps stays 0.
        using var dir = new TempDir();
        dir.Write("in/vm0.csv", File(Every300(0, 3000)));
        dir.Write("in/vm1.csv", File(Every300(0, 300)));
        var report = BitbrainsImporter.Import(dir.File("in"), dir.File("t.dmt"));
        var data = TraceData.Load(dir.File("t.dmt"));
        int[] vm1 = data.Series(data.VmIndex("vm1.csv"));
        Assert.Equal([1512, 1512, 1512, 1512, 1512, -1, -1, -1, -1, -1, -1], vm1);
        Assert.Equal(3, report.NoteOf("ticks_held"));
        Assert.Equal(0, report.NoteOf("ticks_off_in_gaps"));
    }

    [Fact]
    public void Downsample_Peak_ATickLongerThanTheHold_WhoseSamplesStopWithinIt_IsOn_AlsoAtAMeasuredZero()
    {
        // As Downsample_Peak_ATickLongerThanTheHold_..., with a usage of 0 ("not measured", kept: demand = the OS base):
        // the tick took in on samples (measured 0 MB is on), so it is on at the base, not off.
        using var dir = new TempDir();
        dir.Write("in/vm0.csv", File(Every300(0, 7200).Where(t => t <= 2400 || t >= 4800), usageMb: 0));
        dir.Write("in/vm1.csv", File(Every300(0, 7200)));
        string path = dir.File("t.dmt");
        BitbrainsImporter.Import(dir.File("in"), path, new BitbrainsImportOptions { TickSeconds = 3600, Downsample = DownsampleRule.Peak });
        var data = TraceData.Load(path);
        Assert.Equal([512, 512, 512], data.Series(data.VmIndex("vm0.csv")));
    }

    [Fact]
    public void Downsample_Peak_ATickThatTakesInNoSample_HoldsTheLastSample_NotThePreviousTicksPeak()
    {
        // 900 s ticks; samples at 0, 300, 600, 900 s, then none until 2 700 s. Tick 1 (900 s) peaks at 3000 (its last sample
        // is 1100); tick 2 (1 800 s) takes in no sample and holds the last one, 1100, as Last does (900 s old: the hold);
        // tick 3 (2 700 s) takes in 800.
        using var dir = new TempDir();
        var sb = new StringBuilder(Header);
        foreach ((long t, double usage) in new (long, double)[] { (0, 1000), (300, 3000), (600, 1200), (900, 1100), (2700, 800) })
            sb.Append(Row(T0 + t, 4096, usage));
        dir.Write("in/vm.csv", sb.ToString());
        string path = dir.File("t.dmt");
        BitbrainsImporter.Import(dir.File("in"), path, new BitbrainsImportOptions { TickSeconds = 900, Downsample = DownsampleRule.Peak });
        Assert.Equal([1000 + 512, 3000 + 512, 1100 + 512, 800 + 512], TraceData.Load(path).Series(0));
    }

    [Fact]
    public void GapsEndingOnePeriodApart_AreOneOutage()
    {
        // docs/importers.md: an outage is the gaps of at least 5 VMs whose samples resume within the coincidence window of
        // each other (here one nominal period: every interval that is no gap is 300 s). vm0..vm2 resume at 3 000 s, vm3 and
        // vm4 at 3 300 s (exactly one period later): five VMs together, for the gaps ending at 3 000 s as for those ending
        // at 3 300 s. Held throughout, never off.
        using var dir = new TempDir();
        for (int v = 0; v < 5; v++)
        {
            long resume = v < 3 ? 3000 : 3300;
            dir.Write($"in/vm{v}.csv", File(Every300(0, 6000).Where(t => t <= 1200 || t >= resume)));
        }

        var report = BitbrainsImporter.Import(dir.File("in"), dir.File("t.dmt"));
        Assert.Equal(5, report.NoteOf("collection_outage_gaps"));
        Assert.Equal(0, report.NoteOf("ticks_off_in_gaps"));
        var data = TraceData.Load(dir.File("t.dmt"));
        for (int v = 0; v < 5; v++)
            Assert.All(data.Series(v), value => Assert.Equal(1000 + 512, value));
    }

    [Fact]
    public void GapsOfExactlyTheHold_EndingTogether_AreNoOutage()
    {
        // A gap is long (and may be part of an outage) when it is longer than the hold. Five VMs miss 1 500 and 1 800 s: the
        // next sample, at 2 100 s, is 900 s after the one before, exactly the hold: held, not a long gap, no outage.
        using var dir = new TempDir();
        for (int v = 0; v < 5; v++)
            dir.Write($"in/vm{v}.csv", File(Every300(0, 3000).Where(t => t <= 1200 || t >= 2100)));
        var report = BitbrainsImporter.Import(dir.File("in"), dir.File("t.dmt"));
        Assert.Equal(0, report.NoteOf("collection_outage_gaps"));
        Assert.Equal(0, report.NoteOf("ticks_off_in_gaps"));
        Assert.Equal(5 * 2, report.NoteOf("ticks_held")); // 1 500 and 1 800 s on each VM
    }

    [Fact]
    public void VmDemandingExactlyItsSize_IsNotAboveIt()
    {
        // 3584 + 512 MB = 4096 MB, its Maximum, in every sample: served, not above; 3585 + 512 is above.
        using var dir = new TempDir();
        dir.Write("in/exact.csv", File(Every300(0, 1200), capacityMb: 4096, usageMb: 3584));
        dir.Write("in/over.csv", File(Every300(0, 1200), capacityMb: 4096, usageMb: 3585));
        var report = BitbrainsImporter.Import(dir.File("in"), dir.File("t.dmt"));
        DemandAboveProvisioned over = Assert.Single(report.DemandAboveProvisioned);
        Assert.Equal("over.csv", over.Id);
        Assert.Equal(4097, over.MedianDemandMb);
    }

    [Fact]
    public void DemandAboveProvisioned_MedianOfAnEvenCount_IsTheLowerMiddle_AndTheLargerShareIsListedFirst()
    {
        // docs/importers.md: the median is the ((n − 1) / 2)-th smallest of the n on-samples. "even": 128 MB, base 32 MB
        // (25 %), usages 90, 100, 110, 120 MB: 122 fits, 132..152 are above (3 of 4); median usage 100 MB, demand 132 MB.
        // "most": 4096 MB, base 512, above in 3 of 5 samples (0.6): after "even" (0.75), though its median demand is the
        // larger share of its size (4512 / 4096 against 132 / 128).
        using var dir = new TempDir();
        var sb = new StringBuilder(Header);
        foreach ((long t, double usage) in new (long, double)[] { (0, 110), (300, 90), (600, 120), (900, 100) })
            sb.Append(Row(T0 + t, 128, usage));
        dir.Write("in/even.csv", sb.ToString());
        dir.Write("in/most.csv", Usages(4000, 1000, 4000, 1000, 4000));
        var report = BitbrainsImporter.Import(dir.File("in"), dir.File("t.dmt"));
        Assert.Equal(["even.csv", "most.csv"], report.DemandAboveProvisioned.Select(v => v.Id));
        DemandAboveProvisioned even = report.DemandAboveProvisioned[0];
        Assert.Equal(100, even.MedianUsedMb, 9);
        Assert.Equal(132, even.MedianDemandMb);
        Assert.Equal(0.75, even.ShareAbove, 9);
        Assert.Equal(0.6, report.DemandAboveProvisioned[1].ShareAbove, 9);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void UsageAtOrAboveCapacity_AndNeverOnVms_AreCountedAndClamped_OnBothReadPaths(bool generalPathOnly)
    {
        // docs/importers.md, Bitbrains quirks: usage above the sample's capacity is clamped to it and counted; usage equal to
        // it is neither; usage 0 is kept (demand = the OS base); capacity 0 is off. vm: 4096 of 4096 MB (4096 + 512), 5000
        // of 4096 (clamped: 4096 + 512), 0 (512). never: capacity 0 in both rows, so it is never on.
        using var dir = new TempDir();
        dir.Write("in/vm.csv", Header + Row(T0, 4096, 4096) + Row(T0 + 300, 4096, 5000) + Row(T0 + 600, 4096, 0));
        dir.Write("in/never.csv", Header + Row(T0, 0, 0) + Row(T0 + 300, 0, 0));
        var report = BitbrainsImporter.Import(dir.File("in"), dir.File("t.dmt"), new BitbrainsImportOptions { GeneralPathOnly = generalPathOnly });
        var data = TraceData.Load(dir.File("t.dmt"));
        Assert.Equal([4096 + 512, 4096 + 512, 512], data.Series(data.VmIndex("vm.csv")));
        Assert.Equal(1, report.NoteOf("usage_above_capacity"));
        Assert.Equal(1, report.NoteOf("usage_zero_samples"));
        Assert.Equal(2, report.NoteOf("off_samples"));
        Assert.Equal(1, report.NoteOf("vms_never_on"));
    }

    [Fact]
    public void Measured_DemandOfExactly16Tb_IsAccepted_OneMbMoreIsTooLarge()
    {
        var model = new DemandModel();
        Assert.Equal(TraceValues.MaxCommittedMb, model.Measured(TraceValues.MaxCommittedMb, out bool tooLarge));
        Assert.False(tooLarge);
        model.Measured(TraceValues.MaxCommittedMb + 1.0, out tooLarge);
        Assert.True(tooLarge);
    }

    [Fact]
    public void Convert_ACommittedValueBelowTheOldBase_HasAMeasuredPartOfZero()
    {
        // max(0, committed − fromBase): 100 MB under a 512 MB base measured nothing, so it becomes the new base alone.
        Assert.Equal(512, DemandModel.Convert(100, 512, 2.0, 512));
        Assert.Equal(256 + 1000, DemandModel.Convert(1012, 512, 2.0, 256));
    }
}

using System.Globalization;
using DmKernel.Traces;

namespace DmKernel.Tests.Traces;

/// <summary>
/// Inputs that follow the datasets' documented formats but not the committed samples (a helper's review of the importers
/// against their upstream descriptions, stop 55): Alibaba's time_stamp declared double by the trace's schema, a header a
/// re-export adds, another table of the same trace, blank lines, and a Bitbrains usage past 16 TB that the clamp to the
/// capacity would have taken.
/// </summary>
public sealed class ImporterFormatEdgeTests
{
    private const string BitbrainsHeader = "Timestamp [ms];\tCPU cores;\tCPU capacity provisioned [MHZ];\tCPU usage [MHZ];\tCPU usage [%];\tMemory capacity provisioned [KB];\tMemory usage [KB];\tDisk read throughput [KB/s];\tDisk write throughput [KB/s];\tNetwork received throughput [KB/s];\tNetwork transmitted throughput [KB/s]\n";

    private static string BitbrainsRow(long time, string usageKb) => string.Create(CultureInfo.InvariantCulture, $"{time};\t2;\t4000;\t100;\t2.5;\t8388608;\t{usageKb};\t0;\t0;\t0;\t0\n");

    private static AlibabaImportOptions Alibaba(bool lenient = false) => new() { HostMb = 32_768, Lenient = lenient };

    /// <summary>schema.md declares machine_usage's time_stamp double: "386640.0" and "3.8664E5" are the whole number 386640.</summary>
    [Fact]
    public void Alibaba_WholeDecimalTimestamps_AreTheirWholeNumber_AFractionIsRefused()
    {
        using var dir = new TempDir();
        dir.Write("a.csv", "m_1,0,41,50,,,43,33,5\nm_1,60,41,60,,,43,33,5\nm_1,120,41,70,,,43,33,5\n");
        dir.Write("b.csv", "m_1,0.0,41,50,,,43,33,5\nm_1,6.0E1,41,60,,,43,33,5\nm_1,120.000,41,70,,,43,33,5\n");
        AlibabaImporter.Import(dir.File("a.csv"), dir.File("a.dmt"), Alibaba());
        AlibabaImporter.Import(dir.File("b.csv"), dir.File("b.dmt"), Alibaba());
        var a = TraceData.Load(dir.File("a.dmt"));
        var b = TraceData.Load(dir.File("b.dmt"));
        Assert.Equal(a.Ticks.Select(t => string.Join(",", t)), b.Ticks.Select(t => string.Join(",", t)));

        dir.Write("c.csv", "m_1,0,41,50,,,43,33,5\nm_1,60.5,41,60,,,43,33,5\n");
        var e = Assert.Throws<TraceImportException>(() => AlibabaImporter.Import(dir.File("c.csv"), dir.File("c.dmt"), Alibaba()));
        Assert.Equal((ImportErrorKind.NotANumber, 2, 2), (e.Kind, e.Line, e.Column));
        Assert.Contains("'60.5' is not a whole number", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Alibaba_AHeaderLine_IsNamedAsOne_AndLenientSkipsIt()
    {
        using var dir = new TempDir();
        dir.Write("h.csv", "machine_id,time_stamp,cpu_util_percent,mem_util_percent,mem_gps,mkpi,net_in,net_out,disk_io_percent\nm_1,0,41,50,,,43,33,5\n");
        var e = Assert.Throws<TraceImportException>(() => AlibabaImporter.Import(dir.File("h.csv"), dir.File("h.dmt"), Alibaba()));
        Assert.Equal((ImportErrorKind.BadHeader, 1), (e.Kind, e.Line));
        Assert.Contains("line 1 is a header ('machine_id,time_stamp,", e.Message, StringComparison.Ordinal);
        Assert.Contains("Alibaba's machine_usage.csv has no header", e.Message, StringComparison.Ordinal);
        ImportReport lenient = AlibabaImporter.Import(dir.File("h.csv"), dir.File("h.dmt"), Alibaba(lenient: true));
        Assert.Equal(1, lenient.SkippedOf(ImportErrorKind.BadHeader));
        Assert.Equal(1, lenient.Vms);
    }

    [Theory]
    [InlineData("m_1,0,online,A,96,100,USING\n", 7, "machine_meta.csv")]
    [InlineData("c_1,m_1,0,41,50,1.1,2,3,43,33,5\n", 11, "container_usage.csv")]
    public void Alibaba_AnotherTableOfTheTrace_IsNamed(string row, int fields, string table)
    {
        using var dir = new TempDir();
        dir.Write("t.csv", row);
        var e = Assert.Throws<TraceImportException>(() => AlibabaImporter.Import(dir.File("t.csv"), dir.File("t.dmt"), Alibaba()));
        Assert.Equal(ImportErrorKind.WrongColumnCount, e.Kind);
        Assert.Contains($"{fields} fields, as in the 2018 trace's {table}", e.Message, StringComparison.Ordinal);
    }

    /// <summary>batch_task.csv has 9 fields too: its task names read as machine ids, which Alibaba's never are (m_&lt;n&gt;).</summary>
    [Fact]
    public void Alibaba_IdsUnlikeAlibabasMachines_AreWarnedAbout()
    {
        using var dir = new TempDir();
        dir.Write("bt.csv", "M1,1,j_1,1,Terminated,157213,157295,100,0.3\nR2_1,1,j_1,1,Terminated,157213,157295,100,0.3\n");
        ImportReport r = AlibabaImporter.Import(dir.File("bt.csv"), dir.File("bt.dmt"), Alibaba());
        string warning = Assert.Single(r.Warnings);
        Assert.StartsWith("none of the 2 machine ids looks like Alibaba's (m_1932; the first here is 'M1'): is the file machine_usage.csv?", warning, StringComparison.Ordinal);
        Assert.Equal(1, r.NoteOf("machine_ids_unlike_alibaba"));
        Assert.DoesNotContain(AlibabaImporter.Import(AlibabaFixture.Csv, dir.File("real.dmt"), new AlibabaImportOptions { HostMb = AlibabaFixture.HostMb }).Warnings, w => w.Contains("machine ids", StringComparison.Ordinal));
    }

    /// <summary>A blank line was "1 fields; expected 11": now "the line is empty", in each importer.</summary>
    [Fact]
    public void BlankLines_AreSaidToBeEmpty()
    {
        using var dir = new TempDir();
        dir.Write("bb/1.csv", BitbrainsHeader + BitbrainsRow(1375308176, "1048576") + "\n" + BitbrainsRow(1375308476, "1048576"));
        var e = Assert.Throws<TraceImportException>(() => BitbrainsImporter.Import(dir.File("bb"), dir.File("bb.dmt")));
        Assert.Equal((ImportErrorKind.WrongColumnCount, 3), (e.Kind, e.Line));
        Assert.Contains("the line is empty; expected 11 fields (Bitbrains: ';'-separated); a blank line is not data (--lenient skips and counts it)", e.Message, StringComparison.Ordinal);

        dir.Write("a.csv", "m_1,0,41,50,,,43,33,5\n   \nm_1,60,41,60,,,43,33,5\n");
        e = Assert.Throws<TraceImportException>(() => AlibabaImporter.Import(dir.File("a.csv"), dir.File("a.dmt"), Alibaba()));
        Assert.Equal(2, e.Line);
        Assert.Contains("the line is empty", e.Message, StringComparison.Ordinal);

        // A line of one field that is not blank keeps the count.
        dir.Write("x.csv", "m_1,0,41,50,,,43,33,5\nm_1\n");
        e = Assert.Throws<TraceImportException>(() => AlibabaImporter.Import(dir.File("x.csv"), dir.File("x.dmt"), Alibaba()));
        Assert.Contains(": 1 fields; expected 9 fields", e.Message, StringComparison.Ordinal);
    }

    /// <summary>A usage past 16 TB above a valid capacity is clamped to the capacity as a smaller absurd one is; without the clamp it is refused.</summary>
    [Fact]
    public void Bitbrains_UsagePast16Tb_IsClampedToTheCapacity_AsAnyUsageAboveIt()
    {
        using var dir = new TempDir();
        dir.Write("huge/1.csv", BitbrainsHeader + BitbrainsRow(1375308176, "2E13") + BitbrainsRow(1375308476, "9000000"));
        dir.Write("big/1.csv", BitbrainsHeader + BitbrainsRow(1375308176, "9000000") + BitbrainsRow(1375308476, "9000000"));
        ImportReport huge = BitbrainsImporter.Import(dir.File("huge"), dir.File("huge.dmt"));
        BitbrainsImporter.Import(dir.File("big"), dir.File("big.dmt"));
        Assert.Equal(2, huge.NoteOf("usage_above_capacity"));
        Assert.Equal(TraceData.Load(dir.File("big.dmt")).Ticks.Select(t => string.Join(",", t)), TraceData.Load(dir.File("huge.dmt")).Ticks.Select(t => string.Join(",", t)));

        var e = Assert.Throws<TraceImportException>(() => BitbrainsImporter.Import(dir.File("huge"), dir.File("h2.dmt"), new BitbrainsImportOptions { ClampUsageToCapacity = false }));
        Assert.Equal(ImportErrorKind.OutOfRange, e.Kind);
        Assert.Contains("2E13 KB is more than 16 TB", e.Message, StringComparison.Ordinal);
    }
    /// <summary>
    /// Usage 0 "often means not measured" (the dataset's notes): <see cref="BitbrainsUsageZero.HoldLast"/> carries the VM's
    /// last non-zero usage over such samples (none before its first: 0), clamped to the sample's capacity; the default reads
    /// a measured 0 and warns about VMs that mostly report it. Both read paths agree.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Bitbrains_UsageZero_HoldCarriesTheLastMeasuredUsage_BaseWarnsWhenAVmMostlyReportsIt(bool generalPath)
    {
        using var dir = new TempDir();
        long t = 1375308176;
        string rows = BitbrainsRow(t, "0") + BitbrainsRow(t + 300, "1048576") + BitbrainsRow(t + 600, "0") + BitbrainsRow(t + 900, "0")
            + BitbrainsRow(t + 1200, "2097152") + BitbrainsRow(t + 1500, "0");
        dir.Write("in/1.csv", BitbrainsHeader + rows);
        dir.Write("in/2.csv", BitbrainsHeader + BitbrainsRow(t, "4096") + BitbrainsRow(t + 300, "4096"));
        ImportReport held = BitbrainsImporter.Import(dir.File("in"), dir.File("h.dmt"), new BitbrainsImportOptions { UsageZero = BitbrainsUsageZero.HoldLast, GeneralPathOnly = generalPath, ReadThreads = 1 });
        ImportReport read = BitbrainsImporter.Import(dir.File("in"), dir.File("b.dmt"), new BitbrainsImportOptions { GeneralPathOnly = generalPath, ReadThreads = 1 });
        int[] Vm0(string f) => [.. TraceData.Load(dir.File(f)).Series(0)];
        Assert.Equal([512, 1024 + 512, 1024 + 512, 1024 + 512, 2048 + 512, 2048 + 512], Vm0("h.dmt"));
        Assert.Equal([512, 1024 + 512, 512, 512, 2048 + 512, 512], Vm0("b.dmt"));
        Assert.Equal((4, 3), (held.NoteOf("usage_zero_samples"), held.NoteOf("usage_zero_held")));
        Assert.Empty(held.Warnings);
        Assert.Equal("hold: a usage of 0 while on carries the VM's last non-zero usage (none yet: 0)", TraceData.Load(dir.File("h.dmt")).Header.Metadata["bitbrains.usage_zero"]);

        string warning = Assert.Single(read.Warnings);
        Assert.StartsWith("1 VM(s) report a usage of 0 in more than half of the samples where they are on (the most: '1.csv', 66.7 %; the usage is 0 in 50.0 % of all the trace's samples where a VM is on)", warning, StringComparison.Ordinal);
        Assert.Contains("--usage-zero hold carries each VM's last measured usage over them", warning, StringComparison.Ordinal);
        Assert.Equal(1, read.NoteOf("vms_mostly_usage_zero"));
    }

    /// <summary>A held usage is clamped to the capacity of the sample it fills (the capacity can shrink).</summary>
    [Fact]
    public void Bitbrains_HeldUsage_IsClampedToTheSamplesCapacity()
    {
        using var dir = new TempDir();
        long t = 1375308176;
        string small = string.Create(CultureInfo.InvariantCulture, $"{t + 300};\t2;\t4000;\t100;\t2.5;\t1048576;\t0;\t0;\t0;\t0;\t0\n");
        dir.Write("in/1.csv", BitbrainsHeader + BitbrainsRow(t, "4194304") + small);
        BitbrainsImporter.Import(dir.File("in"), dir.File("h.dmt"), new BitbrainsImportOptions { UsageZero = BitbrainsUsageZero.HoldLast });
        Assert.Equal([4096 + 512, 1024 + 512], TraceData.Load(dir.File("h.dmt")).Series(0)); // 4 GB held as 1 GB, the base of the VM's 4 GB Maximum
    }
    /// <summary>
    /// <see cref="ImportOptions.HoldGaps"/>: a gap between two samples is held however long (Alibaba's machines have gaps of
    /// up to 7.4 h with no marker of a stop: by default 5.5 % of the sample's machine-ticks are off, each gap ending with a
    /// boot at Startup); before the first and after the last sample (plus the hold) the VM is still off. Without it, a
    /// large share off in gaps is warned about.
    /// </summary>
    [Fact]
    public void HoldGaps_HoldsAGapBetweenSamples_NotPastTheLast_AndTheDefaultWarnsOfALargeShareOff()
    {
        using var dir = new TempDir();
        // m_1: samples at 0..300, a gap to 3600, then 3660; m_2 every 60 s from 0 to 3660 (so no collection outage).
        string rows = "m_1,0,41,50,,,43,33,5\nm_1,300,41,50,,,43,33,5\nm_1,3600,41,60,,,43,33,5\nm_1,3660,41,60,,,43,33,5\n"
            + string.Concat(Enumerable.Range(0, 62).Select(k => string.Create(CultureInfo.InvariantCulture, $"m_2,{k * 60},41,40,,,43,33,5\n")));
        dir.Write("g.csv", rows);
        ImportReport off = AlibabaImporter.Import(dir.File("g.csv"), dir.File("off.dmt"), Alibaba());
        ImportReport held = AlibabaImporter.Import(dir.File("g.csv"), dir.File("held.dmt"), Alibaba() with { HoldGaps = true });
        int[] a = TraceData.Load(dir.File("off.dmt")).Series(0), b = TraceData.Load(dir.File("held.dmt")).Series(0);
        Assert.Equal(a.Length, b.Length);
        int gapOff = a.Count(x => x == TraceValues.Off);
        Assert.True(gapOff > 30, $"{gapOff} ticks off in the gap by default");
        Assert.Equal(off.NoteOf("ticks_off_in_gaps"), held.NoteOf("ticks_held_in_gaps"));
        Assert.Equal(0, held.NoteOf("ticks_off_in_gaps"));
        Assert.DoesNotContain(TraceValues.Off, b); // held from 300 s to 3600 s at the 300-s sample's value
        Assert.Equal(b[5], b[40]);
        Assert.Equal("true", TraceData.Load(dir.File("held.dmt")).Header.Metadata["resample.hold_gaps"]);

        string warning = Assert.Single(off.Warnings);
        Assert.Contains("of the VM-ticks fall in gaps between samples longer than the 600-s hold and are off", warning, StringComparison.Ordinal);
        Assert.Contains("--hold-gaps holds the last value over them", warning, StringComparison.Ordinal);
        Assert.Empty(held.Warnings);

        // After the last sample the VM goes off after the hold, as without the option.
        dir.Write("end.csv", "m_1,0,41,50,,,43,33,5\nm_2,0,41,50,,,43,33,5\n" + string.Concat(Enumerable.Range(1, 40).Select(k => string.Create(CultureInfo.InvariantCulture, $"m_2,{k * 60},41,40,,,43,33,5\n"))));
        AlibabaImporter.Import(dir.File("end.csv"), dir.File("end.dmt"), Alibaba() with { HoldGaps = true });
        Assert.Contains(TraceValues.Off, TraceData.Load(dir.File("end.dmt")).Series(0));
    }
    /// <summary>
    /// A gap after a sample that says the VM is off (capacity 0) is neither a stop in a gap nor a hold: the VM is off
    /// because the source says so (a review found such ticks counted as off in gaps, raising the gap warning, and as held
    /// under HoldGaps).
    /// </summary>
    [Fact]
    public void AGapAfterAnOffSample_IsOff_CountedAsNeitherAGapNorAHold()
    {
        using var dir = new TempDir();
        long t = 1375308176;
        string off = string.Create(CultureInfo.InvariantCulture, $"{t + 300};\t2;\t4000;\t100;\t2.5;\t0;\t0;\t0;\t0;\t0;\t0\n");
        dir.Write("in/1.csv", BitbrainsHeader + BitbrainsRow(t, "1048576") + off + BitbrainsRow(t + 7500, "1048576"));
        foreach (bool holdGaps in new[] { false, true })
        {
            ImportReport r = BitbrainsImporter.Import(dir.File("in"), dir.File("o.dmt"), new BitbrainsImportOptions { HoldGaps = holdGaps });
            int[] series = TraceData.Load(dir.File("o.dmt")).Series(0);
            Assert.Equal(TraceValues.Off, series[1]);
            Assert.Equal(TraceValues.Off, series[20]);
            Assert.NotEqual(TraceValues.Off, series[^1]);
            Assert.Equal((0, 0), (r.NoteOf("ticks_off_in_gaps"), r.NoteOf("ticks_held_in_gaps")));
            Assert.DoesNotContain(r.Warnings, w => w.Contains("fall in gaps", StringComparison.Ordinal));
        }
    }

    /// <summary>Under --usage-zero hold, zeros before a VM's first measured usage have nothing to hold: said when they are most of its samples.</summary>
    [Fact]
    public void Bitbrains_HoldWithLeadingZeros_SaysTheyCannotBeHeld()
    {
        using var dir = new TempDir();
        long t = 1375308176;
        dir.Write("in/lead.csv", BitbrainsHeader + string.Concat(Enumerable.Range(0, 5).Select(k => BitbrainsRow(t + (300 * k), k < 4 ? "0" : "1048576"))));
        ImportReport r = BitbrainsImporter.Import(dir.File("in"), dir.File("o.dmt"), new BitbrainsImportOptions { UsageZero = BitbrainsUsageZero.HoldLast });
        Assert.Equal((4, 0), (r.NoteOf("usage_zero_samples"), r.NoteOf("usage_zero_held")));
        string warning = Assert.Single(r.Warnings);
        Assert.StartsWith("1 VM(s) report a usage of 0 before any measured usage in more than half of the samples where they are on (the most: 'lead.csv', 80.0 %): --usage-zero hold has nothing to carry there", warning, StringComparison.Ordinal);
    }

    /// <summary>Month folders whose files run a few minutes into the next month are still apart (an overlap up to 1 % of the shortest span).</summary>
    [Fact]
    public void FoldersOverlappingByMinutes_AreStillApart()
    {
        using var dir = new TempDir();
        long t = 1375308176;
        dir.Write("rnd/a/1.csv", BitbrainsHeader + string.Concat(Enumerable.Range(0, 300).Select(k => BitbrainsRow(t + (300 * k), "1048576"))));
        dir.Write("rnd/b/1.csv", BitbrainsHeader + string.Concat(Enumerable.Range(0, 300).Select(k => BitbrainsRow(t + (300 * 298) + (300 * k), "1048576"))));
        Assert.Single(BitbrainsImporter.Import(dir.File("rnd"), dir.File("o.dmt")).Warnings, w => w.Contains("one after another", StringComparison.Ordinal));

        // A folder of one sample has no span: the tolerance still comes from the folders that have one (a review found
        // it made the tolerance 0 for every folder).
        dir.Write("rnd/c/1.csv", BitbrainsHeader + BitbrainsRow(t + (300 * 2000), "1048576"));
        Assert.Single(BitbrainsImporter.Import(dir.File("rnd"), dir.File("o.dmt")).Warnings, w => w.StartsWith("the input's 3 folders cover time spans one after another", StringComparison.Ordinal));
    }

    /// <summary>The ticks right after an off sample, within the hold, are off and not counted as held (a review found them counted).</summary>
    [Fact]
    public void TicksAfterAnOffSample_AreNotCountedAsHeld()
    {
        using var dir = new TempDir();
        long t = 1375308176;
        string off = string.Create(CultureInfo.InvariantCulture, $"{t + 1500};\t2;\t4000;\t100;\t2.5;\t0;\t0;\t0;\t0;\t0;\t0\n");
        string on = string.Concat(Enumerable.Range(0, 5).Select(k => BitbrainsRow(t + (300 * k), "1048576")));
        string after = string.Concat(Enumerable.Range(0, 5).Select(k => BitbrainsRow(t + 9000 + (300 * k), "1048576")));
        dir.Write("in/1.csv", BitbrainsHeader + on + off + after);
        ImportReport r = BitbrainsImporter.Import(dir.File("in"), dir.File("o.dmt"));
        Assert.Equal(0, r.NoteOf("ticks_held"));
        dir.Write("in2/1.csv", BitbrainsHeader + on + after); // the same gap after an on sample: held for the hold, then off
        Assert.Equal(3, BitbrainsImporter.Import(dir.File("in2"), dir.File("o2.dmt")).NoteOf("ticks_held"));
    }
}

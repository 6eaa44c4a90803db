using System.Globalization;
using DmKernel.Traces;

namespace DmKernel.Tests.Traces;

public sealed class AlibabaFixture : IDisposable
{
    public const int HostMb = 262_144;
    private readonly TempDir _dir = new();
    private readonly Lazy<(ImportReport Report, TraceData Data)> _import;

    public AlibabaFixture() => _import = new(() =>
    {
        string output = _dir.File("alibaba.dmt");
        var report = AlibabaImporter.Import(Csv, output, new AlibabaImportOptions { HostMb = HostMb });
        return (report, TraceData.Load(output));
    });

    public static string Csv => RealTraces.Path("alibaba-2018-machine-usage/machine_usage.csv");

    public ImportReport Report => _import.Value.Report;

    public TraceData Data => _import.Value.Data;

    public void Dispose() => _dir.Dispose();
}

public sealed class AlibabaImporterTests(AlibabaFixture fixture) : IClassFixture<AlibabaFixture>
{
    private static readonly char[] Comma = [','];

    private static List<(long Time, double Mem)> Rows(string machine)
    {
        var rows = new List<(long, double)>();
        foreach (string line in File.ReadLines(AlibabaFixture.Csv))
        {
            if (!line.StartsWith(machine + ",", StringComparison.Ordinal))
                continue;
            string[] f = line.Split(Comma);
            rows.Add((long.Parse(f[1], CultureInfo.InvariantCulture), double.Parse(f[3], CultureInfo.InvariantCulture)));
        }

        return rows;
    }

    [Fact]
    public void NoHeader_EveryRowIsData_EachMachineIsAHostWithOneWorkload()
    {
        Assert.Equal(File.ReadLines(AlibabaFixture.Csv).Count(), fixture.Report.RowsRead); // no header line
        Assert.Equal(0, fixture.Report.SkippedTotal);
        Assert.Equal(16, fixture.Data.Vms.Count);
        Assert.Equal(16, fixture.Data.Hosts.Count);
        for (int i = 0; i < 16; i++)
        {
            Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"m_{1932 + i}"), fixture.Data.Vms[i].Id);
            Assert.Equal(i, fixture.Data.Vms[i].Host);
            Assert.Equal(new TraceHost(AlibabaFixture.HostMb, 2048), fixture.Data.Hosts[i]);
            Assert.Equal(AlibabaFixture.HostMb - 2048, fixture.Data.Vms[i].Settings.MaximumMb);
        }
    }

    [Fact]
    public void RelativeIrregularTimestamps_ResampleToSixtySecondTicksFromZero()
    {
        Assert.Equal(60, fixture.Data.Header.TickSeconds);
        Assert.Equal(691_180 / 60 + 1, fixture.Data.Header.TickCount);
        Assert.Equal("0", fixture.Data.Header.Metadata["resample.start_seconds"]);
        // Each tick holds the last sample at or before it.
        var rows = Rows("m_1940");
        var series = fixture.Data.Series(8);
        int i = -1, checkedTicks = 0;
        for (int t = 0; t < series.Length; t++)
        {
            while (i + 1 < rows.Count && rows[i + 1].Time <= t * 60L)
                i++;
            if (i < 0 || t * 60L - rows[i].Time > 600)
                continue;
            Assert.Equal((int)Math.Round(rows[i].Mem / 100 * AlibabaFixture.HostMb, MidpointRounding.AwayFromZero), series[t]);
            checkedTicks++;
        }

        Assert.True(checkedTicks > 10_000, $"{checkedTicks}");
    }

    [Fact]
    public void MemUtilPercent_BecomesMbOfTheGivenHostSize()
    {
        // m_1932,386640,41,92,... : tick 6444 (386,640 s) = 92 % of 256 GiB.
        Assert.Equal(241_172, fixture.Data.Ticks[6444][0]);
        Assert.Equal("262144", fixture.Data.Header.Metadata["alibaba.host_mb"]);
    }

    [Fact]
    public void MachinesCutOff_AreOffOutsideTheirSamples()
    {
        var first = fixture.Data.Series(0); // m_1932 from 386,640 s
        Assert.All(first[..6444], v => Assert.Equal(-1, v));
        Assert.NotEqual(-1, first[6444]);
        var last = fixture.Data.Series(15); // m_1947 up to 188,370 s
        Assert.NotEqual(-1, last[188_370 / 60]);
        Assert.All(last[((188_370 + 600) / 60 + 1)..], v => Assert.Equal(-1, v));
    }

    [Fact]
    public void EmptyFieldsAndAbnormalDiskValues_AreIgnored_TheirMemoryIsRead()
    {
        // Rows with empty mem_gps/mkpi (most of the sample) or disk_io_percent -1 or 101 (a handful) are not errors in
        // strict mode, and their mem_util is the value of the ticks they cover (the last sample at or before the tick).
        string[][] rows = [.. File.ReadLines(AlibabaFixture.Csv).Select(l => l.Split(Comma))];
        Assert.Equal(rows.Length, fixture.Report.RowsRead);
        Assert.Equal(0, fixture.Report.SkippedTotal);
        int empty = 0, abnormal = 0, checkedRows = 0;
        for (int r = 0; r < rows.Length; r++)
        {
            string[] f = rows[r];
            bool isEmpty = f[4].Length == 0 || f[5].Length == 0, isAbnormal = f[8] is "-1" or "101";
            empty += isEmpty ? 1 : 0;
            abnormal += isAbnormal ? 1 : 0;
            if (!isEmpty && !isAbnormal)
                continue;
            long time = long.Parse(f[1], CultureInfo.InvariantCulture);
            long next = r + 1 < rows.Length && rows[r + 1][0] == f[0] ? long.Parse(rows[r + 1][1], CultureInfo.InvariantCulture) : long.MaxValue;
            long tick = (time + 59) / 60; // the first tick at or after the row
            if (tick * 60 >= next || tick >= fixture.Data.Header.TickCount)
                continue; // the next row covers that tick
            int expected = (int)Math.Round(double.Parse(f[3], CultureInfo.InvariantCulture) / 100 * AlibabaFixture.HostMb, MidpointRounding.AwayFromZero);
            Assert.Equal(expected, fixture.Data.Ticks[(int)tick][fixture.Data.VmIndex(f[0])]);
            checkedRows++;
        }

        Assert.True(empty > 1000 && abnormal > 0, $"{empty} rows with empty fields, {abnormal} with abnormal disk values: the sample no longer has them");
        Assert.True(checkedRows > 1000, $"{checkedRows}");
    }

    /// <summary>
    /// The window within which the ends of a collection outage's gaps fall (docs/importers.md, "Collection outages"), from
    /// the raw file: the 99th percentile of the intervals between a machine's consecutive samples that are not gaps (at most
    /// the 600-s hold), at least the nominal 60 s.
    /// </summary>
    private static long CoincidenceWindow()
    {
        var intervals = new List<long>();
        foreach (string machine in File.ReadLines(AlibabaFixture.Csv).Select(l => l.Split(Comma)[0]).Distinct())
        {
            var r = Rows(machine).Select(x => x.Time).Distinct().Order().ToList();
            for (int i = 1; i < r.Count; i++)
            {
                if (r[i] - r[i - 1] <= 600)
                    intervals.Add(r[i] - r[i - 1]);
            }
        }

        intervals.Sort();
        return Math.Max(60, intervals[(int)Math.Ceiling(0.99 * intervals.Count) - 1]);
    }

    /// <summary>Long gaps (over 600 s) of every machine whose samples resume within <paramref name="window"/> s of <paramref name="end"/>.</summary>
    private static int GapsEndingNear(long end, long window)
    {
        int n = 0;
        foreach (string machine in File.ReadLines(AlibabaFixture.Csv).Select(l => l.Split(Comma)[0]).Distinct())
        {
            var r = Rows(machine).Select(x => x.Time).Order().ToList();
            for (int i = 1; i < r.Count; i++)
            {
                if (r[i] - r[i - 1] > 600 && Math.Abs(r[i] - end) <= window)
                    n++;
            }
        }

        return n;
    }

    [Fact]
    public void LongGaps_BecomeOff_ShortOnesAreHeld()
    {
        Assert.True(fixture.Report.NoteOf("ticks_held") > 1000);
        Assert.True(fixture.Report.NoteOf("ticks_off_in_gaps") > 100);
        long window = CoincidenceWindow();
        var rows = Rows("m_1935");
        var series = fixture.Data.Series(3);
        for (int k = 1; k < rows.Count; k++)
        {
            // A gap of this machine alone (fewer than 5 machines' long gaps end within the coincidence window either side
            // of it: not a collection outage).
            if (rows[k].Time - rows[k - 1].Time <= 1200 || GapsEndingNear(rows[k].Time, window) >= 5)
                continue;
            long offTick = (rows[k - 1].Time + 601 + 59) / 60; // first tick more than 600 s after the gap's start
            Assert.Equal(-1, series[offTick]);
            Assert.NotEqual(-1, series[(rows[k - 1].Time + 59) / 60]);
            return;
        }

        Assert.Fail("no gap over 1200 s in m_1935");
    }

    [Fact]
    public void SharedCollectionGap_OfEveryMachineRunning_IsAnOutage_HeldThroughout_AndNoOtherGapIs()
    {
        // The sample has one gap that every machine within its sampled span shares (about 37-45 h in): the collection
        // stopped, and after it restarted each machine's first sample came up to one of its (irregular) intervals later.
        // Every such machine holds its last value across the gap, never off, and those are the only outage gaps.
        const long During = 156_000; // tick 2600
        int running = 0;
        foreach (string machine in File.ReadLines(AlibabaFixture.Csv).Select(l => l.Split(Comma)[0]).Distinct())
        {
            var rows = Rows(machine).OrderBy(r => r.Time).ToList();
            if (rows[0].Time > During || rows[^1].Time < During)
                continue;
            running++;
            int k = rows.FindIndex(r => r.Time > During);
            var (before, after) = (rows[k - 1], rows[k]);
            Assert.True(after.Time - before.Time > 600, $"{machine}: {before.Time}..{after.Time} is no gap past the hold");
            int held = (int)Math.Round(before.Mem / 100 * AlibabaFixture.HostMb, MidpointRounding.AwayFromZero);
            var series = fixture.Data.Series(fixture.Data.VmIndex(machine));
            for (long t = (before.Time + 59) / 60; t * 60 < after.Time; t++)
                Assert.True(held == series[t], $"{machine} at tick {t} ({t * 60} s): {series[t]}, expected {held} (held over {before.Time}..{after.Time} s)");
        }

        Assert.True(running >= 10, $"{running} machines within their span at {During} s");
        Assert.Equal(running, fixture.Report.NoteOf("collection_outage_gaps"));
    }

    /// <summary>
    /// Six machines in Alibaba's format sampled at irregular intervals of 60-400 s (seeded), with no sample between their
    /// last before 20 000 s and 30 000 s + <paramref name="resume"/>[machine]; 50 + machine % memory throughout.
    /// </summary>
    private static string IrregularMachines(long[] resume, out long[] lastBefore, out long[] firstAfter)
    {
        var sb = new System.Text.StringBuilder();
        lastBefore = new long[resume.Length];
        firstAfter = new long[resume.Length];
        for (int m = 0; m < resume.Length; m++)
        {
            var rng = new Random(1931 + m);
            var times = new List<long>();
            for (long t = rng.Next(0, 60); t < 20_000; t += rng.Next(60, 401))
                times.Add(t);
            lastBefore[m] = times[^1];
            firstAfter[m] = 30_000 + resume[m];
            for (long t = firstAfter[m]; t < 50_000; t += rng.Next(60, 401))
                times.Add(t);
            foreach (long t in times)
                sb.Append(CultureInfo.InvariantCulture, $"m_{m},{t},10,{50 + m},,,1.0,1.0,5\n");
        }

        return sb.ToString();
    }

    [Theory]
    [InlineData(new long[] { 0, 60, 120, 180, 240, 300 }, true)]             // restart at 30 000 s, first samples over 300 s
    [InlineData(new long[] { 0, 3600, 7200, 10_800, 14_400, 18_000 }, false)] // each resumes an hour after the one before
    [InlineData(new long[] { 0, 0, 350, 700, 700, 18_000 }, false)]          // 700 s apart: each end within 400 s of 350, no 5 within 400 s of each other
    public void IrregularSampling_GapsEndingWithinOneMeasuredInterval_AreAnOutage(long[] resume, bool outage)
    {
        // Before, the ends had to fall within one nominal period (60 s) of each other: samples every 60-400 s resume up
        // to one of those intervals after the collection restarts, so a shared gap was an outage for at most two or three
        // machines' ends together, and the six turned off and booted again at Startup.
        using var dir = new TempDir();
        string csv = dir.Write("machine_usage.csv", IrregularMachines(resume, out long[] lastBefore, out long[] firstAfter));
        string output = dir.File("t.dmt");
        var report = AlibabaImporter.Import(csv, output, new AlibabaImportOptions { HostMb = AlibabaFixture.HostMb });
        var data = TraceData.Load(output);
        Assert.Equal(outage ? resume.Length : 0, report.NoteOf("collection_outage_gaps"));
        long pastHoldTicks = 0;
        for (int m = 0; m < resume.Length; m++)
        {
            int[] s = data.Series(data.VmIndex(string.Create(CultureInfo.InvariantCulture, $"m_{m}")));
            int value = (int)Math.Round((50 + m) / 100.0 * AlibabaFixture.HostMb, MidpointRounding.AwayFromZero);
            for (long t = (lastBefore[m] + 59) / 60; t * 60 < firstAfter[m]; t++)
            {
                bool pastHold = t * 60 - lastBefore[m] > 600;
                pastHoldTicks += pastHold ? 1 : 0;
                Assert.True((outage || !pastHold ? value : -1) == s[t], $"m_{m} at {t * 60} s: {s[t]} (gap {lastBefore[m]}..{firstAfter[m]} s)");
            }

            Assert.Equal(value, s[(firstAfter[m] + 59) / 60]); // on again at the next sample
        }

        Assert.True(pastHoldTicks > 0);
        Assert.Equal(outage ? pastHoldTicks : 0, report.NoteOf("ticks_held_in_outages"));
        Assert.Equal(outage ? 0 : pastHoldTicks, report.NoteOf("ticks_off_in_gaps"));
    }
}

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

    /// <summary>Long gaps (over 600 s) of every machine whose samples resume within 60 s of <paramref name="end"/>.</summary>
    private static int GapsEndingNear(long end)
    {
        int n = 0;
        foreach (string machine in File.ReadLines(AlibabaFixture.Csv).Select(l => l.Split(Comma)[0]).Distinct())
        {
            var r = Rows(machine).Select(x => x.Time).Order().ToList();
            for (int i = 1; i < r.Count; i++)
            {
                if (r[i] - r[i - 1] > 600 && Math.Abs(r[i] - end) <= 60)
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
        var rows = Rows("m_1935");
        var series = fixture.Data.Series(3);
        for (int k = 1; k < rows.Count; k++)
        {
            // A gap of this machine alone (fewer than 5 machines' long gaps end within 60 s of it: not a collection outage).
            if (rows[k].Time - rows[k - 1].Time <= 1200 || GapsEndingNear(rows[k].Time) >= 5)
                continue;
            long offTick = (rows[k - 1].Time + 601 + 59) / 60; // first tick more than 600 s after the gap's start
            Assert.Equal(-1, series[offTick]);
            Assert.NotEqual(-1, series[(rows[k - 1].Time + 59) / 60]);
            return;
        }

        Assert.Fail("no gap over 1200 s in m_1935");
    }
}

using System.Collections.Immutable;
using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Environments;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains;
using BenchmarkDotNet.Toolchains.Results;
using BenchmarkDotNet.Validators;
using DmKernel.Benchmarks;
using DmKernel.Benchmarks.Columns;

namespace DmKernel.Tests.Bench;

/// <summary>
/// The derived columns of the tables (<see cref="FloorRatioColumn"/>, <see cref="SpeedupColumn"/>,
/// <see cref="NsPerVmColumn"/>, <see cref="BytesPerVmColumn"/>) and CI's summary (<see cref="CiMode"/>) on summaries made
/// here from the suites' real cases (BenchmarkDotNet's own conversion of TickBench and ParallelTickBench; nothing runs),
/// with chosen iteration times: every case's times are its path's (or thread count's) base times a factor of its other
/// parameters (Vms / 10 000, × 3 at 25 % short, × 7 realistic), so a ratio to the right row is the two bases' ratio and
/// a ratio to a row of another size, share or workload is off by a factor of 3 or more.
/// </summary>
/// <remarks>One class: the CI-mode case counts set <see cref="BenchSizes.CiMode"/>, which the conversions read.</remarks>
public class BenchColumnTests
{
    private const double Unit = 10_000;

    /// <summary>Base of each TickBench path, in units of 10 000 ns; kernels' iterations are b, b, 4b (mean 2b, median b), floors' b, b, b.</summary>
    private static double Base(TickPath path) => path switch
    {
        TickPath.MinFloor => 1,
        TickPath.ColFloor => 2,
        TickPath.V512 => 3,
        TickPath.V256 => 4,
        TickPath.V128 => 5,
        _ => 12,
    };

    private static double Factor(BenchmarkCase c, int unitVms)
        => (int)c.Parameters["Vms"] / (double)unitVms
            * (c.Parameters.Items.Any(p => p.Name == "ShortSharePercent") && (int)c.Parameters["ShortSharePercent"] == 25 ? 3 : 1)
            * ((TickWorkload)c.Parameters["Workload"] == TickWorkload.Realistic ? 7 : 1);

    private static double[] TickIterations(BenchmarkCase c)
    {
        var path = (TickPath)c.Parameters["Path"];
        double b = Base(path) * Factor(c, 10_000) * Unit;
        return path is TickPath.MinFloor or TickPath.ColFloor ? [b, b, b] : [b, b, 4 * b];
    }

    /// <summary>ParallelTickBench: one thread 9 units, two threads 5, times Vms / 50 000 and × 7 realistic.</summary>
    private static double[] ParallelIterations(BenchmarkCase c)
    {
        double b = ((int)c.Parameters["Threads"] == 1 ? 9 : 5) * Factor(c, 50_000) * Unit;
        return [b, b, b];
    }

    internal static BenchmarkCase[] Cases(Type suite) => BenchmarkConverter.TypeToBenchmarks(suite).BenchmarksCases;

    internal static BenchmarkReport Report(BenchmarkCase c, double[] iterationsNs, bool success = true)
    {
        GenerateResult generate = GenerateResult.Success(ArtifactsPaths.Empty, []);
        var lines = iterationsNs.Select((ns, i) => new Measurement(1, IterationMode.Workload, IterationStage.Result, i + 1, 1, ns).ToString()).ToList();
        var execute = new ExecuteResult(true, 0, 1, lines, [], [], 1);
        return new BenchmarkReport(success, c, generate, BuildResult.Success(generate), [execute], []);
    }

    internal static Summary SummaryOf(IEnumerable<BenchmarkReport> reports, params ValidationError[] validationErrors)
        => new("test", [.. reports], HostEnvironmentInfo.GetCurrent(), "", "", TimeSpan.Zero, CultureInfo.InvariantCulture,
            [.. validationErrors], ImmutableArray<IColumnHidingRule>.Empty, SummaryStyle.Default);

    private static Summary TickSummary(Func<BenchmarkCase, bool>? keep = null)
        => SummaryOf(Cases(typeof(TickBench)).Where(keep ?? (_ => true)).Select(c => Report(c, TickIterations(c))));

    private static Summary ParallelSummary() => SummaryOf(Cases(typeof(ParallelTickBench)).Select(c => Report(c, ParallelIterations(c))));

    private static TickPath PathOf(BenchmarkCase c) => (TickPath)c.Parameters["Path"];

    [Fact]
    public void TickBench_HasEveryPathWorkloadShortShareAndSize()
    {
        BenchmarkCase[] cases = Cases(typeof(TickBench));

        // 3 sizes × 2 short shares × 2 workloads × 6 paths.
        Assert.Equal(72, cases.Length);
        Assert.Equal(72, cases.Select(c => (c.Parameters["Vms"], c.Parameters["ShortSharePercent"], c.Parameters["Workload"], c.Parameters["Path"])).Distinct().Count());
    }

    /// <summary>
    /// Each path's ratios by hand from the bases: V512 mean 6 (2 × 3), median 3: /MinFloor 6.00, of medians 3.00,
    /// /ColFloor 3.00, /Scalar 6 / 24 = 0.25; V128: 10.00, 5.00, 5.00, 10 / 24 = 0.42; Scalar: 24.00, 12.00, 12.00, 1.00;
    /// the floors: MinFloor 1.00, 1.00, 0.50, 1 / 24 = 0.04, ColFloor 2.00, 2.00, 1.00, 2 / 24 = 0.08. The same at every
    /// size, share and workload: each row is divided by the floor of its own.
    /// </summary>
    [Fact]
    public void FloorRatioColumns_DivideByTheRowOfTheSameSizeShortShareAndWorkload()
    {
        Summary summary = TickSummary();
        var expected = new Dictionary<TickPath, string[]>
        {
            [TickPath.V512] = ["6.00", "3.00", "3.00", "0.25"],
            [TickPath.V256] = ["8.00", "4.00", "4.00", "0.33"],
            [TickPath.V128] = ["10.00", "5.00", "5.00", "0.42"],
            [TickPath.Scalar] = ["24.00", "12.00", "12.00", "1.00"],
            [TickPath.MinFloor] = ["1.00", "1.00", "0.50", "0.04"],
            [TickPath.ColFloor] = ["2.00", "2.00", "1.00", "0.08"],
        };
        IColumn[] columns = [FloorRatioColumn.Minimal, FloorRatioColumn.MinimalOfMedians, FloorRatioColumn.SameColumns, FloorRatioColumn.ScalarReference];
        foreach (BenchmarkCase c in summary.BenchmarksCases)
        {
            Assert.Equal(expected[PathOf(c)], columns.Select(column => column.GetValue(summary, c)).ToArray());
        }

        Assert.Equal(["/MinFloor", "Median/MinFloor", "/ColFloor", "/Scalar"], columns.Select(column => column.ColumnName));
        Assert.Equal(4, columns.Select(column => column.Id).Distinct().Count());
        Assert.All(columns, column => Assert.True(column.IsAvailable(summary)));
        Assert.False(FloorRatioColumn.Minimal.IsAvailable(ParallelSummary()));
    }

    [Fact]
    public void FloorRatioColumn_WithoutItsFloorRow_IsNA_NotARatioToAnotherRow()
    {
        // The minimal floor of 10 000 VMs, steady, 0 % is missing; the other sizes' and shares' floors are there.
        Summary summary = TickSummary(c => !(PathOf(c) == TickPath.MinFloor && (int)c.Parameters["Vms"] == 10_000
            && (int)c.Parameters["ShortSharePercent"] == 0 && (TickWorkload)c.Parameters["Workload"] == TickWorkload.Steady));
        foreach (BenchmarkCase c in summary.BenchmarksCases)
        {
            bool orphan = (int)c.Parameters["Vms"] == 10_000 && (int)c.Parameters["ShortSharePercent"] == 0 && (TickWorkload)c.Parameters["Workload"] == TickWorkload.Steady;
            Assert.Equal(orphan, FloorRatioColumn.Minimal.GetValue(summary, c) == "NA");
            Assert.NotEqual("NA", FloorRatioColumn.SameColumns.GetValue(summary, c));
        }
    }

    /// <summary>
    /// ns/VM is shown only in tables whose cases have a Vms parameter: ReclaimBench and AddVmBench count VMs per host, and
    /// their committed tables read NA on every row of it (before stop 53); the summary's machine carries the processor's
    /// name as BenchmarkDotNet reports it, and its logical cores.
    /// </summary>
    [Fact]
    public void NsPerVmColumn_IsAvailableOnlyWhereCasesCountVms_AndTheMachineNameCarriesTheCores()
    {
        Summary Of(Type suite) => SummaryOf(Cases(suite).Select(c => Report(c, [1_000, 1_000, 1_000])));
        Assert.True(NsPerVmColumn.Instance.IsAvailable(Of(typeof(TickBench))));
        Assert.False(NsPerVmColumn.Instance.IsAvailable(Of(typeof(ReclaimBench))));
        Assert.False(NsPerVmColumn.Instance.IsAvailable(Of(typeof(AddVmBench))));

        Summary summary = Of(typeof(TickBench));
        string machine = CiMode.MachineName(summary);
        Assert.StartsWith(summary.HostEnvironmentInfo.Cpu.Value!.ProcessorName!, machine, StringComparison.Ordinal);
        Assert.Matches(@", \d+ logical cores$", machine);
    }

    /// <summary>ns/VM: the mean over Vms. V512 at 10 000 VMs steady 0 %: 60 000 ns / 10 000 = 6.000; realistic 25 % at
    /// 1 000 000: 60 000 × 100 × 3 × 7 / 1 000 000 = 126.000; the minimal floor at 50 000, steady 25 %: 10 000 × 5 × 3 /
    /// 50 000 = 3.000.</summary>
    [Fact]
    public void NsPerVmColumn_IsTheMeanOverVms()
    {
        Summary summary = TickSummary();
        string Value(int vms, int share, TickWorkload workload, TickPath path)
            => NsPerVmColumn.Instance.GetValue(summary, summary.BenchmarksCases.Single(c => (int)c.Parameters["Vms"] == vms
                && (int)c.Parameters["ShortSharePercent"] == share && (TickWorkload)c.Parameters["Workload"] == workload && PathOf(c) == path));

        Assert.Equal("6.000", Value(10_000, 0, TickWorkload.Steady, TickPath.V512));
        Assert.Equal("126.000", Value(1_000_000, 25, TickWorkload.Realistic, TickPath.V512));
        Assert.Equal("3.000", Value(50_000, 25, TickWorkload.Steady, TickPath.MinFloor));
    }

    [Fact]
    public void BytesPerVmColumn_Shows36_54Or66_ByPathAndWorkload()
    {
        Summary summary = TickSummary();
        foreach (BenchmarkCase c in summary.BenchmarksCases)
        {
            string expected = PathOf(c) switch
            {
                TickPath.MinFloor => "36",
                TickPath.ColFloor => "54",
                _ => (TickWorkload)c.Parameters["Workload"] == TickWorkload.Realistic ? "66" : "54",
            };
            Assert.Equal(expected, BytesPerVmColumn.Instance.GetValue(summary, c));
        }
    }

    /// <summary>One thread 9, two threads 5 (× the same factor): 9 / 5 = 1.80, and 1.00 for the one-thread row.</summary>
    [Fact]
    public void SpeedupColumn_DividesTheOneThreadMeanOfTheSameSizeAndWorkload_ByThisMean()
    {
        Summary summary = ParallelSummary();
        Assert.Equal(8, summary.BenchmarksCases.Length);
        Assert.True(SpeedupColumn.Instance.IsAvailable(summary));
        Assert.False(SpeedupColumn.Instance.IsAvailable(TickSummary()));
        foreach (BenchmarkCase c in summary.BenchmarksCases)
            Assert.Equal((int)c.Parameters["Threads"] == 1 ? "1.00" : "1.80", SpeedupColumn.Instance.GetValue(summary, c));

        // ns/VM: two threads at 50 000, steady: 50 000 ns / 50 000 = 1.000.
        BenchmarkCase two = summary.BenchmarksCases.Single(c => (int)c.Parameters["Threads"] == 2 && (int)c.Parameters["Vms"] == 50_000
            && (TickWorkload)c.Parameters["Workload"] == TickWorkload.Steady);
        Assert.Equal("1.000", NsPerVmColumn.Instance.GetValue(summary, two));
    }

    /// <summary>
    /// CI's summary from the run's summaries: V512 at 10 000 VMs, steady, 0 %: mean 60 000 ns, 6.000 ns/VM-tick, 6.00 × the
    /// minimal floor (10 000), 3.00 × the same-columns floor (20 000), 240 000 / 60 000 = 4.00 × faster than scalar;
    /// realistic, 25 %: 21 times that mean, 126.000, the same ratios. Two threads at 50 000 steady: 1.000 ns/VM-tick,
    /// 1.80 ×. A case that failed is left out (its row reads "–" where it was the divisor).
    /// </summary>
    [Fact]
    public void CiMode_SummaryCases_GiveTheCiSummaryItsRowsFromTheRunsMeans()
    {
        Summary tick = SummaryOf(Cases(typeof(TickBench)).Where(c => (int)c.Parameters["Vms"] == 10_000).Select(c =>
            Report(c, TickIterations(c), success: !(PathOf(c) == TickPath.Scalar && (TickWorkload)c.Parameters["Workload"] == TickWorkload.Realistic
                && (int)c.Parameters["ShortSharePercent"] == 0))));
        Summary parallel = ParallelSummary();

        List<CiSummary.Case> cases = CiMode.SummaryCases([tick, parallel]);
        Assert.Equal(23 + 8, cases.Count);
        string text = CiSummary.Format(cases, "test machine");

        Assert.Contains("| Steady | 10000 | 0 | V512 | 6.000 | 6.00 × | 3.00 × | 4.00 × |", text, StringComparison.Ordinal);
        Assert.Contains("| Realistic | 10000 | 25 | V512 | 126.000 | 6.00 × | 3.00 × | 4.00 × |", text, StringComparison.Ordinal);
        Assert.Contains("| Realistic | 10000 | 0 | V128 | 70.000 | 10.00 × | 5.00 × | – |", text, StringComparison.Ordinal);
        Assert.Contains("| Steady | 50000 | 2 | 1.000 | 1.80 × |", text, StringComparison.Ordinal);
        Assert.Contains("| Realistic | 1000000 | 2 | 7.000 | 1.80 × |", text, StringComparison.Ordinal);
    }

    [Fact]
    public void CiMode_RunsTheCaseCountsItChecks_24TickBenchAnd4ParallelTickBench()
    {
        BenchSizes.CiMode = true;
        try
        {
            BenchmarkCase[] tick = Cases(typeof(TickBench)), parallel = Cases(typeof(ParallelTickBench));
            Assert.Equal(24, tick.Length);
            Assert.All(tick, c => Assert.Equal(10_000, (int)c.Parameters["Vms"]));
            Assert.Equal(4, parallel.Length);
            Assert.All(parallel, c => Assert.Equal(50_000, (int)c.Parameters["Vms"]));

            Summary tickSummary = SummaryOf(tick.Select(c => Report(c, TickIterations(c))));
            Summary parallelSummary = SummaryOf(parallel.Select(c => Report(c, ParallelIterations(c))));
            Assert.Equal(0, CiMode.CheckCaseCounts([tickSummary, parallelSummary], NullLogger.Instance));
            Summary short1 = SummaryOf(tick.Skip(1).Select(c => Report(c, TickIterations(c))));
            Assert.Equal(1, CiMode.CheckCaseCounts([short1, parallelSummary], NullLogger.Instance));
            Assert.Equal(1, CiMode.CheckCaseCounts([tickSummary], NullLogger.Instance));
        }
        finally
        {
            BenchSizes.CiMode = false;
        }
    }

    /// <summary>With two jobs (the second's times 11 × the first's), each row is divided by its own job's floor.</summary>
    [Fact]
    public void FloorRatioColumn_DividesByTheFloorOfTheSameJob()
    {
        IConfig config = ManualConfig.CreateEmpty().AddJob(Job.Dry.WithId("A")).AddJob(Job.Dry.WithId("B"));
        BenchmarkCase[] cases = BenchmarkConverter.TypeToBenchmarks(typeof(TickBench), config).BenchmarksCases
            .Where(c => (int)c.Parameters["Vms"] == 10_000 && (int)c.Parameters["ShortSharePercent"] == 0 && (TickWorkload)c.Parameters["Workload"] == TickWorkload.Steady)
            .ToArray();
        Assert.Equal(12, cases.Length);
        Summary summary = SummaryOf(cases.Select(c => Report(c, TickIterations(c).Select(ns => c.Job.Id == "B" ? 11 * ns : ns).ToArray())));
        foreach (BenchmarkCase c in summary.BenchmarksCases.Where(c => PathOf(c) == TickPath.V512))
            Assert.Equal("6.00", FloorRatioColumn.Minimal.GetValue(summary, c));
    }

    [Fact]
    public void SpeedupColumn_WithoutTheOneThreadRow_IsNA()
    {
        Summary summary = SummaryOf(Cases(typeof(ParallelTickBench)).Where(c => (int)c.Parameters["Threads"] == 2).Select(c => Report(c, ParallelIterations(c))));
        Assert.All(summary.BenchmarksCases, c => Assert.Equal("NA", SpeedupColumn.Instance.GetValue(summary, c)));
    }

    /// <summary>600 000 B per operation in 60 000 ns (V512, 10 000 VMs, steady, 0 %): 0.6 MB in 60 µs = 10 000.0 MB/s (10^6 B).</summary>
    [Fact]
    public void ThroughputColumn_IsDecimalMegabytesPerSecond()
    {
        Summary summary = TickSummary(c => (int)c.Parameters["Vms"] == 10_000);
        BenchmarkCase v512 = summary.BenchmarksCases.Single(c => PathOf(c) == TickPath.V512 && (int)c.Parameters["ShortSharePercent"] == 0
            && (TickWorkload)c.Parameters["Workload"] == TickWorkload.Steady);
        Assert.Equal("10000.0", new ThroughputColumn("MB/s", "test", () => 600_000).GetValue(summary, v512));
    }

    [Fact]
    public void CiMode_CheckCaseCounts_FailsASuiteThatRanMoreCasesThanCiModeSelects()
    {
        // The full TickBench (72 cases, three sizes) is not what CI mode runs.
        Summary full = TickSummary();
        Summary parallel = SummaryOf(Cases(typeof(ParallelTickBench)).Where(c => (int)c.Parameters["Vms"] == 50_000).Select(c => Report(c, ParallelIterations(c))));
        Assert.Equal(1, CiMode.CheckCaseCounts([full, parallel], NullLogger.Instance));
    }

    /// <summary>
    /// The table as the exporters print it (TickBenchConfig's and BenchConfig's columns): V512 at 10 000 VMs, steady, 0 %
    /// (mean 60 000 ns): ns/VM 6.000, /MinFloor 6.00, Median/MinFloor 3.00, /ColFloor 3.00, /Scalar 0.25, B/VM-tick 54.
    /// </summary>
    [Fact]
    public void TickBenchTable_ShowsTheDerivedColumns_OnEachRow()
    {
        Summary summary = TickSummary();
        SummaryTable table = summary.Table;
        string[] headers = table.Columns.Select(c => c.Header).ToArray();
        string[] row = table.FullContent.Single(r => Cell(r, "Vms") == "10000" && Cell(r, "ShortSharePercent") == "0" && Cell(r, "Workload") == "Steady" && Cell(r, "Path") == "V512");
        Assert.Equal(["6.000", "6.00", "3.00", "3.00", "0.25", "54"], new[] { "ns/VM", "/MinFloor", "Median/MinFloor", "/ColFloor", "/Scalar", "B/VM-tick" }.Select(h => Cell(row, h)));

        string Cell(string[] r, string header) => r[Array.IndexOf(headers, header)];
    }

    /// <summary>ParallelTickBench's table: two threads at 50 000 VMs, steady: Speedup 1.80, ns/VM 1.000.</summary>
    [Fact]
    public void ParallelTickBenchTable_ShowsSpeedupAndNsPerVm()
    {
        SummaryTable table = ParallelSummary().Table;
        string[] headers = table.Columns.Select(c => c.Header).ToArray();
        string[] row = table.FullContent.Single(r => Cell(r, "Vms") == "50000" && Cell(r, "Workload") == "Steady" && Cell(r, "Threads") == "2");
        Assert.Equal(["1.80", "1.000"], new[] { "Speedup", "ns/VM" }.Select(h => Cell(row, h)));

        string Cell(string[] r, string header) => r[Array.IndexOf(headers, header)];
    }
}

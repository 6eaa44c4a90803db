using DmKernel.Cli.Report;
using DmKernel.Tests.Replay;
using DmKernel.Tests.Traces;
using DmKernel.Traces;
using DmKernel.Traces.Capacity;

namespace DmKernel.Tests.Cli;

/// <summary>
/// density.png on the real Bitbrains sample: a curve point drawn under the paging line that missed the level by a denied
/// start (it counts little VM-time) is crossed out, and the report's caption says what the cross means. Before, such
/// points (18 and 21 VMs on 1 TB hosts) looked as met as the density's own diamond.
/// </summary>
[Collection(nameof(CliTests))]
public sealed class CompareCurveTests
{
    [Fact]
    public void DensityPlot_PointsUnderTheLineThatMissedTheLevel_AreTheOnesCrossedOut()
    {
        using var tmp = new TempDir();
        string trace = tmp.File("bitbrains.dmt");
        (int exit, _, string stderr) = CliTests.Run("import", "bitbrains", RealTraces.Path("bitbrains-gwa-t-12-rnd"), "-o", trace);
        Assert.True(exit == 0, stderr);
        TraceSeries series;
        using (NativeTraceReader reader = NativeTraceReader.Open(trace))
            series = TraceSeries.Load(reader);
        var options = new CapacityOptions { Host = new TraceHost(1_048_576, 2048), Seeds = 1 };
        CapacityResult result = CapacityStudy.Run(series, options);

        // Independently of the plot's helper: every curve point that misses the level while its unserved share is on or
        // under the limit.
        var expected = result.Densities.SelectMany(d => d.Curve.Where(p => (p.Outcome.DeniedVmTicks > 0 || p.Outcome.Stopped)
            && p.UnservedShare <= options.Level.MaxPagingShare).Select(p => (d.Strategy.Name, p.VmsPerHost))).ToList();
        Assert.NotEmpty(expected); // the sample has such points (Dynamic Memory at 18 and 21 VMs per host, seed 1)
        Assert.Equal(expected, result.Densities.SelectMany(d => CompareReport.MissedUnderTheLine(d, options.Level).Select(p => (d.Strategy.Name, p.VmsPerHost))));
        // Points over the line, and points that meet the level, are never crossed.
        Assert.All(result.Densities.SelectMany(d => CompareReport.MissedUnderTheLine(d, options.Level)),
            p => Assert.False(options.Level.IsMetBy(p.Outcome)));

        (exit, _, stderr) = CliTests.Run("compare", trace, "-o", tmp.File("cmp"), "--host-mb", "1048576", "--seeds", "1");
        Assert.True(exit == 0, stderr);
        Assert.Contains("A black cross marks a point under the line that missed the level all the same", File.ReadAllText(tmp.File("cmp/report.md")), StringComparison.Ordinal);
        (exit, _, stderr) = CliTests.Run("compare", ReplayDeterminismTests.SampleTrace, "-o", tmp.File("sample"), "--seeds", "1", "--max-ticks", "360");
        Assert.True(exit == 0, stderr);
        Assert.DoesNotContain("black cross", File.ReadAllText(tmp.File("sample/report.md")), StringComparison.Ordinal);
    }
}

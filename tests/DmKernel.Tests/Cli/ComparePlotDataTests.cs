using DmKernel.Cli.Report;
using DmKernel.Tests.Capacity;
using DmKernel.Traces;
using DmKernel.Traces.Capacity;
using DmKernel.Traces.Replay;
using ScottPlot;
using static DmKernel.Tests.Cli.CompareReportRowsTests;

namespace DmKernel.Tests.Cli;

/// <summary>
/// The numbers compare's plots hand to ScottPlot (<see cref="CompareReport.DensityPlotData"/>,
/// <see cref="CompareReport.PolicyPlotData"/>), which only the PNGs' pixels showed before: a curve shifted by a VM, a
/// share drawn as a fraction instead of a percentage, a missed point not crossed out or a title naming the wrong seed
/// went unnoticed. Expected values are worked out by hand from docs/compare.md ("The curves") on hand-built results
/// (<see cref="CompareReportRowsTests"/>' helpers: 200 servable VM-ticks per probe, so 1 VM-tick is 0.5 %, on 8 GB hosts,
/// seed 7), and checked once on a real study.
/// </summary>
public sealed class ComparePlotDataTests
{
    private static readonly MemoryStrategy Dm = MemoryStrategy.DynamicMemory;
    private static readonly MemoryStrategy Sp = MemoryStrategy.StaticProvisioned;

    private static CurvePoint At(int vms, long paging = 0, long denied = 0, int pressure = 0) => new(vms, Outcome(vms, paging: paging, denied: denied, pressure: pressure));

    /// <summary>
    /// density.png: one curve per strategy that has one, in the study's order, x = VMs per host and y = the unserved share
    /// in % (1 VM-tick of 200 is 0.5, not 0.005); each strategy keeps its own colour (its index among the strategies, the
    /// flat line's included) while patterns and markers follow the curves drawn; a curve equal to an earlier one says so;
    /// the diamond sits on the curve at the <em>first</em> draw's density (4), not the median (5); a strategy without a
    /// curve that pages at any density is a flat line at its share in %. The axes: x to 5 % beyond the largest VMs per
    /// host (5 × 1.05), y to 110 % of the highest point or flat line (5 % × 1.1), between 4 × and 10 × the 1 % limit.
    /// </summary>
    [Fact]
    public void DensityPlot_CurvesInStrategyOrder_VmsPerHostAgainstPercent_DiamondAtTheFirstDraw()
    {
        CurvePoint[] dmCurve = [At(2), At(4, paging: 1), At(5, paging: 4)];
        DensityResult dm = Density(Dm, 20, [4, 5, 5]) with { Curve = dmCurve };
        DensityResult sp = Density(Sp, 20, [2, 2, 3]) with { Curve = [At(1), At(2, paging: 2), At(3, paging: 10)] };
        DensityResult fixed1 = new(MemoryStrategy.Fixed(1024), null, [.. Enumerable.Range(0, 3).Select(i => new DensitySeed(i, 0, null, Outcome(1, paging: 6), []))],
            "pages at any density", 0.03);
        DensityResult buffer10 = Density(MemoryStrategy.DynamicWithBuffer(10), 20, [4, 5, 5]) with { Curve = dmCurve };
        Assert.Equal(5, dm.Median);
        CompareReport.DensityPlot plot = new CompareReport(Result(new ServiceLevel(), [dm, sp, fixed1, buffer10], seeds: 3), 1).DensityPlotData();

        Assert.Equal("hand.dmt: VM-time unserved against VMs per 8 GB host\nthe draw of seed 7 (first of 3); report.md gives the median of the 3 draws", plot.Title);
        Assert.Equal("VMs per host", plot.XLabel);
        Assert.Equal("servable VM-time paging or denied (%)", plot.YLabel);

        Assert.Equal(["Dynamic Memory", "static provisioned", "Dynamic Memory, buffer 10 % (the same curve as Dynamic Memory)"], plot.Curves.Select(c => c.Legend));
        Assert.Equal([0, 1, 3], plot.Curves.Select(c => c.Colour));
        Assert.Equal([LinePattern.Solid, LinePattern.Dashed, LinePattern.Dotted], plot.Curves.Select(c => c.Pattern));
        Assert.Equal([MarkerShape.FilledCircle, MarkerShape.OpenSquare, MarkerShape.FilledTriangleUp], plot.Curves.Select(c => c.Shape));

        Assert.Equal([2.0, 4, 5], plot.Curves[0].Xs);
        Close([0, 0.5, 2], plot.Curves[0].Ys);
        Assert.Equal([1.0, 2, 3], plot.Curves[1].Xs);
        Close([0, 1, 5], plot.Curves[1].Ys);
        Assert.Equal(plot.Curves[0].Xs, plot.Curves[2].Xs);
        Assert.Equal(plot.Curves[0].Ys, plot.Curves[2].Ys);

        Assert.Equal(4.0, plot.Curves[0].Density.X);
        Assert.Equal(0.5, plot.Curves[0].Density.Y, 12);
        Assert.Equal(2.0, plot.Curves[1].Density.X);
        Assert.Equal(1.0, plot.Curves[1].Density.Y, 12);
        Assert.All(plot.Curves, c => Assert.Empty(c.Missed));

        CompareReport.FlatLine flat = Assert.Single(plot.Flats);
        Assert.Equal(("fixed 1 GB: 3.0 % at any density", 2), (flat.Legend, flat.Colour));
        Assert.Equal(3.0, flat.Y, 12);

        Assert.Equal(1.0, plot.Limit);
        Assert.Equal("paging limit 1 %", plot.LimitLegend);
        Assert.Equal(5.25, plot.XMax, 12);
        Assert.Equal(5.5, plot.YMax, 12);
    }

    /// <summary>
    /// The crosses: a point drawn on or under the paging line that missed the level (1 VM-tick of 200 denied, 0.5 %; p95
    /// pressure 130 % over a limit of 120 %, 0.5 % paging) is crossed out at its own x and y; a point exactly on the line
    /// that met the level (2 of 200 paging, 1 %) is not, nor one above the line (3 of 200); each strategy's crosses are
    /// its own. The legend says "or the pressure limit" only with a pressure limit.
    /// </summary>
    [Fact]
    public void DensityPlot_MissedPointsUnderTheLine_AreCrossedOutWhereTheyAre()
    {
        var level = new ServiceLevel { MaxPressure = 120 };
        DensityResult dm = Density(Dm, 20, [4]) with { Curve = [At(2), At(3, denied: 1), At(4, paging: 2), At(5, paging: 3), At(6, paging: 1, pressure: 130)] };
        DensityResult sp = Density(Sp, 20, [1]) with { Curve = [At(1), At(2, denied: 1, pressure: 130)] };
        CompareReport.DensityPlot plot = new CompareReport(Result(level, [dm, sp]), 1).DensityPlotData();

        Assert.Equal([3.0, 6], plot.Curves[0].Missed.Select(p => p.X));
        Close([0.5, 0.5], [.. plot.Curves[0].Missed.Select(p => p.Y)]);
        CompareReport.PlotPoint spMiss = Assert.Single(plot.Curves[1].Missed);
        Assert.Equal(2.0, spMiss.X);
        Assert.Equal(0.5, spMiss.Y, 12);
        Assert.Equal("missed the level by a denied start or the pressure limit (under the line)", plot.MissedLegend);
        Assert.Equal(4.0, plot.Curves[0].Density.X);
        Assert.Equal(1.0, plot.Curves[0].Density.Y, 12);
        Assert.Equal("hand.dmt: VM-time unserved against VMs per 8 GB host\nthe draw of seed 7", plot.Title);

        CompareReport.DensityPlot noPressure = new CompareReport(Result(new ServiceLevel(), [dm, sp]), 1).DensityPlotData();
        Assert.Equal([3.0], noPressure.Curves[0].Missed.Select(p => p.X)); // the pressure miss meets a level without a pressure limit
        Assert.Equal("missed the level by a denied start (under the line)", noPressure.MissedLegend);
    }

    /// <summary>
    /// density.png's y axis: at least 4 × the limit (a 2 % flat line under a 1 % limit: 4 %), at most 10 × (a 50 % flat
    /// line: 10 %), never above 100 % (a 30 % limit: 100, not 120); with no curve the x axis ends at 1 × 1.05, and the
    /// flat lines set the scale only where there is no curve.
    /// </summary>
    [Fact]
    public void DensityPlot_YAxis_From4To10TimesTheLimit_AtMost100Percent()
    {
        static DensityResult Never(MemoryStrategy s, double share) => new(s, null, [new DensitySeed(0, 0, null, Outcome(1, paging: 100), [])], "pages at any density", share);
        CompareReport.DensityPlot Plot(double limit, double share) => new CompareReport(Result(new ServiceLevel { MaxPagingShare = limit }, [Never(Dm, share), Never(Sp, share)]), 1).DensityPlotData();

        CompareReport.DensityPlot low = Plot(0.01, 0.02);
        Assert.Empty(low.Curves);
        Assert.Equal(2, low.Flats.Count);
        Assert.Equal(4.0, low.YMax, 12);
        Assert.Equal(1.05, low.XMax, 12);
        Assert.Equal(10.0, Plot(0.01, 0.5).YMax, 12);
        Assert.Equal(100.0, Plot(0.3, 0.5).YMax);
        Assert.Equal("paging limit 30 %", Plot(0.3, 0.5).LimitLegend);
        Assert.Equal("paging limit 0.5 %", Plot(0.005, 0.5).LimitLegend);

        // With curves, the curves set the scale and a flat line above it runs off the frame (its legend gives its value):
        // the month's fixed 1 GB at 16.7 % set the axis to 10 % and flattened curves of 0..1.1 % (before stop 54).
        DensityResult dm = Density(Dm, 20, [4]) with { Curve = [At(2), At(4, paging: 1), At(5, paging: 2)] };
        CompareReport.DensityPlot mixed = new CompareReport(Result(new ServiceLevel(), [dm, Never(Sp, 0.167)]), 1).DensityPlotData();
        Assert.Equal(4.0, mixed.YMax, 12);
        Assert.Equal(16.7, Assert.Single(mixed.Flats).Y, 12);
        Assert.Empty(mixed.NotDrawn);
    }

    /// <summary>
    /// A strategy with neither a curve nor a flat line (it misses the level with one VM per host, or a VM of the trace
    /// cannot start on the host) has a legend entry in its colour saying it is not drawn and why (before stop 55 the
    /// picture did not name it at all).
    /// </summary>
    [Fact]
    public void DensityPlot_AStrategyWithNothingToDraw_IsNamedInTheLegend()
    {
        DensityResult dm = Density(Dm, 20, [4]) with { Curve = [At(2), At(4, paging: 1), At(5, paging: 2)] };
        DensityResult plus = new(MemoryStrategy.ProvisionedPlus(50), null, [new DensitySeed(0, 0, null, Outcome(1, denied: 200), [])], "misses the level with one VM per host", null);
        CompareReport.DensityPlot plot = new CompareReport(Result(new ServiceLevel(), [dm, Density(Sp, 20, [2]) with { Curve = [At(1), At(2)] }, plus]), 1).DensityPlotData();
        CompareReport.FlatLine absent = Assert.Single(plot.NotDrawn);
        Assert.Equal(("provisioned + 50 %: not drawn (misses the level with one VM per host)", 2), (absent.Legend, absent.Colour));
        Assert.Empty(plot.Flats);

        // On a real study: the sample on 6 GB hosts, where provisioned + 50 % makes a VM of 6 GB that no such host starts.
        using var reader = NativeTraceReader.Open(DmKernel.Tests.Replay.ReplayDeterminismTests.SampleTrace);
        CapacityResult r = CapacityStudy.Run(TraceSeries.Load(reader, 120), new CapacityOptions { Host = new TraceHost(6144, 2048), Seeds = 1, Threads = 2 });
        CompareReport.FlatLine real = Assert.Single(new CompareReport(r, 1).DensityPlotData().NotDrawn);
        Assert.Equal("provisioned + 50 %: not drawn (a VM of the trace cannot start on this host)", real.Legend);
    }

    /// <summary>
    /// The diamonds' legend entry matches what is drawn: with Dynamic Memory's curve drawn it is Dynamic Memory's own
    /// diamond (its colour, at its density); without it (Dynamic Memory misses the level with one VM per host) it is a
    /// black diamond of its own saying each diamond is in its curve's colour, and no drawn diamond carries it (before:
    /// the first drawn strategy's diamond did, so the key was static provisioned's orange, read as the headline's
    /// density). Checked on the ScottPlot objects density.png is rendered from, and the PNG written.
    /// </summary>
    [Fact]
    public void DensityPlot_TheDiamondsLegend_IsDynamicMemorysDiamond_OrNoStrategysWithoutItsCurve()
    {
        var palette = new ScottPlot.Palettes.Category10();
        DensityResult dm = Density(Dm, 20, [4]) with { Curve = [At(2), At(4, paging: 1), At(5, paging: 4)] };
        DensityResult sp = Density(Sp, 20, [2]) with { Curve = [At(1), At(2, paging: 2), At(3, paging: 10)] };
        var dmMisses = new DensityResult(Dm, null, [new DensitySeed(0, 0, null, Outcome(1, denied: 200), [])], "misses the level with one VM per host", null);
        DensityResult buffer10 = Density(MemoryStrategy.DynamicWithBuffer(10), 20, [4]) with { Curve = [At(2), At(4, paging: 1), At(5, paging: 4)] };

        var withDm = new CompareReport(Result(new ServiceLevel(), [dm, sp]), 1);
        Assert.Equal(new CompareReport.DiamondKey("density in this draw (the report: the median over the draws)", 0), withDm.DensityPlotData().Key);
        LegendItem key = DiamondsKey(withDm.CurvesFigure().Plot);
        Assert.Equal(palette.GetColor(0), key.MarkerFillColor);
        Assert.Equal(new Coordinates(4, 0.5), Assert.IsType<ScottPlot.Plottables.Marker>(key.Plottable).Location);

        var withoutDm = new CompareReport(Result(new ServiceLevel(), [dmMisses, sp, buffer10]), 1);
        CompareReport.DensityPlot data = withoutDm.DensityPlotData();
        Assert.Equal([1, 2], data.Curves.Select(c => c.Colour));
        Assert.Equal(new CompareReport.DiamondKey("density in this draw, in its curve's colour (the report: the median over the draws)", null), data.Key);
        Plot plot = withoutDm.CurvesFigure().Plot;
        key = DiamondsKey(plot);
        Assert.Equal(Colors.Black, key.MarkerFillColor);
        Coordinates off = Assert.IsType<ScottPlot.Plottables.Marker>(key.Plottable).Location;
        Assert.True(off.X < 0 && off.Y < 0, $"the key is drawn in the frame at {off}"); // the legend's own: outside the axes
        // Every diamond drawn is on a curve, in that curve's colour; none is in Dynamic Memory's.
        ScottPlot.Plottables.Marker[] diamonds = [.. plot.GetPlottables<ScottPlot.Plottables.Marker>().Where(m => m.MarkerShape == MarkerShape.FilledDiamond && m.Location.X >= 0)];
        Assert.Equal([(4.0, palette.GetColor(2)), (2.0, palette.GetColor(1))], diamonds.Select(m => (m.Location.X, m.Color)));
        Assert.All(diamonds, m => Assert.True(string.IsNullOrEmpty(m.LegendText)));

        using var tmp = new DmKernel.Tests.Traces.TempDir();
        withoutDm.WriteCurves(tmp.File("density.png"));
        Assert.True(new FileInfo(tmp.File("density.png")).Length > 10_000);
    }

    /// <summary>
    /// density.png's title is centred over the data area, which the legend on the right narrows: a long trace name and a
    /// wide legend ("not drawn (...)") clipped the title at the image's left edge (before: 1200 pixels whatever the
    /// legend). The figure is widened until both title lines fit between its edges; a plot whose title fits keeps the
    /// usual 1200 × 500.
    /// </summary>
    [Fact]
    public void DensityPlot_AWideLegend_LeavesTheTitleWhole()
    {
        DensityResult dm = Density(Dm, 20, [4]) with { Curve = [At(2), At(4, paging: 1), At(5, paging: 4)] };
        DensityResult sp = Density(Sp, 20, [2]) with { Curve = [At(1), At(2, paging: 2), At(3, paging: 10)] };
        var plus = new DensityResult(MemoryStrategy.ProvisionedPlus(50), null, [new DensitySeed(0, 0, null, Outcome(1, denied: 200), [])], "misses the level with one VM per host", null);
        CapacityResult wide = Result(new ServiceLevel(), [dm, sp, plus], seeds: 3) with { Trace = "bitbrains-gwa-t-12-rnd-month-imported-with-minimum-divisor-2.dmt" };

        (Plot plot, int width, int height) = new CompareReport(wide, 1).CurvesFigure();
        Assert.True(width > 1200, $"width {width}");
        Assert.Equal(500, height);
        plot.RenderInMemory(width, height);
        using Paint paint = Paint.NewDisposablePaint();
        float title = plot.Axes.Title.Label.Measure(paint).Width;
        PixelRect data = plot.LastRender.DataRect;
        Assert.True(data.HorizontalCenter - (title / 2) >= 0, $"the title starts at {data.HorizontalCenter - (title / 2)} px");
        Assert.True(data.HorizontalCenter + (title / 2) <= width, $"the title ends at {data.HorizontalCenter + (title / 2)} px of {width}");

        (_, width, height) = new CompareReport(Result(new ServiceLevel(), [dm, sp]), 1).CurvesFigure();
        Assert.Equal((1200, 500), (width, height));
    }

    /// <summary>density.png's legend entry for the diamonds (the one entry with a filled diamond).</summary>
    private static LegendItem DiamondsKey(Plot plot)
        => Assert.Single(plot.Legend.GetItems(), i => i.MarkerShape == MarkerShape.FilledDiamond && i.LabelText.StartsWith("density in this draw", StringComparison.Ordinal));

    private static PolicyResult Policy(BalancerPolicy policy, params int[] pressures)
    {
        Histogram? h = null;
        if (pressures.Length > 0)
        {
            h = new Histogram(ReplayMetrics.PressureBins - 1);
            foreach (int p in pressures)
                h.Add(p);
        }

        return new PolicyResult(policy, Density(Dm, 20, [4]), new HostsResult(Dm, 2, 10, null, null, []), new DensityRatio(2, 2, 2, false), Outcome(4) with { Pressure = h });
    }

    /// <summary>
    /// policies.png: per policy with pressure samples, in the study's order, x = each whole Current Pressure 0..300 % and y
    /// = the % of its samples at or below it. Hyper-V's 4 samples 0, 50, 50, 100: 25 % up to 49, 75 % from 50, 100 % from
    /// 100. The static policy's 10 samples, 8 at 100 %, one at 400 % and one at 2000 % (beyond the histogram's bins):
    /// 80 % at 300 %, and its legend says 20.0 % are above 300 %. ESX without samples draws nothing but MoM after it keeps
    /// colour 3. The x axis: 10 points beyond the largest p99.9 (static's 2000 %), at most 300 %.
    /// </summary>
    [Fact]
    public void PolicyPlot_CumulativePercentOfSamples_AtOrBelowEachPressure()
    {
        CapacityResult r = Result(new ServiceLevel(), [Density(Dm, 20, [4]), Density(Sp, 20, [2])]) with
        {
            Policies = [Policy(BalancerPolicy.HyperV, 0, 50, 50, 100), Policy(BalancerPolicy.Static, [.. Enumerable.Repeat(100, 8), 400, 2000]), Policy(BalancerPolicy.Esx), Policy(BalancerPolicy.Mom, 200)],
        };
        CompareReport.PolicyPlot plot = new CompareReport(r, 1).PolicyPlotData();

        Assert.Equal("Cumulative Current Pressure per policy, side by side\nhand.dmt: the whole trace on one placement", plot.Title);
        Assert.Equal("Current Pressure (%)", plot.XLabel);
        Assert.Equal("% of servable VM-time on at or below", plot.YLabel);
        Assert.Equal(["Hyper-V", "static (every VM held at its Startup) (20.0 % above 300 %)", "oVirt MoM"], plot.Curves.Select(c => c.Legend));
        Assert.Equal([0, 1, 3], plot.Curves.Select(c => c.Colour));
        Assert.All(plot.Curves, c => Assert.Equal(Enumerable.Range(0, 301).Select(v => (double)v), c.Xs));

        double[] hyperV = plot.Curves[0].Ys;
        Assert.Equal((25.0, 25.0, 75.0, 75.0, 100.0, 100.0), (hyperV[0], hyperV[49], hyperV[50], hyperV[99], hyperV[100], hyperV[300]));
        double[] st = plot.Curves[1].Ys;
        Assert.Equal((0.0, 80.0, 80.0), (st[99], st[100], st[300]));
        double[] mom = plot.Curves[2].Ys;
        Assert.Equal((0.0, 100.0), (mom[199], mom[200]));

        Assert.Equal(100.0, plot.LineX);
        Assert.Equal("pressure 100 % (above: paging)", plot.LineLegend);
        Assert.Equal(300.0, plot.XMax);
        Assert.Equal(100.0, plot.YMax);
    }

    /// <summary>
    /// policies.png's legend says what the curves cannot show (stop 54; a helper's look at the month's plot, where the
    /// static policy's curve was leftmost while it denied a third of the wanted VM-time): a policy's denied starts (its
    /// curve is of the VMs that were on), and a curve identical to an earlier one (drawn under it, as if missing).
    /// </summary>
    [Fact]
    public void PolicyPlot_Legend_SaysDeniedStartsAndCurvesDrawnUnderAnother()
    {
        PolicyResult denying = Policy(BalancerPolicy.Static, 50, 60);
        denying = denying with { SideBySide = denying.SideBySide with { DeniedVmTicks = 69 } }; // 69 of 200 wanted
        CapacityResult r = Result(new ServiceLevel(), [Density(Dm, 20, [4]), Density(Sp, 20, [2])]) with
        {
            Policies = [Policy(BalancerPolicy.HyperV, 0, 50, 50, 100), denying, Policy(BalancerPolicy.Esx, 0, 50, 50, 100)],
        };
        Assert.Equal(
            ["Hyper-V", "static (every VM held at its Startup) (34.5 % of VM-time denied, not drawn)", "VMware ESX (the same curve as Hyper-V)"],
            new CompareReport(r, 1).PolicyPlotData().Curves.Select(c => c.Legend));
    }

    /// <summary>
    /// policies.png's x axis: at least 150 % (Hyper-V's p99.9 of 100 % + 10 is 110), else 10 points beyond the largest p99.9
    /// (MoM's 200 %: 210); no note in a legend when nothing is above 300 %.
    /// </summary>
    [Fact]
    public void PolicyPlot_XAxis_AtLeast150_Else10BeyondTheLargestP999()
    {
        CapacityResult Study(params PolicyResult[] ps) => Result(new ServiceLevel(), [Density(Dm, 20, [4]), Density(Sp, 20, [2])]) with { Policies = ps };

        Assert.Equal(150.0, new CompareReport(Study(Policy(BalancerPolicy.HyperV, 0, 50, 50, 100)), 1).PolicyPlotData().XMax);
        CompareReport.PolicyPlot plot = new CompareReport(Study(Policy(BalancerPolicy.HyperV, 0, 50, 50, 100), Policy(BalancerPolicy.Mom, 200)), 1).PolicyPlotData();
        Assert.Equal(210.0, plot.XMax);
        Assert.Equal(["Hyper-V", "oVirt MoM"], plot.Curves.Select(c => c.Legend));
        Assert.Empty(new CompareReport(Study(Policy(BalancerPolicy.Esx)), 1).PolicyPlotData().Curves);
    }

    /// <summary>
    /// On a real study (20 VDI desktops, 48 ticks, 64 GB hosts, one draw, Hyper-V and static policies): density.png's
    /// points are each curve's VMs per host and unserved share in %, the diamond the draw's density on its curve, the
    /// crosses exactly the points MissedUnderTheLine finds; policies.png's y values are cumulative: at a policy's median
    /// pressure at least 50 %, below it less (nearest rank, independently of the plot's sums).
    /// </summary>
    [Fact]
    public void PlotData_OfARealStudy_AreItsCurvesAndPressures()
    {
        var options = new CapacityOptions
        {
            Host = new TraceHost(65_536, 2048),
            Threads = 1,
            Seeds = 1,
            Seed = 3,
            Strategies = [MemoryStrategy.DynamicMemory, MemoryStrategy.StaticProvisioned],
            Policies = [BalancerPolicy.HyperV, BalancerPolicy.Static],
        };
        CapacityResult r = CapacityStudy.Run(Fleets.Vdi(desktops: 20, ticks: 48), options);
        var report = new CompareReport(r, 1);

        CompareReport.DensityPlot density = report.DensityPlotData();
        Assert.Contains("the draw of seed 3", density.Title, StringComparison.Ordinal);
        var withCurves = r.Densities.Where(d => d.Curve.Count > 0).ToList();
        Assert.NotEmpty(withCurves);
        Assert.Equal(withCurves.Count, density.Curves.Count);
        for (int i = 0; i < withCurves.Count; i++)
        {
            DensityResult d = withCurves[i];
            CompareReport.DensityCurve c = density.Curves[i];
            Assert.Equal(d.Curve.Select(p => (double)p.VmsPerHost), c.Xs);
            Assert.Equal(d.Curve.Select(p => p.UnservedShare * 100), c.Ys);
            Assert.Equal(d.Seeds[0].VmsPerHost, c.Density.X);
            Assert.Contains(c.Density.X, c.Xs);
            Assert.Equal(c.Ys[Array.IndexOf(c.Xs, c.Density.X)], c.Density.Y);
            Assert.Equal(CompareReport.MissedUnderTheLine(d, options.Level).Select(p => new CompareReport.PlotPoint(p.VmsPerHost, p.UnservedShare * 100)), c.Missed);
        }

        Assert.Equal(density.Curves.Max(c => c.Xs.Max()) * 1.05, density.XMax);

        CompareReport.PolicyPlot policies = report.PolicyPlotData();
        Assert.Equal(2, policies.Curves.Count);
        for (int i = 0; i < 2; i++)
        {
            Histogram h = r.Policies[i].SideBySide.Pressure!;
            double[] ys = policies.Curves[i].Ys;
            Assert.True(h.Count > 0);
            for (int v = 1; v < ys.Length; v++)
                Assert.True(ys[v] >= ys[v - 1]);
            int median = h.Percentile(50);
            Assert.True(median <= 300);
            Assert.True(ys[median] >= 50);
            if (median > 0)
                Assert.True(ys[median - 1] < 50);
        }
    }

    private static void Close(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i], actual[i], 12);
    }
}

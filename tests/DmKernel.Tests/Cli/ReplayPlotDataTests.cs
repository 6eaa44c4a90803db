using DmKernel.Cli.Report;
using DmKernel.Tests.Traces;
using DmKernel.Traces;
using DmKernel.Traces.Replay;

namespace DmKernel.Tests.Cli;

/// <summary>
/// The numbers replay's plots hand to ScottPlot (<see cref="ReplayReport.FleetPlotData(ReplayOutcome)"/>,
/// <see cref="ReplayReport.HostsPlotData(ReplayOutcome)"/>, <see cref="ReplayReport.PressurePlotData(ReplayOutcome)"/>),
/// which only the PNGs' pixels showed before: a point shifted by a tick or a wrong time unit went unnoticed. Expected
/// values are worked out by hand from docs/outputs.md: a point of fleet.png and hosts.png is the fleet at the end of its
/// tick, so tick t (0-based) sits at (t + 1) × the tick length, in the axis's unit (seconds, minutes, hours or days by the
/// replay's length), and the x axis runs from 0 to the replay's length. The tick lengths keep every x exact in binary,
/// so the asserts are exact.
/// </summary>
public sealed class ReplayPlotDataTests
{
    private static FleetPoint Point(long tick, long assignedMb = 0, long demandMb = 0, int p5 = 0, int p50 = 0, int p95 = 0)
        => new(tick, assignedMb, demandMb, AvailableMb: 0, PagingVms: 0, OnVms: 0, ShortHosts: 0, p5, p50, p95);

    /// <summary>Ticks of 900 s (1/4 h), one point per tick: the first at 1/4 h (the end of tick 0, not 0), then every 1/4 h, the last (tick 15) at 4 h, the axis's end.</summary>
    [Fact]
    public void FleetPlot_EveryTick_PointsAtTheEndOfEachTick_InHours()
    {
        FleetPoint[] series = [.. Enumerable.Range(0, 16).Select(t => Point(t, assignedMb: 1024L * (t + 1), demandMb: 512))];
        ReplayReport.TimePlot plot = ReplayReport.FleetPlotData(series, ticks: 16, tickSeconds: 900);

        Assert.Equal("hours", plot.XLabel);
        Assert.Equal(0.25, plot.Xs[0]);
        Assert.Equal(0.5, plot.Xs[1]);
        Assert.Equal(4.0, plot.Xs[^1]);
        Assert.Equal(Enumerable.Range(1, 16).Select(k => k / 4.0), plot.Xs);
        Assert.Equal(4.0, plot.XMax); // 16 ticks × 900 s = 4 h: the last point on the right edge
        Assert.Equal(4.0, ReplayReport.SpanHours(16, 900));
    }

    /// <summary>
    /// A series thinned to every 3rd tick (ticks 0, 3, 6, 9) of 1 800 s (1/2 h): each point's x is its own tick's end, not its
    /// index's: 1/2, 2, 7/2 and 5 h, spaced 3 × 1 800 s = 3/2 h; a replay of 10 ticks spans 5 h, so the last is on the edge.
    /// </summary>
    [Fact]
    public void FleetPlot_SeriesEveryThirdTick_XIsThePointsOwnTick_SpacedByTheStep()
    {
        FleetPoint[] series = [Point(0), Point(3), Point(6), Point(9)];
        double[] xs = ReplayReport.TimesOf(series, tickSeconds: 1800, ReplayReport.TimeUnit.Of(10, 1800));
        Assert.Equal([0.5, 2.0, 3.5, 5.0], xs);
        Assert.Equal(1.5, xs[1] - xs[0]);
        Assert.Equal(1.5, xs[^1] - xs[^2]);

        ReplayReport.TimePlot fleet = ReplayReport.FleetPlotData(series, ticks: 10, tickSeconds: 1800);
        Assert.Equal(xs, fleet.Xs);
        Assert.Equal(5.0, fleet.XMax);
        ReplayReport.TimePlot hosts = ReplayReport.HostsPlotData(series, ticks: 10, tickSeconds: 1800, hostCount: 3);
        Assert.Equal(xs, hosts.Xs);
        Assert.Equal(5.0, hosts.XMax);
    }

    /// <summary>
    /// The axis's unit follows the replay's length (ticks × tick length): seconds up to 2 minutes, minutes up to 2 hours,
    /// hours up to 4 days, days beyond, so that the axis reads in a familiar unit (before: always hours, so 1 440 ticks of
    /// 3 ms read 0..0.0012 hours and a year 0..8 760).
    /// </summary>
    [Theory]
    [InlineData(0, 60, "seconds")]
    [InlineData(1440, 0.003, "seconds")]      // 4.32 s
    [InlineData(120, 1, "seconds")]           // 2 minutes
    [InlineData(121, 1, "minutes")]
    [InlineData(120, 60, "minutes")]          // 2 hours
    [InlineData(7201, 1, "hours")]
    [InlineData(1440, 60, "hours")]           // a day of minute ticks
    [InlineData(5760, 60, "hours")]           // 4 days
    [InlineData(5761, 60, "days")]
    [InlineData(8928, 300, "days")]           // a month: 31 days of 5-minute ticks
    [InlineData(525_600, 60, "days")]         // a year
    public void TimeUnit_FollowsTheReplaysLength(long ticks, double tickSeconds, string unit)
    {
        Assert.Equal(unit, ReplayReport.TimeUnit.Of(ticks, tickSeconds).Label);
        Assert.Equal(unit, ReplayReport.FleetPlotData([Point(0)], ticks, tickSeconds).XLabel);
        Assert.Equal(unit, ReplayReport.HostsPlotData([Point(0)], ticks, tickSeconds, hostCount: 2).XLabel);
    }

    /// <summary>
    /// The x values in each unit: ticks of 1 s over an hour are minutes (tick 0 at 1/60, tick 3599 at 60), over 2 minutes
    /// seconds (tick 119 at 120), and 5-minute ticks over 31 days are days (tick 287 at 1, the month's last at 31).
    /// </summary>
    [Fact]
    public void TimesOf_InEachUnit_AreTheTicksEndsInThatUnit()
    {
        FleetPoint[] hour = [Point(0), Point(1799), Point(3599)];
        Assert.Equal([1 / 60.0, 30.0, 60.0], ReplayReport.FleetPlotData(hour, ticks: 3600, tickSeconds: 1).Xs);
        Assert.Equal(60.0, ReplayReport.FleetPlotData(hour, ticks: 3600, tickSeconds: 1).XMax);
        Assert.Equal([1.0, 120.0], ReplayReport.FleetPlotData([Point(0), Point(119)], ticks: 120, tickSeconds: 1).Xs);
        ReplayReport.TimePlot month = ReplayReport.FleetPlotData([Point(287), Point(8927)], ticks: 8928, tickSeconds: 300);
        Assert.Equal([1.0, 31.0], month.Xs);
        Assert.Equal(31.0, month.XMax);
    }

    /// <summary>
    /// fleet.png's y values: Σ Assigned and Σ Demand in GB (MB ÷ 1024), in that order (their colours), the y axis from 0 to
    /// 5 % above the largest of either.
    /// </summary>
    [Fact]
    public void FleetPlot_Ys_AreAssignedAndDemandInGb_AxisTo105PercentOfTheLargest()
    {
        FleetPoint[] series = [Point(0, assignedMb: 1536, demandMb: 512), Point(1, assignedMb: 2048, demandMb: 4096), Point(2, assignedMb: 3072, demandMb: 0)];
        ReplayReport.TimePlot plot = ReplayReport.FleetPlotData(series, ticks: 3, tickSeconds: 450); // 22.5 minutes

        Assert.Equal("Fleet memory: assigned vs demand", plot.Title);
        Assert.Equal("GB", plot.YLabel);
        Assert.Equal(["assigned (GB)", "demand (GB)"], plot.Lines.Select(l => l.Legend));
        Assert.Equal([1.5, 2.0, 3.0], plot.Lines[0].Ys);
        Assert.Equal([0.5, 4.0, 0.0], plot.Lines[1].Ys);
        Assert.All(plot.Lines, l => Assert.False(l.Dashed));
        Assert.Equal(4.0 * 1.05, plot.YMax);
        Assert.Equal([7.5, 15.0, 22.5], plot.Xs);
    }

    /// <summary>
    /// fleet.png's right axis: the share of the VMs on that page, per point (0 where none is on), 0..100 % (stop 54: the
    /// totals could sit far apart while a quarter of the VM-time paged, and no plot showed when).
    /// </summary>
    [Fact]
    public void FleetPlot_RightAxis_IsTheShareOfTheVmsOnThatPage()
    {
        FleetPoint[] series =
        [
            new(0, 1024, 512, 0, PagingVms: 1, OnVms: 4, ShortHosts: 0, 0, 0, 0),
            new(1, 1024, 512, 0, PagingVms: 0, OnVms: 0, ShortHosts: 0, 0, 0, 0),
            new(2, 1024, 512, 0, PagingVms: 3, OnVms: 3, ShortHosts: 1, 0, 0, 0),
        ];
        ReplayReport.TimePlot plot = ReplayReport.FleetPlotData(series, ticks: 3, tickSeconds: 60);
        Assert.Equal("VMs paging (% of VMs on, right axis)", plot.Right!.Legend);
        Assert.Equal([25.0, 0.0, 100.0], plot.Right.Ys);
        Assert.Equal("% of VMs on paging", plot.RightLabel);
    }

    /// <summary>
    /// hosts.png: p95, median and p5 across hosts in that order, p5 dashed, y autoscaled; with one host its own line
    /// ("the host", its median, which is also its p5 and p95).
    /// </summary>
    [Fact]
    public void HostsPlot_Lines_AreP95MedianP5_OrTheOneHost()
    {
        FleetPoint[] series = [Point(0, p5: 10, p50: 20, p95: 30), Point(1, p5: 11, p50: 21, p95: 31)];
        ReplayReport.TimePlot plot = ReplayReport.HostsPlotData(series, ticks: 2, tickSeconds: 225, hostCount: 4);
        Assert.Equal("Host available memory (% of host RAM), 4 hosts", plot.Title);
        Assert.Equal("minutes", plot.XLabel); // 2 ticks × 225 s = 7.5 minutes
        Assert.Equal("% available", plot.YLabel);
        Assert.Equal(31 * 1.05, plot.YMax); // from 0 to 5 % above the highest (two points: the first counts)

        // More points: the first (every VM at its Startup, far emptier hosts) is left out of the scale; at least 1 %.
        FleetPoint[] day = [Point(0, p5: 60, p50: 62, p95: 63), Point(1, p95: 4), Point(2, p95: 2)];
        Assert.Equal(4 * 1.05, ReplayReport.HostsPlotData(day, ticks: 3, tickSeconds: 60, hostCount: 4).YMax);
        Assert.Equal(1.0, ReplayReport.HostsPlotData([Point(0), Point(1), Point(2)], ticks: 3, tickSeconds: 60, hostCount: 4).YMax);
        Assert.Equal([3.75, 7.5], plot.Xs);
        Assert.Equal(7.5, plot.XMax);
        Assert.Equal(["p95 of hosts", "median", "p5 of hosts"], plot.Lines.Select(l => l.Legend));
        Assert.Equal([30.0, 31.0], plot.Lines[0].Ys);
        Assert.Equal([20.0, 21.0], plot.Lines[1].Ys);
        Assert.Equal([10.0, 11.0], plot.Lines[2].Ys);
        Assert.Equal([false, false, true], plot.Lines.Select(l => l.Dashed));

        ReplayReport.TimePlot one = ReplayReport.HostsPlotData(series, ticks: 2, tickSeconds: 225, hostCount: 1);
        Assert.Equal("Host available memory (% of host RAM), 1 host", one.Title);
        PlotLineIs(Assert.Single(one.Lines), "the host", [20.0, 21.0]);
        Assert.Equal([3.75, 7.5], one.Xs);
    }

    /// <summary>No tick replayed (<c>--max-ticks 0</c>): no point, an axis of almost nothing rather than none, and a fleet y axis to 1 GB.</summary>
    [Fact]
    public void TimePlots_NoTick_NoPoint()
    {
        ReplayReport.TimePlot fleet = ReplayReport.FleetPlotData([], ticks: 0, tickSeconds: 60);
        Assert.Empty(fleet.Xs);
        Assert.All(fleet.Lines, l => Assert.Empty(l.Ys));
        Assert.Equal(1e-9, fleet.XMax);
        Assert.Equal(1.0, fleet.YMax);
        Assert.Equal(1e-9, ReplayReport.HostsPlotData([], ticks: 0, tickSeconds: 60, hostCount: 2).XMax);
    }

    /// <summary>
    /// pressure.png: a bar at each whole percent 0..300 of height % of all samples (those above 300 % included in the
    /// whole), and the samples above 300 % counted apart. 10 samples: 2 at 0 %, 5 at 100 %, 1 at 300 %, 1 at 301 % and
    /// 1 in the last bin (1000 % and up).
    /// </summary>
    [Fact]
    public void PressurePlot_BarsAtEachPercentTo300_SharesOfAllSamples()
    {
        long[] bins = new long[ReplayMetrics.PressureBins];
        bins[0] = 2;
        bins[100] = 5;
        bins[300] = 1;
        bins[301] = 1;
        bins[^1] = 1;
        ReplayReport.PressurePlot plot = ReplayReport.PressurePlotData(bins, count: 10);

        Assert.Equal(301, plot.Positions.Length);
        Assert.Equal(0.0, plot.Positions[0]);
        Assert.Equal(300.0, plot.Positions[^1]);
        Assert.Equal(Enumerable.Range(0, 301).Select(i => (double)i), plot.Positions);
        Assert.Equal(20.0, plot.SharePercent[0]);
        Assert.Equal(50.0, plot.SharePercent[100]);
        Assert.Equal(10.0, plot.SharePercent[300]);
        Assert.Equal(80.0, plot.SharePercent.Sum());
        Assert.Equal(2, plot.Beyond);
        Assert.Equal("% of samples", plot.YLabel);

        ReplayReport.PressurePlot none = ReplayReport.PressurePlotData(new long[ReplayMetrics.PressureBins], count: 0);
        Assert.Equal(301, none.Positions.Length);
        Assert.All(none.SharePercent, s => Assert.Equal(0.0, s));
        Assert.Equal(0, none.Beyond);
    }

    /// <summary>
    /// On a real replay (two VMs on two hosts, ticks of 225 s, 6 in the trace, <c>--max-ticks 4</c>): the plots' x values
    /// are 1/16, 2/16, 3/16 and 4/16 h and the axis ends at the replayed 0.25 h, not at the trace's 0.375 h; the y values
    /// are the series' (fleet.csv's) in GB and percent.
    /// </summary>
    [Fact]
    public void PlotData_OfAReplay_UseItsTicksTheirLengthAndItsSeries()
    {
        using var tmp = new TempDir();
        string file = tmp.File("t.dmt");
        using (var w = new NativeTraceWriter(file, new TraceDescription(225, "x", new TraceMetadata()),
            [new TraceVm("a", VmSettings.Dynamic(1024, 512, 2048), 0), new TraceVm("b", VmSettings.Dynamic(1024, 512, 2048), 1)],
            [new TraceHost(8192), new TraceHost(8192)]))
        {
            for (int t = 0; t < 6; t++)
                w.WriteTick([600, 900]);
            w.Complete();
        }

        ReplayOutcome outcome;
        using (NativeTraceReader reader = NativeTraceReader.Open(file))
        using (var engine = new ReplayEngine(reader, new ReplayOptions { MaxTicks = 4 }))
        {
            while (engine.Step())
            {
            }

            outcome = ReplayOutcome.FromEngine(engine, "t.dmt");
        }

        Assert.Equal([0L, 1, 2, 3], outcome.Series.Select(p => p.Tick));
        double[] minutes = [3.75, 7.5, 11.25, 15.0]; // 4 ticks of 225 s: 15 minutes
        ReplayReport.TimePlot fleet = ReplayReport.FleetPlotData(outcome);
        Assert.Equal("minutes", fleet.XLabel);
        Assert.Equal(minutes, fleet.Xs);
        Assert.Equal(15.0, fleet.XMax);
        Assert.Equal(outcome.Series.Select(p => p.AssignedMb / 1024.0), fleet.Lines[0].Ys);
        Assert.Equal(outcome.Series.Select(p => p.DemandMb / 1024.0), fleet.Lines[1].Ys);
        Assert.All(fleet.Lines[0].Ys, y => Assert.True(y > 0));

        ReplayReport.TimePlot hosts = ReplayReport.HostsPlotData(outcome);
        Assert.Equal(minutes, hosts.Xs);
        Assert.Equal(15.0, hosts.XMax);
        Assert.Equal(3, hosts.Lines.Count); // two hosts: p95, median, p5
        Assert.Equal(outcome.Series.Select(p => (double)p.HostAvailableP95), hosts.Lines[0].Ys);
        Assert.Equal(outcome.Series.Select(p => (double)p.HostAvailableP5), hosts.Lines[2].Ys);

        ReplayReport.PressurePlot pressure = ReplayReport.PressurePlotData(outcome);
        Assert.True(outcome.Pressure.Count > 0);
        Assert.Equal(100.0, pressure.SharePercent.Sum(), 9); // every sample at 300 % or under
    }

    private static void PlotLineIs(ReplayReport.PlotLine line, string legend, double[] ys)
    {
        Assert.Equal(legend, line.Legend);
        Assert.Equal(ys, line.Ys);
        Assert.False(line.Dashed);
    }
}

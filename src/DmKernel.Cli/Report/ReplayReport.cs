using System.Globalization;
using System.Text;
using DmKernel.Cli.Output;
using DmKernel.Traces.Replay;
using ScottPlot;
using ShareText = DmKernel.Traces.Capacity.ShareText;

namespace DmKernel.Cli.Report;

/// <summary><c>report.md</c> with its PNG plots (fleet assigned vs demand, pressure distribution, host available memory) and <c>fleet.csv</c>, the series behind them.</summary>
internal static class ReplayReport
{
    public const int PlotWidth = 900, PlotHeight = 420;

    public static void Write(Output.StagedOutput output, ReplayOutcome m)
    {
        double tick = m.Model.TickSeconds;
        double hours = SpanHours(m.Ticks, tick);
        IReadOnlyList<FleetPoint> series = m.Series;

        // Fleet assigned vs demand.
        var fleetPlot = new Plot();
        Draw(fleetPlot, FleetPlotData(m));
        fleetPlot.ShowLegend();
        fleetPlot.SavePng(output.File("fleet.png"), PlotWidth, PlotHeight);

        // Pressure distribution (Running DM VMs, one sample per VM per tick), 0..300 %.
        var pressurePlot = new Plot();
        PressurePlot pressure = PressurePlotData(m);
        int shown = pressure.Positions.Length;
        long beyond = pressure.Beyond;
        if (m.Pressure.Count > 0)
        {
            pressurePlot.Add.Bars(pressure.Positions, pressure.SharePercent);
            pressurePlot.Axes.SetLimitsY(0, Math.Max(pressure.SharePercent.Max() * 1.05, 1e-9)); // bars from 0, not a margin below it
            // Above 100 % the VM pages (as policies.png marks it): a spike at 30 % set the scale, and nothing said where paging starts.
            var at100 = pressurePlot.Add.VerticalLine(100);
            at100.LinePattern = LinePattern.Dashed;
            at100.Color = Colors.Black;
            at100.LegendText = "pressure 100 % (above: paging)";
            pressurePlot.ShowLegend();
        }
        else
        {
            pressurePlot.Axes.SetLimits(0, shown - 1, 0, 1); // not an autoscaled -1..1 % around bars of nothing
        }
        pressurePlot.Title(PressureTitle(m.Pressure.Count, beyond, shown - 1));
        pressurePlot.XLabel(pressure.XLabel);
        pressurePlot.YLabel(pressure.YLabel);
        pressurePlot.SavePng(output.File("pressure.png"), PlotWidth, PlotHeight);

        // Host available memory over time: p5, median, p95 across hosts.
        // One host: its own line (its p5, median and p95 are the same). The legend sits outside the data.
        var hostPlot = new Plot();
        Draw(hostPlot, HostsPlotData(m));
        hostPlot.ShowLegend(Edge.Right);
        hostPlot.SavePng(output.File("hosts.png"), PlotWidth, PlotHeight);

        var md = new StringBuilder();
        var ic = CultureInfo.InvariantCulture;
        md.AppendLine(ic, $"# Replay of `{m.TraceFile}`");
        md.AppendLine();
        md.AppendLine(ic, $"{Words.Count(m.VmCount, "VM")} on {Words.Count(m.HostCount, "host")} ({(m.PlacedByReplay ? "placed first-fit by Startup" : "placement from the trace")}), {m.Ticks} ticks of {tick} s ({hours:F1} h), source: {m.Header.Source}.{BootSentence(m)}");
        BalancerPolicy policy = m.Policy;
        IReadOnlyList<KeyValuePair<string, string>> parameters = policy.Parameters();
        md.AppendLine();
        // The policy's own name, then every parameter it ran with, each once (Name would repeat the changed ones).
        string runAs = PolicyPeriods.RunAs(policy, tick);
        md.AppendLine(ic, $"Balancer policy: {BalancerPolicy.Of(policy.Kind).Name}{(parameters.Count == 0 ? "" : " (" + string.Join(", ", parameters.Select(kv => $"{kv.Key} {kv.Value}")) + ")")} (docs/policies.md).{(runAs.Length == 0 ? "" : $" Its periods run in whole ticks of {tick:0.###} s: {runAs}.")}");
        md.AppendLine();
        md.AppendLine("| metric | value |");
        md.AppendLine("|---|---|");
        md.AppendLine(ic, $"| VM-time paging (demand > assigned) | {Share(m.PagingVmTicks, m.OnVmTicks, "VM-time on")} |");
        md.AppendLine(ic, $"| of which unservable (demand above the VM's Maximum or static size) | {Share(m.UnservablePagingVmTicks, m.OnVmTicks, "VM-time on")} |");
        md.AppendLine(ic, $"| unmet demand | {ShareText.Amount(m.UnmetMbTicks * tick / 1024 / 3600)} GB·h |"); // as the headline: F1 read 0.0 for a VM paging all the time
        md.AppendLine(ic, $"| VM-time denied (start failed) | {Share(m.DeniedVmTicks, m.WantedVmTicks, "VM-time wanted")} |");
        md.AppendLine(m.Pressure.Count == 0
            ? "| pressure mean / p50 / p90 / p99 / max | – (no samples: no Running Dynamic Memory VM in the measured ticks) |"
            : string.Create(ic, $"| pressure mean / p50 / p90 / p99 / max | {m.Pressure.Mean:F1} / {m.Pressure.Percentile(50)} / {m.Pressure.Percentile(90)} / {m.Pressure.Percentile(99)} / {m.Pressure.Max} % |"));
        md.AppendLine(ic, $"| memory assigned, mean / peak | {(double)m.AssignedMbTicks / Math.Max(1, m.Ticks) / 1024.0:F1} / {m.PeakAssignedMb / 1024.0:F1} GB |");
        md.AppendLine(ic, $"| demand, mean | {(double)m.DemandMbTicks / Math.Max(1, m.Ticks) / 1024.0:F1} GB |");
        md.AppendLine(m.HostAvailablePercent.Count == 0
            ? "| host available p5 / p50 / p95 | – (no samples) |"
            : string.Create(ic, $"| host available p5 / p50 / p95 | {m.HostAvailablePercent.Percentile(5)} / {m.HostAvailablePercent.Percentile(50)} / {m.HostAvailablePercent.Percentile(95)} % |"));
        // R6 uses Smart Paging only on a restart, which a trace cannot ask for (docs/outputs.md): say why the row is 0.
        md.AppendLine(m.SmartPagingVmTicks == 0
            ? "| Smart Paging | 0 VM·h (R6 uses it only on a restart; a trace starts and stops VMs, it restarts none) |"
            : string.Create(ic, $"| Smart Paging | {ShareText.Amount(m.SmartPagingVmTicks * tick / 3600)} VM·h |"));
        md.AppendLine();
        md.AppendLine("![Fleet memory](fleet.png)");
        md.AppendLine();
        md.AppendLine("![Pressure distribution](pressure.png)");
        if (m.Pressure.Count > 0 && m.Pressure.Max > shown - 1)
        {
            md.AppendLine();
            md.AppendLine(ic, $"The plot shows pressures up to {shown - 1} %; {Share(beyond, m.Pressure.Count, "samples")} are above, up to {m.Pressure.Max} % (p99 {m.Pressure.Percentile(99)} %).");
        }
        md.AppendLine();
        md.AppendLine("![Host available memory](hosts.png)");
        md.AppendLine();
        md.AppendLine("## VMs that starve most (time paging)");
        md.AppendLine();
        if (m.Starving.Count == 0)
        {
            // No VM paged: a table of headers and no rows under "starve most" read as if the list had been lost.
            md.AppendLine("No VM paged.");
        }
        else
        {
            md.AppendLine("| VM | paging time | share of the replay's ticks | of which unservable (share of its paging) | unmet demand (GB·h) |");
            md.AppendLine("|---|---|---|---|---|");
            foreach (StarvingVm vm in m.Starving)
                md.AppendLine(ic, $"| {vm.Id} | {ShareText.Amount(vm.PagingTicks * tick / 3600)} h | {Percent(vm.PagingTicks, m.Ticks)} | {Percent(vm.UnservableTicks, vm.PagingTicks)} | {ShareText.Amount(vm.UnmetMbTicks * tick / 1024 / 3600)} |");
        }

        md.AppendLine();
        md.AppendLine("*Unservable* paging is paging while the VM's committed demand is above what its own settings can ever give it (its Maximum; a static VM's size; less a Linux guest's balloon floor): more host memory or another balancer would not relieve it, only a larger Maximum (or size). The rest is servable: paging for want of free memory on this placement, or while a VM boots at its Startup, which a larger Startup would relieve. This report is the trace's own placement; `dmkernel compare` on the same trace sets the unservable time apart and answers whether Dynamic Memory pays off here and how many VMs fit per host (README, \"For the capacity planner\").");
        md.AppendLine();
        md.AppendLine("## VMs that starve most on servable demand (host memory short, or booting at Startup)");
        md.AppendLine();
        if (m.StarvingServable.Count == 0)
        {
            md.AppendLine(m.PagingVmTicks == 0 ? "No VM paged." : "No VM paged on servable demand: all of the paging is unservable.");
        }
        else
        {
            md.AppendLine("The VMs with the most paging time on demand their own settings can serve (as above: at most their Maximum or static size, less a Linux guest's floor): what more free memory on their host, another placement or another balancer could relieve, or, for the paging while a VM boots at its Startup, a larger Startup. The table above may rank them below VMs that ask for more than their Maximum.");
            md.AppendLine();
            md.AppendLine("| VM | servable paging time | share of the replay's ticks | all its paging time |");
            md.AppendLine("|---|---|---|---|");
            foreach (StarvingVm vm in m.StarvingServable)
                md.AppendLine(ic, $"| {vm.Id} | {ShareText.Amount(vm.ServableTicks * tick / 3600)} h | {Percent(vm.ServableTicks, m.Ticks)} | {ShareText.Amount(vm.PagingTicks * tick / 3600)} h |");
        }
        md.AppendLine();
        md.AppendLine("Numbers in `summary.json`; the fleet's series, tick by tick, in `fleet.csv`; per-host series in `hosts.csv`.");
        File.WriteAllText(output.File("report.md"), md.ToString());
        WriteFleetSeries(output.File("fleet.csv"), series);
    }

    /// <summary>One line of a plot against time: its legend, its y values (one per point of the series) and whether it is dashed.</summary>
    internal sealed record PlotLine(string Legend, double[] Ys, bool Dashed = false);

    /// <summary>
    /// What fleet.png or hosts.png draws: the x of every point (<see cref="Xs"/>, in the unit <see cref="XLabel"/> names),
    /// the x axis from 0 to <see cref="XMax"/>, the y axis from 0 to <see cref="YMax"/> (null: ScottPlot's autoscale), and
    /// the lines in the order they are added (which gives them their colours).
    /// </summary>
    /// <remarks><see cref="Right"/>: a line on a second y axis at the right, from 0 to 100 (<see cref="RightLabel"/>), or null.</remarks>
    internal sealed record TimePlot(string Title, string XLabel, double[] Xs, double XMax, string YLabel, double? YMax, IReadOnlyList<PlotLine> Lines,
        PlotLine? Right = null, string? RightLabel = null);

    /// <summary>
    /// What pressure.png draws: a bar at every whole percentage in <see cref="Positions"/> (0 to 300 %) of height
    /// <see cref="SharePercent"/> (% of the samples), and the samples above the last bar (<see cref="Beyond"/>), which it does not show.
    /// </summary>
    internal sealed record PressurePlot(double[] Positions, double[] SharePercent, long Beyond, string XLabel, string YLabel);

    /// <summary>
    /// The unit of fleet.png's and hosts.png's x axis, chosen from the replay's length so that the axis reads in whole
    /// numbers of a familiar unit: seconds up to 2 minutes, minutes up to 2 hours, hours up to 4 days, days beyond (a day's
    /// trace in hours 0..24, a month's in days 0..30, a run of 1 440 ticks of 3 ms in seconds 0..4.32 rather than hours
    /// 0..0.0012).
    /// </summary>
    internal readonly record struct TimeUnit(string Label, double Seconds)
    {
        public static TimeUnit Of(long ticks, double tickSeconds)
        {
            double span = ticks * tickSeconds;
            return span <= 120 ? new("seconds", 1) : span <= 2 * 3600 ? new("minutes", 60) : span <= 4 * 86_400 ? new("hours", 3600) : new("days", 86_400);
        }
    }

    /// <summary>
    /// The x of each point of the fleet series in <paramref name="unit"/>: a point is the fleet at the <em>end</em> of its
    /// tick (as fleet.csv's columns), so tick t (0-based) sits at (t + 1) × <paramref name="tickSeconds"/> ÷ the unit's
    /// seconds and the last of a replay of n ticks at its full length, the right edge of the axis.
    /// </summary>
    internal static double[] TimesOf(IReadOnlyList<FleetPoint> series, double tickSeconds, TimeUnit unit)
    {
        double[] xs = new double[series.Count];
        for (int i = 0; i < xs.Length; i++)
            xs[i] = (series[i].Tick + 1) * tickSeconds / unit.Seconds;
        return xs;
    }

    /// <summary>
    /// report.md's sentence on the boot phase (--boot-ticks), "" without one: whether it started every VM on at tick 0, or
    /// how many it left off (before the review of stop 56 "so that the VMs on at tick 0 could boot one after another"
    /// stood beside 96 of 195 still off).
    /// </summary>
    internal static string BootSentence(ReplayOutcome m)
    {
        if (m.BootTicks <= 0)
            return "";
        var ic = CultureInfo.InvariantCulture;
        string ran = string.Create(ic, $" Before the trace's first tick the fleet ran {Words.Count(m.BootTicks, "boot tick")} with every VM at its tick-0 value, not measured (--boot-ticks)");
        if (m.BootVmsOnAtTick0 == 0)
            return ran + ": no VM was on at tick 0.";
        return m.BootVmsStillOff == 0
            ? string.Create(ic, $"{ran}, so that the {Words.Count(m.BootVmsOnAtTick0, "VM")} on at tick 0 booted one after another as room allowed: all had started before the first tick.")
            : string.Create(ic, $"{ran}, for the {Words.Count(m.BootVmsOnAtTick0, "VM")} on at tick 0 to boot one after another as room allowed, but {m.BootVmsStillOff} of them were still off after it, their starts denied on every boot tick (the hosts cannot hold them beside the others at their Minimum, or the boot was too short: more --boot-ticks); their denied starts in the measured ticks are counted.");
    }

    /// <summary>The length of a replay of <paramref name="ticks"/> ticks in hours.</summary>
    internal static double SpanHours(long ticks, double tickSeconds) => ticks * tickSeconds / 3600.0;

    /// <summary>fleet.png's numbers for the replay <paramref name="m"/> (its series, its ticks and their length).</summary>
    internal static TimePlot FleetPlotData(ReplayOutcome m) => FleetPlotData(m.Series, m.Ticks, m.Model.TickSeconds);

    /// <summary>hosts.png's numbers for the replay <paramref name="m"/> (its series, its ticks and their length, its hosts).</summary>
    internal static TimePlot HostsPlotData(ReplayOutcome m) => HostsPlotData(m.Series, m.Ticks, m.Model.TickSeconds, m.HostCount);

    /// <summary>pressure.png's numbers for the replay <paramref name="m"/> (its pressure histogram).</summary>
    internal static PressurePlot PressurePlotData(ReplayOutcome m) => PressurePlotData(m.Pressure.Bins(), m.Pressure.Count);

    /// <summary>
    /// fleet.png's numbers: Σ Assigned and Σ Demand of the VMs on, in GB, against time (<see cref="TimeUnit"/>); the y axis
    /// from 0 to 5 % above the larger of the two; and on a right axis (0..100 %) the share of the VMs on that page in each
    /// tick (since stop 54: the fleet's totals could sit far apart, assigned above demand, while a quarter of the VM-time
    /// paged on VMs short of memory, and no plot showed when).
    /// </summary>
    internal static TimePlot FleetPlotData(IReadOnlyList<FleetPoint> series, long ticks, double tickSeconds)
    {
        // From 0 GB: the autoscale started the axis near the data, so a few percent between assigned and demand looked
        // like a factor (the gap is what a planner reads off this plot).
        double top = 0;
        foreach (FleetPoint p in series)
            top = Math.Max(top, Math.Max(p.AssignedMb, p.DemandMb) / 1024.0);
        var unit = TimeUnit.Of(ticks, tickSeconds);
        return new TimePlot("Fleet memory: assigned vs demand", unit.Label, TimesOf(series, tickSeconds, unit), XMaxOf(ticks, tickSeconds, unit), "GB", top > 0 ? top * 1.05 : 1,
            [new PlotLine("assigned (GB)", Select(series, p => p.AssignedMb / 1024.0)), new PlotLine("demand (GB)", Select(series, p => p.DemandMb / 1024.0))],
            new PlotLine("VMs paging (% of VMs on, right axis)", Select(series, p => p.OnVms == 0 ? 0 : 100.0 * p.PagingVms / p.OnVms), Dashed: true), "% of VMs on paging");
    }

    /// <summary>
    /// hosts.png's numbers: p95, median and p5 across hosts of the host available percentage against time
    /// (<see cref="TimeUnit"/>; one host: its own line); the y axis from 0 % (an autoscaled axis of 91..93 % made a step of
    /// 2 points a cliff, and one starting at 5 % hid the hosts at 0) to 5 % above the highest point after the first (which
    /// then runs off the top at the left edge), at least 1 % and at most 100 %.
    /// </summary>
    internal static TimePlot HostsPlotData(IReadOnlyList<FleetPoint> series, long ticks, double tickSeconds, int hostCount)
    {
        IReadOnlyList<PlotLine> lines = hostCount == 1
            ? [new PlotLine("the host", Select(series, p => p.HostAvailableP50))]
            : [new PlotLine("p95 of hosts", Select(series, p => p.HostAvailableP95)), new PlotLine("median", Select(series, p => p.HostAvailableP50)),
               new PlotLine("p5 of hosts", Select(series, p => p.HostAvailableP5), Dashed: true)];
        var unit = TimeUnit.Of(ticks, tickSeconds);
        // The first point left out of the scale where there are more: at the end of tick 0 every VM holds its Startup, so
        // a host is far emptier than ever after (63 % on the sample), and that point set a scale that crushed the rest.
        double top = lines.Count == 0 ? 0 : lines.Max(l => l.Ys.Length == 0 ? 0 : l.Ys.AsSpan(l.Ys.Length > 2 ? 1 : 0).ToArray().Max());
        return new TimePlot(string.Create(CultureInfo.InvariantCulture, $"Host available memory (% of host RAM), {Words.Count(hostCount, "host")}"), unit.Label,
            TimesOf(series, tickSeconds, unit), XMaxOf(ticks, tickSeconds, unit), "% available", Math.Clamp(top * 1.05, 1, 100), lines);
    }

    // The replay's span, not the autoscale's margins (-1..25 h); never an empty axis.
    private static double XMaxOf(long ticks, double tickSeconds, TimeUnit unit) => Math.Max(ticks * tickSeconds / unit.Seconds, 1e-9);

    /// <summary>pressure.png's numbers from the pressure histogram's bins (one per whole percent) and its sample count: the bars from 0 to 300 %.</summary>
    internal static PressurePlot PressurePlotData(long[] bins, long count)
    {
        int shown = Math.Min(301, bins.Length);
        double[] positions = new double[shown], counts = new double[shown];
        double samples = Math.Max(1, count);
        for (int i = 0; i < shown; i++)
        {
            positions[i] = i;
            counts[i] = 100.0 * bins[i] / samples;
        }

        long beyond = count;
        for (int i = 0; i < shown; i++)
            beyond -= bins[i];
        return new PressurePlot(positions, counts, beyond, "pressure % (100 = demand equals assigned; above 100 = paging)", "% of samples");
    }

    /// <summary>Adds <paramref name="data"/>'s lines, title, labels and axis limits to <paramref name="plot"/>.</summary>
    private static void Draw(Plot plot, TimePlot data)
    {
        // A replay of a tick or two draws its points as markers: a line of one point is nothing at all.
        int marker = data.Xs.Length <= 2 ? 8 : 0;
        foreach (PlotLine line in data.Lines)
        {
            var scatter = plot.Add.ScatterLine(data.Xs, line.Ys);
            scatter.LegendText = line.Legend;
            scatter.MarkerSize = marker;
            if (line.Dashed)
                scatter.LinePattern = LinePattern.Dashed;
        }

        if (data.Right is PlotLine right)
        {
            var scatter = plot.Add.ScatterLine(data.Xs, right.Ys);
            scatter.LegendText = right.Legend;
            scatter.MarkerSize = marker;
            scatter.LinePattern = LinePattern.Dotted;
            scatter.Axes.YAxis = plot.Axes.Right;
            plot.Axes.Right.Label.Text = data.RightLabel ?? "";
            plot.Axes.SetLimitsY(0, 100, plot.Axes.Right);
        }

        plot.Title(data.Title);
        plot.XLabel(data.XLabel);
        plot.YLabel(data.YLabel);
        plot.Axes.SetLimitsX(0, data.XMax);
        if (data.YMax is double yMax)
            plot.Axes.SetLimitsY(0, yMax);
    }

    /// <summary>The header of <c>fleet.csv</c> (docs/outputs.md defines each column).</summary>
    internal const string FleetCsvHeader = "tick,on_vms,paging_vms,assigned_mb,demand_mb,available_mb,short_hosts,host_available_p5,host_available_p50,host_available_p95";

    /// <summary>
    /// <c>fleet.csv</c>: one row per replayed tick of the fleet series behind fleet.png and hosts.png, with the VMs on and
    /// paging and the short hosts of each tick, which no plot shows.
    /// </summary>
    private static void WriteFleetSeries(string path, IReadOnlyList<FleetPoint> series)
    {
        using var csv = new StreamWriter(path, append: false, new UTF8Encoding(false), 1 << 16);
        csv.NewLine = "\n";
        csv.WriteLine(FleetCsvHeader);
        var ic = CultureInfo.InvariantCulture;
        foreach (FleetPoint p in series)
            csv.WriteLine(string.Create(ic, $"{p.Tick},{p.OnVms},{p.PagingVms},{p.AssignedMb},{p.DemandMb},{p.AvailableMb},{p.ShortHosts},{p.HostAvailableP5},{p.HostAvailableP50},{p.HostAvailableP95}"));
    }

    /// <summary>
    /// pressure.png's title: the share of the samples above the plotted <paramref name="top"/> %, and, with no sample (no
    /// Running Dynamic Memory VM: every VM static, off or still booting), why the plot is empty (it showed a flat line at
    /// 0 % and nothing else).
    /// </summary>
    internal static string PressureTitle(long samples, long beyond, int top)
    {
        string title = "Pressure of Running Dynamic Memory VMs (one sample per VM-tick)";
        if (beyond > 0)
            title += string.Create(CultureInfo.InvariantCulture, $"\n{ShareText.Percent((double)beyond / samples)} of the samples are above {top} % (not shown)");
        if (samples == 0)
            title += "\nno samples: no Running Dynamic Memory VM in the measured ticks";
        return title;
    }

    private static string Share(long part, long whole, string of) => whole == 0 ? $"– (no {of})" : $"{Percent(part, whole)} of {of}";

    // Shares of nothing (no VM-time on, no VM-time wanted) are "–", not 0 %: there was nothing to measure.
    private static string Percent(long part, long whole)
        => whole == 0 ? "–" : ShareText.Percent((double)part / whole);

    private static double[] Select(IReadOnlyList<FleetPoint> series, Func<FleetPoint, double> f)
    {
        var ys = new double[series.Count];
        for (int i = 0; i < ys.Length; i++)
            ys[i] = f(series[i]);
        return ys;
    }
}

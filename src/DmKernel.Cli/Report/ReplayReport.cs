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
        double hours = m.Ticks * tick / 3600.0;
        IReadOnlyList<FleetPoint> series = m.Series;
        double[] xs = new double[series.Count];
        for (int i = 0; i < xs.Length; i++)
            xs[i] = (series[i].Tick + 1) * tick / 3600.0;

        // Fleet assigned vs demand.
        var fleetPlot = new Plot();
        var assigned = fleetPlot.Add.ScatterLine(xs, Select(series, p => p.AssignedMb / 1024.0));
        assigned.LegendText = "assigned (GB)";
        var demand = fleetPlot.Add.ScatterLine(xs, Select(series, p => p.DemandMb / 1024.0));
        demand.LegendText = "demand (GB)";
        fleetPlot.Title("Fleet memory: assigned vs demand");
        fleetPlot.XLabel("hours");
        fleetPlot.YLabel("GB");
        fleetPlot.Axes.SetLimitsX(0, Math.Max(hours, 1e-9)); // the replay's span, not the autoscale's margins (-1..25 h)
        // From 0 GB: the autoscale started the axis near the data, so a few percent between assigned and demand looked
        // like a factor (the gap is what a planner reads off this plot).
        double top = 0;
        foreach (FleetPoint p in series)
            top = Math.Max(top, Math.Max(p.AssignedMb, p.DemandMb) / 1024.0);
        fleetPlot.Axes.SetLimitsY(0, top > 0 ? top * 1.05 : 1);
        fleetPlot.ShowLegend();
        fleetPlot.SavePng(output.File("fleet.png"), PlotWidth, PlotHeight);

        // Pressure distribution (Running DM VMs, one sample per VM per tick), 0..300 %.
        var pressurePlot = new Plot();
        long[] bins = m.Pressure.Bins();
        int shown = Math.Min(301, bins.Length);
        double[] positions = new double[shown], counts = new double[shown];
        double samples = Math.Max(1, m.Pressure.Count);
        for (int i = 0; i < shown; i++)
        {
            positions[i] = i;
            counts[i] = 100.0 * bins[i] / samples;
        }

        long beyond = m.Pressure.Count;
        for (int i = 0; i < shown; i++)
            beyond -= bins[i];
        if (m.Pressure.Count > 0)
            pressurePlot.Add.Bars(positions, counts);
        else
            pressurePlot.Axes.SetLimits(0, shown - 1, 0, 1); // not an autoscaled -1..1 % around bars of nothing
        pressurePlot.Title(PressureTitle(m.Pressure.Count, beyond, shown - 1));
        pressurePlot.XLabel("pressure % (100 = demand equals assigned; above 100 = paging)");
        pressurePlot.YLabel("% of samples");
        pressurePlot.SavePng(output.File("pressure.png"), PlotWidth, PlotHeight);

        // Host available memory over time: p5, median, p95 across hosts.
        // One host: its own line (its p5, median and p95 are the same). The legend sits outside the data.
        var hostPlot = new Plot();
        if (m.HostCount == 1)
        {
            var only = hostPlot.Add.ScatterLine(xs, Select(series, p => p.HostAvailableP50));
            only.LegendText = "the host";
        }
        else
        {
            var p95 = hostPlot.Add.ScatterLine(xs, Select(series, p => p.HostAvailableP95));
            p95.LegendText = "p95 of hosts";
            var p50 = hostPlot.Add.ScatterLine(xs, Select(series, p => p.HostAvailableP50));
            p50.LegendText = "median";
            var p5 = hostPlot.Add.ScatterLine(xs, Select(series, p => p.HostAvailableP5));
            p5.LegendText = "p5 of hosts";
            p5.LinePattern = LinePattern.Dashed;
        }

        hostPlot.Title(string.Create(CultureInfo.InvariantCulture, $"Host available memory (% of host RAM), {Words.Count(m.HostCount, "host")}"));
        hostPlot.XLabel("hours");
        hostPlot.YLabel("% available");
        hostPlot.Axes.SetLimitsX(0, Math.Max(hours, 1e-9));
        hostPlot.ShowLegend(Edge.Right);
        hostPlot.SavePng(output.File("hosts.png"), PlotWidth, PlotHeight);

        var md = new StringBuilder();
        var ic = CultureInfo.InvariantCulture;
        md.AppendLine(ic, $"# Replay of `{m.TraceFile}`");
        md.AppendLine();
        md.AppendLine(ic, $"{Words.Count(m.VmCount, "VM")} on {Words.Count(m.HostCount, "host")} ({(m.PlacedByReplay ? "placed first-fit by Startup" : "placement from the trace")}), {m.Ticks} ticks of {tick} s ({hours:F1} h), source: {m.Header.Source}.");
        BalancerPolicy policy = m.Policy;
        IReadOnlyList<KeyValuePair<string, string>> parameters = policy.Parameters();
        md.AppendLine();
        // The policy's own name, then every parameter it ran with, each once (Name would repeat the changed ones).
        md.AppendLine(ic, $"Balancer policy: {BalancerPolicy.Of(policy.Kind).Name}{(parameters.Count == 0 ? "" : " (" + string.Join(", ", parameters.Select(kv => $"{kv.Key} {kv.Value}")) + ")")} (docs/policies.md).");
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

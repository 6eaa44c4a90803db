using System.Globalization;
using System.Text;
using System.Text.Json;
using DmKernel.Traces.Capacity;
using DmKernel.Traces.Replay;
using ScottPlot;

namespace DmKernel.Cli.Report;

/// <summary>The policy lab's part of the compare report (<c>--policies</c>, docs/policies.md).</summary>
internal sealed partial class CompareReport
{
    /// <summary>One line per policy for the console.</summary>
    public string PolicyLines()
    {
        var sb = new StringBuilder();
        foreach (PolicyResult p in result.Policies)
        {
            ProbeOutcome s = p.SideBySide;
            string density = p.Density.NeverMeets ? "meets the level at no density" : $"{PolicyDensity(p)} VMs per host ({PolicyRatio(p)})";
            sb.AppendLine(Ic, $"{p.Policy.Name,-14} {density}, {(p.Hosts.Hosts is int k ? Count(k, "host") : p.Density.NeverMeets || TriedOneVmPerHost(p.Hosts) ? "no number of hosts" : string.Create(CultureInfo.InvariantCulture, $"more than {p.Hosts.MaxHosts} hosts (the search's limit: raise --max-hosts)"))}; side by side: paging {ShareText.Percent(s.PagingShare)}, unmet {ShareText.Amount(UnmetGbh(s))} GB·h, denied {ShareText.Amount(DeniedVmh(s), 1)} VM·h, held {Gb(s.MeanHeldPerVmMb)} per VM");
        }

        return sb.ToString().TrimEnd();
    }

    /// <summary>The "Balancer policies" section of report.md (empty without policies).</summary>
    public string PolicySection()
    {
        if (result.Policies.Count == 0)
            return "";
        var md = new StringBuilder();
        md.AppendLine("## Balancer policies");
        md.AppendLine();
        md.AppendLine(Ic, $"The Dynamic Memory strategy under each balancer policy (docs/policies.md): the same trace, draws and service level ({result.Options.Level.Describe()}); every policy shares the lifecycle, the balloon and hot-add mechanisms and the measures, and differs only in each VM's goal and the order of grants.");
        md.AppendLine();
        md.AppendLine("**At the service level**");
        md.AppendLine();
        md.AppendLine("| policy | VMs per host (median, range) | × static provisioned | hosts needed | memory held per VM at density (mean over on VM-time / fleet peak per VM) | one VM more misses by |");
        md.AppendLine("|---|---|---|---|---|---|");
        foreach (PolicyResult p in result.Policies)
        {
            DensityResult d = p.Density;
            ProbeOutcome? at = d.AtMedian;
            string miss = Misses(d);
            md.AppendLine(Ic, $"| {PolicyLabel(p)} | {PolicyDensity(p)} | {PolicyRatio(p)} | {PolicyHosts(p)} | {(at is null ? "–" : $"{Gb(at.MeanHeldPerVmMb)} / {Gb(at.PeakHeldPerVmMb)}")} | {(miss.Length == 0 ? "–" : miss)} |");
        }

        md.AppendLine();
        md.AppendLine(Ic, $"**Side by side**: {result.PolicyPlacement}, the whole trace under each policy. Paging is the share of servable VM-time with Demand > Assigned; pressure is R10's over servable on VM-time.");
        md.AppendLine();
        md.AppendLine("| policy | paging | unmet demand (GB·h) | denied starts (VM·h) | memory held per VM (mean over on VM-time / fleet peak per VM) | demand per VM | pressure p50 / p90 / p99 |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (PolicyResult p in result.Policies)
        {
            ProbeOutcome s = p.SideBySide;
            Histogram? h = s.Pressure;
            string pressure = h is null || h.Count == 0 ? "–" : string.Create(Ic, $"{h.Percentile(50)} / {h.Percentile(90)} / {h.Percentile(99)} %");
            md.AppendLine(Ic, $"| {PolicyLabel(p)} | {ShareText.Percent(s.PagingShare)} | {ShareText.Amount(UnmetGbh(s))} | {ShareText.Amount(DeniedVmh(s), 1)} | {Gb(s.MeanHeldPerVmMb)} / {Gb(s.PeakHeldPerVmMb)} | {Gb(s.MeanDemandPerVmMb)} | {pressure} |");
        }

        md.AppendLine();
        md.AppendLine("![Distribution of Current Pressure per policy, side by side](policies.png)");
        md.AppendLine();
        md.AppendLine("**Parameters**");
        md.AppendLine();
        md.AppendLine("| policy | parameters |");
        md.AppendLine("|---|---|");
        foreach (PolicyResult p in result.Policies)
        {
            IReadOnlyList<KeyValuePair<string, string>> ps = p.Policy.Parameters();
            string text = ps.Count == 0 ? (p.Policy.Kind == PolicyKind.HyperV ? "R9–R15 with the model's parameters" : "none") : string.Join(", ", ps.Select(kv => $"{kv.Key} {kv.Value}"));
            string runAs = PolicyPeriods.RunAs(p.Policy, result.TickSeconds);
            if (runAs.Length > 0)
                text += string.Create(Ic, $"; at {result.TickSeconds:0.###}-s ticks {runAs}");
            md.AppendLine(Ic, $"| {p.Policy.Name} | {text} |");
        }

        md.AppendLine();
        return md.ToString();
    }

    /// <summary>
    /// One policy's line on policies.png: its legend, its colour (the policy's index in the study's policies, in the
    /// Category10 palette) and its points: x each whole Current Pressure 0..300 %, y the % of the samples at or below it.
    /// </summary>
    internal sealed record PolicyCurve(string Legend, int Colour, double[] Xs, double[] Ys);

    /// <summary>
    /// What policies.png draws, in this order: the <see cref="Curves"/> (2 px wide), a dashed black vertical line at
    /// <see cref="LineX"/> % pressure; the x axis from 0 to <see cref="XMax"/> %, the y axis from 0 to <see cref="YMax"/> %.
    /// </summary>
    internal sealed record PolicyPlot(string Title, string XLabel, string YLabel, IReadOnlyList<PolicyCurve> Curves, double LineX, string LineLegend, double XMax, double YMax);

    /// <summary>
    /// policies.png's numbers: per policy with pressure samples side by side, the cumulative share (%) of its samples at
    /// or below each whole Current Pressure from 0 to 300 % (the legend gives the share above 300 % when it is 0.05 % or
    /// more); the x axis to 10 points beyond the highest p99.9 of any policy, at least 150 % and at most 300 %; y 0..100 %.
    /// </summary>
    internal PolicyPlot PolicyPlotData()
    {
        int maxX = 150;
        var curves = new List<PolicyCurve>();
        for (int i = 0; i < result.Policies.Count; i++)
        {
            PolicyResult p = result.Policies[i];
            if (p.SideBySide.Pressure is not Histogram h || h.Count == 0)
                continue;
            long[] bins = h.Bins();
            int top = Math.Min(bins.Length - 1, 300);
            maxX = Math.Max(maxX, Math.Min(300, h.Percentile(99.9) + 10));
            var xs = new double[top + 1];
            var ys = new double[top + 1];
            long acc = 0;
            for (int v = 0; v <= top; v++)
            {
                acc += bins[v];
                xs[v] = v;
                ys[v] = 100.0 * acc / h.Count;
            }

            double below = ys[^1];
            var notes = new List<string>();
            if (below < 99.95 && top == 300)
                notes.Add(string.Create(Ic, $"{ShareText.Percent(1 - (below / 100), 1)} above 300 %"));

            // A curve is of the VMs that were on: a policy that left VMs off (denied starts) looks low without them, so the
            // legend says how much wanted VM-time it denied (the static policy on the month: a third, drawn leftmost).
            if (p.SideBySide.DeniedShare >= 0.0005)
                notes.Add(string.Create(Ic, $"{ShareText.Percent(p.SideBySide.DeniedShare, 1)} of VM-time denied, not drawn"));

            // One curve hidden under another: said, as density.png says it.
            if (curves.FirstOrDefault(c => c.Ys.AsSpan().SequenceEqual(ys)) is PolicyCurve same)
                notes.Add($"the same curve as {same.Legend.Split(" (", 2)[0]}");
            curves.Add(new PolicyCurve(notes.Count == 0 ? PolicyLabel(p) : $"{PolicyLabel(p)} ({string.Join("; ", notes)})", i, xs, ys));
        }

        return new PolicyPlot(string.Create(Ic, $"Cumulative Current Pressure per policy, side by side\n{result.Trace}: the whole trace on one placement"),
            "Current Pressure (%)", "% of servable VM-time on at or below", curves, 100, "pressure 100 % (above: paging)", maxX, 100);
    }

    /// <summary>policies.png: per policy, the share of servable on VM-time at or below each Current Pressure (side by side; <see cref="PolicyPlotData"/>).</summary>
    public void WritePolicyPlot(string path)
    {
        PolicyPlot data = PolicyPlotData();
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        foreach (PolicyCurve c in data.Curves)
        {
            var line = plot.Add.ScatterLine(c.Xs, c.Ys, palette.GetColor(c.Colour));
            line.LegendText = c.Legend;
            line.LineWidth = 2;
        }

        var at100 = plot.Add.VerticalLine(data.LineX);
        at100.LinePattern = LinePattern.Dashed;
        at100.Color = Colors.Black;
        at100.LegendText = data.LineLegend;
        plot.Title(data.Title);
        plot.XLabel(data.XLabel);
        plot.YLabel(data.YLabel);
        plot.Axes.SetLimits(0, data.XMax, 0, data.YMax);
        plot.ShowLegend(Edge.Right);
        plot.SavePng(path, ReplayReport.PlotWidth + 200, ReplayReport.PlotHeight + 80);
    }

    /// <summary>The "policies" part of comparison.json.</summary>
    private static void WritePolicies(Utf8JsonWriter json, CapacityResult r, CompareReport report)
    {
        if (r.Policies.Count == 0)
            return;
        json.WriteString("policyPlacement", r.PolicyPlacement);
        json.WriteStartArray("policies");
        foreach (PolicyResult p in r.Policies)
        {
            json.WriteStartObject();
            json.WriteString("policy", p.Policy.Key);
            json.WriteString("name", p.Policy.Name);
            json.WriteStartObject("parameters");
            foreach (KeyValuePair<string, string> kv in p.Policy.Parameters())
                json.WriteString(kv.Key, kv.Value);
            json.WriteEndObject();
            json.WriteStartObject("vmsPerHost");
            json.WriteNumber("median", p.Density.Median);
            json.WriteNumber("min", p.Density.Min);
            json.WriteNumber("max", p.Density.Max);
            json.WriteStartArray("seeds");
            foreach (DensitySeed s in p.Density.Seeds)
                json.WriteNumberValue(s.VmsPerHost);
            json.WriteEndArray();
            WriteRatio(json, p.VersusStatic);
            json.WriteEndObject();
            if (p.Hosts.Hosts is int n)
                json.WriteNumber("hostsNeeded", n);
            else
                json.WriteNull("hostsNeeded");
            json.WriteString("hostsAnswer", report.HostsAnswer(p.Hosts, p.Density.NeverMeets));
            json.WriteNumber("maxHostsTried", p.Hosts.MaxHosts);
            ProbeOutcome s2 = p.SideBySide;
            WriteOutcome(json, "sideBySide", s2);
            json.WriteStartObject("sideBySideTotals");
            json.WriteNumber("unmetDemandGbHours", Math.Round(s2.UnmetMbTicks * r.TickSeconds / 3600 / 1024, 4));
            json.WriteNumber("deniedVmHours", Math.Round(s2.DeniedVmTicks * r.TickSeconds / 3600, 4));
            json.WriteNumber("pagingVmTicks", s2.PagingVmTicks);
            json.WriteNumber("servableVmTicks", s2.ServableVmTicks);
            if (s2.Pressure is Histogram h && h.Count > 0)
            {
                json.WriteStartObject("pressure");
                json.WriteNumber("samples", h.Count);
                json.WriteNumber("mean", Math.Round(h.Mean, 3));
                foreach (int q in (ReadOnlySpan<int>)[50, 90, 95, 99])
                    json.WriteNumber(string.Create(CultureInfo.InvariantCulture, $"p{q}"), h.Percentile(q));
                json.WriteNumber("max", h.Max);
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static string PolicyDensity(PolicyResult p) => p.Density.NeverMeets ? "none" : Range(p.Density);

    private static string PolicyRatio(PolicyResult p) => p.Density.NeverMeets ? "–" : string.Create(Ic, $"{Fmt(p.VersusStatic.Median)} × static provisioned");

    private string PolicyHosts(PolicyResult p) => p.Hosts.Hosts is int n ? n.ToString(Ic)
        : p.Density.NeverMeets ? "none" : TriedOneVmPerHost(p.Hosts) ? "none (misses even with one VM per host)" : string.Create(Ic, $"more than {p.Hosts.MaxHosts} (the search's limit: raise --max-hosts)");

    // The static policy holds every VM at its Startup: not the strategy "static provisioned" (VMs at their Maximum).
    private static string PolicyLabel(PolicyResult p) => p.Policy.Kind == PolicyKind.Static ? "static (every VM held at its Startup)" : p.Policy.Name;

    private double UnmetGbh(ProbeOutcome s) => s.UnmetMbTicks * result.TickSeconds / 3600 / 1024;

    private double DeniedVmh(ProbeOutcome s) => s.DeniedVmTicks * result.TickSeconds / 3600;
}

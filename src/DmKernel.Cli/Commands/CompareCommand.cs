using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DmKernel.Cli.Output;
using DmKernel.Traces;
using DmKernel.Traces.Replay;
using ScottPlot;

namespace DmKernel.Cli.Commands;

/// <summary>
/// <c>dmkernel compare FILE -o DIR</c>: the same trace with Dynamic Memory and with three static habits (fixed 1 GB,
/// fixed 4 GB, provisioned + 50 %): memory held, VM-time paging, unmet demand, and the density each reaches.
/// </summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "Native trace file (.dmt)." };
        var output = new Option<string>("--output", "-o") { Description = "Output directory.", Required = true };
        var limit = new Option<double>("--paging-limit") { Description = "Density limit: VM-time paging or denied, as a fraction of VM-time wanted.", DefaultValueFactory = _ => 0.01 };
        var maxHosts = new Option<int?>("--max-hosts") { Description = "Most hosts the density search tries (default: 2 × the trace's hosts, at least what the largest static strategy needs)." };
        var common = new CommonOptions();
        var command = new Command("compare", "Compare Dynamic Memory with fixed 1 GB, fixed 4 GB and provisioned + 50 %: memory, paging, unmet demand, VMs per host.") { file, output, limit, maxHosts };
        common.AddTo(command);
        command.SetAction((result, cancel) => Task.FromResult(Cli.Run(() =>
        {
            double l = result.GetValue(limit);
            if (!double.IsFinite(l) || l < 0 || l > 1)
                throw new CliError($"--paging-limit {l.ToString(CultureInfo.InvariantCulture)} is out of range: expected a fraction from 0 to 1.");
            int? mh = result.GetValue(maxHosts);
            if (mh is < 1)
                throw new CliError($"--max-hosts {mh} is out of range: expected at least 1.");
            return Run(result.GetValue(file)!, result.GetValue(output)!, common.ToReplayOptions(result), l, mh, cancel);
        })));
        return command;
    }

    public static int Run(string traceFile, string outputDir, ReplayOptions options, double limit, int? maxHostsOption, CancellationToken cancel)
    {
        IReadOnlyList<TraceVm> baseVms;
        IReadOnlyList<TraceHost> baseHosts;
        using (NativeTraceReader reader = CommonOptions.OpenTrace(traceFile))
        {
            using var engine = Cli.Guard(() => new ReplayEngine(reader, options));
            baseVms = engine.Vms;
            baseHosts = engine.Hosts;
        }

        int hostMb = baseHosts.Count > 0 ? baseHosts[0].TotalMb : options.PlacementHostMb;
        int reserveMb = baseHosts.Count > 0 ? baseHosts[0].ReserveMb ?? options.Model.HostReserveMb : options.PlacementReserveMb;
        var basePlacement = new PlacementResult([.. baseVms], [.. baseHosts]);
        MemoryStrategy[] strategies = [MemoryStrategy.DynamicMemory, MemoryStrategy.Fixed1Gb, MemoryStrategy.Fixed4Gb, MemoryStrategy.ProvisionedPlus50];
        var outcomes = new List<StrategyOutcome>();
        var densities = new List<DensityResult>();
        int maxHosts = maxHostsOption ?? DefaultMaxHosts(baseVms, baseHosts.Count, hostMb - reserveMb, options.Model.MaxCeilingMb);
        foreach (MemoryStrategy s in strategies)
        {
            if (cancel.IsCancellationRequested)
                return Interrupted(outputDir);
            TraceVm[] vms = StrategyComparison.Apply(baseVms, s, options.Model.MaxCeilingMb);
            var placement = basePlacement with { Vms = Reposition(vms, basePlacement.Vms) };
            Console.Error.WriteLine($"compare: {StrategyComparison.Name(s)} on the trace's {baseHosts.Count} hosts");
            outcomes.Add(Cli.Guard(() => StrategyComparison.Run(traceFile, s, placement, options)));
            densities.Add(Cli.Guard(() => StrategyComparison.Density(traceFile, vms, s, hostMb, reserveMb, maxHosts, limit, options,
                msg => Console.Error.WriteLine($"compare: density probe, {msg}"))));
        }

        if (cancel.IsCancellationRequested)
            return Interrupted(outputDir);
        using var staged = new StagedOutput(outputDir);
        WriteJson(staged.File("comparison.json"), traceFile, baseVms.Count, baseHosts.Count, hostMb, limit, maxHosts, outcomes, densities);
        WriteDensityPlot(staged.File("density.png"), densities, baseVms.Count, baseHosts.Count);
        string md = Markdown(traceFile, baseVms.Count, baseHosts.Count, hostMb, limit, maxHosts, outcomes, densities);
        File.WriteAllText(staged.File("report.md"), md);
        staged.Commit();
        Console.WriteLine(md.Split("\n## ", 2)[0].TrimEnd());
        Console.WriteLine($"Outputs: {Path.Combine(staged.Directory, "report.md")}, comparison.json, density.png");
        return 0;
    }

    private static int Interrupted(string dir)
    {
        Console.Error.WriteLine($"Interrupted; no output was written (earlier outputs in {dir} are untouched).");
        return 130;
    }

    private static TraceVm[] Reposition(TraceVm[] vms, TraceVm[] placed)
    {
        var result = new TraceVm[vms.Length];
        for (int i = 0; i < vms.Length; i++)
            result[i] = vms[i] with { Host = placed[i].Host };
        return result;
    }

    private static int DefaultMaxHosts(IReadOnlyList<TraceVm> vms, int hosts, int capacity, int maxCeiling)
    {
        long largest = 0;
        foreach (MemoryStrategy s in Enum.GetValues<MemoryStrategy>())
        {
            long sum = 0;
            foreach (TraceVm vm in StrategyComparison.Apply(vms, s, maxCeiling))
                sum += vm.Settings.StartupMb;
            largest = Math.Max(largest, (sum + capacity - 1) / capacity);
        }

        return (int)Math.Clamp(Math.Max(2L * hosts, largest + 1), 1, Math.Max(1, vms.Count));
    }

    private static string Markdown(string traceFile, int vms, int hosts, int hostMb, double limit, int maxHosts,
        List<StrategyOutcome> outcomes, List<DensityResult> densities)
    {
        var ic = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine(ic, $"# Do we need Dynamic Memory? `{Path.GetFileName(traceFile)}`");
        md.AppendLine();
        md.AppendLine(ic, $"{vms} VMs; hosts of {hostMb} MB. Density: the fewest hosts (searched from 1 to {maxHosts}, VMs re-packed by Startup) on which VM-time paging plus VM-time denied a start stays within {limit:P1} of the VM-time the trace wants above the strategy's baseline, its paging on {maxHosts} hosts (paging that packing does not cause: demand above a VM's Maximum, a fixed size below demand).");
        md.AppendLine();
        md.AppendLine("| strategy | VMs per host | hosts needed | memory held (mean GB) | VM-time paging (baseline) | unmet demand (GB·h) | denied starts (VM-time) |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        for (int i = 0; i < outcomes.Count; i++)
        {
            StrategyOutcome o = densities[i].AtDensity ?? outcomes[i];
            DensityResult d = densities[i];
            string density = d.VmsPerHost is double v ? v.ToString("F2", ic) : "does not fit a host";
            string needed = d.Hosts is int h ? h.ToString(ic) : $"> {maxHosts}";
            string baseline = d.Baseline is StrategyOutcome b ? b.PagingShare.ToString("P2", ic) : "n/a";
            md.AppendLine(ic, $"| {StrategyComparison.Name(o.Strategy)} | {density} | {needed} | {o.MeanAssignedMb / 1024:F1} | {o.PagingShare:P2} ({baseline}) | {o.UnmetMbSeconds / 1024 / 3600:F2} | {o.DeniedShare:P2} |");
        }

        md.AppendLine();
        md.AppendLine(Verdict(densities, limit));
        md.AppendLine();
        md.AppendLine("![VMs per host](density.png)");
        md.AppendLine();
        md.AppendLine(ic, $"## On the trace's own {hosts} hosts");
        md.AppendLine();
        md.AppendLine("| strategy | memory held (mean GB) | peak (GB) | VM-time paging | unmet demand (GB·h) | denied starts (VM-time) | pressure mean / p99 |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (StrategyOutcome o in outcomes)
            md.AppendLine(ic, $"| {StrategyComparison.Name(o.Strategy)} | {o.MeanAssignedMb / 1024:F1} | {o.PeakAssignedMb / 1024.0:F1} | {o.PagingShare:P2} | {o.UnmetMbSeconds / 1024 / 3600:F2} | {o.DeniedShare:P2} | {o.PressureMean:F0} / {o.PressureP99} % |");
        md.AppendLine();
        md.AppendLine("Static strategies: every VM holds its size for its whole run (a VM whose demand exceeds it pages). Dynamic Memory: the trace's settings, balanced by the kernel. Numbers in `comparison.json`.");
        return md.ToString();
    }

    /// <summary>
    /// Dynamic Memory against the densest static habit that serves the VMs about as well: one whose VM-time paging
    /// (plus denied) at its density is within the limit of Dynamic Memory's. Denser habits that page far more do not
    /// count as fitting the VMs.
    /// </summary>
    private static string Verdict(List<DensityResult> densities, double limit)
    {
        var ic = CultureInfo.InvariantCulture;
        DensityResult dm = densities[0];
        if (dm.VmsPerHost is not double dmDensity || dm.AtDensity is not StrategyOutcome dmAt)
            return "**Answer:** with these settings some VM's Startup does not fit a host of this size; try a larger --host-mb.";
        DensityResult? best = null;
        var worse = new List<string>();
        foreach (DensityResult d in densities.Skip(1))
        {
            if (d.VmsPerHost is null || d.AtDensity is null)
                continue;
            if (d.AtDensity.UnservedShare > dmAt.UnservedShare + limit)
            {
                worse.Add(string.Create(ic, $"{StrategyComparison.Name(d.Strategy)} pages {d.AtDensity.PagingShare:P1} of VM-time"));
                continue;
            }

            if (best?.VmsPerHost is null || d.VmsPerHost > best.VmsPerHost)
                best = d;
        }

        string others = worse.Count == 0 ? "" : $" ({string.Join("; ", worse)}, against {dmAt.PagingShare.ToString("P1", ic)} for Dynamic Memory.)";
        if (best?.VmsPerHost is not double sd)
            return string.Create(ic, $"**Answer: yes.** Only Dynamic Memory serves these VMs within the paging limit, at {dmDensity:F2} VMs per host.{others}");
        double gain = dmDensity / sd;
        return gain > 1.05
            ? string.Create(ic, $"**Answer: yes.** Dynamic Memory fits {dmDensity:F2} VMs per host, {gain:F2} × the best static habit that serves them as well ({StrategyComparison.Name(best.Strategy)}, {sd:F2}).{others}")
            : string.Create(ic, $"**Answer: not for density.** Dynamic Memory fits {dmDensity:F2} VMs per host; {StrategyComparison.Name(best.Strategy)} fits {sd:F2} with comparable paging.{others}");
    }

    private static void WriteDensityPlot(string path, List<DensityResult> densities, int vms, int hosts)
    {
        var plot = new Plot();
        double[] positions = new double[densities.Count], values = new double[densities.Count];
        var ticks = new Tick[densities.Count];
        for (int i = 0; i < densities.Count; i++)
        {
            positions[i] = i;
            values[i] = densities[i].VmsPerHost ?? 0;
            string paging = densities[i].AtDensity is StrategyOutcome o
                ? string.Create(CultureInfo.InvariantCulture, $"\npages {o.PagingShare:P1}")
                : "\ndoes not fit";
            ticks[i] = new Tick(i, StrategyComparison.Name(densities[i].Strategy) + paging);
        }

        plot.Add.Bars(positions, values);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        plot.Title(string.Create(CultureInfo.InvariantCulture, $"VMs per host, densest packing within the paging limit ({vms} VMs; trace: {(double)vms / Math.Max(1, hosts):F2})"));
        plot.YLabel("VMs per host");
        plot.Axes.Margins(bottom: 0);
        plot.SavePng(path, Report.ReplayReport.PlotWidth, Report.ReplayReport.PlotHeight);
    }

    private static void WriteJson(string path, string traceFile, int vms, int hosts, int hostMb, double limit, int maxHosts,
        List<StrategyOutcome> outcomes, List<DensityResult> densities)
    {
        using FileStream stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("format", "dmkernel-compare/1");
        json.WriteString("trace", Path.GetFileName(traceFile));
        json.WriteNumber("vms", vms);
        json.WriteNumber("traceHosts", hosts);
        json.WriteNumber("hostMb", hostMb);
        json.WriteNumber("pagingLimit", limit);
        json.WriteNumber("maxHostsSearched", maxHosts);
        json.WriteStartArray("strategies");
        for (int i = 0; i < outcomes.Count; i++)
        {
            StrategyOutcome o = outcomes[i];
            DensityResult d = densities[i];
            json.WriteStartObject();
            json.WriteString("strategy", StrategyComparison.Name(o.Strategy));
            json.WriteStartObject("onTraceHosts");
            WriteOutcome(json, o);
            json.WriteEndObject();
            json.WriteStartObject("density");
            if (d.Hosts is int h)
            {
                json.WriteNumber("hosts", h);
                json.WriteNumber("vmsPerHost", Math.Round(d.VmsPerHost!.Value, 4));
            }
            else
            {
                json.WriteNull("hosts");
                json.WriteNull("vmsPerHost");
            }

            json.WriteNumber("probes", d.Probes);
            if (d.Baseline is not null)
            {
                json.WriteStartObject("baselineOnMaxHosts");
                WriteOutcome(json, d.Baseline);
                json.WriteEndObject();
            }

            if (d.AtDensity is not null)
            {
                json.WriteStartObject("atDensity");
                WriteOutcome(json, d.AtDensity);
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteOutcome(Utf8JsonWriter json, StrategyOutcome o)
    {
        json.WriteNumber("hosts", o.Hosts);
        json.WriteNumber("meanAssignedMb", Math.Round(o.MeanAssignedMb, 3));
        json.WriteNumber("peakAssignedMb", o.PeakAssignedMb);
        json.WriteNumber("pagingShare", Math.Round(o.PagingShare, 6));
        json.WriteNumber("deniedShare", Math.Round(o.DeniedShare, 6));
        json.WriteNumber("unmetDemandMbSeconds", o.UnmetMbSeconds);
        json.WriteNumber("pressureMean", Math.Round(o.PressureMean, 3));
        json.WriteNumber("pressureP99", o.PressureP99);
    }
}

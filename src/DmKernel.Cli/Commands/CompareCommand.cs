using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DmKernel.Cli.Output;
using DmKernel.Cli.Report;
using DmKernel.Traces;
using DmKernel.Traces.Capacity;

namespace DmKernel.Cli.Commands;

/// <summary>
/// <c>dmkernel compare FILE -o DIR</c>: does Dynamic Memory pay off for this trace, and how many VMs fit per host? Every
/// strategy (Dynamic Memory with the trace's settings and other buffers, static at the provisioned size, fixed 1 GB,
/// fixed 4 GB, provisioned + 50 %) is held to one service level; the answer compares Dynamic Memory with static at the
/// provisioned size (docs/compare.md).
/// </summary>
internal static class CompareCommand
{
    // The range errors of compare's counted options, whatever the value typed (in range of its type or beyond it).
    private static string HostsPerProbeOutOfRange(string value) => $"--hosts-per-probe {value} is out of range: expected 1..1024.";

    private static string SeedsOutOfRange(string value) => $"--seeds {value} is out of range: expected 1..100.";

    private static string MaxHostsOutOfRange(string value) => $"--max-hosts {value} is out of range: expected at least 1.";

    /// <summary>As <see cref="ServiceLevel.Validate"/>'s range, in the words the command gives it.</summary>
    private static string PressureLimitOutOfRange(string value) => $"--pressure-limit {value} is out of range: expected 1..100000 %.";

    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "Native trace file (.dmt) to compare on (whole: compare --shard shares the searches, not the trace)." };
        var output = new Option<string>("--output", "-o") { Description = "Output folder for report.md, comparison.json and density.png (created if missing; earlier outputs are replaced only when the comparison completes).", HelpName = "DIR", Required = true };
        var limit = new Option<double>("--paging-limit") { Description = "Service level: the largest share of the servable VM-time paging, 0 to 1 (0.01 = 1 %).", HelpName = "FRACTION", DefaultValueFactory = _ => 0.01 };
        var pressureLimit = new Option<int?>("--pressure-limit") { Description = "Service level, optional: the largest percentile of R10's Current Pressure, % (1..100000). [default: none]", HelpName = "PERCENT" };
        var pressurePercentile = new Option<double?>("--pressure-percentile") { Description = "Which percentile --pressure-limit bounds, above 0 and at most 100 (only with --pressure-limit). [default: 95]", HelpName = "PERCENT" };
        var hostsPerProbe = new Option<int>("--hosts-per-probe") { Description = "Hosts filled with N VMs each in a density probe (1..1024).", HelpName = "N", DefaultValueFactory = _ => 8 };
        var seeds = new Option<int>("--seeds") { Description = "Draws per density question (1..100); the report gives the median and range.", HelpName = "N", DefaultValueFactory = _ => 3 };
        var seed = new Option<ulong>("--seed") { Description = "First seed of the draws: the same seed and options give the same answer.", HelpName = "N", DefaultValueFactory = _ => 1UL };
        var buffers = new Option<string>("--buffers") { Description = "Other Dynamic Memory buffers compared, comma-separated % (5..2000 each), or 'none'.", HelpName = "PERCENT,...", DefaultValueFactory = _ => "10,50" };
        var sensitivity = new Option<bool>("--sensitivity") { Description = "Rerun the verdict under a grid of demand models (OS base 0/256/512 MB × k 1.0/1.25; a trace of committed demand: scaled by 0.8..1.25), and Dynamic Memory again with the VMs' Minimum halved and doubled (an import's Startup ÷ 4 as ÷ 8 and ÷ 2; other factors: --minimum-factors). [default: off]" };
        var minimumFactors = new Option<string?>("--minimum-factors") { Description = "With --sensitivity: the factors the VMs' Minimum is scaled by in the Minimum cells, comma-separated (each from 1/1024 (0.0009765625) to 1024, not 1: 1 is the answer itself; 0.25 of an import's Startup ÷ 4 is ÷ 16; two that give the same import divisor are refused), or 'none' (also without --sensitivity: no Minimum cells). [default: 0.5,2]", HelpName = "FACTOR,..." };
        var policies = new Option<string?>("--policies") { Description = "Also compare the Dynamic Memory strategy under these balancer policies, comma-separated: hyperv, static, squeezed, mom, esx, each with optional parameters, e.g. esx:idleTaxPerMille=0 (docs/policies.md): VMs per host and hosts needed at the same level, and the trace side by side on one placement. [default: none]", HelpName = "POLICY,..." };
        var shard = new Option<string>("--shard") { Description = "Run only shard INDEX of COUNT of the comparison's searches; outputs go to DIR/compare-shard-INDEX-of-COUNT/ for dmkernel merge (docs/cluster.md). With --shards N alone, the index comes from JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN (Slurm array). [default: the whole comparison]", HelpName = "INDEX/COUNT" };
        var shards = new Option<int?>("--shards") { Description = "Number of shards when the index comes from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID. [default: not sharded]", HelpName = "N" };
        var maxHosts = new Option<int?>("--max-hosts") { Description = "Most hosts the hosts-needed search tries (at least 1). [default: no limit: from what the VMs' Startup memory needs, + 1, up to one VM per host]", HelpName = "N" };
        // A whole number beyond its type is answered as any other value out of the option's range, in the same words.
        OptionValues.OwnRange(pressureLimit, PressureLimitOutOfRange);
        OptionValues.OwnRange(hostsPerProbe, HostsPerProbeOutOfRange);
        OptionValues.OwnRange(seeds, SeedsOutOfRange);
        OptionValues.OwnRange(shards, below: Shards.ShardsOutOfRange, above: null);
        OptionValues.OwnRange(maxHosts, below: MaxHostsOutOfRange, above: null);
        var common = new CommonOptions();
        var command = new Command("compare", "Does Dynamic Memory pay off here? VMs per host and hosts needed under Dynamic Memory and static strategies, at one service level.")
        {
            file, output, limit, pressureLimit, pressurePercentile, hostsPerProbe, seeds, seed, buffers, sensitivity, minimumFactors, maxHosts, policies, shard, shards,
        };
        common.AddTo(command);

        // compare runs probes, not one replay: --threads is how many at once, and --host-mb the host the VMs are packed onto.
        common.Threads.Description = "Probes run at once (1..1024; the default is every core); results do not depend on it.";
        common.Threads.DefaultValueFactory = _ => Environment.ProcessorCount;
        common.HostMb.Description = "Host RAM the VMs are packed onto, MB: a multiple of 2, above --reserve; a trace with hosts uses its own host size unless this is given.";
        common.MaxTicks.Description = "Replay at most this many ticks, at least 1. [default: the whole trace]";
        command.Options.Remove(common.HashEvery); // compare writes no state hashes
        command.SetAction((result, cancel) => Task.FromResult(Cli.Run(() =>
        {
            var ic = CultureInfo.InvariantCulture;
            if (result.GetValue(pressurePercentile) is not null && result.GetValue(pressureLimit) is null)
                throw new CliError("--pressure-percentile applies only with --pressure-limit; give both, or neither.");
            var level = new ServiceLevel
            {
                MaxPagingShare = result.GetValue(limit),
                MaxPressure = result.GetValue(pressureLimit),
                PressurePercentile = result.GetValue(pressurePercentile) ?? 95,
            };
            try
            {
                level.Validate();
            }
            catch (ArgumentOutOfRangeException ex)
            {
                string name = ex.ParamName switch { "MaxPagingShare" => "--paging-limit", "MaxPressure" => "--pressure-limit", _ => "--pressure-percentile" };
                throw new CliError($"{name} {Convert.ToString(ex.ActualValue, CultureInfo.InvariantCulture)} is out of range: expected {ex.Message.Split(": expected ", 2)[^1].Split(" (Parameter", 2)[0]}");
            }

            string? factorsText = result.GetValue(minimumFactors);
            double[]? factors = factorsText is null ? null : ParseMinimumFactors(factorsText);
            // 'none' without --sensitivity asks for what leaving both out gives, no Minimum cells: taken. A factor is not.
            if (factors is { Length: > 0 } && !result.GetValue(sensitivity))
                throw new CliError("--minimum-factors applies only with --sensitivity (the Minimum cells are part of its grid); give both, or neither.");
            int hpp = result.GetValue(hostsPerProbe), s = result.GetValue(seeds);
            if (hpp is < 1 or > 1024)
                throw new CliError(HostsPerProbeOutOfRange(hpp.ToString(ic)));
            if (s is < 1 or > 100)
                throw new CliError(SeedsOutOfRange(s.ToString(ic)));
            int? mh = result.GetValue(maxHosts);
            if (mh is int given and < 1)
                throw new CliError(MaxHostsOutOfRange(given.ToString(ic)));
            var replay = common.ToReplayOptions(result, hostFromTrace: true);
            bool hostGiven = result.GetResult(common.HostMb) is { Implicit: false };
            if (replay.MaxTicks == 0)
                throw new CliError("--max-ticks 0 is out of range: expected at least 1 tick (a density probe replays at least one).");
            var options = new CapacityOptions
            {
                Level = level,
                HostsPerProbe = hpp,
                Seeds = s,
                Seed = result.GetValue(seed),
                Strategies = CapacityOptions.DefaultStrategies(ParseBuffers(result.GetValue(buffers) ?? "10,50")),
                Probe = new ProbeOptions { Model = replay.Model, Path = replay.Path },
                Threads = replay.Threads,
                MaxHosts = mh,
                Policies = ParsePolicies(result.GetValue(policies)),
            };
            // A plain compare in a job array over traces stays plain: the scheduler's index counts only with --shard or --shards.
            string? shardText = result.GetValue(shard);
            int? shardCount = result.GetValue(shards);
            ShardId? id = shardText is null && shardCount is null ? null
                : Shards.Resolve(shardText, shardCount, null, Environment.GetEnvironmentVariable)
                    ?? throw new CliError(string.Create(CultureInfo.InvariantCulture, $"--shards {shardCount} gives the number of shards but not which one this is: give --shard INDEX/{shardCount}, or set {Shards.KubernetesIndex} or {Shards.SlurmIndex}."));
            return Run(result.GetValue(file)!, result.GetValue(output)!, options, hostGiven ? replay.PlacementHostMb : null, replay.MaxTicks,
                result.GetValue(sensitivity), cancel, id, factors);
        })));
        return command;
    }

    /// <summary>Every file a comparison writes into its output folder (policies.png only with --policies; a test checks the list against a run's folder).</summary>
    internal static readonly string[] OutputNames = ["report.md", "comparison.json", "density.png", "policies.png"];

    /// <summary>Runs the study on <paramref name="traceFile"/> and writes report.md, comparison.json and density.png.</summary>
    /// <param name="minimumFactors">With <paramref name="sensitivity"/>: the Minimum cells' factors (null: <see cref="CapacityOptions.DefaultMinimumSensitivity"/>; empty: none).</param>
    public static int Run(string traceFile, string outputDir, CapacityOptions options, int? hostMb, long? maxTicks, bool sensitivity, CancellationToken cancel,
        ShardId? shard = null, IReadOnlyList<double>? minimumFactors = null)
    {
        if (shard is ShardId sid)
            StagedOutput.EnsureNotOverInput(Path.Combine(outputDir, CompareShard.FolderName(sid)), [CompareShard.SearchesJson, ShardReplay.ShardJson], traceFile);
        else
            StagedOutput.EnsureNotOverInput(outputDir, OutputNames, traceFile);
        var clock = Stopwatch.StartNew();
        TraceSeries series;
        IReadOnlyList<TraceHost> traceHosts;
        long traceTicks;
        using (NativeTraceReader reader = CommonOptions.OpenTrace(traceFile))
        {
            traceHosts = reader.Hosts;
            traceTicks = reader.Header.TickCount;
            series = Cli.Guard(() => TraceSeries.Load(reader, maxTicks));
        }

        // --max-ticks reads the trace's first ticks: where no VM is on in them, say so (a review at stop 61: "no VM of the
        // trace is ever on" for a trace of 200 empty ticks first, every VM on from tick 200, at --max-ticks 100).
        if (series.Ticks < traceTicks && !Enumerable.Range(0, series.Vms.Count).Any(v => series.Of(v).ContainsAnyExcept(TraceValues.Off)))
        {
            throw new CliError(string.Create(CultureInfo.InvariantCulture,
                $"{series.Name}: nothing to compare: no VM is on in the trace's first {series.Ticks} tick{(series.Ticks == 1 ? "" : "s")}, those --max-ticks {maxTicks} reads of its {traceTicks}; give a larger --max-ticks (the ticks with no VM on at the trace's start are then left out)."));
        }

        var warnings = new List<string>();
        int host = hostMb ?? DefaultHostMb(traceHosts, warnings);
        int reserve = options.Probe.Model.HostReserveMb;
        if (reserve >= host)
            throw new CliError(string.Create(CultureInfo.InvariantCulture, $"--reserve {reserve} MB is not below the host size {host} MB: give a larger --host-mb or a smaller --reserve."));
        options = options with { Host = new TraceHost(host, reserve) };
        if (sensitivity)
        {
            DemandModel? recorded = DemandModel.FromMetadata(series.Metadata);
            if (recorded?.K == 0)
                throw new CliError("--sensitivity needs the measured usage, but the trace's demand model has k = 0 (demand is the OS base alone): re-import with k > 0.", 1);
            // A static VM has no Minimum to vary: a trace of static VMs (import --static) runs the demand grid alone.
            bool anyDynamic = series.Vms.Any(v => v.Settings.DynamicMemory);
            if (anyDynamic && minimumFactors is { Count: > 0 } && TraceSeries.MinimumDivisor(series.Metadata) is int divisor)
                RefuseSameMinimumCells(minimumFactors, divisor);
            options = options with { Sensitivity = CapacityOptions.DefaultSensitivity(recorded), MinimumSensitivity = anyDynamic ? minimumFactors ?? CapacityOptions.DefaultMinimumSensitivity : [] };
            if (!anyDynamic)
            {
                // Factors the user named are dropped with the cells: said, not silently.
                string named = minimumFactors is { Count: > 0 } ? $", and with it --minimum-factors {string.Join(',', minimumFactors.Select(f => f.ToString(CultureInfo.InvariantCulture)))}" : "";
                Console.Error.WriteLine($"compare: every VM of the trace is static (no Dynamic Memory): the sensitivity grid leaves the VMs' Minimum out (a static VM has none to vary){named}.");
            }
        }

        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"compare: {series.Name}: {Words.Count(series.Vms.Count, "VM")}, {Words.Count(series.Ticks, "tick")} of {series.TickSeconds:0.###} s; hosts of {host} MB; {options.Strategies.Count} strategies × {Words.Count(options.Seeds, "seed")}{(sensitivity ? $", sensitivity over {options.Sensitivity.Count} demand models{(options.MinimumSensitivity.Count > 0 ? $" and the VMs' Minimum × {string.Join(" and ", options.MinimumSensitivity.Select(f => f.ToString("0.######", CultureInfo.InvariantCulture)))}" : "")}" : "")}; {options.Threads} thread(s), path {KernelPaths.Describe(KernelPaths.Resolve(options.Probe.Path))}{(shard is ShardId s ? $"; shard {s}" : "")}"));
        var progress = new ProgressLine("compare");
        CapacityResult result;
        try
        {
            // Plan, run every search (or this shard's share), assemble: a shard stops before the assembly, which merge does.
            CapacityPlan plan = Cli.Guard(() => OptionErrors(() => CapacityStudy.Plan(series, options, p => progress.Report(
                string.Create(CultureInfo.InvariantCulture, $"{p.SearchesDone} of {p.Searches} searches, {Words.Count(p.ProbesDone, "probe")}, {Words.VmTicks(p.VmTicksDone)}")), cancel)));
            CapacityFacts facts = plan.Facts with { Warnings = [.. warnings, .. plan.Facts.Warnings] };
            if (shard is ShardId id)
            {
                int[] owner = plan.Assign(id.Count);
                IReadOnlyList<SearchOutcome> mine = Cli.Guard(() => CapacityStudy.RunSearches(plan, i => owner[i] == id.Index));
                string fingerprint = CompareShard.Fingerprint(traceFile, series, options, id.Count).ToString();
                string dir = CompareShard.Write(outputDir, id, fingerprint, options, facts, mine, plan.Searches.Count, clock.Elapsed.TotalSeconds);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Shard {id}: {mine.Count} of {plan.Searches.Count} searches, {Words.Count(mine.Sum(o => o.Probes), "probe")}, {Words.VmTicks(mine.Sum(o => o.VmTicks))} in {clock.Elapsed.TotalSeconds:F1} s."));
                Console.WriteLine($"Outputs: {dir} (merge the shards with: dmkernel merge {outputDir} -o MERGED)");
                return 0;
            }

            result = Cli.Guard(() => CapacityStudy.Assemble(options, facts, CapacityStudy.RunSearches(plan)));
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"Interrupted; no output was written (earlier outputs in {outputDir} are untouched).");
            return 130;
        }

        double seconds = clock.Elapsed.TotalSeconds;
        using var staged = Cli.Guard(() => new StagedOutput(outputDir));
        KernelPath ran = KernelPaths.Resolve(options.Probe.Path);
        WriteOutputs(staged, result, seconds, json =>
        {
            // The kernel path the probes ran (Auto resolved; the result does not depend on it, the wall time does).
            json.WriteString("path", KernelPaths.Name(ran));
            json.WriteBoolean("pathAccelerated", KernelPaths.IsAccelerated(ran));
        });
        staged.Commit();
        PrintResult(result, seconds, staged.Directory);
        return 0;
    }

    private static T OptionErrors<T>(Func<T> plan)
    {
        try
        {
            return plan();
        }
        catch (CapacityOptionException ex) when (ex.Option == nameof(CapacityOptions.MaxHosts))
        {
            throw new CliError($"--max-hosts: {ex.Message}");
        }
        catch (CapacityOptionException ex) when (ex.Option == nameof(CapacityOptions.Sensitivity))
        {
            throw new CliError($"--sensitivity: {ex.Message}");
        }
        catch (CapacityOptionException ex) when (ex.Option is nameof(ModelParameters.BootGraceSeconds) or nameof(ModelParameters.ReclaimPeriodSeconds))
        {
            throw new CliError($"{(ex.Option == nameof(ModelParameters.BootGraceSeconds) ? "--boot-grace" : "--reclaim-period")}: {ex.Message}");
        }
    }

    /// <summary>report.md, comparison.json (with <paramref name="run"/>'s extra fields in its <c>run</c>), density.png and, with policies, policies.png.</summary>
    internal static void WriteOutputs(StagedOutput staged, CapacityResult result, double seconds, Action<System.Text.Json.Utf8JsonWriter>? run)
    {
        var report = new CompareReport(result, seconds);
        report.WriteCurves(staged.File("density.png"));
        if (result.Policies.Count > 0)
            report.WritePolicyPlot(staged.File("policies.png"));
        else
            staged.NotWritten("policies.png"); // an earlier comparison's, of other policies, would stay beside this report
        File.WriteAllText(staged.File("report.md"), report.Markdown());
        CompareReport.WriteJson(staged.File("comparison.json"), result, seconds, run);
    }

    /// <summary>The answer and where the outputs are, on standard output.</summary>
    internal static void PrintResult(CapacityResult result, double seconds, string directory)
    {
        var report = new CompareReport(result, seconds);
        Console.WriteLine(report.Headline());
        if (result.Policies.Count > 0)
            Console.WriteLine(report.PolicyLines());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Words.Count(result.ProbesRun, "probe")}, {Words.VmTicks(result.VmTicksReplayed)} in {seconds:F1} s. Outputs: {Path.Combine(directory, "report.md")}, comparison.json, density.png{(result.Policies.Count > 0 ? ", policies.png" : "")}"));
    }

    /// <summary>The trace's host size when it has hosts (the largest, with a warning when they differ), else 256 GB.</summary>
    private static int DefaultHostMb(IReadOnlyList<TraceHost> hosts, List<string> warnings)
    {
        if (hosts.Count == 0)
            return 262_144;
        int largest = hosts.Max(h => h.TotalMb), smallest = hosts.Min(h => h.TotalMb);
        if (largest != smallest)
            warnings.Add(string.Create(CultureInfo.InvariantCulture, $"The trace's hosts differ in size ({smallest}..{largest} MB); the comparison packs onto hosts of the largest, {largest} MB (set --host-mb to choose)."));
        return largest;
    }

    private static BalancerPolicy[] ParsePolicies(string? text)
    {
        if (text is null)
            return [];
        var list = new List<BalancerPolicy>();
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
        foreach (string part in parts)
        {
            // An empty entry ("hyperv,,esx", or a shell variable that expanded to nothing) may be a policy lost from the
            // list: named, not dropped. A policy listed twice is compared once (CompareHostSizeTests).
            if (part.Length == 0 && parts.Any(x => x.Length > 0))
                throw new CliError($"--policies '{text}': an empty entry between commas: expected hyperv, static, squeezed, mom or esx, comma-separated.");
            if (part.Length == 0)
                continue;
            BalancerPolicy p = ReplayCommand.ParsePolicy(part, "--policies");
            if (!list.Contains(p))
                list.Add(p);
        }

        if (list.Count == 0)
            throw new CliError("--policies: no policy given: expected hyperv, static, squeezed, mom or esx, comma-separated.");
        return [.. list];
    }

    /// <summary>
    /// <c>--minimum-factors 0.25,4</c>: each factor a number from 1/1024 to 1024 (the library's range), not 1 (the Minimum
    /// as given: the answer itself), each once (within 0.01 %); 'none' for no Minimum cells. Where the trace records its
    /// import's divisor, <see cref="RefuseSameMinimumCells"/> checks the divisors the factors give too.
    /// </summary>
    internal static double[] ParseMinimumFactors(string text)
    {
        const string Expected = "expected factors of the VMs' Minimum from 0.0009765625 (1/1024) to 1024, not 1, comma-separated, or 'none'";
        if (text.Trim().Equals("none", StringComparison.OrdinalIgnoreCase))
            return [];
        var list = new List<double>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (part.Length == 0)
                throw new CliError($"--minimum-factors '{text}': an empty entry: {Expected}.");
            if (!double.TryParse(part, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out double f)
                || double.IsNaN(f))
                throw new CliError($"--minimum-factors: '{part}' is not a number: {Expected}.");
            if (f < CapacityOptions.MinMinimumFactor || f > CapacityOptions.MaxMinimumFactor)
                throw new CliError($"--minimum-factors: {part} is out of range: {Expected}.");
            // Within 0.01 % of 1 or of another factor: the same divisor (TraceSeries.DivisorFor), so the same cell.
            if (Math.Abs(f - 1) <= 1e-4)
                throw new CliError($"--minimum-factors: {part} is the Minimum as given, whose answer the report leads with: {Expected}.");
            if (list.Any(g => Math.Abs(f - g) <= 1e-4 * Math.Max(f, g)))
                throw new CliError($"--minimum-factors '{text}': {part} is given twice: {Expected}.");
            list.Add(f);
        }

        return [.. list];
    }

    /// <summary>
    /// Where the trace records its import's divisor <paramref name="divisor"/> (Minimum = Startup ÷ d), a factor's cell is
    /// that of divisor ÷ factor, taken as the whole divisor within 0.01 % of it (<see cref="TraceSeries.DivisorFor"/>): the
    /// snap is on the divisor, so factors that pass <see cref="ParseMinimumFactors"/>'s 0.01 % on the factors can still give
    /// the divisor as given or one divisor twice. Both are refused by name (the same cell: a row identical to another).
    /// </summary>
    internal static void RefuseSameMinimumCells(IReadOnlyList<double> factors, int divisor)
    {
        var ic = CultureInfo.InvariantCulture;
        for (int i = 0; i < factors.Count; i++)
        {
            double d = TraceSeries.DivisorFor(divisor, factors[i]);
            string f = factors[i].ToString(ic);
            if (d == divisor)
            {
                throw new CliError(string.Create(ic,
                    $"--minimum-factors: {f} gives Startup ÷ {divisor} (the trace's import divisor {divisor} ÷ {f}, taken as the whole divisor within 0.01 %), the Minimum as given, whose answer the report leads with: give factors that give another divisor, or 'none'."));
            }

            for (int j = 0; j < i; j++)
            {
                if (TraceSeries.DivisorFor(divisor, factors[j]) == d)
                {
                    throw new CliError(string.Create(ic,
                        $"--minimum-factors: {factors[j].ToString(ic)} and {f} both give Startup ÷ {d:0.######} (the trace's import divisor {divisor} ÷ each, taken as the whole divisor within 0.01 %): the same cell twice; give one of them."));
                }
            }
        }
    }

    private static int[] ParseBuffers(string text)
    {
        if (text.Trim().Equals("none", StringComparison.OrdinalIgnoreCase))
            return [];
        var list = new List<int>();
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
        foreach (string part in parts)
        {
            if (part.Length == 0 && parts.Any(x => x.Length > 0))
                throw new CliError(string.Create(CultureInfo.InvariantCulture, $"--buffers '{text}': an empty entry between commas: expected whole percentages from {VmSettings.MinBuffer} to {VmSettings.MaxBuffer} (R1), comma-separated, or 'none'."));
            if (part.Length == 0)
                continue;
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int b) || b < VmSettings.MinBuffer || b > VmSettings.MaxBuffer)
                throw new CliError(string.Create(CultureInfo.InvariantCulture, $"--buffers: '{part}' is not a buffer: expected whole percentages from {VmSettings.MinBuffer} to {VmSettings.MaxBuffer} (R1), comma-separated, or 'none'."));
            if (!list.Contains(b))
                list.Add(b);
        }

        if (list.Count == 0)
            throw new CliError(string.Create(CultureInfo.InvariantCulture, $"--buffers: no buffer given: expected whole percentages from {VmSettings.MinBuffer} to {VmSettings.MaxBuffer} (R1), comma-separated, or 'none'."));
        return [.. list];
    }
}

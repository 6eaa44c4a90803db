using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Perfolizer.Horology;

namespace DmKernel.Benchmarks;

/// <summary>
/// <c>--ci</c>: a short run of the kernel suites at small sizes (TickBench 10 000 VMs on every path, both workloads
/// and both short shares; ParallelTickBench 50 000 on both workloads), JSON and GitHub-markdown reports under
/// BenchmarkDotNet.Artifacts/, then the exact allocation check (<see cref="AllocationCheck"/>, also at 1 000 000 VMs), and
/// exit code 1 when a benchmark failed to run or allocated anything.
/// </summary>
/// <remarks>
/// The job keeps BenchmarkDotNet's default out-of-process toolchain: it costs a build and a process per
/// benchmark (about a minute in all on two cores), but in-process runs count the host's own background
/// allocations and reported 1–78 B per operation for ticks that allocate nothing. Out of process, the
/// MemoryDiagnoser (which counts every thread's allocations) still sees now and then a few hundred bytes of
/// runtime background noise in one of the benchmarks, so a benchmark that shows allocations is run
/// again, alone, and fails only if it allocates again. That column is bytes per operation rounded to a whole number,
/// so it cannot see an allocation rarer than about one byte per tick: <see cref="AllocationCheck"/> then ticks every
/// kernel case over a long window in this process and requires exactly 0 bytes (it fails CI on its own).
/// </remarks>
internal static class CiMode
{
    public const string Flag = "--ci";

    /// <summary>Where re-checks write their reports, so that they do not replace the main reports.</summary>
    private const string RecheckArtifacts = "BenchmarkDotNet.Artifacts/recheck";

    private static readonly Type[] KernelSuites = [typeof(TickBench), typeof(ParallelTickBench)];

    /// <summary>Runs the suites; returns the process exit code (0 = every benchmark ran and allocated nothing).</summary>
    public static int Run()
    {
        var clock = Stopwatch.StartNew();
        ILogger log = ConsoleLogger.Default;
        BenchSizes.CiMode = true;
        IConfig config = CreateConfig();

        Summary[] summaries = BenchmarkRunner.Run(KernelSuites, config);
        var allocating = new List<BenchmarkCase>();
        int failures = Check(summaries, log, allocating, final: false) + CheckCaseCounts(summaries, log);
        if (allocating.Count > 0)
        {
            log.WriteLineInfo($"Re-checking {allocating.Count} benchmark(s) that showed allocations, each run alone.");
            failures += Recheck(allocating, config.WithArtifactsPath(RecheckArtifacts), log);
        }

        failures += AllocationCheck.Run(log);
        PrintSummary(summaries, log);

        int cases = 0;
        foreach (Summary summary in summaries)
            cases += summary.BenchmarksCases.Length;
        if (failures == 0)
            log.WriteLineInfo($"CI bench check: all {cases} benchmarks ran and allocated 0 B per operation.");
        else
            log.WriteLineError($"CI bench check: {failures} failure(s) in {cases} benchmarks.");
        log.WriteLineInfo($"CI bench mode took {clock.Elapsed.TotalSeconds:0} s.");
        return failures == 0 ? 0 : 1;
    }

    /// <summary>
    /// The processor as BenchmarkDotNet's reports name it, with its nominal frequency and the cores ("AMD EPYC 2.60GHz, 2
    /// logical cores"): the name alone ("AMD EPYC") told runners of different generations and clocks apart no more than
    /// the committed results' folder does (before stop 53).
    /// </summary>
    internal static string MachineName(Summary summary)
    {
        var cpu = summary.HostEnvironmentInfo.Cpu.Value;
        if (cpu?.ProcessorName is not string name)
            return "this machine";
        string frequency = cpu.NominalFrequencyHz is long hz && hz > 0 && !name.Contains("GHz", StringComparison.Ordinal)
            ? string.Create(CultureInfo.InvariantCulture, $" {hz / 1e9:F2}GHz") : "";
        string cores = cpu.LogicalCoreCount is int n ? string.Create(CultureInfo.InvariantCulture, $", {n} logical cores") : "";
        return name + frequency + cores;
    }

    /// <summary>
    /// Prints <see cref="CiSummary"/> for the cases that ran (a failed case is left out: its row reads "–") and writes it
    /// to BenchmarkDotNet.Artifacts/results/ci-summary.md beside the full reports.
    /// </summary>
    private static void PrintSummary(Summary[] summaries, ILogger log)
    {
        string machine = "";
        foreach (Summary summary in summaries)
            machine = MachineName(summary);

        var widths = new (KernelPath Path, string Name)[] { (KernelPath.Vector128, "V128"), (KernelPath.Vector256, "V256"), (KernelPath.Vector512, "V512") };
        string[] inSoftware = [.. widths.Where(w => !KernelPaths.IsAccelerated(w.Path)).Select(w => w.Name)];
        string text = CiSummary.Format(SummaryCases(summaries), machine, inSoftware, KernelPaths.Describe(KernelPaths.Resolve(KernelPath.Auto)));
        log.WriteLine();
        log.WriteLineInfo(text);
        string folder = Path.Combine("BenchmarkDotNet.Artifacts", "results");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "ci-summary.md"), text);
    }

    /// <summary>The cases of <paramref name="summaries"/> that ran, as <see cref="CiSummary"/> takes them: suite, parameters, mean.</summary>
    internal static List<CiSummary.Case> SummaryCases(IEnumerable<Summary> summaries)
    {
        var cases = new List<CiSummary.Case>();
        foreach (Summary summary in summaries)
        {
            foreach (BenchmarkCase benchmarkCase in summary.BenchmarksCases)
            {
                if (summary[benchmarkCase] is { Success: true, ResultStatistics: { } statistics })
                {
                    var parameters = benchmarkCase.Parameters.Items.ToDictionary(p => p.Name, p => Convert.ToString(p.Value, System.Globalization.CultureInfo.InvariantCulture) ?? "", StringComparer.Ordinal);
                    cases.Add(new CiSummary.Case(benchmarkCase.Descriptor.Type.Name, parameters, statistics.Mean));
                }
            }
        }

        return cases;
    }

    private static IConfig CreateConfig()
    {
        Job job = Job.Default
            .WithId("CI")
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(5)
            .WithIterationTime(TimeInterval.FromMilliseconds(200));
        return ManualConfig.CreateMinimumViable()
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddExporter(JsonExporter.Full, MarkdownExporter.GitHub)
            .AddValidator(DefaultConfig.Instance.GetValidators().ToArray())
            .AddAnalyser(DefaultConfig.Instance.GetAnalysers().ToArray());
    }

    /// <summary>Runs each of <paramref name="cases"/> again in its own run; counts those that allocate again or fail.</summary>
    private static int Recheck(List<BenchmarkCase> cases, IConfig config, ILogger log)
    {
        int failures = 0;
        foreach (BenchmarkCase original in cases)
        {
            Type type = original.Descriptor.Type;
            BenchmarkRunInfo all = BenchmarkConverter.TypeToBenchmarks(type, config);
            BenchmarkCase? again = null;
            foreach (BenchmarkCase candidate in all.BenchmarksCases)
            {
                if (Name(candidate) == Name(original))
                    again = candidate;
            }

            if (again is null)
            {
                failures++;
                log.WriteLineError($"FAIL {Name(original)}: not found for the re-check.");
                continue;
            }

            Summary summary = BenchmarkRunner.Run(new BenchmarkRunInfo([again], type, all.Config));
            failures += Check([summary], log, allocating: null, final: true);
        }

        return failures;
    }

    /// <summary>
    /// Counts the benchmarks that failed to run, naming each. Allocating benchmarks are failures when
    /// <paramref name="final"/>; otherwise they are added to <paramref name="allocating"/> for a re-check.
    /// </summary>
    private static int Check(Summary[] summaries, ILogger log, List<BenchmarkCase>? allocating, bool final)
    {
        int failures = 0, cases = 0;
        foreach (Summary summary in summaries)
        {
            if (summary.HasCriticalValidationErrors)
            {
                failures++;
                log.WriteLineError($"FAIL {summary.Title}: critical validation errors.");
            }

            foreach (BenchmarkCase benchmarkCase in summary.BenchmarksCases)
            {
                cases++;
                BenchmarkReport? report = summary[benchmarkCase];
                string name = Name(benchmarkCase);
                if (report is null || !report.Success || report.ResultStatistics is null)
                {
                    failures++;
                    log.WriteLineError($"FAIL {name}: did not run to completion.");
                    continue;
                }

                long? bytes = report.GcStats.GetBytesAllocatedPerOperation(benchmarkCase);
                if (bytes is null)
                {
                    failures++;
                    log.WriteLineError($"FAIL {name}: no allocation measurement (MemoryDiagnoser missing?).");
                }
                else if (bytes > 0 && final)
                {
                    failures++;
                    log.WriteLineError($"FAIL {name}: allocates {bytes} B per operation (confirmed by a second run); kernel suites must allocate nothing.");
                }
                else if (bytes > 0)
                {
                    allocating?.Add(benchmarkCase);
                    log.WriteLineInfo($"{name}: {bytes} B per operation; will re-check.");
                }
                else if (final)
                {
                    log.WriteLineInfo($"{name}: 0 B per operation on the re-check (the first run's figure did not repeat).");
                }
            }
        }

        if (cases == 0)
        {
            failures++;
            log.WriteLineError("FAIL: no benchmark ran.");
        }

        return failures;
    }

    /// <summary>
    /// Each suite ran every case CI mode selects: TickBench 1 size × 2 short shares × 2 workloads × 6 paths = 24,
    /// ParallelTickBench 1 size × 2 workloads × 2 thread counts = 4 (a suite that found no case, or fewer, fails).
    /// </summary>
    internal static int CheckCaseCounts(Summary[] summaries, ILogger log)
    {
        var expected = new Dictionary<Type, int> { [typeof(TickBench)] = 24, [typeof(ParallelTickBench)] = 4 };
        int failures = 0;
        foreach ((Type suite, int count) in expected)
        {
            int ran = summaries.SelectMany(s => s.BenchmarksCases).Count(c => c.Descriptor.Type == suite);
            if (ran != count)
            {
                failures++;
                log.WriteLineError($"FAIL {suite.Name}: {ran} cases, expected {count} in CI mode.");
            }
        }

        return failures;
    }

    private static string Name(BenchmarkCase benchmarkCase)
        => $"{benchmarkCase.Descriptor.DisplayInfo} {benchmarkCase.Parameters.DisplayInfo}";
}

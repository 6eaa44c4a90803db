using System.Formats.Tar;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using DmKernel.Traces;
using DmKernel.Traces.Capacity;

namespace DmKernel.Benchmarks;

/// <summary>
/// The whole capacity study of <c>dmkernel compare</c> (<see cref="CapacityStudy.Run"/>) on a month of 5-minute samples,
/// 1 TB hosts, every core, with and without the sensitivity grid: a generated 500-VM month, and the real Bitbrains month
/// 2013-8 (500 VMs) when <c>shared/datasets/bitbrains-rnd-2013-8.tar.zst</c> is beside or above the repository (it is
/// unpacked and imported with the default demand model in the global setup). The trace is decoded once in the setup,
/// as the CLI does before its probes. One operation is one whole study: seconds, not nanoseconds.
/// </summary>
[Config(typeof(Config))]
[MemoryDiagnoser]
public class CompareBench
{
    /// <summary>The dataset's name, looked for under <c>shared/datasets</c> walking up from the working directory.</summary>
    public const string MonthArchive = "bitbrains-rnd-2013-8.tar.zst";

    private TraceSeries _series = null!;
    private string _dir = "";

    /// <summary>"generated-500vm-month", and "bitbrains-2013-8" when the dataset is present.</summary>
    [ParamsSource(nameof(TraceValues))]
    public string Trace { get; set; } = "";

    [Params(false, true)]
    public bool Sensitivity { get; set; }

    public static IEnumerable<string> TraceValues()
    {
        yield return "generated-500vm-month";
        if (FindMonth() is not null)
            yield return "bitbrains-2013-8";
    }

    [GlobalSetup]
    public void Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), $"dmkernel-comparebench-{Environment.ProcessId}");
        Directory.CreateDirectory(_dir);
        string trace = Path.Combine(_dir, "month.dmt");
        if (Trace == "bitbrains-2013-8")
        {
            string folder = Path.Combine(_dir, "csv");
            using (FileStream archive = File.OpenRead(FindMonth()!))
            using (var zstd = new ZstdSharp.DecompressionStream(archive))
            {
                Directory.CreateDirectory(folder);
                TarFile.ExtractToDirectory(zstd, folder, overwriteFiles: true);
            }

            BitbrainsImporter.Import(folder, trace);
        }
        else
        {
            TraceGenerator.Generate(trace, new TraceGeneratorOptions { Vms = 500, Hosts = 0, Ticks = 8640, TickSeconds = 300, Seed = 3 });
        }

        using NativeTraceReader reader = NativeTraceReader.Open(trace);
        _series = TraceSeries.Load(reader);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);

    [Benchmark]
    public int Compare()
    {
        CapacityResult r = CapacityStudy.Run(_series, new CapacityOptions
        {
            Host = new TraceHost(1_048_576, 2048),
            Threads = Environment.ProcessorCount,
            Sensitivity = Sensitivity ? CapacityOptions.DefaultSensitivity(DemandModel.FromMetadata(_series.Metadata)) : [],
        });
        return r.ProbesRun;
    }

    private static string? FindMonth()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "datasets", MonthArchive);
            if (File.Exists(candidate))
                return candidate;
        }

        return null;
    }

    /// <summary>A few whole runs per case (each takes seconds): no warm-up beyond one, three measured, one invocation each.</summary>
    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithWarmupCount(1).WithIterationCount(3).WithInvocationCount(1).WithUnrollFactor(1));
            AddDiagnoser(MemoryDiagnoser.Default);
        }
    }
}

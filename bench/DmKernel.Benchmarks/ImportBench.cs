using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using DmKernel.Benchmarks.Columns;
using DmKernel.Traces;

namespace DmKernel.Benchmarks;

/// <summary>
/// <see cref="BitbrainsImporter.Import(string, string, BitbrainsImportOptions?)"/> of a seeded synthetic Bitbrains GWA-T-12 folder (40 VMs × about
/// 8,600 rows, about 50 MB of CSV in the real files' exact format, see <see cref="BitbrainsSynth"/>) with
/// placement on 1 TiB hosts, as <c>dmkernel import bitbrains … --place-on-host-mb 1048576</c> does. Threads = 1
/// parses every file on the calling thread; Threads = 2 parses files in parallel (same trace, byte for byte).
/// The MB/s column is CSV bytes per second of the mean. Not part of CI mode (<see cref="CiMode"/>).
/// </summary>
/// <remarks>
/// The input is generated once into a fixed folder under the temp directory and kept for later runs (each
/// benchmark runs in its own process); the folder's ".bytes" file holds its CSV size for the MB/s column.
/// </remarks>
[Config(typeof(ImportBenchConfig))]
[MemoryDiagnoser]
public class ImportBench
{
    private const int VmFiles = 40, RowsPerFile = 8_600, Seed = 20130801;

    private string _output = null!;
    private BitbrainsImportOptions _options = null!;

    /// <summary>The seeded input folder (generated on first use).</summary>
    public static string InputFolder { get; } = Path.Combine(Path.GetTempPath(), string.Create(CultureInfo.InvariantCulture, $"dmkernel-importbench-{VmFiles}x{RowsPerFile}-{Seed}"));

    /// <summary>Threads parsing files (the option <see cref="BitbrainsImportOptions.ReadThreads"/>).</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>CSV bytes of <see cref="InputFolder"/> (generating it when missing).</summary>
    public static long InputBytes()
    {
        string marker = Path.Combine(InputFolder, ".bytes");
        if (File.Exists(marker))
            return long.Parse(File.ReadAllText(marker), CultureInfo.InvariantCulture);
        if (Directory.Exists(InputFolder))
            Directory.Delete(InputFolder, recursive: true);
        long bytes = BitbrainsSynth.Write(InputFolder, VmFiles, RowsPerFile, Seed);
        File.WriteAllText(marker, bytes.ToString(CultureInfo.InvariantCulture));
        return bytes;
    }

    [GlobalSetup]
    public void Setup()
    {
        InputBytes();
        _output = Path.Combine(Path.GetTempPath(), $"dmkernel-importbench-{Environment.ProcessId}.dmt");
        _options = Options(Threads);
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_output);

    /// <summary>The import's options: placement on 1 TiB hosts (as <c>--place-on-host-mb 1048576</c>), files parsed on <paramref name="threads"/> threads.</summary>
    internal static BitbrainsImportOptions Options(int threads) => new() { PlaceOnHostMb = 1_048_576, ReadThreads = threads };

    [Benchmark]
    public long Import() => BitbrainsImporter.Import(InputFolder, _output, _options).RowsRead;
}

/// <summary>Allocations, the speedup over one thread and the MB/s column (ns/VM does not apply here).</summary>
internal sealed class ImportBenchConfig : ManualConfig
{
    public ImportBenchConfig()
    {
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(SpeedupColumn.Instance, new ThroughputColumn("MB/s", "CSV megabytes (10^6 bytes) imported per second of the mean", ImportBench.InputBytes));
    }
}

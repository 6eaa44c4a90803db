using DmKernel.Benchmarks;

namespace DmKernel.Tests.Bench;

/// <summary>The summary CI's bench mode prints at its end (<see cref="CiSummary"/>): same-run ratios from the means.</summary>
public class CiSummaryTests
{
    private static CiSummary.Case Tick(string workload, int vms, int shortPercent, string path, double meanNs)
        => new("TickBench", new Dictionary<string, string>
        {
            ["Workload"] = workload,
            ["Vms"] = vms.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ShortSharePercent"] = shortPercent.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Path"] = path,
        }, meanNs);

    private static CiSummary.Case Parallel(string workload, int threads, double meanNs)
        => new("ParallelTickBench", new Dictionary<string, string>
        {
            ["Workload"] = workload,
            ["Vms"] = "50000",
            ["Threads"] = threads.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, meanNs);

    [Fact]
    public void EachVectorPath_GetsItsNsPerVmTick_ItsFloorRatios_AndItsSpeedUpOverScalar_FromTheSameRun()
    {
        CiSummary.Case[] cases =
        [
            Tick("Steady", 10_000, 0, "Scalar", 160_000),
            Tick("Steady", 10_000, 0, "V128", 40_000),
            Tick("Steady", 10_000, 0, "V256", 27_000),
            Tick("Steady", 10_000, 0, "V512", 12_000),
            Tick("Steady", 10_000, 0, "MinFloor", 2_000),
            Tick("Steady", 10_000, 0, "ColFloor", 4_000),
            Tick("Realistic", 10_000, 25, "V512", 45_000), // no scalar run nor floors in this group
            Parallel("Steady", 1, 137_000),
            Parallel("Steady", 2, 108_000),
        ];
        string[] lines = CiSummary.Format(cases, "AMD EPYC 2.10GHz").Split('\n', StringSplitOptions.TrimEntries);

        Assert.StartsWith("CI bench summary (AMD EPYC 2.10GHz; ratios of this run's means;", lines[0], StringComparison.Ordinal);
        Assert.Contains("| Steady | 10000 | 0 | V128 | 4.000 | 20.00 × | 10.00 × | 4.00 × |", lines);
        Assert.Contains("| Steady | 10000 | 0 | V256 | 2.700 | 13.50 × | 6.75 × | 5.93 × |", lines);
        Assert.Contains("| Steady | 10000 | 0 | V512 | 1.200 | 6.00 × | 3.00 × | 13.33 × |", lines);
        Assert.Contains("| Realistic | 10000 | 25 | V512 | 4.500 | – | – | – |", lines);
        Assert.DoesNotContain(lines, l => l.Contains("| Scalar |", StringComparison.Ordinal) || l.Contains("Floor |", StringComparison.Ordinal));
        Assert.True(Array.FindIndex(lines, l => l.StartsWith("| Realistic", StringComparison.Ordinal)) < Array.FindIndex(lines, l => l.StartsWith("| Steady", StringComparison.Ordinal)));
        Assert.Contains("| Steady | 50000 | 2 | 2.160 | 1.27 × |", lines);
    }

    /// <summary>
    /// The parallel table names the path its balancers resolved (KernelPath.Auto: DMKERNEL_PATH or the widest), marked when
    /// in software (before stop 53 it named none); the machine is named as BenchmarkDotNet's reports name it.
    /// </summary>
    [Fact]
    public void TheParallelTable_NamesItsPath_AndTheHeadingTheMachine()
    {
        CiSummary.Case[] cases = [Parallel("Steady", 1, 137_000), Parallel("Steady", 2, 108_000)];
        string[] lines = CiSummary.Format(cases, "AMD EPYC 2.60GHz, 2 logical cores", [], "v512").Split('\n', StringSplitOptions.TrimEntries);
        Assert.StartsWith("CI bench summary (AMD EPYC 2.60GHz, 2 logical cores; ", lines[0], StringComparison.Ordinal);
        Assert.Contains("| ParallelTickBench, path v512 | VMs | threads | ns/VM-tick | speed-up over 1 thread |", lines);
        string described = KernelPaths.Describe(KernelPath.Vector512);
        Assert.Contains($"| ParallelTickBench, path {described} | VMs | threads | ns/VM-tick | speed-up over 1 thread |", CiSummary.Format(cases, "m", [], described).Split('\n', StringSplitOptions.TrimEntries));
    }

    /// <summary>
    /// A vector path the CPU does not accelerate (a CI machine without AVX-512) is marked in its rows and explained once
    /// under the table; a path in the list that did not run adds no note, and without the list nothing is marked.
    /// </summary>
    [Fact]
    public void APathRunInSoftware_IsMarkedInItsRows_AndExplainedOnce()
    {
        CiSummary.Case[] cases =
        [
            Tick("Steady", 10_000, 0, "V256", 27_000),
            Tick("Steady", 10_000, 0, "V512", 90_000),
            Tick("Realistic", 10_000, 0, "V512", 95_000),
        ];
        string[] lines = CiSummary.Format(cases, "m", ["V512"]).Split('\n', StringSplitOptions.TrimEntries);
        Assert.Contains("| Steady | 10000 | 0 | V512 (in software) | 9.000 | – | – | – |", lines);
        Assert.Contains("| Realistic | 10000 | 0 | V512 (in software) | 9.500 | – | – | – |", lines);
        Assert.Contains("| Steady | 10000 | 0 | V256 | 2.700 | – | – | – |", lines);
        Assert.Single(lines, l => l.StartsWith("V512 (in software): this CPU (as the runtime is configured) does not accelerate that width, so .NET computed it in software", StringComparison.Ordinal));

        Assert.DoesNotContain("in software", CiSummary.Format([Tick("Steady", 10_000, 0, "V256", 27_000)], "m", ["V512"]), StringComparison.Ordinal);
        Assert.DoesNotContain("in software", CiSummary.Format(cases, "m"), StringComparison.Ordinal);

        // Two widths in software (a CPU with SSE only): both marked, named together in one note, in the plural.
        string[] two = CiSummary.Format(cases, "m", ["V256", "V512"]).Split('\n', StringSplitOptions.TrimEntries);
        Assert.Contains("| Steady | 10000 | 0 | V256 (in software) | 2.700 | – | – | – |", two);
        Assert.Single(two, l => l.StartsWith("V256, V512 (in software): this CPU (as the runtime is configured) does not accelerate those widths, so .NET computed them in software", StringComparison.Ordinal));
    }

    [Fact]
    public void WithoutParallelCases_ThereIsNoParallelTable()
        => Assert.DoesNotContain("ParallelTickBench", CiSummary.Format([Tick("Steady", 10_000, 0, "V512", 12_000)], "m"), StringComparison.Ordinal);

    /// <summary>Each size's ns/VM-tick is its mean over its own VM count: 12 000 ns / 10 000 = 1.200, 150 000 ns / 50 000 = 3.000
    /// (150 000 / 100 000 = 1.50 × its own floor), the smaller fleet's row first.</summary>
    [Fact]
    public void NsPerVmTick_DividesByTheRowsOwnVmCount()
    {
        string[] lines = CiSummary.Format(
            [
                Tick("Steady", 50_000, 0, "V512", 150_000),
                Tick("Steady", 50_000, 0, "MinFloor", 100_000),
                Tick("Steady", 10_000, 0, "V512", 12_000),
            ], "m").Split('\n', StringSplitOptions.TrimEntries);

        int small = Array.IndexOf(lines, "| Steady | 10000 | 0 | V512 | 1.200 | – | – | – |");
        int large = Array.IndexOf(lines, "| Steady | 50000 | 0 | V512 | 3.000 | 1.50 × | – | – |");
        Assert.True(small > 0 && large > small);
    }
}

using System.Globalization;
using System.Text;

namespace DmKernel.Benchmarks;

/// <summary>
/// The few figures a performance engineer looks for at the end of CI's bench output, from the means of that run (same-run
/// ratios only): per TickBench workload and short share, each vector path's ns per VM-tick, its ratio to the
/// minimal-bytes floor and to the same-columns floor, and its speed-up over the scalar reference; per ParallelTickBench
/// workload, two threads' speed-up over one. Pure (no BenchmarkDotNet types) so that the tests check it.
/// </summary>
internal static class CiSummary
{
    /// <summary>One benchmark case of the run: its suite, its parameters by name, its mean time in nanoseconds.</summary>
    public readonly record struct Case(string Suite, IReadOnlyDictionary<string, string> Parameters, double MeanNs);

    private static readonly string[] VectorPaths = ["V128", "V256", "V512"];

    /// <summary>
    /// The summary's lines (markdown tables under a heading that names <paramref name="machine"/>); a row whose scalar
    /// run or floor is missing from <paramref name="cases"/> shows "–" there rather than a ratio to nothing. A vector
    /// path in <paramref name="inSoftware"/> (one this CPU does not accelerate, so .NET computed it in software) is marked
    /// in its rows and explained under the table, so that its figures are not read as the CPU's.
    /// </summary>
    /// <param name="cases">The cases that ran.</param>
    /// <param name="machine">The machine, as the heading names it.</param>
    /// <param name="inSoftware">The vector paths this CPU does not accelerate.</param>
    /// <param name="parallelPath">The path ParallelTickBench's balancers resolved (<c>KernelPath.Auto</c>: <c>DMKERNEL_PATH</c>, else the
    /// widest accelerated), as <see cref="KernelPaths.Describe"/> gives it; named in its table's heading (before stop 53 the table
    /// had no path, so a forced or unaccelerated path read as the CPU's widest).</param>
    public static string Format(IReadOnlyList<Case> cases, string machine, IReadOnlyCollection<string>? inSoftware = null, string? parallelPath = null)
    {
        inSoftware ??= [];
        var ic = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(ic, $"CI bench summary ({machine}; ratios of this run's means; the full tables are above and in BenchmarkDotNet.Artifacts/results):");
        sb.AppendLine();
        sb.AppendLine("| TickBench | VMs | short % | path | ns/VM-tick | / minimal-bytes floor | / same-columns floor | speed-up over scalar |");
        sb.AppendLine("|---|---:|---:|---|---:|---:|---:|---:|");
        var ticks = cases.Where(c => c.Suite == "TickBench").ToList();
        foreach (var group in ticks
            .GroupBy(c => (Workload: c.Parameters["Workload"], Vms: int.Parse(c.Parameters["Vms"], ic), Short: int.Parse(c.Parameters["ShortSharePercent"], ic)))
            .OrderBy(g => g.Key.Workload, StringComparer.Ordinal).ThenBy(g => g.Key.Vms).ThenBy(g => g.Key.Short))
        {
            double? Mean(string path) => group.Where(c => c.Parameters["Path"] == path).Select(c => (double?)c.MeanNs).FirstOrDefault();
            double? scalar = Mean("Scalar"), minFloor = Mean("MinFloor"), colFloor = Mean("ColFloor");
            foreach (string path in VectorPaths)
            {
                if (Mean(path) is not double mean)
                    continue;
                string name = inSoftware.Contains(path) ? path + " (in software)" : path;
                sb.AppendLine(ic, $"| {group.Key.Workload} | {group.Key.Vms} | {group.Key.Short} | {name} | {mean / group.Key.Vms:F3} | {Ratio(mean, minFloor)} | {Ratio(mean, colFloor)} | {Ratio(scalar, mean)} |");
            }
        }

        string[] marked = [.. VectorPaths.Where(p => inSoftware.Contains(p) && ticks.Any(c => c.Parameters["Path"] == p))];
        if (marked.Length > 0)
        {
            sb.AppendLine();
            sb.AppendLine(ic, $"{string.Join(", ", marked)} (in software): this CPU (as the runtime is configured) does not accelerate {(marked.Length == 1 ? "that width" : "those widths")}, so .NET computed {(marked.Length == 1 ? "it" : "them")} in software: the rows measure that fallback, not the CPU's vector units (the results are the same on every path).");
        }

        var parallel = cases.Where(c => c.Suite == "ParallelTickBench").ToList();
        if (parallel.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine(parallelPath is null ? "| ParallelTickBench | VMs | threads | ns/VM-tick | speed-up over 1 thread |"
                : $"| ParallelTickBench, path {parallelPath} | VMs | threads | ns/VM-tick | speed-up over 1 thread |");
            sb.AppendLine("|---|---:|---:|---:|---:|");
            foreach (var group in parallel
                .GroupBy(c => (Workload: c.Parameters["Workload"], Vms: int.Parse(c.Parameters["Vms"], ic)))
                .OrderBy(g => g.Key.Workload, StringComparer.Ordinal).ThenBy(g => g.Key.Vms))
            {
                double? one = group.Where(c => c.Parameters["Threads"] == "1").Select(c => (double?)c.MeanNs).FirstOrDefault();
                foreach (Case c in group.Where(c => c.Parameters["Threads"] != "1").OrderBy(c => int.Parse(c.Parameters["Threads"], ic)))
                    sb.AppendLine(ic, $"| {group.Key.Workload} | {group.Key.Vms} | {c.Parameters["Threads"]} | {c.MeanNs / group.Key.Vms:F3} | {Ratio(one, c.MeanNs)} |");
            }
        }

        return sb.ToString();
    }

    /// <summary><paramref name="numerator"/> ÷ <paramref name="denominator"/> to two decimals, or "–" if either is missing.</summary>
    private static string Ratio(double? numerator, double? denominator)
        => numerator is double n && denominator is double d && d > 0 ? (n / d).ToString("F2", CultureInfo.InvariantCulture) + " ×" : "–";
}

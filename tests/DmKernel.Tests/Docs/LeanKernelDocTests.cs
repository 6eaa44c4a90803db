using System.Globalization;

namespace DmKernel.Tests.Docs;

/// <summary>
/// Docs that cannot drift, for issue 12's figures on the AMD EPYC machine: the targets table and the kernel-against-
/// scalar table of bench/results/amd-epyc-zen4-2core/lean-kernel.md are recomputed from the raw BenchmarkDotNet reports
/// they name (lean-kernel/TickBench-8439baf-{1,2,3}.md, lean-kernel/TickBench-scalar-7e2d0e4.md). ns per VM-tick are
/// taken from each case's Mean over its VM count (not from the report's ns/VM column, already rounded to three decimals).
/// </summary>
public class LeanKernelDocTests
{
    private const string Folder = "bench/results/amd-epyc-zen4-2core";
    private static readonly CultureInfo Ic = CultureInfo.InvariantCulture;

    private static string Root => ReadmeExampleTests.RepoRoot();

    private sealed record Case(double Ns, string PerMinFloor, string MedianPerMinFloor, string PerColFloor);

    /// <summary>Every "Tick" row of a raw TickBench report, by (short %, VMs, path, workload).</summary>
    private static Dictionary<(string Short, string Vms, string Path, string Workload), Case> Raw(string file)
    {
        string path = Path.Combine(Root, Folder, "lean-kernel", file);
        Assert.True(File.Exists(path), $"{Folder}/lean-kernel/{file}, which lean-kernel.md quotes, does not exist");
        var rows = new Dictionary<(string, string, string, string), Case>();
        foreach (string line in File.ReadLines(path))
        {
            string[] c = line.Replace("**", "", StringComparison.Ordinal).Split('|', StringSplitOptions.TrimEntries);
            if (c.Length < 14 || c[1] != "Tick")
                continue;
            string[] mean = c[6].Split(' ');
            double scale = mean[1] switch { "ns" => 1, "μs" => 1e3, "ms" => 1e6, "s" => 1e9, _ => throw new InvalidDataException($"{file}: unit '{mean[1]}'") };
            double ns = double.Parse(mean[0], NumberStyles.Number, Ic) * scale / int.Parse(c[3], Ic);
            rows[(c[2], c[3], c[4], c[5])] = new Case(ns, c[11], c[12], c[13]);
        }

        Assert.NotEmpty(rows);
        return rows;
    }

    private static IEnumerable<string[]> TableRows(string firstHeader)
    {
        string[] lines = File.ReadAllLines(Path.Combine(Root, Folder, "lean-kernel.md"));
        int start = Array.FindIndex(lines, l => l.StartsWith($"| {firstHeader} |", StringComparison.Ordinal));
        Assert.True(start >= 0, $"lean-kernel.md has no table headed '{firstHeader}'");
        for (int i = start + 2; i < lines.Length && lines[i].StartsWith('|'); i++)
            yield return lines[i].Split('|', StringSplitOptions.TrimEntries);
    }

    private static string F2(double v) => v.ToString("F2", Ic);

    [Fact]
    public void TargetsTable_IsTheThreeRawRuns()
    {
        var runs = new[] { Raw("TickBench-8439baf-1.md"), Raw("TickBench-8439baf-2.md"), Raw("TickBench-8439baf-3.md") };
        var mismatches = new List<string>();
        int rows = 0;
        foreach (string[] c in TableRows("VMs | short hosts | run 1"))
        {
            rows++;
            string vms = c[1].Replace(" ", "", StringComparison.Ordinal), share = c[2].Replace(" %", "", StringComparison.Ordinal);
            Case[] v512 = [.. runs.Select(r => r[(share, vms, "V512", "Realistic")])];
            Case[] floor = [.. runs.Select(r => r[(share, vms, "MinFloor", "Realistic")])];
            double[] ratios = [.. v512.Select(x => double.Parse(x.PerMinFloor, Ic)).Order()];
            string[] expected =
            [
                .. v512.Select(x => $"{x.PerMinFloor} ({x.MedianPerMinFloor})"),
                $"**{F2(ratios[1])}**",
                "3",
                string.Join(", ", v512.Select(x => F2(x.Ns))),
                string.Join(", ", floor.Select(x => F2(x.Ns))),
                string.Join(", ", v512.Select(x => x.PerColFloor)),
            ];
            for (int k = 0; k < expected.Length; k++)
            {
                if (c[k + 3] != expected[k])
                    mismatches.Add($"{c[1]} VMs, {c[2]} short, column {k + 3}: \"{c[k + 3]}\", the raw runs give \"{expected[k]}\"");
            }
        }

        Assert.Equal(4, rows);
        Assert.True(mismatches.Count == 0, "lean-kernel.md's targets table against its raw runs:\n" + string.Join('\n', mismatches));
    }

    [Fact]
    public void ScalarTable_IsTheRawReportsMeans()
    {
        var run = Raw("TickBench-scalar-7e2d0e4.md");
        (string Vms, string Short)[] columns = [("50000", "0"), ("1000000", "0"), ("50000", "25"), ("1000000", "25")];
        var mismatches = new List<string>();
        int rows = 0;
        foreach (string[] c in TableRows("workload | 50 000, 0 %"))
        {
            rows++;
            for (int k = 0; k < columns.Length; k++)
            {
                double scalar = run[(columns[k].Short, columns[k].Vms, "Scalar", c[1] == "steady" ? "Steady" : "Realistic")].Ns;
                double v512 = run[(columns[k].Short, columns[k].Vms, "V512", c[1] == "steady" ? "Steady" : "Realistic")].Ns;
                string ratio = (scalar / v512).ToString("F1", Ic), s = scalar.ToString("F1", Ic);
                string expected = k == 0 && rows == 1 ? $"{ratio} × ({s} / {F2(v512)} ns/VM)" : $"{ratio} × ({s} / {F2(v512)})";
                if (c[k + 2] != expected)
                    mismatches.Add($"{c[1]}, column {k + 2}: \"{c[k + 2]}\", the raw report gives \"{expected}\"");
            }
        }

        Assert.Equal(2, rows);
        Assert.True(mismatches.Count == 0, "lean-kernel.md's scalar table against its raw report:\n" + string.Join('\n', mismatches));
    }
}

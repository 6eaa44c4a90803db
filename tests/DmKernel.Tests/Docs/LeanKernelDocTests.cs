using static DmKernel.Tests.Docs.DocFigures;

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
    private sealed record Case(double Ns, string PerMinFloor, string MedianPerMinFloor, string PerColFloor);

    /// <summary>Every "Tick" row of a raw TickBench report, by (short %, VMs, path, workload).</summary>
    private static Dictionary<(string Short, string Vms, string Path, string Workload), Case> Raw(string file)
    {
        var rows = new Dictionary<(string, string, string, string), Case>();
        foreach (Dictionary<string, string> r in BenchRows($"{Folder}/lean-kernel/{file}", "lean-kernel.md quotes"))
        {
            if (r["Method"] != "Tick")
                continue;
            double ns = (double)BenchTime(r["Mean"]) / int.Parse(r["Vms"], Ic);
            rows[(r["ShortSharePercent"], r["Vms"], r["Path"], r["Workload"])] = new Case(ns, r["/MinFloor"], r["Median/MinFloor"], r["/ColFloor"]);
        }

        Assert.NotEmpty(rows);
        return rows;
    }

    /// <summary>The rows of lean-kernel.md's table headed <paramref name="firstHeader"/>; cell 0 is the first column.</summary>
    private static List<string[]> Table(string firstHeader) =>
        TableRows(Text($"{Folder}/lean-kernel.md").Split('\n'), $"| {firstHeader} |", $"lean-kernel.md has no table headed '{firstHeader}'");

    [Fact]
    public void TargetsTable_IsTheThreeRawRuns()
    {
        var runs = new[] { Raw("TickBench-8439baf-1.md"), Raw("TickBench-8439baf-2.md"), Raw("TickBench-8439baf-3.md") };
        var figures = new FigureCheck("lean-kernel.md's targets table against its raw runs");
        int rows = 0;
        foreach (string[] c in Table("VMs | short hosts | run 1"))
        {
            rows++;
            string vms = c[0].Replace(" ", "", StringComparison.Ordinal), share = c[1].Replace(" %", "", StringComparison.Ordinal);
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
                figures.Check($"{c[0]} VMs, {c[1]} short, column {k + 3}", c[k + 2], expected[k], "the recomputation from the raw runs");
        }

        Assert.Equal(4, rows);
        figures.AssertAllMatch(atLeast: 4 * 8);
    }

    [Fact]
    public void ScalarTable_IsTheRawReportsMeans()
    {
        var run = Raw("TickBench-scalar-7e2d0e4.md");
        (string Vms, string Short)[] columns = [("50000", "0"), ("1000000", "0"), ("50000", "25"), ("1000000", "25")];
        var figures = new FigureCheck("lean-kernel.md's scalar table against its raw report");
        int rows = 0;
        foreach (string[] c in Table("workload | 50 000, 0 %"))
        {
            rows++;
            for (int k = 0; k < columns.Length; k++)
            {
                double scalar = run[(columns[k].Short, columns[k].Vms, "Scalar", c[0] == "steady" ? "Steady" : "Realistic")].Ns;
                double v512 = run[(columns[k].Short, columns[k].Vms, "V512", c[0] == "steady" ? "Steady" : "Realistic")].Ns;
                string ratio = (scalar / v512).ToString("F1", Ic), s = scalar.ToString("F1", Ic);
                string expected = k == 0 && rows == 1 ? $"{ratio} × ({s} / {F2(v512)} ns/VM)" : $"{ratio} × ({s} / {F2(v512)})";
                figures.Check($"{c[0]}, column {k + 2}", c[k + 1], expected, "the raw report");
            }
        }

        Assert.Equal(2, rows);
        figures.AssertAllMatch(atLeast: 2 * 4);
    }
}

using System.Text.RegularExpressions;
using static DmKernel.Tests.Docs.DocFigures;

namespace DmKernel.Tests.Docs;

/// <summary>
/// Docs that cannot drift, for the policies' cost: every figure of bench/results/intel-xeon-avx512-2core/policies.md's
/// table, and the ranges docs/policies.md ("Cost") and README.md quote from it, are recomputed from the two raw
/// BenchmarkDotNet reports beside it (run 3 and run 4 of PolicyTickBench), at the precision each document prints.
/// </summary>
public class PolicyBenchDocTests
{
    private const string Folder = "bench/results/intel-xeon-avx512-2core";
    private static readonly string[] GoalPolicies = ["Static", "Squeezed", "Mom", "Esx"];

    private static readonly Dictionary<string, string> Names = new()
    {
        ["HyperV"] = "Hyper-V",
        ["Static"] = "static",
        ["Squeezed"] = "Xen squeezed",
        ["Mom"] = "oVirt MoM",
        ["Esx"] = "VMware ESX",
    };

    /// <summary>ns/VM of each (short %, policy, path) row of a raw PolicyTickBench report ("Scalar" or "Vector").</summary>
    private static Dictionary<(int Short, string Policy, string Path), double> Raw(string file)
    {
        var rows = new Dictionary<(int, string, string), double>();
        foreach (Dictionary<string, string> r in BenchRows($"{Folder}/{file}", "policies.md quotes"))
        {
            if (r["Method"] == "Tick")
                rows[(int.Parse(r["ShortSharePercent"], Ic), r["Policy"], r["Path"])] = double.Parse(r["ns/VM"], Ic);
        }

        Assert.Equal(20, rows.Count);
        return rows;
    }

    private static (Dictionary<(int, string, string), double> Run3, Dictionary<(int, string, string), double> Run4) Runs() =>
        (Raw("DmKernel.Benchmarks.PolicyTickBench-run3-report-github.md"), Raw("DmKernel.Benchmarks.PolicyTickBench-report-github.md"));

    [Fact]
    public void PoliciesResultTable_IsTheRawReportsNsAndRatios()
    {
        var (run3, run4) = Runs();
        var figures = new FigureCheck("policies.md figures that do not match the raw reports");
        int rows = 0;
        foreach (string line in File.ReadLines(Path.Combine(Root, Folder, "policies.md")))
        {
            string[] c = line.Split('|', StringSplitOptions.TrimEntries);
            if (c.Length != 11 || !c[1].EndsWith(" %", StringComparison.Ordinal) || !int.TryParse(c[1][..^2], Ic, out int share))
                continue;
            rows++;
            string policy = Names.Single(n => n.Value == c[2]).Key;
            string path = c[3] == "Vector512" ? "Vector" : "Scalar";
            foreach (var (run, at, name) in new[] { (run3, 4, "run 3"), (run4, 7, "run 4") })
            {
                double ns = run[(share, policy, path)];
                string[] expected = [F(ns, "F1"), F(ns / run[(share, "HyperV", "Scalar")], "F2"), F(ns / run[(share, "HyperV", "Vector")], "F1")];
                for (int k = 0; k < 3; k++)
                    figures.Check($"{c[1]} {c[2]} {c[3]} {name} column {k + 1}", c[at + k], expected[k], "the raw report");
            }
        }

        Assert.Equal(20, rows);
        figures.AssertAllMatch(atLeast: 20 * 2 * 3);
    }

    [Fact]
    public void PoliciesDocAndReadme_QuoteTheRangesOfTheTwoRuns()
    {
        var (run3, run4) = Runs();
        var runs = new[] { run3, run4 };
        IEnumerable<double> Goal(int share, string path) => runs.SelectMany(r => GoalPolicies.Select(p => r[(share, p, path)]));
        IEnumerable<double> GoalOver(int share, string path, string over) =>
            runs.SelectMany(r => GoalPolicies.Select(p => r[(share, p, path)] / r[(share, "HyperV", over)]));
        IEnumerable<double> HyperV(int share) => runs.Select(r => r[(share, "HyperV", "Vector")]);

        string doc = Flat("docs/policies.md");
        Match m = Regex.Match(doc, @"policies cost ([\d.]+)–([\d.]+) ns per VM-tick against Hyper-V's (\d+)–(\d+) ns with no short host, ([\d.]+)–([\d.]+) × Hyper-V's Vector512 path in the same run \(([\d.]+)–([\d.]+) × with a quarter of the hosts short, against Hyper-V's (\d+)–(\d+) ns\); on the scalar path ([\d.]+)–([\d.]+) ×");
        Assert.True(m.Success, "docs/policies.md's 'Cost' sentence is gone or reworded; update its pattern here");
        string[] expected =
        [
            F(Goal(0, "Vector").Min(), "F1"), F(Goal(0, "Vector").Max(), "F1"), F(HyperV(0).Min(), "F0"), F(HyperV(0).Max(), "F0"),
            F(GoalOver(0, "Vector", "Vector").Min(), "F1"), F(GoalOver(0, "Vector", "Vector").Max(), "F1"),
            F(GoalOver(25, "Vector", "Vector").Min(), "F1"), F(GoalOver(25, "Vector", "Vector").Max(), "F1"),
            F(HyperV(25).Min(), "F0"), F(HyperV(25).Max(), "F0"),
            F(runs.SelectMany(r => new[] { 0, 25 }.SelectMany(s => GoalPolicies.Select(p => r[(s, p, "Scalar")] / r[(s, "HyperV", "Scalar")]))).Min(), "0.0#"),
            F(runs.SelectMany(r => new[] { 0, 25 }.SelectMany(s => GoalPolicies.Select(p => r[(s, p, "Scalar")] / r[(s, "HyperV", "Scalar")]))).Max(), "0.0#"),
        ];
        for (int k = 0; k < expected.Length; k++)
            Assert.True(m.Groups[k + 1].Value == expected[k], $"docs/policies.md 'Cost', figure {k + 1}: \"{m.Groups[k + 1].Value}\", the raw reports give \"{expected[k]}\"");

        // README quotes run 4 alone: Hyper-V's Vector512 ns, each goal policy's, and their range over Hyper-V's.
        string readme = Flat("README.md");
        Match r4 = Regex.Match(readme, @"Hyper-V ([\d.]+) ns; static ([\d.]+), squeezed ([\d.]+), MoM ([\d.]+), ESX ([\d.]+) ns, i\.e\. ([\d.]+)–([\d.]+) × Hyper-V");
        Assert.True(r4.Success, "README's policy cost sentence is gone or reworded; update its pattern here");
        string[] quoted =
        [
            F(run4[(0, "HyperV", "Vector")], "F1"), F(run4[(0, "Static", "Vector")], "F1"), F(run4[(0, "Squeezed", "Vector")], "F1"),
            F(run4[(0, "Mom", "Vector")], "F1"), F(run4[(0, "Esx", "Vector")], "F1"),
            F(GoalPolicies.Min(p => run4[(0, p, "Vector")] / run4[(0, "HyperV", "Vector")]), "F1"),
            F(GoalPolicies.Max(p => run4[(0, p, "Vector")] / run4[(0, "HyperV", "Vector")]), "F1"),
        ];
        for (int k = 0; k < quoted.Length; k++)
            Assert.True(r4.Groups[k + 1].Value == quoted[k], $"README policy cost, figure {k + 1}: \"{r4.Groups[k + 1].Value}\", run 4's raw report gives \"{quoted[k]}\"");
    }
}

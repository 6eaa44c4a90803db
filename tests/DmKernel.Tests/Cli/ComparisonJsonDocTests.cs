using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DmKernel.Tests.Docs;
using DmKernel.Tests.Replay;
using DmKernel.Tests.Traces;
using DmKernel.Traces.Capacity;

namespace DmKernel.Tests.Cli;

/// <summary>
/// docs/compare.md's "comparison.json, field by field" names every field compare and merge write, and no field they do
/// not: three runs between them write every optional part (a recorded demand model, a pressure limit, sensitivity,
/// policies with parameters, VMs left out, early-stopped probes, a merge of shards).
/// </summary>
[Collection(nameof(CliTests))]
public partial class ComparisonJsonDocTests
{
    private static readonly string[] OutcomeNames = ["atMedianDensity", "atHosts", "lastMiss", "sideBySide"];

    [Fact]
    public void EveryFieldWritten_IsInTheDocsTable_AndEveryFieldTheTableNames_IsWritten()
    {
        using var tmp = new TempDir();

        // A: an imported trace (its demand model recorded) with a pressure limit, sensitivity and two policies.
        string month = tmp.File("bitbrains.dmt");
        Assert.Equal(0, CliTests.Run("import", "bitbrains", RealTraces.Path("bitbrains-gwa-t-12-rnd"), "-o", month).Exit);
        (int exit, _, string err) = CliTests.Run("compare", month, "-o", tmp.File("a"), "--seeds", "1", "--sensitivity",
            "--pressure-limit", "150", "--policies", "hyperv,esx");
        Assert.True(exit == 0, err);

        // B: the sample on hosts too small for its largest VMs (left out), shorter.
        (exit, _, err) = CliTests.Run("compare", ReplayDeterminismTests.SampleTrace, "-o", tmp.File("b"), "--seeds", "1",
            "--max-ticks", "240", "--host-mb", "16384");
        Assert.True(exit == 0, err);

        // C: two compare shards merged.
        for (int i = 0; i < 2; i++)
        {
            (exit, _, err) = CliTests.Run("compare", ReplayDeterminismTests.SampleTrace, "--shard", $"{i}/2", "-o", tmp.File("shards"),
                "--seeds", "1", "--max-ticks", "120");
            Assert.True(exit == 0, err);
        }

        (exit, _, err) = CliTests.Run("merge", tmp.File("shards"), "-o", tmp.File("c"));
        Assert.True(exit == 0, err);

        var written = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string run in (string[])["a", "b", "c"])
            Walk(JsonNode.Parse(File.ReadAllText(tmp.File(run + "/comparison.json"))), "", written);

        HashSet<string> documented = DocumentedFields();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var undocumented = new List<string>();
        foreach (string path in written)
        {
            IReadOnlyList<string> needs = Needs(path);
            foreach (string n in needs)
            {
                if (documented.Contains(n) || documented.Any(d => n.EndsWith("[]", StringComparison.Ordinal) && d.StartsWith(n, StringComparison.Ordinal)))
                    seen.Add(n);
                else
                    undocumented.Add($"{path} (needs {n})");
            }
        }

        Assert.True(undocumented.Count == 0, "written but not in docs/compare.md's table: " + string.Join(", ", undocumented));
        string[] unwritten = [.. documented.Where(d => !seen.Contains(d) && !written.Any(w => w.StartsWith(d + ".", StringComparison.Ordinal)))];
        Assert.True(unwritten.Length == 0, "in docs/compare.md's table but written by none of the runs: " + string.Join(", ", unwritten));
    }

    /// <summary>
    /// The fields added for scripts hold what the report says: each hosts search's <c>answer</c> agrees with its
    /// <c>hosts</c>, <c>lastMiss</c> misses the level, <c>starving</c> is the report's table, and <c>leftOut</c> accounts for
    /// every trace VM outside the pool with sizes a host cannot hold (the sample on 16 GB hosts leaves its largest out).
    /// </summary>
    [Fact]
    public void AddedFields_AgreeWithTheReport_AndAccountForEveryVm()
    {
        using var tmp = new TempDir();
        (int exit, _, string err) = CliTests.Run("compare", ReplayDeterminismTests.SampleTrace, "-o", tmp.File("b"), "--seeds", "1",
            "--max-ticks", "240", "--host-mb", "16384");
        Assert.True(exit == 0, err);
        JsonObject j = JsonNode.Parse(File.ReadAllText(tmp.File("b/comparison.json")))!.AsObject();
        string report = File.ReadAllText(tmp.File("b/report.md"));
        double maxPaging = (double)j["serviceLevel"]!["maxPagingShare"]!;
        int capacity = (int)j["host"]!["totalMb"]! - (int)j["host"]!["reserveMb"]!;

        foreach (JsonNode? s in j["strategies"]!.AsArray())
        {
            JsonObject h = s!["hostsNeeded"]!.AsObject();
            string answer = (string)h["answer"]!;
            Assert.Equal(h["hosts"] is not null, answer == "found");
            Assert.Equal((int)s["vmsPerHost"]!["max"]! == 0, answer == "missesAtAnyDensity");
            if (h["lastMiss"] is JsonObject miss)
            {
                Assert.NotEqual((int?)h["hosts"], (int)miss["hosts"]!);
                Assert.True((double)miss["pagingShare"]! > maxPaging || (double)miss["deniedShare"]! > 0, $"{s["key"]}: lastMiss meets the level");
            }
        }

        JsonArray starving = j["starving"]!.AsArray();
        Assert.InRange(starving.Count, 1, 10);
        foreach (JsonNode? v in starving)
        {
            Assert.Equal(Math.Round((double)(int)v!["pagingTicks"]! / (int)v["servableTicks"]!, 6), (double)v["pagingShare"]!);
            Assert.Contains($"| {(string)v["id"]!} | {(int)v["provisionedMb"]!} MB | ", report, StringComparison.Ordinal);
        }

        JsonArray tooLarge = j["leftOut"]!["tooLarge"]!.AsArray();
        Assert.NotEmpty(tooLarge);
        Assert.Equal((int)j["vms"]!, (int)j["poolVms"]! + (int)j["leftOut"]!["neverOn"]! + tooLarge.Count);
        for (int i = 0; i < tooLarge.Count; i++)
        {
            JsonNode x = tooLarge[i]!;
            Assert.True((int)x["sizeMb"]! > capacity);
            Assert.True((int)x["hostMbThatFits"]! >= (int)x["sizeMb"]! + (int)j["host"]!["reserveMb"]!);

            // The report names the first three in a line each and five more in one line (since stop 57); the JSON lists all.
            if (i < CapacityStudy.MaxListedTooLarge + 5)
                Assert.Contains($"'{(string)x["id"]!}'", report, StringComparison.Ordinal);
        }

        if (tooLarge.Count > CapacityStudy.MaxListedTooLarge + 5)
            Assert.Contains("comparison.json's leftOut lists them all", report, StringComparison.Ordinal);
    }

    /// <summary>The documented names a written path needs: the path itself, or an outcome's place and its field's (outcome) row, or a policy parameter's wildcard.</summary>
    private static List<string> Needs(string path)
    {
        string[] parts = path.Split('.');
        for (int i = 0; i < parts.Length - 1; i++)
        {
            if (OutcomeNames.Contains(parts[i]))
                return [string.Join('.', parts[..(i + 1)]), "(outcome)." + string.Join('.', parts[(i + 1)..])];
        }

        if (path.StartsWith("policies[].parameters.", StringComparison.Ordinal) || path == "policies[].parameters")
            return ["policies[].parameters.*"];
        return [path];
    }

    /// <summary>Every leaf of <paramref name="node"/> as a path ("strategies[].hostsNeeded.hosts"); an empty array or object is a leaf ("warnings[]").</summary>
    private static void Walk(JsonNode? node, string path, SortedSet<string> paths)
    {
        switch (node)
        {
            case JsonObject o when o.Count > 0:
                foreach (KeyValuePair<string, JsonNode?> kv in o)
                    Walk(kv.Value, path.Length == 0 ? kv.Key : path + "." + kv.Key, paths);
                break;
            case JsonArray a when a.Count > 0:
                foreach (JsonNode? item in a)
                    Walk(item, path + "[]", paths);
                break;
            case JsonArray:
                paths.Add(path + "[]");
                break;
            default:
                paths.Add(path);
                break;
        }
    }

    /// <summary>
    /// The first column of the table under "## comparison.json, field by field": each backticked name, a name starting
    /// with a dot a sibling of the one before it (`a.b.c`, `.d` is a.b.d).
    /// </summary>
    private static HashSet<string> DocumentedFields()
    {
        string doc = File.ReadAllText(Path.Combine(ReadmeExampleTests.RepoRoot(), "docs", "compare.md")).ReplaceLineEndings("\n");
        int start = doc.IndexOf("\n## comparison.json, field by field\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/compare.md has no section 'comparison.json, field by field'");
        int end = doc.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        string section = end < 0 ? doc[start..] : doc[start..end];

        var fields = new HashSet<string>(StringComparer.Ordinal);
        foreach (string line in section.Split('\n'))
        {
            if (!line.StartsWith("| `", StringComparison.Ordinal))
                continue;
            string first = line.Split('|')[1];
            string previous = "";
            foreach (Match m in Backticked().Matches(first))
            {
                string name = m.Groups[1].Value;
                if (name.StartsWith('.'))
                {
                    Assert.True(previous.Length > 0, $"'{name}' has no name before it: {line}");
                    name = previous[..previous.LastIndexOf('.')] + name;
                }

                fields.Add(name);
                previous = name;
            }
        }

        Assert.NotEmpty(fields);
        return fields;
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Backticked();
}

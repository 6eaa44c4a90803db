using System.Text.Json.Nodes;
using DmKernel.Tests.Replay;
using DmKernel.Tests.Traces;

namespace DmKernel.Tests.Cli;

/// <summary>
/// compare --sensitivity --minimum-factors: the Minimum cells at the factors the user names (before stop 56 only the
/// library could; the CLI ran 0.5 and 2), each exactly the trace imported with that divisor; 'none' for no cells; bad
/// factors and the option without --sensitivity refused by name, nothing written; shards of other factors not merged.
/// </summary>
[Collection(nameof(CliTests))]
public sealed class CompareMinimumFactorsTests
{
    private static string Folder => RealTraces.Path("bitbrains-gwa-t-12-rnd/2013-8");

    private static JsonArray Cells(string dir) => JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "comparison.json")))!["minimumSensitivity"]!.AsArray();

    private static JsonNode Json(string dir) => JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "comparison.json")))!;

    /// <summary>
    /// The cell at 0.25 of an import's Startup ÷ 4 is the trace imported at ÷ 16, and at 4/3 (written 1.3333) at ÷ 3: the
    /// same Dynamic Memory VMs per host, draw by draw, and the report's row names the divisor.
    /// </summary>
    [Fact]
    public void MinimumFactors_GiveTheCellsOfThoseDivisors_EachEqualToItsImport()
    {
        using var tmp = new TempDir();
        foreach (int d in new[] { 4, 16, 3 })
            Assert.Equal(0, CliTests.Run("import", "bitbrains", Folder, "-o", tmp.File($"d{d}.dmt"), "--minimum-divisor", $"{d}").Exit);
        string[] common = ["--host-mb", "65536", "--seeds", "3", "--max-ticks", "288", "--threads", "2"];
        (int exit, _, string stderr) = CliTests.Run(["compare", tmp.File("d4.dmt"), "-o", tmp.File("grid"), "--sensitivity", "--minimum-factors", "0.25, 1.3333", .. common]);
        Assert.True(exit == 0, stderr);
        Assert.Contains("and the VMs' Minimum × 0.25 and 1.3333;", stderr, StringComparison.Ordinal);
        JsonArray cells = Cells(tmp.File("grid"));
        Assert.Equal([0.25, 1.3333], cells.Select(c => (double)c!["factor"]!));
        Assert.Equal([16.0, 3.0], cells.Select(c => (double)c!["minimumDivisor"]!));
        for (int i = 0; i < 2; i++)
        {
            int d = i == 0 ? 16 : 3;
            Assert.Equal(0, CliTests.Run(["compare", tmp.File($"d{d}.dmt"), "-o", tmp.File($"c{d}"), .. common]).Exit);
            JsonNode own = Json(tmp.File($"c{d}"));
            JsonNode dm = own["strategies"]!.AsArray().Single(x => (string)x!["key"]! == "dm")!;
            Assert.Equal((double)dm["vmsPerHost"]!["median"]!, (double)cells[i]!["dynamicMemoryVmsPerHost"]!);
            Assert.Equal(own["verdict"]!["ratioToStaticProvisioned"]!.ToJsonString(), cells[i]!["ratioToStaticProvisioned"]!.ToJsonString()); // draw by draw: min, median, max
        }

        string report = File.ReadAllText(tmp.File("grid/report.md"));
        Assert.Contains("| Minimum × 0.25 (Startup ÷ 16) |", report, StringComparison.Ordinal);
        Assert.Contains("| Minimum × 1.3333 (Startup ÷ 3) |", report, StringComparison.Ordinal);
    }

    [Fact]
    public void MinimumFactorsNone_RunsTheDemandGridAlone()
    {
        using var tmp = new TempDir();
        (int exit, _, string stderr) = CliTests.Run("compare", ReplayDeterminismTests.SampleTrace, "-o", tmp.File("c"), "--sensitivity", "--minimum-factors", "none", "--seeds", "1", "--max-ticks", "120");
        Assert.True(exit == 0, stderr);
        Assert.Empty(Cells(tmp.File("c")));
        Assert.NotEmpty(JsonNode.Parse(File.ReadAllText(tmp.File("c/comparison.json")))!["sensitivity"]!.AsArray());
        Assert.DoesNotContain("## Sensitivity to the VMs' Minimum", File.ReadAllText(tmp.File("c/report.md")), StringComparison.Ordinal);
        Assert.DoesNotContain("the VMs' Minimum ×", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "error: --minimum-factors applies only with --sensitivity (the Minimum cells are part of its grid); give both, or neither.")]
    [InlineData("0", "error: --minimum-factors: 0 is out of range: expected factors of the VMs' Minimum from 0.0009765625 (1/1024) to 1024, not 1, comma-separated, or 'none'.")]
    [InlineData("-2", "error: --minimum-factors: -2 is out of range: expected factors of the VMs' Minimum from 0.0009765625 (1/1024) to 1024, not 1, comma-separated, or 'none'.")]
    [InlineData("2000", "error: --minimum-factors: 2000 is out of range: expected factors of the VMs' Minimum from 0.0009765625 (1/1024) to 1024, not 1, comma-separated, or 'none'.")]
    [InlineData("1e400", "error: --minimum-factors: 1e400 is out of range: expected factors of the VMs' Minimum from 0.0009765625 (1/1024) to 1024, not 1, comma-separated, or 'none'.")]
    [InlineData("half", "error: --minimum-factors: 'half' is not a number: expected factors of the VMs' Minimum from 0.0009765625 (1/1024) to 1024, not 1, comma-separated, or 'none'.")]
    [InlineData("NaN", "error: --minimum-factors: 'NaN' is not a number: expected factors of the VMs' Minimum from 0.0009765625 (1/1024) to 1024, not 1, comma-separated, or 'none'.")]
    [InlineData("0,5", "error: --minimum-factors: 0 is out of range: expected factors of the VMs' Minimum from 0.0009765625 (1/1024) to 1024, not 1, comma-separated, or 'none'.")]
    [InlineData("1", "error: --minimum-factors: 1 is the Minimum as given, whose answer the report leads with: expected factors of the VMs' Minimum from 0.0009765625 (1/1024) to 1024, not 1, comma-separated, or 'none'.")]
    [InlineData("1.00002", "error: --minimum-factors: 1.00002 is the Minimum as given, whose answer the report leads with: expected factors of the VMs' Minimum from 0.0009765625 (1/1024) to 1024, not 1, comma-separated, or 'none'.")]
    [InlineData("0.5,0.500001", "error: --minimum-factors '0.5,0.500001': 0.500001 is given twice: expected factors of the VMs' Minimum from 0.0009765625 (1/1024) to 1024, not 1, comma-separated, or 'none'.")]
    [InlineData("0.5,0.50", "error: --minimum-factors '0.5,0.50': 0.50 is given twice: expected factors of the VMs' Minimum from 0.0009765625 (1/1024) to 1024, not 1, comma-separated, or 'none'.")]
    [InlineData("0.5,,2", "error: --minimum-factors '0.5,,2': an empty entry: expected factors of the VMs' Minimum from 0.0009765625 (1/1024) to 1024, not 1, comma-separated, or 'none'.")]
    public void BadMinimumFactors_AreRefusedByName_NothingWritten(string? factors, string expected)
    {
        using var tmp = new TempDir();
        string[] args = factors is null
            ? ["compare", ReplayDeterminismTests.SampleTrace, "-o", tmp.File("c"), "--minimum-factors", "0.5"]
            : ["compare", ReplayDeterminismTests.SampleTrace, "-o", tmp.File("c"), "--sensitivity", "--minimum-factors", factors];
        (int exit, string stdout, string stderr) = CliTests.Run(args);
        Assert.Equal(2, exit);
        Assert.Equal(expected, stderr.TrimEnd('\r', '\n'));
        Assert.Equal("", stdout);
        Assert.False(Directory.Exists(tmp.File("c")));
    }

    [Fact]
    public void Merge_CompareShardsOfOtherMinimumFactors_AreRefusedNamingThem()
    {
        using var tmp = new TempDir();
        for (int i = 0; i < 2; i++)
            Assert.Equal(0, CliTests.Run(["compare", ReplayDeterminismTests.SampleTrace, "--shard", $"{i}/2", "-o", tmp.File("s"), "--seeds", "1", "--max-ticks", "120", "--sensitivity", .. i == 1 ? (string[])["--minimum-factors", "0.25"] : []]).Exit);
        ShardTests.AssertRefused("--minimum-factors 0.25 in shard 1, 0.5,2 in shard 0", "merge", tmp.File("s"), "-o", tmp.File("m"));
    }
}

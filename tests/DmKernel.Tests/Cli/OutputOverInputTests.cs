using DmKernel.Cli.Commands;
using DmKernel.Tests.Traces;
using DmKernel.Traces;

namespace DmKernel.Tests.Cli;

/// <summary>
/// A command whose output would be its own input is refused before it runs, naming both, and the input stays (before
/// stop 50: the commit renamed the output over the file the run had read: a trace named <c>hosts.csv</c> replayed into
/// its own folder became the replay's hosts.csv, a shard split again into its split's folder was replaced by a shard of
/// itself, <c>generate --from T -o T</c> replaced T). The same file by another path (a folder reached through a symbolic
/// link) counts, as for the importers.
/// </summary>
[Collection(nameof(CliTests))] // CliTests.Run swaps the process's Console.Out: never beside another test that does
public class OutputOverInputTests
{
    private static string Trace(TempDir dir, string name, int hosts = 2)
    {
        string path = dir.File(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        TraceGenerator.Generate(path, new TraceGeneratorOptions { Vms = 40, Hosts = hosts, Ticks = 20, Seed = 5, TickSeconds = 60 });
        return path;
    }

    private static void AssertRefused((int Exit, string Out, string Err) run, string output, string input)
    {
        Assert.True(run.Exit == 1, run.Err);
        Assert.Contains($"error: the output '{output}' is this run's input '{input}' (the same file): writing it would replace the file the run reads.", run.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("replay", "hosts.csv")]
    [InlineData("replay", "report.md")]
    [InlineData("replay", "pressure.png")]
    [InlineData("compare", "comparison.json")]
    [InlineData("compare", "policies.png")] // written only with --policies, and otherwise removed as an earlier run's
    public void ATraceNamedAsAnOutput_InTheOutputFolder_IsRefused_AndKept(string command, string name)
    {
        using var dir = new TempDir();
        string trace = Trace(dir, name);
        byte[] before = File.ReadAllBytes(trace);
        string[] extra = command == "compare" ? ["--seeds", "1", "--host-mb", "65536"] : [];
        AssertRefused(CliTests.Run([command, trace, "-o", dir.Path, .. extra]), trace, trace);
        Assert.Equal(before, File.ReadAllBytes(trace));
        Assert.Equal([name], Directory.EnumerateFileSystemEntries(dir.Path).Select(Path.GetFileName)); // no staging folder either

        // The same folder through a symbolic link: the same file.
        if (OperatingSystem.IsWindows())
            return;
        string link = dir.File("link");
        Directory.CreateSymbolicLink(link, dir.Path);
        AssertRefused(CliTests.Run([command, trace, "-o", link, .. extra]), Path.Combine(link, name), trace);
        Assert.Equal(before, File.ReadAllBytes(trace));
    }

    /// <summary>
    /// A shard split again in two into its split's folder: one of its parts would be named as the shard itself (shard 0's
    /// first part, shard 1's second), so every shard name is checked, the last one too; elsewhere the split is fine.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Split_OfAShard_IntoItsSplitsFolder_IsRefused_AndTheShardKept(int index)
    {
        using var dir = new TempDir();
        string trace = Trace(dir, "t.dmt", hosts: 4);
        string split = dir.File("split");
        Assert.Equal(0, CliTests.Run("split", trace, "--shards", "2", "-o", split).Exit);
        string shard = Path.Combine(split, $"shard-000{index}-of-0002.dmt");
        byte[] before = File.ReadAllBytes(shard);

        AssertRefused(CliTests.Run("split", shard, "--shards", "2", "-o", split), shard, shard);
        Assert.Equal(before, File.ReadAllBytes(shard));
        Assert.Equal(0, CliTests.Run("split", shard, "--shards", "2", "-o", dir.File("again")).Exit);
    }

    [Fact]
    public void GenerateFrom_ItsOwnOutput_OrItsTemporaryFile_IsRefused()
    {
        using var dir = new TempDir();
        string trace = Trace(dir, "t.dmt");
        byte[] before = File.ReadAllBytes(trace);
        AssertRefused(CliTests.Run("generate", "--from", trace, "--vms", "10", "-o", trace), trace, trace);
        Assert.Equal(before, File.ReadAllBytes(trace));

        string tmpNamed = Trace(dir, "u.dmt.tmp"); // generate writes U.tmp first, then renames it to U
        AssertRefused(CliTests.Run("generate", "--from", tmpNamed, "--vms", "10", "-o", dir.File("u.dmt")), tmpNamed, tmpNamed);
        Assert.False(File.Exists(dir.File("u.dmt")));
    }

    /// <summary>The lists the checks use hold every file replay and compare write (a file added to a command and not to its list would go unchecked).</summary>
    [Fact]
    public void OutputNames_AreEveryFileReplayAndCompareWrite()
    {
        using var dir = new TempDir();
        string trace = Trace(dir, "t.dmt");
        Assert.Equal(0, CliTests.Run("replay", trace, "-o", dir.File("r")).Exit);
        Assert.Equal(ReplayCommand.OutputNames.Order(StringComparer.Ordinal), Directory.EnumerateFileSystemEntries(dir.File("r")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(0, CliTests.Run("compare", trace, "-o", dir.File("c"), "--seeds", "1", "--host-mb", "65536", "--policies", "hyperv,static").Exit);
        Assert.Equal(CompareCommand.OutputNames.Order(StringComparer.Ordinal), Directory.EnumerateFileSystemEntries(dir.File("c")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    /// <summary>compare --shard writes into DIR/compare-shard-I-of-N/: a trace that is that folder's searches.json is refused, and kept.</summary>
    [Fact]
    public void CompareShard_OfATraceNamedAsItsShardOutput_IsRefused_AndKept()
    {
        using var dir = new TempDir();
        string trace = Trace(dir, "out/compare-shard-0000-of-0002/searches.json");
        byte[] before = File.ReadAllBytes(trace);
        AssertRefused(CliTests.Run("compare", trace, "--shard", "0/2", "-o", dir.File("out"), "--seeds", "1", "--host-mb", "65536"), trace, trace);
        Assert.Equal(before, File.ReadAllBytes(trace));
    }

    /// <summary>
    /// replay --shard writes DIR/shard-I-of-N/hosts.csv, ...: a split whose shard trace is (through a symbolic link) that
    /// hosts.csv is refused, naming both, and the trace kept.
    /// </summary>
    [Fact]
    public void ReplayShard_IntoTheFolderHoldingItsShardTrace_IsRefused_AndKept()
    {
        if (OperatingSystem.IsWindows())
            return;
        using var dir = new TempDir();
        string trace = Trace(dir, "t.dmt", hosts: 4);
        string split = dir.File("split");
        Assert.Equal(0, CliTests.Run("split", trace, "--shards", "2", "-o", split).Exit);
        string shard = Path.Combine(split, "shard-0000-of-0002.dmt");
        string hostsCsv = dir.File("out/shard-0000-of-0002/hosts.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(hostsCsv)!);
        File.Move(shard, hostsCsv);
        File.CreateSymbolicLink(shard, hostsCsv);
        byte[] before = File.ReadAllBytes(hostsCsv);
        AssertRefused(CliTests.Run("replay", split, "--shard", "0/2", "-o", dir.File("out")), hostsCsv, shard);
        Assert.Equal(before, File.ReadAllBytes(hostsCsv));
    }
}

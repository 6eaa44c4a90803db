using DmKernel.Tests.Traces;
using DmKernel.Traces;

namespace DmKernel.Tests.Cli;

/// <summary>
/// A file-size limit (<c>ulimit -f</c>, as batch schedulers set): the CLI, a real process under the limit, ignores
/// SIGXFSZ, so a write past the limit fails with EFBIG, reported naming the file, with the run's temporary files and
/// staged outputs removed and earlier outputs as they were (before stop 50: the process was killed by SIGXFSZ, exit 153,
/// "File size limit exceeded", leaving FILE.tmp; once the signal was ignored, .NET's EFBIG came as an
/// ArgumentOutOfRangeException that split let escape as "Unhandled exception"). Unix only (rlimits, signals).
/// </summary>
public class FileSizeLimitTests
{
    /// <summary>
    /// Runs the CLI under a file-size limit of <paramref name="blocks"/> blocks (the shell's unit: 512 or 1024 bytes).
    /// The runtime's W^X double mapping is off in the child: it maps memory through a file that the limit would cap too.
    /// </summary>
    private static (int Exit, string Err) RunLimited(int blocks, params string[] args) =>
        CliShell.Run("ulimit -f \"$1\" && shift && exec dotnet \"$@\"", [blocks.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            new Dictionary<string, string> { ["DOTNET_EnableWriteXorExecute"] = "0" }, args);

    private const string TooLarge = "the file would grow past the largest file this process may write (a file-size limit: ulimit -f, or a batch scheduler's) or its file system holds";

    [Fact]
    public void Generate_PastTheLimit_FailsNamingTheFile_TheEarlierTraceKept_NoTemporaryLeft()
    {
        if (OperatingSystem.IsWindows())
            return;
        using var dir = new TempDir();
        string trace = dir.File("g.dmt");
        TraceGenerator.Generate(trace, new TraceGeneratorOptions { Vms = 10, Hosts = 1, Ticks = 5, Seed = 1, TickSeconds = 60 });
        byte[] earlier = File.ReadAllBytes(trace);

        var (exit, err) = RunLimited(4000, "generate", "--vms", "2000", "--hosts", "20", "--ticks", "3000", "-o", trace); // about 8 MB
        Assert.True(exit == 1, $"exit {exit}: {err}");
        Assert.Contains($"error: File too large : '{trace}.tmp': {TooLarge}", err, StringComparison.Ordinal);
        Assert.Equal(earlier, File.ReadAllBytes(trace));
        Assert.Equal(["g.dmt"], Directory.EnumerateFileSystemEntries(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void ReplayAndSplit_PastTheLimit_FailNamingTheOutput_WritingNothing()
    {
        if (OperatingSystem.IsWindows())
            return;
        using var dir = new TempDir();
        string trace = dir.File("t.dmt");
        TraceGenerator.Generate(trace, new TraceGeneratorOptions { Vms = 2000, Hosts = 1000, Ticks = 600, Seed = 2, TickSeconds = 60 });
        Assert.True(new FileInfo(trace).Length < 2_000_000, "the trace itself must fit the limit");

        // hosts.csv with a line per host and tick: 600 000 lines, far past the limit.
        string output = dir.File("out");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "summary.json"), "an earlier run's");
        var (exit, err) = RunLimited(4000, "replay", trace, "-o", output, "--host-series-every", "1");
        Assert.True(exit == 1, $"exit {exit}: {err}");
        Assert.Contains($"File too large : '{Path.Combine(output, "hosts.csv")}': {TooLarge}", err, StringComparison.Ordinal);
        Assert.Equal("an earlier run's", File.ReadAllText(Path.Combine(output, "summary.json")));
        Assert.Equal(["summary.json"], Directory.EnumerateFileSystemEntries(output).Select(Path.GetFileName)); // no staging folder

        // split: each shard of a big trace is past the limit (before: "Unhandled exception: System.ArgumentOutOfRangeException").
        string big = dir.File("big.dmt");
        TraceGenerator.Generate(big, new TraceGeneratorOptions { Vms = 4000, Hosts = 4, Ticks = 3000, Seed = 3, TickSeconds = 60 });
        (exit, err) = RunLimited(8000, "split", big, "--shards", "2", "-o", dir.File("split"));
        Assert.True(exit == 1, $"exit {exit}: {err}");
        Assert.Contains($"error: File too large : '{dir.File("split")}/shard-000", err, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.File("split")));
    }
}

using DmKernel.Cli;
using DmKernel.Cli.Output;
using DmKernel.Tests.Traces;
using DmKernel.Traces;

namespace DmKernel.Tests.Cli;

/// <summary>
/// Every output written under a temporary name and renamed into place is flushed to the disk before its rename, and its
/// folder after it (<see cref="DurableFile"/>; docs/outputs.md "Nothing lost"): else a power failure can keep the rename
/// without the bytes (an empty checkpoint, trace or report where the earlier one was), or a checkpoint's state without
/// its series checksums. A flush to the disk cannot be observed from a test, so these check the calls and their order
/// against the renames, with what is on the disk at each call.
/// </summary>
[Collection(nameof(CliTests))]
public class DurableOutputTests
{
    private static List<string> Observe(Action run, Action<string>? atEach = null)
    {
        var events = new List<string>();
        DurableFile.Observer.Value = e =>
        {
            lock (events)
                events.Add(e);
            atEach?.Invoke(e);
        };
        try
        {
            run();
        }
        finally
        {
            DurableFile.Observer.Value = null;
        }

        return events;
    }

    /// <summary>
    /// Each checkpoint: the per-host series it records flushed, then its checksums flushed, renamed and their folder
    /// flushed, then the state the same way (a state on the disk without its checksums' rename would be refused as
    /// damaged on resume). Then the replay's outputs, each flushed while still staged, and the output folder flushed
    /// once they are all in place.
    /// </summary>
    [Fact]
    public void Replay_Checkpoints_FlushEachFileBeforeItsRename_AndTheFolderAfter_ThenTheOutputs()
    {
        using var tmp = new TempDir();
        string trace = tmp.File("t.dmt");
        TraceGenerator.Generate(trace, new TraceGeneratorOptions { Vms = 120, Hosts = 3, Ticks = 45, Seed = 3, TickSeconds = 60 });
        string output = Path.GetFullPath(tmp.File("out"));
        string[] outputs = ["summary.json", "hosts.csv", "report.md"];
        var missingAtStagedFlush = new List<string>();
        var presentAtFolderFlush = new List<string>();
        List<string> events = Observe(() => Assert.Equal(0, CliApp.Run(["replay", trace, "-o", output, "--checkpoint-every", "10"])), e =>
        {
            if (e.StartsWith("file ", StringComparison.Ordinal) && e.Contains(".staging-", StringComparison.Ordinal))
                missingAtStagedFlush.Add(File.Exists(Path.Combine(output, Path.GetFileName(e))) ? "" : Path.GetFileName(e));
            if (e == "folder " + output)
                presentAtFolderFlush.AddRange(outputs.Where(o => File.Exists(Path.Combine(output, o))));
        });

        string ck = Path.Combine(output, ".checkpoint");
        string part = Path.Combine(ck, "hosts.csv.part"), sums = part + ".xxh64", state = Path.Combine(ck, "state.bin");
        string[] oneCheckpoint =
        [
            "file " + part,
            "file " + sums + ".tmp", $"rename {sums}.tmp {sums}", "folder " + ck,
            "file " + state + ".tmp", $"rename {state}.tmp {state}", "folder " + ck,
        ];
        string[] checkpoints = [.. Enumerable.Repeat(oneCheckpoint, 4).SelectMany(c => c)]; // at ticks 10, 20, 30 and 40 of 45
        Assert.Equal(checkpoints, events.Take(checkpoints.Length));

        List<string> commit = events.Skip(checkpoints.Length).ToList();
        Assert.Equal("folder " + output, commit[^1]);
        List<string> flushed = commit.SkipLast(1).ToList();
        Assert.All(flushed, e => Assert.Matches(@"^file .*[/\\]\.staging-[^/\\]+[/\\][^/\\]+$", e));
        Assert.Superset(outputs.ToHashSet(), flushed.Select(e => Path.GetFileName(e)!).ToHashSet());
        Assert.Equal(flushed.Select(e => Path.GetFileName(e)!), missingAtStagedFlush); // each flushed before its final name existed
        Assert.Equal(outputs, presentAtFolderFlush); // the folder flushed once they were all in place
    }

    /// <summary>A trace: flushed under its temporary name (the final name not there yet), renamed, its folder flushed.</summary>
    [Fact]
    public void TraceWriter_FlushesTheTraceBeforeItsRename_AndTheFolderAfter()
    {
        using var tmp = new TempDir();
        string path = Path.GetFullPath(tmp.File("g.dmt"));
        bool finalThereAtFlush = true, finalThereAtFolder = false;
        List<string> events = Observe(
            () => TraceGenerator.Generate(path, new TraceGeneratorOptions { Vms = 20, Hosts = 1, Ticks = 5, Seed = 1, TickSeconds = 60 }),
            e =>
            {
                if (e.StartsWith("file ", StringComparison.Ordinal))
                    finalThereAtFlush = File.Exists(path);
                if (e.StartsWith("folder ", StringComparison.Ordinal))
                    finalThereAtFolder = File.Exists(path) && !File.Exists(path + ".tmp");
            });
        Assert.Equal(["file " + path + ".tmp", $"rename {path}.tmp {path}", "folder " + Path.GetDirectoryName(path)], events);
        Assert.False(finalThereAtFlush);
        Assert.True(finalThereAtFolder);
        using NativeTraceReader reader = NativeTraceReader.Open(path);
        Assert.Equal(5, reader.Header.TickCount);
    }

    /// <summary>
    /// A commit flushes every staged file (a file in a subfolder too) before it moves any, then each folder that received
    /// one; an earlier output is replaced only after the new bytes are on the disk.
    /// </summary>
    [Fact]
    public void StagedOutput_Commit_FlushesEveryFileBeforeMovingAny_ThenEachFolder()
    {
        using var tmp = new TempDir();
        string dir = Path.GetFullPath(tmp.File("out"));
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "a.csv"), "earlier a");
        var earlierAtFlush = new List<string>();
        List<string> events;
        using (var staged = new StagedOutput(dir))
        {
            File.WriteAllText(staged.File("a.csv"), "new a");
            Directory.CreateDirectory(Path.Combine(staged.Staging, "sub"));
            File.WriteAllText(staged.File(Path.Combine("sub", "b.csv")), "new b");
            string staging = staged.Staging;
            events = Observe(staged.Commit, e =>
            {
                if (e.StartsWith("file ", StringComparison.Ordinal))
                    earlierAtFlush.Add(File.ReadAllText(Path.Combine(dir, "a.csv")) + (File.Exists(Path.Combine(dir, "sub", "b.csv")) ? "+b" : ""));
            });
            Assert.Equal(["file " + Path.Combine(staging, "a.csv"), "file " + Path.Combine(staging, "sub", "b.csv"), "folder " + dir, "folder " + Path.Combine(dir, "sub")], events);
        }

        Assert.Equal(["earlier a", "earlier a"], earlierAtFlush);
        Assert.Equal("new a", File.ReadAllText(Path.Combine(dir, "a.csv")));
        Assert.Equal("new b", File.ReadAllText(Path.Combine(dir, "sub", "b.csv")));
    }
}

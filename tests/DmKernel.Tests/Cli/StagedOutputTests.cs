using DmKernel.Cli.Commands;
using DmKernel.Cli.Output;
using DmKernel.Tests.Traces;

namespace DmKernel.Tests.Cli;

/// <summary>
/// <see cref="StagedOutput"/>'s promises (docs/outputs.md, docs/bad-input.md): a commit is all or nothing, also when a
/// move fails part-way after others were made (the new files are taken out again, the earlier ones put back); a
/// committed run leaves no staging folder and keeps its output folder; staging folders of dead runs are removed, those
/// of live ones kept.
/// </summary>
public class StagedOutputTests
{
    [Fact]
    public void Commit_FailingPartWay_TakesTheNewFilesOutAgain_AndPutsTheEarlierOnesBack()
    {
        using var tmp = new TempDir();
        string dir = tmp.File("out");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "a.csv"), "earlier a");
        File.WriteAllText(Path.Combine(dir, "sub"), "a file where the folder of the last output goes");

        using (var staged = new StagedOutput(dir))
        {
            File.WriteAllText(staged.File("a.csv"), "new a");
            File.WriteAllText(staged.File("b.csv"), "new b");
            string last = staged.File(Path.Combine("sub", "c.csv"));
            Directory.CreateDirectory(Path.GetDirectoryName(last)!);
            File.WriteAllText(last, "new c");

            // a.csv and b.csv are in place when sub/c.csv cannot be: its folder is a file.
            var e = Assert.Throws<CliError>(staged.Commit);
            Assert.Contains("were put back", e.Message, StringComparison.Ordinal);
        }

        Assert.Equal("earlier a", File.ReadAllText(Path.Combine(dir, "a.csv")));
        Assert.False(File.Exists(Path.Combine(dir, "b.csv")), "a new output of the failed commit was left");
        Assert.Equal("a file where the folder of the last output goes", File.ReadAllText(Path.Combine(dir, "sub")));
        Assert.Equal(["a.csv", "sub"], Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Commit_LeavesNoStagingFolder_AndTheFolderItCreated()
    {
        using var tmp = new TempDir();
        string dir = tmp.File(Path.Combine("new", "out"));
        using (var staged = new StagedOutput(dir))
        {
            File.WriteAllText(staged.File("a.csv"), "a");
            staged.Commit();
        }

        Assert.Equal(["a.csv"], Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName));

        // A job that wrote nothing still succeeded: the folder it was asked for stays.
        string empty = tmp.File(Path.Combine("new2", "out"));
        using (var staged = new StagedOutput(empty))
            staged.Commit();
        Assert.True(Directory.Exists(empty));
        Assert.Empty(Directory.EnumerateFileSystemEntries(empty));
    }

    [Fact]
    public void TheStagingFoldersOfDeadRuns_AreRemoved_ThoseOfLiveRunsKept()
    {
        using var tmp = new TempDir();
        string dir = tmp.File("out");
        // int.MaxValue is above any process id; this process is alive.
        string dead = Path.Combine(dir, $".staging-{int.MaxValue}-0123456789abcdef");
        string live = Path.Combine(dir, $".staging-{Environment.ProcessId}-0123456789abcdef");
        foreach (string d in (string[])[dead, live])
        {
            Directory.CreateDirectory(d);
            File.WriteAllText(Path.Combine(d, "summary.json"), "half-written");
        }

        using (var staged = new StagedOutput(dir))
        {
            Assert.False(Directory.Exists(dead), "a dead run's staging folder was left");
            Assert.True(Directory.Exists(live), "a live run's staging folder was removed");
        }

        Assert.True(Directory.Exists(live));
    }
}

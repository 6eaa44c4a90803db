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
    /// <summary>
    /// An output folder given as a symbolic link that leads nowhere (or into a loop of links) is named as such, nothing
    /// created (before stop 50: "output 'DIR' is a file, expected a folder", since .NET sees the link as a file); a link to
    /// a folder is written through, a link to a file is still "a file".
    /// </summary>
    [Fact]
    public void AnOutputFolderThatIsABrokenLink_IsNamedAsOne_ALinkToAFolderIsWrittenThrough()
    {
        if (OperatingSystem.IsWindows())
            return;
        using var tmp = new TempDir();
        string target = tmp.File(Path.Combine("nowhere", "deeper"));
        string broken = tmp.File("broken");
        File.CreateSymbolicLink(broken, target);
        var e = Assert.Throws<CliError>(() => new StagedOutput(broken));
        Assert.Equal((1, $"output '{broken}' is a symbolic link to '{target}', which does not exist: create that folder, or give another output folder."), (e.ExitCode, e.Message));
        string loop = tmp.File("loop");
        File.CreateSymbolicLink(loop, loop);
        Assert.Contains("is a symbolic link to", Assert.Throws<CliError>(() => new StagedOutput(loop)).Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(tmp.File("nowhere")));

        string folder = tmp.File("real");
        Directory.CreateDirectory(folder);
        string link = tmp.File("link");
        Directory.CreateSymbolicLink(link, folder);
        using (var staged = new StagedOutput(link))
        {
            File.WriteAllText(staged.File("a.csv"), "a");
            staged.Commit();
        }

        Assert.Equal("a", File.ReadAllText(Path.Combine(folder, "a.csv")));
        File.WriteAllText(tmp.File("file"), "x");
        File.CreateSymbolicLink(tmp.File("filelink"), tmp.File("file"));
        Assert.EndsWith("is a file, expected a folder.", Assert.Throws<CliError>(() => new StagedOutput(tmp.File("filelink"))).Message, StringComparison.Ordinal);
    }

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

/// <summary>
/// Two runs committing into one output folder at once commit one after the other (a lock file held while a commit
/// renames, <see cref="StagedOutput.CommitLockName"/>), so the folder holds one run's outputs, never a mix (before stop
/// 50: no lock; each commit all or nothing on its own, two could interleave their renames).
/// </summary>
public class StagedOutputCommitLockTests
{
    private static FileStream HoldLock(string dir) =>
        new(Path.Combine(dir, StagedOutput.CommitLockName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

    [Fact]
    public void Commit_WaitsWhileAnotherRunCommitsIntoTheFolder_ThenCommits_AndRemovesTheLockFile()
    {
        using var tmp = new TempDir();
        string dir = tmp.File("out");
        using var staged = new StagedOutput(dir);
        File.WriteAllText(staged.File("a.csv"), "new a");
        Exception? failed = null;
        var commit = new Thread(() =>
        {
            try
            {
                staged.Commit();
            }
            catch (Exception ex)
            {
                failed = ex;
            }
        });
        using var waiting = new ManualResetEventSlim();
        staged.WaitingForLock = waiting;
        using (HoldLock(dir))
        {
            commit.Start();
            // The commit has met the held lock and waits (not merely "not done within 500 ms", which a slow start passed).
            Assert.True(waiting.Wait(TimeSpan.FromSeconds(60)), $"the commit never waited for the folder's lock ({failed?.Message ?? "committed"})");
            Assert.True(commit.IsAlive);
            Assert.False(File.Exists(Path.Combine(dir, "a.csv")));
        }

        Assert.True(commit.Join(TimeSpan.FromSeconds(60)));
        Assert.Null(failed);
        Assert.Equal("new a", File.ReadAllText(Path.Combine(dir, "a.csv")));
        Assert.Equal(["a.csv"], Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName)); // the lock file deleted, no staging folder
    }

    [Fact]
    public void Commit_WhenTheLockIsHeldPastTheWait_FailsNamingTheLock_ReplacingNothing()
    {
        using var tmp = new TempDir();
        string dir = tmp.File("out");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "a.csv"), "earlier a");
        using var staged = new StagedOutput(dir) { CommitLockWait = TimeSpan.FromMilliseconds(200) };
        File.WriteAllText(staged.File("a.csv"), "new a");
        using (HoldLock(dir))
        {
            var e = Assert.Throws<CliError>(staged.Commit);
            Assert.Equal(1, e.ExitCode);
            Assert.Equal($"cannot write to the output folder '{dir}': another run has been writing its outputs into it for over 0.2 s " +
                $"(it holds '{Path.Combine(dir, StagedOutput.CommitLockName)}'; delete that file if no other run is writing there) (nothing was replaced; this run's outputs are lost: run it again).", e.Message);
        }

        Assert.Equal("earlier a", File.ReadAllText(Path.Combine(dir, "a.csv")));
    }

    /// <summary>Many runs' commits into one folder at once, each of several files: every file ends from one run.</summary>
    [Fact]
    public void ConcurrentCommits_LeaveEveryFileFromOneRun()
    {
        using var tmp = new TempDir();
        string dir = tmp.File("out");
        Directory.CreateDirectory(dir);
        string[] names = [.. Enumerable.Range(0, 12).Select(i => $"f{i}.csv")];
        for (int round = 0; round < 40; round++)
        {
            var runs = Enumerable.Range(0, 4).Select(r =>
            {
                var s = new StagedOutput(dir);
                foreach (string n in names)
                    File.WriteAllText(s.File(n), $"run {round}.{r}");
                return s;
            }).ToList();
            using var start = new Barrier(runs.Count);
            Parallel.ForEach(runs, new ParallelOptions { MaxDegreeOfParallelism = runs.Count }, s =>
            {
                start.SignalAndWait();
                s.Commit();
                s.Dispose();
            });
            var contents = names.Select(n => File.ReadAllText(Path.Combine(dir, n))).Distinct().ToList();
            Assert.True(contents.Count == 1, $"round {round}: the folder mixes runs: {string.Join(", ", contents)}");
        }
    }

    /// <summary>
    /// The commit lock counts only while its file is still the one at the lock's name (a run that locked the file just as
    /// the run before deleted it must try again, or two runs would both hold a lock): a stream on the file at the name is
    /// still named; one whose file was deleted, or is no longer the file at the name, is not. (CommitLock.StillNamedBy,
    /// called by reflection: the race it closes cannot be timed from outside.)
    /// </summary>
    [Fact]
    public void CommitLock_StillNamedBy_OnlyTheFileNowAtTheName()
    {
        if (OperatingSystem.IsWindows())
            return; // the share mode is the lock there
        var stillNamedBy = typeof(StagedOutput).GetNestedType("CommitLock", System.Reflection.BindingFlags.NonPublic)!
            .GetMethod("StillNamedBy", System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)!;
        bool StillNamed(FileStream stream, string path) => (bool)stillNamedBy.Invoke(null, [stream, path])!;
        using var tmp = new TempDir();
        string path = tmp.File(StagedOutput.CommitLockName);
        using var held = HoldLock(tmp.Path);
        Assert.True(StillNamed(held, path));
        File.Delete(path); // as the run before does when done
        Assert.False(StillNamed(held, path));
        using var next = HoldLock(tmp.Path); // a new file at the name
        Assert.False(StillNamed(held, path));
        Assert.True(StillNamed(next, path));
    }
}

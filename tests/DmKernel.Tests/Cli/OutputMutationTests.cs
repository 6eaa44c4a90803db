using System.Net.Sockets;
using DmKernel.Cli.Output;
using DmKernel.Tests.Traces;
using DmKernel.Traces;

namespace DmKernel.Tests.Cli;

/// <summary>
/// The "nothing lost on failure, never a half-written output" pieces on their own: <see cref="StagedOutput"/>,
/// <see cref="WriteBehindStream"/> and <see cref="OutputFile"/> (written for the survivors of a mutation round over them).
/// </summary>
public class OutputMutationTests
{
    /// <summary>
    /// A name asked for (<see cref="StagedOutput.File"/>) but not written in this run is not an output of it: the commit
    /// moves the files that were written and does not fail on the missing one.
    /// </summary>
    [Fact]
    public void Commit_OfANameAskedForButNotWritten_MovesTheOthers()
    {
        using var tmp = new TempDir();
        string dir = tmp.File("out");
        using (var staged = new StagedOutput(dir))
        {
            File.WriteAllText(staged.File("a.csv"), "new a");
            _ = staged.File("b.csv");
            staged.Commit();
        }

        Assert.Equal(["a.csv"], Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName));
        Assert.Equal("new a", File.ReadAllText(Path.Combine(dir, "a.csv")));
    }

    /// <summary>
    /// Only folders named as a run's staging folder (<c>.staging-PID-GUID</c>) of a dead process are removed: a folder
    /// <c>.staging-PID</c> without the rest of the name is not one, and stays with what it holds.
    /// </summary>
    [Fact]
    public void AFolderNamedLikeStagingWithoutItsGuid_IsKept()
    {
        using var tmp = new TempDir();
        string dir = tmp.File("out");
        string notOurs = Path.Combine(dir, $".staging-{int.MaxValue}"); // int.MaxValue is above any process id
        Directory.CreateDirectory(notOurs);
        File.WriteAllText(Path.Combine(notOurs, "keep.txt"), "mine");
        using (var staged = new StagedOutput(dir))
            staged.Commit();
        Assert.Equal("mine", File.ReadAllText(Path.Combine(notOurs, "keep.txt")));
    }

    /// <summary>
    /// Staging folders are judged by machine and process start, not by process id alone (stop 54): a folder of this
    /// machine whose id now belongs to another process (a container's tool runs as PID 1 every time, so a killed run's
    /// folder was kept for ever) is removed, and the live run's own kept; a folder of another machine (shared storage,
    /// where an id means nothing here and a live run there lost its folder) is kept until nothing in it was written for a
    /// day. Each kind holds a file, to show what stays.
    /// </summary>
    [Fact]
    public void StagingFolders_AreJudgedByMachineAndProcessStart()
    {
        using var tmp = new TempDir();
        string dir = tmp.File("out");
        Directory.CreateDirectory(dir);
        string Folder(int pid, uint machine, long start)
        {
            string f = Path.Combine(dir, string.Create(System.Globalization.CultureInfo.InvariantCulture, $".staging-{pid}-{machine:x8}-{start:x16}-{Guid.NewGuid():N}"));
            Directory.CreateDirectory(f);
            File.WriteAllText(Path.Combine(f, "hosts.csv"), "x");
            return f;
        }

        int me = Environment.ProcessId;
        string reused = Folder(me, StagedOutput.MachineTag, StagedOutput.OwnStartTicks - (10 * TimeSpan.TicksPerMinute)); // this id, an earlier process
        string live = Folder(me, StagedOutput.MachineTag, StagedOutput.OwnStartTicks);
        string otherFresh = Folder(int.MaxValue - 1, StagedOutput.MachineTag ^ 1, 0);
        string otherStale = Folder(int.MaxValue - 1, StagedOutput.MachineTag ^ 1, 0);
        DateTime old = DateTime.UtcNow - StagedOutput.OtherMachineTimeout - TimeSpan.FromHours(1);
        File.SetLastWriteTimeUtc(Path.Combine(otherStale, "hosts.csv"), old);
        Directory.SetLastWriteTimeUtc(otherStale, old);

        using (var staged = new StagedOutput(dir))
            staged.Commit();
        Assert.False(Directory.Exists(reused));
        Assert.True(File.Exists(Path.Combine(live, "hosts.csv")));
        Assert.True(File.Exists(Path.Combine(otherFresh, "hosts.csv")));
        Assert.False(Directory.Exists(otherStale));
    }

    /// <summary>
    /// A write after <see cref="WriteBehindStream.Dispose(bool)"/> is refused (ObjectDisposedException), even one that
    /// would fit in the current block and so never reach the writing thread: nothing is lost without a word. The stream
    /// says it can no longer be written.
    /// </summary>
    [Fact]
    public void WriteBehindStream_AfterDispose_RefusesWrites_AndCannotWrite()
    {
        using var dir = new TempDir();
        var stream = new WriteBehindStream(new FileStream(dir.File("out.bin"), FileMode.Create, FileAccess.Write));
        Assert.True(stream.CanWrite);
        stream.Write(new byte[10]);
        stream.Dispose();
        Assert.False(stream.CanWrite);
        Assert.Throws<ObjectDisposedException>(() => stream.Write(new byte[10]));
        Assert.Throws<ObjectDisposedException>(() => stream.WriteByte(1));
        Assert.Equal(10, new FileInfo(dir.File("out.bin")).Length);
    }

    /// <summary>
    /// A block device and a character device are named as such (a left-out of the output round: no portable way to make a
    /// block device). Linux machines and containers have character devices in /dev; block devices (/dev/loop0, /dev/sda,
    /// ...) where the machine gives the container any: <c>stat</c> says which paths are, and each is checked (lstat needs no
    /// permission on the device itself). A machine without one checks the character devices only.
    /// </summary>
    [Fact]
    public void Describe_NamesBlockAndCharacterDevices_AsStatSaysTheyAre()
    {
        if (!OperatingSystem.IsLinux())
            return;
        string[] candidates = ["/dev/null", "/dev/zero", "/dev/loop0", "/dev/sda", "/dev/vda", "/dev/xvda", "/dev/nvme0n1"];
        var present = candidates.Where(File.Exists).ToArray();
        var start = new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%F", .. present]) { RedirectStandardOutput = true, UseShellExecute = false };
        start.Environment["LC_ALL"] = "C"; // stat's words in English whatever the runner's locale (CI's second run is sv-SE)
        using var stat = System.Diagnostics.Process.Start(start)!;
        string[] kinds = stat.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        stat.WaitForExit();
        Assert.Equal(present.Length, kinds.Length);
        Assert.Contains("character special file", kinds);
        for (int i = 0; i < present.Length; i++)
        {
            string expected = kinds[i] switch
            {
                "block special file" => "a block device",
                "character special file" => "a character device",
                _ => throw new InvalidOperationException($"{present[i]}: {kinds[i]}"),
            };
            Assert.Equal(expected, OutputFile.Describe(present[i]));
        }
    }

    /// <summary>
    /// <see cref="OutputFile.Describe"/> reports what an existing path is when it is not a regular file; a folder is left
    /// to the callers' own message (null), and so is a regular file or a path that does not exist. A socket is named.
    /// </summary>
    [Fact]
    public void Describe_NamesASocket_AndLeavesFoldersAndRegularFilesToTheCaller()
    {
        using var tmp = new TempDir();
        Assert.Null(OutputFile.Describe(tmp.Path));
        OutputFile.EnsureReplaceable(tmp.Path); // a folder: not refused here (the callers say "is a folder")
        Assert.Null(OutputFile.Describe(tmp.Write("f.dmt", "x")));
        Assert.Null(OutputFile.Describe(tmp.File("none.dmt")));
        if (OperatingSystem.IsWindows())
            return;

        // A socket's path is at most 107 bytes (sun_path), which a long TMPDIR under a CI runner's work folder exceeds
        // (this test failed there with the socket under the temporary folder): it is made in a short folder of /tmp.
        string folder = Path.Combine("/tmp", "dmk-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        try
        {
            string path = Path.Combine(folder, "s.sock");
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Bind(new UnixDomainSocketEndPoint(path));
            Assert.Equal("a socket", OutputFile.Describe(path));
            var e = Assert.Throws<IOException>(() => OutputFile.EnsureReplaceable(path));
            Assert.Contains($"'{path}' exists and is a socket, not a regular file", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// On Unix names compare exactly (OutputFile.EnsureNotAnInput): on a case-sensitive volume an output whose name differs
    /// from an input's only in case is another file and is not refused; the same name is. On Windows, or where the volume
    /// finds the input under the other case, it is the same file and is refused.
    /// </summary>
    [Fact]
    public void EnsureNotAnInput_ComparesNamesByCase_OnUnix()
    {
        using var tmp = new TempDir();
        string input = tmp.Write("usage.csv", "x");
        Assert.Throws<IOException>(() => OutputFile.EnsureNotAnInput(input, [input]));
        string other = tmp.File("USAGE.csv");
        if (OperatingSystem.IsWindows() || File.Exists(other)) // a case-insensitive volume: the same file
            Assert.Throws<IOException>(() => OutputFile.EnsureNotAnInput(other, [input]));
        else
            OutputFile.EnsureNotAnInput(other, [input]);
    }
}

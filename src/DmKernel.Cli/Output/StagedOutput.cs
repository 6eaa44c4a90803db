using System.Diagnostics;
using System.Globalization;
using System.IO.Hashing;
using System.Text;
using DmKernel.Cli.Commands;
using DmKernel.Traces;

namespace DmKernel.Cli.Output;

/// <summary>
/// Writes a command's outputs into a hidden staging folder inside the output directory and moves each file to its
/// final name only when the whole job succeeded: a failed or interrupted run never leaves a half-written file
/// under a final name, and earlier outputs stay as they were until they are replaced by complete ones.
/// </summary>
internal sealed class StagedOutput : IDisposable
{
    private readonly List<string> _files = [];

    // The output folder and the parents this run created for it, deepest first: removed again (when still empty) if the
    // run fails, so a failed run leaves no trace on disk.
    private readonly List<string> _created = [];
    private bool _committed;

    /// <summary>
    /// Creates <paramref name="directory"/> if needed and a staging folder inside it. A path that is a file, or a folder
    /// that cannot be written, is a <see cref="CliError"/> (exit code 1) naming the folder, before anything is written.
    /// </summary>
    public StagedOutput(string directory)
    {
        Directory = Path.GetFullPath(directory);
        if (DanglingLink(Directory) is string target)
            throw new CliError($"output '{directory}' is a symbolic link to '{target}', which does not exist: create that folder, or give another output folder.", 1);
        if (System.IO.File.Exists(Directory))
            throw new CliError($"output '{directory}' is a file, expected a folder.", 1);
        if (Commands.Cli.FileInTheWay(Directory) is string blocker)
            throw new CliError($"'{blocker}' is a file, expected a folder (on the way to the output folder '{directory}').", 1);
        Staging = Path.Combine(Directory, string.Create(CultureInfo.InvariantCulture, $".staging-{Environment.ProcessId}-{MachineTag:x8}-{OwnStartTicks:x16}-{Guid.NewGuid():N}"));
        for (string? d = Directory; !string.IsNullOrEmpty(d) && !System.IO.Directory.Exists(d); d = Path.GetDirectoryName(d))
            _created.Add(d);
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            RemoveAbandoned(Directory);
            System.IO.Directory.CreateDirectory(Staging);
        }
        catch (UnauthorizedAccessException)
        {
            RemoveCreated();
            throw new CliError($"cannot write to the output folder '{Directory}': permission denied (nothing was written).", 1);
        }
        catch (IOException ex)
        {
            RemoveCreated();
            throw new CliError($"cannot write to the output folder '{Directory}': {ex.Message} (nothing was written).", 1);
        }
    }

    public string Directory { get; }

    /// <summary>The target of <paramref name="path"/> when it is a symbolic link that leads nowhere (or to a loop of links); else null.</summary>
    private static string? DanglingLink(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not string target)
            return null;
        try
        {
            return info.ResolveLinkTarget(returnFinalTarget: true) is { } final && Path.Exists(final.FullName) ? null : target;
        }
        catch (IOException)
        {
            return target; // a loop of links
        }
    }

    /// <summary>
    /// Refuses (a <see cref="CliError"/>, exit 1) a run that would write one of <paramref name="names"/> in
    /// <paramref name="directory"/> over its own <paramref name="input"/>: the same path, or the same file by another path
    /// (a link, or a folder reached through a symbolic link; <c>OutputFile.Identity</c>, as the importers compare). The
    /// commit would rename the output over the file the run read, losing it (a trace named <c>hosts.csv</c> replayed into
    /// its own folder; a shard split again into its split's folder; <c>generate --from T -o T</c>). Called before the run,
    /// so that no time is spent on a run that cannot be written.
    /// </summary>
    public static void EnsureNotOverInput(string directory, IEnumerable<string> names, string input)
    {
        var comparison = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        string full = Path.GetFullPath(input);
        byte[]? id = null;
        foreach (string name in names)
        {
            string target = Path.GetFullPath(Path.Combine(directory, name));
            bool same = string.Equals(target, full, comparison)
                || (System.IO.File.Exists(target) && (id ??= DmKernel.Traces.OutputFile.Identity(full) ?? []).Length > 0
                    && DmKernel.Traces.OutputFile.Identity(target) is byte[] other && other.AsSpan().SequenceEqual(id));
            if (same)
            {
                throw new CliError($"the output '{target}' is this run's input '{input}' (the same file): writing it would replace the file " +
                    "the run reads. Give another -o, or move the input elsewhere (nothing was written).", 1);
            }
        }
    }

    public string Staging { get; }

    /// <summary>The staging path of an output file; it becomes <c>Directory/name</c> on <see cref="Commit"/>.</summary>
    public string File(string name)
    {
        _files.Add(name);
        return Path.Combine(Staging, name);
    }

    /// <summary>
    /// An output this command writes only in some runs (compare's policies.png) that this run does not write: an earlier
    /// run's copy is removed on <see cref="Commit"/>, so the folder never mixes outputs of two runs.
    /// </summary>
    public void NotWritten(string name) => _absent.Add(name);

    private readonly List<string> _absent = [];

    /// <summary>
    /// Moves every staged file to its final name, and removes earlier copies of the outputs this run did not write. All
    /// or nothing: the earlier outputs are first moved aside into the staging folder, and if any move fails (a folder
    /// where a file goes, a file that cannot be replaced) the new files are taken out again and the earlier ones put
    /// back, and the failure is a <see cref="CliError"/> naming the file; the folder then holds the earlier run's outputs.
    /// </summary>
    public void Commit()
    {
        using CommitLock commitLock = LockCommits();
        var staged = _files.Distinct().Where(name => System.IO.File.Exists(Path.Combine(Staging, name))).ToList();
        foreach (string name in staged)
        {
            if (System.IO.Directory.Exists(Path.Combine(Directory, name)))
                throw new CliError($"cannot write '{Path.Combine(Directory, name)}': a folder of that name is in the way (nothing was replaced).", 1);
        }

        // Each new file's bytes on the disk before any rename: else a power failure after the commit can leave a final name
        // with an empty or partial file and the earlier one gone (a crash of the process alone loses nothing). A write the
        // system could not complete (a full disk it found only when writing its cache) is reported here, nothing replaced.
        foreach (string name in staged)
        {
            try
            {
                DurableFile.Flush(Path.Combine(Staging, name));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new CliError($"cannot write '{Path.Combine(Directory, name)}': {ex.Message} (nothing was replaced).", 1);
            }
        }

        string aside = Path.Combine(Staging, ".previous");
        var movedAside = new List<string>();   // earlier outputs now under aside
        var placed = new List<string>();       // new outputs now under their final names
        string current = "";
        try
        {
            foreach (string name in staged.Concat(_absent.Where(n => !_files.Contains(n))))
            {
                current = Path.Combine(Directory, name);
                if (System.IO.File.Exists(current))
                {
                    string to = Path.Combine(aside, name);
                    System.IO.Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                    System.IO.File.Move(current, to);
                    movedAside.Add(name);
                }
            }

            foreach (string name in staged)
            {
                current = Path.Combine(Directory, name);
                System.IO.Directory.CreateDirectory(Path.GetDirectoryName(current)!);
                System.IO.File.Move(Path.Combine(Staging, name), current);
                placed.Add(name);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            foreach (string name in placed)
                TryMove(Path.Combine(Directory, name), Path.Combine(Staging, name));
            foreach (string name in movedAside)
                TryMove(Path.Combine(aside, name), Path.Combine(Directory, name));
            throw new CliError($"cannot write '{current}': {ex.Message} (the earlier outputs in '{Directory}' were put back).", 1);
        }

        _committed = true;
        foreach (string folder in placed.Select(name => Path.GetDirectoryName(Path.Combine(Directory, name))!).Prepend(Directory).Distinct())
            DurableFile.FlushFolder(folder); // the renames on the disk before the command reports success
        System.IO.Directory.Delete(Staging, recursive: true);
    }

    /// <summary>
    /// The file whose exclusive lock a run holds while it commits into the folder (and deletes when done): two runs
    /// writing one output folder at once commit one after the other, so the folder holds one run's outputs, never a mix
    /// (summary.json of one, hosts.csv of the other). A run killed mid-commit leaves the file; its lock ends with the process.
    /// </summary>
    internal const string CommitLockName = ".commit.lock";

    /// <summary>How long a commit waits for another run's commit into the same folder (a commit is a few renames).</summary>
    internal TimeSpan CommitLockWait { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Tests only: set when a commit has found the folder's lock held by another run and waits for it.</summary>
    internal ManualResetEventSlim? WaitingForLock { get; set; }

    private CommitLock LockCommits()
    {
        string path = Path.Combine(Directory, CommitLockName);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1,
                    OperatingSystem.IsWindows() ? FileOptions.DeleteOnClose : FileOptions.None);
                if (CommitLock.StillNamedBy(stream, path))
                    return new CommitLock(stream, path);
                stream.Dispose(); // locked a file that the run before deleted when done: take the one now at the name
            }
            catch (IOException ex) when (IsLockedByAnother(ex) && clock.Elapsed < CommitLockWait)
            {
                WaitingForLock?.Set();
                Thread.Sleep(10); // another run is committing into this folder
            }
            catch (IOException ex)
            {
                string why = IsLockedByAnother(ex)
                    ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"another run has been writing its outputs into it for over {CommitLockWait.TotalSeconds:0.###} s (it holds '{path}'; delete that file if no other run is writing there)")
                    : ex.Message;
                throw new CliError($"cannot write to the output folder '{Directory}': {why} (nothing was replaced; this run's outputs are lost: run it again).", 1);
            }
        }
    }

    /// <summary>
    /// Whether .NET's IOException says that another handle holds the file: its HResult is ERROR_SHARING_VIOLATION on
    /// Windows, and on Unix flock's errno, EWOULDBLOCK (11 on Linux, 35 on macOS and the BSDs).
    /// </summary>
    internal static bool IsLockedByAnother(IOException ex) => ex.HResult == (OperatingSystem.IsWindows() ? unchecked((int)0x80070020)
        : OperatingSystem.IsLinux() ? 11 : 35);

    /// <summary>
    /// A held commit lock. On Unix the lock is <c>flock</c> on the file's inode (.NET's <c>FileShare.None</c>): it is
    /// released by deleting the name while still locked, then closing; a run that locked the file just before it was
    /// deleted finds the name gone or naming another file (<see cref="StillNamedBy"/>) and tries again, so two runs never
    /// both hold it. On Windows the share mode is the lock and the file is deleted when closed.
    /// </summary>
    private sealed class CommitLock(FileStream stream, string path) : IDisposable
    {
        public static bool StillNamedBy(FileStream stream, string path)
        {
            if (OperatingSystem.IsWindows())
                return true;
            byte[] held = new byte[256], named = new byte[256];
            try
            {
                if (FStat(stream.SafeFileHandle, held) != 0 || DmKernel.Traces.OutputFile.Stat(path, named) != 0)
                    return false;
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
            {
                return true; // no shim: the lock alone
            }

            return held.AsSpan(88, 32).SequenceEqual(named.AsSpan(88, 32)); // FileStatus's Dev and Ino (as OutputFile.Identity)
        }

        public void Dispose()
        {
            try
            {
                if (!OperatingSystem.IsWindows())
                    System.IO.File.Delete(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The outputs are in place; a lock file left behind is taken and deleted by the next commit.
            }
            finally
            {
                stream.Dispose();
            }
        }

        [System.Runtime.InteropServices.DllImport("libSystem.Native", EntryPoint = "SystemNative_FStat")]
        private static extern int FStat(Microsoft.Win32.SafeHandles.SafeFileHandle fd, [System.Runtime.InteropServices.Out] byte[] output);
    }

    private static void TryMove(string from, string to)
    {
        try
        {
            System.IO.File.Move(from, to, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"warning: could not move '{from}' back to '{to}': {ex.Message}");
        }
    }

    /// <summary>This machine, as staging folder names record it: XxHash32 of its name (a pod's name in Kubernetes).</summary>
    internal static readonly uint MachineTag = XxHash32.HashToUInt32(Encoding.UTF8.GetBytes(Environment.MachineName));

    /// <summary>This process's start time (UTC ticks), which tells it apart from a later process given the same id.</summary>
    internal static readonly long OwnStartTicks = StartTicks(Environment.ProcessId) ?? 0;

    /// <summary>How long a staging folder of another machine may go unwritten before it counts as abandoned.</summary>
    internal static readonly TimeSpan OtherMachineTimeout = TimeSpan.FromHours(24);

    private static long? StartTicks(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return p.HasExited ? null : p.StartTime.ToUniversalTime().Ticks;
        }
        catch (ArgumentException)
        {
            return null; // no such process
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return long.MinValue; // alive, its start unreadable (another user's): taken as the folder's own
        }
    }

    /// <summary>
    /// Deletes staging folders left by runs that were killed: <c>.staging-PID-MACHINE-START-GUID</c> of this machine whose
    /// process no longer exists, or is another one given the same id (a container's tool runs as PID 1 every time: a
    /// folder left by a killed run was kept for ever); one of another machine (shared storage: its process id means
    /// nothing here, and a live run there lost its folder) only when nothing in it was written for
    /// <see cref="OtherMachineTimeout"/>. Older names (<c>.staging-PID-GUID</c>) are judged by the process id alone.
    /// </summary>
    private static void RemoveAbandoned(string directory)
    {
        var ic = CultureInfo.InvariantCulture;
        foreach (string dir in System.IO.Directory.EnumerateDirectories(directory, ".staging-*"))
        {
            string[] parts = Path.GetFileName(dir).Split('-');
            if (parts.Length is not (3 or 5) || !int.TryParse(parts[1], NumberStyles.None, ic, out int pid))
                continue;
            bool alive;
            if (parts.Length == 3)
            {
                alive = StartTicks(pid) is not null;
            }
            else if (!uint.TryParse(parts[2], NumberStyles.AllowHexSpecifier, ic, out uint machine) || !long.TryParse(parts[3], NumberStyles.AllowHexSpecifier, ic, out long start))
            {
                continue;
            }
            else if (machine != MachineTag)
            {
                alive = DateTime.UtcNow - LastWrite(dir) < OtherMachineTimeout;
            }
            else
            {
                long? now = StartTicks(pid);
                alive = now == long.MinValue || (now is long t && Math.Abs(t - start) < TimeSpan.TicksPerSecond);
            }

            if (!alive)
                System.IO.Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The latest write to <paramref name="dir"/> or anything in it (now where it cannot be read: kept).</summary>
    private static DateTime LastWrite(string dir)
    {
        try
        {
            DateTime last = System.IO.Directory.GetLastWriteTimeUtc(dir);
            foreach (string e in System.IO.Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories))
            {
                DateTime t = System.IO.File.GetLastWriteTimeUtc(e);
                if (t > last)
                    last = t;
            }

            return last;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return DateTime.UtcNow;
        }
    }

    /// <summary>Without <see cref="Commit"/>, discards everything staged, and the folders this run created if they are empty.</summary>
    public void Dispose()
    {
        if (_committed)
            return;
        try
        {
            if (System.IO.Directory.Exists(Staging))
                System.IO.Directory.Delete(Staging, recursive: true);
        }
        finally
        {
            RemoveCreated();
        }
    }

    /// <summary>Removes the folders the constructor created, deepest first, where they are empty (best effort).</summary>
    private void RemoveCreated()
    {
        foreach (string dir in _created)
        {
            try
            {
                if (System.IO.Directory.Exists(dir) && !System.IO.Directory.EnumerateFileSystemEntries(dir).Any())
                    System.IO.Directory.Delete(dir);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return; // a parent of a folder that stays is not empty either
            }
        }
    }
}

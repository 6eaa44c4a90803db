using DmKernel.Cli.Commands;

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
        if (System.IO.File.Exists(Directory))
            throw new CliError($"output '{directory}' is a file, expected a folder.", 1);
        if (Commands.Cli.FileInTheWay(Directory) is string blocker)
            throw new CliError($"'{blocker}' is a file, expected a folder (on the way to the output folder '{directory}').", 1);
        Staging = Path.Combine(Directory, $".staging-{Environment.ProcessId}-{Guid.NewGuid():N}");
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

    /// <summary>
    /// Refuses (a <see cref="CliError"/>, exit 1) a run that would write one of <paramref name="names"/> in
    /// <paramref name="directory"/> over its own <paramref name="input"/>: the same path, or the same file by another path
    /// (a link, or a folder reached through a symbolic link; <c>OutputFile.Identity</c>, as the importers compare). The
    /// commit would rename the output over the file the run read, losing it (a trace named <c>hosts.csv</c> replayed into
    /// its own folder; a shard split again into its split's folder; <c>generate --from T -o T</c>). Called before the run,
    /// so that no time is spent on a run that cannot be written.
    /// </summary>
    public static void EnsureNotOverInput(string directory, IEnumerable<string> names, string input, string option = "-o")
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
                    $"the run reads. Give another {option}, or move the input elsewhere (nothing was written).", 1);
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
        var staged = _files.Distinct().Where(name => System.IO.File.Exists(Path.Combine(Staging, name))).ToList();
        foreach (string name in staged)
        {
            if (System.IO.Directory.Exists(Path.Combine(Directory, name)))
                throw new CliError($"cannot write '{Path.Combine(Directory, name)}': a folder of that name is in the way (nothing was replaced).", 1);
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
        System.IO.Directory.Delete(Staging, recursive: true);
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

    /// <summary>Deletes staging folders left by runs that were killed (their process no longer exists).</summary>
    private static void RemoveAbandoned(string directory)
    {
        foreach (string dir in System.IO.Directory.EnumerateDirectories(directory, ".staging-*"))
        {
            string[] parts = Path.GetFileName(dir).Split('-');
            if (parts.Length < 3 || !int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int pid))
                continue;
            bool alive;
            try
            {
                using var p = System.Diagnostics.Process.GetProcessById(pid);
                alive = !p.HasExited;
            }
            catch (ArgumentException)
            {
                alive = false;
            }

            if (!alive)
                System.IO.Directory.Delete(dir, recursive: true);
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

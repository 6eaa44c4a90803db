using System.Globalization;
using DmKernel.Cli.Output;
using DmKernel.Traces;

namespace DmKernel.Cli.Commands;

/// <summary>Turns known failures into one clear line on stderr and an exit code; nothing else escapes as a stack trace.</summary>
internal static partial class Cli
{
    public static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (CliError ex)
        {
            Console.Error.WriteLine($"error: {OneLine(ex.Message)}");
            return ex.ExitCode;
        }
        catch (UnauthorizedAccessException ex)
        {
            // A file or folder the run must write (or read) that the user may not: one line naming it, never a stack trace.
            Console.Error.WriteLine($"error: permission denied: {OneLine(ex.Message)}");
            return 1;
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine($"error: {OneLine(WithoutStagingFolder(ex.Message))}");
            return 1;
        }
        catch (ArgumentOutOfRangeException ex) when (FileTooLarge.Is(ex))
        {
            // EFBIG from a write the commands do not name (a report, a checkpoint): the staged outputs were discarded on the way here.
            Console.Error.WriteLine(FileTooLargeMessage);
            return 1;
        }
        catch (OutOfMemoryException)
        {
            // A trace too large for the machine or a container: say so and what to do, not the runtime's stack trace.
            // The staged outputs were discarded on the way here, as for any failure.
            Console.Error.WriteLine(OutOfMemoryMessage);
            return 1;
        }
    }

    /// <summary>
    /// A message naming a file in a run's staging folder (<c>DIR/.staging-PID-MACHINE-START-GUID/hosts.csv</c>, a hidden folder that is
    /// gone when the error is printed) names the output's own path instead (<c>DIR/hosts.csv</c>).
    /// </summary>
    internal static string WithoutStagingFolder(string message) => StagingFolder().Replace(message, "");

    [System.Text.RegularExpressions.GeneratedRegex(@"[/\\]\.staging-[0-9]+-(?:[0-9a-f]{8}-[0-9a-f]{16}-)?[0-9a-f]{32}(?=[/\\])")]
    private static partial System.Text.RegularExpressions.Regex StagingFolder();

    /// <summary>What the tool says when a write failed with EFBIG where the file is not known (<see cref="FileTooLarge"/>).</summary>
    internal const string FileTooLargeMessage = "error: File too large: a file this run writes would grow past the largest file this process may "
        + "write (a file-size limit: ulimit -f, or a batch scheduler's) or its file system holds; no output was replaced.";

    /// <summary>What the tool says when the run ran out of memory.</summary>
    internal const string OutOfMemoryMessage = "error: out of memory: the run needs more memory than this process may use (the machine's, "
        + "a container's or DOTNET_GCHeapHardLimit's limit); no output was replaced. For a large trace, dmkernel split it and "
        + "replay the shards one at a time or on several machines (docs/cluster.md); compare needs less with fewer --threads "
        + "or a smaller --hosts-per-probe.";

    /// <summary>
    /// An error message as one line of plain text: control characters (a line break or carriage return in a VM id or a
    /// file name, an escape) shown as U+FFFD, so the error stays one line and writes nothing to the terminal but text.
    /// </summary>
    public static string OneLine(string message) => !message.Any(c => char.IsControl(c) && c != '\t')
        ? message
        : string.Create(message.Length, message, static (d, m) =>
        {
            for (int i = 0; i < m.Length; i++)
                d[i] = char.IsControl(m[i]) && m[i] != '\t' ? '\uFFFD' : m[i];
        });

    /// <summary>
    /// A library's option message as the CLI shows it after the option's name: without the runtime's "(Parameter ...)" and
    /// "Actual value" lines and without the leading "Property = " or "Property: " (a C# name the user never typed).
    /// </summary>
    public static string LibraryMessage(ArgumentException ex)
    {
        string name = ex.ParamName ?? "";
        string message = ex.Message.Split(" (Parameter", 2)[0].Split('\n', 2)[0].TrimEnd();
        if (name.Length > 0 && message.StartsWith(name + " = ", StringComparison.Ordinal))
            message = message[(name.Length + 3)..];
        else if (name.Length > 0 && message.StartsWith(name + ": ", StringComparison.Ordinal))
            message = message[(name.Length + 2)..];
        return message;
    }

    /// <summary>
    /// A tick length replay and compare can run (the model's: at most 3 600 s, and at least the pressure window ÷
    /// <see cref="ModelParameters.MaxWindowTicks"/>); generate and import take no other (the
    /// native format holds ticks up to 1e9 s, which every later command refuses).
    /// </summary>
    public static void CheckTickSeconds(double seconds)
    {
        try
        {
            (ModelParameters.Default with { TickSeconds = seconds }).Validate();
        }
        catch (ModelParameterException)
        {
            double least = ModelParameters.Default.PressureWindowSeconds / ModelParameters.MaxWindowTicks;
            throw new CliError(string.Create(CultureInfo.InvariantCulture,
                $"--tick-seconds: {seconds}: expected from {least} to 3600 seconds (the ticks replay and compare run; the {ModelParameters.Default.PressureWindowSeconds} s pressure window spans at most {ModelParameters.MaxWindowTicks} ticks)."));
        }
    }

    /// <summary>Runs input-dependent work, mapping trace and setting errors to <see cref="CliError"/> (exit code 1).</summary>
    public static T Guard<T>(Func<T> work)
    {
        try
        {
            return work();
        }
        catch (Exception ex) when ((ex is TraceFormatException or TraceImportException or SettingRejectedException or ArgumentException or IOException) && !FileTooLarge.Is(ex))
        {
            // ArgumentException appends " (Parameter 'x')": a C# name the user never typed.
            // ArgumentOutOfRangeException also adds a line "Actual value was x." (the value is already in our messages).
            string message = ex is ArgumentException { ParamName: not null } a ? a.Message.Replace($" (Parameter '{a.ParamName}')", "", StringComparison.Ordinal) : ex.Message;
            if (ex is ArgumentOutOfRangeException { ActualValue: not null })
                message = message.Split('\n', 2)[0].TrimEnd();
            throw new CliError(message, 1);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new CliError($"permission denied: {ex.Message}", 1);
        }
    }

    /// <summary>
    /// Creates the folder an output file goes to; an output path that is a folder, or a folder that cannot be created,
    /// is a <see cref="CliError"/> (exit code 1). Returns the folders it created, which the caller removes again (where
    /// empty) unless it completes: <c>using</c> it, and call <see cref="CreatedFolders.Keep"/> once the file is written.
    /// </summary>
    public static CreatedFolders EnsureParentDirectory(string file)
    {
        if (Directory.Exists(file))
            throw new CliError($"output '{file}' is a folder, expected a file name (such as {Path.Combine(file, "trace.dmt")}).", 1);
        string? dir = Path.GetDirectoryName(Path.GetFullPath(file));
        if (string.IsNullOrEmpty(dir))
            return new CreatedFolders([]);
        if (FileInTheWay(dir) is string blocker)
            throw new CliError($"'{blocker}' is a file, expected a folder (on the way to the output '{file}').", 1);
        var created = new List<string>();
        for (string? d = dir; !string.IsNullOrEmpty(d) && !Directory.Exists(d); d = Path.GetDirectoryName(d))
            created.Add(d);
        var folders = new CreatedFolders(created);
        try
        {
            Directory.CreateDirectory(dir);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            folders.Dispose();
            throw new CliError($"cannot create the output folder '{dir}': {ex.Message}", 1);
        }

        return folders;
    }

    /// <summary>The first existing file among <paramref name="folder"/> and its parents (a folder cannot be made below it), or null.</summary>
    public static string? FileInTheWay(string folder)
    {
        for (string? dir = Path.GetFullPath(folder); !string.IsNullOrEmpty(dir); dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(dir))
                return dir;
            if (Directory.Exists(dir))
                return null;
        }

        return null;
    }

    public static void Guard(Action work) => Guard(() =>
    {
        work();
        return 0;
    });
}

using DmKernel.Traces;

namespace DmKernel.Cli.Commands;

/// <summary>Turns known failures into one clear line on stderr and an exit code; nothing else escapes as a stack trace.</summary>
internal static class Cli
{
    public static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (CliError ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return ex.ExitCode;
        }
    }

    /// <summary>Runs input-dependent work, mapping trace and setting errors to <see cref="CliError"/> (exit code 1).</summary>
    public static T Guard<T>(Func<T> work)
    {
        try
        {
            return work();
        }
        catch (Exception ex) when (ex is TraceFormatException or TraceImportException or SettingRejectedException or ArgumentException or IOException)
        {
            // ArgumentException appends " (Parameter 'x')": a C# name the user never typed.
            string message = ex is ArgumentException { ParamName: not null } a ? a.Message.Replace($" (Parameter '{a.ParamName}')", "", StringComparison.Ordinal) : ex.Message;
            throw new CliError(message, 1);
        }
    }

    /// <summary>Creates the folder an output file goes to; a path that cannot be created is a <see cref="CliError"/>.</summary>
    public static void EnsureParentDirectory(string file)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(file));
        if (string.IsNullOrEmpty(dir))
            return;
        try
        {
            Directory.CreateDirectory(dir);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliError($"cannot create the output folder '{dir}': {ex.Message}", 1);
        }
    }

    public static void Guard(Action work) => Guard(() =>
    {
        work();
        return 0;
    });
}

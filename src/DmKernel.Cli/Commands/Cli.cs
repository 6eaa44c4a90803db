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
            throw new CliError(ex.Message, 1);
        }
    }

    public static void Guard(Action work) => Guard(() =>
    {
        work();
        return 0;
    });
}

namespace DmKernel.Cli.Commands;

/// <summary>A user-facing error: printed as "error: message", exit code 2 for bad arguments, 1 for bad input.</summary>
internal sealed class CliError(string message, int exitCode = 2) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

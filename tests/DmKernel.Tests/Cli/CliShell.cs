using System.Diagnostics;

namespace DmKernel.Tests.Cli;

/// <summary>The CLI as a real process started by <c>sh -c SCRIPT</c>, the shell setting what a test needs (a limit, a closed stream).</summary>
internal static class CliShell
{
    /// <summary>
    /// Runs <paramref name="script"/> with the CLI's command line (<c>DmKernel.Cli.dll ARGS</c>) after
    /// <paramref name="before"/> as its positional parameters (<c>exec dotnet "$@"</c> runs it); returns the exit code and
    /// stderr (stdout is read and dropped).
    /// </summary>
    public static (int Exit, string Err) Run(string script, IReadOnlyList<string> before, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("sh") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        foreach (string a in (string[])["-c", script, "sh", .. before, Path.Combine(AppContext.BaseDirectory, "DmKernel.Cli.dll"), .. args])
            start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        string err = p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(2)), "the run did not end");
        _ = stdout.Result;
        return (p.ExitCode, err);
    }
}

using System.Diagnostics;
using System.Globalization;

namespace DmKernel.Cli.Output;

/// <summary>
/// Progress of a long command on stderr as plain lines: at most one every 2 s on a terminal, one every 10 s when stderr
/// is redirected (a log file stays short); none in a command's first interval. Thread-safe.
/// </summary>
/// <param name="output">Where lines go (null: <see cref="Console.Error"/> when a line is written).</param>
/// <param name="command">The command's name, first on each line.</param>
/// <param name="redirected">Whether stderr goes to a file or a pipe (the longer interval).</param>
/// <param name="clock">Time since the command started.</param>
internal sealed class ProgressLine(TextWriter? output, string command, bool redirected, Func<TimeSpan> clock)
{
    /// <summary>The interval on a terminal.</summary>
    internal static readonly TimeSpan TerminalEvery = TimeSpan.FromSeconds(2);

    /// <summary>The interval when stderr is redirected.</summary>
    internal static readonly TimeSpan RedirectedEvery = TimeSpan.FromSeconds(10);

    private readonly object _gate = new();
    private readonly TimeSpan _every = redirected ? RedirectedEvery : TerminalEvery;
    private TimeSpan _last;

    /// <summary>Lines to <see cref="Console.Error"/>, timed from now.</summary>
    public ProgressLine(string command)
        : this(null, command, Console.IsErrorRedirected, Started())
    {
    }

    private static Func<TimeSpan> Started()
    {
        var watch = Stopwatch.StartNew();
        return () => watch.Elapsed;
    }

    /// <summary>Writes "<c>command: text (elapsed)</c>" unless a line was written less than the interval ago.</summary>
    public void Report(string text)
    {
        lock (_gate)
        {
            TimeSpan now = clock();
            if (now - _last < _every)
                return;
            _last = now;
            (output ?? Console.Error).WriteLine(string.Create(CultureInfo.InvariantCulture, $"{command}: {text} ({now.TotalSeconds:F0} s)"));
        }
    }
}

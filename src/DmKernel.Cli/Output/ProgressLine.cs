using System.Diagnostics;

namespace DmKernel.Cli.Output;

/// <summary>
/// Progress of a long command on stderr as plain lines: at most one every 2 s on a terminal, one every 10 s when stderr
/// is redirected (a log file stays short). Thread-safe.
/// </summary>
internal sealed class ProgressLine(string command)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly object _gate = new();
    private readonly TimeSpan _every = TimeSpan.FromSeconds(Console.IsErrorRedirected ? 10 : 2);
    private TimeSpan _last;

    /// <summary>Writes "<c>command: text (elapsed)</c>" unless a line was written less than the interval ago.</summary>
    public void Report(string text)
    {
        lock (_gate)
        {
            TimeSpan now = _clock.Elapsed;
            if (now - _last < _every)
                return;
            _last = now;
            Console.Error.WriteLine($"{command}: {text} ({now.TotalSeconds:F0} s)");
        }
    }
}

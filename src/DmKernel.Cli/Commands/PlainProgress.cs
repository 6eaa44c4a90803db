using System.Globalization;

namespace DmKernel.Cli.Commands;

/// <summary>
/// Progress for output that is not a terminal (a log file, a pipe, CI): one plain line at most every
/// <see cref="Interval"/> with ticks done, rate and ETA, and a last line at the end when any line was printed, so a
/// long run redirected to a file shows that it is alive without flooding the file.
/// </summary>
internal sealed class PlainProgress(TextWriter output, string label, long totalTicks, long ticksAtStart, TimeSpan interval, Func<TimeSpan> clock)
{
    /// <summary>The default spacing of progress lines.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(10);

    private TimeSpan _lastLine = TimeSpan.Zero;

    public TimeSpan Interval { get; } = interval;

    /// <summary>Lines printed so far.</summary>
    public int Lines { get; private set; }

    /// <summary>
    /// Called after each tick: prints a line when <see cref="Interval"/> has passed since the start or the last line
    /// (<paramref name="rate"/> is only asked for then, so a tick costs one clock read).
    /// </summary>
    public void Tick(long ticksDone, Func<string> rate)
    {
        TimeSpan now = clock();
        if (now - _lastLine < Interval)
            return;
        _lastLine = now;
        Write(ticksDone, rate(), now, done: false);
    }

    /// <summary>The last line (only when a progress line was printed: a short run stays quiet).</summary>
    public void Finish(long ticksDone, string rate)
    {
        if (Lines > 0)
            Write(ticksDone, rate, clock(), done: true);
    }

    private void Write(long ticksDone, string rate, TimeSpan now, bool done)
    {
        var ic = CultureInfo.InvariantCulture;
        long total = Math.Max(1, totalTicks);
        double fraction = Math.Clamp((double)ticksDone / total, 0, 1);
        string tail;
        if (done)
        {
            tail = string.Create(ic, $"done in {Format(now)}");
        }
        else
        {
            long thisRun = ticksDone - ticksAtStart;
            tail = thisRun > 0 && now > TimeSpan.Zero
                ? string.Create(ic, $"ETA {Format(TimeSpan.FromSeconds(now.TotalSeconds / thisRun * Math.Max(0, total - ticksDone)))}")
                : "ETA unknown";
        }

        output.WriteLine(string.Create(ic, $"{label}: {ticksDone} of {total} ticks ({fraction:P1}), {rate}, {tail}"));
        output.Flush();
        Lines++;
    }

    /// <summary>h:mm:ss, or m:ss under an hour, to the nearest second.</summary>
    private static string Format(TimeSpan t)
    {
        long s = (long)Math.Round(Math.Min(t.TotalSeconds, 1e12));
        return s >= 3600
            ? string.Create(CultureInfo.InvariantCulture, $"{s / 3600}:{s / 60 % 60:00}:{s % 60:00}")
            : string.Create(CultureInfo.InvariantCulture, $"{s / 60}:{s % 60:00}");
    }
}

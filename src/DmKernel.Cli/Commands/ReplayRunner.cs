using System.Diagnostics;
using System.Globalization;
using DmKernel.Traces.Replay;
using Spectre.Console;

namespace DmKernel.Cli.Commands;

/// <summary>
/// Drives a replay to the end with progress on stderr, so stdout keeps only the results: a live bar (rate and ETA) when
/// stderr is a terminal, else plain lines at most every <see cref="PlainInterval"/> (<see cref="PlainProgress"/>).
/// </summary>
internal static class ReplayRunner
{
    /// <summary>Spacing of plain progress lines (10 s; tests shorten it).</summary>
    internal static TimeSpan PlainInterval { get; set; } = PlainProgress.DefaultInterval;

    public static void Run(ReplayEngine engine, string label, CancellationToken cancel, Action<ReplayEngine>? afterTick = null)
    {
        long total = Math.Max(1, engine.TotalTicks);
        IAnsiConsole? terminal = Terminal();
        if (terminal is not null)
        {
            terminal.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(ctx =>
                {
                    string safe = Markup.Escape(label); // a file name may contain [ or ]
                    ProgressTask task = ctx.AddTask(safe, maxValue: total);
                    var update = Stopwatch.StartNew();
                    while (Step(engine, cancel))
                    {
                        afterTick?.Invoke(engine);
                        if (update.ElapsedMilliseconds >= 200)
                        {
                            task.Value = engine.TicksDone;
                            task.Description = $"{safe} [grey]{Rate(engine)}[/]";
                            update.Restart();
                        }
                    }

                    task.Value = engine.TicksDone;
                    task.Description = $"{safe} [grey]{Rate(engine)}[/]";
                });
            return;
        }

        var clock = Stopwatch.StartNew();
        var progress = new PlainProgress(Console.Error, label, total, engine.TicksDone, PlainInterval, () => clock.Elapsed);
        Func<string> rate = () => Rate(engine);
        while (Step(engine, cancel))
        {
            afterTick?.Invoke(engine);
            progress.Tick(engine.TicksDone, rate);
        }

        progress.Finish(engine.TicksDone, Rate(engine));
    }

    /// <summary>
    /// The engine's next tick, unless <paramref name="cancel"/> is set: false at the end, or when cancelled before the tick or
    /// during the boot phase the first tick runs (which checks it every boot tick); the caller then sees the token set and
    /// writes nothing.
    /// </summary>
    private static bool Step(ReplayEngine engine, CancellationToken cancel)
    {
        if (cancel.IsCancellationRequested)
            return false;
        try
        {
            return engine.Step(cancel);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return false; // stopped in the boot phase: nothing measured, nothing to write
        }
    }

    /// <summary>A console on stderr for the live bar, or null when stderr is not an interactive terminal that understands ANSI.</summary>
    private static IAnsiConsole? Terminal()
    {
        if (Console.IsErrorRedirected)
            return null;
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi ? console : null;
    }

    /// <summary>The trace's VM-ticks per second of <see cref="ReplayEngine.Elapsed"/> (a boot phase's time is not in it).</summary>
    public static string Rate(ReplayEngine engine)
    {
        double seconds = engine.Elapsed.TotalSeconds;
        double rate = seconds > 0 ? engine.Vms.Count * (double)engine.TicksDone / seconds : 0;
        return rate >= 1e6 ? string.Create(CultureInfo.InvariantCulture, $"{rate / 1e6:F1} M VM-ticks/s")
            : rate >= 1e3 ? string.Create(CultureInfo.InvariantCulture, $"{rate / 1e3:F1} k VM-ticks/s")
            : string.Create(CultureInfo.InvariantCulture, $"{rate:F0} VM-ticks/s"); // a run of a few VM-ticks read "0.0 k"
    }
}

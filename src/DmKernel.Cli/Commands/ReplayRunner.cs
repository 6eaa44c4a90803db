using System.Diagnostics;
using System.Globalization;
using DmKernel.Traces.Replay;
using Spectre.Console;

namespace DmKernel.Cli.Commands;

/// <summary>Drives a replay to the end with a progress bar (rate and ETA), or plain progress lines when output is not a terminal.</summary>
internal static class ReplayRunner
{
    public static void Run(ReplayEngine engine, string label, CancellationToken cancel, Action<ReplayEngine>? afterTick = null)
    {
        long total = Math.Max(1, engine.TotalTicks);
        if (AnsiConsole.Profile.Capabilities.Interactive && !Console.IsErrorRedirected)
        {
            AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(ctx =>
                {
                    string safe = Markup.Escape(label); // a file name may contain [ or ]
                    ProgressTask task = ctx.AddTask(safe, maxValue: total);
                    var update = Stopwatch.StartNew();
                    while (!cancel.IsCancellationRequested && engine.Step())
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
        long lastReport = 0;
        while (!cancel.IsCancellationRequested && engine.Step())
        {
            afterTick?.Invoke(engine);
            if (clock.ElapsedMilliseconds - lastReport >= 5000)
            {
                lastReport = clock.ElapsedMilliseconds;
                double done = (double)engine.TicksDone / total;
                TimeSpan eta = TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds * (1 - done) / Math.Max(done, 1e-9));
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{label}: {done:P1} ({engine.TicksDone}/{total} ticks), {Rate(engine)}, ETA {eta:hh\\:mm\\:ss}"));
            }
        }
    }

    public static string Rate(ReplayEngine engine)
    {
        double seconds = engine.Elapsed.TotalSeconds;
        double rate = seconds > 0 ? engine.Vms.Count * (double)engine.TicksDone / seconds : 0;
        return rate >= 1e6
            ? string.Create(CultureInfo.InvariantCulture, $"{rate / 1e6:F1} M VM-ticks/s")
            : string.Create(CultureInfo.InvariantCulture, $"{rate / 1e3:F1} k VM-ticks/s");
    }
}

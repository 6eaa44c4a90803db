using System.Diagnostics;
using System.Globalization;
using DmKernel.Traces;
using DmKernel.Traces.Replay;

namespace DmKernel.Benchmarks;

/// <summary>
/// <c>--replay-probe TRACE [--no-read-ahead]</c>: replays a native trace as <see cref="ReplayBench"/> does and prints the wall
/// time of every tick (Stopwatch), then the mean over windows of ticks, to see where a replay reaches its steady state.
/// For iterating between BenchmarkDotNet runs, not a substitute for them.
/// </summary>
internal static class ReplayProbe
{
    public const string Flag = "--replay-probe";

    public static int Run(string[] args)
    {
        string trace = args[Array.IndexOf(args, Flag) + 1];
        using NativeTraceReader reader = NativeTraceReader.Open(trace);
        using var engine = new ReplayEngine(reader, new ReplayOptions { ReadAhead = !args.Contains("--no-read-ahead") });
        var ms = new List<double>();
        long start = Stopwatch.GetTimestamp();
        while (engine.Step())
        {
            long now = Stopwatch.GetTimestamp();
            ms.Add(Stopwatch.GetElapsedTime(start, now).TotalMilliseconds);
            start = now;
        }

        int vms = engine.Vms.Count;
        if (args.Contains("--first"))
            Console.WriteLine(string.Join(" ", ms.Take(12).Select(m => (m * 1e6 / vms).ToString("0.0", CultureInfo.InvariantCulture))));
        for (int w = 0; w < ms.Count; w += 10)
        {
            double[] window = [.. ms.Skip(w).Take(10)];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ticks {w,4}..{w + window.Length - 1,4}: {window.Average() * 1e6 / vms,6:0.00} ns per VM-tick (min {window.Min() * 1e6 / vms:0.00})"));
        }

        return 0;
    }
}

using System.Diagnostics;
using System.Globalization;
using DmKernel.Traces;
using DmKernel.Traces.Replay;

namespace DmKernel.Benchmarks;

/// <summary>
/// <c>--replay-probe TRACE [--no-read-ahead] [--first] [--ticks N] [--prefetch-ab]</c>: replays a native trace as <see cref="ReplayBench"/> does and prints the wall
/// time of every tick (Stopwatch), then the mean over windows of ticks (<c>--first</c>: also each of the first 12 ticks; <c>--ticks N</c>: only the first N ticks; <c>--prefetch-ab</c>: the kernel's prefetches on odd ticks only, and the two halves' medians from tick 10), to see where a replay reaches its steady state.
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
        int limitAt = Array.IndexOf(args, "--ticks");
        int limit = limitAt > 0 ? int.Parse(args[limitAt + 1], CultureInfo.InvariantCulture) : int.MaxValue;
        var ms = new List<double>();
        long start = Stopwatch.GetTimestamp();
        bool ab = args.Contains("--prefetch-ab");
        while (ms.Count < limit && engine.Step())
        {
            if (ab)
                DmKernel.Kernel.Prefetch.Enabled = ms.Count % 2 == 1; // the tick about to run has index ms.Count: odd ticks prefetch
            long now = Stopwatch.GetTimestamp();
            ms.Add(Stopwatch.GetElapsedTime(start, now).TotalMilliseconds);
            start = now;
        }

        int vms = engine.Vms.Count;
        if (ab)
        {
            double[] on = [.. ms.Skip(10).Where((_, i) => (i + 10) % 2 == 1).Order()], off = [.. ms.Skip(10).Where((_, i) => (i + 10) % 2 == 0).Order()];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"prefetch off (even ticks >= 10): median {off[off.Length / 2] * 1e6 / vms:0.00} mean {off.Average() * 1e6 / vms:0.00} ns/VM-tick; on (odd ticks): median {on[on.Length / 2] * 1e6 / vms:0.00} mean {on.Average() * 1e6 / vms:0.00} ns/VM-tick"));
        }

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

using System.Diagnostics;
using System.Globalization;
using DmKernel.Traces;
using DmKernel.Traces.Replay;

namespace DmKernel.Benchmarks;

/// <summary>
/// <c>--replay-probe TRACE [--no-read-ahead] [--warm-up] [--first] [--ticks N] [--prefetch-ab | --null-ab]</c>: replays a native trace as <see cref="ReplayBench"/> does and prints the wall
/// time of every tick (Stopwatch), then the mean over windows of ticks (<c>--warm-up</c>: with <see cref="ReplayWarmUp"/> running while the trace is opened, as the CLI does; <c>--first</c>: also each of the first 12 ticks; <c>--ticks N</c>: only the first N ticks; <c>--prefetch-ab</c>: the kernel's prefetches on a pseudo-random half of the ticks, and the two halves' medians from tick 12; <c>--null-ab</c>: the same split with nothing switched), to see where a replay reaches its steady state. Each window also gives the replay thread's CPU time per VM-tick (<c>CLOCK_THREAD_CPUTIME_ID</c>), which other processes' time slices do not inflate.
/// For iterating between BenchmarkDotNet runs, not a substitute for them. Exit code 2 on a bad argument or a missing trace
/// (<see cref="Parse"/>). Its lines come from the measured values through <see cref="SetUpLine"/> and <see cref="ResultLines"/>.
/// </summary>
internal static class ReplayProbe
{
    public const string Flag = "--replay-probe";

    /// <summary>What the probe prints on a bad argument (with the reason), to the error stream; it then exits with 2.</summary>
    internal const string Usage = "usage: --replay-probe TRACE [--no-read-ahead] [--warm-up] [--first] [--ticks N] [--prefetch-ab | --null-ab]";

    /// <summary>The probe's arguments (<see cref="Parse"/>).</summary>
    /// <param name="Trace">The native trace replayed.</param>
    /// <param name="ReadAhead">Not <c>--no-read-ahead</c>.</param>
    /// <param name="WarmUp"><c>--warm-up</c>.</param>
    /// <param name="First"><c>--first</c>.</param>
    /// <param name="TickLimit"><c>--ticks N</c>'s N; <see cref="int.MaxValue"/> without it.</param>
    /// <param name="PrefetchAb"><c>--prefetch-ab</c>.</param>
    /// <param name="NullAb"><c>--null-ab</c>.</param>
    internal sealed record Arguments(string Trace, bool ReadAhead, bool WarmUp, bool First, int TickLimit, bool PrefetchAb, bool NullAb);

    public static int Run(string[] args)
    {
        Arguments? a = Parse(args, out string? error);
        if (a is null || !File.Exists(a.Trace))
        {
            Console.Error.WriteLine(a is null ? error : $"{a.Trace}: no such file");
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var options = new ReplayOptions { ReadAhead = a.ReadAhead };
        var t0 = Stopwatch.StartNew();
        double warmDone = 0;
        Task warmTask = a.WarmUp ? ReplayWarmUp.Start(options).ContinueWith(_ => warmDone = t0.Elapsed.TotalMilliseconds, TaskScheduler.Default) : Task.CompletedTask;
        using NativeTraceReader reader = NativeTraceReader.Open(a.Trace);
        using var engine = new ReplayEngine(reader, options);
        double setUp = t0.Elapsed.TotalMilliseconds;
        warmTask.Wait();
        Console.WriteLine(SetUpLine(setUp, a.WarmUp ? warmDone : null));
        int limit = a.TickLimit;
        var ms = new List<double>();
        var cpu = new List<double>();
        long start = Stopwatch.GetTimestamp(), cpuStart = Probe.ThreadCpuNs();
        bool ab = a.PrefetchAb;
        void Toggle(int tick)
        {
            // On for a pseudo-random half of the ticks: a replay's ticks are not alike in any short period (the trace's
            // blocks are decoded every few ticks), so alternating ticks or pairs of ticks measured the halves 20 % apart
            // with nothing switched (--null-ab).
            if (ab)
                DmKernel.Kernel.Prefetch.Enabled = On(tick);
        }

        Toggle(0);
        while (ms.Count < limit && engine.Step())
        {
            long now = Stopwatch.GetTimestamp();
            ms.Add(Stopwatch.GetElapsedTime(start, now).TotalMilliseconds);
            long cpuNow = Probe.ThreadCpuNs();
            cpu.Add((cpuNow - cpuStart) / 1e6);
            Toggle(ms.Count); // the tick that runs next has index ms.Count
            start = Stopwatch.GetTimestamp();
            cpuStart = Probe.ThreadCpuNs();
        }

        ab |= a.NullAb; // the same split with nothing switched: how far apart the halves are by themselves
        foreach (string line in ResultLines(ms, cpu, engine.Vms.Count, ab, a.First))
            Console.WriteLine(line);
        return 0;
    }

    /// <summary>
    /// The arguments (<see cref="Program"/> passes them all, the flag among them), or null with the reason in
    /// <paramref name="error"/>: no trace after the flag (the flag last, or another option after it), <c>--ticks</c>
    /// without a whole number of at least 1 (digits only) after it, or both A/B flags.
    /// </summary>
    internal static Arguments? Parse(string[] args, out string? error)
    {
        int at = Array.IndexOf(args, Flag);
        if (at < 0 || at + 1 >= args.Length || args[at + 1].StartsWith("--", StringComparison.Ordinal) || args[at + 1].Length == 0)
        {
            error = $"{Flag}: no TRACE after it";
            return null;
        }

        int limit = int.MaxValue;
        int limitAt = Array.IndexOf(args, "--ticks");
        if (limitAt >= 0 && (limitAt + 1 >= args.Length || !int.TryParse(args[limitAt + 1], NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1))
        {
            error = "--ticks: expected a whole number of ticks, at least 1, after it";
            return null;
        }

        if (args.Contains("--prefetch-ab") && args.Contains("--null-ab"))
        {
            error = "--prefetch-ab and --null-ab: one at a time (each splits the ticks into the same two halves)";
            return null;
        }

        error = null;
        return new Arguments(args[at + 1], ReadAhead: !args.Contains("--no-read-ahead"), WarmUp: args.Contains("--warm-up"), First: args.Contains("--first"),
            TickLimit: limit, PrefetchAb: args.Contains("--prefetch-ab"), NullAb: args.Contains("--null-ab"));
    }

    /// <summary>
    /// The first line, printed before the ticks run: the wall time from the start to the engine built (the trace opened
    /// and the fleet built), whole milliseconds; with <c>--warm-up</c> (<paramref name="warmUpDoneMs"/> not null), when
    /// the warm-up had finished, in milliseconds from the same start.
    /// </summary>
    internal static string SetUpLine(double setUpMs, double? warmUpDoneMs)
    {
        string warmUp = warmUpDoneMs is double w ? string.Create(CultureInfo.InvariantCulture, $", warm-up done at {w:F0} ms") : "";
        return string.Create(CultureInfo.InvariantCulture, $"set-up (open and build) {setUpMs:F0} ms{warmUp}");
    }

    /// <summary>
    /// The lines printed after the ticks, from each tick's wall time and the replay thread's CPU time in milliseconds
    /// (<paramref name="ms"/>[t] and <paramref name="cpuMs"/>[t], tick t) over <paramref name="vms"/> VMs; every figure in
    /// nanoseconds per VM-tick (a tick's milliseconds × 1e6 / VMs). With <paramref name="ab"/> (<c>--prefetch-ab</c> or
    /// <c>--null-ab</c>), the medians (the upper one of an even count) and means of the ticks from 12 that <see cref="On"/> puts
    /// off and on, two decimals; with <paramref name="first"/>, each of the first 12 ticks, one decimal; then for each window of
    /// 10 ticks (the last one may be shorter) its ticks, their mean (right-aligned in 6 characters) and minimum wall time and
    /// their mean CPU time (in 6 too), two decimals.
    /// </summary>
    internal static List<string> ResultLines(IReadOnlyList<double> ms, IReadOnlyList<double> cpuMs, int vms, bool ab, bool first)
    {
        var lines = new List<string>();
        if (ab)
        {
            double[] on = [.. ms.Skip(12).Where((_, i) => On(i + 12)).Order()], off = [.. ms.Skip(12).Where((_, i) => !On(i + 12)).Order()];
            if (on.Length == 0 || off.Length == 0)
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"A/B: {ms.Count} ticks measured, so a half has no tick from 12 (ticks 12 and 13 fall in either half: at least 14 are needed); no comparison"));
            else
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"off (half the ticks from 12): median {off[off.Length / 2] * 1e6 / vms:0.00} mean {off.Average() * 1e6 / vms:0.00} ns/VM-tick; on (the other half): median {on[on.Length / 2] * 1e6 / vms:0.00} mean {on.Average() * 1e6 / vms:0.00} ns/VM-tick"));
        }

        if (first)
            lines.Add(string.Join(" ", ms.Take(12).Select(m => (m * 1e6 / vms).ToString("0.0", CultureInfo.InvariantCulture))));
        for (int w = 0; w < ms.Count; w += 10)
        {
            double[] window = [.. ms.Skip(w).Take(10)];
            double[] cpuWindow = [.. cpuMs.Skip(w).Take(10)];
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"ticks {w,4}..{w + window.Length - 1,4}: {window.Average() * 1e6 / vms,6:0.00} ns per VM-tick (min {window.Min() * 1e6 / vms:0.00}); replay thread's CPU {cpuWindow.Average() * 1e6 / vms,6:0.00}"));
        }

        return lines;
    }

    /// <summary>Whether the kernel's prefetches are on in tick <paramref name="tick"/> with <c>--prefetch-ab</c> (a hash of the tick's index: a pseudo-random half).</summary>
    internal static bool On(int tick)
    {
        uint x = (uint)tick * 0x9E3779B9u;
        x ^= x >> 16;
        x *= 0x85EBCA6Bu;
        x ^= x >> 13;
        return (x & 1) == 1;
    }
}

using System.Diagnostics;
using System.Globalization;
using DmKernel.Traces;
using DmKernel.Traces.Replay;

namespace DmKernel.Benchmarks;

/// <summary>
/// <c>--replay-probe TRACE [--no-read-ahead] [--warm-up] [--first] [--ticks N] [--prefetch-ab | --null-ab]</c>: replays a native trace as <see cref="ReplayBench"/> does and prints the wall
/// time of every tick (Stopwatch), then the mean over windows of ticks (<c>--warm-up</c>: with <see cref="ReplayWarmUp"/> running while the trace is opened, as the CLI does; <c>--first</c>: also each of the first 12 ticks; <c>--ticks N</c>: only the first N ticks; <c>--prefetch-ab</c>: the kernel's prefetches on a pseudo-random half of the ticks, and the two halves' medians from tick 12; <c>--null-ab</c>: the same split with nothing switched), to see where a replay reaches its steady state. Each window also gives the replay thread's CPU time per VM-tick (<c>CLOCK_THREAD_CPUTIME_ID</c>), which other processes' time slices do not inflate.
/// For iterating between BenchmarkDotNet runs, not a substitute for them.
/// </summary>
internal static class ReplayProbe
{
    public const string Flag = "--replay-probe";

    public static int Run(string[] args)
    {
        string trace = args[Array.IndexOf(args, Flag) + 1];
        var options = new ReplayOptions { ReadAhead = !args.Contains("--no-read-ahead") };
        var t0 = Stopwatch.StartNew();
        double warmDone = 0;
        Task warmTask = args.Contains("--warm-up") ? ReplayWarmUp.Start(options).ContinueWith(_ => warmDone = t0.Elapsed.TotalMilliseconds, TaskScheduler.Default) : Task.CompletedTask;
        using NativeTraceReader reader = NativeTraceReader.Open(trace);
        using var engine = new ReplayEngine(reader, options);
        double setUp = t0.Elapsed.TotalMilliseconds;
        warmTask.Wait();
        string warmUp = args.Contains("--warm-up") ? string.Create(CultureInfo.InvariantCulture, $", warm-up done at {warmDone:F0} ms") : "";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"set-up (open and build) {setUp:F0} ms{warmUp}"));
        int limitAt = Array.IndexOf(args, "--ticks");
        int limit = limitAt > 0 ? int.Parse(args[limitAt + 1], CultureInfo.InvariantCulture) : int.MaxValue;
        var ms = new List<double>();
        var cpu = new List<double>();
        long start = Stopwatch.GetTimestamp(), cpuStart = Probe.ThreadCpuNs();
        bool ab = args.Contains("--prefetch-ab"), nullAb = args.Contains("--null-ab");
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

        ab |= nullAb; // the same split with nothing switched: how far apart the halves are by themselves

        static bool On(int tick)
        {
            uint x = (uint)tick * 0x9E3779B9u;
            x ^= x >> 16;
            x *= 0x85EBCA6Bu;
            x ^= x >> 13;
            return (x & 1) == 1;
        }

        int vms = engine.Vms.Count;
        if (ab)
        {
            double[] on = [.. ms.Skip(12).Where((_, i) => On(i + 12)).Order()], off = [.. ms.Skip(12).Where((_, i) => !On(i + 12)).Order()];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"off (half the ticks from 12): median {off[off.Length / 2] * 1e6 / vms:0.00} mean {off.Average() * 1e6 / vms:0.00} ns/VM-tick; on (the other half): median {on[on.Length / 2] * 1e6 / vms:0.00} mean {on.Average() * 1e6 / vms:0.00} ns/VM-tick"));
        }

        if (args.Contains("--first"))
            Console.WriteLine(string.Join(" ", ms.Take(12).Select(m => (m * 1e6 / vms).ToString("0.0", CultureInfo.InvariantCulture))));
        for (int w = 0; w < ms.Count; w += 10)
        {
            double[] window = [.. ms.Skip(w).Take(10)];
            double[] cpuWindow = [.. cpu.Skip(w).Take(10)];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ticks {w,4}..{w + window.Length - 1,4}: {window.Average() * 1e6 / vms,6:0.00} ns per VM-tick (min {window.Min() * 1e6 / vms:0.00}); replay thread's CPU {cpuWindow.Average() * 1e6 / vms,6:0.00}"));
        }

        return 0;
    }
}

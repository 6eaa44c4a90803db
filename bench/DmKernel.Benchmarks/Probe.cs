using System.Diagnostics;
using System.Globalization;

namespace DmKernel.Benchmarks;

/// <summary>
/// <c>--probe VMS WORKLOAD SHORT%</c>: a quick Stopwatch measurement of <see cref="TickBench"/>'s cases for one fleet
/// size, workload and short share (every path, interleaved round by round, median of the rounds), for iterating on
/// the kernel between BenchmarkDotNet runs. Not a substitute for them: no process isolation, no statistics.
/// </summary>
internal static class Probe
{
    public const string Flag = "--probe";

    public static int Run(string[] args)
    {
        int at = Array.IndexOf(args, Flag);
        int vms = args.Length > at + 1 ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : 50_000;
        TickWorkload workload = args.Length > at + 2 ? Enum.Parse<TickWorkload>(args[at + 2], ignoreCase: true) : TickWorkload.Realistic;
        int shortShare = args.Length > at + 3 ? int.Parse(args[at + 3], CultureInfo.InvariantCulture) : 0;
        TickPath[] paths = [TickPath.MinFloor, TickPath.V512, TickPath.ColFloor, TickPath.V256, TickPath.V128];
        var benches = new TickBench[paths.Length];
        for (int p = 0; p < paths.Length; p++)
        {
            benches[p] = new TickBench { Vms = vms, Workload = workload, ShortSharePercent = shortShare, Path = paths[p] };
            benches[p].Setup();
        }

        const int Rounds = 31;
        int ticks = Math.Max(4, 2_000_000 / vms);
        var samples = new double[paths.Length][];
        for (int p = 0; p < paths.Length; p++)
            samples[p] = new double[Rounds];
        for (int r = -3; r < Rounds; r++)
        {
            for (int p = 0; p < paths.Length; p++)
            {
                long start = Stopwatch.GetTimestamp();
                for (int t = 0; t < ticks; t++)
                    benches[p].Tick();
                double ns = Stopwatch.GetElapsedTime(start).TotalNanoseconds / ticks / vms;
                if (r >= 0)
                    samples[p][r] = ns;
            }
        }

        double floor = Median(samples[0]);
        Console.WriteLine($"{vms} VMs, {workload}, {shortShare} % short, {ticks} ticks per round, median of {Rounds} rounds:");
        for (int p = 0; p < paths.Length; p++)
        {
            double m = Median(samples[p]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {paths[p],-9} {m,7:0.000} ns/VM  {m / floor,6:0.00} x MinFloor  (min {samples[p].Min():0.000})"));
            benches[p].Cleanup();
        }

        return 0;
    }

    private static double Median(double[] values)
    {
        double[] sorted = [.. values];
        Array.Sort(sorted);
        return sorted[sorted.Length / 2];
    }
}

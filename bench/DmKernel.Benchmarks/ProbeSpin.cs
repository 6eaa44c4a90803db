using System.Diagnostics;
using System.Globalization;

namespace DmKernel.Benchmarks;

internal static partial class Probe
{
    /// <summary>
    /// <c>--spin-ab [--neighbour] [--gap-us N]</c>: the worker group's adaptive spin against the fixed spin it replaced,
    /// and one thread, in one process: three identical fleets of the workload, ticked by a one-thread balancer, a
    /// two-thread balancer that spins before every wait and a two-thread balancer with the adaptive spin, rounds
    /// rotating their order, each fed the same committed columns through <c>Balancer.Tick(committedMb)</c>. Wall time per
    /// VM-tick, medians of 45 rounds. <c>--neighbour</c> runs a busy thread for the whole probe (another process on a
    /// shared machine); <c>--gap-us N</c> does N µs of serial work on the calling thread before each tick (a replay
    /// decoding its next tick). Ticks in a round: as <c>--threads-ab</c>.
    /// </summary>
    private static int SpinAb(string[] args, int vms, int shortShare)
    {
        int gapAt = Array.IndexOf(args, "--gap-us");
        int gapUs = gapAt > 0 ? Count(gapAt + 1 < args.Length ? args[gapAt + 1] : "", "--gap-us", 0) : 0;
        bool neighbour = args.Contains("--neighbour");
        string[] names = ["1 thread", "2 threads, fixed spin", "2 threads, adaptive spin"];
        var fleets = new Fleet[3];
        var feeds = new CommittedFeed[3];
        var balancers = new Balancer[3];
        for (int k = 0; k < 3; k++)
        {
            fleets[k] = Workload.Build(vms, shortShare);
            feeds[k] = new CommittedFeed(fleets[k]);
            balancers[k] = k == 0 ? new Balancer(fleets[k], KernelPath.Auto, 1) : new Balancer(fleets[k], KernelPath.Auto, 2, fixedWorkerSpin: k == 1);
        }

        using var stop = new CancellationTokenSource();
        Thread? busy = null;
        if (neighbour)
        {
            busy = new Thread(() =>
            {
                while (!stop.IsCancellationRequested)
                    Thread.SpinWait(100);
            })
            { IsBackground = true, Name = "neighbour" };
            busy.Start();
        }

        long gapTicks = gapUs * Stopwatch.Frequency / 1_000_000;
        void TickOnce(int k)
        {
            long until = Stopwatch.GetTimestamp() + gapTicks;
            while (gapTicks > 0 && Stopwatch.GetTimestamp() < until)
                Thread.SpinWait(8);
            balancers[k].Tick(feeds[k].Next());
        }

        try
        {
            for (int t = 0; t < TickBench.RealisticWarmTicks; t++)
                for (int k = 0; k < 3; k++)
                    TickOnce(k);
            if (fleets[0].ComputeStateHash() != fleets[1].ComputeStateHash() || fleets[0].ComputeStateHash() != fleets[2].ComputeStateHash())
                throw new InvalidOperationException("One thread and two (fixed or adaptive spin) ticked the same fleet to different states.");
            int n = Math.Max(4, 2_000_000 / vms);
            const int Rounds = 45;
            var times = new List<double>[3] { new(Rounds), new(Rounds), new(Rounds) };
            for (int round = 0; round < Rounds; round++)
            {
                for (int j = 0; j < 3; j++)
                {
                    int k = (round + j) % 3;
                    long w0 = Stopwatch.GetTimestamp();
                    for (int t = 0; t < n; t++)
                        TickOnce(k);
                    times[k].Add((Stopwatch.GetTimestamp() - w0) * 1e9 / Stopwatch.Frequency / n / vms);
                }
            }

            for (int k = 0; k < 3; k++)
                times[k].Sort();
            double one = times[0][Rounds / 2];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{vms} VMs, realistic, {shortShare} % short, {n} ticks per round, {Rounds} rounds rotating (wall, ns per VM-tick incl. a {gapUs} µs gap per tick), {(neighbour ? "a busy neighbour thread" : "no neighbour")}, {Environment.ProcessorCount} cores:"));
            for (int k = 0; k < 3; k++)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {names[k],-26} median {times[k][Rounds / 2],7:0.000} (quartiles {times[k][Rounds / 4]:0.000}–{times[k][Rounds * 3 / 4]:0.000})  speedup over 1 thread {one / times[k][Rounds / 2]:0.00}"));
            return 0;
        }
        finally
        {
            stop.Cancel();
            busy?.Join();
            foreach (Balancer b in balancers)
                b.Dispose();
        }
    }
}

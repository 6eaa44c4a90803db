using DmKernel.Kernel;

namespace DmKernel.Tests.Kernel;

/// <summary>
/// <see cref="WorkerGroup"/>'s adaptive spin: a side (the caller waiting for the last pieces, a worker waiting for the
/// next round) spins before it blocks only where its last wait ended within the spin time, so a replay's long gaps
/// between ticks, or a worker held up by a neighbour, do not burn a core for nothing each round. The waits here are made
/// long by sleeping 20–50 ms, a hundred times the 200 µs spin; nothing is timed.
/// </summary>
public class WorkerSpinTests
{
    private const int Rounds = 8;

    /// <summary>Whether this machine has a core for every thread of a group of <paramref name="workers"/> workers (the spin is on at all).</summary>
    private static bool Spins(int workers) => workers + 1 <= Environment.ProcessorCount;

    /// <summary>
    /// Two pieces per round, one of which the worker runs, sleeping <see cref="WorkerSleepMs"/> in it: the caller's
    /// piece waits (up to 2 s) until the worker has taken the other, so the caller waits for the worker at the end of the
    /// round however the claims fall. <see cref="CallerSleepMs"/> then delays the caller's piece.
    /// </summary>
    private sealed class OnePieceEach
    {
        private int _round;
        private int _workerTook = -1;

        public int WorkerSleepMs { get; set; }

        public int CallerSleepMs { get; set; }

        public void Work(int piece, int thread)
        {
            if (thread == 1)
            {
                Volatile.Write(ref _workerTook, Volatile.Read(ref _round));
                Thread.Sleep(WorkerSleepMs);
                return;
            }

            SpinWait.SpinUntil(() => Volatile.Read(ref _workerTook) == Volatile.Read(ref _round), 2000);
            Thread.Sleep(CallerSleepMs);
        }

        public void Run(WorkerGroup group)
        {
            group.Run();
            Interlocked.Increment(ref _round);
        }
    }

    [Fact]
    public void Workers_WhoseRoundsComeLongAfterTheLast_StopSpinning()
    {
        using var group = new WorkerGroup(1, 2, (_, _) => { });
        group.Run();
        group.TrackWaits();
        for (int round = 0; round < Rounds; round++)
        {
            Thread.Sleep(50); // a replay decoding the next tick: the worker waits far longer than the spin
            group.Run();
        }

        // The first long wait may have spun (the worker's last wait was short); every later one blocks at once.
        Assert.InRange(group.WaitsSpun(1), 0, 1);
        Assert.InRange(group.WaitsNotSpun(1), Rounds - 2, Rounds);
    }

    [Fact]
    public void Caller_WaitingLongForAWorker_StopsSpinning()
    {
        var work = new OnePieceEach { WorkerSleepMs = 20 }; // a worker held up (a neighbour on its core)
        using var group = new WorkerGroup(1, 2, work.Work);
        group.TrackWaits();
        for (int round = 0; round < Rounds; round++)
            work.Run(group);

        Assert.InRange(group.WaitsSpun(0), 0, 1);
        Assert.Equal(Rounds - group.WaitsSpun(0), group.WaitsNotSpun(0));
    }

    [Fact]
    public void Caller_SpinsAgain_AfterARoundWhoseWorkersFinishedFirst()
    {
        var work = new OnePieceEach { WorkerSleepMs = 20 };
        using var group = new WorkerGroup(1, 2, work.Work);
        group.TrackWaits();
        work.Run(group);
        work.Run(group); // the caller waited long twice: it no longer spins
        long notSpun = group.WaitsNotSpun(0);
        Assert.True(notSpun >= 1, $"{notSpun} waits without a spin after two long ones");

        work.WorkerSleepMs = 0;
        work.CallerSleepMs = 50;
        work.Run(group); // the worker is done before the caller looks: no wait, which counts as a short one
        work.WorkerSleepMs = 20;
        work.CallerSleepMs = 0;
        long spunBefore = group.WaitsSpun(0);
        work.Run(group);
        Assert.Equal(Spins(1) ? spunBefore + 1 : spunBefore, group.WaitsSpun(0));
    }

    [Fact]
    public void FixedSpin_SpinsBeforeEveryWait_WhereTheThreadsHaveCoresOfTheirOwn()
    {
        var work = new OnePieceEach { WorkerSleepMs = 20 };
        using var group = new WorkerGroup(1, 2, work.Work, fixedSpin: true);
        group.TrackWaits();
        for (int round = 0; round < Rounds; round++)
            work.Run(group);

        // Without cores to spare no side spins, adaptive or not (the group blocks at once where threads outnumber cores).
        Assert.Equal(Spins(1) ? Rounds : 0, group.WaitsSpun(0));
        Assert.Equal(Spins(1) ? 0 : Rounds, group.WaitsNotSpun(0));
    }

    [Fact]
    public void WaitCounts_AreZero_UntilTracked()
    {
        using var group = new WorkerGroup(2, 3, (_, _) => Thread.Sleep(1));
        group.Run();
        for (int side = 0; side <= 2; side++)
        {
            Assert.Equal(0, group.WaitsSpun(side));
            Assert.Equal(0, group.WaitsNotSpun(side));
        }
    }
}

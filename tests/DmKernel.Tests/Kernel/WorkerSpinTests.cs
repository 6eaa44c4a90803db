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
    /// Two pieces per round, one of which the worker runs: the caller's piece waits (up to 2 s) until the worker has taken
    /// the other, sleeps <see cref="CallerSleepMs"/>, and then lets the worker go on, which sleeps
    /// <see cref="WorkerSleepMs"/> only from there. So the caller, done with its piece, finds the round still running
    /// and waits for the worker however the claims fall, unless it is itself held up that long after its piece.
    /// </summary>
    private sealed class OnePieceEach
    {
        private int _round;
        private int _workerTook = -1;
        private int _callerDone = -1;

        public int WorkerSleepMs { get; set; }

        public int CallerSleepMs { get; set; }

        /// <summary>Whether the worker's piece waits for the caller's to finish (else it ends at once after its sleep).</summary>
        public bool WorkerWaitsForCaller { get; set; } = true;

        public void Work(int piece, int thread)
        {
            int round = Volatile.Read(ref _round);
            if (thread == 1)
            {
                Volatile.Write(ref _workerTook, round);
                if (WorkerWaitsForCaller)
                    SpinWait.SpinUntil(() => Volatile.Read(ref _callerDone) == round, 2000);
                Thread.Sleep(WorkerSleepMs);
                return;
            }

            SpinWait.SpinUntil(() => Volatile.Read(ref _workerTook) == round, 2000);
            Thread.Sleep(CallerSleepMs);
            Volatile.Write(ref _callerDone, round);
        }

        public void Run(WorkerGroup group)
        {
            group.Run();
            Interlocked.Increment(ref _round);
        }
    }

    /// <summary>The caller's rounds that ended before it looked (counted in neither of its counts).</summary>
    private static long Uncounted(WorkerGroup group, int rounds) => rounds - group.WaitsSpun(0) - group.WaitsNotSpun(0);

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

        // The first long wait or two may have spun (the worker's last wait before them was short); every later one
        // blocks at once.
        Assert.InRange(group.WaitsSpun(1), 0, 2);
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

        // The first wait may have spun; after a long one the caller blocks at once, unless a round ended before the caller
        // looked (held up on a loaded machine), which counts as a short wait and lets the next one spin.
        long uncounted = Uncounted(group, Rounds);
        Assert.InRange(group.WaitsSpun(0), 0, 1 + uncounted);
        Assert.True(group.WaitsNotSpun(0) >= Rounds - 1 - (2 * uncounted), $"{group.WaitsNotSpun(0)} waits without a spin, {uncounted} rounds not waited for");
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
        work.WorkerWaitsForCaller = false;
        work.CallerSleepMs = 50;
        work.Run(group); // the worker is done before the caller looks: no wait, which counts as a short one
        work.WorkerSleepMs = 20;
        work.WorkerWaitsForCaller = true;
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

        // Every wait spins, long or not; without cores to spare no side spins, adaptive or not (the group blocks at once
        // where threads outnumber cores). A round that ended before the caller looked is counted in neither.
        if (Spins(1))
        {
            Assert.Equal(0, group.WaitsNotSpun(0));
            Assert.InRange(group.WaitsSpun(0), 1, Rounds);
        }
        else
        {
            Assert.Equal(0, group.WaitsSpun(0));
            Assert.InRange(group.WaitsNotSpun(0), 1, Rounds);
        }
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

using System.Runtime.CompilerServices;

namespace DmKernel.Tests.Support;

/// <summary>
/// Zero allocations on the calling thread, exactly (<see cref="GC.GetAllocatedBytesForCurrentThread"/>: the thread's own
/// counter, which no other thread moves and a garbage collection does not disturb). The one-time work of the first calls
/// (their JIT compilation, class initializers, buffers allocated on first use) is excluded explicitly: the same step runs
/// first as a warm-up, uncounted, and then not one byte may be allocated over the measured steps. So an allocation that
/// recurs at least once in that many steps fails, however rare per step, where the least of three short rounds let any
/// allocation rarer than once a round through.
/// <para>
/// The runtime itself can allocate on the thread once, after the warm-up, in a loaded run (seen in the full suite: a
/// window of <c>StateHash_AllocatesNothing</c> that showed bytes while the step allocates nothing). So a window that shows
/// bytes is followed by a second of as many steps, and the assertion fails only if that one shows bytes too: an
/// allocation that recurs at least once in that many steps falls in both windows and fails, a one-off falls in one.
/// </para>
/// </summary>
internal static class AllocationAssert
{
    /// <summary>
    /// Runs <paramref name="step"/>(0 .. <paramref name="warmUp"/> − 1) uncounted, then
    /// <paramref name="step"/>(<paramref name="warmUp"/> .. <paramref name="warmUp"/> + <paramref name="steps"/> − 1), and
    /// fails if the latter allocated any byte on this thread, and a second window of as many steps (run only then) did too.
    /// Returns the steps run, warm-up included (<paramref name="warmUp"/> + <paramref name="steps"/>, or one more window's).
    /// </summary>
    public static int NothingOnThisThread(string what, int warmUp, int steps, Action<int> step)
        => NothingOnThisThreadOrOthers(what, warmUp, steps, static () => 0, step);

    /// <summary>
    /// As <see cref="NothingOnThisThread"/>, and also not one byte on the threads whose own counters
    /// <paramref name="otherThreads"/> sums (a balancer's workers, each recording its thread's counter after each piece of
    /// a tick it runs: <see cref="Balancer.TrackWorkerAllocations"/>), read before and after each window.
    /// </summary>
    public static int NothingOnThisThreadOrOthers(string what, int warmUp, int steps, Func<long> otherThreads, Action<int> step)
    {
        Assert.True(warmUp > 0 && steps > 0);
        for (int i = 0; i < warmUp; i++)
            step(i);
        (long bytes, long others) = Window(warmUp, steps, otherThreads, step);
        if (bytes == 0 && others == 0)
            return warmUp + steps;
        (long again, long othersAgain) = Window(warmUp + steps, steps, otherThreads, step);
        Assert.True(again == 0, $"{what} allocated {again} bytes on the calling thread over {steps} steps after {warmUp} to warm up and {bytes} bytes over the {steps} before");
        Assert.True(othersAgain == 0, $"{what} allocated {othersAgain} bytes on the other threads over {steps} steps after {warmUp} to warm up and {others} bytes over the {steps} before");
        return warmUp + (2 * steps);
    }

    /// <summary>Bytes allocated over one window of steps, on this thread and on the others.</summary>
    private static (long Bytes, long Others) Window(int first, int steps, Func<long> otherThreads, Action<int> step)
    {
        long othersBefore = otherThreads();
        long bytes = Measure(first, steps, step);
        return (bytes, otherThreads() - othersBefore);
    }

    /// <summary>
    /// The measured loop, fully optimized from its first call (no tier-0 loop, so no on-stack replacement compiled on this
    /// thread in the middle of it) and not inlined (the caller's message and its boxes stay out of the window: the JIT may
    /// move an allocation across the counter's read, dotnet/runtime#96836).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static long Measure(int first, int steps, Action<int> step)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = first; i < first + steps; i++)
            step(i);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}

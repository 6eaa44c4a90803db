using System.Runtime.CompilerServices;

namespace DmKernel.Tests.Support;

/// <summary>
/// Zero allocations on the calling thread, exactly (<see cref="GC.GetAllocatedBytesForCurrentThread"/>: the thread's own
/// counter, which no other thread moves and a garbage collection does not disturb). The one-time work of the first calls
/// (their JIT compilation, class initializers, buffers allocated on first use) is excluded explicitly: the same step runs
/// first as a warm-up, uncounted, and then not one byte may be allocated over the measured steps. So an allocation that
/// recurs at least once in that many steps fails, however rare per step, where the least of three short rounds let any
/// allocation rarer than once a round through.
/// </summary>
internal static class AllocationAssert
{
    /// <summary>
    /// Runs <paramref name="step"/>(0 .. <paramref name="warmUp"/> − 1) uncounted, then
    /// <paramref name="step"/>(<paramref name="warmUp"/> .. <paramref name="warmUp"/> + <paramref name="steps"/> − 1), and
    /// fails if the latter allocated any byte on this thread.
    /// </summary>
    public static void NothingOnThisThread(string what, int warmUp, int steps, Action<int> step)
    {
        Assert.True(warmUp > 0 && steps > 0);
        for (int i = 0; i < warmUp; i++)
            step(i);
        long bytes = Measure(warmUp, steps, step);
        Assert.True(bytes == 0, $"{what} allocated {bytes} bytes on the calling thread over {steps} steps after {warmUp} to warm up");
    }

    /// <summary>
    /// As <see cref="NothingOnThisThread"/>, and also not one byte on the threads whose own counters
    /// <paramref name="otherThreads"/> sums (a balancer's workers, each recording its thread's counter when it finishes a
    /// round: <see cref="Balancer.TrackWorkerAllocations"/>), read after the warm-up and after the measured steps.
    /// </summary>
    public static void NothingOnThisThreadOrOthers(string what, int warmUp, int steps, Func<long> otherThreads, Action<int> step)
    {
        Assert.True(warmUp > 0 && steps > 0);
        for (int i = 0; i < warmUp; i++)
            step(i);
        long othersBefore = otherThreads();
        long bytes = Measure(warmUp, steps, step);
        long others = otherThreads() - othersBefore;
        Assert.True(bytes == 0, $"{what} allocated {bytes} bytes on the calling thread over {steps} steps after {warmUp} to warm up");
        Assert.True(others == 0, $"{what} allocated {others} bytes on the other threads over {steps} steps after {warmUp} to warm up");
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

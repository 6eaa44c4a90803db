using System.Runtime.CompilerServices;

namespace DmKernel.Tests.Support;

/// <summary>
/// Zero allocations on the calling thread, exactly (<see cref="GC.GetAllocatedBytesForCurrentThread"/>: the thread's own
/// counter, which no other thread moves and a garbage collection does not disturb). The one-time work of the first calls
/// (their JIT compilation, class initializers, buffers allocated on first use) is excluded explicitly: the same step runs
/// first as a warm-up, uncounted, and then a window of that many steps must allocate not one byte. Under the full suite
/// the runtime's tiering can come late (it waits while other tests keep compiling new methods) and put a few KB of its
/// own on the thread inside the first window (7 896 B once, in 2 000 steps of a policy's tick), so up to
/// <see cref="Windows"/> windows run and the first without a byte passes. An allocation of the step itself that recurs at
/// least once in a window's steps is in every window and fails, however rare per step.
/// </summary>
internal static class AllocationAssert
{
    /// <summary>The most measured windows before the check fails.</summary>
    private const int Windows = 3;

    /// <summary>
    /// Runs <paramref name="step"/>(0 .. <paramref name="warmUp"/> − 1) uncounted, then windows of
    /// <paramref name="steps"/> steps (continuing the step index), and fails unless one of the first <see cref="Windows"/>
    /// allocated no byte on this thread.
    /// </summary>
    public static void NothingOnThisThread(string what, int warmUp, int steps, Action<int> step)
        => NothingOnThisThreadOrOthers(what, warmUp, steps, static () => 0, step);

    /// <summary>
    /// As <see cref="NothingOnThisThread"/>, and also not one byte on the threads whose own counters
    /// <paramref name="otherThreads"/> sums (a balancer's workers, each recording its thread's counter when it finishes a
    /// round: <see cref="Balancer.TrackWorkerAllocations"/>), read before and after each window.
    /// </summary>
    public static void NothingOnThisThreadOrOthers(string what, int warmUp, int steps, Func<long> otherThreads, Action<int> step)
    {
        Assert.True(warmUp > 0 && steps > 0);
        for (int i = 0; i < warmUp; i++)
            step(i);
        var seen = new List<string>();
        for (int w = 0; w < Windows; w++)
        {
            long othersBefore = otherThreads();
            long bytes = Measure(warmUp + (w * steps), steps, step);
            long others = otherThreads() - othersBefore;
            if (bytes == 0 && others == 0)
                return;
            seen.Add($"{bytes} B on the calling thread and {others} B on the other threads");
        }

        Assert.Fail($"{what} allocated in each of {Windows} windows of {steps} steps after {warmUp} to warm up: {string.Join("; ", seen)}");
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

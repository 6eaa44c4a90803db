using DmKernel.Traces;

namespace DmKernel.Tests.Traces;

/// <summary>
/// The Bitbrains importer's parallel read (<c>ParallelWork</c>): a failure on any thread comes out as itself, never as an
/// <see cref="AggregateException"/>, and only once every thread has stopped. Before, a read thread's failure (the
/// sample spill's disk full, seen on a 2 MB tmpfs) left <c>dmkernel import</c> with "Unhandled exception:
/// System.AggregateException" and a stack trace instead of its error line, and a failure on the calling thread returned
/// while the other threads went on writing to the spill being disposed. The hand-offs below are events, not sleeps; what
/// the threads' timing decides (how many items a thread takes before it sees another's failure) is bounded, not counted.
/// </summary>
public sealed class ParallelWorkTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public void EveryItemOnce_InItemOrder_WithSeveralThreads()
    {
        int calls = 0;
        int[] results = ParallelWork.Run<int>(1000, 4, () => i => { Interlocked.Increment(ref calls); return i * 3; }, CancellationToken.None);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => i * 3), results);
        Assert.Equal(1000, calls);
        Assert.Empty(ParallelWork.Run<int>(0, 4, () => i => i, CancellationToken.None));
    }

    /// <summary>
    /// The caller waits in its first item until the other thread has thrown; it then takes items only until that failure
    /// is recorded (the other thread's catch, microseconds later), so of a million items it works few (the loop without
    /// the stop check works them all). How many exactly is the two threads' timing: the bound is what is asserted.
    /// </summary>
    [Fact]
    public void AnotherThreadsFailure_IsThrownAsItself_AndStopsTheRest()
    {
        const int Count = 1_000_000;
        int caller = Environment.CurrentManagedThreadId;
        using var failed = new ManualResetEventSlim();
        var thrown = new IOException("No space left on device : 'x.samples.tmp'");
        int worked = 0;
        var ex = Assert.ThrowsAny<Exception>(() => ParallelWork.Run<int>(Count, 2, () => i =>
        {
            Interlocked.Increment(ref worked);
            if (Environment.CurrentManagedThreadId != caller)
            {
                failed.Set();
                throw thrown;
            }

            Assert.True(failed.Wait(Patience), "the other thread never ran");
            return i;
        }, CancellationToken.None));
        Assert.Same(thrown, ex); // not an AggregateException around it
        Assert.InRange(worked, 1, Count / 2);
    }

    /// <summary>
    /// The caller throws while the other thread is inside an item; Run waits for it before throwing. (Which items the
    /// other thread takes before it sees the failure is timing: not asserted.)
    /// </summary>
    [Fact]
    public void TheCallersFailure_IsThrownOnlyOnceTheOtherThreadsHaveStopped()
    {
        int caller = Environment.CurrentManagedThreadId;
        using var inside = new ManualResetEventSlim();
        int running = 0, callerThrew = 0, callerItems = 0;
        var thrown = new InvalidDataException("bad");
        var ex = Assert.ThrowsAny<Exception>(() => ParallelWork.Run<int>(8, 2, () => i =>
        {
            if (Environment.CurrentManagedThreadId == caller)
            {
                Interlocked.Increment(ref callerItems);
                Assert.True(inside.Wait(Patience), "the other thread never ran");
                Volatile.Write(ref callerThrew, 1);
                throw thrown;
            }

            Interlocked.Increment(ref running);
            inside.Set();
            SpinWait.SpinUntil(() => Volatile.Read(ref callerThrew) == 1, Patience); // still working when the caller fails
            Interlocked.Decrement(ref running);
            return i;
        }, CancellationToken.None));
        Assert.Same(thrown, ex);
        Assert.Equal(0, Volatile.Read(ref running)); // nothing runs on after Run throws
        Assert.Equal(1, callerItems);
    }

    [Fact]
    public void ACancellation_IsThrownAsItself_OnceEveryThreadHasStopped()
    {
        using var cts = new CancellationTokenSource();
        int caller = Environment.CurrentManagedThreadId;
        using var cancelled = new ManualResetEventSlim();
        var worked = new List<int>();
        Assert.Throws<OperationCanceledException>(() => ParallelWork.Run<int>(8, 2, () => i =>
        {
            lock (worked)
                worked.Add(i);
            if (Environment.CurrentManagedThreadId != caller)
            {
                cts.Cancel();
                cancelled.Set();
            }
            else
            {
                Assert.True(cancelled.Wait(Patience), "the other thread never ran");
            }

            return i;
        }, cts.Token));
        Assert.InRange(worked.Count, 1, 2); // no item taken after the cancellation
    }

    [Fact]
    public void BadArguments_AreRefused()
    {
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => ParallelWork.Run<int>(-1, 2, () => i => i, CancellationToken.None));
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => ParallelWork.Run<int>(1, 0, () => i => i, CancellationToken.None));
        Assert.Throws<ArgumentNullException>(() => ParallelWork.Run<int>(1, 1, null!, CancellationToken.None));
    }
}

using System.Runtime.ExceptionServices;

namespace DmKernel.Traces;

/// <summary>
/// Items 0..count−1 worked on by several threads, each claiming the next item: this thread and <c>threads − 1</c>
/// long-running tasks. The first exception any thread throws stops the others at their next item, every thread is waited
/// for, and that exception is rethrown as itself (with its stack), never as an <see cref="AggregateException"/>; so is
/// a cancellation, after every thread has stopped. Nothing runs on after this returns or throws.
/// </summary>
internal static class ParallelWork
{
    /// <summary>
    /// The results by item of the work function <paramref name="newWorker"/> gives each thread (called once per thread:
    /// its state, such as a buffer, is that thread's own).
    /// </summary>
    public static T[] Run<T>(int count, int threads, Func<Func<int, T>> newWorker, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(newWorker);
        InvariantOutOfRangeException.ThrowIfNegative(count);
        InvariantOutOfRangeException.ThrowIfLessThan(threads, 1);
        var results = new T[count];
        int next = -1;
        ExceptionDispatchInfo? failure = null;

        void Work()
        {
            try
            {
                Func<int, T> work = newWorker();
                int i;
                while (!cancel.IsCancellationRequested && Volatile.Read(ref failure) is null && (i = Interlocked.Increment(ref next)) < count)
                    results[i] = work(i);
            }
            catch (Exception ex)
            {
                Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(ex), null); // the first one stops the others
            }
        }

        var others = new Task[Math.Min(threads, Math.Max(count, 1)) - 1];
        for (int t = 0; t < others.Length; t++)
            others[t] = Task.Factory.StartNew(Work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Work();
        Task.WaitAll(others, CancellationToken.None); // Work catches everything, so this only waits
        failure?.Throw();
        cancel.ThrowIfCancellationRequested();
        return results;
    }
}

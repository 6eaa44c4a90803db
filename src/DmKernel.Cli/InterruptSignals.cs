namespace DmKernel.Cli;

/// <summary>
/// Ctrl+C and SIGTERM: the first asks the run to stop at its next safe point (the token is cancelled; the command writes
/// nothing half-done and exits 130); a second one, of either kind, ends the process at once, for a run that does not
/// reach a safe point (stuck in a system call: a hung network file system, a full pipe). Both say so on stderr.
/// </summary>
internal sealed class InterruptSignals(CancellationTokenSource cancel, TextWriter error)
{
    private int _count;

    /// <summary>
    /// For a signal: true (the signal's default, ending the process, cancelled) the first time, after cancelling the
    /// token; false from the second on, after saying that the process ends now.
    /// </summary>
    public bool Graceful()
    {
        if (Interlocked.Increment(ref _count) == 1)
        {
            error.WriteLine();
            error.WriteLine("Stopping at the next safe point; nothing half-done is written. Press Ctrl+C again (or send SIGTERM again) to stop at once.");
            cancel.Cancel();
            return true;
        }

        error.WriteLine("Stopped at once: outputs already in place are as they were; a temporary file or a hidden .staging-* folder may be left beside them (the next run into that folder removes the staging folder).");
        return false;
    }
}

namespace DmKernel.Tests.Support;

/// <summary>
/// Runs code on another thread held at a test hook of the library (<see cref="Fleet.WhileCalling"/>,
/// <see cref="Balancer.WhileTicking"/>, ...) while this thread acts, so that a test forces an interleaving instead of
/// hoping to hit it.
/// </summary>
internal static class OnAnotherThread
{
    /// <summary>
    /// Runs <paramref name="run"/> on another thread, held where the hook that <paramref name="arm"/> sets is called;
    /// <paramref name="inside"/> runs on this thread while it is held, then <paramref name="disarm"/> clears the hook. Fails
    /// if <paramref name="run"/> threw, never reached the hook within 30 s, or did not return within 60 s of its release.
    /// </summary>
    public static void Held(Action<Action> arm, Action disarm, Action run, Action inside)
    {
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        arm(() =>
        {
            entered.Set();
            release.Wait();
        });
        Exception? failed = null;
        var thread = new Thread(() =>
        {
            try
            {
                run();
            }
            catch (Exception ex)
            {
                failed = ex;
            }
        })
        {
            IsBackground = true, // a thread stuck for good (the defect a test looks for) does not keep the test run alive
        };
        thread.Start();
        bool returned = false;
        try
        {
            Assert.True(entered.Wait(TimeSpan.FromSeconds(30)), "The other thread never reached the test hook.");
            inside();
        }
        finally
        {
            release.Set();
            returned = thread.Join(TimeSpan.FromSeconds(60));
            disarm();
        }

        Assert.True(returned, "The other thread did not return within 60 s of its release (stuck).");
        Assert.Null(failed);
    }

    /// <summary>
    /// Runs the fleet call <paramref name="call"/> on another thread, held once it holds the fleet (or, inside an open
    /// sharded tick, is counted: <see cref="Fleet.WhileCalling"/>, the first call only); <paramref name="inside"/> runs on
    /// this thread meanwhile.
    /// </summary>
    public static void WhileCallHeld(Fleet fleet, Action call, Action inside)
        => Held(hold => fleet.WhileCalling = () =>
        {
            fleet.WhileCalling = null;
            hold();
        }, () => fleet.WhileCalling = null, call, inside);
}

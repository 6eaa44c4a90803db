namespace DmKernel.Tests.Support;

/// <summary>
/// <see cref="AllocationAssert"/> itself: an allocation that recurs within a window fails, however rare per step; a
/// one-off after the warm-up (the runtime's, seen in loaded full runs) does not.
/// </summary>
public class AllocationAssertTests
{
    private static object? s_sink;

    [Fact]
    public void AnAllocationEveryWindow_Fails_OnThisThreadAndOnOthers()
    {
        // Every 4 096th step: once or more in each 10 000-step window.
        var e = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => AllocationAssert.NothingOnThisThread("rare", 1000, 10_000, i =>
        {
            if (i % 4096 == 0)
                s_sink = new byte[8];
        }));
        Assert.Contains("rare allocated ", e.Message, StringComparison.Ordinal);

        long others = 0;
        e = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => AllocationAssert.NothingOnThisThreadOrOthers("a worker's", 1000, 10_000, () => others, i =>
        {
            if (i % 4096 == 0)
                others += 24;
        }));
        Assert.Contains("a worker's allocated 72 bytes on the other threads", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AOneOffAllocationAfterTheWarmUp_Passes_WithASecondWindowRun()
    {
        // Once, in the first measured window, on this thread or on another.
        Assert.Equal(1000 + 20_000, AllocationAssert.NothingOnThisThread("one-off", 1000, 10_000, i =>
        {
            if (i == 5000)
                s_sink = new byte[8];
        }));
        long others = 0;
        Assert.Equal(1000 + 20_000, AllocationAssert.NothingOnThisThreadOrOthers("one-off elsewhere", 1000, 10_000, () => others, i =>
        {
            if (i == 5000)
                others += 24;
        }));
        Assert.Equal(1000 + 10_000, AllocationAssert.NothingOnThisThread("nothing", 1000, 10_000, _ => { }));
        GC.KeepAlive(s_sink);
    }
}

using DmKernel.Tests.Support;

namespace DmKernel.Tests.Kernel;

public class ApplyTraceTests
{
    [Fact]
    public void ApplyTrace_StartsOnVmsStopsOffVmsAndSetsCommitted()
    {
        var s = new Scenario(model: Scenario.NoBootGrace);
        int a = s.Add(VmSettings.Dynamic(1024, 512, 4096));
        int b = s.AddRunning(VmSettings.Dynamic(1024, 512, 4096), committedMb: 700);
        int[] values = new int[s.Fleet.SlotCount];
        Array.Fill(values, Fleet.TraceOff);
        values[a] = 900;                   // on: Off VM a gets a start request
        values[b] = Fleet.TraceOff;        // off: running VM b gets a stop request
        Assert.Equal(2, s.Fleet.ApplyTrace(values));
        Assert.Equal(LifecycleRequest.Start, s.Fleet.PendingRequest(a));
        Assert.Equal(LifecycleRequest.Stop, s.Fleet.PendingRequest(b));
        Assert.Equal(900, s.Fleet.Committed[a]);
        Assert.Equal(0, s.Fleet.ApplyTrace(values));   // pending requests are not repeated
        s.Tick();
        Assert.Equal(VmState.Booting, s.Fleet.State(a));
        Assert.Equal(VmState.Off, s.Fleet.State(b));
    }

    [Fact]
    public void ApplyTrace_BadValue_NamesSlotAndChangesNothing()
    {
        var s = new Scenario();
        int a = s.Add(VmSettings.Dynamic(1024, 512, 4096));
        int[] values = new int[s.Fleet.SlotCount];
        values[a] = 100;
        values[5] = -7;
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => s.Fleet.ApplyTrace(values));
        Assert.Contains("VM 5", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, s.Fleet.Committed[a]);
        Assert.Equal(LifecycleRequest.None, s.Fleet.PendingRequest(a));
        Assert.Throws<ArgumentException>(() => s.Fleet.ApplyTrace(new int[3]));
    }
}

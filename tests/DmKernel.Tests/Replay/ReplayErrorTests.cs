using DmKernel.Tests.Traces;
using DmKernel.Traces;
using DmKernel.Traces.Replay;

namespace DmKernel.Tests.Replay;

/// <summary>A trace that reads cleanly but that the model cannot replay is refused naming the file and the place.</summary>
public sealed class ReplayErrorTests
{
    [Fact]
    public void HostSmallerThanTheModelsReserve_IsATraceErrorNamingTheHost()
    {
        using var dir = new TempDir();
        string path = dir.File("small-host.dmt");
        using (var w = new NativeTraceWriter(path, new TraceDescription(60, "test"), [new TraceVm("a", VmSettings.Dynamic(512, 256, 1024), 1)],
            [new TraceHost(8192), new TraceHost(1024)]))
        {
            w.WriteTick([300]);
            w.Complete();
        }

        using var reader = NativeTraceReader.Open(path);
        var e = Assert.Throws<TraceFormatException>(() => new ReplayEngine(reader, new ReplayOptions()));
        Assert.Equal(path, e.Path);
        Assert.Contains("Host 1: TotalMb must be a multiple of 2 MB and at least the reserve of 2048 MB (R3)", e.Message, StringComparison.Ordinal);
    }
}

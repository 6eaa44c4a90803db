using DmKernel.Tests.Traces;
using DmKernel.Traces;
using DmKernel.Traces.Capacity;

namespace DmKernel.Tests.Capacity;

/// <summary>The capacity answer on the real Bitbrains sample: one importer default must not flip it.</summary>
public class RealTraceCompareTests
{
    private static CapacityResult Compare(string trace)
    {
        using NativeTraceReader reader = NativeTraceReader.Open(trace);
        return CapacityStudy.Run(TraceSeries.Load(reader), new CapacityOptions
        {
            Host = new TraceHost(1_048_576, 2048),
            Threads = 2,
            Strategies = [MemoryStrategy.DynamicMemory, MemoryStrategy.StaticProvisioned, MemoryStrategy.Fixed(1024)],
        });
    }

    [Fact]
    public void BitbrainsSample_SameAnswer_WithTheDefaultOsBaseAndWithNone()
    {
        using var dir = new TempDir();
        string folder = RealTraces.Path("bitbrains-gwa-t-12-rnd");
        BitbrainsImporter.Import(folder, dir.File("default.dmt"));
        BitbrainsImporter.Import(folder, dir.File("zero.dmt"), new BitbrainsImportOptions { Demand = new DemandModel { K = 1, OsBaseMb = 0 } });
        CapacityResult withBase = Compare(dir.File("default.dmt")), without = Compare(dir.File("zero.dmt"));

        Assert.Equal(withBase.Verdict.Yes, without.Verdict.Yes);
        Assert.True(withBase.Verdict.Yes);

        // The base adds memory to every VM: Dynamic Memory holds at least as much per VM with it as without.
        ProbeOutcome a = withBase.DensityOf(MemoryStrategy.DynamicMemory).AtMedian!, b = without.DensityOf(MemoryStrategy.DynamicMemory).AtMedian!;
        Assert.True(a.MeanDemandPerVmMb > b.MeanDemandPerVmMb);

        // With the defaults no VM of the sample demands more than its size for most of its on-time; fixed 1 GB pages at any
        // density (the sample's VMs are mostly larger than 1 GB), and says so.
        Assert.DoesNotContain(withBase.Unservable, u => u.Share > 0.5);
        Assert.True(withBase.DensityOf(MemoryStrategy.Fixed(1024)).NeverMeets);
        Assert.Contains(withBase.Warnings, w => w.Contains("only 9 VMs", StringComparison.Ordinal));
    }
}

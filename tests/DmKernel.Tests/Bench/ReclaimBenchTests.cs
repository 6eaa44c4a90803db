using DmKernel.Benchmarks;

namespace DmKernel.Tests.Bench;

/// <summary>
/// ReclaimBench (not in CI's quick run) sets up what it says it measures: its setup throws unless the pass starts most
/// of the requested VMs by reclaiming from donors, with Available under 512 MB before it, and the scan and the index
/// leave the same fleet (its saved state, byte for byte); each operation then starts from the same state.
/// </summary>
public class ReclaimBenchTests
{
    [Theory]
    [InlineData(64)]
    [InlineData(1000)]
    public void Setup_GivesAPassThatReclaims_AndBothMethodsFromTheSameState_AgreeOnTheHost(int vmsPerHost)
    {
        var bench = new ReclaimBench { VmsPerHost = vmsPerHost };
        bench.Setup();
        int scanned = bench.Scan();
        bench.Restore();
        int indexed = bench.Indexed();
        Assert.Equal(scanned, indexed);
        bench.Restore();
        Assert.Equal(scanned, bench.Scan()); // the restore gives the same pass again
    }
}

using DmKernel.Traces;
using DmKernel.Traces.Capacity;

namespace DmKernel.Tests.Capacity;

/// <summary>
/// The edges of compare's data warnings (docs/compare.md, "Warnings"), which <see cref="CompareWarningsTests"/> checks at
/// 300-s ticks and well inside each threshold only (a mutation round at stop 58 left the thresholds free): the short-trace
/// warning's two rules apart (fewer than 12 ticks, or under an hour), the few-source draw at 29 and 30 and on a trace of
/// fewer than 30 VMs, the fewest of a chain whichever key comes first, the on-share at exactly 75 % and at 74.5 %, a VM on at
/// 0 MB, VMs never on, the one line of the VMs too large beyond the first three, and whole machines as large as the hosts
/// said once.
/// </summary>
public class CompareWarningsBoundaryTests
{
    private static TraceSeries Fleet(int vms, int ticks, Func<int, int, int> value, double tickSeconds = 300, TraceMetadata? metadata = null, Func<int, VmSettings>? settings = null)
        => CompareWarningsTests.Fleet(vms, ticks, value, metadata, settings, tickSeconds);

    private static CapacityResult Run(TraceSeries s) => CompareWarningsTests.Run(s);

    private static bool Says(CapacityResult r, string text) => CompareWarningsTests.Says(r, text);

    [Fact]
    public void ShortTrace_UnderAnHourAtManyTicks_IsShort_AsAreFewerThan12LongTicks()
    {
        // 60-s ticks: 59 of them (59 min) are under an hour though well over 12 ticks; 60 (an hour) are not short.
        Assert.True(Says(Run(Fleet(40, 59, (v, t) => 600, tickSeconds: 60)), "The trace is short: 59 ticks of 60 s (59 min)"));
        Assert.False(Says(Run(Fleet(40, 60, (v, t) => 600, tickSeconds: 60)), "The trace is short"));

        // Hourly ticks: 11 of them (11 h) are fewer than 12 ticks though far over an hour; 12 are not short.
        Assert.True(Says(Run(Fleet(40, 11, (v, t) => 600, tickSeconds: 3600)), "The trace is short: 11 ticks of 3600 s (660 min)"));
        Assert.False(Says(Run(Fleet(40, 12, (v, t) => 600, tickSeconds: 3600)), "The trace is short"));
    }

    [Fact]
    public void FewSourceVms_29IsFew_30IsNot_AndATraceOfFewerThan30VmsHasItsOwnLineOnly()
    {
        Assert.True(Says(Run(Fleet(40, 24, (v, t) => 600, metadata: new TraceMetadata().Set("gen.pool_vms", "29"))), "The trace's 40 VMs were drawn (generate --from) from only 29 source VMs"));
        Assert.False(Says(Run(Fleet(40, 24, (v, t) => 600, metadata: new TraceMetadata().Set("gen.pool_vms", "30"))), "were drawn (generate --from)"));

        // 30 VMs drawn from 2: said. 20 drawn from 2: the trace's own few-VM line says it, not a second one.
        Assert.True(Says(Run(Fleet(30, 24, (v, t) => 600, metadata: new TraceMetadata().Set("gen.pool_vms", "2"))), "The trace's 30 VMs were drawn (generate --from) from only 2 source VMs"));
        CapacityResult twenty = Run(Fleet(20, 24, (v, t) => 600, metadata: new TraceMetadata().Set("gen.pool_vms", "2")));
        Assert.True(Says(twenty, "The trace has only 20 VMs"));
        Assert.False(Says(twenty, "were drawn (generate --from)"));
    }

    [Fact]
    public void FewestSourceVms_IsTheFewestOfTheChain_WhicheverComesFirst()
    {
        // The draw itself from 16 of a source drawn from 100: 16, though the deeper key comes last.
        Assert.Equal(16, CapacityStudy.FewestSourceVms(new TraceMetadata().Set("gen.pool_vms", "16").Set("gen.source.gen.pool_vms", "100")));
        Assert.Equal(16, CapacityStudy.FewestSourceVms(new TraceMetadata().Set("gen.source.gen.pool_vms", "100").Set("gen.pool_vms", "16")));
        Assert.Equal(3, CapacityStudy.FewestSourceVms(new TraceMetadata().Set("gen.pool_vms", "50").Set("gen.source.gen.source.gen.pool_vms", "3").Set("gen.source.gen.pool_vms", "9")));

        // Only generate --from's own keys: a key with nothing before ".gen.pool_vms" is none of them.
        Assert.Null(CapacityStudy.FewestSourceVms(new TraceMetadata().Set(".gen.pool_vms", "2")));
        Assert.Null(CapacityStudy.FewestSourceVms(new TraceMetadata().Set("gen.source.x.gen.pool_vms", "2")));
    }

    [Fact]
    public void OnShare_Exactly75Percent_IsNotWarned_74Point5PercentIs()
    {
        // 18 of 24 ticks on: 75.0 % exactly, at the threshold (below it warns); 149 of 200: 74.5 %, warned. The off spans in
        // the middle (an empty span at an edge is left out since stop 61).
        Assert.False(Says(Run(Fleet(40, 24, (v, t) => t is >= 9 and < 15 ? -1 : 600)), "The VMs compared are on for"));
        Assert.True(Says(Run(Fleet(40, 200, (v, t) => t is >= 100 and < 151 ? -1 : 600)), "The VMs compared are on for 74.5 % of the trace's ticks on average"));

        // The mean is over VMs: half the VMs on throughout, half for half the trace, 75 % (not warned); one tick less, warned.
        Assert.False(Says(Run(Fleet(40, 24, (v, t) => v % 2 == 0 || t >= 12 ? 600 : -1)), "The VMs compared are on for"));
        Assert.True(Says(Run(Fleet(40, 24, (v, t) => v % 2 == 0 || t >= 13 ? 600 : -1)), "The VMs compared are on for"));
    }

    [Fact]
    public void OnShare_AVmOnAtZeroMb_IsOn_AndVmsNeverOnAreLeftOutOfTheMean()
    {
        // A value of 0 MB is a VM on with no demand (-1 is off): on for the whole trace.
        Assert.False(Says(Run(Fleet(40, 24, (v, t) => t < 12 ? 0 : 600)), "The VMs compared are on for"));

        // 20 VMs never on among 40 always on: left out of the draws (said), so not off time spread among the drawn VMs.
        CapacityResult r = Run(Fleet(60, 24, (v, t) => v < 40 ? 600 : -1));
        Assert.True(Says(r, "20 VM(s) are never on in the trace"));
        Assert.False(Says(r, "The VMs compared are on for"));
    }

    [Fact]
    public void ManyVmsTooLarge_BeyondTheFirstThree_FiveNamed_ThenDots_AndTheLargestHostThatHoldsEvery()
    {
        // Nine VMs too large for 64 GB hosts (2 GB reserve), of 64 GB + 1 GB × k in this order of k: the first three named a
        // line each, the other six in one line naming five and "...", with the host of the largest of those six, k = 8.
        int[] k = [2, 7, 3, 1, 8, 0, 5, 4, 6];
        CapacityResult r = Run(Fleet(49, 24, (v, t) => 600, settings: v => v >= 40
            ? VmSettings.Dynamic(65_536 + (1024 * k[v - 40]), 512, 65_536 + (1024 * k[v - 40]))
            : VmSettings.Dynamic(1024, 512, 4096)));
        Assert.Equal(9, r.TooLarge.Count);
        Assert.Equal(3, r.Warnings.Count(w => w.StartsWith("VM 'vm-4", StringComparison.Ordinal) && w.Contains("to start under", StringComparison.Ordinal)));
        string rest = Assert.Single(r.Warnings, w => w.StartsWith("6 more VMs are too large", StringComparison.Ordinal));
        int largest = 65_536 + (1024 * 8) + 2048;
        Assert.Contains($"('vm-43', 'vm-44', 'vm-45', 'vm-46', 'vm-47', ...; comparison.json's leftOut lists them all; a host of --host-mb {largest} or more would hold every one)", rest, StringComparison.Ordinal);
    }

    [Fact]
    public void WholeMachinesAsLargeAsTheHosts_AreSaidOnce()
    {
        // Alibaba machines of 40 GB on 64 GB hosts: two do not fit one host. The "as large as the hosts" line already says
        // a trace of whole machines answers how busy machines are; the whole-machines line is for machines smaller than
        // the hosts, not a second line here.
        CapacityResult r = Run(Fleet(40, 24, (v, t) => 3000, metadata: new TraceMetadata().Set("import.format", AlibabaImporter.Format),
            settings: v => VmSettings.Dynamic(1024, 512, 40_960)));
        Assert.True(Says(r, "The trace's VMs are as large as the hosts (median provisioned size 40960 MB, hosts of 65536 MB)"));
        Assert.Single(r.Warnings, w => w.Contains("Alibaba's machine_usage", StringComparison.Ordinal));
    }
}

using DmKernel.Traces;
using DmKernel.Traces.Capacity;

namespace DmKernel.Tests.Capacity;

/// <summary>
/// Warnings where the data cannot carry the answer the report gives (a reviewer's runs on other sources than Bitbrains:
/// docs/compare.md, "Warnings"): a trace too short, VMs off for much of it, a draw from a few source VMs, whole machines on
/// larger hosts, and many VMs too large for the host said in one line.
/// </summary>
public class CompareWarningsTests
{
    private static readonly TraceHost Host = new(65_536, 2048);

    internal static TraceSeries Fleet(int vms, int ticks, Func<int, int, int> value, TraceMetadata? metadata = null, Func<int, VmSettings>? settings = null, double tickSeconds = 300)
    {
        var values = new int[vms * ticks];
        for (int v = 0; v < vms; v++)
        {
            for (int t = 0; t < ticks; t++)
                values[(v * ticks) + t] = value(v, t);
        }

        return TraceSeries.FromValues("t", tickSeconds, [.. Enumerable.Range(0, vms).Select(v => new TraceVm($"vm-{v}", settings?.Invoke(v) ?? VmSettings.Dynamic(1024, 512, 4096)))], ticks, values, metadata);
    }

    internal static CapacityResult Run(TraceSeries s) => CapacityStudy.Run(s, new CapacityOptions { Host = Host, Threads = 1, Seeds = 1, HostsPerProbe = 2 });

    internal static bool Says(CapacityResult r, string text) => r.Warnings.Any(w => w.Contains(text, StringComparison.Ordinal));

    [Fact]
    public void AShortTrace_IsSaidToBeShort_AnHourOrMoreIsNot()
    {
        // A reviewer's one tick of 60 s answered "yes, 2.83 x" with no word. 11 ticks of 300 s (55 min): short; 12 (an hour): not.
        CapacityResult one = Run(Fleet(40, 1, (v, t) => 600));
        Assert.Contains(one.Warnings, w => w.StartsWith("The trace is short: 1 tick of 300 s (5 min)", StringComparison.Ordinal));
        Assert.True(Says(Run(Fleet(40, 11, (v, t) => 600)), "The trace is short: 11 ticks of 300 s (55 min)"));
        Assert.False(Says(Run(Fleet(40, 12, (v, t) => 600)), "The trace is short"));

        // Cut by the comparison's tick limit, the words name it, not the trace (a reviewer).
        CapacityResult cut = CapacityStudy.Run(Fleet(40, 24, (v, t) => 600), new CapacityOptions { Host = Host, Threads = 1, Seeds = 1, HostsPerProbe = 2, Probe = new ProbeOptions { MaxTicks = 10 } });
        Assert.Contains(cut.Warnings, w => w.StartsWith("The ticks compared are few (the comparison's tick limit, --max-ticks, cut the trace's 24): 10 ticks of 300 s (50 min)", StringComparison.Ordinal));
        Assert.False(Says(cut, "The trace is short"));
    }

    [Fact]
    public void VmsOffForMuchOfTheTrace_AreSaidToBeSpreadAsOffTime()
    {
        // Every VM off for half the trace, in its middle (an empty span at an edge is left out since stop 61: the
        // CompareWindowEdgeTests): on 50 % on average.
        CapacityResult half = Run(Fleet(40, 24, (v, t) => t is >= 6 and < 18 ? -1 : 600));
        Assert.Contains(half.Warnings, w => w.StartsWith("The VMs compared are on for 50.0 % of the trace's ticks on average", StringComparison.Ordinal));

        // On for 22 of 24 ticks (92 %): no such line; nor for a fleet always on.
        Assert.False(Says(Run(Fleet(40, 24, (v, t) => t is 11 or 12 ? -1 : 600)), "The VMs compared are on for"));
        Assert.False(Says(Run(Fleet(40, 24, (v, t) => 600)), "The VMs compared are on for"));
    }

    [Fact]
    public void ADrawFromAFewSourceVms_IsSaidToRepeatThem()
    {
        var meta = new TraceMetadata().Set("gen.pool_vms", "2");
        CapacityResult r = Run(Fleet(40, 24, (v, t) => 600 + (v % 2 * 100), meta));
        Assert.True(Says(r, "The trace's 40 VMs were drawn (generate --from) from only 2 source VMs"));
        Assert.False(Says(Run(Fleet(40, 24, (v, t) => 600, new TraceMetadata().Set("gen.pool_vms", "30"))), "were drawn (generate --from)"));

        // A draw of a draw: 100 VMs drawn from a draw of 16 machines repeat 16 series (a reviewer: only the immediate 100 was read).
        var chain = new TraceMetadata().Set("gen.pool_vms", "100").Set("gen.source.gen.pool_vms", "16");
        Assert.True(Says(Run(Fleet(40, 24, (v, t) => 600, chain)), "The trace's 40 VMs were drawn (generate --from) from only 16 source VMs"));
        Assert.Equal(16, CapacityStudy.FewestSourceVms(chain));
        Assert.Null(CapacityStudy.FewestSourceVms(new TraceMetadata().Set("x.gen.pool_vms", "2")));
    }

    [Fact]
    public void WholeMachines_AreSaidToBeMachines_AlsoWhenDrawnByGenerateFrom_AndOnHostsLargerThanThem()
    {
        // Machines of 4 GB on 64 GB hosts: not "as large as the hosts", yet still machines (a reviewer's generate --from of
        // the Alibaba sample answered "yes, 1.11 x" with no warning).
        CapacityResult imported = Run(Fleet(40, 24, (v, t) => 3000, new TraceMetadata().Set("import.format", AlibabaImporter.Format)));
        Assert.Contains(imported.Warnings, w => w.StartsWith("The trace's VMs are whole machines (Alibaba's machine_usage: one aggregate VM per machine", StringComparison.Ordinal));
        CapacityResult drawn = Run(Fleet(40, 24, (v, t) => 3000, new TraceMetadata().Set("gen.source.gen.source.import.format", AlibabaImporter.Format)));
        Assert.True(Says(drawn, "whole machines (Alibaba's machine_usage, drawn by generate --from:"));
        Assert.False(Says(Run(Fleet(40, 24, (v, t) => 3000, new TraceMetadata().Set("import.format", BitbrainsImporter.Format))), "whole machines"));
        Assert.False(Says(Run(Fleet(40, 24, (v, t) => 3000, new TraceMetadata().Set("gen.source.x.import.format", AlibabaImporter.Format))), "whole machines"));
    }

    [Fact]
    public void ManyVmsTooLargeForTheHost_TheFirstThreeNamed_TheRestInOneLine()
    {
        // 6 VMs of 128 GB among 40 of 4 GB on 64 GB hosts: three lines, then one for the other three with the host that holds all.
        CapacityResult r = Run(Fleet(46, 24, (v, t) => 600, settings: v => v >= 40 ? VmSettings.Dynamic(131_072, 512, 131_072) : VmSettings.Dynamic(1024, 512, 4096)));
        Assert.Equal(3, r.Warnings.Count(w => w.StartsWith("VM 'vm-4", StringComparison.Ordinal) && w.Contains("to start under", StringComparison.Ordinal)));
        string rest = Assert.Single(r.Warnings, w => w.StartsWith("3 more VMs are too large", StringComparison.Ordinal));
        Assert.Contains("('vm-43', 'vm-44', 'vm-45'; comparison.json's leftOut lists them all; a host of --host-mb 133120 or more would hold every one)", rest, StringComparison.Ordinal);
        Assert.Equal(6, r.TooLarge.Count);
    }
}

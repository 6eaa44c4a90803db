using DmKernel.Tests.Replay;
using DmKernel.Traces;
using DmKernel.Traces.Capacity;

namespace DmKernel.Tests.Capacity;

/// <summary>The study as plan, run (a subset of) searches, assemble: the union of subsets run apart assembles to one run.</summary>
public class CapacityPlanTests
{
    private static (TraceSeries Series, CapacityOptions Options) Sample()
    {
        using NativeTraceReader reader = NativeTraceReader.Open(ReplayDeterminismTests.SampleTrace);
        TraceSeries series = TraceSeries.Load(reader, 240);
        return (series, new CapacityOptions
        {
            Host = new TraceHost(223_232, 2048),
            Seeds = 2,
            Threads = 2,
            Policies = [BalancerPolicy.Parse("esx"), BalancerPolicy.HyperV],
            Sensitivity = CapacityOptions.DefaultSensitivity(DemandModel.FromMetadata(series.Metadata)),
            MinimumSensitivity = CapacityOptions.DefaultMinimumSensitivity,
        });
    }

    [Fact]
    public void SearchesRunInThreeSubsets_AssembleInAnyOrder_ToTheResultOfOneRun()
    {
        (TraceSeries series, CapacityOptions options) = Sample();
        CapacityResult one = CapacityStudy.Run(series, options);

        CapacityPlan plan = CapacityStudy.Plan(series, options with { Threads = 1 });
        int[] shardOf = plan.Assign(3);
        Assert.Equal(shardOf, plan.Assign(3)); // deterministic
        Assert.All(shardOf, s => Assert.InRange(s, 0, 2));
        long[] load = new long[3];
        for (int i = 0; i < shardOf.Length; i++)
            load[shardOf[i]] += plan.Weight(i);
        Assert.True(load.Max() - load.Min() <= Enumerable.Range(0, shardOf.Length).Max(plan.Weight), $"unbalanced: {string.Join(", ", load)}");

        var union = new List<SearchOutcome>();
        for (int s = 2; s >= 0; s--)
            union.AddRange(CapacityStudy.RunSearches(CapacityStudy.Plan(series, options), i => shardOf[i] == s));
        Assert.Equal(plan.Searches.Count, union.Count);
        union.Reverse();
        CapacityResult merged = CapacityStudy.Assemble(options, plan.Facts, union);

        Assert.Equal(one.ProbesRun, merged.ProbesRun);
        Assert.Equal(one.VmTicksReplayed, merged.VmTicksReplayed);
        Assert.Equal(one.Verdict, merged.Verdict);
        Assert.Equal(one.Densities.Select(d => string.Join(",", d.Seeds.Select(s => s.VmsPerHost))), merged.Densities.Select(d => string.Join(",", d.Seeds.Select(s => s.VmsPerHost))));
        Assert.Equal(one.Densities.Select(d => string.Join(",", d.Curve.Select(c => $"{c.VmsPerHost}:{c.Outcome.PagingVmTicks}"))),
            merged.Densities.Select(d => string.Join(",", d.Curve.Select(c => $"{c.VmsPerHost}:{c.Outcome.PagingVmTicks}"))));
        Assert.Equal(one.Hosts.Select(h => h.Hosts), merged.Hosts.Select(h => h.Hosts));
        Assert.Equal(one.Sensitivity.Select(c => c.Verdict), merged.Sensitivity.Select(c => c.Verdict));
        Assert.Equal(2, merged.MinimumSensitivity.Count);
        Assert.Equal(one.MinimumSensitivity.Select(c => (c.Verdict, c.MeanMinimumMb, c.DynamicMemory.Median)), merged.MinimumSensitivity.Select(c => (c.Verdict, c.MeanMinimumMb, c.DynamicMemory.Median)));
        Assert.Equal(one.Policies.Select(p => p.SideBySide.PagingVmTicks), merged.Policies.Select(p => p.SideBySide.PagingVmTicks));
        Assert.Equal(one.Starving, merged.Starving);
        Assert.Equal(one.Warnings, merged.Warnings);

        // Every search once: a missing or repeated one is refused.
        Assert.Throws<ArgumentException>(() => CapacityStudy.Assemble(options, plan.Facts, union.Skip(1)));
        Assert.Throws<ArgumentException>(() => CapacityStudy.Assemble(options, plan.Facts, [.. union, union[0]]));
    }
}

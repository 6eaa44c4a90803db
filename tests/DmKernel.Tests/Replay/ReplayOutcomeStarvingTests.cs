using DmKernel.Tests.Traces;
using DmKernel.Traces;
using DmKernel.Traces.Replay;

namespace DmKernel.Tests.Replay;

/// <summary>
/// The starving VMs of a replay (<see cref="ReplayOutcome.TopStarving"/>, one pass keeping the best so far) are exactly
/// the first of all paging VMs sorted by the starving order (<see cref="ReplayOutcome.Top"/>): more paging ticks, then
/// more unmet demand, then trace order.
/// </summary>
public class ReplayOutcomeStarvingTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(100_000)]
    [InlineData(int.MaxValue)]
    public void TopStarving_IsTheFullSortsFirst(int count)
    {
        using var dir = new TempDir();
        string path = dir.File("short.dmt");
        // Hosts sized to their Startup: VMs page, many with equal paging ticks (the ties' order matters).
        TraceGenerator.Generate(path, new TraceGeneratorOptions { Vms = 600, Hosts = 6, Ticks = 120, Seed = 11, HostHeadroom = 1.0 });
        using NativeTraceReader reader = NativeTraceReader.Open(path);
        using var engine = new ReplayEngine(reader, new ReplayOptions());
        while (engine.Step())
        {
        }

        int[] traceIndex = [.. Enumerable.Range(0, engine.Vms.Count).Select(v => 5000 + (v * 7 % engine.Vms.Count))];
        foreach (IReadOnlyList<int>? index in new[] { null, traceIndex })
        {
            var all = new List<StarvingVm>();
            for (int v = 0; v < engine.Vms.Count; v++)
            {
                int slot = engine.SlotOf(v);
                if (engine.Metrics.PagingTicksBySlot[slot] > 0)
                {
                    all.Add(new StarvingVm(index?[v] ?? v, engine.Vms[v].Id, engine.Metrics.PagingTicksBySlot[slot], engine.Metrics.UnmetMbTicksBySlot[slot])
                    { UnservableTicks = engine.Metrics.UnservableTicksBySlot[slot] });
                }
            }

            Assert.True(all.Count > 20, $"the workload has paging VMs ({all.Count})");
            Assert.True(all.GroupBy(s => s.PagingTicks).Any(g => g.Count() > 1), "some VMs tie on paging ticks");
            Assert.Equal(ReplayOutcome.Top([.. all], count), ReplayOutcome.TopStarving(engine, index, count));

            // The servable ranking likewise: by paging ticks less unservable ones, VMs with none left out.
            Assert.Contains(all, s => s.UnservableTicks > 0);
            Assert.Contains(all, s => s.ServableTicks == 0);
            Assert.True(all.Where(s => s.ServableTicks > 0).GroupBy(s => s.ServableTicks).Any(g => g.Count() > 1), "some VMs tie on servable paging ticks");
            List<StarvingVm> servable = ReplayOutcome.TopStarvingServable(engine, index, count);
            Assert.Equal(ReplayOutcome.TopServable([.. all], count), servable);
            // Both orders against an independent statement of them (the ties included: more unmet demand, then trace order).
            Assert.Equal(all.OrderByDescending(s => s.PagingTicks).ThenByDescending(s => s.UnmetMbTicks).ThenBy(s => s.Vm).Take(count),
                ReplayOutcome.TopStarving(engine, index, count));
            Assert.Equal(all.Where(s => s.ServableTicks > 0).OrderByDescending(s => s.ServableTicks).ThenByDescending(s => s.UnmetMbTicks).ThenBy(s => s.Vm).Take(count),
                servable);
            Assert.All(servable, s => Assert.True(s.ServableTicks > 0));
            Assert.Equal(Math.Min(count, all.Count(s => s.ServableTicks > 0)), servable.Count);
        }
    }

    [Fact]
    public void TopStarving_NegativeCount_IsRefused()
    {
        using NativeTraceReader reader = NativeTraceReader.Open(ReplayDeterminismTests.SampleTrace);
        using var engine = new ReplayEngine(reader, new ReplayOptions { MaxTicks = 1 });
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => ReplayOutcome.TopStarving(engine, null, -1));
    }
}

using DmKernel.Tests.Support;

namespace DmKernel.Tests.Kernel;

/// <summary>The fleet totals a replay records after each tick: hand-checked on a small fleet, and the vector pass equal to the plain loop.</summary>
public class FleetStatisticsTests
{
    [Fact]
    public void Measure_SmallFleet_MatchesHandCountedTotals()
    {
        // One host of 4,096 MB with room for all three; VM 1 demands more than its Maximum, so it pages.
        var fleet = new Fleet(RandomFleet.FastModel, [new HostSpec(4096, 4, 0)]);
        int a = fleet.AddVm(0, VmSettings.Dynamic(512, 256, 1024, 20, 5000));
        int b = fleet.AddVm(0, VmSettings.Dynamic(512, 256, 768, 20, 5000));
        int off = fleet.AddVm(0, VmSettings.Dynamic(512, 256, 1024, 20, 5000));
        fleet.SetCommitted(a, 400);
        fleet.SetCommitted(b, 900);
        fleet.SetCommitted(off, 100);
        fleet.RequestStart(a);
        fleet.RequestStart(b);
        using var balancer = new Balancer(fleet, KernelPath.Scalar);
        for (int t = 0; t < 10; t++)
            balancer.Tick(); // past BootGrace: both Running and balanced

        // R9: Target = ceil(Demand × 1.2) to the granule, within Minimum..Maximum: a → 480, b → 768 (its Maximum).
        Assert.Equal(480, fleet.Assigned[a]);
        Assert.Equal(768, fleet.Assigned[b]);
        var bins = new long[201];
        var paging = new int[fleet.SlotCount];
        var unmet = new long[fleet.SlotCount];
        TickTotals t1 = FleetStatistics.Measure(fleet, bins, paging, unmet);

        Assert.Equal(2, t1.OnVms);
        Assert.Equal(2, t1.RunningDynamicVms);
        Assert.Equal(1, t1.PagingVms);
        Assert.Equal(900 - 768, t1.UnmetMb);
        Assert.Equal(480 + 768, t1.AssignedMb);
        Assert.Equal(400 + 900, t1.DemandMb);
        Assert.Equal(fleet.Pressure[a] + fleet.Pressure[b], t1.PressureSum);
        Assert.Equal(Math.Max(fleet.Pressure[a], fleet.Pressure[b]), t1.PressureMax);
        Assert.Equal(4096 - 480 - 768, t1.AvailableMb);
        Assert.Equal(0, t1.ShortHosts);
        Assert.Equal(1, bins[Math.Min(fleet.Pressure[a], 200)]);
        Assert.Equal(1, bins[Math.Min(fleet.Pressure[b], 200)]);
        Assert.Equal(2, bins.Sum());
        Assert.Equal([0, 1, 0], paging.AsSpan(0, 3).ToArray());
        Assert.Equal(900 - 768, unmet[b]);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(3, true)]
    public void MeasureVector_EqualsTheScalarLoop_EveryTick(int seed, bool edges)
    {
        var fleet = new RandomFleet(seed, edges).Build(RandomFleet.FastModel, [37, 64, 5, 130, 0, 16], fillFactor: 0.6);
        var ops = new RandomFleet(seed ^ 0x77, edges);
        using var balancer = new Balancer(fleet, KernelPath.Scalar);
        var binsS = new long[151];
        var binsV = new long[151];
        var wideS = new long[5000];
        var wideV = new long[5000];
        var pagingS = new int[fleet.SlotCount];
        var pagingV = new int[fleet.SlotCount];
        var unmetS = new long[fleet.SlotCount];
        var unmetV = new long[fleet.SlotCount];
        int pagingTicks = 0, shortTicks = 0;
        for (int t = 0; t < 300; t++)
        {
            ops.Step(fleet, [fleet], activity: 0.08);
            balancer.Tick();
            TickTotals s = FleetStatistics.MeasureScalar(fleet, binsS, pagingS, unmetS);
            TickTotals v = FleetStatistics.MeasureVector(fleet, binsV, pagingV, unmetV);
            Assert.Equal(s, v);
            Assert.Equal(binsS, binsV);
            Assert.Equal(pagingS, pagingV);
            Assert.Equal(unmetS, unmetV);
            Assert.Equal(s, FleetStatistics.Measure(fleet, [])); // no bins, no per-slot arrays: the same totals

            // More bins than the vector pass counts in its per-thread copies: counted directly, still equal.
            Array.Clear(wideS);
            Array.Clear(wideV);
            FleetStatistics.MeasureScalar(fleet, wideS, default, default);
            FleetStatistics.MeasureVector(fleet, wideV, default, default);
            Assert.Equal(wideS, wideV);
            pagingTicks += s.PagingVms > 0 ? 1 : 0;
            shortTicks += s.ShortHosts > 0 ? 1 : 0;
        }

        // The run reached the cases the per-lane code is about.
        Assert.True(pagingTicks > 50, $"paging in {pagingTicks} ticks");
        Assert.True(shortTicks > 10, $"short hosts in {shortTicks} ticks");
        Assert.True(binsS.Sum() > 1000, $"{binsS.Sum()} pressure samples");
    }

    [Theory]
    [InlineData(4, 151)]
    [InlineData(5, 5000)]
    [InlineData(6, 0)]
    public void FleetMeter_HostRangesInAnyGrouping_EqualOneMeasure(int seed, int bins)
    {
        var fleet = new RandomFleet(seed, true).Build(RandomFleet.FastModel, [37, 64, 5, 130, 0, 16, 48], fillFactor: 0.6);
        var ops = new RandomFleet(seed ^ 0x55, true);
        using var balancer = new Balancer(fleet, KernelPath.Scalar);
        var meter = new FleetMeter(fleet, bins);
        var rng = new Random(seed);
        var binsWhole = new long[bins];
        var binsMeter = new long[bins];
        var pagingWhole = new int[fleet.SlotCount];
        var pagingMeter = new int[fleet.SlotCount];
        var unmetWhole = new long[fleet.SlotCount];
        var unmetMeter = new long[fleet.SlotCount];
        for (int t = 0; t < 120; t++)
        {
            ops.Step(fleet, [fleet], activity: 0.08);
            balancer.Tick();
            TickTotals whole = FleetStatistics.Measure(fleet, binsWhole, pagingWhole, unmetWhole);

            // The hosts in random ranges, measured in a random order (empty ranges included).
            var ranges = new List<(int First, int Count)>();
            for (int h = 0; h < fleet.HostCount;)
            {
                int n = rng.Next(0, 4);
                n = Math.Min(n, fleet.HostCount - h);
                ranges.Add((h, n));
                h += n;
            }

            meter.Begin();
            foreach ((int first, int count) in ranges.OrderBy(_ => rng.Next()))
                meter.AddHosts(first, count, pagingMeter, unmetMeter);
            Assert.Equal(whole, meter.End(binsMeter));
            Assert.Equal(binsWhole, binsMeter);
            Assert.Equal(pagingWhole, pagingMeter);
            Assert.Equal(unmetWhole, unmetMeter);
        }

        Assert.True(pagingWhole.Sum() > 0, "some VMs paged");
        if (bins > 0)
            Assert.True(binsWhole.Sum() > 1000, $"{binsWhole.Sum()} pressure samples");
    }

    [Fact]
    public void FleetMeter_BadRangeOrSpans_NameTheArgument()
    {
        var fleet = new Fleet(RandomFleet.FastModel, [new HostSpec(4096, 4, 0), new HostSpec(4096, 4, 0)]);
        var meter = new FleetMeter(fleet, 10);
        meter.Begin();
        Assert.Contains("Hosts [1, 3)", Assert.ThrowsAny<ArgumentOutOfRangeException>(() => meter.AddHosts(1, 2, default, default)).Message, StringComparison.Ordinal);
        Assert.Equal("pagingTicks", Assert.Throws<ArgumentException>(() => meter.AddHosts(0, 1, new int[3], new long[3])).ParamName);
        Assert.Equal("pressureBins", Assert.Throws<ArgumentException>(() => meter.End(new long[9])).ParamName);
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => new FleetMeter(fleet, -1));
    }

    /// <summary>
    /// A meter's tick is Begin, every host once, End: a call out of that order, a host measured twice or one left out is
    /// refused naming it (before: End without Begin gave the last tick's totals again, and a host measured twice was
    /// counted twice, in silence). A refused call leaves the tick open: measuring the rest still gives one Measure's totals.
    /// </summary>
    [Fact]
    public void FleetMeter_OutOfOrder_TwiceOrLeftOut_IsRefusedNamingTheHost()
    {
        var fleet = new Fleet(RandomFleet.FastModel, [new HostSpec(4096, 4, 0), new HostSpec(4096, 4, 0), new HostSpec(4096, 4, 0)]);
        for (int h = 0; h < 3; h++)
            fleet.RequestStart(fleet.AddVm(h, VmSettings.Dynamic(1024, 512, 2048)));
        using (var balancer = new Balancer(fleet, KernelPath.Scalar))
            balancer.Tick(3);
        var meter = new FleetMeter(fleet, 0);
        Assert.Contains("without Begin", Assert.Throws<InvalidOperationException>(() => meter.AddHosts(0, 1, default, default)).Message, StringComparison.Ordinal);
        Assert.Contains("without Begin", Assert.Throws<InvalidOperationException>(() => meter.End(default)).Message, StringComparison.Ordinal);

        meter.Begin();
        meter.AddHosts(0, 2, default, default);
        Assert.Contains("host 1 was already measured", Assert.Throws<InvalidOperationException>(() => meter.AddHosts(1, 2, default, default)).Message, StringComparison.Ordinal);
        Assert.Contains("host 2 was not measured", Assert.Throws<InvalidOperationException>(() => meter.End(default)).Message, StringComparison.Ordinal);
        meter.AddHosts(2, 1, default, default);
        TickTotals t = meter.End(default);
        Assert.Equal(FleetStatistics.Measure(fleet, default, default, default), t);
        Assert.Equal(3, t.OnVms);
        Assert.Contains("without Begin", Assert.Throws<InvalidOperationException>(() => meter.End(default)).Message, StringComparison.Ordinal);
    }
}

using CsCheck;
using DmKernel.Tests.Support;

namespace DmKernel.Tests.Kernel;

/// <summary>
/// <see cref="FleetMeter.Add(FleetMeter)"/>: meters of disjoint host ranges (one per thread of a sharded tick) added into
/// one give exactly what one meter over every host gives, whatever the split and the order of the adds; and the adds
/// that would count a host twice, or mix fleets or histograms, are refused naming what differs.
/// </summary>
public class FleetMeterAddTests
{
    /// <summary>Pressure bins: none, one, pooled (up to <c>FleetStatistics.PooledBins</c>), and counted directly above it.</summary>
    private static readonly int[] BinChoices = [0, 1, 151, 1024, 1025, 5000];

    /// <summary>
    /// Random fleets, several ticks each; every tick the hosts split at random into 1..8 ranges (empty ones included),
    /// each range measured by a meter of its own, the meters added into one another in a random order (a random tree:
    /// any meter may be the target) and the last one ended: its totals, pressure bins and per-slot paging, unmet and
    /// unservable counters equal, field by field, one meter's over all hosts (and <see cref="FleetStatistics.Measure(Fleet, Span{long}, Span{int}, Span{long})"/>'s).
    /// </summary>
    [Fact]
    public void Add_RandomSplitsInRandomOrder_EqualOneMeterOverAllHosts()
    {
        long pagingSeen = 0, unservableSeen = 0, pressureSeen = 0, shortSeen = 0;
        Gen.Select(Gen.Int[0, int.MaxValue], Gen.Int[0, BinChoices.Length - 1], Gen.Int[1, 8], Gen.Int[0, 130].Array[1, 12], Gen.Bool)
            .Sample((seed, binChoice, maxRanges, vmsPerHost, perSlot) =>
            {
                int bins = BinChoices[binChoice];
                var fleet = new RandomFleet(seed, edgeValues: true).Build(RandomFleet.FastModel, vmsPerHost, fillFactor: 0.6);
                var ops = new RandomFleet(seed ^ 0x3c3c, edgeValues: true);
                var rng = new Random(seed);
                using var balancer = new Balancer(fleet, KernelPath.Auto);
                var one = new FleetMeter(fleet, bins);
                var meters = new FleetMeter[maxRanges];
                for (int m = 0; m < meters.Length; m++)
                    meters[m] = new FleetMeter(fleet, bins);
                int slots = perSlot ? fleet.SlotCount : 0;
                var binsOne = new long[bins];
                var binsAdded = new long[bins];
                var binsMeasure = new long[bins];
                (var pagingOne, var unmetOne, var unservableOne) = (new int[slots], new long[slots], new int[slots]);
                (var pagingAdded, var unmetAdded, var unservableAdded) = (new int[slots], new long[slots], new int[slots]);
                (var pagingMeasure, var unmetMeasure, var unservableMeasure) = (new int[slots], new long[slots], new int[slots]);
                (var pagingScalar, var unmetScalar, var unservableScalar) = (new int[slots], new long[slots], new int[slots]);
                for (int t = 0; t < 10; t++)
                {
                    ops.Step(fleet, [fleet], activity: 0.1);
                    balancer.Tick();

                    Array.Clear(binsOne);
                    one.Begin();
                    one.AddHosts(0, fleet.HostCount, pagingOne, unmetOne, unservableOne);
                    TickTotals expected = one.End(binsOne);
                    Array.Clear(binsMeasure);
                    Assert.Equal(expected with { UnservablePagingVms = 0 }, FleetStatistics.Measure(fleet, binsMeasure));
                    Assert.Equal(binsOne, binsMeasure);

                    // Measure with the unservable counters (stop 55; before, only a meter gave them): the meter's, on the
                    // vector pass and the scalar one.
                    Array.Clear(binsMeasure);
                    Assert.Equal(expected, FleetStatistics.Measure(fleet, binsMeasure, pagingMeasure, unmetMeasure, unservableMeasure));
                    Assert.Equal(expected, FleetStatistics.MeasureScalar(fleet, new long[bins], pagingScalar, unmetScalar, unservableScalar));
                    Assert.Equal(binsOne, binsMeasure);
                    Assert.Equal(unservableOne, unservableMeasure);
                    Assert.Equal(unservableOne, unservableScalar);
                    Assert.Equal(pagingOne, pagingMeasure);
                    Assert.Equal(unmetOne, unmetScalar);

                    // 1..maxRanges ranges: cut points anywhere (repeats make empty ranges), each range a meter of its own.
                    int ranges = 1 + rng.Next(maxRanges);
                    var cuts = new int[ranges + 1];
                    cuts[ranges] = fleet.HostCount;
                    for (int r = 1; r < ranges; r++)
                        cuts[r] = rng.Next(fleet.HostCount + 1);
                    Array.Sort(cuts);
                    var open = new List<FleetMeter>();
                    for (int r = 0; r < ranges; r++)
                    {
                        FleetMeter meter = meters[r];
                        meter.Begin();
                        meter.AddHosts(cuts[r], cuts[r + 1] - cuts[r], pagingAdded, unmetAdded, unservableAdded);
                        open.Add(meter);
                    }

                    while (open.Count > 1)
                    {
                        int from = rng.Next(open.Count);
                        int into = rng.Next(open.Count - 1);
                        into += into >= from ? 1 : 0;
                        open[into].Add(open[from]);
                        open.RemoveAt(from);
                    }

                    Array.Clear(binsAdded);
                    TickTotals added = open[0].End(binsAdded);
                    Assert.Equal(expected, added);
                    Assert.Equal(binsOne, binsAdded);
                    Assert.Equal(pagingOne, pagingAdded);
                    Assert.Equal(unmetOne, unmetAdded);
                    Assert.Equal(unservableOne, unservableAdded);
                    pagingSeen += expected.PagingVms;
                    unservableSeen += expected.UnservablePagingVms;
                    pressureSeen += expected.RunningDynamicVms;
                    shortSeen += expected.ShortHosts;
                }
            }, iter: 100, threads: 1);

        // The fleets reached what the totals are about.
        Assert.True(pagingSeen > 100, $"{pagingSeen} paging VM-ticks");
        Assert.True(unservableSeen > 0, $"{unservableSeen} unservable paging VM-ticks");
        Assert.True(pressureSeen > 1000, $"{pressureSeen} pressure samples");
        Assert.True(shortSeen > 0, $"{shortSeen} short host-ticks");
    }

    /// <summary>
    /// The pattern docs/public-api.md shows: a sharded tick whose ranges are ticked and measured on threads of their own,
    /// one meter each, then added into one: the same totals, bins and per-slot counters as a twin fleet ticked whole and
    /// measured by one meter, every tick.
    /// </summary>
    [Theory]
    [InlineData(11, 2)]
    [InlineData(12, 3)]
    [InlineData(13, 5)]
    public void Add_ShardedTickOnThreads_EqualsOneMeterOfTheWholeTick(int seed, int threads)
    {
        int[] hosts = RandomFleet.MixedHosts;
        Fleet sharded = RandomFleet.Started(hosts, seed), whole = RandomFleet.Started(hosts, seed);
        var ops = new RandomFleet(seed ^ 0x5a5a, edgeValues: true);
        using var shardBalancer = new Balancer(sharded, KernelPath.Auto);
        using var wholeBalancer = new Balancer(whole, KernelPath.Auto);
        const int Bins = 201;
        var meters = new FleetMeter[threads];
        for (int k = 0; k < threads; k++)
            meters[k] = new FleetMeter(sharded, Bins);
        var one = new FleetMeter(whole, Bins);
        (var binsShard, var pagingShard, var unmetShard, var unservableShard) = (new long[Bins], new int[sharded.SlotCount], new long[sharded.SlotCount], new int[sharded.SlotCount]);
        (var binsWhole, var pagingWhole, var unmetWhole, var unservableWhole) = (new long[Bins], new int[whole.SlotCount], new long[whole.SlotCount], new int[whole.SlotCount]);
        int pagingSeen = 0;
        for (int t = 0; t < 40; t++)
        {
            ops.Step(whole, [whole, sharded], activity: 0.08);
            wholeBalancer.Tick();
            one.Begin();
            one.AddHosts(0, whole.HostCount, pagingWhole, unmetWhole, unservableWhole);
            TickTotals expected = one.End(binsWhole);

            shardBalancer.BeginTick();
            var workers = new Thread[threads];
            for (int k = 0; k < threads; k++)
            {
                int first = sharded.HostCount * k / threads, end = sharded.HostCount * (k + 1) / threads;
                FleetMeter meter = meters[k];
                workers[k] = new Thread(() =>
                {
                    meter.Begin();
                    shardBalancer.TickHosts(first, end - first);
                    meter.AddHosts(first, end - first, pagingShard, unmetShard, unservableShard);
                });
                workers[k].Start();
            }

            foreach (Thread w in workers)
                w.Join();
            shardBalancer.EndTick();
            for (int k = 1; k < threads; k++)
                meters[0].Add(meters[k]);
            Assert.Equal(expected, meters[0].End(binsShard));
            Assert.Equal(binsWhole, binsShard);
            Assert.Equal(pagingWhole, pagingShard);
            Assert.Equal(unmetWhole, unmetShard);
            Assert.Equal(unservableWhole, unservableShard);
            pagingSeen += expected.PagingVms;
        }

        Assert.Equal(whole.ComputeStateHash(), sharded.ComputeStateHash());
        Assert.True(pagingSeen > 0, "some VMs paged");
    }

    /// <summary>
    /// Adds that would give wrong totals are refused, naming what differs, and change nothing: the meter itself, a meter
    /// of another fleet (even one of the same shape) or of other bins, a meter without a tick begun or already ended,
    /// this meter without a tick begun, and a host both meters measured.
    /// </summary>
    [Fact]
    public void Add_ItselfAnotherFleetOtherBinsNoTickOrAHostTwice_IsRefusedNamingIt()
    {
        static Fleet Three()
        {
            var f = new Fleet(RandomFleet.FastModel, [new HostSpec(4096, 4, 0), new HostSpec(4096, 4, 0), new HostSpec(4096, 4, 0)]);
            for (int h = 0; h < 3; h++)
                f.RequestStart(f.AddVm(h, VmSettings.Dynamic(1024, 512, 2048)));
            using (var balancer = new Balancer(f, KernelPath.Scalar))
                balancer.Tick(3);
            return f;
        }

        Fleet fleet = Three(), twin = Three();
        var meter = new FleetMeter(fleet, 10);
        var other = new FleetMeter(fleet, 10);
        Assert.Contains("FleetMeter.Add called without Begin", Assert.Throws<InvalidOperationException>(() => meter.Add(other)).Message, StringComparison.Ordinal);
        meter.Begin();
        meter.AddHosts(0, 1, default, default);
        Assert.Contains("the other meter has no tick begun", Assert.Throws<InvalidOperationException>(() => meter.Add(other)).Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentNullException>(() => meter.Add(null!));
        var self = Assert.Throws<ArgumentException>(() => meter.Add(meter));
        Assert.Equal("other", self.ParamName);
        Assert.Contains("cannot be added to itself", self.Message, StringComparison.Ordinal);

        var ofTwin = new FleetMeter(twin, 10);
        ofTwin.Begin();
        ofTwin.AddHosts(1, 2, default, default);
        var fleets = Assert.Throws<ArgumentException>(() => meter.Add(ofTwin));
        Assert.Equal("other", fleets.ParamName);
        Assert.Contains("measures another Fleet (3 hosts, 48 slots) than this meter's (3 hosts, 48 slots)", fleets.Message, StringComparison.Ordinal);

        var otherBins = new FleetMeter(fleet, 11);
        otherBins.Begin();
        otherBins.AddHosts(1, 2, default, default);
        Assert.Contains("the other meter has 11 pressure bins; this meter has 10", Assert.Throws<ArgumentException>(() => meter.Add(otherBins)).Message, StringComparison.Ordinal);

        other.Begin();
        other.AddHosts(0, 2, default, default);
        Assert.Contains("host 0 was measured by both meters since Begin", Assert.Throws<InvalidOperationException>(() => meter.Add(other)).Message, StringComparison.Ordinal);

        // An ended meter's totals are the last tick's: refused, not added again.
        var ended = new FleetMeter(fleet, 10);
        ended.Begin();
        ended.AddHosts(0, 3, default, default);
        ended.End(default);
        Assert.Contains("the other meter has no tick begun", Assert.Throws<InvalidOperationException>(() => meter.Add(ended)).Message, StringComparison.Ordinal);

        // Nothing changed: the rest of the hosts added (from a meter that measured them) gives one Measure's totals.
        other.Begin();
        other.AddHosts(1, 2, default, default);
        meter.Add(other);
        Assert.Contains("host 1 was measured by both meters", Assert.Throws<InvalidOperationException>(() => meter.Add(other)).Message, StringComparison.Ordinal); // added twice
        var bins = new long[10];
        TickTotals t = meter.End(bins);
        var expectedBins = new long[10];
        Assert.Equal(FleetStatistics.Measure(fleet, expectedBins), t);
        Assert.Equal(expectedBins, bins);
        Assert.Equal(3, t.OnVms);
        Assert.Contains("FleetMeter.Add called without Begin", Assert.Throws<InvalidOperationException>(() => meter.Add(other)).Message, StringComparison.Ordinal);
    }

    /// <summary>Add allocates nothing: meters of three ranges measured and added tick after tick, pooled and direct bins.</summary>
    [Theory]
    [InlineData(201)]
    [InlineData(5000)]
    public void Add_EveryTick_AllocatesNothing(int bins)
    {
        Fleet fleet = RandomFleet.Started(RandomFleet.MixedHosts);
        using var balancer = new Balancer(fleet, KernelPath.Auto);
        var meters = new[] { new FleetMeter(fleet, bins), new FleetMeter(fleet, bins), new FleetMeter(fleet, bins) };
        var binCounts = new long[bins];
        int[] cuts = [0, 5, 11, fleet.HostCount];
        // Not one byte over 2 000 measurements (a tick every 50) after 100 to warm up (the least of four rounds of 50 let
        // through any allocation rarer than once in 50).
        AllocationAssert.NothingOnThisThread($"FleetMeter.Add ({bins} bins)", warmUp: 100, steps: 2000, i =>
        {
            if (i % 50 == 0)
                balancer.Tick();
            for (int k = 0; k < meters.Length; k++)
            {
                meters[k].Begin();
                meters[k].AddHosts(cuts[k], cuts[k + 1] - cuts[k], default, default);
            }

            meters[2].Add(meters[0]);
            meters[2].Add(meters[1]);
            meters[2].End(binCounts);
        });

        Assert.True(binCounts.Sum() > 0, "no pressure was counted");
    }
}

using DmKernel.Tests.Traces;
using DmKernel.Traces;
using DmKernel.Traces.Replay;

namespace DmKernel.Tests.Replay;

/// <summary>
/// Pressure percentiles are exact at any pressure (R10 reaches 100 000 %): the histogram's last bin (1000 %) keeps the
/// exact values above it. Before, a percentile whose rank fell into the last bin was reported as the maximum (a replay's
/// p50 of 1563 and 3125 % read 3125; p99 16 406 % for a true 15 625 %).
/// </summary>
public class PressurePercentileTests
{
    private static readonly double[] Ranks = [0, 1, 5, 10, 25, 40, 50, 60, 75, 80, 90, 95, 99, 99.9, 100];

    /// <summary>Nearest rank over the raw samples: the smallest v with at least p % of the samples ≤ v.</summary>
    private static int NearestRank(List<int> samples, double p)
    {
        var sorted = samples.Order().ToList();
        long rank = Math.Max(1, (long)Math.Ceiling(p / 100.0 * sorted.Count));
        return sorted[(int)rank - 1];
    }

    [Fact]
    public void Add_SamplesAboveTheLastBin_PercentilesAreTheSamplesNearestRank()
    {
        var h = new Histogram(1000);
        List<int> samples = [5, 83, 1000, 1500, 1563, 3000, 3000, 3125, 20_000, 100_000];
        foreach (int s in samples)
            h.Add(s);
        foreach (double p in Ranks)
            Assert.Equal(NearestRank(samples, p), h.Percentile(p));
        Assert.Equal([new(1500, 1), new(1563, 1), new(3000, 2), new(3125, 1), new(20_000, 1), new(100_000, 1)], h.AboveLastBin());
        Assert.Equal(8, h.Bins()[1000]); // the last bin still counts every sample from 1000 up (plots, shards)
    }

    [Fact]
    public void AddBins_ThenExactValuesAbove_GivesTheSamePercentilesAsAdd()
    {
        var rng = new Random(7);
        var samples = new List<int>();
        var direct = new Histogram(1000);
        for (int i = 0; i < 5000; i++)
        {
            int s = rng.Next(10) == 0 ? 1000 + rng.Next(40_000) : rng.Next(1001);
            samples.Add(s);
            direct.Add(s);
        }

        var binned = new Histogram(1000);
        binned.AddBins(direct.Bins(), direct.Sum, direct.Max);
        foreach ((int value, long count) in direct.AboveLastBin())
            binned.AddExactAbove(value, count);
        foreach (double p in Ranks)
        {
            Assert.Equal(NearestRank(samples, p), direct.Percentile(p));
            Assert.Equal(direct.Percentile(p), binned.Percentile(p));
        }
    }

    [Fact]
    public void AddBins_WithoutExactValues_NeverReportsTheMaximumForARankBelowIt()
    {
        var h = new Histogram(1000);
        var bins = new long[1001];
        bins[1000] = 2; // two samples of 1563 and 3125 %, values not given
        h.AddBins(bins, 1563 + 3125, 3125);
        Assert.Equal(1000, h.Percentile(50)); // at least the last bin's value, never a made-up 3125
        Assert.Equal(1000, h.Percentile(100));
    }

    [Fact]
    public void AddExactAbove_ValueInTheBinsOrMoreThanTheLastBinHolds_IsRefused()
    {
        var h = new Histogram(1000);
        var bins = new long[1001];
        bins[1000] = 1;
        h.AddBins(bins, 2000, 2000);
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => h.AddExactAbove(1000));
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => h.AddExactAbove(2000, 0));
        h.AddExactAbove(2000);
        InvalidOperationException ex = Assert.Throws<InvalidOperationException>(() => h.AddExactAbove(2000));
        Assert.Contains("holds 1 samples", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2000, h.Percentile(100));
    }

    [Fact]
    public void SaveAndLoad_KeepTheValuesAboveTheLastBin()
    {
        var h = new Histogram(1000);
        foreach (int s in (int[])[10, 1500, 1500, 7000])
            h.Add(s);
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, System.Text.Encoding.UTF8, leaveOpen: true))
            h.Save(w);
        ms.Position = 0;
        var loaded = new Histogram(1000);
        loaded.Add(5000); // replaced by the load
        using (var r = new BinaryReader(ms))
            loaded.Load(r);
        Assert.Equal(h.AboveLastBin(), loaded.AboveLastBin());
        Assert.Equal((h.Count, h.Sum, h.Max), (loaded.Count, loaded.Sum, loaded.Max));
        foreach (double p in Ranks)
            Assert.Equal(h.Percentile(p), loaded.Percentile(p));
    }

    /// <summary>
    /// A checkpoint's histogram whose values above the last bin do not fit it (a value in the bins, the last bin's own
    /// 1000 included, or more samples above than the last bin holds) is refused as corrupt, not loaded into percentiles
    /// that no replay could give.
    /// </summary>
    [Theory]
    [InlineData(1000, 1, "1 samples of 1000 above its last bin")]
    [InlineData(1500, 3, "3 samples of 1500 above its last bin, which holds 2")]
    [InlineData(1500, 0, "0 samples of 1500")]
    public void Load_ValuesAboveThatDoNotFitTheLastBin_AreRefused(int value, long count, string message)
    {
        var h = new Histogram(1000);
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            // As Save writes it: the bins (two samples in the last), count, sum, max, then the values above it.
            w.Write(1001);
            for (int i = 0; i < 1001; i++)
                w.Write(i == 1000 ? 2L : 0L);
            w.Write(2L);
            w.Write(3000L);
            w.Write(1500);
            w.Write(1);
            w.Write(value);
            w.Write(count);
        }

        ms.Position = 0;
        using var r = new BinaryReader(ms);
        var e = Assert.Throws<InvalidDataException>(() => h.Load(r));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    /// <summary>A cleared histogram has no values above its last bin left: as many as its last bin holds again can be given.</summary>
    [Fact]
    public void Clear_ForgetsTheValuesAboveTheLastBin()
    {
        var h = new Histogram(1000);
        h.Add(1500);
        h.Clear();
        Assert.Empty(h.AboveLastBin());
        var bins = new long[1001];
        bins[1000] = 1;
        h.AddBins(bins, 1200, 1200);
        h.AddExactAbove(1200);
        Assert.Equal(1200, h.Percentile(50));
        Assert.Equal([new(1200, 1)], h.AboveLastBin());
    }

    /// <summary>
    /// A replay with VMs far above their Maximum (Maximum 64 MB, committed 1 000..10 500 MB: pressures of 1 563..16 406 %)
    /// beside ordinary ones and one at exactly 1000 % (640 MB on 64: the last bin's own value, counted in the bin and not as
    /// a value above it): every percentile the summary reports equals the nearest rank over the Current Pressure of the
    /// Running DM VMs read tick by tick from the fleet.
    /// </summary>
    [Fact]
    public void Replay_PressuresAbove1000Percent_PercentilesAreExact()
    {
        using var dir = new TempDir();
        string path = dir.File("hot.dmt");
        var vms = new List<TraceVm>();
        for (int i = 0; i < 80; i++)
            vms.Add(new TraceVm($"n{i}", new VmSettings(512, 256, 1024), 0));
        for (int i = 0; i < 20; i++)
            vms.Add(new TraceVm($"hot{i}", new VmSettings(64, 32, 64), 0));
        vms.Add(new TraceVm("at1000", new VmSettings(64, 32, 64), 0));
        var committed = new int[vms.Count];
        using (var w = new NativeTraceWriter(path, new TraceDescription(60, "test: pressures above 1000 %", new TraceMetadata()), vms, [new TraceHost(131_072)]))
        {
            for (int t = 0; t < 10; t++)
            {
                for (int v = 0; v < vms.Count; v++)
                    committed[v] = v < 80 ? 300 + (10 * t) + v : v < 100 ? 1000 + (500 * (v - 80)) + t : 640;
                w.WriteTick(committed);
            }

            w.Complete();
        }

        using NativeTraceReader reader = NativeTraceReader.Open(path);
        using var engine = new ReplayEngine(reader, new ReplayOptions());
        var samples = new List<int>();
        while (engine.Step())
        {
            for (int v = 0; v < engine.Vms.Count; v++)
            {
                int slot = engine.SlotOf(v);
                if (engine.Fleet.States[slot] == VmState.Running && engine.Vms[v].Settings.DynamicMemory)
                    samples.Add(engine.Fleet.Pressure[slot]);
            }
        }

        Histogram pressure = engine.Metrics.Pressure;
        Assert.Equal(samples.Count, pressure.Count);
        Assert.True(samples.Count(s => s > 1000) > samples.Count / 10, "more than a tenth of the samples are above 1000 %: p90 and p99 fall there");
        Assert.Contains(1000, samples);
        foreach (double p in Ranks)
            Assert.Equal(NearestRank(samples, p), pressure.Percentile(p));
        Assert.Equal(samples.Max(), pressure.Max);
    }
}

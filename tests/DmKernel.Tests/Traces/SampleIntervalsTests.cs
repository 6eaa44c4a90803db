using System.Globalization;
using System.Text;
using DmKernel.Traces;

namespace DmKernel.Tests.Traces;

/// <summary>
/// The measured intervals behind a collection outage's window and the coarse-sampling warning
/// (<see cref="ImportPipeline.MeasureIntervals"/>: the 99th percentile, nearest rank, of the intervals no longer than the
/// hold; the median where most intervals are 1.5 nominal periods or longer), on intervals given by hand; and the
/// coarse-sampling warning where the hold is exactly the samples' interval (a mutation round at stop 58 left the
/// percentile's rank, the hold's edge and that warning's edge free: the tests through the Alibaba sample and
/// <see cref="AlibabaImporterTests"/> hold only the window's size to within its effect).
/// </summary>
public sealed class SampleIntervalsTests
{
    /// <summary>One series per VM, samples at the running sums of <paramref name="intervals"/> from 1000 s.</summary>
    private static ImportPipeline.SampleIntervals Measure(double period, double maxHold, params long[][] intervals)
    {
        using var tmp = new TempDir();
        using SampleSpill spill = SampleSpill.Create(tmp.File("out.dmt"));
        var cursors = new SampleCursor[intervals.Length];
        for (int v = 0; v < intervals.Length; v++)
        {
            var s = new SampleSeries($"vm{v}", spill);
            long t = 1000;
            s.Add(t, 100, 1000);
            foreach (long gap in intervals[v])
            {
                t += gap;
                s.Add(t, 100, 1000);
            }

            s.Complete();
            cursors[v] = new SampleCursor(s);
        }

        return ImportPipeline.MeasureIntervals(cursors, period, maxHold);
    }

    [Fact]
    public void HighPercentile_IsTheNearestRank99th_OfTheIntervalsWithinTheHold()
    {
        // 100 intervals within the 600-s hold: 98 of 60 s, one of 300, one of 500. The 99th percentile by nearest rank is
        // the 99th smallest, 300 s (not the 100th, 500 s; not the 98th, 60 s). A gap of 2000 s past the hold is not among
        // them: counted, 99 % of 101 would be the 100th, 500 s.
        long[] a = [.. Enumerable.Repeat(60L, 49), 300, 2000], b = [.. Enumerable.Repeat(60L, 49), 500];
        ImportPipeline.SampleIntervals m = Measure(60, 600, a, b);
        Assert.Equal(300, m.HighPercentile);
        Assert.Null(m.CoarserMedian); // most intervals are the nominal 60 s
    }

    [Fact]
    public void HighPercentile_CountsAnIntervalOfExactlyTheHold_AsHeld()
    {
        // Intervals 60, 600 and 2000 s under a 600-s hold: 600 is no gap (a gap is longer than the hold), so the held
        // intervals are 60 and 600, and their 99th percentile is 600 (of 60 alone, 60; of all three, 2000).
        ImportPipeline.SampleIntervals m = Measure(60, 600, [60, 600, 2000]);
        Assert.Equal(600, m.HighPercentile);

        // Two of the three are 1.5 nominal periods (90 s) or longer: coarse, their median (the 2nd of 3) 600 s.
        Assert.Equal(600, m.CoarserMedian);
        Assert.Null(Measure(60, 50, [60, 600, 2000]).HighPercentile); // none within the hold: none
    }

    private const string Header =
        "Timestamp [ms];\tCPU cores;\tCPU capacity provisioned [MHZ];\tCPU usage [MHZ];\tCPU usage [%];\tMemory capacity provisioned [KB];\tMemory usage [KB];\tDisk read throughput [KB/s];\tDisk write throughput [KB/s];\tNetwork received throughput [KB/s];\tNetwork transmitted throughput [KB/s]\n";

    [Fact]
    public void CoarseWarning_AHoldOfExactlyTheInterval_IsNotEveryIntervalPastIt()
    {
        // Hourly samples, none missing, at the default 300-s ticks with a hold of 3600 s: each interval (3600 s) is within
        // the hold, so the VMs are not off between samples; only a missing one (7200 s) is past it. The warning says the
        // latter, not "every interval is longer than the hold" (which a 3599-s hold makes true).
        using var tmp = new TempDir();
        for (int vm = 0; vm < 4; vm++)
        {
            var sb = new StringBuilder(Header);
            for (int i = 0; i < 12; i++)
                sb.Append(CultureInfo.InvariantCulture, $"{1_375_308_000 + (i * 3600)};\t2;\t5199.99;\t57.19;\t1.1;\t4194304.0;\t{(1024 + vm) * 1024}.0;\t0.0;\t2.46;\t0.06;\t0.06\n");
            tmp.Write(string.Create(CultureInfo.InvariantCulture, $"in/{vm}.csv"), sb.ToString());
        }

        ImportReport atHold = BitbrainsImporter.Import(tmp.File("in"), tmp.File("a.dmt"), new BitbrainsImportOptions { MaxHoldSeconds = 3600 });
        string warning = Assert.Single(atHold.Warnings, w => w.Contains("the samples come every", StringComparison.Ordinal));
        Assert.Contains("as this source documents: a single missing sample leaves a VM 7200 s without one, past the 3600-s hold", warning, StringComparison.Ordinal);
        Assert.All(TraceData.Load(tmp.File("a.dmt")).Series(0), v => Assert.NotEqual(-1, v)); // on throughout: nothing past the hold

        ImportReport below = BitbrainsImporter.Import(tmp.File("in"), tmp.File("b.dmt"), new BitbrainsImportOptions { MaxHoldSeconds = 3599 });
        Assert.Contains(below.Warnings, w => w.Contains("every interval is longer than the 3599-s hold, so at 300-s ticks each VM is off", StringComparison.Ordinal));
    }
}

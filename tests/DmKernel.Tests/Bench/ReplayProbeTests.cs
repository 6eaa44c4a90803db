using DmKernel.Benchmarks;
using DmKernel.Tests.Support;

namespace DmKernel.Tests.Bench;

/// <summary>
/// <c>--replay-probe</c>'s text (<see cref="ReplayProbe"/>): its lines from the measured values, worked by hand (ns per
/// VM-tick = a tick's milliseconds × 1e6 / VMs; rounding, alignment, the windows of 10 ticks, the A/B halves from tick 12),
/// under a culture with a decimal comma (<see cref="UnfriendlyCultureAttribute"/>): the probe prints invariant numbers.
/// And its arguments: what it reads, and the bad ones it refuses with exit code 2 before opening anything.
/// </summary>
[UnfriendlyCulture]
public class ReplayProbeTests
{
    [Fact]
    public void SetUpLine_WholeMilliseconds_AndTheWarmUpsOnlyWithIt()
    {
        Assert.Equal("set-up (open and build) 1235 ms", ReplayProbe.SetUpLine(1234.5678, null));
        Assert.Equal("set-up (open and build) 12 ms, warm-up done at 7 ms", ReplayProbe.SetUpLine(12.4, 7.49));
        Assert.Equal("set-up (open and build) 0 ms, warm-up done at 0 ms", ReplayProbe.SetUpLine(0.4, 0)); // (--warm-up: 0 is a time)
    }

    [Fact]
    public void ResultLines_AWindowPerTenTicks_MeanMinAndCpu_InNanosecondsPerVmTick()
    {
        // 2 000 VMs: a tick's milliseconds × 500 is its ns per VM-tick. 23 ticks: windows 0..9, 10..19 and 20..22.
        double[] ms = [.. Enumerable.Repeat(0.02, 9), 0.03, .. Enumerable.Repeat(4.0, 9), 3.0, 0.024, 0.025, 0.0261];
        double[] cpu = [.. Enumerable.Repeat(0.018, 10), .. Enumerable.Repeat(2.5, 10), 0.0001, 0.0002, 0.0003];
        Assert.Equal(
            [
                // (9 × 10 + 15) / 10 = 10.5 ns, right-aligned in 6; min 10; CPU 0.018 ms × 500 = 9.
                "ticks    0..   9:  10.50 ns per VM-tick (min 10.00); replay thread's CPU   9.00",
                // (9 × 2 000 + 1 500) / 10 = 1 950: wider than 6, no padding and no thousands separator.
                "ticks   10..  19: 1950.00 ns per VM-tick (min 1500.00); replay thread's CPU 1250.00",
                // (12 + 12.5 + 13.05) / 3 = 12.5166… rounds up to 12.52; CPU (0.05 + 0.1 + 0.15) / 3 = 0.1.
                "ticks   20..  22:  12.52 ns per VM-tick (min 12.00); replay thread's CPU   0.10",
            ],
            ReplayProbe.ResultLines(ms, cpu, vms: 2_000, ab: false, first: false));
        Assert.Empty(ReplayProbe.ResultLines([], [], vms: 2_000, ab: false, first: false));
    }

    [Fact]
    public void ResultLines_First_EachOfTheFirstTwelveTicks_OneDecimal_BeforeTheWindows()
    {
        // 1 000 VMs: a tick's milliseconds × 1 000 is its ns per VM-tick. The 13th tick (7 000 ns) is not among the first.
        double[] ms = [1.2345, 0.01949, 0.01944, 0.02, 0.0001, 0.00004, .. Enumerable.Repeat(0.05, 6), 7.0];
        List<string> lines = ReplayProbe.ResultLines(ms, [.. Enumerable.Repeat(0.001, 13)], vms: 1_000, ab: false, first: true);
        Assert.Equal(3, lines.Count);
        Assert.Equal("1234.5 19.5 19.4 20.0 0.1 0.0 50.0 50.0 50.0 50.0 50.0 50.0", lines[0]);
        Assert.StartsWith("ticks    0..   9: ", lines[1], StringComparison.Ordinal);
        Assert.Equal("ticks   10..  12: 2366.67 ns per VM-tick (min 50.00); replay thread's CPU   1.00", lines[2]); // (50 + 50 + 7 000) / 3
    }

    [Fact]
    public void ResultLines_Ab_MediansAndMeansOfTheTwoHalves_FromTickTwelve()
    {
        // ReplayProbe.On puts ticks 13, 14, 16, 17, 18, 19, 21 and 22 on and 12, 15, 20 and 23 off. Ticks 0..11 take
        // 9 000 ns each: counted in either half, they would move its median and mean.
        Assert.Equal([false, true, true, false, true, true, true, true, false, true, true, false], Enumerable.Range(12, 12).Select(ReplayProbe.On));
        double[] ms = new double[24];
        Array.Fill(ms, 9.0, 0, 12);
        (ms[12], ms[15], ms[20], ms[23]) = (0.010, 0.030, 0.020, 0.046123);
        (ms[13], ms[14], ms[16], ms[17], ms[18], ms[19], ms[21], ms[22]) = (0.011, 0.012, 0.013, 0.014, 0.015, 0.016, 0.017, 0.0183);
        List<string> lines = ReplayProbe.ResultLines(ms, new double[24], vms: 1_000, ab: true, first: false);
        Assert.Equal(4, lines.Count); // the A/B line, then the windows 0..9, 10..19 and 20..23
        // Off: 10, 20, 30, 46.123: the median is the upper middle one, 30; the mean 106.123 / 4 = 26.53075, two decimals 26.53.
        // On: 11, 12, 13, 14, 15, 16, 17, 18.3: median 15; mean 116.3 / 8 = 14.5375, two decimals 14.54.
        Assert.Equal("off (half the ticks from 12): median 30.00 mean 26.53 ns/VM-tick; on (the other half): median 15.00 mean 14.54 ns/VM-tick", lines[0]);
        Assert.Equal("ticks   20..  23:  25.36 ns per VM-tick (min 17.00); replay thread's CPU   0.00", lines[3]); // (20 + 17 + 18.3 + 46.123) / 4 = 25.35575
    }

    /// <summary>
    /// An A/B over too few ticks says so instead of throwing (before: <c>--prefetch-ab --ticks 13</c> measured, then
    /// crashed on an empty half's median): with 13 ticks the on half (tick 13) has one and the off half (tick 12) one
    /// only from 14; with 12 or fewer both are empty. The windows are still printed.
    /// </summary>
    [Theory]
    [InlineData(13)]
    [InlineData(12)]
    [InlineData(1)]
    public void ResultLines_AbOverTooFewTicks_SaysSo_AndStillGivesTheWindows(int ticks)
    {
        double[] ms = [.. Enumerable.Repeat(0.01, ticks)];
        List<string> lines = ReplayProbe.ResultLines(ms, new double[ticks], vms: 1_000, ab: true, first: false);
        Assert.Equal($"A/B: {ticks} ticks measured, so a half has no tick from 12 (ticks 12 and 13 fall in either half: at least 14 are needed); no comparison", lines[0]);
        Assert.Equal(1 + ((ticks + 9) / 10), lines.Count);
        Assert.StartsWith("ticks    0..", lines[1], StringComparison.Ordinal);

        double[] enough = [.. Enumerable.Repeat(0.01, 14)];
        Assert.StartsWith("off (half the ticks from 12): median 10.00", ReplayProbe.ResultLines(enough, new double[14], 1_000, true, false)[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TheTraceAfterTheFlag_AndTheOptionsAnywhere()
    {
        Assert.Equal(new ReplayProbe.Arguments("t.dmt", ReadAhead: true, WarmUp: false, First: false, TickLimit: int.MaxValue, PrefetchAb: false, NullAb: false),
            ReplayProbe.Parse([ReplayProbe.Flag, "t.dmt"], out string? error));
        Assert.Null(error);
        Assert.Equal(new ReplayProbe.Arguments("g 1m.dmt", ReadAhead: false, WarmUp: true, First: true, TickLimit: 240, PrefetchAb: true, NullAb: false),
            ReplayProbe.Parse(["--first", ReplayProbe.Flag, "g 1m.dmt", "--no-read-ahead", "--warm-up", "--ticks", "240", "--prefetch-ab"], out error));
        Assert.Null(error);

        // --ticks first among the arguments (read as absent before: the probe looked for it after index 0).
        Assert.Equal(5, ReplayProbe.Parse(["--ticks", "5", ReplayProbe.Flag, "t.dmt", "--null-ab"], out _)!.TickLimit);
        Assert.True(ReplayProbe.Parse([ReplayProbe.Flag, "t.dmt", "--null-ab"], out _)!.NullAb);
    }

    [Theory]
    [InlineData("no TRACE", ReplayProbe.Flag)]
    [InlineData("no TRACE", ReplayProbe.Flag, "--first", "t.dmt")]
    [InlineData("no TRACE", ReplayProbe.Flag, "")]
    [InlineData("--ticks", ReplayProbe.Flag, "t.dmt", "--ticks")]
    [InlineData("--ticks", ReplayProbe.Flag, "t.dmt", "--ticks", "ten")]
    [InlineData("--ticks", ReplayProbe.Flag, "t.dmt", "--ticks", "0")]
    [InlineData("--ticks", ReplayProbe.Flag, "t.dmt", "--ticks", "-5")]
    [InlineData("--ticks", ReplayProbe.Flag, "t.dmt", "--ticks", "+5")]
    [InlineData("--ticks", ReplayProbe.Flag, "t.dmt", "--ticks", "1e3")]
    [InlineData("--ticks", ReplayProbe.Flag, "t.dmt", "--ticks", "3000000000")]
    [InlineData("one at a time", ReplayProbe.Flag, "t.dmt", "--prefetch-ab", "--null-ab")]
    public void Parse_RefusesAMissingTrace_AndTicksThatAreNotACount(string reason, params string[] args)
    {
        Assert.Null(ReplayProbe.Parse(args, out string? error));
        Assert.Contains(reason, error, StringComparison.Ordinal);

        // And the probe exits with 2 (its usage on the error stream) without opening anything.
        Assert.Equal(2, ReplayProbe.Run(args));
    }

    [Fact]
    public void Run_AMissingTrace_ExitsWithTwo()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"dmkernel-replay-probe-missing-{Guid.NewGuid():N}.dmt");
        Assert.NotNull(ReplayProbe.Parse([ReplayProbe.Flag, missing], out _));
        Assert.Equal(2, ReplayProbe.Run([ReplayProbe.Flag, missing]));
    }
}

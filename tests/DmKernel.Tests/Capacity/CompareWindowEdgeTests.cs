using DmKernel.Traces;
using DmKernel.Traces.Capacity;

namespace DmKernel.Tests.Capacity;

/// <summary>
/// Ticks at the trace's start or end on which no VM of the pool is on are left out of the comparison (a metamorphic
/// review at stop 61: each draw plays a VM around the whole trace, so such edges were every drawn VM's off time; an
/// Alibaba window cut without rebasing its clock went 11 → 13 VMs per host, a never-on Bitbrains VM's early off sample
/// 61 → 66, neither said). docs/compare.md, "The pool".
/// </summary>
public class CompareWindowEdgeTests
{
    private static readonly TraceHost Host = new(65_536, 2048);

    /// <summary>40 VMs of 4 GB whose demand moves tick by tick (some above 1 GB: static 1 GB pages, so densities differ by strategy).</summary>
    private static int Demand(int v, int t) => 300 + (((v * 37) + (t * 53) + (v * t % 7 * 101)) % 1500);

    private static CapacityResult Run(TraceSeries s, int? maxTicks = null) => CapacityStudy.Run(s, new CapacityOptions
    {
        Host = Host,
        Threads = 1,
        Seeds = 3,
        HostsPerProbe = 2,
        Probe = new ProbeOptions { MaxTicks = maxTicks },
    });

    private static List<(string, int, int)> Densities(CapacityResult r)
        => [.. r.Densities.SelectMany(d => d.Seeds.Select(s => (d.Strategy.Name, s.Seed, s.VmsPerHost)))];

    private static List<(string, int?)> HostsNeeded(CapacityResult r) => [.. r.Hosts.Select(h => (h.Strategy.Name, h.Hosts))];

    [Fact]
    public void EmptyTicksBeforeAndAfter_AreLeftOut_TheAnswerIsTheTraceWithoutThem()
    {
        const int Live = 24, Before = 12, After = 6;
        CapacityResult plain = Run(CompareWarningsTests.Fleet(40, Live, Demand));
        CapacityResult padded = Run(CompareWarningsTests.Fleet(40, Before + Live + After, (v, t) => t < Before || t >= Before + Live ? TraceValues.Off : Demand(v, t - Before)));

        // Before, the padded trace's 18 empty ticks were each drawn VM's off time: 24 of 42 ticks on (57 %).
        Assert.Equal(Densities(plain), Densities(padded));
        Assert.Equal(HostsNeeded(plain), HostsNeeded(padded));
        Assert.Equal((Live, Before, After), (padded.Ticks, padded.TicksLeftOutBefore, padded.TicksLeftOutAfter));
        Assert.Equal((Live, 0, 0), (plain.Ticks, plain.TicksLeftOutBefore, plain.TicksLeftOutAfter));
        Assert.Contains(padded.Warnings, w => w.StartsWith("The trace's first 12 ticks (60 min) and last 6 ticks (30 min) have no VM compared on: they are left out, and the comparison plays ticks 12..35 (24 ticks)", StringComparison.Ordinal));
        Assert.DoesNotContain(padded.Warnings, w => w.StartsWith("The VMs compared are on for", StringComparison.Ordinal));
        Assert.DoesNotContain(plain.Warnings, w => w.StartsWith("The trace's first", StringComparison.Ordinal) || w.StartsWith("The trace's last", StringComparison.Ordinal));
    }

    [Fact]
    public void AVmNeverOn_WhoseSamplesStartEarlier_DoesNotMoveTheAnswer()
    {
        // The review's Bitbrains case: one more VM, never on, whose (off) samples start the trace 10 ticks early.
        const int Live = 24, Early = 10;
        CapacityResult plain = Run(CompareWarningsTests.Fleet(41, Live, (v, t) => v == 40 ? TraceValues.Off : Demand(v, t)));
        CapacityResult early = Run(CompareWarningsTests.Fleet(41, Early + Live, (v, t) => v == 40 || t < Early ? TraceValues.Off : Demand(v, t - Early)));
        Assert.Equal(Densities(plain), Densities(early));
        Assert.Equal((1, Early, 0), (early.NeverOn, early.TicksLeftOutBefore, early.TicksLeftOutAfter));
        Assert.Contains(early.Warnings, w => w.StartsWith("The trace's first 10 ticks (50 min) have no VM compared on", StringComparison.Ordinal));
    }

    [Fact]
    public void AnEmptySpanInTheMiddle_Stays_AndOneVmOnAtTheEdge_KeepsIt()
    {
        // An outage or a night between two days: every VM off for ticks 8..15 of 24; kept, as the VMs' off time, and said.
        CapacityResult middle = Run(CompareWarningsTests.Fleet(40, 24, (v, t) => t is >= 8 and < 16 ? TraceValues.Off : Demand(v, t)));
        Assert.Equal((24, 0, 0), (middle.Ticks, middle.TicksLeftOutBefore, middle.TicksLeftOutAfter));
        Assert.Contains(middle.Warnings, w => w.StartsWith("8 of the 24 ticks played (40 min; ticks 8..15) have no VM compared on: counted as every drawn VM's off time, they raise every density.", StringComparison.Ordinal));

        // One VM on at tick 0 (all others off until tick 6), one at the last tick: nothing is left out.
        CapacityResult edge = Run(CompareWarningsTests.Fleet(40, 24, (v, t) => (t < 6 || t > 20) && v != 0 ? TraceValues.Off : Demand(v, t)));
        Assert.Equal((24, 0, 0), (edge.Ticks, edge.TicksLeftOutBefore, edge.TicksLeftOutAfter));
    }

    [Fact]
    public void WithATickLimit_TheLimitCountsFromTheFirstTickLeftIn()
    {
        // A review at stop 61: the edges were first found within the limit's window, so one empty leading tick narrowed
        // the draws from the whole trace to that window, and a limit shorter than the empty edge gave Dynamic Memory 0 VMs
        // per host. Now the edges are the trace's and the limit counts from the first tick left in: the same answers as
        // the trace without its empty ticks, under the same limit.
        CapacityResult plain = Run(CompareWarningsTests.Fleet(40, 26, Demand), maxTicks: 8);
        CapacityResult r = Run(CompareWarningsTests.Fleet(40, 30, (v, t) => t < 4 ? TraceValues.Off : Demand(v, t - 4)), maxTicks: 8);
        Assert.Equal(Densities(plain), Densities(r));
        Assert.Equal((8, 4, 0), (r.Ticks, r.TicksLeftOutBefore, r.TicksLeftOutAfter));
        Assert.Contains(r.Warnings, w => w.StartsWith("The ticks compared are few (the comparison's tick limit, --max-ticks, cut the trace's 30): 8 ticks of 300 s", StringComparison.Ordinal));
        Assert.Contains(r.Warnings, w => w.StartsWith("The trace's first 4 ticks (20 min) have no VM compared on: they are left out, and the comparison plays ticks 4..11 (8 ticks)", StringComparison.Ordinal));

        // A limit shorter than the empty edge: before, nothing on in the ticks compared (Dynamic Memory 0 VMs per host).
        CapacityResult shortPlain = Run(CompareWarningsTests.Fleet(40, 26, Demand), maxTicks: 3);
        CapacityResult shortPadded = Run(CompareWarningsTests.Fleet(40, 30, (v, t) => t < 4 ? TraceValues.Off : Demand(v, t - 4)), maxTicks: 3);
        Assert.Equal(Densities(shortPlain), Densities(shortPadded));
        Assert.All(shortPadded.Densities[0].Seeds, s => Assert.True(s.VmsPerHost > 0));

        // One tick compared: "tick 4 (1 tick)".
        CapacityResult one = Run(CompareWarningsTests.Fleet(40, 30, (v, t) => t < 4 ? TraceValues.Off : Demand(v, t - 4)), maxTicks: 1);
        Assert.Contains(one.Warnings, w => w.Contains("the comparison plays tick 4 (1 tick);", StringComparison.Ordinal));
    }

    [Fact]
    public void EmptyTicksInside_AreSaid_FromOnePercentOfTheTicks_TheLongestSpanNamed()
    {
        // Two spans (ticks 30..31 and 100..104 of those left in, 33..34 and 103..107 of the trace): 7 of 200 compared, the
        // longest named.
        CapacityResult two = Run(CompareWarningsTests.Fleet(40, 203, (v, t) => t < 3 || t is >= 33 and < 35 or >= 103 and < 108 ? TraceValues.Off : Demand(v, t)));
        Assert.Equal((200, 3), (two.Ticks, two.TicksLeftOutBefore));
        Assert.Contains(two.Warnings, w => w.StartsWith("7 of the 200 ticks played (35 min; the longest span ticks 103..107, 25 min) have no VM compared on", StringComparison.Ordinal));

        // One empty tick of 200 (0.5 %): not said; two (1 %): said.
        Assert.DoesNotContain(Run(CompareWarningsTests.Fleet(40, 200, (v, t) => t == 50 ? TraceValues.Off : Demand(v, t))).Warnings, w => w.Contains("have no VM compared on", StringComparison.Ordinal));
        Assert.Contains(Run(CompareWarningsTests.Fleet(40, 200, (v, t) => t is 50 or 120 ? TraceValues.Off : Demand(v, t))).Warnings, w => w.StartsWith("2 of the 200 ticks played (10 min; the longest span ticks 50..50, 5 min)", StringComparison.Ordinal));

        // Beyond the tick limit too (a review: each draw plays a VM from any tick, so a gap after the first MaxTicks ticks
        // lowers the densities as well): said with a limit of 12 ticks of 48.
        CapacityResult limited = Run(CompareWarningsTests.Fleet(40, 48, (v, t) => t is >= 30 and < 40 ? TraceValues.Off : Demand(v, t)), maxTicks: 12);
        Assert.Contains(limited.Warnings, w => w.StartsWith("10 of the 48 ticks played (50 min; ticks 30..39) have no VM compared on", StringComparison.Ordinal));

        // A VM on through the others' gap: nothing said.
        Assert.DoesNotContain(Run(CompareWarningsTests.Fleet(40, 24, (v, t) => t is >= 8 and < 16 && v > 0 ? TraceValues.Off : Demand(v, t))).Warnings, w => w.Contains("have no VM compared on", StringComparison.Ordinal));
    }
}

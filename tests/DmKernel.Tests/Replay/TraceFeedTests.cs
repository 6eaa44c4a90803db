using DmKernel.Tests.Support;
using DmKernel.Traces;
using DmKernel.Traces.Replay;

namespace DmKernel.Tests.Replay;

public class TraceFeedTests
{
    [Fact]
    public void Apply_StartsOnVmsStopsOffVmsAndSetsCommitted()
    {
        var s = new Scenario(model: Scenario.NoBootGrace);
        int a = s.Add(VmSettings.Dynamic(1024, 512, 4096));
        int b = s.AddRunning(VmSettings.Dynamic(1024, 512, 4096), committedMb: 700);
        int[] values = new int[s.Fleet.SlotCount];
        Array.Fill(values, TraceValues.Off);
        values[a] = 900;                   // on: Off VM a gets a start request
        values[b] = TraceValues.Off;        // off: running VM b gets a stop request
        var feed = new TraceFeed(s.Fleet);
        Assert.Equal(2, feed.Apply(values));
        Assert.Equal(LifecycleRequest.Start, s.Fleet.PendingRequest(a));
        Assert.Equal(LifecycleRequest.Stop, s.Fleet.PendingRequest(b));
        Assert.Equal(900, s.Fleet.Committed[a]);
        Assert.Equal(0, feed.Apply(values));   // pending requests are not repeated
        s.Tick();
        Assert.Equal(VmState.Booting, s.Fleet.State(a));
        Assert.Equal(VmState.Off, s.Fleet.State(b));
    }

    [Fact]
    public void Apply_BadValue_NamesSlotAndChangesNothing()
    {
        var s = new Scenario();
        int a = s.Add(VmSettings.Dynamic(1024, 512, 4096));
        int[] values = new int[s.Fleet.SlotCount];
        values[a] = 100;
        values[5] = -7;
        var feed = new TraceFeed(s.Fleet);
        var ex = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => feed.Apply(values));
        Assert.Contains("VM 5", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, s.Fleet.Committed[a]);
        Assert.Equal(LifecycleRequest.None, s.Fleet.PendingRequest(a));
        Assert.Throws<ArgumentException>(() => feed.Apply(new int[3]));
        Assert.Throws<ArgumentException>(() => feed.Apply(s.Fleet.SlotCount - 2, new int[3]));
    }

    [Fact]
    public void Apply_MatchesThePlainRule_OnRandomFleets_WholeSpanOrRuns()
    {
        // The plain rule, slot by slot: used slots take values >= 0 as Committed; a VM without a pending request
        // gets a start when the trace has it on and it is Off, a stop when the trace has it off and it is on.
        for (int seed = 0; seed < 30; seed++)
        {
            var fleet = new RandomFleet(seed).Build(RandomFleet.FastModel, [37, 5, 64, 0, 19], 0.8);
            var rnd = new Random(seed);
            using var balancer = new Balancer(fleet, KernelPath.Scalar);
            var feed = new TraceFeed(fleet);
            for (int round = 0; round < 6; round++)
            {
                int[] values = new int[fleet.SlotCount];
                for (int i = 0; i < values.Length; i++)
                    values[i] = rnd.Next(3) == 0 ? TraceValues.Off : rnd.Next(0, 5000);
                int[] committedBefore = fleet.Committed.ToArray();
                var requestBefore = Enumerable.Range(0, fleet.SlotCount).Select(fleet.PendingRequest).ToArray();
                var stateBefore = Enumerable.Range(0, fleet.SlotCount).Select(fleet.State).ToArray();

                // Even rounds apply the whole span, odd rounds runs of random lengths (as a replay applies one per host).
                int made = 0;
                if (round % 2 == 0)
                {
                    made = feed.Apply(values);
                }
                else
                {
                    for (int first = 0; first < values.Length;)
                    {
                        int length = Math.Min(values.Length - first, rnd.Next(0, 40));
                        made += feed.Apply(first, values.AsSpan(first, length));
                        first += length;
                    }
                }

                int expectedMade = 0;
                for (int i = 0; i < values.Length; i++)
                {
                    bool used = fleet.IsUsed(i);
                    Assert.Equal(used && values[i] >= 0 ? values[i] : committedBefore[i], fleet.Committed[i]);
                    LifecycleRequest expected = requestBefore[i];
                    if (used && requestBefore[i] == LifecycleRequest.None)
                    {
                        bool on = stateBefore[i] != VmState.Off;
                        if (values[i] >= 0 && !on)
                            expected = LifecycleRequest.Start;
                        else if (values[i] < 0 && on)
                            expected = LifecycleRequest.Stop;
                    }

                    expectedMade += expected != requestBefore[i] ? 1 : 0;
                    Assert.Equal(expected, fleet.PendingRequest(i));
                }

                Assert.Equal(expectedMade, made);
                balancer.Tick(2);
            }
        }
    }
}

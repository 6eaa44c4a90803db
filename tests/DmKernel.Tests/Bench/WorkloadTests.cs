using DmKernel.Benchmarks;
using DmKernel.Benchmarks.Floor;

namespace DmKernel.Tests.Bench;

/// <summary>
/// The fleets the suites measure (<see cref="Workload"/>): exactly floor(hosts × share / 100) hosts short, every fourth
/// at 25 %, none at 0 %; hosts of 63 or 64 VMs at 10 000; and the realistic workload (<see cref="CommittedFeed"/>,
/// <see cref="TickBench"/>) changes every VM's committed demand on every tick while the short hosts stay exactly those.
/// </summary>
public class WorkloadTests
{
    [Fact]
    public void IsShortHost_AtQuarter_IsEveryFourthHost_AndCountsFloorOfTheShare()
    {
        for (int h = 0; h < 400; h++)
        {
            Assert.Equal(h % 4 == 3, Workload.IsShortHost(h, 25));
            Assert.False(Workload.IsShortHost(h, 0));
            Assert.True(Workload.IsShortHost(h, 100));
        }

        foreach (int share in new[] { 0, 1, 25, 33, 50, 100 })
        {
            for (int hosts = 1; hosts <= 200; hosts++)
                Assert.Equal(hosts * share / 100, Enumerable.Range(0, hosts).Count(h => Workload.IsShortHost(h, share)));
        }
    }

    /// <summary>10 000 VMs: 157 hosts (10 000 = 157 × 63 + 109: 109 hosts of 64, 48 of 63); 25 % short is 39 hosts.</summary>
    [Theory]
    [InlineData(0, 0)]
    [InlineData(25, 39)]
    public void Build_TenThousand_Has157HostsOf63Or64_AndExactlyTheShortShare(int share, int shortHosts)
    {
        Fleet fleet = Workload.Build(10_000, share);

        Assert.Equal(157, fleet.HostCount);
        int[] sizes = VmsPerHost(fleet);
        Assert.Equal(109, sizes.Count(s => s == 64));
        Assert.Equal(48, sizes.Count(s => s == 63));
        Assert.Equal(shortHosts, Enumerable.Range(0, fleet.HostCount).Count(fleet.HostWasShort));
        for (int h = 0; h < fleet.HostCount; h++)
            Assert.Equal(Workload.IsShortHost(h, share), fleet.HostWasShort(h));
    }

    /// <summary>130 VMs: 3 hosts of 44, 43 and 43 VMs, 48 slots each (padded tails of 4, 5 and 5 free slots), all Running.</summary>
    [Fact]
    public void Build_OfAVmCountNotAMultipleOf16_FillsHostsInBalance_EveryVmRunning()
    {
        Fleet fleet = Workload.Build(130, 100);

        Assert.Equal([44, 43, 43], VmsPerHost(fleet));
        Assert.Equal(3 * 48, fleet.SlotCount);
        Assert.Equal(130, Enumerable.Range(0, fleet.SlotCount).Count(i => fleet.IsUsed(i) && fleet.State(i) == VmState.Running));
        Assert.All(Enumerable.Range(0, 3), h => Assert.True(fleet.HostWasShort(h)));
    }

    [Fact]
    public void CheckShortHosts_Throws_WhenTheShortHostsAreNotExactlyTheDesignatedOnes()
    {
        Fleet fleet = Workload.Build(1000, 25);
        Workload.CheckShortHosts(fleet, 25);
        Assert.Throws<InvalidOperationException>(() => Workload.CheckShortHosts(fleet, 0));
        Assert.Throws<InvalidOperationException>(() => Workload.CheckShortHosts(fleet, 50));

        Fleet none = Workload.Build(1000, 0);
        Assert.Throws<InvalidOperationException>(() => Workload.CheckShortHosts(none, 25));
    }

    [Fact]
    public void CommittedFeed_EveryVmsDemandDiffersFromTheColumnBefore_InRotation_EvenAndAtMostMaximum()
    {
        Fleet fleet = Workload.Build(1000, 25);
        var feed = new CommittedFeed(fleet);
        int[][] columns = Enumerable.Range(0, CommittedFeed.Columns).Select(_ => feed.Next()).ToArray();

        Assert.Equal(4, CommittedFeed.Columns);
        Assert.Same(columns[0], feed.Next());
        Assert.Equal(4, columns.Distinct().Count());
        for (int i = 0; i < fleet.SlotCount; i++)
        {
            for (int k = 0; k < 4; k++)
            {
                int value = columns[k][i];
                if (!fleet.IsUsed(i))
                {
                    Assert.Equal(0, value);
                    continue;
                }

                Assert.NotEqual(columns[(k + 3) % 4][i], value);
                Assert.Equal(0, value % 2);
                Assert.InRange(value, 0, fleet.GetSettings(i).MaximumMb);
            }
        }
    }

    /// <summary>
    /// The realistic kernel case as TickBench runs it: after its setup, every measured operation gives every VM another
    /// committed demand than the tick before, and the short hosts stay exactly the designated ones.
    /// </summary>
    [Theory]
    [InlineData(TickPath.Scalar, 0)]
    [InlineData(TickPath.Scalar, 25)]
    [InlineData(TickPath.V128, 25)]
    public void TickBench_Realistic_ChangesEveryVmsCommittedEveryTick_AndKeepsTheShortShare(TickPath path, int share)
    {
        var bench = new TickBench { Vms = 1000, ShortSharePercent = share, Workload = TickWorkload.Realistic, Path = path };
        bench.Setup();
        try
        {
            Fleet fleet = bench.FleetForProbe;
            for (int t = 0; t < 6; t++)
            {
                int[] before = fleet.Committed.ToArray();
                long tick = fleet.TickIndex;
                bench.Tick();
                Assert.Equal(tick + 1, fleet.TickIndex);
                for (int i = 0; i < fleet.SlotCount; i++)
                {
                    if (fleet.IsUsed(i))
                        Assert.NotEqual(before[i], fleet.Committed[i]);
                }

                Workload.CheckShortHosts(fleet, share);
            }
        }
        finally
        {
            bench.Cleanup();
        }
    }

    [Fact]
    public void TickBench_Steady_LeavesCommittedAlone_AndKeepsTheShortShare()
    {
        var bench = new TickBench { Vms = 1000, ShortSharePercent = 25, Workload = TickWorkload.Steady, Path = TickPath.V128 };
        bench.Setup();
        try
        {
            Fleet fleet = bench.FleetForProbe;
            int[] before = fleet.Committed.ToArray();
            long tick = fleet.TickIndex;
            bench.Tick();
            bench.Tick();
            Assert.Equal(tick + 2, fleet.TickIndex);
            Assert.Equal(before, fleet.Committed.ToArray());
            Workload.CheckShortHosts(fleet, 25);
        }
        finally
        {
            bench.Cleanup();
        }
    }

    /// <summary>
    /// 256 VMs: 4 hosts of 64, host 3 short at 25 %. Checked against 0 % (one host differs) and against 40 % (one short host
    /// designated, host 2: floor(3 × 40 / 100) = 1 > floor(2 × 40 / 100) = 0; as many short hosts, not the same one).
    /// </summary>
    [Fact]
    public void CheckShortHosts_Throws_WhenOneHostDiffers_OrTheCountMatchesButNotTheHosts()
    {
        Fleet fleet = Workload.Build(256, 25);
        Assert.Equal([false, false, false, true], Enumerable.Range(0, 4).Select(fleet.HostWasShort));
        Assert.Equal([false, false, true, false], Enumerable.Range(0, 4).Select(h => Workload.IsShortHost(h, 40)));
        Workload.CheckShortHosts(fleet, 25);
        Assert.Throws<InvalidOperationException>(() => Workload.CheckShortHosts(fleet, 0));
        Assert.Throws<InvalidOperationException>(() => Workload.CheckShortHosts(fleet, 40));
    }

    /// <summary>Setup demand is drawn from Minimum / 2 .. Maximum: some VMs start below their Minimum, none below half of it.</summary>
    [Fact]
    public void Build_DrawsCommittedFromHalfTheMinimumToTheMaximum()
    {
        Fleet fleet = Workload.Build(10_000, 0);
        int below = 0;
        for (int i = 0; i < fleet.SlotCount; i++)
        {
            if (!fleet.IsUsed(i))
                continue;
            VmSettings s = fleet.GetSettings(i);
            Assert.InRange(fleet.Committed[i], s.MinimumMb / 2, s.MaximumMb);
            below += fleet.Committed[i] < s.MinimumMb ? 1 : 0;
        }

        Assert.InRange(below, 100, 10_000);
    }

    /// <summary>
    /// Each column moves each VM's setup demand by up to ± 25 % (a quarter, rounded down to even, plus a few MB where the
    /// value is nudged off the column before's), and the draws reach beyond ± 20 %; 10 000 VMs, so that some column 3
    /// would equal column 0 without the rotation's check.
    /// </summary>
    [Fact]
    public void CommittedFeed_MovesEachDemandByUpToAQuarter_AndEveryColumnDiffersFromTheOneBefore()
    {
        Fleet fleet = Workload.Build(10_000, 0);
        int[] baseline = fleet.Committed.ToArray();
        var feed = new CommittedFeed(fleet);
        int[][] columns = Enumerable.Range(0, CommittedFeed.Columns).Select(_ => feed.Next()).ToArray();
        double widest = 0;
        for (int i = 0; i < fleet.SlotCount; i++)
        {
            if (!fleet.IsUsed(i))
                continue;
            for (int k = 0; k < 4; k++)
            {
                int move = Math.Abs(columns[k][i] - baseline[i]);
                Assert.InRange(move, 0, (baseline[i] / 4) + 12);
                widest = Math.Max(widest, move / (double)baseline[i]);
                Assert.NotEqual(columns[(k + 3) % 4][i], columns[k][i]);
                Assert.InRange(columns[k][i], 0, fleet.GetSettings(i).MaximumMb);
            }
        }

        Assert.InRange(widest, 0.2, 0.26);
    }

    /// <summary>
    /// The realistic minimal floor reads the feed's next column (which differs from the last one applied in setup, the
    /// floor's copy of Committed): with its key zero, Pressure is what it read. The steady floor reads its own copy.
    /// </summary>
    [Theory]
    [InlineData(TickWorkload.Realistic)]
    [InlineData(TickWorkload.Steady)]
    public void TickBench_MinimalFloor_ReadsTheFeedOnTheRealisticWorkload(TickWorkload workload)
    {
        var bench = new TickBench { Vms = 1000, ShortSharePercent = 25, Workload = workload, Path = TickPath.MinFloor };
        bench.Setup();
        MinimalFloor floor = bench.MinFloorForTests!;
        Fleet fleet = bench.FleetForProbe;
        Assert.Equal(fleet.Committed.ToArray(), floor.Committed.ToArray());
        bench.Tick();
        for (int i = 0; i < fleet.SlotCount; i++)
        {
            bool changed = floor.Pressure[i] != floor.Committed[i];
            Assert.Equal(workload == TickWorkload.Realistic && fleet.IsUsed(i), changed);
        }
    }

    /// <summary>The floors run at the widest accelerated width (Vector128 where only the scalar kernel is).</summary>
    [Fact]
    public void TickBench_Floors_RunAtTheWidestAcceleratedWidth()
    {
        var bench = new TickBench { Vms = 200, ShortSharePercent = 0, Workload = TickWorkload.Steady, Path = TickPath.MinFloor };
        bench.Setup();
        KernelPath widest = KernelPaths.Widest;
        Assert.Equal(widest == KernelPath.Scalar ? KernelPath.Vector128 : widest, bench.FloorWidthForTests);
    }

    private static int[] VmsPerHost(Fleet fleet)
        => Enumerable.Range(0, fleet.HostCount).Select(h =>
        {
            (int start, int capacity) = fleet.HostSlots(h);
            return Enumerable.Range(start, capacity).Count(fleet.IsUsed);
        }).ToArray();
}

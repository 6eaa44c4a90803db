using DmKernel.Tests.Rules;
using DmKernel.Tests.Support;
using DmKernel.Tests.Traces;
using DmKernel.Traces;
using DmKernel.Traces.Replay;

namespace DmKernel.Tests.Replay;

/// <summary>
/// <see cref="ReplayMetrics"/> on small fleets and traces built by hand, whose every figure is counted here from the
/// settings, the trace's values and the memory each VM holds (R4, R5, R7, R8, R20), not taken from a replay's output.
/// </summary>
public class ReplayMetricsTests
{
    /// <summary>A fleet of four VMs of Startup = Minimum 512 MB on one host of exactly 4 × 512 MB: once they have started
    /// none can take memory from another (all at Minimum, nothing free), so each holds 512 MB on every tick.</summary>
    private static Scenario FourVmsAtStartup(VmSettings[] settings, int[] committed)
    {
        var s = new Scenario(hostTotalMb: 4 * 512, model: RuleScenario.Fast);
        for (int v = 0; v < settings.Length; v++)
        {
            int slot = s.Add(settings[v]);
            s.Fleet.SetCommitted(slot, committed[v]);
            s.Fleet.RequestStart(slot);
        }

        s.Tick(1 + s.Fleet.Model.BootGraceTicks);
        for (int v = 0; v < settings.Length; v++)
        {
            Assert.Equal(VmState.Running, s.Fleet.State(v));
            Assert.Equal(512, s.Fleet.Assigned[v]);
        }

        return s;
    }

    [Fact]
    public void R20_UnservablePaging_IsCommittedAboveTheMaximumOrAStaticVmsStartup_NotAtTheLimit()
    {
        // a: dynamic, committed exactly its Maximum (768): paging (Demand 768 > 512 held, R8, R20), and servable: a host
        //    with 256 MB more would serve it.
        // b: dynamic, committed 770 > its Maximum 768: paging, unservable.
        // c: static with a Maximum of 1024 above its Startup of 512 (R1 allows it): a static VM holds its Startup, so
        //    committed 600 is unservable although it is below the Maximum.
        // d: static, committed = Startup: not paging.
        var dyn = VmSettings.Dynamic(512, 512, 768);
        var stat = new VmSettings(512, 512, 1024, DynamicMemory: false);
        Scenario s = FourVmsAtStartup([dyn, dyn, stat, stat], [768, 770, 600, 512]);
        var metrics = new ReplayMetrics(s.Fleet);
        const int ticks = 3;
        for (int t = 0; t < ticks; t++)
        {
            s.Tick();
            metrics.AddTick(wantedOn: 4);
        }

        Assert.Equal(new[] { ticks, ticks, ticks, 0 }, metrics.PagingTicksBySlot[..4].ToArray());
        Assert.Equal(new[] { 0, ticks, ticks, 0 }, metrics.UnservableTicksBySlot[..4].ToArray());
        Assert.Equal(3 * ticks, metrics.PagingVmTicks);
        Assert.Equal(2 * ticks, metrics.UnservablePagingVmTicks);
        Assert.Equal(ticks * ((768 - 512) + (770 - 512) + (600 - 512)), metrics.UnmetMbTicks);
    }

    [Fact]
    public void R6_R16_SmartPaging_IsCountedInVmTicksAndMbTicks_WhileItLasts()
    {
        // A replay never restarts a VM, so its Smart Paging totals are 0 (outputs.md); an embedder's restart is the
        // one way to them. Host 4096, every tick a reclaim tick, boot grace 3 ticks. A (Startup 2048, committed 300)
        // is ballooned to its Minimum 512 on its first two Running ticks; B, static 3584, takes the rest. A's restart
        // then finds no memory and no donor: Assigned 512 and Smart Paging 1536 (R6), kept while A boots (three
        // ticks), then drained into Ballooned at R12's cap of 1020 per tick (R16): 516 on the next tick, 0 after.
        var s = new Scenario(hostTotalMb: 4096, model: RuleScenario.FastReclaim with { BootGraceSeconds = 3 });
        int a = s.StartRunning((RuleScenario.Dm(2048, 512, 4096), 300))[0];
        s.Tick();
        int b = s.Add(VmSettings.Static(3584));
        s.Fleet.RequestStart(b);
        s.Tick();
        var metrics = new ReplayMetrics(s.Fleet);
        s.Tick();
        metrics.AddTick(wantedOn: 2); // before the restart: no Smart Paging
        Assert.Equal(0, metrics.SmartPagingVmTicks);

        s.Fleet.RequestRestart(a);
        var expected = new[] { 1536, 1536, 1536, 516, 0, 0 };
        foreach (int mb in expected)
        {
            s.Tick();
            metrics.AddTick(wantedOn: 2);
            Assert.Equal(mb, s.Fleet.SmartPagingMb[a]);
        }

        Assert.Equal(4, metrics.SmartPagingVmTicks);
        Assert.Equal((3 * 1536) + 516, metrics.SmartPagingMbTicks);
        Assert.Equal(0, metrics.PagingVmTicks); // Smart Paging is not demand paging: A's committed 300 is within 512
    }

    [Fact]
    public void DeniedVmTicks_AreTheWantedVmsNotOn_NeverNegativeWhenMoreAreOnThanWanted()
    {
        // Four VMs on. A caller's workload that wants 3 on (one of the four it no longer counts, its stop not yet
        // requested) has no VM denied: not −1. One that wants 6 on has 2 denied.
        var dyn = VmSettings.Dynamic(512, 512, 768);
        Scenario s = FourVmsAtStartup([dyn, dyn, dyn, dyn], [400, 400, 400, 400]);
        var metrics = new ReplayMetrics(s.Fleet);
        s.Tick();
        metrics.AddTick(wantedOn: 3);
        Assert.Equal(0, metrics.DeniedVmTicks);
        s.Tick();
        metrics.AddTick(wantedOn: 6);
        Assert.Equal(2, metrics.DeniedVmTicks);
        Assert.Equal(9, metrics.WantedVmTicks);
        Assert.Equal(8, metrics.OnVmTicks);
    }

    private const int Off = TraceValues.Off;

    /// <summary>Ticks of ten VMs whose committed demand is 0 MB on some ticks: on, wanting nothing (not off, which is −1).</summary>
    private static readonly int[][] ZeroCommittedTicks =
    [
        [0, 0, 100, Off, 0, 0, Off, 300, 0, Off],
        [0, Off, 0, Off, 200, Off, 0, 0, Off, Off],
        [Off, Off, Off, Off, Off, Off, Off, Off, Off, 0],
    ];

    /// <summary>Writes <see cref="ZeroCommittedTicks"/> for ten VMs on two hosts of 16 GB: VMs 0–5 on host 0 and 6–9 on
    /// host 1 (<paramref name="hostByHost"/>: two runs of consecutive slots), or alternating between the hosts (runs of one).</summary>
    private static string WriteZeroCommittedTrace(TempDir dir, bool hostByHost)
    {
        string file = dir.File("zero.dmt");
        var settings = VmSettings.Dynamic(512, 512, 1024);
        TraceVm[] vms = [.. Enumerable.Range(0, 10).Select(v => new TraceVm("vm" + v, settings, hostByHost ? v / 6 : v % 2))];
        using (var w = new NativeTraceWriter(file, new TraceDescription(60, "zero committed"), vms, [new TraceHost(16_384, 0), new TraceHost(16_384, 0)]))
        {
            foreach (int[] tick in ZeroCommittedTicks)
                w.WriteTick(tick);
            w.Complete();
        }

        return file;
    }

    [Theory]
    [InlineData(false, 1, false)] // chunks of hosts, each gathering its VMs' values
    [InlineData(false, 1, true)] // chunks of hosts, the ticks gathered in slot order and counted by the read-ahead
    [InlineData(false, 2, false)] // whole-fleet ticks, scattered into slot order
    [InlineData(false, 2, true)]
    [InlineData(true, 1, false)] // placed host by host: applied run by run, in chunks
    [InlineData(true, 2, false)] // applied run by run, whole-fleet ticks
    public void Replay_CommittedZero_IsWantedOn_OnEveryWayOfApplyingTheTrace(bool hostByHost, int threads, bool readAhead)
    {
        // R4: a VM the trace has on (committed ≥ 0, 0 included) is wanted on and started; off is −1 only. Hosts of
        // 16 GB hold the ten VMs' Startup many times over, so every start succeeds at once and nothing is denied.
        using var dir = new TempDir();
        string file = WriteZeroCommittedTrace(dir, hostByHost);

        long wanted = 0;
        foreach (int[] tick in ZeroCommittedTicks)
            wanted += tick.Count(v => v != Off);
        Assert.Equal(7 + 5 + 1, wanted);

        using NativeTraceReader reader = NativeTraceReader.Open(file);
        using var engine = new ReplayEngine(reader, new ReplayOptions { Threads = threads, ReadAhead = readAhead, ProcessorCount = 4, ChunkSlots = 1 });
        while (engine.Step())
        {
        }

        Assert.Equal(wanted, engine.Metrics.WantedVmTicks);
        Assert.Equal(wanted, engine.Metrics.OnVmTicks);
        Assert.Equal(0, engine.Metrics.DeniedVmTicks);
    }

    [Fact]
    public void Series_EachPointIsItsTicksIndexTotalsAndHostAvailablePercentiles()
    {
        // Ten hosts of 1000 MB; host h runs a static VM of 1000 − 100·h MB (R5: it holds its Startup), so host h has
        // 10·h % available: 0, 10, ..., 90 %. Nearest rank over 10 hosts: p5 is the 1st (0 %), p50 the 5th (40 %), p95
        // the 10th (90 %).
        const int hosts = 10;
        var specs = new HostSpec[hosts];
        for (int h = 0; h < hosts; h++)
            specs[h] = new HostSpec(1000, 1, 0);
        var fleet = new Fleet(RuleScenario.Fast, specs);
        var vms = new int[hosts];
        for (int h = 0; h < hosts; h++)
        {
            vms[h] = fleet.AddVm(h, VmSettings.Static(1000 - (100 * h)));
            fleet.SetCommitted(vms[h], 0);
            fleet.RequestStart(vms[h]);
        }

        using var balancer = new Balancer(fleet, KernelPath.Scalar);
        var metrics = new ReplayMetrics(fleet);
        balancer.Tick(); // tick 0: every VM starts
        metrics.AddTick(wantedOn: hosts);

        // Tick 1: host 0's VM stops (R7: its 1000 MB return to the pool), so host 0 is 100 % available and the hosts are
        // 10, 20, ..., 90, 100 %: p5 10 %, p50 50 %, p95 100 %, this tick's hosts only.
        fleet.RequestStop(vms[0]);
        balancer.Tick();
        metrics.AddTick(wantedOn: hosts - 1);

        int assigned0 = 0;
        for (int h = 0; h < hosts; h++)
            assigned0 += 1000 - (100 * h);
        Assert.Equal(5500, assigned0);
        Assert.Equal(
            new[]
            {
                new FleetPoint(0, 5500, 0, (hosts * 1000) - 5500, 0, hosts, 0, 0, 40, 90),
                new FleetPoint(1, 5500 - 1000, 0, (hosts * 1000) - 4500, 0, hosts - 1, 0, 10, 50, 100),
            },
            metrics.Series);
        Assert.Equal(5500, metrics.PeakAssignedMb);
        Assert.Equal(5500 + 4500, metrics.AssignedMbTicks);
    }
}

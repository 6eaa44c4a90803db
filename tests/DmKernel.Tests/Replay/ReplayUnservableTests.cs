using DmKernel.Tests.Traces;
using DmKernel.Traces;
using DmKernel.Traces.Replay;

namespace DmKernel.Tests.Replay;

/// <summary>
/// A replay's unservable paging (<see cref="ReplayMetrics.UnservableTicksBySlot"/>): the ticks a VM is on and paging
/// (Demand &gt; Assigned, R20) while its committed demand is above what its own settings can ever give it: its Maximum
/// (a static VM's Startup), less the R8 floor a Linux guest adds at that size. Recomputed here tick by tick from the
/// fleet's public spans, on a trace that has every kind: Windows and Linux, dynamic and static, Linux guests whose
/// committed demand is within their Maximum but above it once the floor is added.
/// </summary>
public class ReplayUnservableTests
{
    [Theory]
    [InlineData(1, KernelPath.Auto)]
    [InlineData(2, KernelPath.Auto)]
    [InlineData(1, KernelPath.Scalar)]
    public void UnservableTicks_AreThePagingTicksWhoseCommittedDemandTheSettingsCannotServe(int threads, KernelPath path)
    {
        using var dir = new TempDir();
        string file = dir.File("t.dmt");
        // Hosts sized to the VMs' Startup (headroom 1.0): VMs page for want of host memory, and some ask for more than
        // their Maximum.
        TraceGenerator.Generate(file, new TraceGeneratorOptions
        {
            Vms = 400,
            Hosts = 8,
            Ticks = 240,
            Seed = 5,
            HostHeadroom = 1.0,
            LinuxFraction = 0.5,
            StaticFraction = 0.25,
        });
        using NativeTraceReader reader = NativeTraceReader.Open(file);
        using var engine = new ReplayEngine(reader, new ReplayOptions { Threads = threads, Path = path });
        Fleet fleet = engine.Fleet;
        var expected = new int[engine.Vms.Count];
        long total = 0, pagingServable = 0;
        int linuxByFloor = 0, staticAbove = 0, dynamicAbove = 0;
        while (engine.Step())
        {
            for (int v = 0; v < engine.Vms.Count; v++)
            {
                int slot = engine.SlotOf(v);
                VmState state = fleet.States[slot];
                if (state == VmState.Off || fleet.Demand[slot] <= fleet.Assigned[slot])
                    continue;
                VmSettings s = fleet.GetSettings(slot);
                int size = s.DynamicMemory ? s.MaximumMb : s.StartupMb;
                int committed = fleet.Committed[slot];
                int floor = s.Guest == GuestKind.Linux ? GuestMemory.LinuxFloor(size) : 0;
                if (committed + floor <= size)
                {
                    pagingServable++;
                    continue;
                }

                expected[v]++;
                total++;
                if (committed <= size)
                    linuxByFloor++;
                else if (s.DynamicMemory)
                    dynamicAbove++;
                else
                    staticAbove++;
            }
        }

        Assert.True(linuxByFloor > 0 && staticAbove > 0 && dynamicAbove > 0 && pagingServable > 0,
            $"the trace has every kind of paging (Linux by its floor {linuxByFloor}, static {staticAbove}, dynamic {dynamicAbove}, servable {pagingServable})");
        for (int v = 0; v < engine.Vms.Count; v++)
        {
            int slot = engine.SlotOf(v);
            Assert.True(expected[v] == engine.Metrics.UnservableTicksBySlot[slot], $"VM {v}: {engine.Metrics.UnservableTicksBySlot[slot]} unservable ticks, expected {expected[v]}");
            Assert.True(engine.Metrics.UnservableTicksBySlot[slot] <= engine.Metrics.PagingTicksBySlot[slot]);
        }

        Assert.Equal(total, engine.Metrics.UnservablePagingVmTicks);
        Assert.Equal(total + pagingServable, engine.Metrics.PagingVmTicks);

        ReplayOutcome outcome = ReplayOutcome.FromEngine(engine, file);
        Assert.Equal(total, outcome.UnservablePagingVmTicks);
        Assert.NotEmpty(outcome.Starving);
        foreach (StarvingVm vm in outcome.Starving)
            Assert.Equal(expected[vm.Vm], vm.UnservableTicks);
    }

    /// <summary>
    /// Independent of the fleet: on hosts with room to spare (no start denied) a Windows VM's unservable paging ticks are
    /// exactly the ticks the trace wants it on with more than its servable demand, which is what compare counts from the
    /// trace alone (<see cref="DmKernel.Traces.Capacity.TraceSeries.ServableTicks"/>): the two are the same limit. A Linux
    /// guest may be above the limit on a tick without paging (R8's floor is of the memory it held when it reported, so
    /// its Demand lags a grant by a tick): replay counts paging ticks only, so at most compare's count, and fewer here.
    /// The servable paging on such hosts is that of VMs booting at their Startup.
    /// </summary>
    [Fact]
    public void UnservableTicks_OnRoomyHosts_AreComparesUnservableTicks()
    {
        using var dir = new TempDir();
        string file = dir.File("t.dmt");
        TraceGenerator.Generate(file, new TraceGeneratorOptions { Vms = 300, Hosts = 3, Ticks = 200, Seed = 8, HostHeadroom = 4.0, LinuxFraction = 0.5, StaticFraction = 0.25 });
        using NativeTraceReader reader = NativeTraceReader.Open(file);
        DmKernel.Traces.Capacity.TraceSeries series = DmKernel.Traces.Capacity.TraceSeries.Load(reader);
        using NativeTraceReader again = NativeTraceReader.Open(file);
        using var engine = new ReplayEngine(again, new ReplayOptions());
        long booting = 0;
        while (engine.Step())
        {
            // No host is short here, so the servable paging is all at boot: a Booting VM holds its Startup whatever its
            // demand (R5), which more host memory does not relieve (what report.md and docs/outputs.md say).
            for (int v = 0; v < engine.Vms.Count; v++)
            {
                int slot = engine.SlotOf(v);
                if (engine.Fleet.States[slot] != VmState.Off && engine.Fleet.Demand[slot] > engine.Fleet.Assigned[slot]
                    && engine.Fleet.Committed[slot] <= GuestMemory.MaxServableCommittedMb(engine.Fleet.GetSettings(slot)))
                {
                    Assert.Equal(VmState.Booting, engine.Fleet.States[slot]);
                    booting++;
                }
            }
        }

        Assert.True(booting > 0, "some VMs page while they boot");
        Assert.Equal(0, engine.Metrics.ShortHostTicks);
        Assert.Equal(0, engine.Metrics.DeniedVmTicks);
        long windows = 0, linux = 0, linuxReplay = 0;
        for (int v = 0; v < engine.Vms.Count; v++)
        {
            int wanted = 0;
            foreach (int value in series.Of(v))
                wanted += value >= 0 ? 1 : 0;
            int compare = wanted - series.ServableTicks(v, 0, series.Ticks);
            int replay = engine.Metrics.UnservableTicksBySlot[engine.SlotOf(v)];
            if (engine.Vms[v].Settings.Guest == GuestKind.Windows)
            {
                Assert.True(compare == replay, $"Windows VM {v}: replay counts {replay} unservable ticks, compare {compare}");
                windows += compare;
            }
            else
            {
                Assert.True(replay <= compare, $"Linux VM {v}: replay counts {replay} unservable ticks, compare {compare}");
                linux += compare;
                linuxReplay += replay;
            }
        }

        Assert.True(windows > 0 && linux > 0, $"the trace has unservable demand on both guests ({windows}, {linux} VM-ticks)");
        Assert.True(linuxReplay > 0 && linuxReplay < linux, $"Linux: replay {linuxReplay}, compare {linux}");
        Assert.Equal(windows + linuxReplay, engine.Metrics.UnservablePagingVmTicks);
    }

    [Fact]
    public void UnservableTicks_SurviveACheckpoint()
    {
        using var dir = new TempDir();
        string file = dir.File("t.dmt");
        TraceGenerator.Generate(file, new TraceGeneratorOptions { Vms = 200, Hosts = 4, Ticks = 120, Seed = 5, HostHeadroom = 1.0 });
        int[] straight;
        long straightTotal;
        using (NativeTraceReader reader = NativeTraceReader.Open(file))
        using (var engine = new ReplayEngine(reader, new ReplayOptions()))
        {
            while (engine.Step())
            {
            }

            straight = engine.Metrics.UnservableTicksBySlot.ToArray();
            straightTotal = engine.Metrics.UnservablePagingVmTicks;
        }

        Assert.True(straightTotal > 0, "the trace has unservable paging");
        var state = new MemoryStream();
        using (NativeTraceReader reader = NativeTraceReader.Open(file))
        using (var engine = new ReplayEngine(reader, new ReplayOptions { MaxTicks = 120 }))
        {
            for (int t = 0; t < 70; t++)
                Assert.True(engine.Step());
            engine.SaveCheckpoint(state, "test", 0);
        }

        state.Position = 0;
        using (NativeTraceReader reader = NativeTraceReader.Open(file))
        using (var engine = new ReplayEngine(reader, new ReplayOptions()))
        {
            engine.ResumeFrom(state, "test");
            while (engine.Step())
            {
            }

            Assert.Equal(straight, engine.Metrics.UnservableTicksBySlot.ToArray());
            Assert.Equal(straightTotal, engine.Metrics.UnservablePagingVmTicks);
        }
    }
}

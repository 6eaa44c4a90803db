using System.Globalization;
using System.Runtime.CompilerServices;

namespace DmKernel.Traces.Replay;

/// <summary>One tick of the fleet-wide series kept for reports; the sums are over the VMs on at the end of the tick
/// (<see cref="TickTotals"/>).</summary>
/// <param name="Tick">The trace's tick, 0-based: the fleet's <see cref="Fleet.TickIndex"/> before it ran, less the ticks of a
/// boot phase (<see cref="ReplayOptions.BootTicks"/>), which the fleet ran first.</param>
/// <param name="AssignedMb">Σ Assigned, MB.</param>
/// <param name="DemandMb">Σ Demand (R8), MB.</param>
/// <param name="AvailableMb">Σ Available Memory (R3, R19) over the hosts, MB.</param>
/// <param name="PagingVms">VMs with Demand &gt; Assigned (R20 Warning).</param>
/// <param name="OnVms">VMs on (Booting or Running).</param>
/// <param name="ShortHosts">Hosts on which R11 ran the short plan.</param>
/// <param name="HostAvailableP5">The 5th percentile (nearest rank) over the hosts of Available as a whole percentage of the
/// host's RAM (<see cref="ReplayMetrics.HostAvailablePercentOf"/>, rounded down; 0 for a host of no RAM).</param>
/// <param name="HostAvailableP50">The median of the same, %.</param>
/// <param name="HostAvailableP95">The 95th percentile of the same, %.</param>
public readonly record struct FleetPoint(long Tick, long AssignedMb, long DemandMb, long AvailableMb, int PagingVms, int OnVms, int ShortHosts,
    int HostAvailableP5, int HostAvailableP50, int HostAvailableP95);

/// <summary>
/// What a replay accumulates after each tick: VM-time paging and denied, unmet demand, pressure and host-available
/// distributions, Smart Paging use, and the fleet series. Integer sums, so the result does not depend on the
/// kernel path or the thread count.
/// </summary>
public sealed class ReplayMetrics
{
    /// <summary>Pressure bins: 0..1000 %; the last bin counts everything from 1000 % up, and the exact values above it
    /// are kept apart (<see cref="Histogram.AboveLastBin"/>), so that percentiles are exact at any pressure.</summary>
    public const int PressureBins = 1001;

    /// <summary>The highest Current Pressure the model reports (R10 saturates there): the bound of <see cref="Histogram.Max"/>
    /// of <see cref="Pressure"/>, which keeps the value unbinned.</summary>
    public const int MaxPressure = DmKernel.Kernel.Rules.PressureCap;

    private readonly Fleet _fleet;
    private readonly long[] _pressureBins = new long[PressureBins];
    private readonly List<FleetPoint> _series = [];
    private readonly Histogram _hostsThisTick = new(100);
    private readonly int[] _pagingTicks;
    private readonly long[] _unmetMbTicks;
    private readonly int[] _unservableTicks;

    /// <summary>
    /// Fleet ticks run before the trace's first (a replay's boot phase, <see cref="ReplayOptions.BootTicks"/>): a
    /// <see cref="FleetPoint.Tick"/> is the trace's tick, the fleet's <see cref="Fleet.TickIndex"/> less this.
    /// </summary>
    internal long TickOffset { get; set; }

    /// <summary>
    /// The fleet's host counters after the boot phase (add operations, MB added, remove operations, MB removed, failed
    /// starts: <see cref="ReplayOutcome"/>'s), which the outcome leaves out: the boot is not measured. Zeros without one;
    /// kept in a checkpoint only with one (<see cref="TickOffset"/> &gt; 0), so checkpoints without are as before.
    /// </summary>
    internal long[] BootCounters { get; } = new long[5];

    /// <summary>
    /// The VMs on at the trace's tick 0, which the boot phase started, and of those the ones still off after it; kept in
    /// a checkpoint with <see cref="BootCounters"/>, so that a resumed replay records them as the uninterrupted one.
    /// </summary>
    internal (int On, int StillOff) BootVms { get; set; }

    /// <summary>Metrics for <paramref name="fleet"/>, starting from nothing.</summary>
    public ReplayMetrics(Fleet fleet)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        _fleet = fleet;
        var placing = new List<object>(); // (on 64-byte boundaries, as the fleet's columns)
        _pagingTicks = AlignedArrays.Allocate<int>(fleet.SlotCount, keep: placing);
        _unmetMbTicks = AlignedArrays.Allocate<long>(fleet.SlotCount, keep: placing);
        _unservableTicks = AlignedArrays.Allocate<int>(fleet.SlotCount, keep: placing);
        GC.KeepAlive(placing);
        _meter = new FleetMeter(fleet, PressureBins);
    }

    private readonly FleetMeter _meter;

    /// <summary>Ticks each slot spent paging (Demand &gt; Assigned).</summary>
    public ReadOnlySpan<int> PagingTicksBySlot => _pagingTicks;

    /// <summary>Σ max(0, Demand − Assigned) over ticks, per slot (MB·ticks).</summary>
    public ReadOnlySpan<long> UnmetMbTicksBySlot => _unmetMbTicks;

    /// <summary>
    /// Ticks each slot spent paging with a committed demand above what its settings can ever serve
    /// (<see cref="GuestMemory.MaxServableCommittedMb"/>: its Maximum, a static VM's Startup, less a Linux guest's R8
    /// floor): <em>unservable</em> paging, which no host or balancer can relieve. Part of <see cref="PagingTicksBySlot"/>;
    /// found among the paging VMs as they are counted (<see cref="FleetMeter.AddHosts(int, int, Span{int}, Span{long}, Span{int})"/>).
    /// </summary>
    public ReadOnlySpan<int> UnservableTicksBySlot => _unservableTicks;

    /// <summary>Ticks measured.</summary>
    public long Ticks { get; private set; }

    /// <summary>Σ over ticks of the VMs the trace says are on.</summary>
    public long WantedVmTicks { get; private set; }

    /// <summary>Σ over ticks of the VMs that are Booting or Running.</summary>
    public long OnVmTicks { get; private set; }

    /// <summary>Σ over ticks of the VMs with Demand &gt; Assigned.</summary>
    public long PagingVmTicks { get; private set; }

    /// <summary>Σ over ticks of the paging VMs whose committed demand is above what their settings can serve (see <see cref="UnservableTicksBySlot"/>): part of <see cref="PagingVmTicks"/>.</summary>
    public long UnservablePagingVmTicks { get; private set; }

    /// <summary>Σ over ticks of the VMs the trace wants on that are not (failed or pending starts).</summary>
    public long DeniedVmTicks { get; private set; }

    /// <summary>Σ over ticks of Σ max(0, Demand − Assigned), MB·ticks.</summary>
    public long UnmetMbTicks { get; private set; }

    /// <summary>Σ over ticks of the fleet's Assigned, MB·ticks.</summary>
    public long AssignedMbTicks { get; private set; }

    /// <summary>Σ over ticks of the fleet's Demand, MB·ticks.</summary>
    public long DemandMbTicks { get; private set; }

    /// <summary>The largest fleet-wide Assigned of any tick, MB.</summary>
    public long PeakAssignedMb { get; private set; }

    /// <summary>Σ over ticks of the VMs with Smart Paging in use (R6, R16).</summary>
    public long SmartPagingVmTicks { get; private set; }

    /// <summary>Σ over ticks of the fleet's Smart Paging, MB·ticks.</summary>
    public long SmartPagingMbTicks { get; private set; }

    /// <summary>Σ over ticks of the hosts that were short (R11).</summary>
    public long ShortHostTicks { get; private set; }

    /// <summary>Pressure of Running DM VMs, one sample per VM per tick.</summary>
    public Histogram Pressure { get; } = new(PressureBins - 1);

    /// <summary>Host Available as % of the host's RAM, one sample per host per tick.</summary>
    public Histogram HostAvailablePercent { get; } = new(100);

    /// <summary>The fleet series, one point per tick.</summary>
    public IReadOnlyList<FleetPoint> Series => _series;

    /// <summary>Host <paramref name="host"/>'s Available as a whole percentage of its RAM (rounded down; 0 for a host of no RAM).</summary>
    public static int HostAvailablePercentOf(Fleet fleet, int host)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        int total = fleet.HostTotal(host);
        return total == 0 ? 0 : (int)(100L * fleet.HostAvailable(host) / total);
    }

    /// <summary>Writes every accumulator (for a checkpoint).</summary>
    internal void Save(BinaryWriter w)
    {
        foreach (long v in (ReadOnlySpan<long>)[Ticks, WantedVmTicks, OnVmTicks, PagingVmTicks, DeniedVmTicks, UnmetMbTicks,
            AssignedMbTicks, DemandMbTicks, PeakAssignedMb, SmartPagingVmTicks, SmartPagingMbTicks, ShortHostTicks, UnservablePagingVmTicks])
            w.Write(v);
        Pressure.Save(w);
        HostAvailablePercent.Save(w);
        w.Write(_series.Count);
        foreach (FleetPoint p in _series)
        {
            w.Write(p.Tick);
            w.Write(p.AssignedMb);
            w.Write(p.DemandMb);
            w.Write(p.AvailableMb);
            w.Write(p.PagingVms);
            w.Write(p.OnVms);
            w.Write(p.ShortHosts);
            w.Write(p.HostAvailableP5);
            w.Write(p.HostAvailableP50);
            w.Write(p.HostAvailableP95);
        }

        if (TickOffset > 0)
        {
            foreach (long v in BootCounters)
                w.Write(v);
            w.Write(BootVms.On);
            w.Write(BootVms.StillOff);
        }

        w.Write(_pagingTicks.Length);
        foreach (int v in _pagingTicks)
            w.Write(v);
        foreach (long v in _unmetMbTicks)
            w.Write(v);
        foreach (int v in _unservableTicks)
            w.Write(v);
    }

    /// <summary>Restores what <see cref="Save"/> wrote.</summary>
    internal void Load(BinaryReader r)
    {
        Ticks = r.ReadInt64();
        WantedVmTicks = r.ReadInt64();
        OnVmTicks = r.ReadInt64();
        PagingVmTicks = r.ReadInt64();
        DeniedVmTicks = r.ReadInt64();
        UnmetMbTicks = r.ReadInt64();
        AssignedMbTicks = r.ReadInt64();
        DemandMbTicks = r.ReadInt64();
        PeakAssignedMb = r.ReadInt64();
        SmartPagingVmTicks = r.ReadInt64();
        SmartPagingMbTicks = r.ReadInt64();
        ShortHostTicks = r.ReadInt64();
        UnservablePagingVmTicks = r.ReadInt64();
        Pressure.Load(r);
        HostAvailablePercent.Load(r);
        int count = r.ReadInt32();
        if (count < 0)
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"Checkpoint has {count} series points."));
        _series.Clear();
        for (int i = 0; i < count; i++)
        {
            _series.Add(new FleetPoint(r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(),
                r.ReadInt32(), r.ReadInt32(), r.ReadInt32()));
        }

        if (TickOffset > 0)
        {
            for (int i = 0; i < BootCounters.Length; i++)
            {
                BootCounters[i] = r.ReadInt64();
                if (BootCounters[i] < 0)
                    throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"Checkpoint has a negative boot counter ({BootCounters[i]})."));
            }

            int on = r.ReadInt32(), off = r.ReadInt32();
            if (on < 0 || off < 0 || off > on || on > _pagingTicks.Length)
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"Checkpoint has {off} of {on} VMs still off after the boot, for {_pagingTicks.Length} slots."));
            BootVms = (on, off);
        }

        int slots = r.ReadInt32();
        if (slots != _pagingTicks.Length)
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"Checkpoint has {slots} slots; this replay has {_pagingTicks.Length}."));
        for (int i = 0; i < slots; i++)
            _pagingTicks[i] = r.ReadInt32();
        for (int i = 0; i < slots; i++)
            _unmetMbTicks[i] = r.ReadInt64();
        for (int i = 0; i < slots; i++)
        {
            int v = r.ReadInt32();
            if (v < 0 || v > _pagingTicks[i])
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"Checkpoint has {v} unservable paging ticks for slot {i}, which paged {_pagingTicks[i]}."));
            _unservableTicks[i] = v;
        }
    }

    /// <summary>Adds the tick the fleet just ran; <paramref name="wantedOn"/> is how many VMs the trace wanted on.</summary>
    public void AddTick(int wantedOn)
    {
        BeginTick();
        MeasureHosts(0, _fleet.HostCount);
        EndTick(wantedOn);
    }

    /// <summary>
    /// Starts a tick measured host range by host range (<see cref="MeasureHosts"/> right after the range is ticked, while
    /// its columns are in the cache); <see cref="EndTick"/> then adds exactly what <see cref="AddTick"/> would.
    /// </summary>
    public void BeginTick() => _meter.Begin();

    /// <summary>Measures hosts [<paramref name="firstHost"/>, + <paramref name="hostCount"/>) of the tick begun with <see cref="BeginTick"/>.</summary>
    public void MeasureHosts(int firstHost, int hostCount) => _meter.AddHosts(firstHost, hostCount, _pagingTicks, _unmetMbTicks, _unservableTicks);

    /// <summary>The exact values of this tick's pressures above the last bin (a Running DM VM at over 1000 %: rare, so a
    /// scan of the fleet on the ticks that have one).</summary>
    private void AddPressuresAbove()
    {
        int[] flags = _fleet.Cols.Flags, pressure = _fleet.Cols.Pressure;
        const int last = PressureBins - 1;
        for (int i = 0; i < pressure.Length; i++)
        {
            if (pressure[i] > last && (flags[i] & (VmFlags.StateMask | VmFlags.Dynamic)) == VmFlags.RunningDynamic)
                Pressure.AddExactAbove(pressure[i]);
        }
    }

    /// <summary>Ends a tick begun with <see cref="BeginTick"/> once every host was measured.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // once per tick over every host: compiled optimized at once (by ReplayWarmUp), not run as tier-0 code for a replay's first dozens of ticks
    public void EndTick(int wantedOn)
    {
        Array.Clear(_pressureBins);
        TickTotals t = _meter.End(_pressureBins);
        Pressure.AddBins(_pressureBins, t.PressureSum, t.PressureMax);
        if (t.PressureMax > PressureBins - 1)
            AddPressuresAbove();

        _hostsThisTick.Clear();
        for (int h = 0; h < _fleet.HostCount; h++)
        {
            int pct = HostAvailablePercentOf(_fleet, h);
            HostAvailablePercent.Add(pct);
            _hostsThisTick.Add(pct);
        }

        WantedVmTicks += wantedOn;
        OnVmTicks += t.OnVms;
        PagingVmTicks += t.PagingVms;
        UnservablePagingVmTicks += t.UnservablePagingVms;
        DeniedVmTicks += Math.Max(0, wantedOn - t.OnVms);
        UnmetMbTicks += t.UnmetMb;
        AssignedMbTicks += t.AssignedMb;
        DemandMbTicks += t.DemandMb;
        PeakAssignedMb = Math.Max(PeakAssignedMb, t.AssignedMb);
        SmartPagingVmTicks += t.SmartPagingVms;
        SmartPagingMbTicks += t.SmartPagingMb;
        ShortHostTicks += t.ShortHosts;
        _series.Add(new FleetPoint(_fleet.TickIndex - 1 - TickOffset, t.AssignedMb, t.DemandMb, t.AvailableMb, t.PagingVms, t.OnVms, t.ShortHosts,
            _hostsThisTick.Percentile(5), _hostsThisTick.Percentile(50), _hostsThisTick.Percentile(95)));
        Ticks++;
    }
}

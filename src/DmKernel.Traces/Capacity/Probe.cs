using System.Buffers;
using System.Globalization;
using DmKernel.Traces.Replay;

namespace DmKernel.Traces.Capacity;

/// <summary>One VM of a probe: the trace VM whose series it plays, the tick of that series it starts at, and its host.</summary>
/// <param name="Source">Index of the trace VM.</param>
/// <param name="Offset">The VM plays the trace VM's tick (t + Offset) mod T at measured tick t (0: as in the trace).</param>
/// <param name="Host">Host index within the probe.</param>
public readonly record struct ProbeVm(int Source, int Offset, int Host);

/// <summary>How a probe runs: the model, the kernel path and what it measures besides the service-level totals.</summary>
public sealed record ProbeOptions
{
    /// <summary>Model parameters; <see cref="ModelParameters.TickSeconds"/> is taken from the series.</summary>
    public ModelParameters Model { get; init; } = ModelParameters.Default;

    /// <summary>Kernel path (every path gives the same result).</summary>
    public KernelPath Path { get; init; } = KernelPath.Auto;

    /// <summary>The balancer policy (docs/policies.md; default Hyper-V).</summary>
    public BalancerPolicy Policy { get; init; } = BalancerPolicy.HyperV;

    /// <summary>Keep the distribution of Current Pressure over servable on VM-ticks (<see cref="ProbeOutcome.Pressure"/>).</summary>
    public bool PressureHistogram { get; init; }

    /// <summary>Which percentile of Current Pressure to report (null: none; needed for a pressure limit).</summary>
    public double? PressurePercentile { get; init; }

    /// <summary>Keep per-VM counters (<see cref="ProbeOutcome.PerVm"/>).</summary>
    public bool PerVm { get; init; }

    /// <summary>Most measured ticks (null: the whole series).</summary>
    public int? MaxTicks { get; init; }

    /// <summary>
    /// Stop as soon as the probe can no longer meet this level (a denied start, or more paging than the level allows over
    /// the probe's whole servable VM-time); the outcome is then <see cref="ProbeOutcome.Stopped"/>. Null: always run to the end.
    /// </summary>
    public ServiceLevel? StopWhenMissed { get; init; }

    /// <summary>
    /// Checked every tick: when set, the probe stops with <see cref="OperationCanceledException"/> (a probe of a large host
    /// runs for seconds, so a study stops within a tick of Ctrl+C rather than at the end of the probe).
    /// </summary>
    public CancellationToken Cancel { get; init; }
}

/// <summary>What one VM did in a probe, over the measured ticks.</summary>
/// <param name="WantedTicks">Ticks the trace wanted it on.</param>
/// <param name="UnservableTicks">Wanted ticks with a demand above what it can ever be served.</param>
/// <param name="PagingTicks">Servable ticks on which it paged (Demand &gt; Assigned).</param>
/// <param name="DeniedTicks">Wanted ticks on which it was not on (a start denied).</param>
/// <param name="UnmetMbTicks">Σ (Demand − Assigned) over its servable paging ticks, MB·ticks.</param>
public readonly record struct ProbeVmOutcome(int WantedTicks, int UnservableTicks, int PagingTicks, int DeniedTicks, long UnmetMbTicks)
{
    /// <summary>Wanted ticks with a servable demand.</summary>
    public int ServableTicks => WantedTicks - UnservableTicks;
}

/// <summary>
/// The service-level totals of one probe over its measured ticks (after the warm-up). VM-ticks count one per VM per
/// tick. Paging counts servable VM-ticks only (<see cref="ServiceLevel"/>).
/// </summary>
public sealed record ProbeOutcome
{
    /// <summary>Hosts in the probe.</summary>
    public required int Hosts { get; init; }

    /// <summary>VMs in the probe.</summary>
    public required int Vms { get; init; }

    /// <summary>Warm-up ticks run before measuring.</summary>
    public required int WarmupTicks { get; init; }

    /// <summary>Measured ticks (fewer than the series when <see cref="Stopped"/>).</summary>
    public required int Ticks { get; init; }

    /// <summary>VM-ticks the trace wanted on.</summary>
    public required long WantedVmTicks { get; init; }

    /// <summary>Wanted VM-ticks with a demand above what the VM can ever be served.</summary>
    public required long UnservableVmTicks { get; init; }

    /// <summary>Servable VM-ticks paging.</summary>
    public required long PagingVmTicks { get; init; }

    /// <summary>
    /// Of <see cref="UnservableVmTicks"/>, those on which the VM was on but held less than its provisioned size (its Maximum;
    /// a static VM's size): the part of its demand that size could serve went unserved by the strategy's doing. Not counted
    /// for or against the level, as all unservable time (<see cref="ServiceLevel"/>); the study warns where it is large.
    /// </summary>
    public long UnservableShortVmTicks { get; init; }

    /// <summary>Σ (provisioned size − Assigned) over <see cref="UnservableShortVmTicks"/>, MB·ticks.</summary>
    public long UnservableShortMbTicks { get; init; }

    /// <summary>Wanted VM-ticks not on (denied starts).</summary>
    public required long DeniedVmTicks { get; init; }

    /// <summary>VM-ticks on (Booting or Running).</summary>
    public required long OnVmTicks { get; init; }

    /// <summary>Σ (Demand − Assigned) over servable paging VM-ticks, MB·ticks.</summary>
    public required long UnmetMbTicks { get; init; }

    /// <summary>Σ over ticks of the memory the VMs hold (Σ Assigned), MB·ticks.</summary>
    public required long AssignedMbTicks { get; init; }

    /// <summary>Σ over ticks of the on VMs' Demand (R8), MB·ticks.</summary>
    public required long DemandMbTicks { get; init; }

    /// <summary>The largest Σ Assigned of one tick, MB.</summary>
    public required long PeakAssignedMb { get; init; }

    /// <summary>The limited percentile of Current Pressure over servable on VM-ticks (0 without a histogram).</summary>
    public required int PressurePercentile { get; init; }

    /// <summary>Current Pressure over servable on VM-ticks, when asked for (<see cref="ProbeOptions.PressureHistogram"/>).</summary>
    public Replay.Histogram? Pressure { get; init; }

    /// <summary>True when the probe stopped early because it could no longer meet <see cref="ProbeOptions.StopWhenMissed"/> (totals are partial).</summary>
    public bool Stopped { get; init; }

    /// <summary>Per-VM counters in probe order (empty unless asked for).</summary>
    public required IReadOnlyList<ProbeVmOutcome> PerVm { get; init; }

    /// <summary>Wanted VM-ticks with a servable demand.</summary>
    public long ServableVmTicks => WantedVmTicks - UnservableVmTicks;

    /// <summary>Paging share of the servable VM-time.</summary>
    public double PagingShare => ServableVmTicks == 0 ? 0 : (double)PagingVmTicks / ServableVmTicks;

    /// <summary>Denied share of the wanted VM-time.</summary>
    public double DeniedShare => WantedVmTicks == 0 ? 0 : (double)DeniedVmTicks / WantedVmTicks;

    /// <summary>Unservable share of the wanted VM-time.</summary>
    public double UnservableShare => WantedVmTicks == 0 ? 0 : (double)UnservableVmTicks / WantedVmTicks;

    /// <summary>Mean memory held per VM while on, MB.</summary>
    public double MeanHeldPerVmMb => OnVmTicks == 0 ? 0 : (double)AssignedMbTicks / OnVmTicks;

    /// <summary>Mean demand per VM while on, MB.</summary>
    public double MeanDemandPerVmMb => OnVmTicks == 0 ? 0 : (double)DemandMbTicks / OnVmTicks;

    /// <summary>Peak memory held (largest Σ Assigned of a tick) per VM of the probe, MB.</summary>
    public double PeakHeldPerVmMb => Vms == 0 ? 0 : (double)PeakAssignedMb / Vms;
}

/// <summary>
/// Runs one capacity probe: the given VMs, with a strategy's settings, on identical hosts, playing their (rotated) series
/// from a <see cref="TraceSeries"/> through the kernel. A warm-up first holds each VM at its first value until every VM
/// the trace wants on has started (a denied start is retried each tick, as an administrator boots a full host one VM after
/// another; R4 reclaims from running VMs) and the boot grace and one reclaim period have passed; then every tick of the
/// series is played once and measured. Deterministic: the same inputs give the same outcome on every path.
/// </summary>
public static class Probe
{
    /// <summary>
    /// Ticks of warm-up at least: boot grace + reclaim period + 1 (at most <see cref="int.MaxValue"/>: before stop 53 the
    /// sum, and the maximum's 100 boot grace periods, overflowed for boot graces of tens of millions of ticks, and a
    /// negative maximum ran no warm-up at all: compare --boot-grace 1e9 on 1-s ticks answered in 0.3 s, unwarmed).
    /// </summary>
    public static int MinWarmupTicks(ModelParameters model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return (int)Math.Min(int.MaxValue, (long)model.BootGraceTicks + model.ReclaimPeriodTicks + 1);
    }

    /// <summary>Ticks of warm-up at most: the minimum plus 100 boot grace periods (starts waiting for room); at most <see cref="int.MaxValue"/>.</summary>
    public static int MaxWarmupTicks(ModelParameters model)
        => (int)Math.Min(int.MaxValue, MinWarmupTicks(model) + (100L * Math.Max(1, model.BootGraceTicks)));

    /// <summary>
    /// The longest least warm-up (<see cref="MinWarmupTicks"/>) a comparison accepts: every probe replays its warm-up
    /// before it measures a tick, and a comparison runs hundreds of probes, so a boot grace or reclaim period of millions
    /// of ticks would run for days (a replay takes any).
    /// </summary>
    internal const int ComparisonWarmupLimit = 1_000_000;

    /// <summary>
    /// Runs the probe. <paramref name="vms"/> are placed in order onto <paramref name="hostCount"/> hosts of
    /// <paramref name="host"/>'s size. Throws <see cref="ArgumentException"/> when a VM's settings are refused (R1) or a
    /// host index is out of range.
    /// </summary>
    public static ProbeOutcome Run(TraceSeries series, MemoryStrategy strategy, ReadOnlySpan<ProbeVm> vms, int hostCount, TraceHost host, ProbeOptions options)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentNullException.ThrowIfNull(options);
        InvariantOutOfRangeException.ThrowIfLessThan(hostCount, 1);
        ModelParameters model = options.Model with { TickSeconds = series.TickSeconds };
        model.Validate();

        var counts = new int[hostCount];
        foreach (ProbeVm vm in vms)
        {
            if ((uint)vm.Host >= (uint)hostCount)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"A probe VM is on host {vm.Host}; the probe has {hostCount} hosts."), nameof(vms));
            if ((uint)vm.Source >= (uint)series.VmSpan.Length)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"A probe VM plays trace VM {vm.Source}; the trace has {series.Vms.Count}."), nameof(vms));
            counts[vm.Host]++;
        }

        var specs = new HostSpec[hostCount];
        for (int h = 0; h < hostCount; h++)
            specs[h] = host.ToHostSpec(Math.Max(1, counts[h]));
        var fleet = new Fleet(model, specs);

        int n = vms.Length, ticks = Math.Min(series.Ticks, options.MaxTicks ?? int.MaxValue);
        var slot = new int[n];
        var rowBase = new int[n];
        var position = new int[n];
        var cap = new int[fleet.SlotCount];
        var size = new int[fleet.SlotCount];
        Array.Fill(cap, int.MaxValue);
        for (int i = 0; i < n; i++)
        {
            ProbeVm vm = vms[i];
            VmSettings trace = series.VmSpan[vm.Source].Settings;
            slot[i] = fleet.AddVm(vm.Host, strategy.Apply(trace, model.MaxCeilingMb));
            cap[slot[i]] = GuestMemory.MaxServableCommittedMb(trace);
            size[slot[i]] = trace.DynamicMemory ? trace.MaximumMb : trace.StartupMb; // what serves cap
            rowBase[i] = checked((int)series.RowStart(vm.Source));
            position[i] = ((vm.Offset % series.Ticks) + series.Ticks) % series.Ticks;
        }

        // P10: the guests' responsiveness the trace records (ideal when none), by the VM the probe plays.
        GuestMix guests = GuestMix.FromMetadata(series.Metadata);
        if (guests.Parts.Count > 0)
        {
            for (int i = 0; i < n; i++)
                fleet.SetGuestResponse(slot[i], guests.For(vms[i].Source));
        }

        var values = new int[fleet.SlotCount];
        Array.Fill(values, TraceValues.Off);
        int[] data = series.Values;
        using var balancer = new Balancer(fleet, options.Policy, options.Path, 1);
        var feed = new TraceFeed(fleet);

        // Warm-up: every VM at its first value until all wanted VMs run.
        for (int i = 0; i < n; i++)
            values[slot[i]] = data[rowBase[i] + position[i]];
        int warmup = 0, minWarmup = MinWarmupTicks(model), maxWarmup = MaxWarmupTicks(model);
        while (warmup < maxWarmup)
        {
            options.Cancel.ThrowIfCancellationRequested();
            feed.Apply(values);
            balancer.Tick();
            warmup++;
            if (warmup >= minWarmup && AllWantedOn(values, fleet.States))
                break;
        }

        var acc = new Accumulator(fleet.SlotCount, options.PressurePercentile is not null || options.PressureHistogram);
        int lastPosition = series.Ticks - 1;
        long pagingAllowed = long.MaxValue;
        if (options.StopWhenMissed is ServiceLevel level)
        {
            long servable = 0;
            for (int i = 0; i < n; i++)
                servable += series.ServableTicks(vms[i].Source, position[i], ticks);
            pagingAllowed = level.PagingTicksAllowed(servable);
        }

        bool stopped = false;
        int measured = 0;
        // The trace is stored VM by VM, so one tick's values are a VM-row apart: read per tick, every VM's value was a
        // cache miss (a million per tick in a 1 000 000-VM comparison). Instead each VM's next BlockTicks values are read
        // together (one or two cache lines) into a tick-major block, and each tick reads its row of the block in order.
        int blockTicks = Math.Min(BlockTicks, Math.Max(1, ticks));
        int[] block = ArrayPool<int>.Shared.Rent(blockTicks * n); // reused by the next probe: no fresh pages to fault in
        try
        {
            for (int t = 0; t < ticks && !stopped; t++)
            {
                options.Cancel.ThrowIfCancellationRequested();
                int row = t % blockTicks;
                if (row == 0)
                    FillBlock(data, rowBase, position, lastPosition, block, blockTicks);
                ReadOnlySpan<int> tickValues = block.AsSpan(row * n, n);
                for (int i = 0; i < n; i++)
                    values[slot[i]] = tickValues[i];

                feed.Apply(values);
                balancer.Tick();
                acc.Add(fleet, values, cap, size);
                measured++;
                stopped = pagingAllowed != long.MaxValue && (acc.Denied > 0 || acc.Paging > pagingAllowed);
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(block);
        }

        ProbeVmOutcome[] perVm = [];
        if (options.PerVm)
        {
            perVm = new ProbeVmOutcome[n];
            for (int i = 0; i < n; i++)
                perVm[i] = acc.Of(slot[i]);
        }

        return acc.Outcome(hostCount, n, warmup, measured, options.PressurePercentile, perVm) with
        {
            Stopped = stopped,
            Pressure = options.PressureHistogram ? acc.PressureHistogram : null,
        };
    }

    /// <summary>Ticks of trace values read per VM at a time (<see cref="FillBlock"/>): 16 values, one cache line.</summary>
    private const int BlockTicks = 16;

    /// <summary>
    /// The next <paramref name="blockTicks"/> ticks of every probe VM, tick-major: <paramref name="block"/>[j × n + i] is
    /// VM i's value at its position + j (wrapping at the trace's end); the positions move on by <paramref name="blockTicks"/>.
    /// </summary>
    private static void FillBlock(int[] data, int[] rowBase, int[] position, int lastPosition, int[] block, int blockTicks)
    {
        int n = position.Length;
        for (int i = 0; i < n; i++)
        {
            int p = position[i], row = rowBase[i];
            for (int j = 0; j < blockTicks; j++)
            {
                block[(j * n) + i] = data[row + p];
                p = p == lastPosition ? 0 : p + 1;
            }

            position[i] = p;
        }
    }

    private static bool AllWantedOn(int[] values, ReadOnlySpan<VmState> states)
    {
        // Wanted (a value, not Off) and still Off: its start has not been granted yet (R2).
        for (int s = 0; s < values.Length; s++)
        {
            if (values[s] >= 0 && states[s] == VmState.Off)
                return false;
        }

        return true;
    }

    /// <summary>Per-slot counters over the measured ticks.</summary>
    private sealed class Accumulator(int slots, bool histogram)
    {
        private readonly int[] _wanted = new int[slots];
        private readonly int[] _unservable = new int[slots];
        private readonly int[] _paging = new int[slots];
        private readonly int[] _denied = new int[slots];
        private readonly int[] _on = new int[slots];
        private readonly long[] _unmet = new long[slots];
        private long _shortTicks;
        private long _shortMbTicks;
        private readonly Replay.Histogram? _pressure = histogram ? new(Replay.ReplayMetrics.PressureBins - 1) : null;
        private long _assignedMbTicks;
        private long _demandMbTicks;
        private long _peakAssignedMb;

        /// <summary>Denied VM-ticks so far.</summary>
        public long Denied { get; private set; }

        /// <summary>Servable paging VM-ticks so far.</summary>
        public long Paging { get; private set; }

        public void Add(Fleet fleet, int[] values, int[] cap, int[] size)
        {
            ReadOnlySpan<int> target = fleet.Target, demand = fleet.Demand, assigned = fleet.Assigned, pressure = fleet.Pressure;
            long assignedSum = 0, demandSum = 0, denied = 0, paging = 0;
            for (int s = 0; s < values.Length; s++)
            {
                int v = values[s];
                bool on = target[s] > 0;
                if (v >= 0)
                {
                    _wanted[s]++;
                    if (v > cap[s])
                    {
                        _unservable[s]++;
                        if (!on)
                        {
                            _denied[s]++;
                            denied++;
                        }
                        else if (assigned[s] < size[s])
                        {
                            _shortTicks++;
                            _shortMbTicks += size[s] - assigned[s];
                        }
                    }
                    else if (!on)
                    {
                        _denied[s]++;
                        denied++;
                    }
                    else if (demand[s] > assigned[s])
                    {
                        _paging[s]++;
                        paging++;
                        _unmet[s] += demand[s] - assigned[s];
                    }

                    if (on && v <= cap[s])
                        _pressure?.Add(pressure[s]);
                }

                if (on)
                {
                    _on[s]++;
                    assignedSum += assigned[s];
                    demandSum += demand[s];
                }
            }

            _assignedMbTicks += assignedSum;
            _demandMbTicks += demandSum;
            _peakAssignedMb = Math.Max(_peakAssignedMb, assignedSum);
            Denied += denied;
            Paging += paging;
        }

        public Replay.Histogram? PressureHistogram => _pressure;

        public ProbeVmOutcome Of(int s) => new(_wanted[s], _unservable[s], _paging[s], _denied[s], _unmet[s]);

        public ProbeOutcome Outcome(int hosts, int vms, int warmup, int ticks, double? percentile, ProbeVmOutcome[] perVm)
        {
            long wanted = 0, unservable = 0, paging = 0, denied = 0, on = 0, unmet = 0;
            for (int s = 0; s < _wanted.Length; s++)
            {
                wanted += _wanted[s];
                unservable += _unservable[s];
                paging += _paging[s];
                denied += _denied[s];
                on += _on[s];
                unmet += _unmet[s];
            }

            return new ProbeOutcome
            {
                Hosts = hosts,
                Vms = vms,
                WarmupTicks = warmup,
                Ticks = ticks,
                WantedVmTicks = wanted,
                UnservableVmTicks = unservable,
                PagingVmTicks = paging,
                UnservableShortVmTicks = _shortTicks,
                UnservableShortMbTicks = _shortMbTicks,
                DeniedVmTicks = denied,
                OnVmTicks = on,
                UnmetMbTicks = unmet,
                AssignedMbTicks = _assignedMbTicks,
                DemandMbTicks = _demandMbTicks,
                PeakAssignedMb = _peakAssignedMb,
                PressurePercentile = percentile is double p && _pressure is not null ? _pressure.Percentile(p) : 0,
                PerVm = perVm,
            };
        }
    }
}

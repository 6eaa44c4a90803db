namespace DmKernel.Traces.Replay;

/// <summary>One of the VMs that starve most: its index in the trace, its id, ticks spent paging and unmet demand (MB·ticks).</summary>
/// <param name="Vm">The VM's index in the trace's VM table (in the whole trace, for a shard of a replay split by host).</param>
/// <param name="Id">The VM id.</param>
/// <param name="PagingTicks">Ticks it spent paging (Demand &gt; Assigned, R20 Warning), <see cref="UnservableTicks"/>
/// included.</param>
/// <param name="UnmetMbTicks">Σ (Demand − Assigned) over those ticks, MB·ticks.</param>
public readonly record struct StarvingVm(int Vm, string Id, int PagingTicks, long UnmetMbTicks)
{
    /// <summary>
    /// Of <see cref="PagingTicks"/>, the ticks on which the VM's committed demand was above what its settings can ever
    /// serve (<see cref="ReplayMetrics.UnservableTicksBySlot"/>): paging that more host memory would not relieve, only a
    /// larger Maximum.
    /// </summary>
    public int UnservableTicks { get; init; }

    /// <summary>Of <see cref="PagingTicks"/>, the servable ones (<see cref="PagingTicks"/> − <see cref="UnservableTicks"/>):
    /// paging for want of free memory on the VM's host, or while it boots at its Startup.</summary>
    public int ServableTicks => PagingTicks - UnservableTicks;
}

/// <summary>
/// What <c>summary.json</c> and the report say about a finished replay, apart from how it ran (path, threads, time):
/// taken from one <see cref="ReplayEngine"/> (<see cref="FromEngine"/>), or merged from the shards of a replay split by
/// host. Every figure is an integer sum, a histogram or a maximum, so a merge gives exactly what one process gives.
/// </summary>
public sealed class ReplayOutcome
{
    /// <summary>How many VMs <see cref="Starving"/> lists at most.</summary>
    public const int StarvingCount = 10;

    /// <summary>The trace's file name (no folder).</summary>
    public required string TraceFile { get; init; }

    /// <summary>The trace's header: source, tick length, ticks, metadata.</summary>
    public required TraceHeader Header { get; init; }

    /// <summary>The model the replay ran.</summary>
    public required ModelParameters Model { get; init; }

    /// <summary>The balancer policy the replay ran under (Hyper-V unless set).</summary>
    public BalancerPolicy Policy { get; init; } = BalancerPolicy.HyperV;

    /// <summary>VMs in the trace.</summary>
    public required int VmCount { get; init; }

    /// <summary>Hosts the VMs ran on.</summary>
    public required int HostCount { get; init; }

    /// <summary>Ticks replayed.</summary>
    public required long Ticks { get; init; }

    /// <summary>Fleet ticks run before the trace's first, unmeasured (<see cref="ReplayOptions.BootTicks"/>; 0: none).</summary>
    public int BootTicks { get; init; }

    /// <summary>With a boot phase (<see cref="BootTicks"/> &gt; 0): the VMs on at the trace's tick 0, which it started.</summary>
    public int BootVmsOnAtTick0 { get; init; }

    /// <summary>
    /// With a boot phase: of <see cref="BootVmsOnAtTick0"/>, the VMs still off after it, their starts denied on every boot
    /// tick (the hosts cannot hold them beside the others at their Minimum, or the boot was too short); they start in the
    /// measured ticks, whose denied VM-time counts them.
    /// </summary>
    public int BootVmsStillOff { get; init; }

    /// <summary>True when the trace had no placement and the replay made one.</summary>
    public required bool PlacedByReplay { get; init; }

    /// <summary>Σ over ticks of the VMs the trace says are on (<see cref="ReplayMetrics.WantedVmTicks"/>).</summary>
    public required long WantedVmTicks { get; init; }

    /// <summary>Σ over ticks of the VMs that are Booting or Running (<see cref="ReplayMetrics.OnVmTicks"/>).</summary>
    public required long OnVmTicks { get; init; }

    /// <summary>Σ over ticks of the VMs with Demand &gt; Assigned (<see cref="ReplayMetrics.PagingVmTicks"/>).</summary>
    public required long PagingVmTicks { get; init; }

    /// <summary>Of <see cref="PagingVmTicks"/>, the VM-ticks paging with a committed demand above what the VM's settings can serve (<see cref="ReplayMetrics.UnservablePagingVmTicks"/>).</summary>
    public long UnservablePagingVmTicks { get; init; }

    /// <summary>Σ over ticks of the VMs the trace wants on that are not (<see cref="ReplayMetrics.DeniedVmTicks"/>).</summary>
    public required long DeniedVmTicks { get; init; }

    /// <summary>Σ over ticks of Σ max(0, Demand − Assigned), MB·ticks.</summary>
    public required long UnmetMbTicks { get; init; }

    /// <summary>Σ over ticks of the fleet's Assigned, MB·ticks.</summary>
    public required long AssignedMbTicks { get; init; }

    /// <summary>Σ over ticks of the fleet's Demand, MB·ticks.</summary>
    public required long DemandMbTicks { get; init; }

    /// <summary>The largest fleet-wide assigned memory of any tick, MB.</summary>
    public required long PeakAssignedMb { get; init; }

    /// <summary>Σ over ticks of the VMs with Smart Paging in use (R6, R16).</summary>
    public required long SmartPagingVmTicks { get; init; }

    /// <summary>Σ over ticks of the fleet's Smart Paging, MB·ticks.</summary>
    public required long SmartPagingMbTicks { get; init; }

    /// <summary>Σ over ticks of the hosts that were short (R11).</summary>
    public required long ShortHostTicks { get; init; }

    /// <summary>Pressure of Running DM VMs, one sample per VM per tick.</summary>
    public required Histogram Pressure { get; init; }

    /// <summary>Host Available as % of the host's RAM, one sample per host per tick.</summary>
    public required Histogram HostAvailablePercent { get; init; }

    /// <summary>The fleet series, one point per tick.</summary>
    public required IReadOnlyList<FleetPoint> Series { get; init; }

    /// <summary>Memory additions over every host: operations and MB.</summary>
    public required long AddOperations { get; init; }

    /// <summary>MB added over every host (R19).</summary>
    public required long AddedMb { get; init; }

    /// <summary>Memory remove operations over every host (R19).</summary>
    public required long RemoveOperations { get; init; }

    /// <summary>MB removed over every host (R19).</summary>
    public required long RemovedMb { get; init; }

    /// <summary>Starts that failed with NotEnoughMemory over every host (R4).</summary>
    public required long FailedStarts { get; init; }

    /// <summary>The fleet's state hash after the last tick (<see cref="Fleet.ComputeStateHash"/>).</summary>
    public required ulong StateHash { get; init; }

    /// <summary>The state hashes taken every <see cref="ReplayOptions.HashEvery"/> ticks.</summary>
    public required IReadOnlyList<(long Tick, ulong Hash)> StateHashes { get; init; }

    /// <summary>
    /// The VMs with the most paging ticks (ties: more unmet demand, then trace order), at most <see cref="StarvingCount"/>.
    /// </summary>
    public required IReadOnlyList<StarvingVm> Starving { get; init; }

    /// <summary>
    /// The VMs with the most servable paging ticks (<see cref="StarvingVm.ServableTicks"/>; ties: more unmet demand, then
    /// trace order), at most <see cref="StarvingCount"/>, none without servable paging: the VMs that starve for want of
    /// host memory, which <see cref="Starving"/> may rank below VMs that ask for more than their Maximum.
    /// </summary>
    public required IReadOnlyList<StarvingVm> StarvingServable { get; init; }

    /// <summary>The fleet's host counters summed: add operations, MB added, remove operations, MB removed, failed starts.</summary>
    internal static long[] HostCounters(Fleet f)
    {
        var c = new long[5];
        for (int h = 0; h < f.HostCount; h++)
        {
            c[0] += f.HostAddOperations(h);
            c[1] += f.HostAddedMemory(h);
            c[2] += f.HostRemoveOperations(h);
            c[3] += f.HostRemovedMemory(h);
            c[4] += f.HostFailedStarts(h);
        }

        return c;
    }

    /// <summary>The outcome of <paramref name="engine"/>'s replay so far.</summary>
    public static ReplayOutcome FromEngine(ReplayEngine engine, string traceFile)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ReplayMetrics m = engine.Metrics;
        Fleet f = engine.Fleet;
        // A boot phase is not measured: its adds, removes and failed starts are left out (zeros without one).
        long[] totals = HostCounters(f), boot = m.BootCounters;
        (long adds, long addMb, long removes, long removeMb, long failed) = (totals[0] - boot[0], totals[1] - boot[1], totals[2] - boot[2], totals[3] - boot[3], totals[4] - boot[4]);

        return new ReplayOutcome
        {
            TraceFile = Path.GetFileName(traceFile),
            Header = engine.Header,
            Model = engine.Model,
            Policy = engine.Balancer.Policy,
            VmCount = engine.Vms.Count,
            HostCount = engine.Hosts.Count,
            Ticks = engine.TicksDone,
            PlacedByReplay = engine.PlacedByReplay,
            BootTicks = engine.TicksDone > 0 ? engine.BootTicks : 0, // the boot runs in the first tick's step: none without one
            BootVmsOnAtTick0 = engine.TicksDone > 0 ? m.BootVms.On : 0,
            BootVmsStillOff = engine.TicksDone > 0 ? m.BootVms.StillOff : 0,
            WantedVmTicks = m.WantedVmTicks,
            OnVmTicks = m.OnVmTicks,
            PagingVmTicks = m.PagingVmTicks,
            UnservablePagingVmTicks = m.UnservablePagingVmTicks,
            DeniedVmTicks = m.DeniedVmTicks,
            UnmetMbTicks = m.UnmetMbTicks,
            AssignedMbTicks = m.AssignedMbTicks,
            DemandMbTicks = m.DemandMbTicks,
            PeakAssignedMb = m.PeakAssignedMb,
            SmartPagingVmTicks = m.SmartPagingVmTicks,
            SmartPagingMbTicks = m.SmartPagingMbTicks,
            ShortHostTicks = m.ShortHostTicks,
            Pressure = m.Pressure,
            HostAvailablePercent = m.HostAvailablePercent,
            Series = m.Series,
            AddOperations = adds,
            AddedMb = addMb,
            RemoveOperations = removes,
            RemovedMb = removeMb,
            FailedStarts = failed,
            StateHash = f.ComputeStateHash(),
            StateHashes = [.. engine.StateHashes],
            Starving = TopStarving(engine, null, StarvingCount),
            StarvingServable = TopStarvingServable(engine, null, StarvingCount),
        };
    }

    /// <summary>
    /// The <paramref name="count"/> trace VMs of <paramref name="engine"/> with the most paging ticks (ties: more unmet
    /// demand, then trace order), numbered by <paramref name="traceIndex"/> (null: their index in the engine's trace; a
    /// shard gives each VM's index in the whole trace). One pass that keeps the best <paramref name="count"/> so far, in
    /// order: a fleet of a million VMs may have hundreds of thousands paging, which a full sort took a third of a second for.
    /// </summary>
    public static List<StarvingVm> TopStarving(ReplayEngine engine, IReadOnlyList<int>? traceIndex, int count)
        => TopBy(engine, traceIndex, count, servable: false);

    /// <summary>
    /// The <paramref name="count"/> trace VMs of <paramref name="engine"/> with the most servable paging ticks (ties: more
    /// unmet demand, then trace order), those with none left out; numbered as <see cref="TopStarving"/> numbers them.
    /// </summary>
    public static List<StarvingVm> TopStarvingServable(ReplayEngine engine, IReadOnlyList<int>? traceIndex, int count)
        => TopBy(engine, traceIndex, count, servable: true);

    private static List<StarvingVm> TopBy(ReplayEngine engine, IReadOnlyList<int>? traceIndex, int count, bool servable)
    {
        ArgumentNullException.ThrowIfNull(engine);
        InvariantOutOfRangeException.ThrowIfNegative(count);
        ReadOnlySpan<int> paging = engine.Metrics.PagingTicksBySlot;
        ReadOnlySpan<long> unmet = engine.Metrics.UnmetMbTicksBySlot;
        ReadOnlySpan<int> unservable = engine.Metrics.UnservableTicksBySlot;
        Comparison<StarvingVm> order = servable ? CompareServable : Compare;
        if (count > StarvingCount * 100)
        {
            // Many asked for: the one pass would shift a long list per VM; sort every paging VM instead.
            var all = new List<StarvingVm>();
            for (int v = 0; v < engine.Vms.Count; v++)
            {
                int s = engine.SlotOf(v);
                if ((servable ? paging[s] - unservable[s] : paging[s]) > 0)
                    all.Add(new StarvingVm(traceIndex is null ? v : traceIndex[v], engine.Vms[v].Id, paging[s], unmet[s]) { UnservableTicks = unservable[s] });
            }

            all.Sort(order);
            if (all.Count > count)
                all.RemoveRange(count, all.Count - count);
            return all;
        }

        var top = new List<StarvingVm>(count + 1);
        for (int v = 0; v < engine.Vms.Count; v++)
        {
            int slot = engine.SlotOf(v);
            if ((servable ? paging[slot] - unservable[slot] : paging[slot]) <= 0)
                continue;
            var vm = new StarvingVm(traceIndex is null ? v : traceIndex[v], engine.Vms[v].Id, paging[slot], unmet[slot]) { UnservableTicks = unservable[slot] };
            if (top.Count == count && (count == 0 || order(vm, top[^1]) >= 0))
                continue;
            int at = top.Count;
            while (at > 0 && order(vm, top[at - 1]) < 0)
                at--;
            top.Insert(at, vm);
            if (top.Count > count)
                top.RemoveAt(count);
        }

        return top;
    }

    /// <summary>Sorts <paramref name="vms"/> by paging ticks (ties: more unmet demand, then trace order) and keeps the first <paramref name="count"/>.</summary>
    public static List<StarvingVm> Top(List<StarvingVm> vms, int count)
    {
        ArgumentNullException.ThrowIfNull(vms);
        vms.Sort(Compare);
        if (vms.Count > count)
            vms.RemoveRange(count, vms.Count - count);
        return vms;
    }

    /// <summary>Sorts <paramref name="vms"/> by servable paging ticks (ties: more unmet demand, then trace order), drops those with none, and keeps the first <paramref name="count"/>.</summary>
    public static List<StarvingVm> TopServable(List<StarvingVm> vms, int count)
    {
        ArgumentNullException.ThrowIfNull(vms);
        vms.RemoveAll(v => v.ServableTicks <= 0);
        vms.Sort(CompareServable);
        if (vms.Count > count)
            vms.RemoveRange(count, vms.Count - count);
        return vms;
    }

    /// <summary>The servable starving order: more servable paging ticks first, then more unmet demand, then trace order (a total order).</summary>
    private static int CompareServable(StarvingVm a, StarvingVm b)
        => a.ServableTicks != b.ServableTicks ? b.ServableTicks.CompareTo(a.ServableTicks)
            : a.UnmetMbTicks != b.UnmetMbTicks ? b.UnmetMbTicks.CompareTo(a.UnmetMbTicks) : a.Vm.CompareTo(b.Vm);

    /// <summary>The starving order: more paging ticks first, then more unmet demand, then trace order (a total order).</summary>
    private static int Compare(StarvingVm a, StarvingVm b)
        => a.PagingTicks != b.PagingTicks ? b.PagingTicks.CompareTo(a.PagingTicks)
            : a.UnmetMbTicks != b.UnmetMbTicks ? b.UnmetMbTicks.CompareTo(a.UnmetMbTicks) : a.Vm.CompareTo(b.Vm);
}

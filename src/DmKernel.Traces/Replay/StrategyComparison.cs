namespace DmKernel.Traces.Replay;

/// <summary>How memory is given to the VMs of a trace: Dynamic Memory, or one of the three static habits.</summary>
public enum MemoryStrategy
{
    /// <summary>The trace's Dynamic Memory settings, balanced by the kernel.</summary>
    DynamicMemory = 0,

    /// <summary>Every VM a static 1 GB ("add when people complain").</summary>
    Fixed1Gb = 1,

    /// <summary>Every VM a static 4 GB.</summary>
    Fixed4Gb = 2,

    /// <summary>Every VM static at its provisioned memory (the trace's Maximum) + 50 %.</summary>
    ProvisionedPlus50 = 3,
}

/// <summary>What one strategy did with a trace on one placement.</summary>
public sealed record StrategyOutcome(
    MemoryStrategy Strategy,
    int Hosts,
    long Ticks,
    double MeanAssignedMb,
    long PeakAssignedMb,
    double PagingShare,
    double DeniedShare,
    double UnmetMbSeconds,
    double PressureMean,
    int PressureP99)
{
    /// <summary>VM-time paging or denied a start, as a share of the VM-time the trace wanted on.</summary>
    public double UnservedShare => PagingShare + DeniedShare;
}

/// <summary>
/// The densest packing found for a strategy: the fewest hosts on which VM-time paging plus denied stays within the
/// limit above <see cref="Baseline"/>, what the strategy does on the most hosts tried (paging that packing cannot cause,
/// such as demand above a VM's Maximum or a fixed size). Null hosts: not even the most hosts stay within it.
/// </summary>
public sealed record DensityResult(MemoryStrategy Strategy, int? Hosts, double? VmsPerHost, int Probes, StrategyOutcome? AtDensity, StrategyOutcome? Baseline);

/// <summary>
/// Replays one trace under each memory strategy and searches the density each one reaches: the fewest hosts (of one
/// size) on which the same VMs, re-packed, keep VM-time paging plus denied starts under a limit.
/// </summary>
public static class StrategyComparison
{
    public static string Name(MemoryStrategy s) => s switch
    {
        MemoryStrategy.DynamicMemory => "Dynamic Memory",
        MemoryStrategy.Fixed1Gb => "fixed 1 GB",
        MemoryStrategy.Fixed4Gb => "fixed 4 GB",
        _ => "provisioned + 50 %",
    };

    /// <summary>The trace's VMs with the strategy's settings (placement untouched).</summary>
    public static TraceVm[] Apply(IReadOnlyList<TraceVm> vms, MemoryStrategy strategy, int maxCeilingMb)
    {
        ArgumentNullException.ThrowIfNull(vms);
        var result = new TraceVm[vms.Count];
        for (int i = 0; i < vms.Count; i++)
        {
            VmSettings s = vms[i].Settings;
            int size = strategy switch
            {
                MemoryStrategy.Fixed1Gb => 1024,
                MemoryStrategy.Fixed4Gb => 4096,
                MemoryStrategy.ProvisionedPlus50 => (int)Math.Min(maxCeilingMb, (s.MaximumMb * 3L / 2 + 1) & ~1L),
                _ => 0,
            };
            result[i] = strategy == MemoryStrategy.DynamicMemory ? vms[i] : vms[i] with { Settings = VmSettings.Static(size, s.Guest) };
        }

        return result;
    }

    /// <summary>
    /// Re-packs VMs onto <paramref name="hosts"/> hosts of <paramref name="hostMb"/>: largest Startup first, each
    /// onto the host with the least Startup placed so far (then the lowest index). Deterministic; balances load
    /// instead of filling hosts, so that Dynamic Memory's savings decide how many VMs fit.
    /// </summary>
    public static PlacementResult Pack(IReadOnlyList<TraceVm> vms, int hosts, int hostMb, int reserveMb)
    {
        ArgumentNullException.ThrowIfNull(vms);
        ArgumentOutOfRangeException.ThrowIfLessThan(hosts, 1);
        var order = new int[vms.Count];
        for (int i = 0; i < order.Length; i++)
            order[i] = i;
        Array.Sort(order, (a, b) =>
        {
            int c = vms[b].Settings.StartupMb.CompareTo(vms[a].Settings.StartupMb);
            return c != 0 ? c : a.CompareTo(b);
        });
        var load = new PriorityQueue<int, (long Load, int Host)>();
        for (int h = 0; h < hosts; h++)
            load.Enqueue(h, (0, h));
        var placed = new TraceVm[vms.Count];
        var counts = new int[hosts];
        foreach (int v in order)
        {
            load.TryDequeue(out int h, out (long Load, int Host) key);
            placed[v] = vms[v] with { Host = h };
            counts[h]++;
            long next = counts[h] >= HostSpec.MaxVmCapacity ? long.MaxValue : key.Load + vms[v].Settings.StartupMb;
            load.Enqueue(h, (next, h));
        }

        var hostList = new TraceHost[hosts];
        Array.Fill(hostList, new TraceHost(hostMb, reserveMb));
        return new PlacementResult(placed, hostList);
    }

    /// <summary>Replays the trace at <paramref name="path"/> with a strategy on a placement; returns the outcome.</summary>
    public static StrategyOutcome Run(string path, MemoryStrategy strategy, PlacementResult placement, ReplayOptions options)
    {
        ArgumentNullException.ThrowIfNull(placement);
        using NativeTraceReader reader = NativeTraceReader.Open(path);
        using var engine = new ReplayEngine(reader, options, placement);
        while (engine.Step())
        {
        }

        ReplayMetrics m = engine.Metrics;
        double tick = engine.Model.TickSeconds;
        return new StrategyOutcome(strategy, placement.Hosts.Length, engine.TicksDone,
            m.Ticks == 0 ? 0 : (double)m.AssignedMbTicks / m.Ticks, m.PeakAssignedMb,
            m.WantedVmTicks == 0 ? 0 : (double)m.PagingVmTicks / m.WantedVmTicks,
            m.WantedVmTicks == 0 ? 0 : (double)m.DeniedVmTicks / m.WantedVmTicks,
            m.UnmetMbTicks * tick, m.Pressure.Mean, m.Pressure.Percentile(99));
    }

    /// <summary>
    /// The fewest hosts, between 1 and <paramref name="maxHosts"/>, on which <see cref="StrategyOutcome.UnservedShare"/>
    /// stays at or below the share on <paramref name="maxHosts"/> hosts plus <paramref name="limit"/>, by binary search
    /// over re-packed placements. The baseline on the most hosts is paging that packing does not cause (demand above
    /// a VM's Maximum, a fixed size below demand): it is reported, and only what packing adds counts against the limit.
    /// </summary>
    public static DensityResult Density(string path, IReadOnlyList<TraceVm> strategyVms, MemoryStrategy strategy, int hostMb, int reserveMb,
        int maxHosts, double limit, ReplayOptions options, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(strategyVms);
        int capacity = hostMb - reserveMb;
        long startupSum = 0;
        foreach (TraceVm vm in strategyVms)
        {
            if (vm.Settings.StartupMb > capacity)
                return new DensityResult(strategy, null, null, 0, null, null);
            startupSum += vm.Settings.StartupMb;
        }

        int probes = 0;
        StrategyOutcome Probe(int hosts)
        {
            probes++;
            progress?.Invoke($"{Name(strategy)}: {hosts} hosts");
            return Run(path, strategy, Pack(strategyVms, hosts, hostMb, reserveMb), options);
        }

        StrategyOutcome atMax = Probe(maxHosts);
        double allowed = atMax.UnservedShare + limit;

        // Static VMs need all their Startup: no fewer hosts than that can work for them.
        int lo = strategy == MemoryStrategy.DynamicMemory ? 1 : (int)Math.Clamp((startupSum + capacity - 1) / capacity, 1, maxHosts);
        int hi = maxHosts;
        StrategyOutcome best = atMax;
        while (lo < hi)
        {
            int mid = lo + (hi - lo) / 2;
            StrategyOutcome o = Probe(mid);
            if (o.UnservedShare <= allowed)
            {
                hi = mid;
                best = o;
            }
            else
            {
                lo = mid + 1;
            }
        }

        if (best.Hosts != hi)
            best = Probe(hi);
        return new DensityResult(strategy, hi, (double)strategyVms.Count / hi, probes, best, atMax);
    }
}

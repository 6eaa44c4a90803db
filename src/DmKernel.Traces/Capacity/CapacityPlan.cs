namespace DmKernel.Traces.Capacity;

/// <summary>
/// One search of a capacity study's plan: a density search (<see cref="Hosts"/> false) of strategy <see cref="Strategy"/>
/// (its index in <see cref="CapacityOptions.Strategies"/>) and seed <see cref="Seed"/>, or a hosts-needed search; under
/// demand model <see cref="Demand"/> of <see cref="CapacityOptions.Sensitivity"/> (-1: the trace's; from the grid's
/// count on, Minimum factor <see cref="Demand"/> − that count of <see cref="CapacityOptions.MinimumSensitivity"/>) and policy
/// <see cref="Policy"/> of <see cref="CapacityOptions.Policies"/> (-1: <see cref="ProbeOptions.Policy"/>).
/// </summary>
/// <param name="Hosts">True for a hosts-needed search (the trace's own VMs re-packed); false for a density search.</param>
/// <param name="Strategy">The strategy's index in <see cref="CapacityOptions.Strategies"/>.</param>
/// <param name="Seed">The seed's index, 0-based (draws with <see cref="CapacityOptions.Seed"/> + this); 0 for a hosts-needed
/// search.</param>
/// <param name="Demand">-1: the trace's own demand; 0 up to the count of <see cref="CapacityOptions.Sensitivity"/>: that demand
/// model of the grid; from that count on: the Minimum factor at index <paramref name="Demand"/> − that count of
/// <see cref="CapacityOptions.MinimumSensitivity"/>.</param>
/// <param name="Policy">The policy's index in <see cref="CapacityOptions.Policies"/>; -1: the probes' own
/// (<see cref="ProbeOptions.Policy"/>).</param>
public readonly record struct SearchSpec(bool Hosts, int Strategy, int Seed, int Demand, int Policy)
{
    /// <summary>True for the density search whose draws give the strategy's curve (the first seed, the trace's demand and the probes' policy).</summary>
    public bool HasCurve => !Hosts && Seed == 0 && Demand < 0 && Policy < 0;
}

/// <summary>What a capacity study finds about the trace before any search: the pool, the VMs left out, the warnings.</summary>
public sealed record CapacityFacts
{
    /// <summary>The trace's name.</summary>
    public required string Trace { get; init; }

    /// <summary>VMs in the trace.</summary>
    public required int TraceVms { get; init; }

    /// <summary>Ticks measured per probe.</summary>
    public required int Ticks { get; init; }

    /// <summary>Seconds per tick.</summary>
    public required double TickSeconds { get; init; }

    /// <summary>The demand model the trace records (null: none).</summary>
    public required DemandModel? RecordedDemand { get; init; }

    /// <summary>P10: the guest mix the trace records, applied in every probe (<see cref="GuestMix.Ideal"/> when none).</summary>
    public required GuestMix Guests { get; init; }

    /// <summary>Trace VMs the draws pick from.</summary>
    public required int PoolVms { get; init; }

    /// <summary>VMs left out because they do not fit a host.</summary>
    public required IReadOnlyList<ExcludedVm> TooLarge { get; init; }

    /// <summary>VMs left out because the trace never has them on.</summary>
    public required int NeverOn { get; init; }

    /// <summary>
    /// Ticks at the start of the trace (of those compared: <see cref="ProbeOptions.MaxTicks"/>) on which no VM of the pool
    /// is on, left out of the comparison: played as every VM's off time, a window's edge that holds no sample (a clock
    /// started before the samples, a never-on VM's earlier samples) would raise every density. 0 when the first tick has one on.
    /// </summary>
    public int TicksLeftOutBefore { get; init; }

    /// <summary>Ticks at the end of the trace on which no VM of the pool is on, left out likewise (<see cref="TicksLeftOutBefore"/>).</summary>
    public int TicksLeftOutAfter { get; init; }

    /// <summary>The most trace VMs on at the same tick.</summary>
    public required int MostOnAtOnce { get; init; }

    /// <summary>Unservable share of the trace's wanted VM-time.</summary>
    public required double UnservableShare { get; init; }

    /// <summary>VMs with unservable demand, worst share first.</summary>
    public required IReadOnlyList<UnservableVm> Unservable { get; init; }

    /// <summary>Warnings for the report.</summary>
    public required IReadOnlyList<string> Warnings { get; init; }

    /// <summary>
    /// The mean, over the pool VMs under the Dynamic Memory strategy, of what a VM holds at the least: its Minimum (its
    /// Startup when static). 0: not known (a plan of an older shard).
    /// </summary>
    public double PoolFloorMb { get; init; }

    /// <summary>How the trace's Minimum was set, where an import recorded it ("Minimum = Startup ÷ 4 (import's --minimum-divisor 4)"); else null.</summary>
    public string? MinimumRule { get; init; }

    /// <summary>The import's divisor of Startup for the Minimum (<c>settings.minimum_divisor</c>), where recorded; else null.</summary>
    public int? MinimumDivisor { get; init; }

    /// <summary>
    /// Per factor of <see cref="CapacityOptions.MinimumSensitivity"/>: <see cref="PoolFloorMb"/> with the VMs' Minimum times
    /// that factor (<see cref="TraceSeries.WithMinimum"/>). Empty without Minimum cells.
    /// </summary>
    public IReadOnlyList<double> MinimumSensitivityFloorsMb { get; init; } = [];
}

/// <summary>
/// The result of one search of the plan and of the probes that follow from it: all that <see cref="CapacityStudy.Assemble"/>
/// needs of it. A density search has <see cref="Density"/> (and its <see cref="Curve"/> when <see cref="SearchSpec.HasCurve"/>);
/// a hosts-needed search has <see cref="Hosts"/>, the VMs that page most on its packing (<see cref="Starving"/>), and when it
/// is the first policy's, the policies' side-by-side probes.
/// </summary>
public sealed record SearchOutcome
{
    /// <summary>The search's index in the plan (<see cref="CapacityPlan.Searches"/>).</summary>
    public required int Index { get; init; }

    /// <summary>A density search's result.</summary>
    public DensitySeed? Density { get; init; }

    /// <summary>Why the strategy misses the level at any density (density searches; null when it may meet it).</summary>
    public string? CannotMeet { get; init; }

    /// <summary>A static strategy's paging share at any density (density searches).</summary>
    public double? PoolPagingShare { get; init; }

    /// <summary>The curve's points (the first seed's density search of each strategy; empty otherwise).</summary>
    public IReadOnlyList<CurvePoint> Curve { get; init; } = [];

    /// <summary>A hosts-needed search's result.</summary>
    public HostsResult? Hosts { get; init; }

    /// <summary>The VMs that page most on the hosts-needed packing (at most 10, worst first).</summary>
    public IReadOnlyList<StarvingVm> Starving { get; init; } = [];

    /// <summary>Per policy of <see cref="CapacityOptions.Policies"/>: the side-by-side probe (the first policy's hosts-needed search only).</summary>
    public IReadOnlyList<ProbeOutcome> SideBySide { get; init; } = [];

    /// <summary>Where the side-by-side probes place the VMs (with <see cref="SideBySide"/>).</summary>
    public string? PolicyPlacement { get; init; }

    /// <summary>Probes run for this search and what follows from it.</summary>
    public required int Probes { get; init; }

    /// <summary>VM-ticks those probes replayed (warm-up included).</summary>
    public required long VmTicks { get; init; }
}

/// <summary>
/// A capacity study's plan (<see cref="CapacityStudy.Plan"/>): the facts found before any search and the fixed list of
/// searches, to be run all in one process or split between processes (<see cref="Assign"/>) and assembled from the union.
/// </summary>
public sealed class CapacityPlan
{
    internal CapacityPlan(CapacityStudy.Context context, List<SearchSpec> specs, CapacityFacts facts)
    {
        Context = context;
        Specs = specs;
        Facts = facts;
        SideBySideOwner = CapacityStudy.SideBySideOwner(specs, context.Options);
    }

    internal CapacityStudy.Context Context { get; }

    internal List<SearchSpec> Specs { get; }

    /// <summary>The index of the search the policies' side-by-side probes follow (-1 without policies).</summary>
    public int SideBySideOwner { get; }

    /// <summary>The facts for the result.</summary>
    public CapacityFacts Facts { get; }

    /// <summary>The searches, in plan order.</summary>
    public IReadOnlyList<SearchSpec> Searches => Specs;

    /// <summary>
    /// The estimated cost of search <paramref name="index"/> with what follows from it: a density search 1 (static) or 2
    /// (Dynamic Memory), twice that with its curve (five full-length probes); a hosts-needed search 2 or 3, plus one per
    /// policy with the side-by-side probes.
    /// </summary>
    public long Weight(int index)
    {
        SearchSpec s = Specs[index];
        bool dynamic = Context.Options.Strategies[s.Strategy].IsDynamic;
        if (!s.Hosts)
            return (dynamic ? 2 : 1) * (s.HasCurve ? 2 : 1);
        return (dynamic ? 3 : 2) + (index == SideBySideOwner ? Context.Options.Policies.Count : 0);
    }

    /// <summary>
    /// Which of <paramref name="shards"/> runs each search: the heaviest first (then plan order), each to the shard with the
    /// least estimated cost so far (then the lowest index). Deterministic: the same plan and count give the same split.
    /// </summary>
    public int[] Assign(int shards)
    {
        InvariantOutOfRangeException.ThrowIfLessThan(shards, 1);
        var shardOf = new int[Specs.Count];
        var load = new long[shards];
        foreach (int i in Enumerable.Range(0, Specs.Count).OrderByDescending(Weight).ThenBy(i => i))
        {
            int best = 0;
            for (int s = 1; s < shards; s++)
            {
                if (load[s] < load[best])
                    best = s;
            }

            shardOf[i] = best;
            load[best] += Weight(i);
        }

        return shardOf;
    }
}

namespace DmKernel.Traces.Capacity;

/// <summary>One probe of a search: the size probed (VMs per host, or hosts), its outcome and whether it met the level.</summary>
/// <param name="Size">The size probed: VMs per host (a density search) or hosts (a hosts-needed search).</param>
/// <param name="Outcome">The probe's outcome, without per-VM counters (a hosts-needed search keeps them only in
/// <see cref="HostsResult.AtHosts"/>).</param>
/// <param name="Meets">Whether the outcome meets the study's service level (<see cref="ServiceLevel.IsMetBy"/>).</param>
public sealed record SearchProbe(int Size, ProbeOutcome Outcome, bool Meets);

/// <summary>
/// The density one seed's draws reach: the most VMs per host (<see cref="VmsPerHost"/>; 0 when even one VM per host
/// misses the level) and the outcome there, with every probe of the search.
/// </summary>
/// <param name="Seed">The seed's index, 0-based: its draws use seed <see cref="CapacityOptions.Seed"/> + this.</param>
/// <param name="VmsPerHost">The most VMs per host that meet the level (at most <see cref="CapacityOptions.MaxVmsPerHost"/>);
/// 0 when one VM per host misses it, or when the strategy cannot meet it at all (<see cref="DensityResult.CannotMeet"/>).</param>
/// <param name="AtDensity">The probe at <paramref name="VmsPerHost"/>; null when that is 0.</param>
/// <param name="FirstMiss">The probe of the fewest VMs per host that missed the level; null when no probe missed (or none
/// ran).</param>
/// <param name="Probes">Every probe of the search, by size ascending; empty when the strategy cannot meet the level (no probe
/// ran).</param>
public sealed record DensitySeed(int Seed, int VmsPerHost, ProbeOutcome? AtDensity, ProbeOutcome? FirstMiss, IReadOnlyList<SearchProbe> Probes);

/// <summary>A point of a strategy's curve: full-length probes (no early stop) of the first seed's draws at several densities.</summary>
/// <param name="VmsPerHost">VMs per host probed.</param>
/// <param name="Outcome">The probe's outcome.</param>
public sealed record CurvePoint(int VmsPerHost, ProbeOutcome Outcome)
{
    /// <summary>VM-time paging (servable) or denied a start, as a share of the servable VM-time.</summary>
    public double UnservedShare => Outcome.ServableVmTicks == 0 ? 0 : (double)(Outcome.PagingVmTicks + Outcome.DeniedVmTicks) / Outcome.ServableVmTicks;
}

/// <summary>
/// How many VMs like the trace's fit on a host under one strategy (and one demand model), over several seeds.
/// <see cref="CannotMeet"/> says why when no density meets the level; <see cref="PoolPagingShare"/> is, for a static
/// strategy, the share of the VMs' own servable time they page whatever the packing.
/// </summary>
/// <param name="Strategy">The memory strategy searched.</param>
/// <param name="Demand">The demand model of the sensitivity grid (<see cref="CapacityOptions.Sensitivity"/>) this result is for;
/// null: the trace's own demand, as recorded (also in the Minimum cells, <see cref="MinimumCell"/>).</param>
/// <param name="Seeds">One density per seed (<see cref="CapacityOptions.Seeds"/>), in seed order.</param>
/// <param name="CannotMeet">Why no seed meets the level (a VM that cannot start on an empty host, a static size below the VMs'
/// demand, or a miss with one VM per host); null when some seed meets it.</param>
/// <param name="PoolPagingShare">For a static strategy: the share of the pool VMs' own servable VM-time they page at their
/// static size, whatever the packing (above <see cref="ServiceLevel.MaxPagingShare"/>, no density meets the level). Null
/// for Dynamic Memory, and when a VM too large to start ended the search before it was computed.</param>
public sealed record DensityResult(MemoryStrategy Strategy, DemandModel? Demand, IReadOnlyList<DensitySeed> Seeds, string? CannotMeet, double? PoolPagingShare)
{
    /// <summary>The curve of the first seed (empty for sensitivity results and strategies that never meet the level).</summary>
    public IReadOnlyList<CurvePoint> Curve { get; init; } = [];

    /// <summary>The median of the seeds' densities (the lower middle for an even count).</summary>
    public int Median => Sorted()[(Seeds.Count - 1) / 2];

    /// <summary>The smallest density over the seeds.</summary>
    public int Min => Sorted()[0];

    /// <summary>The largest density over the seeds.</summary>
    public int Max => Sorted()[^1];

    /// <summary>True when no seed meets the level with even one VM per host.</summary>
    public bool NeverMeets => Max == 0;

    /// <summary>
    /// The search's limit on VMs per host (<see cref="CapacityOptions.MaxVmsPerHost"/>; 0 when not known). A seed at the
    /// limit met the level there and was not tried beyond it: its density is at least that, not a measurement.
    /// </summary>
    public int SearchLimit { get; init; }

    /// <summary>True when some seed's density is the search's limit (<see cref="SearchLimit"/>): a lower bound.</summary>
    public bool AtSearchLimit => SearchLimit > 0 && Max >= SearchLimit;

    /// <summary>The outcome at the median seed's density (null when it is 0).</summary>
    public ProbeOutcome? AtMedian
    {
        get
        {
            int median = Median;
            foreach (DensitySeed s in Seeds)
            {
                if (s.VmsPerHost == median)
                    return s.AtDensity;
            }

            return null;
        }
    }

    private int[] Sorted()
    {
        var values = new int[Seeds.Count];
        for (int i = 0; i < values.Length; i++)
            values[i] = Seeds[i].VmsPerHost;
        Array.Sort(values);
        return values;
    }
}

/// <summary>The fewest hosts the trace's own VMs need under one strategy (null when not within the most hosts tried).</summary>
/// <param name="Strategy">The strategy.</param>
/// <param name="Hosts">The fewest hosts that meet the level, or null.</param>
/// <param name="MaxHosts">
/// The upper end of the range the search covered: <see cref="CapacityOptions.MaxHosts"/> when given; otherwise the
/// Startup estimate (every VM at its Startup packed perfectly, plus one) when the answer lies within it (that count itself
/// may not have been probed), or the largest host count probed when the search went past it (the pool's VM count when it
/// missed even with one VM per host).
/// </param>
/// <param name="AtHosts">The probe at <paramref name="Hosts"/>, or null; the only probe of the search with per-VM counters
/// (<see cref="ProbeOutcome.PerVm"/>, for the starving list).</param>
/// <param name="LastMiss">The probe of the most hosts that missed the level, or null (without per-VM counters).</param>
/// <param name="Probes">Every probe the search ran, in order, without per-VM counters (24 B per VM each: a search over a
/// large trace runs tens of probes).</param>
public sealed record HostsResult(MemoryStrategy Strategy, int? Hosts, int MaxHosts, ProbeOutcome? AtHosts, ProbeOutcome? LastMiss, IReadOnlyList<SearchProbe> Probes)
{
    /// <summary>Why no number of hosts can work (a VM larger than a host under this strategy), or null.</summary>
    public string? CannotHost { get; init; }
}

/// <summary>
/// The ratio of Dynamic Memory's density to another strategy's, seed by seed (the same draws), and its summary. Each
/// seed's ratio is Dynamic Memory's VMs per host over the other strategy's: +∞ where only the other's is 0, 1 where both
/// are 0.
/// </summary>
/// <param name="Median">The median of the seeds' ratios (the lower middle for an even count).</param>
/// <param name="Min">The smallest of the seeds' ratios.</param>
/// <param name="Max">The largest of the seeds' ratios.</param>
/// <param name="OtherNeverMeets">True when the other strategy meets the level in no seed (<see cref="DensityResult.NeverMeets"/>):
/// every ratio is then +∞ or 1.</param>
public sealed record DensityRatio(double Median, double Min, double Max, bool OtherNeverMeets)
{
    /// <summary>The ratio of two results seed by seed: <paramref name="dm"/>'s density over <paramref name="other"/>'s
    /// (infinite where only the other's is 0; 1 where both are 0: neither meets the level in that draw, no gain).</summary>
    public static DensityRatio Of(DensityResult dm, DensityResult other)
    {
        ArgumentNullException.ThrowIfNull(dm);
        ArgumentNullException.ThrowIfNull(other);
        int n = Math.Min(dm.Seeds.Count, other.Seeds.Count);
        var r = new double[n];
        for (int i = 0; i < n; i++)
        {
            int o = other.Seeds[i].VmsPerHost, d = dm.Seeds[i].VmsPerHost;
            r[i] = o == 0 ? (d == 0 ? 1 : double.PositiveInfinity) : (double)d / o;
        }

        Array.Sort(r);
        return new DensityRatio(r[(n - 1) / 2], r[0], r[^1], other.NeverMeets);
    }
}

/// <summary>The answer: does Dynamic Memory fit more VMs per host than static memory at the provisioned size, at the same level?</summary>
/// <param name="Yes">True when the median ratio is at least <see cref="Threshold"/>.</param>
/// <param name="Ratio">Dynamic Memory's density over static provisioned's, seed by seed.</param>
public sealed record CapacityVerdict(bool Yes, DensityRatio Ratio)
{
    /// <summary>The smallest gain that counts as "yes": 5 % more VMs per host.</summary>
    public const double Threshold = 1.05;

    /// <summary>
    /// False when the answer cannot be told from the searches: Dynamic Memory reached the search's limit on VMs per host
    /// (<see cref="DensityResult.AtSearchLimit"/>) with a ratio below <see cref="Threshold"/>, so its true density, and the
    /// ratio, may be higher ("yes" with Dynamic Memory at the limit stands: the ratio is then a lower bound; static at
    /// the limit alone makes the ratio an upper bound, so "no" stands).
    /// </summary>
    public bool Decided { get; init; } = true;

    /// <summary>The verdict for a pair of density results.</summary>
    public static CapacityVerdict Of(DensityResult dm, DensityResult staticProvisioned)
    {
        ArgumentNullException.ThrowIfNull(dm);
        DensityRatio ratio = DensityRatio.Of(dm, staticProvisioned);
        bool yes = !dm.NeverMeets && ratio.Median >= Threshold;
        return new CapacityVerdict(yes, ratio) { Decided = yes || !dm.AtSearchLimit };
    }
}

/// <summary>The verdict under one demand model of the sensitivity grid.</summary>
/// <param name="Demand">The demand model of <see cref="CapacityOptions.Sensitivity"/> the trace's demand was recast under.</param>
/// <param name="DynamicMemory">The density of the verdict's Dynamic Memory strategy under <paramref name="Demand"/>.</param>
/// <param name="StaticProvisioned">The density of static provisioned memory under <paramref name="Demand"/> (searched under it
/// only with a pressure limit: without one, static's density does not depend on demand and is the study's own).</param>
/// <param name="Verdict"><see cref="CapacityVerdict.Of"/> of the two.</param>
public sealed record SensitivityCell(DemandModel Demand, DensityResult DynamicMemory, DensityResult StaticProvisioned, CapacityVerdict Verdict);

/// <summary>
/// The verdict with the VMs' Minimum times <see cref="Factor"/> (<see cref="CapacityOptions.MinimumSensitivity"/>):
/// <see cref="Divisor"/> is the import's Minimum = Startup ÷ d rule that gives it (d ÷ factor; null where the trace records
/// no rule), <see cref="MeanMinimumMb"/> the pool's mean Minimum under it (0: not known, a plan of an older shard).
/// </summary>
/// <param name="Factor">The factor every VM's Minimum was multiplied by (one of <see cref="CapacityOptions.MinimumSensitivity"/>).</param>
/// <param name="Divisor">d ÷ <paramref name="Factor"/>, where d is the import's Minimum = Startup ÷ d
/// (<see cref="CapacityFacts.MinimumDivisor"/>): the divisor that gives this Minimum; null where the trace records no such
/// rule.</param>
/// <param name="MeanMinimumMb">The pool's mean Minimum under Dynamic Memory with the factor applied, MB; 0: not known (a plan
/// of an older shard).</param>
/// <param name="DynamicMemory">The density of the verdict's Dynamic Memory strategy on the trace with the Minimum scaled.</param>
/// <param name="StaticProvisioned">The study's density of static provisioned memory (no Minimum changes it: it holds every
/// VM at its provisioned size).</param>
/// <param name="Verdict"><see cref="CapacityVerdict.Of"/> of the two.</param>
public sealed record MinimumCell(double Factor, double? Divisor, double MeanMinimumMb, DensityResult DynamicMemory, DensityResult StaticProvisioned, CapacityVerdict Verdict);

/// <summary>A trace VM whose demand is above what it can be served for part of its on-time.</summary>
/// <param name="Id">The VM id.</param>
/// <param name="ProvisionedMb">Its provisioned memory (the trace's Maximum).</param>
/// <param name="MedianDemandMb">Median committed demand over its on-time.</param>
/// <param name="MedianUsedMb">Median measured usage (demand model inverted), or null when the trace records no model.</param>
/// <param name="WantedTicks">Ticks it is wanted on.</param>
/// <param name="UnservableTicks">Of those, ticks with a demand above what it can be served.</param>
public sealed record UnservableVm(string Id, int ProvisionedMb, int MedianDemandMb, double? MedianUsedMb, int WantedTicks, int UnservableTicks)
{
    /// <summary>Share of its own on-time that is unservable.</summary>
    public double Share => WantedTicks == 0 ? 0 : (double)UnservableTicks / WantedTicks;
}

/// <summary>A trace VM left out of the comparison because no host of the chosen size can hold it.</summary>
/// <param name="Id">The VM id.</param>
/// <param name="SizeMb">The largest Startup it has under the compared strategies.</param>
/// <param name="HostMbThatFits">The smallest host (with the same reserve) that holds it.</param>
/// <param name="Strategy">The strategy under which it is that large.</param>
public sealed record ExcludedVm(string Id, int SizeMb, int HostMbThatFits, string Strategy);

/// <summary>
/// A VM that pages most under Dynamic Memory on the hosts-needed packing: its share of its own servable on-time. Counted
/// over the measured ticks of the Dynamic Memory hosts-needed search's probe at its answer (or, when no host count met
/// the level, of its probe of the most hosts that missed).
/// </summary>
/// <param name="Id">The VM id.</param>
/// <param name="ProvisionedMb">Its provisioned memory, MB (the trace's Maximum).</param>
/// <param name="ServableTicks">Ticks it was wanted on with a servable demand (<see cref="ProbeVmOutcome.ServableTicks"/>).</param>
/// <param name="PagingTicks">Of those, the ticks on which it paged (Demand &gt; Assigned); at least 1 for a listed VM.</param>
/// <param name="UnmetMbTicks">Σ (Demand − Assigned) over those paging ticks, MB·ticks.</param>
public sealed record StarvingVm(string Id, int ProvisionedMb, int ServableTicks, int PagingTicks, long UnmetMbTicks)
{
    /// <summary>Paging share of its own servable on-time.</summary>
    public double Share => ServableTicks == 0 ? 0 : (double)PagingTicks / ServableTicks;
}

/// <summary>Everything a capacity study found (<see cref="CapacityStudy.Run"/>).</summary>
public sealed record CapacityResult
{
    /// <summary>The trace's name.</summary>
    public required string Trace { get; init; }

    /// <summary>VMs in the trace.</summary>
    public required int TraceVms { get; init; }

    /// <summary>Ticks measured per probe.</summary>
    public required int Ticks { get; init; }

    /// <summary>Seconds per tick.</summary>
    public required double TickSeconds { get; init; }

    /// <summary>The options the study ran with.</summary>
    public required CapacityOptions Options { get; init; }

    /// <summary>The demand model the trace records (null: none; its values are taken as committed demand).</summary>
    public required DemandModel? RecordedDemand { get; init; }

    /// <summary>P10: the guest mix the trace records, applied in every probe under every strategy and policy (<see cref="GuestMix.Ideal"/> when none).</summary>
    public required GuestMix Guests { get; init; }

    /// <summary>Trace VMs the density draws pick from (every trace VM that fits a host and is on at some tick).</summary>
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

    /// <summary>Per strategy (in <see cref="CapacityOptions.Strategies"/> order): VMs per host.</summary>
    public required IReadOnlyList<DensityResult> Densities { get; init; }

    /// <summary>Per strategy: hosts the trace's VMs need.</summary>
    public required IReadOnlyList<HostsResult> Hosts { get; init; }

    /// <summary>VMs that page most under Dynamic Memory on its hosts-needed packing, worst first (at most 10).</summary>
    public required IReadOnlyList<StarvingVm> Starving { get; init; }

    /// <summary>Dynamic Memory (the first DM strategy) against static provisioned.</summary>
    public required CapacityVerdict Verdict { get; init; }

    /// <summary>
    /// True when Dynamic Memory held the VMs at about their Minimum at its density while their demand was below it: the
    /// density then follows the Minimum the VMs' settings give more than their demand (a warning says so).
    /// </summary>
    public bool DynamicMemoryAtMinimum { get; init; }

    /// <summary>
    /// Of the wanted VM-time at Dynamic Memory's density (over its draws), the share on which a VM with unservable demand
    /// was on and held below its provisioned size (<see cref="ProbeOutcome.UnservableShortVmTicks"/>). Unservable time is
    /// never counted for or against a strategy; where this share is above the level's paging share, those VMs page more
    /// under Dynamic Memory than the level counts (<see cref="DynamicMemoryShortOnUnservable"/>, a warning says so).
    /// </summary>
    public double DynamicMemoryUnservableShortShare { get; init; }

    /// <summary>True when <see cref="DynamicMemoryUnservableShortShare"/> is above the level's paging share: the answer speaks for the other VMs.</summary>
    public bool DynamicMemoryShortOnUnservable { get; init; }

    /// <summary>The verdict under each demand model of the sensitivity grid (empty without sensitivity).</summary>
    public required IReadOnlyList<SensitivityCell> Sensitivity { get; init; }

    /// <summary>The pool's mean Minimum under the verdict's Dynamic Memory strategy (<see cref="CapacityFacts.PoolFloorMb"/>; 0: not known).</summary>
    public double PoolFloorMb { get; init; }

    /// <summary>The verdict with the VMs' Minimum scaled by each factor of <see cref="CapacityOptions.MinimumSensitivity"/> (empty without).</summary>
    public IReadOnlyList<MinimumCell> MinimumSensitivity { get; init; } = [];

    /// <summary>Warnings for the report (small trace, little overlap, VMs left out, ...).</summary>
    public required IReadOnlyList<string> Warnings { get; init; }

    /// <summary>Per balancer policy of <see cref="CapacityOptions.Policies"/>, in that order (empty when none was asked for).</summary>
    public IReadOnlyList<PolicyResult> Policies { get; init; } = [];

    /// <summary>Where the policies' side-by-side probes place the trace's VMs (null without policies).</summary>
    public string? PolicyPlacement { get; init; }

    /// <summary>Probes run in all.</summary>
    public required int ProbesRun { get; init; }

    /// <summary>VM-ticks replayed in all (warm-up included).</summary>
    public required long VmTicksReplayed { get; init; }

    /// <summary>The result for <paramref name="strategy"/>.</summary>
    public DensityResult DensityOf(MemoryStrategy strategy) => Densities.First(d => d.Strategy == strategy);
}

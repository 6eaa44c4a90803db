using System.Collections.Concurrent;
using System.Globalization;

namespace DmKernel.Traces.Capacity;

/// <summary>Progress of a capacity study: probes done, and the searches finished of all.</summary>
/// <param name="ProbesDone">Probes run so far, over every search.</param>
/// <param name="VmTicksDone">VM-ticks those probes replayed (VMs × (warm-up + measured ticks) each).</param>
/// <param name="SearchesDone">Searches finished.</param>
/// <param name="Searches">Searches this run runs: every search of the plan, or the part of it that a shard runs.</param>
public readonly record struct CapacityProgress(int ProbesDone, long VmTicksDone, int SearchesDone, int Searches);

/// <summary>
/// Answers a capacity planner's two questions for a trace, under every strategy and at one service level
/// (docs/compare.md):
/// <list type="bullet">
/// <item>How many VMs like these fit on a host? Each seed fills <see cref="CapacityOptions.HostsPerProbe"/> hosts with
/// N VMs drawn from the trace's VMs (with replacement), each playing its series from its own random tick, and searches
/// the largest N that meets the level (<see cref="DensityResult"/>; the median and range over the seeds).</item>
/// <item>How many hosts does this fleet need? The trace's own VMs, re-packed by Startup onto k hosts, and the fewest k
/// that meets the level (<see cref="HostsResult"/>).</item>
/// </list>
/// Every probe is an independent replay through the kernel of the same decoded <see cref="TraceSeries"/>; probes run on
/// <see cref="CapacityOptions.Threads"/> threads and the result does not depend on how many.
/// </summary>
public static partial class CapacityStudy
{
    private const ulong DrawVm = 0x5EED_0001, DrawOffset = 0x5EED_0002;

    /// <summary>
    /// Runs the study: <see cref="Plan"/>, every search (<see cref="RunSearches"/>), <see cref="Assemble"/>. Throws
    /// <see cref="ArgumentException"/> on bad options, <see cref="OperationCanceledException"/> when cancelled.
    /// </summary>
    public static CapacityResult Run(TraceSeries series, CapacityOptions options, Action<CapacityProgress>? progress = null, CancellationToken cancel = default)
    {
        CapacityPlan plan = Plan(series, options, progress, cancel);
        return Assemble(options, plan.Facts, RunSearches(plan));
    }

    /// <summary>
    /// The ticks the density search's estimate reads of each drawn VM (from its offset): all of the series, or fewer where the
    /// hosts × ticks would pass <see cref="EstimateCells"/>. The estimate is the search's first guess, not its answer, so
    /// a shorter span costs at most more probes; before stop 53 its two host-tick arrays of a long trace of few VMs
    /// overflowed int (1 024 hosts per probe × 2^21 ticks: OverflowException) or asked for tens of GB (8 hosts × 2^28 ticks).
    /// </summary>
    internal static int EstimateSpan(int hosts, int ticks) => (int)Math.Min(ticks, Math.Max(1, EstimateCells / hosts));

    /// <summary>The most host-ticks the density search's estimate holds (two longs each: 64 MiB).</summary>
    internal const long EstimateCells = 1 << 22;

    /// <summary>
    /// Refuses a boot grace or reclaim period so long at the trace's tick that each probe's warm-up would run more than
    /// <see cref="Probe.ComparisonWarmupLimit"/> ticks (a comparison of days), naming the one that is long and the longest
    /// that would do (<see cref="CapacityOptionException"/>, its option the model parameter's name).
    /// </summary>
    private static void RefuseEndlessWarmup(ModelParameters model)
    {
        long warmup = (long)model.BootGraceTicks + model.ReclaimPeriodTicks + 1;
        if (warmup <= Probe.ComparisonWarmupLimit)
            return;
        bool boot = model.BootGraceTicks >= model.ReclaimPeriodTicks;
        double seconds = boot ? model.BootGraceSeconds : model.ReclaimPeriodSeconds;
        long otherTicks = boot ? model.ReclaimPeriodTicks : model.BootGraceTicks;
        double most = Math.Max(0, Probe.ComparisonWarmupLimit - otherTicks - 1) * model.TickSeconds;
        throw new CapacityOptionException(boot ? nameof(ModelParameters.BootGraceSeconds) : nameof(ModelParameters.ReclaimPeriodSeconds), string.Create(CultureInfo.InvariantCulture,
            $"{seconds:G} s is {(boot ? model.BootGraceTicks : model.ReclaimPeriodTicks)} ticks of {model.TickSeconds:G} s: every probe warms up for the boot grace and a reclaim period ({warmup} ticks) before it measures a tick, more than the {Probe.ComparisonWarmupLimit} a comparison runs (it runs hundreds of probes). Give at most {most:G} s at this tick length (replay takes any)."));
    }

    /// <summary>
    /// Plans the study: checks the options against the trace, finds the pool and the warnings (<see cref="CapacityPlan.Facts"/>)
    /// and lays out the fixed list of searches (<see cref="CapacityPlan.Searches"/>: the same for the same options, whatever
    /// runs them). Throws <see cref="ArgumentException"/> (<see cref="CapacityOptionException"/> naming the option) on bad options.
    /// </summary>
    public static CapacityPlan Plan(TraceSeries series, CapacityOptions options, Action<CapacityProgress>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _ = TraceTick.Model(options.Probe.Model, series.TickSeconds, series.Name); // a tick the model does not run, named as the trace's
        RefuseEndlessWarmup(options.Probe.Model with { TickSeconds = series.TickSeconds });
        var ctx = new Context(series, options, progress, cancel);
        var ic = CultureInfo.InvariantCulture;
        TraceSeries held = series; // as given; series becomes the ticks compared

        // The pool: trace VMs that fit a host under the two strategies of the verdict (Dynamic Memory and static at the
        // provisioned size) and are on at some tick. A habit that makes a pool VM too large for the host says so instead.
        int capacity = ctx.Capacity;
        var tooLarge = new List<ExcludedVm>();
        var pool = new List<int>();
        int neverOn = 0;
        MemoryStrategy[] verdictPair = [options.Strategies.First(s => s.Kind == StrategyKind.DynamicMemory), MemoryStrategy.StaticProvisioned];
        for (int v = 0; v < series.Vms.Count; v++)
        {
            int largest = 0;
            MemoryStrategy widest = verdictPair[0];
            foreach (MemoryStrategy s in verdictPair)
            {
                int startup = s.Apply(series.VmSpan[v].Settings, ctx.Model.MaxCeilingMb).StartupMb;
                if (startup > largest)
                    (largest, widest) = (startup, s);
            }

            if (largest > capacity)
            {
                tooLarge.Add(new ExcludedVm(series.VmSpan[v].Id, largest, largest + ctx.Reserve, widest.Name));
                continue;
            }

            if (!series.Of(v).ContainsAnyExcept(TraceValues.Off))
            {
                neverOn++;
                continue;
            }

            pool.Add(v);
        }

        if (pool.Count == 0)
        {
            string why = tooLarge.Count > 0
                ? string.Create(ic, $"no VM fits a host of {options.Host.TotalMb} MB with a {ctx.Reserve} MB reserve (the smallest needs --host-mb {tooLarge.Min(e => e.HostMbThatFits)})")
                : "no VM of the trace is ever on";
            throw new ArgumentException($"{series.Name}: nothing to compare: {why}.");
        }

        // Every on tick of every pool VM unservable (demand above its Maximum whenever it is on): the level is over
        // servable VM-time only, so every strategy would meet it at any density, and the verdict would rank strategies
        // by starts alone while every VM pages all the time.
        if (!pool.Exists(v => series.ServableTicks(v, 0, series.Ticks) > 0))
        {
            throw new ArgumentException($"{series.Name}: nothing to compare: no VM-time is servable (every VM's demand is above what its Maximum can give it whenever it is on), so the service level, over servable VM-time, measures nothing; raise the VMs' Maximum or check the demand model.");
        }

        // Ticks at the window's edges with no pool VM on are left out: each draw plays a VM's series around the whole trace,
        // so such a span would be every drawn VM's off time (a metamorphic review at stop 61: an Alibaba window cut without
        // rebasing its clock, 2 empty days first, 11 -> 13 VMs per host; a never-on Bitbrains VM whose one off sample came 2
        // days before the others, 61 -> 66 with no word). A span in the middle (an outage, a night between days) stays.
        // The tick limit (ProbeOptions.MaxTicks) counts from the first tick left in.
        (int leftOutBefore, int leftOutAfter) = EmptyEdges(series, pool, series.Ticks);
        if (leftOutBefore + leftOutAfter > 0)
        {
            series = series.Slice(leftOutBefore, series.Ticks - leftOutBefore - leftOutAfter);
            ctx = new Context(series, options, progress, cancel);
        }

        ctx.Pool = [.. pool];
        if (options.MaxHosts is int maxHosts && FewestHostsPossible(ctx) is (int fewest, MemoryStrategy best) && maxHosts < fewest)
        {
            throw new CapacityOptionException(nameof(options.MaxHosts), string.Create(ic,
                $"{maxHosts} host(s) are too few for this fleet: even {best.Name} needs at least {fewest} hosts of {options.Host.TotalMb} MB (its VMs' Minimum or size at the busiest tick); raise it or leave it out."));
        }

        var warnings = new List<string>();
        int mostOn = MostOnAtOnce(series);
        if (series.Vms.Count < 30)
            warnings.Add(string.Create(ic, $"The trace has only {series.Vms.Count} VM{(series.Vms.Count == 1 ? "" : "s")}: the density draws repeat the same few VMs, so treat the VMs-per-host figures as indicative."));
        if (series.Vms.Count > 1 && mostOn * 2 < series.Vms.Count)
            warnings.Add(string.Create(ic, $"The trace's VMs are rarely on together (at most {mostOn} of {series.Vms.Count} at the same tick): each drawn VM plays its series from its own random tick, so VMs that never overlapped in the trace run side by side here, and the hosts-needed answer packs VMs that were not on at once."));
        // One line per VM too large for the host, the first few; the rest in one line (a reviewer's draw of 1 000 VMs from 9
        // gave 114 identical lines, one per copy of the 512 GB VM, burying every other warning).
        foreach (ExcludedVm e in tooLarge.Take(MaxListedTooLarge))
            warnings.Add(string.Create(ic, $"VM '{e.Id}' needs {e.SizeMb} MB to start under {e.Strategy}, more than a host of {options.Host.TotalMb} MB with a {ctx.Reserve} MB reserve holds: it is left out of every strategy, so that all compare the same VMs (a host of --host-mb {e.HostMbThatFits} or more would hold it)."));
        if (tooLarge.Count > MaxListedTooLarge)
        {
            ExcludedVm[] rest = [.. tooLarge.Skip(MaxListedTooLarge)];
            warnings.Add(string.Create(ic, $"{rest.Length} more VMs are too large for a host of {options.Host.TotalMb} MB with a {ctx.Reserve} MB reserve and are left out of every strategy likewise ({string.Join(", ", rest.Take(5).Select(e => $"'{e.Id}'"))}{(rest.Length > 5 ? ", ..." : "")}; comparison.json's leftOut lists them all; a host of --host-mb {rest.Max(e => e.HostMbThatFits)} or more would hold every one)."));
        }

        foreach (MemoryStrategy s in options.Strategies)
        {
            if (TooLargeUnder(ctx, s) is (string id, int size))
                warnings.Add(string.Create(ic, $"Under {s.Name}, VM '{id}' needs {size} MB to start, more than a host of {options.Host.TotalMb} MB holds: that strategy cannot host this fleet on such hosts (--host-mb {size + ctx.Reserve} or more would)."));
        }
        if (neverOn > 0)
            warnings.Add(string.Create(ic, $"{neverOn} VM(s) are never on in the trace: they are left out of the draws."));
        bool asLarge = MedianProvisionedMb(series) is int median && (long)median * 2 > options.Host.TotalMb - ctx.Reserve;
        if (asLarge)
            warnings.Add(string.Create(ic, $"The trace's VMs are as large as the hosts (median provisioned size {MedianProvisionedMb(series)} MB, hosts of {options.Host.TotalMb} MB): two of them do not fit one host at their provisioned size, so VMs per host says little about the strategies. A trace of whole machines (Alibaba's machine_usage: one aggregate VM per machine) answers how busy machines are, not how many VMs share one."));
        else if (FromSource(series.Metadata, "import.format") == AlibabaImporter.Format)
        {
            // Whole machines drawn onto larger hosts (or hosts given with --host-mb): said whatever their size (a reviewer's
            // generate --from of the Alibaba sample answered "yes, 1.11 x" with no warning at all).
            warnings.Add(string.Create(ic, $"The trace's VMs are whole machines (Alibaba's machine_usage{(series.Metadata.TryGetValue("import.format", out _) ? "" : ", drawn by generate --from")}: one aggregate VM per machine, its demand the machine's memory use): VMs per host then packs machines' memory use onto hosts, which answers how busy machines are, not how many VMs share one."));
        }

        // generate --from of a few source VMs: the trace's VM count hides how few series it repeats (the fewest over a chain
        // of draws: gen.source.gen.pool_vms is the source's own draw).
        if (FewestSourceVms(series.Metadata) is int sourceVms && sourceVms < 30 && series.Vms.Count >= 30)
        {
            warnings.Add(string.Create(ic, $"The trace's {series.Vms.Count} VMs were drawn (generate --from) from only {sourceVms} source VM{(sourceVms == 1 ? "" : "s")}: they repeat those few series, so treat the VMs-per-host figures as indicative, as for a trace of {sourceVms} VM{(sourceVms == 1 ? "" : "s")}."));
        }

        // A trace too short to show demand's peaks: one tick of 60 s answered "yes, 2.83 x" with no word.
        double measuredSeconds = ctx.Ticks * series.TickSeconds;
        if (ctx.Ticks < MinTicksForAnswer || measuredSeconds < 3600)
        {
            string what = ctx.Ticks < series.Ticks
                ? string.Create(ic, $"The ticks compared are few (the comparison's tick limit, --max-ticks, cut the trace's {held.Ticks}): ")
                : leftOutBefore + leftOutAfter > 0 ? string.Create(ic, $"The ticks compared are few (the {held.Ticks} ticks read less the empty edges left out): ")
                : "The trace is short: ";
            warnings.Add(string.Create(ic, $"{what}{ctx.Ticks} tick{(ctx.Ticks == 1 ? "" : "s")} of {series.TickSeconds:0.###} s ({measuredSeconds / 60:0.#} min) {(ctx.Ticks == 1 ? "is" : "are")} too little time to hold the demand's peaks and changes, so treat the answer as indicative."));
        }

        if (leftOutBefore + leftOutAfter > 0)
        {
            string Span(int ticks) => string.Create(ic, $"{ticks} tick{(ticks == 1 ? "" : "s")} ({Duration(ticks * series.TickSeconds)})");
            string edges = leftOutBefore > 0 && leftOutAfter > 0 ? $"first {Span(leftOutBefore)} and last {Span(leftOutAfter)}"
                : leftOutBefore > 0 ? $"first {Span(leftOutBefore)}" : $"last {Span(leftOutAfter)}";
            string played = ctx.Ticks == 1 ? string.Create(ic, $"tick {leftOutBefore} (1 tick)") : string.Create(ic, $"ticks {leftOutBefore}..{leftOutBefore + ctx.Ticks - 1} ({ctx.Ticks} ticks)");
            warnings.Add(string.Create(ic, $"The trace's {edges} have no VM compared on: they are left out, and the comparison plays {played}; counted, they would be every drawn VM's off time and raise every density. Such edges come from a clock that starts before the samples (a window cut from a trace without rebasing its times) or from a VM never on whose samples start earlier or end later; if the fleet is truly all off then (a night at both ends), the answer errs on the side of fewer VMs per host."));
        }

        // VMs on for little of the trace: each draw plays a VM from a random tick, so their off time lands among the hosts'
        // VMs and a host holds fewer of them at once than VMs per host counts (a reviewer's GCD folder of days 6..10: every
        // VM off for half the trace, static "fitting" 42 VMs of 8 GB where 31 fit when on).
        double onShare = MeanOnShare(series, pool);
        if (onShare < MinMeanOnShare)
            warnings.Add(string.Create(ic, $"The VMs compared are on for {ShareText.Percent(onShare, 1)} of the trace's ticks on average: each draw plays a VM's series from a random tick, so that off time (before a VM's first sample, after its last, its stops) is spread among the drawn VMs, and a host holds fewer of its VMs at once than VMs per host counts: the density is per VM placed, not per VM running."));

        // Ticks inside the trace with no pool VM on (the edges are left out above): every drawn VM's off time as well, which a
        // gap in the collection (days missing from a GCD folder: "off after the hold limit") makes too; said, not removed, as
        // the fleet may truly be all off then (a night between two days).
        // Over every tick left in, not only the tick limit's: each draw plays a VM from any tick (a review at stop 61).
        if (EmptyInside(series, pool, series.Ticks) is (int empty, int from, int length) && empty * 100L >= series.Ticks * MinEmptyInsidePercent)
        {
            string where = empty == length ? string.Create(ic, $"ticks {leftOutBefore + from}..{leftOutBefore + from + length - 1}")
                : string.Create(ic, $"the longest span ticks {leftOutBefore + from}..{leftOutBefore + from + length - 1}, {Duration(length * series.TickSeconds)}");
            warnings.Add(string.Create(ic, $"{empty} of the {series.Ticks} ticks played ({Duration(empty * series.TickSeconds)}; {where}) have no VM compared on: counted as every drawn VM's off time, they raise every density. If they are a gap in the collection (days missing from a folder, an outage the import did not hold) rather than the fleet all off, treat VMs per host as an upper bound, or import the trace without the gap."));
        }

        // The sensitivity grid holds one re-expressed copy of the trace per demand model.
        long copies = (long)series.Ticks * series.Vms.Count * options.Sensitivity.Count;
        if (copies > options.MaxSensitivityValues)
        {
            throw new CapacityOptionException(nameof(options.Sensitivity), string.Create(ic,
                $"the sensitivity grid holds a copy of the trace per demand model: {options.Sensitivity.Count} × {series.Vms.Count} VMs × {series.Ticks} ticks = {copies} values, more than {options.MaxSensitivityValues}; compare a shorter span (--max-ticks) or leave the grid out."));
        }

        // K = 0 at import kept the OS base alone: the usage the grid would rescale is not in the trace (before stop 53 the
        // grid's scale K/0 made every value NaN, cast to 0 MB, and the sensitivity table was computed on zero demand).
        if (options.Sensitivity.Count > 0 && DemandModel.FromMetadata(series.Metadata) is { K: 0 })
        {
            throw new CapacityOptionException(nameof(options.Sensitivity),
                "the trace was imported with a demand factor K of 0 (--demand-k 0: each VM's committed demand is its OS base alone), so its measured usage is not in it and no other demand model can be derived from it; import it again with K above 0 for the grid, or leave the grid out.");
        }

        // A fleet of static VMs (an import's --static): Dynamic Memory cannot act on them, and they have no Minimum to
        // vary, so neither the Minimum rule nor "bound by the Minimum" applies (before stop 55 a static import's report
        // said it was bound by its Minimum = Startup ÷ 4 and advised another divisor, which changes nothing).
        MemoryStrategy verdictDm = options.Strategies[DmIndex(options)];
        int dynamicVms = ctx.Pool.Count(v => verdictDm.Apply(series.VmSpan[v].Settings, ctx.Model.MaxCeilingMb).DynamicMemory);
        if (dynamicVms == 0 && ctx.Pool.Length > 0)
            warnings.Add(string.Create(ic, $"All {ctx.Pool.Length} VMs the draws pick from are static (no Dynamic Memory in their settings: an import's --static, or the trace's own): Dynamic Memory cannot act on them, so it holds what static does and the answer is no by construction; import without --static to study it."));

        var facts = new CapacityFacts
        {
            Trace = series.Name,
            TraceVms = series.Vms.Count,
            Ticks = ctx.Ticks,
            TickSeconds = series.TickSeconds,
            RecordedDemand = DemandModel.FromMetadata(series.Metadata),
            Guests = GuestMix.FromMetadata(series.Metadata),
            PoolVms = pool.Count,
            TooLarge = tooLarge,
            NeverOn = neverOn,
            TicksLeftOutBefore = leftOutBefore,
            TicksLeftOutAfter = leftOutAfter,
            MostOnAtOnce = mostOn,
            UnservableShare = UnservableShare(series, out List<UnservableVm> unservable),
            Unservable = unservable,
            Warnings = warnings,
            PoolFloorMb = dynamicVms == 0 ? 0 : PoolFloorMb(ctx, series),
            MinimumRule = dynamicVms == 0 ? null : MinimumRule(series.Metadata),
            MinimumDivisor = dynamicVms == 0 ? null : TraceSeries.MinimumDivisor(series.Metadata),
            MinimumSensitivityFloorsMb = [.. options.MinimumSensitivity.Select(f => PoolFloorMb(ctx, series.WithMinimum(f)))],
        };
        return new CapacityPlan(ctx, Layout(options), facts);
    }

    /// <summary>
    /// Runs the searches of <paramref name="plan"/> whose index <paramref name="include"/> accepts (all when null), on
    /// <see cref="CapacityOptions.Threads"/> threads, the heaviest first; then the probes that follow from them: the curve of
    /// a strategy with its first seed's density search, the policies' side-by-side probes with the first policy's hosts-needed
    /// search. Each result depends only on the plan and its index, not on which process or thread ran it.
    /// </summary>
    public static IReadOnlyList<SearchOutcome> RunSearches(CapacityPlan plan, Func<int, bool>? include = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        Context ctx = plan.Context;
        CapacityOptions options = ctx.Options;
        TraceSeries series = ctx.Series;
        DemandModel recorded = DemandModel.FromMetadata(series.Metadata) ?? new DemandModel();
        var variants = new TraceSeries?[options.Sensitivity.Count + options.MinimumSensitivity.Count];
        var jobs = new List<(int Index, Job Job)>();
        for (int i = 0; i < plan.Specs.Count; i++)
        {
            if (include is not null && !include(i))
                continue;
            SearchSpec spec = plan.Specs[i];
            MemoryStrategy strategy = options.Strategies[spec.Strategy];
            BalancerPolicy? policy = spec.Policy < 0 ? null : options.Policies[spec.Policy];
            Job job;
            if (spec.Hosts)
            {
                // Only Dynamic Memory's own search (the study's policy) gives the starving list (Assemble reads it alone).
                job = new HostsJob(ctx, strategy) { Policy = policy, ListsStarving = spec.Strategy == DmIndex(options) && spec.Policy < 0 };
            }
            else
            {
                TraceSeries s = series;
                DemandModel? model = null;
                if (spec.Demand >= options.Sensitivity.Count)
                {
                    s = variants[spec.Demand] ??= series.WithMinimum(options.MinimumSensitivity[spec.Demand - options.Sensitivity.Count]);
                }
                else if (spec.Demand >= 0)
                {
                    model = options.Sensitivity[spec.Demand];
                    s = variants[spec.Demand] ??= series.WithDemand(recorded, model);
                }

                job = new DensityJob(ctx, s, strategy, spec.Seed) { Policy = policy, Demand = model };
            }

            job.Weight = plan.Weight(i);
            jobs.Add((i, job));
        }

        ctx.Searches = jobs.Count;
        var order = jobs.OrderByDescending(j => j.Job.Weight).ThenBy(j => j.Index).Select(j => j.Job).ToList(); // the heaviest first: better balance across threads
        RunAll(order, options.Threads, job =>
        {
            job.Run();
            ctx.SearchDone();
        }, ctx.Cancel);

        // What follows from the searches: the curves (the first seed's draws, full length, around each strategy's density)
        // and the policies' side-by-side probes, all at once.
        var curves = new Dictionary<int, CurveJob>();
        SideBySide? sideBySide = null;
        var followUps = new List<Action>();
        foreach ((int index, Job job) in jobs)
        {
            SearchSpec spec = plan.Specs[index];
            if (job is DensityJob d && spec.HasCurve && d.Result!.VmsPerHost > 0)
            {
                var curve = new CurveJob(ctx, series, options.Strategies[spec.Strategy], d.Result.VmsPerHost);
                curves[index] = curve;
                followUps.AddRange(curve.Points.Select(p => (Action)(() => p.Run(job))));
            }

            if (index == plan.SideBySideOwner)
            {
                sideBySide = SideBySideProbes(ctx, ((HostsJob)job).Result!);
                followUps.AddRange(sideBySide.Probes(job));
            }
        }

        RunAll(followUps, options.Threads, a => a(), ctx.Cancel);

        var outcomes = new List<SearchOutcome>();
        foreach ((int index, Job job) in jobs)
        {
            outcomes.Add(job switch
            {
                DensityJob d => new SearchOutcome
                {
                    Index = index,
                    Density = d.Result,
                    CannotMeet = d.CannotMeet,
                    PoolPagingShare = d.PoolPagingShare,
                    Curve = curves.TryGetValue(index, out CurveJob? c) ? [.. c.Points.Select(p => new CurvePoint(p.Size, p.Outcome!))] : [],
                    Probes = job.Probes,
                    VmTicks = job.VmTicks,
                },
                HostsJob h => new SearchOutcome
                {
                    Index = index,
                    Hosts = h.Result,
                    Starving = Starving(series, h),
                    SideBySide = index == plan.SideBySideOwner ? sideBySide!.Outcomes : [],
                    PolicyPlacement = index == plan.SideBySideOwner ? sideBySide!.Placement : null,
                    Probes = job.Probes,
                    VmTicks = job.VmTicks,
                },
                _ => throw new InvalidOperationException(),
            });
        }

        return outcomes;
    }

    /// <summary>
    /// The result from the plan's facts and every search's outcome (from one process, or the union of shards' in any
    /// order): the densities and their ranges, curves, hosts needed, verdict, sensitivity and policies. Runs no probe.
    /// Throws <see cref="ArgumentException"/> when a search is missing or given twice.
    /// </summary>
    public static CapacityResult Assemble(CapacityOptions options, CapacityFacts facts, IEnumerable<SearchOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(outcomes);
        List<SearchSpec> specs = Layout(options);
        var byIndex = new SearchOutcome?[specs.Count];
        foreach (SearchOutcome o in outcomes)
        {
            if (o.Index < 0 || o.Index >= specs.Count)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"search {o.Index} is not one of the plan's {specs.Count}."), nameof(outcomes));
            if (byIndex[o.Index] is not null)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"search {o.Index} is given twice."), nameof(outcomes));
            if ((o.Hosts is not null) != specs[o.Index].Hosts)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"search {o.Index} is of another kind than the plan's."), nameof(outcomes));
            byIndex[o.Index] = o;
        }

        int missing = Array.IndexOf(byIndex, null);
        if (missing >= 0)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"search {missing} of {specs.Count} is missing."), nameof(outcomes));
        var find = new Dictionary<SearchSpec, SearchOutcome>();
        for (int i = 0; i < specs.Count; i++)
            find[specs[i]] = byIndex[i]!;
        SearchOutcome[] Density(int strategy, int demand, int policy)
            => [.. Enumerable.Range(0, options.Seeds).Select(k => find[new SearchSpec(false, strategy, k, demand, policy)])];

        IReadOnlyList<MemoryStrategy> strategies = options.Strategies;
        int dmIndex = DmIndex(options), staticIndex = IndexOf(strategies, MemoryStrategy.StaticProvisioned);
        var densities = new DensityResult[strategies.Count];
        for (int s = 0; s < densities.Length; s++)
        {
            SearchOutcome[] seeds = Density(s, -1, -1);
            densities[s] = Result(strategies[s], null, seeds, options) with { Curve = seeds[0].Curve };
        }

        // The set-point hint names the buffer a pressure limit needs; where the buffer knob already tried that buffer or more
        // and missed at one VM per host too, the buffer is not what binds (a reviewer's Alibaba machines at 92 % of their
        // Maximum: "needs a buffer of at least 12 %" beside a 20 % buffer and knobs of 50 and 100 % that fit 0).
        if (options.Level.MaxPressure is int pressureLimit)
        {
            ProbeOutcome? staticMiss = densities[staticIndex].NeverMeets ? densities[staticIndex].Seeds[0].FirstMiss : null;
            if (staticMiss is not null && staticMiss.PressurePercentile > pressureLimit)
            {
                // Static provisioned holds every VM at its Maximum, so its pressure is the VMs' own demand over their Maximum:
                // above the limit there, Dynamic Memory (which never gives more than the Maximum) cannot be below it with any
                // buffer. Where the limit is also below every set-point R1's buffers allow, that is kept too.
                string binds = string.Create(CultureInfo.InvariantCulture,
                    $" (static provisioned, which holds every VM at its Maximum, is above the limit too, p{options.Level.PressurePercentile:0.##} pressure {staticMiss.PressurePercentile} % with one VM per host: the VMs' demand over their Maximum is above the limit, so no buffer brings Dynamic Memory below it{(BufferFor(pressureLimit) > VmSettings.MaxBuffer ? string.Create(CultureInfo.InvariantCulture, $"; and a limit of {pressureLimit} % is below the set-point of every buffer R1 allows, 100 ÷ (1 + {VmSettings.MaxBuffer} %)") : "")})");
                for (int s = 0; s < densities.Length; s++)
                {
                    if (densities[s].CannotMeet is string why && why.EndsWith(SetPointEnd, StringComparison.Ordinal))
                        densities[s] = densities[s] with { CannotMeet = why[..why.LastIndexOf(" (Dynamic Memory aims", StringComparison.Ordinal)] + binds };
                }
            }
        }

        var sensitivity = new List<SensitivityCell>();
        for (int m = 0; m < options.Sensitivity.Count; m++)
        {
            DemandModel model = options.Sensitivity[m];
            DensityResult d = Result(strategies[dmIndex], model, Density(dmIndex, m, -1), options);

            // Static at the provisioned size never pages on servable time and its starts do not depend on demand: without a
            // pressure limit its density is the same under every demand model (the plan then has no search for it).
            DensityResult s = options.Level.MaxPressure is null
                ? Result(MemoryStrategy.StaticProvisioned, model, Density(staticIndex, -1, -1), options)
                : Result(MemoryStrategy.StaticProvisioned, model, Density(staticIndex, m, -1), options);
            sensitivity.Add(new SensitivityCell(model, d, s, CapacityVerdict.Of(d, s)));
        }

        // The Minimum cells: static provisioned holds every VM at its Maximum, so no Minimum changes its density (the
        // plan has no search for it); Dynamic Memory's is searched again on the trace with the Minimum scaled.
        // A pool of static VMs has no Minimum (its floor is 0: Plan's static check): its cells, all as given, are left out,
        // whatever the caller asked (the CLI asks for none on a trace of static VMs; this covers a trace whose dynamic VMs
        // are all left out of the draws).
        var minimumCells = new List<MinimumCell>();
        for (int m = 0; m < options.MinimumSensitivity.Count && facts.PoolFloorMb > 0; m++)
        {
            double factor = options.MinimumSensitivity[m];
            DensityResult d = Result(strategies[dmIndex], null, Density(dmIndex, options.Sensitivity.Count + m, -1), options);
            double floor = m < facts.MinimumSensitivityFloorsMb.Count ? facts.MinimumSensitivityFloorsMb[m] : 0;
            minimumCells.Add(new MinimumCell(factor, facts.MinimumDivisor is int md ? TraceSeries.DivisorFor(md, factor) : null, floor, d, densities[staticIndex], CapacityVerdict.Of(d, densities[staticIndex])));
        }

        HostsResult[] hosts = [.. Enumerable.Range(0, strategies.Count).Select(s => find[new SearchSpec(true, s, 0, -1, -1)].Hosts!)];
        var policies = new List<PolicyResult>();
        string? placement = null;
        for (int p = 0; p < options.Policies.Count; p++)
        {
            int own = options.Policies[p] == options.Probe.Policy ? -1 : p;
            DensityResult density = Result(strategies[dmIndex], null, Density(dmIndex, -1, own), options);
            SearchOutcome owner = byIndex[SideBySideOwner(specs, options)]!;
            placement = owner.PolicyPlacement;
            policies.Add(new PolicyResult(options.Policies[p], density, find[new SearchSpec(true, dmIndex, 0, -1, own)].Hosts!,
                DensityRatio.Of(density, densities[staticIndex]), owner.SideBySide[p]));
        }

        // A density at the search's limit is a lower bound: said in the warnings, and the verdict is undecided where it hangs on it.
        var warnings = new List<string>(facts.Warnings);
        IEnumerable<(DensityResult Density, string What)> all = densities.Select(d => (d, d.Strategy.Name))
            .Concat(sensitivity.Select(c => (c.DynamicMemory, $"{c.DynamicMemory.Strategy.Name} under the demand model {c.Demand.Describe()}")))
            .Concat(minimumCells.Select(c => (c.DynamicMemory, $"{c.DynamicMemory.Strategy.Name} with the VMs' Minimum × {MinimumFactorText.Of(c.Factor, minimumCells.Select(x => x.Factor))}")))
            .Concat(policies.Select(p => (p.Density, $"{p.Density.Strategy.Name} under the {p.Policy.Name} policy")));
        foreach ((DensityResult d, string what) in all)
        {
            if (!d.AtSearchLimit)
                continue;
            int at = d.Seeds.Count(x => x.VmsPerHost >= d.SearchLimit);
            string warning = string.Create(CultureInfo.InvariantCulture,
                $"{what} met the level at the search's limit of {d.SearchLimit} VMs per host in {at} of {d.Seeds.Count} draws and was not tried beyond it: its density is at least that, and ratios to it are bounds (study smaller hosts: --host-mb on the command line; in the library, raise CapacityOptions.MaxVmsPerHost).");
            if (!warnings.Contains(warning))
                warnings.Add(warning);
        }

        // Dynamic Memory at about the VMs' Minimum, below which it cannot take them, while their demand is lower still: the
        // density then follows a setting the trace does not record (an import's choice), not the demand (a reviewer's
        // sweep of the Bitbrains month: Minimum = Startup ÷ 1, 2, 4, 8 gave 1.00, 1.89, 3.96 and 9.04 × static).
        bool atMinimum = AtMinimum(densities[dmIndex], facts.PoolFloorMb, out double held, out double demand);
        if (atMinimum)
        {
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"Dynamic Memory held these VMs at about their Minimum at its density ({held / 1024:F2} GB per VM on average against a mean Minimum of {facts.PoolFloorMb / 1024:F2} GB, for a mean demand of {demand / 1024:F2} GB): its density follows the Minimum the VMs' settings give ({facts.MinimumRule ?? "as the trace gives them"}) more than their demand, and the demand-model grid does not vary it. A trace records no Minimum: with Minimum = Startup Dynamic Memory holds what static does, with a lower one it packs more. {(minimumCells.Count > 0
                    ? "The Minimum cells of the sensitivity grid show how far: " + string.Join("; ", minimumCells.Select(c => string.Create(CultureInfo.InvariantCulture, $"Minimum × {MinimumFactorText.Of(c.Factor, minimumCells.Select(x => x.Factor))}, {(double.IsPositiveInfinity(c.Verdict.Ratio.Median) ? "∞" : c.Verdict.Ratio.Median.ToString("F2", CultureInfo.InvariantCulture))} × static ({(c.Verdict.Yes ? "yes" : "no")})")))
                        + ". Compare again with the Minimum you would set (import --minimum-divisor)."
                    : options.Sensitivity.Count > 0
                        ? "Compare again with the Minimum you would set (import --minimum-divisor), or with Minimum factors in the sensitivity grid (--minimum-factors, which --sensitivity runs at 0.5 and 2 unless told none)."
                        : "Compare again with the Minimum you would set (import --minimum-divisor), or with --sensitivity, which also reruns Dynamic Memory at half and twice the VMs' Minimum.")}"));
        }

        // Unservable time is never counted for or against a strategy (issue: "counted and shown apart"), so a VM whose demand
        // is above its Maximum can be held at its Minimum by Dynamic Memory at no cost to the level while static provisioned
        // holds it at its size: on such a trace Dynamic Memory's density and ratio rise as demand rises (a reviewer's GCD
        // import at k 1.25: 124 VMs per host and 4.00 x static, against 56 and 1.81 x at k 1). Said where it is over the
        // level's paging share, for the verdict's density and each demand model of the grid.
        string? shortText = UnservableShortText(densities[dmIndex], densities[staticIndex], options.Level, out _);

        // The grid's cells where the same holds: demand models (their own unservable set) and the VMs' Minimum scaled (a
        // lower Minimum lets Dynamic Memory squeeze those VMs further: a reviewer's cells moved 12, 12, 33, 17 VMs per host).
        var cells = sensitivity.Select(c => (Name: "the demand model " + c.Demand.Describe(), Text: UnservableShortText(c.DynamicMemory, c.StaticProvisioned, options.Level, out _)))
            .Concat(minimumCells.Select(c => (Name: string.Create(CultureInfo.InvariantCulture, $"the VMs' Minimum × {MinimumFactorText.Of(c.Factor, minimumCells.Select(x => x.Factor))}"), Text: UnservableShortText(c.DynamicMemory, c.StaticProvisioned, options.Level, out _))))
            .Where(x => x.Text is not null).ToList();
        if (shortText is not null)
        {
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"{shortText} The verdict and the VMs-per-host figures therefore speak for the other VMs only; those VMs are in the unservable list (the trace's own demand model puts their demand above their provisioned size: compare with their Maximum raised, or check the demand model).{(cells.Count > 0 ? $" Likewise in the sensitivity grid under {string.Join("; ", cells.Select(x => x.Name))}." : "")}"));
        }
        else if (cells.Count > 0)
        {
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"In the sensitivity grid under {string.Join("; ", cells.Select(x => x.Name))}, {char.ToLowerInvariant(cells[0].Text![0])}{cells[0].Text![1..]} Those rows' densities and ratios therefore speak for the other VMs only (the first such cell's figures given)."));
        }

        return new CapacityResult
        {
            DynamicMemoryAtMinimum = atMinimum,
            DynamicMemoryUnservableShortShare = UnservableShortShare(densities[dmIndex]),
            DynamicMemoryShortOnUnservable = shortText is not null,
            Policies = policies,
            PolicyPlacement = placement,
            Trace = facts.Trace,
            TraceVms = facts.TraceVms,
            Ticks = facts.Ticks,
            TickSeconds = facts.TickSeconds,
            Options = options,
            RecordedDemand = facts.RecordedDemand,
            Guests = facts.Guests,
            PoolVms = facts.PoolVms,
            TooLarge = facts.TooLarge,
            NeverOn = facts.NeverOn,
            TicksLeftOutBefore = facts.TicksLeftOutBefore,
            TicksLeftOutAfter = facts.TicksLeftOutAfter,
            MostOnAtOnce = facts.MostOnAtOnce,
            UnservableShare = facts.UnservableShare,
            Unservable = facts.Unservable,
            Densities = densities,
            Hosts = hosts,
            Starving = find[new SearchSpec(true, dmIndex, 0, -1, -1)].Starving,
            Verdict = CapacityVerdict.Of(densities[dmIndex], densities[staticIndex]),
            Sensitivity = sensitivity,
            MinimumSensitivity = minimumCells,
            PoolFloorMb = facts.PoolFloorMb,
            Warnings = warnings,
            ProbesRun = byIndex.Sum(o => o!.Probes),
            VmTicksReplayed = byIndex.Sum(o => o!.VmTicks),
        };
    }

    /// <summary>
    /// The fixed list of searches for <paramref name="options"/>: a density search per strategy and seed, a hosts-needed
    /// search per strategy, the sensitivity grid's density searches (Dynamic Memory per demand model and seed, and static
    /// provisioned too under a pressure limit), and per compared policy other than the probes' own a density search per seed
    /// and a hosts-needed search of the verdict's Dynamic Memory strategy.
    /// </summary>
    private static List<SearchSpec> Layout(CapacityOptions options)
    {
        var list = new List<SearchSpec>();
        int n = options.Strategies.Count;
        for (int s = 0; s < n; s++)
        {
            for (int k = 0; k < options.Seeds; k++)
                list.Add(new SearchSpec(false, s, k, -1, -1));
        }

        for (int s = 0; s < n; s++)
            list.Add(new SearchSpec(true, s, 0, -1, -1));
        int dm = DmIndex(options), st = IndexOf(options.Strategies, MemoryStrategy.StaticProvisioned);
        for (int m = 0; m < options.Sensitivity.Count; m++)
        {
            for (int k = 0; k < options.Seeds; k++)
            {
                list.Add(new SearchSpec(false, dm, k, m, -1));
                if (options.Level.MaxPressure is not null)
                    list.Add(new SearchSpec(false, st, k, m, -1));
            }
        }

        for (int m = 0; m < options.MinimumSensitivity.Count; m++)
        {
            for (int k = 0; k < options.Seeds; k++)
                list.Add(new SearchSpec(false, dm, k, options.Sensitivity.Count + m, -1));
        }

        for (int p = 0; p < options.Policies.Count; p++)
        {
            if (options.Policies[p] == options.Probe.Policy)
                continue; // the strategies' own searches serve it
            for (int k = 0; k < options.Seeds; k++)
                list.Add(new SearchSpec(false, dm, k, -1, p));
            list.Add(new SearchSpec(true, dm, 0, -1, p));
        }

        return list;
    }

    /// <summary>The index of the search the policies' side-by-side probes follow (the first policy's hosts-needed search), or -1 without policies.</summary>
    internal static int SideBySideOwner(List<SearchSpec> specs, CapacityOptions options)
    {
        if (options.Policies.Count == 0)
            return -1;
        int own = options.Policies[0] == options.Probe.Policy ? -1 : 0;
        return specs.IndexOf(new SearchSpec(true, DmIndex(options), 0, -1, own));
    }

    private static int DmIndex(CapacityOptions options) => IndexOf(options.Strategies, options.Strategies.First(s => s.Kind == StrategyKind.DynamicMemory));


    /// <summary>
    /// Runs <paramref name="work"/> on every item, <paramref name="threads"/> at a time, each thread taking the next item
    /// when it finishes one (in list order). The first exception an item throws is rethrown as it is, not wrapped.
    /// </summary>
    private static void RunAll<T>(List<T> items, int threads, Action<T> work, CancellationToken cancel)
    {
        try
        {
            Parallel.ForEach(Partitioner.Create(items, EnumerablePartitionerOptions.NoBuffering),
                new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancel }, work);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
        {
            Exception first = ex.InnerExceptions.FirstOrDefault(e => e is not OperationCanceledException) ?? ex.InnerExceptions[0];
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
        }

        cancel.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// The draws of one seed: host <paramref name="host"/>'s <paramref name="index"/>-th VM, a pool VM and a start tick
    /// (counter-based, so a probe of N VMs per host holds the first N of each host's sequence for every N).
    /// </summary>
    public static ProbeVm Draw(IReadOnlyList<int> pool, int ticks, ulong seed, int host, int index)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ulong h = (ulong)(uint)host << 32 | (uint)index;
        int vm = pool[(int)(SplitMix64.Draw(seed, DrawVm, h) % (ulong)pool.Count)];
        int offset = (int)(SplitMix64.Draw(seed, DrawOffset, h) % (ulong)ticks);
        return new ProbeVm(vm, offset, host);
    }

    /// <summary>How many k below the hosts search's answer are tried besides (<see cref="HostsJob"/>): meeting the level is not always monotone in k.</summary>
    internal const int HostsScanLimit = 32;

    /// <summary>A lower bound on the hosts the pool needs under <paramref name="strategy"/>: at the busiest tick, every on VM at its Minimum (Dynamic Memory) or its size (static), packed perfectly.</summary>
    private static long BusiestTickHosts(Context ctx, MemoryStrategy strategy)
    {
        var load = new long[ctx.Series.Ticks];
        foreach (int v in ctx.Pool)
        {
            VmSettings s = strategy.Apply(ctx.Series.VmSpan[v].Settings, ctx.Model.MaxCeilingMb);
            int footprint = s.DynamicMemory ? s.MinimumMb : s.StartupMb;
            ReadOnlySpan<int> row = ctx.Series.Of(v);
            for (int t = 0; t < row.Length; t++)
                load[t] += row[t] >= 0 ? footprint : 0;
        }

        return Math.Max(1, (load.Length == 0 ? 0 : load.Max() + ctx.Capacity - 1) / ctx.Capacity);
    }

    /// <summary>
    /// A lower bound on the hosts the pool needs under the most frugal strategy that can meet the level at all: at the
    /// busiest tick, every on VM at its Minimum (Dynamic Memory) or its size (static), packed perfectly.
    /// </summary>
    private static (int Hosts, MemoryStrategy Strategy) FewestHostsPossible(Context ctx)
    {
        (int, MemoryStrategy) best = (int.MaxValue, ctx.Options.Strategies[0]);
        foreach (MemoryStrategy strategy in ctx.Options.Strategies)
        {
            if (StaticPagingShare(ctx, ctx.Series, strategy) > ctx.Options.Level.MaxPagingShare || TooLargeUnder(ctx, strategy) is not null)
                continue; // misses the level at any density: no host count helps
            int hosts = (int)Math.Min(int.MaxValue, BusiestTickHosts(ctx, strategy));
            if (hosts < best.Item1)
                best = (hosts, strategy);
        }

        return best;
    }

    /// <summary>The pool VM with the largest Startup under <paramref name="strategy"/>, when it is larger than a host holds.</summary>
    private static (string Id, int SizeMb)? TooLargeUnder(Context ctx, MemoryStrategy strategy)
    {
        (string, int)? worst = null;
        foreach (int v in ctx.Pool)
        {
            int startup = strategy.Apply(ctx.Series.VmSpan[v].Settings, ctx.Model.MaxCeilingMb).StartupMb;
            if (startup > ctx.Capacity && (worst is null || startup > worst.Value.Item2))
                worst = (ctx.Series.VmSpan[v].Id, startup);
        }

        return worst;
    }

    /// <summary>For a static strategy: the share of the pool VMs' own servable time they page at their size, whatever the packing (null for Dynamic Memory).</summary>
    private static double? StaticPagingShare(Context ctx, TraceSeries series, MemoryStrategy strategy)
    {
        if (strategy.IsDynamic)
            return null;
        long servable = 0, paging = 0;
        foreach (int v in ctx.Pool)
        {
            VmSettings trace = series.VmSpan[v].Settings;
            VmSettings s = strategy.Apply(trace, ctx.Model.MaxCeilingMb);
            int cap = GuestMemory.MaxServableCommittedMb(trace);
            int size = s.StartupMb, floor = s.Guest == GuestKind.Linux ? GuestMemory.LinuxFloor(size) : 0;
            foreach (int c in series.Of(v))
            {
                if (c < 0 || c > cap)
                    continue;
                servable++;
                if ((long)c + floor > size)
                    paging++;
            }
        }

        return servable == 0 ? 0 : (double)paging / servable;
    }

    private static int IndexOf(IReadOnlyList<MemoryStrategy> list, MemoryStrategy s)
    {
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i] == s)
                return i;
        }

        return -1;
    }

    private static DensityResult Result(MemoryStrategy strategy, DemandModel? model, SearchOutcome[] searches, CapacityOptions options)
    {
        var seeds = searches.Select(j => j.Density!).ToArray();
        string? cannot = null;
        if (searches[0].CannotMeet is string why)
        {
            cannot = why;
        }
        else if (seeds.All(s => s.VmsPerHost == 0))
        {
            ProbeOutcome? miss = seeds[0].FirstMiss;
            cannot = miss is null ? "misses the level with one VM per host" : $"misses the level even with one VM per host: {options.Level.Shortfall(miss)}";
            if (miss is not null && strategy.IsDynamic && options.Level.MaxPressure is int limit && limit < 100 && miss.PressurePercentile > limit)
                cannot += SetPoint(limit);
        }

        return new DensityResult(strategy, model, seeds, cannot, searches[0].PoolPagingShare) { SearchLimit = options.MaxVmsPerHost };
    }

    /// <summary>
    /// Why a pressure limit below 100 % can be out of Dynamic Memory's reach at any density: it aims each VM at its Target
    /// (R9: demand × (1 + buffer)), so at Current Pressure (R10) of about 100 ÷ (1 + buffer), 83 % at a 20 % buffer; a
    /// lower limit needs a larger buffer (a review at stop 56: "--pressure-limit 80" answered "no" without saying so,
    /// while the buffer knob's 50 % met it).
    /// </summary>
    internal static string SetPoint(int limit)
        => string.Create(CultureInfo.InvariantCulture,
            $" (Dynamic Memory aims each VM at a Current Pressure of about 100 ÷ (1 + its buffer), R9 and R10: 83 % at a 20 % buffer; {(BufferFor(limit) <= VmSettings.MaxBuffer ? $"a limit of {limit} % needs a buffer of at least {BufferFor(limit)} %" : $"a limit of {limit} % would need a buffer of {BufferFor(limit)} %, above the {VmSettings.MaxBuffer} % R1 allows")}, and a VM held at its Maximum gets no more, whatever its buffer{SetPointEnd}");

    /// <summary>The end of <see cref="SetPoint"/>'s text (a later clause is put before its closing parenthesis).</summary>
    internal const string SetPointEnd = ": see the buffer knob, --buffers)";

    /// <summary>The least buffer % whose set-point, 100 ÷ (1 + buffer), is at or below <paramref name="limit"/> %.</summary>
    internal static int BufferFor(int limit) => (int)Math.Ceiling((10_000.0 / limit) - 100);

    /// <summary>VMs too large for the host named one per warning line; the rest share one line.</summary>
    internal const int MaxListedTooLarge = 3;

    /// <summary>Fewer measured ticks than this (or under an hour) draw the short-trace warning.</summary>
    internal const int MinTicksForAnswer = 12;

    /// <summary>A mean on-share of the pool's VMs below this draws the off-time warning.</summary>
    internal const double MinMeanOnShare = 0.75;

    /// <summary>The share of the ticks compared, in percent, from which ticks inside the trace with no VM on are warned about.</summary>
    internal const int MinEmptyInsidePercent = 1;

    /// <summary>
    /// The first <paramref name="ticks"/> of <paramref name="series"/> on which no VM of <paramref name="pool"/> is on, and
    /// the longest run of them (its first tick and length); null when there is none.
    /// </summary>
    internal static (int Empty, int From, int Length)? EmptyInside(TraceSeries series, List<int> pool, int ticks)
    {
        var on = new bool[ticks];
        foreach (int v in pool)
        {
            ReadOnlySpan<int> row = series.Of(v)[..ticks];
            for (int t = 0; t < row.Length; t++)
                on[t] |= row[t] >= 0;
        }

        int empty = 0, run = 0, bestFrom = 0, best = 0;
        for (int t = 0; t < on.Length; t++)
        {
            run = on[t] ? 0 : run + 1;
            empty += on[t] ? 0 : 1;
            if (run > best)
                (best, bestFrom) = (run, t - run + 1);
        }

        return empty == 0 ? null : (empty, bestFrom, best);
    }

    /// <summary>A span of time for a warning: minutes under two hours, hours under two days, else days.</summary>
    internal static string Duration(double seconds)
    {
        var ic = CultureInfo.InvariantCulture;
        return seconds < 7200 ? string.Create(ic, $"{seconds / 60:0.#} min")
            : seconds < 2 * 86_400 ? string.Create(ic, $"{seconds / 3600:0.#} h")
            : string.Create(ic, $"{seconds / 86_400:0.#} days");
    }

    /// <summary>
    /// The ticks before the first and after the last of the first <paramref name="ticks"/> on which some VM of
    /// <paramref name="pool"/> is on (the pool is never empty and each of its VMs is on at some tick of the series).
    /// </summary>
    internal static (int Before, int After) EmptyEdges(TraceSeries series, List<int> pool, int ticks)
    {
        int first = ticks, last = -1;
        foreach (int v in pool)
        {
            ReadOnlySpan<int> row = series.Of(v)[..ticks];
            int f = row.IndexOfAnyExcept(TraceValues.Off);
            if (f < 0)
                continue;
            first = Math.Min(first, f);
            last = Math.Max(last, row.LastIndexOfAnyExcept(TraceValues.Off));
        }

        return last < 0 ? (0, 0) : (first, ticks - 1 - last); // none on within the window: as before (the probes find nothing on)
    }

    /// <summary>The mean over <paramref name="pool"/> of each VM's share of the trace's ticks it is wanted on.</summary>
    private static double MeanOnShare(TraceSeries series, List<int> pool)
    {
        if (pool.Count == 0 || series.Ticks == 0)
            return 1;
        double sum = 0;
        foreach (int v in pool)
        {
            ReadOnlySpan<int> row = series.Of(v);
            int on = 0;
            foreach (int value in row)
                on += value >= 0 ? 1 : 0;
            sum += (double)on / row.Length;
        }

        return sum / pool.Count;
    }

    /// <summary>The fewest source VMs of a generate --from draw or of any draw it was drawn from (null: not a draw).</summary>
    internal static int? FewestSourceVms(TraceMetadata metadata)
    {
        int? fewest = null;
        foreach (KeyValuePair<string, string> kv in metadata)
        {
            if (kv.Key != "gen.pool_vms" && !(kv.Key.EndsWith(".gen.pool_vms", StringComparison.Ordinal) && IsSourcePrefix(kv.Key[..^".gen.pool_vms".Length])))
                continue;
            if (int.TryParse(kv.Value, NumberStyles.None, CultureInfo.InvariantCulture, out int n))
                fewest = Math.Min(fewest ?? int.MaxValue, n);
        }

        return fewest;
    }

    /// <summary>True for "gen.source", "gen.source.gen.source", ...: the keys a generate --from copies its source's under.</summary>
    private static bool IsSourcePrefix(string prefix)
        => prefix.Length > 0 && prefix.Replace("gen.source", "", StringComparison.Ordinal).Replace(".", "", StringComparison.Ordinal).Length == 0;

    /// <summary>
    /// <paramref name="key"/> of the trace's metadata, or of the source it was drawn from by generate --from (gen.source.…,
    /// at any depth); null when none records it.
    /// </summary>
    internal static string? FromSource(TraceMetadata metadata, string key)
    {
        if (metadata.TryGetValue(key, out string? value))
            return value;
        string? nearest = null;
        int depth = -1;
        foreach (KeyValuePair<string, string> kv in metadata)
        {
            if (!kv.Key.EndsWith("." + key, StringComparison.Ordinal))
                continue;
            string prefix = kv.Key[..^(key.Length + 1)];
            int n = prefix.Length;
            if (IsSourcePrefix(prefix) && (depth < 0 || n < depth))
            {
                nearest = kv.Value;
                depth = n;
            }
        }

        return nearest;
    }

    /// <summary>The median provisioned size (Maximum) of the trace's VMs, or null for an empty trace.</summary>
    private static int? MedianProvisionedMb(TraceSeries series)
    {
        if (series.Vms.Count == 0)
            return null;
        int[] sizes = new int[series.Vms.Count];
        for (int v = 0; v < sizes.Length; v++)
            sizes[v] = series.VmSpan[v].Settings.MaximumMb;
        Array.Sort(sizes);
        return sizes[sizes.Length / 2];
    }

    /// <summary>The most VMs on (value &gt;= 0) at one tick.</summary>
    private static int MostOnAtOnce(TraceSeries series)
    {
        var on = new int[series.Ticks];
        for (int v = 0; v < series.Vms.Count; v++)
        {
            ReadOnlySpan<int> row = series.Of(v);
            for (int t = 0; t < row.Length; t++)
                on[t] += row[t] >= 0 ? 1 : 0;
        }

        return on.Length == 0 ? 0 : on.Max();
    }

    private static double UnservableShare(TraceSeries series, out List<UnservableVm> vms)
    {
        DemandModel? model = DemandModel.FromMetadata(series.Metadata);
        vms = [];
        long wanted = 0, unservable = 0;
        var demands = new List<int>();
        for (int v = 0; v < series.Vms.Count; v++)
        {
            VmSettings settings = series.VmSpan[v].Settings;
            int cap = GuestMemory.MaxServableCommittedMb(settings);
            int w = 0, u = 0;
            demands.Clear();
            foreach (int value in series.Of(v))
            {
                if (value < 0)
                    continue;
                w++;
                demands.Add(value);
                if (value > cap)
                    u++;
            }

            wanted += w;
            unservable += u;
            if (u == 0)
                continue;
            demands.Sort();
            int median = demands[(demands.Count - 1) / 2];
            double? used = model is null || model.K == 0 ? null : Math.Max(0, median - model.BaseMb(settings.MaximumMb)) / model.K;
            vms.Add(new UnservableVm(series.VmSpan[v].Id, settings.MaximumMb, median, used, w, u));
        }

        vms.Sort((a, b) => b.Share != a.Share ? b.Share.CompareTo(a.Share) : string.CompareOrdinal(a.Id, b.Id));
        return wanted == 0 ? 0 : (double)unservable / wanted;
    }

    /// <summary>The mean over the pool of what each VM holds at the least under Dynamic Memory: its Minimum, or its Startup when static.</summary>
    private static double PoolFloorMb(Context ctx, TraceSeries series)
    {
        if (ctx.Pool.Length == 0)
            return 0;
        double sum = 0;
        foreach (int v in ctx.Pool)
        {
            VmSettings s = MemoryStrategy.DynamicMemory.Apply(series.VmSpan[v].Settings, ctx.Model.MaxCeilingMb);
            sum += s.DynamicMemory ? s.MinimumMb : s.StartupMb;
        }

        return sum / ctx.Pool.Length;
    }

    /// <summary>An import's rule for the Minimum, from the trace's metadata (settings.minimum_divisor); null when none is recorded.</summary>
    private static string? MinimumRule(TraceMetadata metadata)
        => !metadata.TryGetValue("settings.minimum_divisor", out string? divisor) ? null
            : metadata.TryGetValue("gen.from", out string? from)
                ? $"Minimum = Startup ÷ {divisor}, the --minimum-divisor {divisor} of the import this trace was drawn from ({from}, by generate --from: import it again with another divisor and draw again)"
                : $"Minimum = Startup ÷ {divisor}, the import's --minimum-divisor {divisor}";

    /// <summary>
    /// Where Dynamic Memory held VMs with unservable demand below their provisioned size on more of the VM-time at its density
    /// than the level lets page (<see cref="ProbeOutcome.UnservableShortVmTicks"/>, over its draws): the sentence that says
    /// so, against static provisioned at its own density; null where it did not. <paramref name="any"/>: whether it did.
    /// </summary>
    internal static string? UnservableShortText(DensityResult dm, DensityResult fixedSize, ServiceLevel level, out bool any)
    {
        ProbeOutcome[] at = [.. dm.Seeds.Select(s => s.AtDensity).OfType<ProbeOutcome>()];
        long wanted = at.Sum(o => o.WantedVmTicks), shortTicks = at.Sum(o => o.UnservableShortVmTicks);
        any = shortTicks > 0 && UnservableShortShare(dm) > level.MaxPagingShare;
        if (!any)
            return null;
        double share = (double)shortTicks / wanted, unservable = (double)at.Sum(o => o.UnservableVmTicks) / wanted;
        double meanShortGb = (double)at.Sum(o => o.UnservableShortMbTicks) / shortTicks / 1024;
        ProbeOutcome[] other = [.. fixedSize.Seeds.Select(s => s.AtDensity).OfType<ProbeOutcome>()];
        long otherWanted = other.Sum(o => o.WantedVmTicks);
        string staticText = otherWanted == 0
            ? "static provisioned holds a VM at its size"
            : $"static provisioned held them below it on {ShareText.Percent((double)other.Sum(o => o.UnservableShortVmTicks) / otherWanted)}";
        return string.Create(CultureInfo.InvariantCulture,
            $"{ShareText.Percent(unservable)} of the VM-time at Dynamic Memory's density is unservable (demand above what the VM's Maximum can serve), and that time is never counted for or against a strategy; but Dynamic Memory held those VMs below their Maximum on {ShareText.Percent(share)} of the VM-time ({meanShortGb:F2} GB short on average; the level lets {ShareText.Percent(level.MaxPagingShare)} of the servable VM-time page), where {staticText}: they page more under Dynamic Memory than the level counts.");
    }

    /// <summary><see cref="CapacityResult.DynamicMemoryUnservableShortShare"/> of one density (0 where no draw met the level).</summary>
    internal static double UnservableShortShare(DensityResult dm)
    {
        ProbeOutcome[] at = [.. dm.Seeds.Select(s => s.AtDensity).OfType<ProbeOutcome>()];
        long wanted = at.Sum(o => o.WantedVmTicks);
        return wanted == 0 ? 0 : (double)at.Sum(o => o.UnservableShortVmTicks) / wanted;
    }

    /// <summary>
    /// Whether Dynamic Memory, at its density (the mean over the draws that met the level), held its VMs within 15 % of the
    /// pool's mean floor (<see cref="CapacityFacts.PoolFloorMb"/>) while their mean demand was below it.
    /// </summary>
    internal static bool AtMinimum(DensityResult dm, double floorMb, out double heldMb, out double demandMb)
    {
        heldMb = demandMb = 0;
        ProbeOutcome[] at = [.. dm.Seeds.Select(s => s.AtDensity).OfType<ProbeOutcome>()];
        if (floorMb <= 0 || at.Length == 0)
            return false;
        heldMb = at.Average(o => o.MeanHeldPerVmMb);
        demandMb = at.Average(o => o.MeanDemandPerVmMb);
        return heldMb <= 1.15 * floorMb && demandMb < floorMb;
    }

    private static List<StarvingVm> Starving(TraceSeries series, HostsJob dm)
    {
        var list = new List<StarvingVm>();
        if (dm.StarvingProbe.Outcome is not ProbeOutcome at || at.PerVm.Count == 0)
            return list;
        for (int i = 0; i < at.PerVm.Count; i++)
        {
            ProbeVmOutcome o = at.PerVm[i];
            if (o.PagingTicks == 0)
                continue;
            int v = dm.StarvingProbe.Sources[i];
            list.Add(new StarvingVm(series.VmSpan[v].Id, series.VmSpan[v].Settings.MaximumMb, o.ServableTicks, o.PagingTicks, o.UnmetMbTicks));
        }

        list.Sort((a, b) => b.Share != a.Share ? b.Share.CompareTo(a.Share) : b.UnmetMbTicks.CompareTo(a.UnmetMbTicks));
        return list.Count > 10 ? list[..10] : list;
    }

    /// <summary>
    /// The largest n in 1..max that meets the level, searched from an estimate: the estimate is probed, then steps of
    /// growing size bracket the boundary, then bisection (0 when even n = 1 misses). Assumes that more VMs per host
    /// never make the level easier to meet (more VMs share the same memory).
    /// </summary>
    internal static int LargestMeeting(Func<int, bool> meets, int estimate, int max)
    {
        int lo = 0, hi = max + 1; // lo meets (0 trivially), hi misses (max + 1 by definition)
        int n = Math.Clamp(estimate, 1, max);
        int step = Math.Max(1, n / 40);
        if (meets(n))
        {
            lo = n;
            while (hi == max + 1 && lo < max)
            {
                int next = (int)Math.Min(max, (long)lo + step);
                if (meets(next))
                    lo = next;
                else
                    hi = next;
                step *= 2;
            }
        }
        else
        {
            hi = n;
            while (lo == 0 && hi > 1)
            {
                int next = Math.Max(1, hi - step);
                if (meets(next))
                    lo = next;
                else
                    hi = next;
                step *= 2;
            }
        }

        while (hi - lo > 1 && lo < max)
        {
            int mid = lo + ((hi - lo) / 2);
            if (meets(mid))
                lo = mid;
            else
                hi = mid;
        }

        return lo;
    }

    /// <summary>Shared state of one study.</summary>
    internal sealed class Context(TraceSeries series, CapacityOptions options, Action<CapacityProgress>? progress, CancellationToken cancel)
    {
        private int _probes;
        private long _vmTicks;
        private int _searchesDone;

        public TraceSeries Series { get; } = series;

        public CapacityOptions Options { get; } = options;

        public ModelParameters Model { get; } = options.Probe.Model with { TickSeconds = series.TickSeconds };

        public CancellationToken Cancel { get; } = cancel;

        public int Reserve => Options.Host.ReserveMb ?? Options.Probe.Model.HostReserveMb;

        public int Capacity => Options.Host.TotalMb - Reserve;

        public TraceHost Host => Options.Host with { ReserveMb = Reserve };

        public int Ticks => Math.Min(Series.Ticks, Options.Probe.MaxTicks ?? int.MaxValue);

        public int[] Pool { get; set; } = [];

        public int Searches { get; set; }

        public int ProbesDone => _probes;

        public long VmTicksDone => Interlocked.Read(ref _vmTicks);

        public ProbeOptions ProbeOptions(bool stopEarly, bool perVm, BalancerPolicy? policy = null) => Options.Probe with
        {
            PressurePercentile = Options.Level.MaxPressure is null ? null : Options.Level.PressurePercentile,
            StopWhenMissed = stopEarly && Options.Level.MaxPressure is null ? Options.Level : null,
            PerVm = perVm,
            Policy = policy ?? Options.Probe.Policy,
            Cancel = Cancel,
        };

        public void Probed(ProbeOutcome o)
        {
            int p = Interlocked.Increment(ref _probes);
            long t = Interlocked.Add(ref _vmTicks, (long)o.Vms * (o.WarmupTicks + o.Ticks));
            progress?.Invoke(new CapacityProgress(p, t, Volatile.Read(ref _searchesDone), Searches));
        }

        public void SearchDone()
        {
            int d = Interlocked.Increment(ref _searchesDone);
            progress?.Invoke(new CapacityProgress(Volatile.Read(ref _probes), VmTicksDone, d, Searches));
        }
    }

    internal abstract class Job
    {
        private int _probes;
        private long _vmTicks;

        /// <summary>The estimated cost (<see cref="CapacityPlan.Weight"/>).</summary>
        public long Weight { get; set; }

        /// <summary>Probes run for this search and what follows from it.</summary>
        public int Probes => _probes;

        /// <summary>VM-ticks replayed by those probes (warm-up included).</summary>
        public long VmTicks => Interlocked.Read(ref _vmTicks);

        protected abstract Context Ctx { get; }

        public abstract void Run();

        /// <summary>Counts a probe of this search (here and in the study's progress).</summary>
        public void Probed(ProbeOutcome o)
        {
            Interlocked.Increment(ref _probes);
            Interlocked.Add(ref _vmTicks, (long)o.Vms * (o.WarmupTicks + o.Ticks));
            Ctx.Probed(o);
        }
    }

    /// <summary>A density search for one strategy, demand model and seed.</summary>
    private sealed class DensityJob(Context ctx, TraceSeries series, MemoryStrategy strategy, int seedIndex) : Job
    {
        protected override Context Ctx => ctx;

        private readonly List<SearchProbe> _probes = [];

        /// <summary>The balancer policy of the probes (null: the study's, <see cref="ProbeOptions.Policy"/>).</summary>
        public BalancerPolicy? Policy { get; init; }

        public DemandModel? Demand { get; init; }

        public DensitySeed? Result { get; private set; }

        public string? CannotMeet { get; private set; }

        public double? PoolPagingShare { get; private set; }

        public override void Run()
        {
            ulong seed = ctx.Options.Seed + (ulong)seedIndex;
            int hosts = ctx.Options.HostsPerProbe;
            // The search may go up to the study's limit: a bound from the hosts' memory over the smallest VM held
            // (capacity ÷ Minimum) assumed every VM on at once, and cut the density of VMs that are on part of the time.
            int max = ctx.Options.MaxVmsPerHost;

            // A strategy under which a pool VM cannot start on an empty host misses the level at every density.
            if (TooLargeUnder(ctx, strategy) is (string id, int size))
            {
                CannotMeet = string.Create(CultureInfo.InvariantCulture, $"VM '{id}' needs {size} MB to start, more than a host holds ({ctx.Capacity} MB)");
                Result = new DensitySeed(seedIndex, 0, null, null, _probes);
                return;
            }

            // A static strategy that pages beyond the level on its VMs' own series pages so at every density.
            PoolPagingShare = StaticPagingShare(ctx, series, strategy);
            if (PoolPagingShare is double share && share > ctx.Options.Level.MaxPagingShare)
            {
                CannotMeet = string.Create(CultureInfo.InvariantCulture,
                    $"pages {ShareText.Percent(share, 1)} of servable VM-time at any density: its size is below the VMs' demand");
                Result = new DensitySeed(seedIndex, 0, null, null, _probes);
                return;
            }

            ProbeOutcome? best = null, firstMiss = null;
            bool Meets(int n)
            {
                ctx.Cancel.ThrowIfCancellationRequested();
                var vms = new ProbeVm[hosts * n];
                for (int h = 0; h < hosts; h++)
                {
                    for (int j = 0; j < n; j++)
                        vms[(h * n) + j] = Draw(ctx.Pool, series.Ticks, seed, h, j);
                }

                ProbeOutcome o = Probe.Run(series, strategy, vms, hosts, ctx.Host, ctx.ProbeOptions(stopEarly: true, perVm: false, Policy));
                bool ok = ctx.Options.Level.IsMetBy(o);
                _probes.Add(new SearchProbe(n, o, ok));
                Probed(o);
                if (ok && (best is null || n > best.Vms / hosts))
                    best = o;
                if (!ok && (firstMiss is null || n < firstMiss.Vms / hosts))
                    firstMiss = o;
                return ok;
            }

            int found = LargestMeeting(Meets, Estimate(seed, max), max);
            _probes.Sort((a, b) => a.Size.CompareTo(b.Size));
            Result = new DensitySeed(seedIndex, found, found == 0 ? null : best, firstMiss, _probes);
        }

        /// <summary>
        /// A first guess: the seed's hosts filled VM after VM until the level would be missed by a simple account of memory.
        /// On a host, each on VM holds its footprint (static: its size; Dynamic Memory: its demand within Minimum..Maximum,
        /// R9 without the buffer, which a short host drops first, R11), and a VM that starts (its first tick, or on after
        /// off) needs its Startup free besides what the others hold (R4). The guess stops before the first start that would
        /// not fit, or before more host-ticks are over the host than the paging limit allows.
        /// </summary>
        private int Estimate(ulong seed, int max)
        {
            int hosts = ctx.Options.HostsPerProbe, seriesTicks = series.Ticks, ticks = EstimateSpan(hosts, seriesTicks);
            var load = new long[hosts * ticks];
            var startNeed = new long[hosts * ticks]; // the largest Startup − footprint of a VM starting at that host-tick
            long over = 0, allowed = strategy.IsDynamic ? (long)(ctx.Options.Level.MaxPagingShare * hosts * ticks) : 0;
            long capacity = ctx.Capacity;
            for (int n = 1; n <= max; n++)
            {
                for (int h = 0; h < hosts; h++)
                {
                    ProbeVm vm = Draw(ctx.Pool, seriesTicks, seed, h, n - 1);
                    VmSettings s = strategy.Apply(series.VmSpan[vm.Source].Settings, ctx.Model.MaxCeilingMb);
                    ReadOnlySpan<int> row = series.Of(vm.Source);
                    Span<long> l = load.AsSpan(h * ticks, ticks), need = startNeed.AsSpan(h * ticks, ticks);
                    bool wasOn = false;
                    for (int t = 0, p = vm.Offset; t < ticks; t++, p = p + 1 == seriesTicks ? 0 : p + 1)
                    {
                        int c = row[p];
                        if (c < 0)
                        {
                            wasOn = false;
                            if (l[t] + need[t] > capacity)
                                return Math.Max(1, n - 1);
                            continue;
                        }

                        int footprint = !s.DynamicMemory ? s.StartupMb : Math.Clamp(c, s.MinimumMb, s.MaximumMb);
                        long before = l[t];
                        l[t] = before + footprint;
                        if (!wasOn)
                            need[t] = Math.Max(need[t], s.StartupMb - footprint);
                        wasOn = true;
                        if (l[t] + need[t] > capacity && (need[t] > 0 || !strategy.IsDynamic))
                            return Math.Max(1, n - 1);
                        if (before <= capacity && l[t] > capacity && ++over > allowed)
                            return Math.Max(1, n - 1);
                    }
                }
            }

            return max;
        }
    }

    /// <summary>Full-length probes of the first seed's draws at 0.5, 0.8, 1, 1.1 and 1.3 times its density.</summary>
    private sealed class CurveJob
    {
        public CurveJob(Context ctx, TraceSeries series, MemoryStrategy strategy, int density)
        {
            Strategy = strategy;
            var sizes = new SortedSet<int>();
            foreach (int tenths in (ReadOnlySpan<int>)[5, 8, 10, 11, 13])
                sizes.Add(Math.Clamp(((density * tenths) + 9) / 10, 1, ctx.Options.MaxVmsPerHost));
            Points = [.. sizes.Select(n => new Point(ctx, series, strategy, n))];
        }

        public MemoryStrategy Strategy { get; }

        public IReadOnlyList<Point> Points { get; }

        public sealed class Point(Context ctx, TraceSeries series, MemoryStrategy strategy, int n)
        {
            public int Size => n;

            public ProbeOutcome? Outcome { get; private set; }

            public void Run(Job owner)
            {
                int hosts = ctx.Options.HostsPerProbe;
                var vms = new ProbeVm[hosts * n];
                for (int h = 0; h < hosts; h++)
                {
                    for (int j = 0; j < n; j++)
                        vms[(h * n) + j] = Draw(ctx.Pool, series.Ticks, ctx.Options.Seed, h, j);
                }

                Outcome = Probe.Run(series, strategy, vms, hosts, ctx.Host, ctx.ProbeOptions(stopEarly: false, perVm: false));
                owner.Probed(Outcome);
            }
        }
    }

    /// <summary>The hosts-needed search for one strategy: the trace's pool VMs re-packed onto k hosts.</summary>
    internal sealed class HostsJob(Context ctx, MemoryStrategy strategy) : Job
    {
        protected override Context Ctx => ctx;

        private readonly List<SearchProbe> _probes = [];

        /// <summary>The balancer policy of the probes (null: the study's, <see cref="ProbeOptions.Policy"/>).</summary>
        public BalancerPolicy? Policy { get; init; }

        /// <summary>Whether this search gives the starving list (Dynamic Memory's own): only it replays a stopped last miss to the end.</summary>
        public bool ListsStarving { get; init; }

        public HostsResult? Result { get; private set; }

        /// <summary>
        /// The probe whose per-VM counters give the starving list, and the trace VM of each of its probe VMs (probe order):
        /// the answer's probe, or when no host count tried meets the level, the one with the most hosts (null when nothing
        /// was probed: a VM too large for a host).
        /// </summary>
        public (ProbeOutcome? Outcome, int[] Sources) StarvingProbe { get; private set; } = (null, []);

        /// <summary>
        /// The hosts-needed search's first limit without --max-hosts: every VM at its Startup packed perfectly, plus one
        /// (at least 1, at most one VM per host).
        /// </summary>
        public static int StartupEstimate(long startupSumMb, long capacityMb, int vmCount) =>
            (int)Math.Clamp(((startupSumMb + capacityMb - 1) / capacityMb) + 1, 1, vmCount);

        public override void Run()
        {
            TraceSeries series = ctx.Series;
            int[] pool = ctx.Pool;
            var settings = new VmSettings[pool.Length];
            long startupSum = 0, footprintSum = 0;
            for (int i = 0; i < pool.Length; i++)
            {
                settings[i] = strategy.Apply(series.VmSpan[pool[i]].Settings, ctx.Model.MaxCeilingMb);
                startupSum += settings[i].StartupMb;
                footprintSum += settings[i].DynamicMemory ? settings[i].MinimumMb : settings[i].StartupMb;
            }

            long capacity = ctx.Capacity;
            if (TooLargeUnder(ctx, strategy) is (string id, int size))
            {
                Result = new HostsResult(strategy, null, 0, null, null, _probes)
                {
                    CannotHost = string.Create(CultureInfo.InvariantCulture, $"VM '{id}' needs {size} MB to start, more than a host holds ({capacity} MB)"),
                };
                return;
            }

            int[] order = PackOrder(settings); // the same for every host count the search probes
            int maxHosts = ctx.Options.MaxHosts ?? StartupEstimate(startupSum, capacity, pool.Length);
            int lowest = (int)Math.Clamp((footprintSum + capacity - 1) / capacity, 1, maxHosts);
            ProbeOutcome? best = null, widestMiss = null;
            int[] bestSources = [], widestMissSources = [];
            bool Meets(int k)
            {
                ctx.Cancel.ThrowIfCancellationRequested();
                (ProbeVm[] vms, int[] sources) = Pack(pool, settings, order, k);
                ProbeOutcome o = Probe.Run(series, strategy, vms, k, ctx.Host, ctx.ProbeOptions(stopEarly: true, perVm: true, Policy));
                bool ok = ctx.Options.Level.IsMetBy(o);
                // Only the answer's probe (best) keeps its per-VM counters, for the starving list: the search's other
                // probes drop theirs (24 B per VM each; a search over a million VMs runs tens of probes).
                _probes.Add(new SearchProbe(k, o with { PerVm = [] }, ok));
                Probed(o);
                if (ok && (best is null || k < best.Hosts))
                {
                    best = o;
                    bestSources = sources;
                }

                if (!ok && (widestMiss is null || k > widestMiss.Hosts))
                {
                    // Kept with its per-VM counters: when no host count meets the level, the starving list is this
                    // probe's (the most hosts tried), rather than an empty list read as "no VM pages".
                    widestMiss = o;
                    widestMissSources = sources;
                }

                return ok;
            }

            // The smallest k that meets: the largest s = maxHosts + 1 - k that meets, searched from the estimate (every on VM at
            // its Minimum, or its size when static, packed perfectly).
            int spare = LargestMeeting(s => Meets(maxHosts - s + 1), maxHosts - lowest + 1, maxHosts);
            int? hosts = spare == 0 ? null : maxHosts - spare + 1;

            // The default limit is an estimate (every VM at its Startup packed perfectly, plus one): VMs that fill most of a
            // host, or a policy that pages more than Hyper-V's, can need more. Without --max-hosts the search goes on
            // beyond it, doubling up to one VM per host, then bisects between the last miss and the first meet; only a
            // limit the user gave ends it with "more than N". Not for a static strategy that pages beyond the level on its
            // VMs' own series (whatever the packing: its density search says "at any density"), which no host count helps.
            if (hosts is null && ctx.Options.MaxHosts is null
                && !(StaticPagingShare(ctx, series, strategy) is double share && share > ctx.Options.Level.MaxPagingShare))
            {
                int missed = maxHosts;
                while (missed < pool.Length)
                {
                    int k = (int)Math.Min(pool.Length, 2L * missed);
                    if (Meets(k))
                    {
                        hosts = k;
                        break;
                    }

                    missed = k;
                }

                if (hosts is int met)
                {
                    int lo = missed;
                    while (met - lo > 1)
                    {
                        int mid = lo + ((met - lo) / 2);
                        if (Meets(mid))
                            met = mid;
                        else
                            lo = mid;
                    }

                    hosts = met;
                }

                maxHosts = _probes.Max(p => p.Size); // the most hosts tried
            }

            // Meeting the level is not always monotone in k: the packing changes with k, and VMs that are never on
            // together may share a host at k but not at k + 1. So every k below the search's answer, down to the busiest
            // tick's bound, is tried as well, fewest first (when there are at most HostsScanLimit of them).
            int floor = (int)Math.Clamp(BusiestTickHosts(ctx, strategy), 1, maxHosts + 1);
            int above = hosts ?? maxHosts + 1;
            if (above - floor <= HostsScanLimit)
            {
                for (int k = floor; k < above; k++)
                {
                    if (!_probes.Exists(p => p.Size == k) && Meets(k))
                    {
                        hosts = k;
                        break;
                    }
                }
            }

            // "One host fewer misses by": probed when the scan started at the answer (below the busiest tick's bound it misses).
            if (hosts is int fewest && fewest > 1 && !_probes.Exists(p => p.Size == fewest - 1))
                Meets(fewest - 1);
            _probes.Sort((a, b) => a.Size.CompareTo(b.Size));
            if (ListsStarving && hosts is null && widestMiss is { Stopped: true } stopped)
            {
                // The search's probe stopped at the first tick it could no longer meet the level: its per-VM counters cover
                // those ticks only. The starving list is then that packing's, replayed to the end once.
                ctx.Cancel.ThrowIfCancellationRequested();
                (ProbeVm[] vms, widestMissSources) = Pack(pool, settings, order, stopped.Hosts);
                widestMiss = Probe.Run(series, strategy, vms, stopped.Hosts, ctx.Host, ctx.ProbeOptions(stopEarly: false, perVm: true, Policy));
                Probed(widestMiss);
            }

            StarvingProbe = hosts is null ? (widestMiss, widestMissSources) : (best, bestSources);
            SearchProbe? fewer = hosts is int h ? _probes.Find(p => p.Size == h - 1) : _probes.Find(p => p.Size == maxHosts);
            Result = new HostsResult(strategy, hosts, maxHosts, hosts is null ? null : best, fewer?.Outcome, _probes);
        }

        /// <summary>
        /// The pool VMs on <paramref name="hosts"/> hosts: largest Startup first, each onto the host with the least Startup
        /// so far (then the lowest index); deterministic, and balanced so that the strategy's savings decide the count.
        /// </summary>
        /// <param name="pool">The trace VM of each pool position.</param>
        /// <param name="settings">Each pool position's settings under the strategy.</param>
        /// <param name="order">The pool positions by Startup, largest first (ties: pool order): <see cref="PackOrder"/>.</param>
        /// <param name="hosts">Hosts to pack onto.</param>
        internal static (ProbeVm[] Vms, int[] Sources) Pack(int[] pool, VmSettings[] settings, int[] order, int hosts)
        {
            var load = new PriorityQueue<int, (long Load, int Host)>();
            for (int h = 0; h < hosts; h++)
                load.Enqueue(h, (0, h));
            var hostOf = new int[pool.Length];
            var count = new int[hosts];
            foreach (int i in order)
            {
                load.TryDequeue(out int h, out (long Load, int Host) key);
                hostOf[i] = h;
                count[h]++;
                load.Enqueue(h, (count[h] >= HostSpec.MaxVmCapacity ? long.MaxValue : key.Load + settings[i].StartupMb, h));
            }

            // Probe order: host by host, pool order within a host (consecutive slots). One pass from each host's first
            // slot (a scan of the pool per host took 39 % of a 1 000 000-VM comparison's time, hosts × VMs steps).
            var next = new int[hosts];
            for (int h = 1; h < hosts; h++)
                next[h] = next[h - 1] + count[h - 1];
            var vms = new ProbeVm[pool.Length];
            var sources = new int[pool.Length];
            for (int i = 0; i < pool.Length; i++)
            {
                int h = hostOf[i], at = next[h]++;
                sources[at] = pool[i];
                vms[at] = new ProbeVm(pool[i], 0, h);
            }

            return (vms, sources);
        }

        /// <summary>The pool positions by Startup, largest first (ties: pool order), the order <see cref="Pack"/> places them in.</summary>
        internal static int[] PackOrder(VmSettings[] settings)
        {
            var order = new int[settings.Length];
            var keys = new long[settings.Length];
            for (int i = 0; i < order.Length; i++)
            {
                order[i] = i;
                keys[i] = ((long)-settings[i].StartupMb << 32) | (uint)i; // Startup descending, then position: unique keys
            }

            Array.Sort(keys, order);
            return order;
        }
    }
}

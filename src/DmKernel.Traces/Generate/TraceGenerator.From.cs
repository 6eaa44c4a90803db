using System.Globalization;
using System.Text;
using DmKernel.Traces.Capacity;

namespace DmKernel.Traces;

public static partial class TraceGenerator
{
    /// <summary>The purpose of the scale draw (the VM and start tick are <see cref="CapacityStudy.Draw"/>'s).</summary>
    private const ulong DrawScale = 0x5EED_0003;

    /// <summary>The purpose of the balanced draw's choice of the remainder and its order (<see cref="DerivedDraw.Balanced"/>).</summary>
    private const ulong DrawBalanced = 0x5EED_0004;

    /// <summary>
    /// Generates a trace of <see cref="DerivedTraceOptions.Vms"/> VMs drawn from <paramref name="source"/> (a real trace decoded
    /// into memory) at <paramref name="path"/> (via "&lt;path&gt;.tmp", renamed at the end), keeping the real series' shape:
    /// bursts, zeros, on and off. VM i runs on host h = i mod Hosts as that host's j-th VM (j = i / Hosts), and is
    /// <see cref="CapacityStudy.Draw"/>'s draw for (seed, h, j), the draw compare makes for its densities: a source VM
    /// chosen uniformly with replacement among those on at some tick, and a start tick; it plays that VM's series from
    /// the start tick, wrapping around at the end. Its scale factor f (uniform in [ScaleMin, ScaleMax], drawn from the
    /// same key) multiplies its sizes (rounded up to 2 MB, at least 32 MB, at most MaxCeiling: R1 holds) and the measured
    /// part of its demand: committed' = round(max(0, committed − base) × f) + base', with the OS base of the source's demand
    /// model for the old and the new Maximum (<see cref="DemandModel.Convert"/>; no model: base 0). Off stays off. The
    /// output streams tick by tick: memory holds the source and a few values per VM, never VMs × ticks. Same source, seed
    /// and options, same bytes. <paramref name="progress"/> is told the ticks written after each tick; when
    /// <paramref name="cancel"/> is set the temporary file is deleted and <see cref="OperationCanceledException"/> thrown.
    /// </summary>
    public static GeneratedTrace GenerateFrom(TraceSeries source, string path, DerivedTraceOptions options, Action<long>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int n = options.Vms, ticks = options.Ticks ?? source.Ticks;
        DemandModel? model = DemandModel.FromMetadata(source.Metadata);
        int[] pool = DrawPool(source, options, out int neverOn, out int tooLarge);
        int align = AlignTicks(options, source);

        // The source's ticks at its start and end with no pool VM on are not played (as compare leaves them out: a review at
        // stop 61): each VM plays its series around the source from a random tick, so such an edge, which holds no sample of
        // any VM (a clock started before the samples, a never-on VM's earlier samples), would be off time in every drawn VM.
        // With aligned starts both edges left out are whole periods, so the starts keep the source clock's time of day and a
        // series wrapping around at the end of those played keeps it too (a review at stop 61: 3 empty ticks left out at the
        // end of a 2-day source misaligned every VM after its wrap).
        (int leftOutBefore, int leftOutAfter) = CapacityStudy.EmptyEdges(source, [.. pool], source.Ticks);
        leftOutBefore = leftOutBefore / align * align;
        int remainder = (source.Ticks - leftOutBefore) % align; // the end edge takes it where it can: the ticks played whole periods
        leftOutAfter = leftOutAfter >= remainder ? remainder + ((leftOutAfter - remainder) / align * align) : leftOutAfter / align * align;
        int sourceTicks = source.Ticks - leftOutBefore - leftOutAfter;
        TraceSeries played = sourceTicks == source.Ticks ? source : source.Slice(leftOutBefore, sourceTicks);
        int[]? balanced = options.Draw == DerivedDraw.Balanced ? BalancedSources(pool, n, options.Seed) : null;

        var vms = new TraceVm[n];
        var drawnFrom = new HashSet<int>();
        var rowBase = new int[n];
        var position = new int[n];
        double[]? scale = null;
        int[]? fromBase = null, toBase = null;
        var id = new StringBuilder();
        for (int i = 0; i < n; i++)
        {
            (ProbeVm draw, double f) = DrawFrom(pool, sourceTicks, options, i);
            if (balanced is not null)
                draw = draw with { Source = balanced[i] };
            if (align > 1)
                draw = draw with { Offset = draw.Offset / align * align };
            TraceVm from = source.Vms[draw.Source];
            drawnFrom.Add(draw.Source);
            VmSettings settings = Scale(from.Settings, f);
            id.Clear().Append(CultureInfo.InvariantCulture, $"vm{i}:{from.Id}@{leftOutBefore + draw.Offset}");
            string name = Encoding.UTF8.GetByteCount(id.ToString()) <= TraceVm.MaxIdBytes ? id.ToString() : string.Create(CultureInfo.InvariantCulture, $"vm{i}");
            vms[i] = new TraceVm(name, settings, options.Hosts > 0 ? i % options.Hosts : -1);
            rowBase[i] = checked((int)played.RowStart(draw.Source));
            position[i] = draw.Offset;
            if (f != 1)
            {
                scale ??= new double[n];
                fromBase ??= new int[n];
                toBase ??= new int[n];
                scale[i] = DemandFactor(from.Settings.MaximumMb, settings.MaximumMb, f);
                fromBase[i] = model?.BaseMb(from.Settings.MaximumMb) ?? 0;
                toBase[i] = model?.BaseMb(settings.MaximumMb) ?? 0;
            }
        }

        var hosts = BuildHosts(options.Hosts, options.HostMb, options.HostHeadroom, options.HostReserveMb, vms, out int hostMb);
        var meta = new TraceMetadata();
        options.Record(meta, ticks);
        meta.Set("gen.host_mb_used", hostMb);
        meta.Set("gen.from", source.Name).Set("gen.source_vms", source.Vms.Count).Set("gen.source_ticks", source.Ticks);
        meta.Set("gen.pool_vms", pool.Length).Set("gen.excluded_never_on", neverOn).Set("gen.excluded_too_large", tooLarge);
        if (sourceTicks != source.Ticks)
        {
            meta.Set("gen.source_ticks_played", string.Create(CultureInfo.InvariantCulture,
                $"{leftOutBefore}..{leftOutBefore + sourceTicks - 1}: the {leftOutBefore} ticks before and {leftOutAfter} after have no pool VM on and are not played{(align > 1 ? " (whole alignment periods)" : "")}; the source ticks of gen.draw are the {sourceTicks} played"));
        }

        meta.Set("gen.draw", balanced is null
            ? "VM i on host h = i mod hosts as its j-th VM (j = i / hosts): CapacityStudy.Draw(pool, source ticks, seed, h, j), a pool VM (on at some tick; with gen.host_mb, its Startup at gen.scale_max fits a host) uniformly with replacement and a start tick; it plays the source series from that tick, wrapping around"
            : "balanced: each pool VM (on at some tick; with gen.host_mb, its Startup at gen.scale_max fits a host) floor(vms / pool) times and the remainder without replacement, in a seeded random order; VM i on host h = i mod hosts as its j-th VM (j = i / hosts) takes its start tick from CapacityStudy.Draw(pool, source ticks, seed, h, j); it plays the source series from that tick, wrapping around");
        if (align > 1)
            meta.Set("gen.align_starts", string.Create(CultureInfo.InvariantCulture, $"start ticks rounded down to a multiple of {align} ticks ({options.AlignStartsSeconds} s)"));
        meta.Set("gen.scale_rule", "factor f uniform in [scale_min, scale_max] per VM: Startup, Minimum, Maximum = roundUp2(size * f) in 32..max(1048576, source Maximum); committed = round(max(0, committed - base(old Maximum)) * f') + base(new Maximum) by the demand model (base 0 without one), f' = f unless Maximum was held at 32 MB or the ceiling, then new Maximum / old Maximum; off stays off");
        foreach (KeyValuePair<string, string> kv in source.Metadata)
        {
            // The demand model stays where compare's sensitivity and the reports read it; the rest is kept as the source's.
            // Unscaled, each VM keeps its source's settings, so the import's Minimum rule holds for the drawn trace too
            // (compare's Minimum cells and its "bound by the Minimum" line read it); scaled sizes round apart from it.
            if (kv.Key.StartsWith("demand.", StringComparison.Ordinal)
                || (options.ScaleMin == 1 && options.ScaleMax == 1 && kv.Key is "settings.minimum_divisor" or "settings.dynamic_memory"))
                meta.Set(kv.Key, kv.Value);
            meta.Set("gen.source." + kv.Key, kv.Value);
        }

        // P10: the mix asked for, or the source's (its shares over the new VMs' indices; a bad recorded mix names the source).
        GuestMix guests = options.Guests ?? GuestMix.FromTrace(source.Metadata, source.Name);
        if (!guests.IsIdeal)
            meta.Set(GuestMix.MetadataKey, guests.ToString());
        meta.Set("gen.guests", options.Guests is not null ? guests.ToString() : guests.IsIdeal ? "ideal (the source records no mix)" : "the source's: " + guests);

        var description = new TraceDescription(source.TickSeconds, string.Create(CultureInfo.InvariantCulture,
            $"drawn from {source.Name}: TraceGenerator.GenerateFrom seed {options.Seed}, {n} VMs from {pool.Length} source VMs, {options.Hosts} hosts, {ticks} ticks of {source.TickSeconds} s"), meta);

        int[] data = played.Values;
        var row = new int[n];
        using var writer = new NativeTraceWriter(path, description, vms, hosts, options.Writer);
        for (int t = 0; t < ticks; t++)
        {
            cancel.ThrowIfCancellationRequested();
            for (int i = 0; i < n; i++)
            {
                int p = position[i];
                row[i] = data[rowBase[i] + p];
                position[i] = p + 1 == sourceTicks ? 0 : p + 1;
            }

            if (scale is not null)
            {
                for (int i = 0; i < n; i++)
                {
                    if (scale[i] != 0 && row[i] >= 0)
                        row[i] = DemandModel.Convert(row[i], fromBase![i], scale[i], toBase![i]);
                }
            }

            writer.WriteTick(row);
            progress?.Invoke(t + 1);
        }

        writer.Complete();
        long totalMaximum = 0;
        foreach (TraceVm vm in vms)
            totalMaximum += vm.Settings.MaximumMb;
        // The share of the ever-on source VMs' Maximum the HostMb left out (too large for a host).
        var inPool = new HashSet<int>(pool);
        double onMaximum = 0, leftOut = 0;
        for (int v = 0; v < source.Vms.Count; v++)
        {
            if (inPool.Contains(v) || source.Of(v).ContainsAnyExcept(TraceValues.Off))
            {
                onMaximum += source.Vms[v].Settings.MaximumMb;
                leftOut += inPool.Contains(v) ? 0 : source.Vms[v].Settings.MaximumMb;
            }
        }

        double poolMean = pool.Average(v => (double)Scale(source.Vms[v].Settings, (options.ScaleMin + options.ScaleMax) / 2).MaximumMb);
        return new GeneratedTrace(path, n, hosts.Length, ticks, hostMb)
        {
            PoolVms = pool.Length,
            SourceTicksLeftOutBefore = leftOutBefore,
            SourceTicksLeftOutAfter = leftOutAfter,
            UnstartableVms = Unstartable(vms, hosts),
            DistinctSourceVms = drawnFrom.Count,
            TotalMaximumMb = totalMaximum,
            PoolMeanMaximumMb = poolMean,
            MedianHostStartupMb = MedianHostStartup(vms, hosts.Length),
            ExcludedTooLarge = tooLarge,
            ExcludedTooLargeShare = onMaximum == 0 ? 0 : leftOut / onMaximum,
        };
    }

    /// <summary>
    /// <see cref="DerivedDraw.Balanced"/>'s sources for VMs 0..<paramref name="n"/>-1: each pool VM ⌊n ÷ pool⌋ times and
    /// n mod pool of them once more, chosen without replacement, then in a seeded random order (Fisher–Yates on SplitMix64).
    /// </summary>
    internal static int[] BalancedSources(int[] pool, int n, ulong seed)
    {
        var sources = new int[n];
        int whole = n / pool.Length, k = 0;
        for (int r = 0; r < whole; r++)
        {
            foreach (int v in pool)
                sources[k++] = v;
        }

        int[] rest = [.. pool];
        for (int j = 0; k < n; j++)
        {
            int pick = j + (int)(SplitMix64.Draw(seed, DrawBalanced, (ulong)j) % (ulong)(rest.Length - j));
            (rest[j], rest[pick]) = (rest[pick], rest[j]);
            sources[k++] = rest[j];
        }

        for (int i = n - 1; i > 0; i--)
        {
            int pick = (int)(SplitMix64.Draw(seed, DrawBalanced, (1UL << 40) | (uint)i) % (ulong)(i + 1));
            (sources[i], sources[pick]) = (sources[pick], sources[i]);
        }

        return sources;
    }

    /// <summary>
    /// <see cref="DerivedTraceOptions.AlignStartsSeconds"/> in the source's ticks (1: any tick). Throws naming the option
    /// when it is not a whole number of ticks or is longer than the source.
    /// </summary>
    internal static int AlignTicks(DerivedTraceOptions options, TraceSeries source)
    {
        if (options.AlignStartsSeconds == 0)
            return 1;
        double ticks = options.AlignStartsSeconds / source.TickSeconds;
        if (Math.Abs(ticks - Math.Round(ticks)) > 1e-9 || Math.Round(ticks) < 1 || Math.Round(ticks) > source.Ticks)
        {
            throw OptionError(nameof(DerivedTraceOptions.AlignStartsSeconds), options.AlignStartsSeconds, string.Create(CultureInfo.InvariantCulture,
                $"AlignStartsSeconds = {options.AlignStartsSeconds}: expected a whole number of {source.Name}'s ticks of {source.TickSeconds} s, at most its length ({source.Ticks} ticks, {source.Ticks * source.TickSeconds} s)."));
        }

        return (int)Math.Round(ticks);
    }

    /// <summary>The median over hosts of the Startup their VMs sum to (0 without hosts).</summary>
    internal static long MedianHostStartup(TraceVm[] vms, int hosts)
    {
        if (hosts == 0)
            return 0;
        var sums = new long[hosts];
        foreach (TraceVm vm in vms)
            sums[vm.Host] += vm.Settings.StartupMb;
        Array.Sort(sums);
        return sums[(hosts - 1) / 2];
    }

    /// <summary>
    /// The source VMs that can be drawn: on at some tick and, when <see cref="DerivedTraceOptions.HostMb"/> is given, with a
    /// Startup (at <see cref="DerivedTraceOptions.ScaleMax"/>) that fits an empty host. Throws when none is left.
    /// </summary>
    internal static int[] DrawPool(TraceSeries source, DerivedTraceOptions options, out int neverOn, out int tooLarge)
    {
        var pool = new List<int>();
        neverOn = tooLarge = 0;
        int smallest = int.MaxValue;
        for (int v = 0; v < source.Vms.Count; v++)
        {
            if (!source.Of(v).ContainsAnyExcept(TraceValues.Off))
            {
                neverOn++;
                continue;
            }

            int startup = Scale(source.Vms[v].Settings, options.ScaleMax).StartupMb;
            if (options.HostMb is int hostMb && (long)startup + options.HostReserveMb > hostMb)
            {
                tooLarge++;
                smallest = Math.Min(smallest, startup);
                continue;
            }

            pool.Add(v);
        }

        if (pool.Count == 0 && tooLarge > 0)
        {
            throw OptionError(nameof(DerivedTraceOptions.HostMb), options.HostMb,
                string.Create(CultureInfo.InvariantCulture, $"HostMb = {options.HostMb}: no VM of {source.Name} that is ever on fits a host of that size with a {options.HostReserveMb} MB reserve; expected at least {(long)smallest + options.HostReserveMb} MB (the smallest Startup at ScaleMax and the reserve)."));
        }

        if (pool.Count == 0)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{source.Name}: none of its {source.Vms.Count} VMs is ever on, so there is nothing to draw."), nameof(source));
        return [.. pool];
    }

    /// <summary>Generated VM <paramref name="i"/>'s draw (source VM, start tick, host) and scale factor.</summary>
    internal static (ProbeVm Draw, double Scale) DrawFrom(IReadOnlyList<int> pool, int sourceTicks, DerivedTraceOptions options, int i)
    {
        int host = options.Hosts > 0 ? i % options.Hosts : 0, index = options.Hosts > 0 ? i / options.Hosts : i;
        ProbeVm draw = CapacityStudy.Draw(pool, sourceTicks, options.Seed, host, index);
        double f = options.ScaleMin;
        if (options.ScaleMax != options.ScaleMin)
        {
            ulong key = (ulong)(uint)host << 32 | (uint)index;
            f += (options.ScaleMax - options.ScaleMin) * SplitMix64.Unit(SplitMix64.Draw(options.Seed, DrawScale, key));
        }

        return (draw, f);
    }

    /// <summary>
    /// The factor of a scaled VM's measured demand: f, or, where the Maximum was held at 32 MB or at the ceiling instead
    /// of becoming roundUp2(Maximum × f), the factor the Maximum got (a 512 GB VM × 100 is a 1 TB VM as loaded as its
    /// source, not one whose demand is 50 times its Maximum).
    /// </summary>
    internal static double DemandFactor(int sourceMaximumMb, int scaledMaximumMb, double f)
    {
        double unclamped = Math.Ceiling(sourceMaximumMb * f / 2) * 2;
        return unclamped == scaledMaximumMb || sourceMaximumMb == 0 ? f : (double)scaledMaximumMb / sourceMaximumMb;
    }

    /// <summary>
    /// <paramref name="s"/> with Startup, Minimum and Maximum scaled by <paramref name="f"/>, each rounded up to 2 MB and
    /// kept within 32..max(MaxCeiling, its Maximum): one non-decreasing function of every size, so Minimum ≤ Startup ≤
    /// Maximum still holds (R1), and a static VM stays static. f = 1 changes nothing.
    /// </summary>
    internal static VmSettings Scale(VmSettings s, double f)
    {
        if (f == 1)
            return s;
        int ceiling = Math.Max(ModelParameters.Default.MaxCeilingMb, s.MaximumMb);
        int Up(int mb) => (int)Math.Clamp(Math.Ceiling(mb * f / 2) * 2, VmSettings.MinMinimumMb, ceiling);
        return s with { StartupMb = Up(s.StartupMb), MinimumMb = Up(s.MinimumMb), MaximumMb = Up(s.MaximumMb) };
    }
}

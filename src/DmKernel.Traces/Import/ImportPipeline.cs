namespace DmKernel.Traces;

/// <summary>The part every importer shares: the tick grid, resampling each VM's series, writing the trace.</summary>
internal static class ImportPipeline
{
    /// <summary>The longest span of samples an import accepts: a year and a day (the real traces span 8 to 30 days).</summary>
    public const long MaxSpanSeconds = 366L * 24 * 3600;

    /// <summary>The most ticks an import writes (2^31 − 1: a tick of about 0.015 s over the longest span).</summary>
    public const long MaxTicks = int.MaxValue;

    /// <summary>
    /// Refuses samples spread over more than <see cref="MaxSpanSeconds"/>: one timestamp far from the others (a typo,
    /// milliseconds for seconds) would otherwise make a trace of millions of empty ticks.
    /// </summary>
    private static void CheckSpan(IReadOnlyList<SampleSeries> series, double start, long? lastTime)
    {
        foreach (var s in series)
        {
            long sLast = Math.Min(s.LastTime, lastTime ?? long.MaxValue); // a sample past the last on one (lastTime) is not in the trace
            if (s.Count > 0 && sLast - start > MaxSpanSeconds)
            {
                // Either end may be the wrong one (a far-future sample here, or one far in the past that started the
                // trace), so both are named.
                SampleSeries? earliest = null;
                foreach (var e in series)
                {
                    if (e.Count > 0 && (earliest is null || e.FirstTime < earliest.FirstTime))
                        earliest = e;
                }

                string where = earliest is not null && earliest.FirstTime == start ? $", the earliest sample, in '{earliest.Id}'" : "";
                throw new TraceImportException(ImportErrorKind.OutOfRange, s.Id, 0, 0, null,
                    string.Create(System.Globalization.CultureInfo.InvariantCulture, $"a sample at {sLast} s, {(sLast - start) / 86400.0:F0} days after the trace starts at {start} s{where}"),
                    "samples within 366 days of the trace start (is a timestamp wrong, here or at the start?)");
            }
        }
    }

    /// <summary>Ticks from <paramref name="start"/> that cover every sample: floor((last − start) / tick) + 1, or 0.</summary>
    public static long TickCount(IReadOnlyList<SampleSeries> series, double start, double tick, long? lastTime = null)
    {
        long last = long.MinValue;
        foreach (var s in series)
        {
            if (s.Count > 0)
                last = Math.Max(last, s.LastTime);
        }

        last = Math.Min(last, lastTime ?? long.MaxValue);
        if (last == long.MinValue || last < start)
            return 0;
        // In double first: a tick so short that the count passes long's range (1e-18 s over 300 s) saturated the cast and
        // the + 1 wrapped to long.MinValue, which passed the caller's "too many ticks" check: an empty trace, no error.
        double ticks = Math.Floor((last - start) / tick) + 1;
        return ticks >= long.MaxValue ? long.MaxValue : (long)ticks;
    }

    /// <summary>Earliest sample time (0 when there are none).</summary>
    public static long FirstTime(IReadOnlyList<SampleSeries> series)
    {
        long first = long.MaxValue;
        foreach (var s in series)
        {
            if (s.Count > 0)
                first = Math.Min(first, s.FirstTime);
        }

        return first == long.MaxValue ? 0 : first;
    }

    /// <summary>
    /// Writes the trace: at tick k (time T = start + k × tick) each VM takes the value of its last sample at or
    /// before T + jitter tolerance (with <see cref="DownsampleRule.Peak"/>, the largest of the samples since the previous
    /// tick), or -1 when it has none or that sample is older than the hold limit. Every series
    /// must be complete; their samples are read back from the spill, one block per VM at a time, so memory grows with
    /// the VMs, never with the samples. The ticks cover the samples up to <paramref name="lastTime"/> (default: every sample).
    /// </summary>
    public static void Write(ImportSession session, string outputPath, TraceDescription description, IReadOnlyList<TraceVm> vms, IReadOnlyList<TraceHost> hosts,
        IReadOnlyList<SampleSeries> series, double start, double nominalPeriod, long? lastTime = null)
    {
        var o = session.Options;
        session.RefuseNothingLeft(vms.Count);
        CheckSpan(series, start, lastTime);
        long ticks = TickCount(series, start, o.TickSeconds, lastTime);
        if (ticks > MaxTicks)
        {
#pragma warning disable CA2208 // the option at fault, named as ImportOptions.Validate names it, so that a caller can map it to its own option
            throw new InvariantOutOfRangeException(nameof(ImportOptions.TickSeconds), o.TickSeconds, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"a tick of {o.TickSeconds} s makes {ticks} ticks of the samples' {TickCount(series, start, 1, lastTime) - 1} s: expected at most {MaxTicks} ticks (a longer tick)."));
#pragma warning restore CA2208
        }

        var report = session.Report;
        report.Vms = vms.Count;
        report.Hosts = hosts.Count;
        report.Ticks = ticks;
        report.OutputPath = outputPath;

        // What the parse skipped (with Lenient) travels with the trace, so a replay's summary.json reports it too.
        var ic = System.Globalization.CultureInfo.InvariantCulture;
        description.Metadata.Set("import.lenient", o.Lenient ? "true" : "false");
        description.Metadata.Set("import.rows_read", report.RowsRead.ToString(ic));
        description.Metadata.Set("import.rows_skipped", report.SkippedTotal.ToString(ic));
        foreach (KeyValuePair<ImportErrorKind, long> kv in report.Skipped.OrderBy(kv => kv.Key))
            description.Metadata.Set($"import.skipped.{kv.Key}", kv.Value.ToString(ic));

        int n = series.Count;
        var baseMb = new int[n];
        for (int v = 0; v < n; v++)
            baseMb[v] = o.Demand.BaseMb(vms[v].Settings.MaximumMb);
        var cursors = new SampleCursor[n];
        for (int v = 0; v < n; v++)
            cursors[v] = new SampleCursor(series[v]);
        FindDemandAboveProvisioned(report, description.Metadata, o.Demand, vms, cursors, baseMb);

        SampleIntervals intervals = MeasureIntervals(cursors, nominalPeriod, o.MaxHoldSeconds);
        long? coarse = intervals.CoarserMedian;
        if (coarse is long median && o.MaxHoldSeconds < 2 * median && !o.HoldGaps)
        {
            // The source's documented period judges the gaps: samples an hour apart would each be a gap, held for the hold
            // and then off, every VM booting again at Startup at its next sample (a review at stop 56: hourly Bitbrains
            // rows needed 7 hosts under Dynamic Memory instead of 5, and every 30-minute interval read as an outage).
            var icw = System.Globalization.CultureInfo.InvariantCulture;
            report.Warnings = [.. report.Warnings, string.Create(icw,
                $"the samples come every {median} s (the median interval between a VM's samples), not every {nominalPeriod:0.###} s as this source documents: {(o.MaxHoldSeconds < median && o.TickSeconds < median ? $"every interval is longer than the {o.MaxHoldSeconds:0.###}-s hold, so at {o.TickSeconds:0.###}-s ticks each VM is off from the hold's end to its next sample in every interval, missing sample or not, and boots again at its Startup at each sample" : $"a single missing sample leaves a VM {2 * median} s without one, past the {o.MaxHoldSeconds:0.###}-s hold: it is off, and boots again at its Startup at its next sample")}. Import with --max-hold-seconds {3 * median} (three of these samples) and --tick-seconds {Math.Min(median, 3600)} (or --hold-gaps) to hold the VMs over a missing sample; the import already counts held ticks and the collection's start by this interval.")];
        }

        // Gap ends coincide within the larger of the nominal period and the 99th percentile of the intervals that are no
        // gaps: after a restart each VM's first sample comes up to one of its intervals later. Alibaba documents 60 s; its
        // sample's intervals are 60 s at the median, 400 s at the 99th percentile: within 60 s only 8 of the 15 machines
        // sharing one gap were held, the other 7 turned off and booted again at Startup.
        double coincidence = Math.Max(nominalPeriod, intervals.HighPercentile ?? 0);
        HashSet<long> outageEnds = FindOutageGapEnds(cursors, o.MaxHoldSeconds, coincidence, out long outageGaps);
        report.Note("collection_outage_gaps", outageGaps);

        // Per VM: the sample in force (previous) and the one after it (next; long.MaxValue when there is none).
        var prevTime = new long[n];
        var prevValue = new int[n];
        var hasPrev = new bool[n];
        var nextTime = new long[n];
        var nextValue = new int[n];
        for (int v = 0; v < n; v++)
        {
            cursors[v].Reset();
            Advance(cursors[v], out nextTime[v], out nextValue[v]);
        }

        // DownsampleRule.Peak: the largest value among the samples this tick took in (a window of one tick back from
        // its limit); a tick that took in none keeps the value in force.
        bool peak = o.Downsample == DownsampleRule.Peak;
        var peakValue = peak ? new int[n] : [];
        var row = new int[n];
        long held = 0, offInGaps = 0, heldInOutages = 0, heldInGaps = 0, filledAtStart = 0;
        var filled = new bool[n];

        // The collection's start: a VM whose first sample comes within one nominal period of the trace's start was on
        // before it (the monitoring started, not the VM), as a collection outage is the monitoring stopping. Off until
        // that sample, every such VM would boot at its Startup in the same tick: a boot storm the source never had (a
        // review at stop 56: the Bitbrains month with each VM's samples shifted by 0-299 s needed 16 hosts under Dynamic
        // Memory instead of 5, as many as static).
        // Samples coarser than documented (CoarserSampling): the measured interval is the period here and in the held count.
        double period = coarse is long m ? Math.Max(nominalPeriod, m) : nominalPeriod;
        double startLimit = start + period + o.JitterToleranceSeconds;
        using var writer = new NativeTraceWriter(outputPath, description, vms, hosts, o.Writer);
        for (long k = 0; k < ticks; k++)
        {
            session.Cancel.ThrowIfCancellationRequested();
            double t = start + k * o.TickSeconds;
            double limit = t + o.JitterToleranceSeconds;
            for (int v = 0; v < n; v++)
            {
                bool tookInOn = false; // DownsampleRule.Peak: an on sample within this tick
                if (nextTime[v] <= limit)
                {
                    int largest = int.MinValue;
                    do
                    {
                        prevTime[v] = nextTime[v];
                        prevValue[v] = nextValue[v];
                        if (peak && prevTime[v] > limit - o.TickSeconds)
                            largest = Math.Max(largest, prevValue[v]);
                        Advance(cursors[v], out nextTime[v], out nextValue[v]);
                    }
                    while (nextTime[v] <= limit);
                    hasPrev[v] = true;
                    if (peak)
                    {
                        tookInOn = largest >= 0;
                        peakValue[v] = Math.Max(largest, prevValue[v]); // the sample in force always counts
                    }
                }
                else if (peak)
                {
                    peakValue[v] = prevValue[v];
                }

                if (!hasPrev[v])
                {
                    if (nextTime[v] <= startLimit && nextValue[v] >= 0)
                    {
                        // Before its first sample, within a period of the start: that sample's value, back-filled.
                        row[v] = Math.Min(TraceValues.MaxCommittedMb, nextValue[v] + baseMb[v]);
                        filledAtStart++;
                        filled[v] = true;
                        continue;
                    }

                    row[v] = TraceValues.Off;
                    continue;
                }

                bool hasNext = nextTime[v] != long.MaxValue;
                double age = t - prevTime[v];
                // The hold limit turns a VM off once its last sample is too old; under Peak a tick that took in an on sample
                // is on at its peak even so (a tick longer than the hold whose samples stop within it).
                if (age > o.MaxHoldSeconds && !tookInOn)
                {
                    if (prevValue[v] < 0)
                    {
                        // The sample in force says the VM is off: off it stays, neither a gap's stop nor a hold (before a
                        // review at stop 55 such ticks counted as off in gaps, and under HoldGaps as held).
                        row[v] = TraceValues.Off;
                        continue;
                    }

                    if (hasNext && outageEnds.Contains(nextTime[v]))
                    {
                        heldInOutages++; // the whole fleet's samples stopped: a collection outage, not a stop
                    }
                    else if (hasNext && o.HoldGaps)
                    {
                        heldInGaps++; // ImportOptions.HoldGaps: missing data between two samples, not a stop
                    }
                    else
                    {
                        row[v] = TraceValues.Off;
                        if (hasNext)
                            offInGaps++;
                        continue;
                    }
                }

                // Held: a sample is missing after the one in force (the next comes 1.5 nominal periods or more after it,
                // or none comes) and this tick is where the first missing one would be in force. A tick between two
                // samples that both came (samples coarser than the tick, a sample late by less than half a period) is not.
                bool gapFollows = !hasNext || nextTime[v] - prevTime[v] >= 1.5 * period;
                int measured = peak ? peakValue[v] : prevValue[v];
                if (gapFollows && limit >= prevTime[v] + period && measured >= 0)
                    held++; // an off sample's ticks are off, not held
                row[v] = measured < 0 ? TraceValues.Off : Math.Min(TraceValues.MaxCommittedMb, measured + baseMb[v]);
            }

            writer.WriteTick(row);
        }

        writer.Complete();
        report.Note("ticks_held", held);
        report.Note("ticks_off_in_gaps", offInGaps);
        report.Note("ticks_held_in_outages", heldInOutages);
        report.Note("ticks_held_in_gaps", heldInGaps);
        report.Note("ticks_filled_at_start", filledAtStart);
        report.Note("vms_filled_at_start", filled.Count(f => f));
        long vmTicks = ticks * n;
        if (!o.HoldGaps && offInGaps * 100 > vmTicks && vmTicks > 0)
        {
            // A gap past the hold ends with a fresh boot at Startup; where the source has no marker of a stop, say so.
            report.Warnings = [.. report.Warnings, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{100.0 * offInGaps / vmTicks:F1} % of the VM-ticks fall in gaps between samples longer than the {o.MaxHoldSeconds:0.#}-s hold and are off ({offInGaps} VM-ticks): each such VM stops there and boots again at Startup at its next sample. If the source's gaps are missing data rather than stops, --hold-gaps holds the last value over them (or raise --max-hold-seconds).")];
        }
    }

    /// <summary>The cursor's next sample; time <see cref="long.MaxValue"/> after the last.</summary>
    private static void Advance(SampleCursor cursor, out long time, out int value)
    {
        if (!cursor.Next(out time, out value))
            time = long.MaxValue;
    }

    /// <summary>Share of the VMs within their sampled span whose long gaps must end together for a collection outage.</summary>
    public const double OutageShare = 0.1;

    /// <summary>The fewest VMs whose long gaps end together for a collection outage (a few independent gaps may end together by chance).</summary>
    public const int OutageMinVms = 5;

    /// <summary>The percentile of the intervals that are no gaps that sets the window of a collection outage's gap ends.</summary>
    public const int OutageIntervalPercentile = 99;

    /// <summary>
    /// What <see cref="MeasureIntervals"/> finds: <see cref="CoarserMedian"/>, the median interval between consecutive
    /// samples of a VM where most intervals are 1.5 nominal periods or longer (samples coarser than the source documents,
    /// e.g. a resampled copy), else null; <see cref="HighPercentile"/>, the <see cref="OutageIntervalPercentile"/>th
    /// percentile of the intervals no longer than the hold limit (those that are no gaps), null when there is none. Whole
    /// seconds, at most a day.
    /// </summary>
    internal readonly record struct SampleIntervals(long? CoarserMedian, long? HighPercentile);

    /// <summary>
    /// The intervals between consecutive samples of every VM (a duplicate timestamp makes none), counted once in a
    /// histogram of whole seconds (at most a day): see <see cref="SampleIntervals"/>.
    /// </summary>
    internal static SampleIntervals MeasureIntervals(SampleCursor[] cursors, double period, double maxHoldSeconds)
    {
        const int MaxSeconds = 86_400;
        var counts = new long[MaxSeconds + 1];
        long total = 0, coarse = 0, held = 0;
        foreach (SampleCursor c in cursors)
        {
            c.Reset();
            if (!c.Next(out long previous, out _))
                continue;
            while (c.Next(out long time, out _))
            {
                long gap = time - previous;
                previous = time;
                if (gap <= 0)
                    continue; // a duplicate timestamp: no interval
                counts[Math.Min(gap, MaxSeconds)]++;
                total++;
                coarse += gap >= 1.5 * period ? 1 : 0;
                held += gap <= maxHoldSeconds ? 1 : 0;
            }
        }

        // Every interval no longer than the hold is in a bucket at or below it (those longer than a day share the last
        // bucket with longer ones; the percentile is then a day).
        return new(total == 0 || coarse * 2 <= total ? null : Rank(counts, total, 50),
            held == 0 ? null : Rank(counts, held, OutageIntervalPercentile));
    }

    /// <summary>The smallest second s whose bucket and those below hold <paramref name="percent"/> % of <paramref name="total"/> intervals (nearest rank).</summary>
    private static long Rank(long[] counts, long total, int percent)
    {
        long seen = 0;
        for (int s = 1; s < counts.Length; s++)
        {
            seen += counts[s];
            if (seen * 100 >= total * percent)
                return s;
        }

        return counts.Length - 1;
    }

    /// <summary>
    /// The end times of the long gaps (longer than the hold limit) that are collection outages: gaps of at least
    /// <see cref="OutageMinVms"/> VMs, and <see cref="OutageShare"/> of the VMs within their sampled span at the first of
    /// their ends, whose samples resume within <paramref name="window"/> seconds of each other (the first and the last of
    /// them at most that far apart). The monitoring stopped, not the VMs (VMs that stop do so one by one, and a source
    /// marks them off: Bitbrains with capacity 0): such a gap holds the VM's last value throughout instead of turning it
    /// off and booting it again when the samples resume. Whether a gap is an outage depends only on when it ends, so the
    /// set of those end times says it for every VM; <paramref name="outageGaps"/> counts the gaps.
    /// <para>
    /// Streaming: the VMs' long gaps are merged in order of their end (one cursor per VM). Each end starts a window of
    /// <paramref name="window"/> seconds, judged once the merge has passed its close: if it coincides, every gap ending
    /// in it is an outage. A gap is decided once the window it starts is (the windows that start before it are judged
    /// first); only the gaps within a window of the merge are held (and the decided ones until they are removed, in blocks).
    /// </para>
    /// </summary>
    private static HashSet<long> FindOutageGapEnds(SampleCursor[] cursors, double maxHoldSeconds, double window, out long outageGaps)
    {
        var firsts = new List<long>();
        var lasts = new List<long>();
        var queue = new PriorityQueue<int, long>();
        var previous = new long[cursors.Length];
        for (int v = 0; v < cursors.Length; v++)
        {
            SampleSeries s = cursors[v].Series;
            if (s.Count == 0)
                continue;
            firsts.Add(s.FirstTime);
            lasts.Add(s.LastTime);
            cursors[v].Reset();
            cursors[v].Next(out previous[v], out _);
            if (NextGapEnd(cursors[v], ref previous[v], maxHoldSeconds) is long end)
                queue.Enqueue(v, end);
        }

        firsts.Sort();
        lasts.Sort();
        var outage = new HashSet<long>();
        long count = 0;

        // The gap ends merged and not yet decided, in order of their end (from `head`); those before `close` are in the
        // window that the first of them starts, their VMs counted once each (a VM whose samples stop and resume twice
        // within the window is one VM, not two); those before `marked` are in a window that coincides.
        var pending = new List<(long End, int Vm, bool Outage)>();
        int head = 0, close = 0, marked = 0;
        var vmsInWindow = new Dictionary<int, int>();
        while (queue.TryDequeue(out int vm, out long end))
        {
            while (head < pending.Count && end > pending[head].End + window)
                DecideFirst();
            pending.Add((end, vm, false));
            if (NextGapEnd(cursors[vm], ref previous[vm], maxHoldSeconds) is long following)
                queue.Enqueue(vm, following);
        }

        while (head < pending.Count)
            DecideFirst();
        outageGaps = count;
        return outage;

        // Every gap end merged so far is beyond the window that the first undecided one starts, or in it: judge that
        // window, then that gap (every window that holds it has been judged).
        void DecideFirst()
        {
            long start = pending[head].End;
            for (; close < pending.Count && pending[close].End <= start + window; close++)
                vmsInWindow[pending[close].Vm] = vmsInWindow.GetValueOrDefault(pending[close].Vm) + 1;
            int together = vmsInWindow.Count; // distinct VMs whose gaps end within the window

            // VMs within their sampled span at the window's start: first sample at or before it, last at or after it.
            int started = UpperBound(firsts, start), ended = LowerBound(lasts, start);
            int active = started - ended;
            if (together >= OutageMinVms && together >= OutageShare * active)
            {
                for (int i = Math.Max(head, marked); i < close; i++)
                    pending[i] = pending[i] with { Outage = true };
                marked = close;
            }

            (long end, int vm, bool isOutage) = pending[head];
            if (isOutage)
            {
                outage.Add(end);
                count++;
            }

            if (--vmsInWindow[vm] == 0)
                vmsInWindow.Remove(vm);
            head++;
            if (head == pending.Count || head >= 1024 && head * 2 >= pending.Count)
            {
                pending.RemoveRange(0, head); // keep only the undecided
                close -= head;
                marked = Math.Max(0, marked - head);
                head = 0;
            }
        }
    }

    /// <summary>The end of the cursor's next gap longer than <paramref name="maxHoldSeconds"/> (null: none); <paramref name="previous"/> is the time of the sample before.</summary>
    private static long? NextGapEnd(SampleCursor cursor, ref long previous, double maxHoldSeconds)
    {
        while (cursor.Next(out long time, out _))
        {
            long before = previous;
            previous = time;
            if (time - before > maxHoldSeconds)
                return time;
        }

        return null;
    }

    private static int UpperBound(List<long> sorted, long value)
    {
        int i = sorted.BinarySearch(value);
        if (i < 0)
            return ~i;
        while (i < sorted.Count && sorted[i] == value)
            i++;
        return i;
    }

    private static int LowerBound(List<long> sorted, long value)
    {
        int i = sorted.BinarySearch(value);
        if (i < 0)
            return ~i;
        while (i > 0 && sorted[i - 1] == value)
            i--;
        return i;
    }

    /// <summary>
    /// The VMs whose demand (measured part + OS base) is above what they were provisioned with (what they can be served:
    /// <see cref="GuestMemory.MaxServableCommittedMb"/>) in more than half of their on-samples: they page whatever the
    /// hosts do. Recorded in the report (worst first) and counted in the metadata. The median is exact and takes bounded
    /// memory: a histogram of the values' high 12 bits over the VM's on-samples finds the bucket that holds it, a second
    /// read of that VM's samples (only for the VMs listed) its low 12 bits.
    /// </summary>
    private static void FindDemandAboveProvisioned(ImportReport report, TraceMetadata metadata, DemandModel demand, IReadOnlyList<TraceVm> vms,
        SampleCursor[] cursors, int[] baseMb)
    {
        var found = new List<DemandAboveProvisioned>();
        var high = new int[(TraceValues.MaxCommittedMb >> 12) + 1];
        var low = new int[1 << 12];
        for (int v = 0; v < cursors.Length; v++)
        {
            SampleCursor cursor = cursors[v];
            cursor.Reset();
            Array.Clear(high);
            int limit = GuestMemory.MaxServableCommittedMb(vms[v].Settings);
            int above = 0, on = 0;
            while (cursor.Next(out _, out int measured))
            {
                if (measured < 0)
                    continue;
                on++;
                high[measured >> 12]++;
                if ((long)measured + baseMb[v] > limit)
                    above++;
            }

            if (on == 0 || 2L * above <= on)
                continue;

            // The median is the ((on − 1) / 2)-th smallest on-value (0-based), as sorting them would give.
            int rank = (on - 1) / 2, bucket = 0;
            while (rank >= high[bucket])
                rank -= high[bucket++];
            Array.Clear(low);
            cursor.Reset();
            while (cursor.Next(out _, out int measured))
            {
                if (measured >= 0 && measured >> 12 == bucket)
                    low[measured & 0xFFF]++;
            }

            int bits = 0;
            while (rank >= low[bits])
                rank -= low[bits++];
            int median = (bucket << 12) | bits;
            found.Add(new DemandAboveProvisioned(vms[v].Id, vms[v].Settings.MaximumMb, demand.K > 0 ? median / demand.K : 0, median + baseMb[v], (double)above / on));
        }

        found.Sort((a, b) => b.ShareAbove != a.ShareAbove ? b.ShareAbove.CompareTo(a.ShareAbove)
            : ((double)b.MedianDemandMb / b.ProvisionedMb).CompareTo((double)a.MedianDemandMb / a.ProvisionedMb));
        report.DemandAboveProvisioned = found;
        metadata.Set("report.demand_above_provisioned_vms", found.Count);
    }
}

namespace DmKernel.Traces;

/// <summary>The part every importer shares: the tick grid, resampling each VM's series, writing the trace.</summary>
internal static class ImportPipeline
{
    /// <summary>The longest span of samples an import accepts: a year and a day (the real traces span 8 to 30 days).</summary>
    public const long MaxSpanSeconds = 366L * 24 * 3600;

    /// <summary>
    /// Refuses samples spread over more than <see cref="MaxSpanSeconds"/>: one timestamp far from the others (a typo,
    /// milliseconds for seconds) would otherwise make a trace of millions of empty ticks.
    /// </summary>
    private static void CheckSpan(IReadOnlyList<SampleSeries> series, double start)
    {
        foreach (var s in series)
        {
            if (s.Count > 0 && s.LastTime - start > MaxSpanSeconds)
            {
                throw new TraceImportException(ImportErrorKind.OutOfRange, s.Id, 0, 0, null,
                    string.Create(System.Globalization.CultureInfo.InvariantCulture, $"a sample at {s.LastTime} s, {(s.LastTime - start) / 86400.0:F0} days after the trace starts at {start} s"),
                    "samples within 366 days of the trace start (is a timestamp wrong?)");
            }
        }
    }

    /// <summary>Ticks from <paramref name="start"/> that cover every sample: floor((last − start) / tick) + 1, or 0.</summary>
    public static long TickCount(IReadOnlyList<SampleSeries> series, double start, double tick)
    {
        long last = long.MinValue;
        foreach (var s in series)
        {
            if (s.Count > 0)
                last = Math.Max(last, s.LastTime);
        }

        if (last == long.MinValue || last < start)
            return 0;
        return (long)Math.Floor((last - start) / tick) + 1;
    }

    /// <summary>Earliest sample time (0 when there are none).</summary>
    public static long FirstTime(IReadOnlyList<SampleSeries> series)
    {
        long first = long.MaxValue;
        foreach (var s in series)
        {
            if (s.Count > 0)
                first = Math.Min(first, s.Times[0]);
        }

        return first == long.MaxValue ? 0 : first;
    }

    /// <summary>
    /// Writes the trace: at tick k (time T = start + k × tick) each VM takes the value of its last sample at or
    /// before T + jitter tolerance, or -1 when it has none or that sample is older than the hold limit.
    /// </summary>
    public static void Write(ImportSession session, string outputPath, TraceDescription description, IReadOnlyList<TraceVm> vms, IReadOnlyList<TraceHost> hosts,
        IReadOnlyList<SampleSeries> series, double start, double nominalPeriod)
    {
        var o = session.Options;
        CheckSpan(series, start);
        long ticks = TickCount(series, start, o.TickSeconds);
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
        FindDemandAboveProvisioned(report, description.Metadata, o.Demand, vms, series, baseMb);

        HashSet<long> outageGaps = FindOutageGaps(series, o.MaxHoldSeconds, nominalPeriod);
        report.Note("collection_outage_gaps", outageGaps.Count);

        var next = new int[n];
        var row = new int[n];
        long held = 0, offInGaps = 0, heldInOutages = 0;
        using var writer = new NativeTraceWriter(outputPath, description, vms, hosts, o.Writer);
        for (long k = 0; k < ticks; k++)
        {
            double t = start + k * o.TickSeconds;
            double limit = t + o.JitterToleranceSeconds;
            for (int v = 0; v < n; v++)
            {
                var s = series[v];
                var times = s.Times;
                int i = next[v];
                while (i < times.Length && times[i] <= limit)
                    i++;
                next[v] = i;
                if (i == 0)
                {
                    row[v] = TraceValues.Off;
                    continue;
                }

                double age = t - times[i - 1];
                if (age > o.MaxHoldSeconds)
                {
                    if (i < times.Length && outageGaps.Contains(((long)v << 32) | (uint)i))
                    {
                        heldInOutages++; // the whole fleet's samples stopped: a collection outage, not a stop
                    }
                    else
                    {
                        row[v] = TraceValues.Off;
                        if (i < times.Length)
                            offInGaps++;
                        continue;
                    }
                }

                if (age >= 1.5 * nominalPeriod)
                    held++; // at least one sample missing: the last value is held
                int measured = s.Values[i - 1];
                row[v] = measured < 0 ? TraceValues.Off : Math.Min(TraceValues.MaxCommittedMb, measured + baseMb[v]);
            }

            writer.WriteTick(row);
        }

        writer.Complete();
        report.Note("ticks_held", held);
        report.Note("ticks_off_in_gaps", offInGaps);
        report.Note("ticks_held_in_outages", heldInOutages);
    }

    /// <summary>Share of the VMs within their sampled span whose long gaps must end together for a collection outage.</summary>
    public const double OutageShare = 0.1;

    /// <summary>The fewest VMs whose long gaps end together for a collection outage (a few independent gaps may end together by chance).</summary>
    public const int OutageMinVms = 5;

    /// <summary>
    /// The long gaps (longer than the hold limit) that are collection outages, as keys (VM &lt;&lt; 32 | index of the sample
    /// after the gap): gaps of at least <see cref="OutageMinVms"/> VMs, and <see cref="OutageShare"/> of the VMs within their
    /// sampled span at that time, whose samples resume within one nominal period of each other. The monitoring stopped, not
    /// the VMs (VMs that stop do so one by one, and a source marks them off: Bitbrains with capacity 0): such a gap holds the
    /// VM's last value throughout instead of turning it off and booting it again when the samples resume.
    /// </summary>
    private static HashSet<long> FindOutageGaps(IReadOnlyList<SampleSeries> series, double maxHoldSeconds, double period)
    {
        var gaps = new List<(long End, long Key)>();
        var firsts = new List<long>();
        var lasts = new List<long>();
        for (int v = 0; v < series.Count; v++)
        {
            var times = series[v].Times;
            if (times.Length == 0)
                continue;
            firsts.Add(times[0]);
            lasts.Add(times[^1]);
            for (int i = 1; i < times.Length; i++)
            {
                if (times[i] - times[i - 1] > maxHoldSeconds)
                    gaps.Add((times[i], ((long)v << 32) | (uint)i));
            }
        }

        var outage = new HashSet<long>();
        if (gaps.Count < OutageMinVms)
            return outage;
        gaps.Sort();
        firsts.Sort();
        lasts.Sort();
        int lo = 0, hi = 0;
        for (int g = 0; g < gaps.Count; g++)
        {
            long end = gaps[g].End;
            while (gaps[lo].End < end - period)
                lo++;
            while (hi < gaps.Count && gaps[hi].End <= end + period)
                hi++;
            int together = hi - lo;

            // VMs within their sampled span at the gap's end: first sample at or before it, last at or after it.
            int started = UpperBound(firsts, end), ended = LowerBound(lasts, end);
            int active = started - ended;
            if (together >= OutageMinVms && together >= OutageShare * active)
                outage.Add(gaps[g].Key);
        }

        return outage;
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
    /// hosts do. Recorded in the report (worst first) and counted in the metadata.
    /// </summary>
    private static void FindDemandAboveProvisioned(ImportReport report, TraceMetadata metadata, DemandModel demand, IReadOnlyList<TraceVm> vms,
        IReadOnlyList<SampleSeries> series, int[] baseMb)
    {
        var found = new List<DemandAboveProvisioned>();
        var on = new List<int>();
        for (int v = 0; v < series.Count; v++)
        {
            on.Clear();
            int limit = GuestMemory.MaxServableCommittedMb(vms[v].Settings);
            int above = 0;
            foreach (int measured in series[v].Values)
            {
                if (measured < 0)
                    continue;
                on.Add(measured);
                if ((long)measured + baseMb[v] > limit)
                    above++;
            }

            if (on.Count == 0 || 2L * above <= on.Count)
                continue;
            on.Sort();
            int median = on[(on.Count - 1) / 2];
            found.Add(new DemandAboveProvisioned(vms[v].Id, vms[v].Settings.MaximumMb, demand.K > 0 ? median / demand.K : 0, median + baseMb[v], (double)above / on.Count));
        }

        found.Sort((a, b) => b.ShareAbove != a.ShareAbove ? b.ShareAbove.CompareTo(a.ShareAbove)
            : ((double)b.MedianDemandMb / b.ProvisionedMb).CompareTo((double)a.MedianDemandMb / a.ProvisionedMb));
        report.DemandAboveProvisioned = found;
        metadata.Set("report.demand_above_provisioned_vms", found.Count);
    }
}

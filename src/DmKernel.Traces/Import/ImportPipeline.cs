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

        List<(long From, long To)> outages = FindOutages(series, start, ticks, o);
        foreach ((long from, long to) in outages)
            report.Note("collection_outage_ticks", to - from + 1);

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
                    if (i < times.Length && Overlaps(outages, times[i - 1], times[i], start, o.TickSeconds))
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

    /// <summary>Share of the VMs between two of their samples that must be in a gap longer than the hold for a tick to be a collection outage.</summary>
    public const double OutageShare = 0.1;

    /// <summary>
    /// Collection outages: runs of ticks at which at least <see cref="OutageShare"/> of the VMs that have a sample before and
    /// after the tick, and at least two VMs, are in a gap longer than the hold limit. The monitoring stopped, not the VMs: a VM
    /// whose gap overlaps an outage holds its last value across the whole gap instead of turning off and booting again.
    /// </summary>
    private static List<(long From, long To)> FindOutages(IReadOnlyList<SampleSeries> series, double start, long ticks, ImportOptions o)
    {
        var outages = new List<(long, long)>();
        var next = new int[series.Count];
        long runStart = -1;
        for (long k = 0; k < ticks; k++)
        {
            double t = start + (k * o.TickSeconds);
            double limit = t + o.JitterToleranceSeconds;
            int active = 0, gapped = 0;
            for (int v = 0; v < series.Count; v++)
            {
                var times = series[v].Times;
                int i = next[v];
                while (i < times.Length && times[i] <= limit)
                    i++;
                next[v] = i;
                if (i == 0 || i == times.Length)
                    continue;
                active++;
                if (t - times[i - 1] > o.MaxHoldSeconds)
                    gapped++;
            }

            bool outage = gapped >= 2 && gapped >= OutageShare * active;
            if (outage && runStart < 0)
                runStart = k;
            if (!outage && runStart >= 0)
            {
                outages.Add((runStart, k - 1));
                runStart = -1;
            }
        }

        if (runStart >= 0)
            outages.Add((runStart, ticks - 1));
        return outages;
    }

    /// <summary>Whether the gap between samples at <paramref name="from"/> and <paramref name="to"/> (seconds) covers a tick of an outage.</summary>
    private static bool Overlaps(List<(long From, long To)> outages, long from, long to, double start, double tick)
    {
        long first = (long)Math.Ceiling((from - start) / tick), last = (long)Math.Floor((to - start) / tick);
        foreach ((long f, long l) in outages)
        {
            if (f <= last && l >= first)
                return true;
        }

        return false;
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

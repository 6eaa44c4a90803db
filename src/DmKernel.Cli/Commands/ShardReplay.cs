using System.Globalization;
using System.IO.Hashing;
using System.Text.Json;
using DmKernel.Cli.Output;
using DmKernel.Traces;
using DmKernel.Traces.Replay;

namespace DmKernel.Cli.Commands;

/// <summary>
/// <c>replay SPLIT --shard i/N -o OUT</c>: replays one shard's trace (written by <c>split</c>) and writes into
/// <c>OUT/shard-iiii-of-NNNN/</c> what <c>merge</c> needs to give exactly one process's outputs: per-host rows (hosts.csv)
/// and placement rows numbered as in the whole trace, the per-tick fleet sums and host-available histograms, the pressure
/// and host-available histograms, the integer totals, the VMs that starve most, the hosts' state hashes (shard.json,
/// series.bin), and a fingerprint of the trace and the options.
/// </summary>
internal static class ShardReplay
{
    public const string Format = "dmkernel-replay-shard/4";

    /// <summary>The formats before this one, each with what it lacks (merge names them): /1 before pressures above
    /// 1000 % were kept exactly, /2 before the totals and the starving VMs counted unservable paging, /3 before the
    /// list of the VMs with the most servable paging.</summary>
    public static readonly IReadOnlyDictionary<string, string> FormatsBefore = new Dictionary<string, string>
    {
        ["dmkernel-replay-shard/1"] = "whose pressure histogram has no values above 1000 %",
        ["dmkernel-replay-shard/2"] = "which does not count the paging above the VMs' Maximum apart",
        ["dmkernel-replay-shard/3"] = "which has no list of the VMs with the most servable paging",
    };
    public const string ShardJson = "shard.json", SeriesBin = "series.bin", HostsCsv = "hosts.csv", PlacementCsv = "placement.csv";
    public const string SeriesMagic = "DMKSHARDSERIES/2";

    /// <summary>The shard counts of the splits in a folder written by split (from its shard-*-of-NNNN.dmt names), in order; empty when it has none.</summary>
    public static List<int> SplitCounts(string folder)
    {
        var counts = new SortedSet<int>();
        foreach (string f in Directory.EnumerateFiles(folder, "shard-*-of-*.dmt"))
        {
            string name = Path.GetFileNameWithoutExtension(f);
            int of = name.LastIndexOf("-of-", StringComparison.Ordinal);
            if (of > 0 && int.TryParse(name[(of + 4)..], NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0)
                counts.Add(n);
        }

        return [.. counts];
    }

    public static int Run(string splitDir, ShardId id, string outputRoot, ReplayOptions options, int? hostSeriesEvery, CancellationToken cancel, bool reserveGiven = false)
    {
        string traceFile = Path.Combine(splitDir, id.Name + ".dmt");
        if (!File.Exists(traceFile))
        {
            List<int> made = SplitCounts(splitDir);
            string what = made.Count > 0
                ? string.Create(CultureInfo.InvariantCulture, $"it holds a split into {string.Join(" and ", made.Select(n => n.ToString(CultureInfo.InvariantCulture)))} shards (shard-*-of-{made[0]:D4}.dmt)")
                : "it holds no shard traces (shard-*-of-*.dmt)";
            // Another split into this folder would leave two splits side by side: name the shards it holds instead.
            string todo = made.Count > 0
                ? string.Create(CultureInfo.InvariantCulture, $"Give --shard INDEX/{made[0]} (0..{made[0] - 1}), or split the trace into {id.Count} shards in another folder (dmkernel split TRACE --shards {id.Count} -o OTHER).")
                : string.Create(CultureInfo.InvariantCulture, $"Split the trace with dmkernel split TRACE --shards {id.Count} -o {splitDir}.");
            throw new CliError(string.Create(CultureInfo.InvariantCulture, $"'{splitDir}' has no {id.Name}.dmt for shard {id}: {what}. {todo}"), 1);
        }

        StagedOutput.EnsureNotOverInput(Path.Combine(outputRoot, id.Name), [HostsCsv, SeriesBin, PlacementCsv, ShardJson], traceFile);
        using NativeTraceReader reader = CommonOptions.OpenTrace(traceFile);
        TraceMetadata meta = reader.Header.Metadata;
        string Meta(string key) => meta.TryGetValue(key, out string? v) ? v
            : throw new CliError($"'{traceFile}' is not a shard trace written by dmkernel split (its metadata has no {key}).", 1);
        long MetaLong(string key) => long.TryParse(Meta(key), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v) ? v
            : throw new CliError($"'{traceFile}': metadata {key} = '{Meta(key)}' is not a whole number; split the trace again.", 1);
        if (MetaLong(Shards.IndexKey) != id.Index || MetaLong(Shards.CountKey) != id.Count)
            throw new CliError($"'{traceFile}' holds shard {Meta(Shards.IndexKey)}/{Meta(Shards.CountKey)}, not {id}; it was renamed or copied from another split.", 1);
        if (reserveGiven && meta.TryGetValue(Shards.TraceHostsWithoutReserveKey, out string? without) && without == "0")
        {
            throw new CliError(
                $"--reserve applies only to hosts without a reserve of their own; every one of the {Meta(Shards.TraceHostsKey)} hosts of {Meta(Shards.TraceKey)} records its own, so it would change nothing. Leave --reserve out, or use compare, which re-packs the VMs onto hosts with --reserve.");
        }

        int firstHost = (int)MetaLong(Shards.FirstHostKey);
        long firstSlot = MetaLong(Shards.FirstSlotKey);
        int[] traceIndex = Shards.ParseRanges(Meta(Shards.VmIndexKey), reader.Vms.Count, traceFile);

        options = options with { GuestIndexOfVm = traceIndex }; // P10: each VM's response as in the whole trace
        using var engine = Cli.Guard(() => new ReplayEngine(reader, options));
        using var staged = new StagedOutput(Path.Combine(outputRoot, id.Name));
        int every = hostSeriesEvery ?? (int)Math.Max(1, engine.TotalTicks / 500);
        string traceName = Meta(Shards.TraceKey);
        RunFingerprint fingerprint = ReplayCommand.Fingerprint(traceName, MetaLong(Shards.TraceSizeKey), engine, options, hostSeriesEvery)
            .Add("trace id", Meta(Shards.TraceIdKey))
            .Add("shards", id.Count.ToString(CultureInfo.InvariantCulture));

        Fleet fleet = engine.Fleet;
        int hosts = fleet.HostCount;
        var hostBins = new int[101];
        var hashTicks = new List<long>();
        var hashPoints = new List<(long TickIndex, ulong[] Hashes)>();
        using (StreamWriter hostsWriter = WriteBehindStream.CreateText(staged.File(HostsCsv)))
        using (var series = new BinaryWriter(new BufferedStream(File.Create(staged.File(SeriesBin)), 1 << 16)))
        {
            hostsWriter.WriteLine("tick,host,total_mb,available_mb,assigned_mb,pending_freed_mb,shortfall_mb,average_pressure,system_pressure,short");
            series.Write(SeriesMagic);
            series.Write(hosts);
            Cli.Guard(() => ReplayRunner.Run(engine, $"replay {traceName} shard {id}", cancel, e =>
            {
                if ((e.TicksDone - 1) % every == 0)
                    ReplayCommand.WriteHosts(hostsWriter, e, firstHost);
                WriteTick(series, e, hostBins);
                if (options.HashEvery > 0 && e.TicksDone % options.HashEvery == 0)
                {
                    hashTicks.Add(e.TicksDone - 1);
                    hashPoints.Add((fleet.TickIndex, HostHashes(fleet)));
                }
            }));
            if (cancel.IsCancellationRequested)
            {
                Console.Error.WriteLine($"Interrupted after {engine.TicksDone} of {engine.TotalTicks} ticks; no output was written.");
                return 130;
            }

            series.Write((byte)0);
            ReplayMetrics m = engine.Metrics;
            WriteBins(series, m.Pressure.Bins());
            WriteBins(series, m.HostAvailablePercent.Bins());
            KeyValuePair<int, long>[] above = m.Pressure.AboveLastBin();
            series.Write(above.Length);
            foreach ((int value, long count) in above)
            {
                series.Write(value);
                series.Write(count);
            }
            foreach (ulong h in HostHashes(fleet))
                series.Write(h);
            series.Write(hashPoints.Count);
            foreach ((long tickIndex, ulong[] hashes) in hashPoints)
            {
                series.Write(tickIndex);
                foreach (ulong h in hashes)
                    series.Write(h);
            }
        }

        ReplayCommand.WritePlacement(staged.File(PlacementCsv), engine, traceIndex, firstHost, firstSlot);
        WriteShardJson(staged, engine, id, reader.Header, traceName, fingerprint.ToString(), firstHost, firstSlot, traceIndex, hashTicks);
        staged.Commit();
        var ic = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(ic,
            $"Shard {id}: replayed {engine.Vms.Count} VMs on hosts {firstHost}..{firstHost + hosts - 1} for {engine.TicksDone} ticks in {engine.Elapsed.TotalSeconds:F2} s{ReplayCommand.AfterBoot(engine)} ({ReplayRunner.Rate(engine)}, path {KernelPaths.Describe(engine.Balancer.Path)}, {engine.Balancer.Threads} thread(s))."));
        if (ReplayCommand.BootLine(engine) is string boot)
            Console.WriteLine(boot);
        Console.WriteLine($"Outputs: {staged.Directory} (merge the shards with: dmkernel merge {outputRoot} -o MERGED)");
        return 0;
    }

    private static ulong[] HostHashes(Fleet fleet)
    {
        var hashes = new ulong[fleet.HostCount];
        for (int h = 0; h < hashes.Length; h++)
            hashes[h] = fleet.ComputeHostStateHash(h);
        return hashes;
    }

    /// <summary>One tick's fleet sums and the histogram of host Available % (sparse: bin, count).</summary>
    private static void WriteTick(BinaryWriter w, ReplayEngine e, int[] hostBins)
    {
        FleetPoint p = e.Metrics.Series[^1];
        w.Write((byte)1);
        w.Write(p.Tick);
        w.Write(p.AssignedMb);
        w.Write(p.DemandMb);
        w.Write(p.AvailableMb);
        w.Write(p.PagingVms);
        w.Write(p.OnVms);
        w.Write(p.ShortHosts);
        Array.Clear(hostBins);
        Fleet f = e.Fleet;
        for (int h = 0; h < f.HostCount; h++)
        {
            int pct = ReplayMetrics.HostAvailablePercentOf(f, h);
            hostBins[Math.Clamp(pct, 0, 100)]++;
        }

        int used = 0;
        foreach (int c in hostBins)
            used += c > 0 ? 1 : 0;
        w.Write((byte)used);
        for (int b = 0; b < hostBins.Length; b++)
        {
            if (hostBins[b] > 0)
            {
                w.Write((byte)b);
                w.Write(hostBins[b]);
            }
        }
    }

    private static void WriteBins(BinaryWriter w, long[] bins)
    {
        w.Write(bins.Length);
        foreach (long b in bins)
            w.Write(b);
    }

    private static void WriteShardJson(StagedOutput staged, ReplayEngine engine, ShardId id, TraceHeader header, string traceName, string fingerprint,
        int firstHost, long firstSlot, int[] traceIndex, List<long> hashTicks)
    {
        ReplayMetrics m = engine.Metrics;
        Fleet f = engine.Fleet;
        ModelParameters model = engine.Model;
        TraceMetadata meta = header.Metadata;
        using FileStream stream = File.Create(staged.File(ShardJson));
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("format", Format);
        json.WriteNumber("shard", id.Index);
        json.WriteNumber("shards", id.Count);
        json.WriteString("fingerprint", fingerprint);
        json.WriteStartObject("trace");
        json.WriteString("file", traceName);
        json.WriteNumber("formatVersion", header.FormatVersion);
        json.WriteString("source", header.Source);
        json.WriteNumber("tickSeconds", header.TickSeconds);
        json.WriteNumber("ticksInTrace", header.TickCount);
        json.WriteNumber("vms", long.Parse(meta[Shards.TraceVmsKey], CultureInfo.InvariantCulture));
        json.WriteNumber("hosts", long.Parse(meta[Shards.TraceHostsKey], CultureInfo.InvariantCulture));
        json.WriteStartObject("metadata");
        foreach (KeyValuePair<string, string> kv in Shards.SourceMetadata(meta))
            json.WriteString(kv.Key, kv.Value);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteNumber("vms", engine.Vms.Count);
        json.WriteNumber("hosts", engine.Hosts.Count);
        json.WriteNumber("firstHost", firstHost);
        json.WriteNumber("firstSlot", firstSlot);
        json.WriteNumber("slots", f.SlotCount);
        json.WriteNumber("firstVm", traceIndex.Length > 0 ? traceIndex[0] : -1);
        json.WriteNumber("ticks", engine.TicksDone);
        json.WriteNumber("tickIndex", f.TickIndex);
        json.WriteBoolean("placedByReplay", engine.PlacedByReplay);
        ReplayOutcome o = ReplayOutcome.FromEngine(engine, traceName);
        if (o.BootTicks > 0) // (the boot runs in the first tick's step)
        {
            json.WriteNumber("bootTicks", o.BootTicks);
            json.WriteNumber("bootVmsOnAtTick0", o.BootVmsOnAtTick0); // this shard's: merge adds them up
            json.WriteNumber("bootVmsStillOff", o.BootVmsStillOff);
        }

        json.WriteString("policy", PolicyText(engine.Balancer.Policy));
        ReplaySummary.WriteModel(json, model);
        json.WriteStartObject("totals");
        json.WriteNumber("wantedVmTicks", o.WantedVmTicks);
        json.WriteNumber("onVmTicks", o.OnVmTicks);
        json.WriteNumber("pagingVmTicks", o.PagingVmTicks);
        json.WriteNumber("unservablePagingVmTicks", o.UnservablePagingVmTicks);
        json.WriteNumber("deniedVmTicks", o.DeniedVmTicks);
        json.WriteNumber("unmetMbTicks", o.UnmetMbTicks);
        json.WriteNumber("assignedMbTicks", o.AssignedMbTicks);
        json.WriteNumber("demandMbTicks", o.DemandMbTicks);
        json.WriteNumber("smartPagingVmTicks", o.SmartPagingVmTicks);
        json.WriteNumber("smartPagingMbTicks", o.SmartPagingMbTicks);
        json.WriteNumber("shortHostTicks", o.ShortHostTicks);
        json.WriteNumber("addOperations", o.AddOperations);
        json.WriteNumber("addedMb", o.AddedMb);
        json.WriteNumber("removeOperations", o.RemoveOperations);
        json.WriteNumber("removedMb", o.RemovedMb);
        json.WriteNumber("failedStarts", o.FailedStarts);
        json.WriteEndObject();
        json.WriteStartObject("pressure");
        json.WriteNumber("sum", m.Pressure.Sum);
        json.WriteNumber("max", m.Pressure.Max);
        json.WriteEndObject();
        json.WriteStartObject("hostAvailablePercent");
        json.WriteNumber("sum", m.HostAvailablePercent.Sum);
        json.WriteNumber("max", m.HostAvailablePercent.Max);
        json.WriteEndObject();
        // The shard's ten VMs that starve most, and its ten with the most servable paging: the whole trace's are among the
        // shards' (merge ranks their union).
        foreach ((string name, List<StarvingVm> vms) in (ReadOnlySpan<(string, List<StarvingVm>)>)[
            ("starving", ReplayOutcome.TopStarving(engine, traceIndex, ReplayOutcome.StarvingCount)),
            ("starvingServable", ReplayOutcome.TopStarvingServable(engine, traceIndex, ReplayOutcome.StarvingCount))])
        {
            json.WriteStartArray(name);
            foreach (StarvingVm vm in vms)
            {
                json.WriteStartObject();
                json.WriteNumber("vm", vm.Vm);
                json.WriteString("id", vm.Id);
                json.WriteNumber("pagingTicks", vm.PagingTicks);
                json.WriteNumber("unservableTicks", vm.UnservableTicks);
                json.WriteNumber("unmetMbTicks", vm.UnmetMbTicks);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }
        json.WriteStartArray("hashTicks");
        foreach (long t in hashTicks)
            json.WriteNumberValue(t);
        json.WriteEndArray();
        json.WriteStartObject("run");
        ReplaySummary.WriteRun(json, engine, ReplaySummary.PeakWorkingSet());
        json.WriteEndObject();
        json.WriteStartObject("files");
        foreach (string name in (string[])[HostsCsv, PlacementCsv, SeriesBin])
        {
            (long bytes, string hash) = Checksum(Path.Combine(staged.Staging, name));
            json.WriteStartObject(name);
            json.WriteNumber("bytes", bytes);
            json.WriteString("xxhash64", hash);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>A file's length and XxHash64 (hex).</summary>
    public static (long Bytes, string Hash) Checksum(string path)
    {
        var hash = new XxHash64();
        using FileStream f = File.OpenRead(path);
        hash.Append(f);
        return (f.Length, hash.GetCurrentHashAsUInt64().ToString("x16", CultureInfo.InvariantCulture));
    }

    /// <summary>The policy with every settable parameter, in the form <see cref="BalancerPolicy.Parse"/> reads (for merge).</summary>
    internal static string PolicyText(BalancerPolicy p)
    {
        var ic = CultureInfo.InvariantCulture;
        return p.Kind switch
        {
            PolicyKind.Squeezed => string.Create(ic, $"squeezed:periodSeconds={p.SqueezedPeriodSeconds:R}:targetFreeMb={p.SqueezedTargetFreeMb}:stuckSeconds={p.SqueezedStuckSeconds:R}"),
            PolicyKind.Mom => string.Create(ic, $"mom:periodSeconds={p.MomPeriodSeconds:R}:samples={p.MomSamples}"),
            PolicyKind.Esx => string.Create(ic, $"esx:samplePeriodSeconds={p.EsxSamplePeriodSeconds:R}:idleTaxPerMille={p.EsxIdleTaxPerMille}:softPercent={p.EsxSoftPercent}:highPercent={p.EsxHighPercent}"),
            _ => p.Key,
        };
    }
}

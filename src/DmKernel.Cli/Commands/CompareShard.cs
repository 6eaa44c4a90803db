using System.Globalization;
using System.Text.Json;
using DmKernel.Cli.Output;
using DmKernel.Traces;
using DmKernel.Traces.Capacity;
using DmKernel.Traces.Replay;
using StarvingVm = DmKernel.Traces.Capacity.StarvingVm;

namespace DmKernel.Cli.Commands;

/// <summary>
/// <c>compare TRACE --shard i/N -o OUT</c>: runs shard i's share of the study's searches (<see cref="CapacityPlan.Assign"/>)
/// and writes into <c>OUT/compare-shard-iiii-of-NNNN/</c> what <c>merge</c> needs to assemble exactly one process's
/// outputs: <c>searches.json</c> (the options, the facts found before any search, every search result of the shard) and,
/// last, <c>shard.json</c> (the fingerprint of trace and options, the run, and the length and checksum of searches.json).
/// </summary>
internal static class CompareShard
{
    public const string Format = "dmkernel-compare-shard/3", SearchesFormat = "dmkernel-compare-searches/3";

    /// <summary>The formats before this one, each with what it lacks (merge names them): /1 before the facts recorded
    /// the trace's P10 guest mix.</summary>
    public static readonly IReadOnlyDictionary<string, string> FormatsBefore = new Dictionary<string, string>
    {
        ["dmkernel-compare-shard/1"] = "which does not record the trace's guest mix (P10)",
        ["dmkernel-compare-shard/2"] = "which does not record how far Dynamic Memory held VMs with unservable demand below their Maximum",
    };
    public const string SearchesJson = "searches.json", Prefix = "compare-";

    /// <summary>The shard's output folder name: <c>compare-shard-0003-of-0008</c>.</summary>
    public static string FolderName(ShardId id) => Prefix + id.Name;

    /// <summary>The trace and every setting that changes a comparison's result (not --threads or --path).</summary>
    public static RunFingerprint Fingerprint(string traceFile, TraceSeries series, CapacityOptions o, int shards)
    {
        var ic = CultureInfo.InvariantCulture;
        ModelParameters m = o.Probe.Model;
        return new RunFingerprint()
            .Add("trace", Path.GetFileName(traceFile))
            .Add("trace size", string.Create(ic, $"{new FileInfo(traceFile).Length} bytes"))
            .Add("trace id", Shards.TraceId(traceFile))
            // The ticks compared, not --max-ticks as given: --max-ticks 1440 on a trace of 1440 ticks is the whole trace,
            // and shards run with and without it merge (they were refused as "other options").
            .Add("ticks compared (the trace's, or --max-ticks)", string.Create(ic, $"{series.Ticks}"))
            .Add("--paging-limit", string.Create(ic, $"{o.Level.MaxPagingShare:R}"))
            .Add("--pressure-limit", o.Level.MaxPressure is int p ? string.Create(ic, $"{p}") : "(none)")
            .Add("--pressure-percentile", string.Create(ic, $"{o.Level.PressurePercentile:R}"))
            .Add("--host-mb", string.Create(ic, $"{o.Host.TotalMb}"))
            .Add("--reserve", string.Create(ic, $"{o.Host.ReserveMb ?? m.HostReserveMb}"))
            .Add("--hosts-per-probe", string.Create(ic, $"{o.HostsPerProbe}"))
            .Add("--seeds", string.Create(ic, $"{o.Seeds}"))
            .Add("--seed", string.Create(ic, $"{o.Seed}"))
            // The buffers as given (--buffers 20), then the strategy list they make, so that a difference reads as typed.
            .Add("--buffers", o.Strategies.Any(s => s.IsDynamic && s.Parameter != 0) ? string.Join(',', o.Strategies.Where(s => s.IsDynamic && s.Parameter != 0).Select(s => s.Parameter.ToString(ic))) : "none")
            .Add("strategies", string.Join(',', o.Strategies.Select(s => s.Key)))
            .Add("--sensitivity", o.Sensitivity.Count == 0 ? "off" : string.Join(' ', o.Sensitivity.Select(d => string.Create(ic, $"k={d.K:R}:base={d.OsBaseMb:R}:cap={d.OsBaseCapPercent:R}"))))
            .Add("--minimum-factors", o.MinimumSensitivity.Count == 0 ? "none" : string.Join(',', o.MinimumSensitivity.Select(f => f.ToString("R", ic))))
            .Add("--policies", o.Policies.Count == 0 ? "(none)" : string.Join(',', o.Policies.Select(ShardReplay.PolicyText)))
            .Add("--max-hosts", o.MaxHosts is int h ? string.Create(ic, $"{h}") : "(enough for every strategy)")
            .Add("--boot-grace", string.Create(ic, $"{m.BootGraceSeconds:R}"))
            .Add("--reclaim-period", string.Create(ic, $"{m.ReclaimPeriodSeconds:R}"))
            .Add("--max-remove", string.Create(ic, $"{m.MaxRemovePerSecondMb}"))
            .Add("--no-smart-paging", m.SmartPaging ? "off" : "on")
            .Add("model parameters", m.ToString())
            .Add("probe policy", ShardReplay.PolicyText(o.Probe.Policy))
            .Add("shards", string.Create(ic, $"{shards}"));
    }

    /// <summary>Writes the shard's folder: searches.json, then shard.json; moved into place only when complete.</summary>
    public static string Write(string outputRoot, ShardId id, string fingerprint, CapacityOptions options, CapacityFacts facts,
        IReadOnlyList<SearchOutcome> outcomes, int searches, double seconds)
    {
        using var staged = Cli.Guard(() => new StagedOutput(Path.Combine(outputRoot, FolderName(id))));
        using (FileStream stream = File.Create(staged.File(SearchesJson)))
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("format", SearchesFormat);
            json.WriteNumber("searches", searches);
            json.WritePropertyName("options");
            WriteOptions(json, options);
            json.WritePropertyName("facts");
            WriteFacts(json, facts);
            json.WriteStartArray("results");
            foreach (SearchOutcome o in outcomes)
                WriteSearch(json, o);
            json.WriteEndArray();
            json.WriteEndObject();
        }

        using (FileStream stream = File.Create(staged.File(ShardReplay.ShardJson)))
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("format", Format);
            json.WriteNumber("shard", id.Index);
            json.WriteNumber("shards", id.Count);
            json.WriteString("fingerprint", fingerprint);
            json.WriteString("trace", facts.Trace);
            json.WriteNumber("searches", searches);
            json.WriteStartArray("ran");
            foreach (SearchOutcome o in outcomes)
                json.WriteNumberValue(o.Index);
            json.WriteEndArray();
            json.WriteStartObject("run");
            json.WriteNumber("wallSeconds", Math.Round(seconds, 3));
            json.WriteNumber("probes", outcomes.Sum(o => o.Probes));
            json.WriteNumber("vmTicks", outcomes.Sum(o => o.VmTicks));
            json.WriteNumber("threads", options.Threads);
            json.WriteNumber("peakWorkingSetMb", Math.Round(ReplaySummary.PeakWorkingSet() / 1048576.0, 1));
            json.WriteEndObject();
            json.WriteStartObject("files");
            (long bytes, string hash) = ShardReplay.Checksum(staged.File(SearchesJson));
            json.WriteStartObject(SearchesJson);
            json.WriteNumber("bytes", bytes);
            json.WriteString("xxhash64", hash);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        staged.Commit();
        return staged.Directory;
    }

    /// <summary>A shard's searches.json: the options, the facts and its search results.</summary>
    public static (CapacityOptions Options, CapacityFacts Facts, List<SearchOutcome> Outcomes) Read(string path)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(path));
        JsonElement root = doc.RootElement;
        if (root.GetProperty("format").GetString() != SearchesFormat)
            throw new FormatException($"expected \"format\": \"{SearchesFormat}\"");
        return (ReadOptions(root.GetProperty("options")), ReadFacts(root.GetProperty("facts")), [.. root.GetProperty("results").EnumerateArray().Select(ReadSearch)]);
    }

    /// <summary>The options that change no result (<c>--threads</c>, <c>--path</c>): shards of one comparison may differ in them.</summary>
    private static readonly string[] Unshared = ["threads", "path"];

    /// <summary>
    /// The JSON of a searches.json's options and facts: what every shard of one comparison shares, so without
    /// <see cref="Unshared"/> (the fingerprint leaves them out too; <c>--threads</c> defaults to every core of the machine).
    /// </summary>
    public static string OptionsAndFacts(string path)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var shared = new System.Text.StringBuilder();
        foreach (JsonProperty p in doc.RootElement.GetProperty("options").EnumerateObject())
        {
            if (!Unshared.Contains(p.Name))
                shared.Append(p.Name).Append(':').Append(p.Value.GetRawText()).Append(',');
        }

        return shared.Append(doc.RootElement.GetProperty("facts").GetRawText()).ToString();
    }

    private static void WriteOptions(Utf8JsonWriter json, CapacityOptions o)
    {
        json.WriteStartObject();
        json.WriteStartObject("level");
        json.WriteNumber("maxPagingShare", o.Level.MaxPagingShare);
        if (o.Level.MaxPressure is int mp)
            json.WriteNumber("maxPressure", mp);
        json.WriteNumber("pressurePercentile", o.Level.PressurePercentile);
        json.WriteEndObject();
        json.WriteNumber("hostMb", o.Host.TotalMb);
        if (o.Host.ReserveMb is int r)
            json.WriteNumber("reserveMb", r);
        json.WriteNumber("hostsPerProbe", o.HostsPerProbe);
        json.WriteNumber("seeds", o.Seeds);
        json.WriteNumber("seed", o.Seed);
        json.WriteStartArray("strategies");
        foreach (MemoryStrategy s in o.Strategies)
            json.WriteStringValue(s.Key);
        json.WriteEndArray();
        json.WriteStartArray("policies");
        foreach (BalancerPolicy p in o.Policies)
            json.WriteStringValue(ShardReplay.PolicyText(p));
        json.WriteEndArray();
        json.WriteStartArray("sensitivity");
        foreach (DemandModel d in o.Sensitivity)
            WriteDemand(json, d);
        json.WriteEndArray();
        json.WriteStartArray("minimumSensitivity");
        foreach (double f in o.MinimumSensitivity)
            json.WriteNumberValue(f);
        json.WriteEndArray();
        ModelParameters m = o.Probe.Model;
        json.WriteStartObject("model");
        json.WriteNumber("tickSeconds", m.TickSeconds);
        json.WriteNumber("granularityMb", m.GranularityMb);
        json.WriteNumber("bootGraceSeconds", m.BootGraceSeconds);
        json.WriteNumber("reclaimPeriodSeconds", m.ReclaimPeriodSeconds);
        json.WriteNumber("maxRemovePerSecondMb", m.MaxRemovePerSecondMb);
        json.WriteNumber("pressureWindowSeconds", m.PressureWindowSeconds);
        json.WriteNumber("hostReserveMb", m.HostReserveMb);
        json.WriteNumber("maxCeilingMb", m.MaxCeilingMb);
        json.WriteBoolean("smartPaging", m.SmartPaging);
        json.WriteEndObject();
        json.WriteString("path", o.Probe.Path.ToString());
        json.WriteString("policy", ShardReplay.PolicyText(o.Probe.Policy));
        if (o.Probe.MaxTicks is int mt)
            json.WriteNumber("maxTicks", mt);
        json.WriteNumber("threads", o.Threads);
        if (o.MaxHosts is int mh)
            json.WriteNumber("maxHosts", mh);
        json.WriteNumber("maxSensitivityValues", o.MaxSensitivityValues);
        json.WriteNumber("maxVmsPerHost", o.MaxVmsPerHost);
        json.WriteEndObject();
    }

    private static CapacityOptions ReadOptions(JsonElement e)
    {
        JsonElement level = e.GetProperty("level"), m = e.GetProperty("model");
        return new CapacityOptions
        {
            Level = new ServiceLevel
            {
                MaxPagingShare = level.GetProperty("maxPagingShare").GetDouble(),
                MaxPressure = level.TryGetProperty("maxPressure", out JsonElement mp) ? mp.GetInt32() : null,
                PressurePercentile = level.GetProperty("pressurePercentile").GetDouble(),
            },
            Host = new TraceHost(e.GetProperty("hostMb").GetInt32(), e.TryGetProperty("reserveMb", out JsonElement r) ? r.GetInt32() : null),
            HostsPerProbe = e.GetProperty("hostsPerProbe").GetInt32(),
            Seeds = e.GetProperty("seeds").GetInt32(),
            Seed = e.GetProperty("seed").GetUInt64(),
            Strategies = [.. e.GetProperty("strategies").EnumerateArray().Select(s => ParseStrategy(s.GetString()!))],
            Policies = [.. e.GetProperty("policies").EnumerateArray().Select(p => BalancerPolicy.Parse(p.GetString()!))],
            Sensitivity = [.. e.GetProperty("sensitivity").EnumerateArray().Select(ReadDemand)],
            MinimumSensitivity = e.TryGetProperty("minimumSensitivity", out JsonElement ms) ? [.. ms.EnumerateArray().Select(f => f.GetDouble())] : [],
            Probe = new ProbeOptions
            {
                Model = ModelParameters.Default with
                {
                    TickSeconds = m.GetProperty("tickSeconds").GetDouble(),
                    GranularityMb = m.GetProperty("granularityMb").GetInt32(),
                    BootGraceSeconds = m.GetProperty("bootGraceSeconds").GetDouble(),
                    ReclaimPeriodSeconds = m.GetProperty("reclaimPeriodSeconds").GetDouble(),
                    MaxRemovePerSecondMb = m.GetProperty("maxRemovePerSecondMb").GetInt32(),
                    PressureWindowSeconds = m.GetProperty("pressureWindowSeconds").GetDouble(),
                    HostReserveMb = m.GetProperty("hostReserveMb").GetInt32(),
                    MaxCeilingMb = m.GetProperty("maxCeilingMb").GetInt32(),
                    SmartPaging = m.GetProperty("smartPaging").GetBoolean(),
                },
                Path = Enum.Parse<KernelPath>(e.GetProperty("path").GetString()!),
                Policy = BalancerPolicy.Parse(e.GetProperty("policy").GetString()!),
                MaxTicks = e.TryGetProperty("maxTicks", out JsonElement mt) ? mt.GetInt32() : null,
            },
            Threads = e.GetProperty("threads").GetInt32(),
            MaxHosts = e.TryGetProperty("maxHosts", out JsonElement mh) ? mh.GetInt32() : null,
            MaxSensitivityValues = e.GetProperty("maxSensitivityValues").GetInt64(),
            MaxVmsPerHost = e.GetProperty("maxVmsPerHost").GetInt32(),
        };
    }

    /// <summary>The strategy of a <see cref="MemoryStrategy.Key"/>.</summary>
    private static MemoryStrategy ParseStrategy(string key)
    {
        int Tail(string prefix) => int.Parse(key[prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture);
        return key switch
        {
            "dm" => MemoryStrategy.DynamicMemory,
            "static-provisioned" => MemoryStrategy.StaticProvisioned,
            _ when key.StartsWith("dm-buffer-", StringComparison.Ordinal) => MemoryStrategy.DynamicWithBuffer(Tail("dm-buffer-")),
            _ when key.StartsWith("fixed-", StringComparison.Ordinal) => MemoryStrategy.Fixed(Tail("fixed-")),
            _ when key.StartsWith("provisioned-plus-", StringComparison.Ordinal) => MemoryStrategy.ProvisionedPlus(Tail("provisioned-plus-")),
            _ => throw new FormatException($"unknown strategy '{key}'"),
        };
    }

    private static void WriteDemand(Utf8JsonWriter json, DemandModel d)
    {
        json.WriteStartObject();
        json.WriteNumber("k", d.K);
        json.WriteNumber("osBaseMb", d.OsBaseMb);
        json.WriteNumber("osBaseCapPercent", d.OsBaseCapPercent);
        json.WriteEndObject();
    }

    private static DemandModel ReadDemand(JsonElement e) => new()
    {
        K = e.GetProperty("k").GetDouble(),
        OsBaseMb = e.GetProperty("osBaseMb").GetDouble(),
        OsBaseCapPercent = e.GetProperty("osBaseCapPercent").GetDouble(),
    };

    private static void WriteFacts(Utf8JsonWriter json, CapacityFacts f)
    {
        json.WriteStartObject();
        json.WriteString("trace", f.Trace);
        json.WriteNumber("traceVms", f.TraceVms);
        json.WriteNumber("ticks", f.Ticks);
        json.WriteNumber("tickSeconds", f.TickSeconds);
        json.WriteString("guests", f.Guests.ToString());
        if (f.RecordedDemand is DemandModel d)
        {
            json.WritePropertyName("recordedDemand");
            WriteDemand(json, d);
        }

        json.WriteNumber("poolVms", f.PoolVms);
        json.WriteStartArray("tooLarge");
        foreach (ExcludedVm e in f.TooLarge)
        {
            json.WriteStartObject();
            json.WriteString("id", e.Id);
            json.WriteNumber("sizeMb", e.SizeMb);
            json.WriteNumber("hostMbThatFits", e.HostMbThatFits);
            json.WriteString("strategy", e.Strategy);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteNumber("neverOn", f.NeverOn);
        json.WriteNumber("ticksLeftOutBefore", f.TicksLeftOutBefore);
        json.WriteNumber("ticksLeftOutAfter", f.TicksLeftOutAfter);
        json.WriteNumber("mostOnAtOnce", f.MostOnAtOnce);
        json.WriteNumber("unservableShare", f.UnservableShare);
        json.WriteStartArray("unservable");
        foreach (UnservableVm u in f.Unservable)
        {
            json.WriteStartObject();
            json.WriteString("id", u.Id);
            json.WriteNumber("provisionedMb", u.ProvisionedMb);
            json.WriteNumber("medianDemandMb", u.MedianDemandMb);
            if (u.MedianUsedMb is double used)
                json.WriteNumber("medianUsedMb", used);
            json.WriteNumber("wantedTicks", u.WantedTicks);
            json.WriteNumber("unservableTicks", u.UnservableTicks);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("warnings");
        foreach (string w in f.Warnings)
            json.WriteStringValue(w);
        json.WriteEndArray();
        json.WriteNumber("poolFloorMb", f.PoolFloorMb);
        if (f.MinimumRule is string rule)
            json.WriteString("minimumRule", rule);
        if (f.MinimumDivisor is int divisor)
            json.WriteNumber("minimumDivisor", divisor);
        json.WriteStartArray("minimumSensitivityFloorsMb");
        foreach (double floor in f.MinimumSensitivityFloorsMb)
            json.WriteNumberValue(floor);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static CapacityFacts ReadFacts(JsonElement e) => new()
    {
        Trace = e.GetProperty("trace").GetString()!,
        TraceVms = e.GetProperty("traceVms").GetInt32(),
        Ticks = e.GetProperty("ticks").GetInt32(),
        TickSeconds = e.GetProperty("tickSeconds").GetDouble(),
        RecordedDemand = e.TryGetProperty("recordedDemand", out JsonElement d) ? ReadDemand(d) : null,
        Guests = GuestMix.FromMetadata(new TraceMetadata().Set(GuestMix.MetadataKey, e.GetProperty("guests").GetString()!)),
        PoolVms = e.GetProperty("poolVms").GetInt32(),
        TooLarge = [.. e.GetProperty("tooLarge").EnumerateArray().Select(x => new ExcludedVm(x.GetProperty("id").GetString()!, x.GetProperty("sizeMb").GetInt32(),
            x.GetProperty("hostMbThatFits").GetInt32(), x.GetProperty("strategy").GetString()!))],
        NeverOn = e.GetProperty("neverOn").GetInt32(),
        TicksLeftOutBefore = e.TryGetProperty("ticksLeftOutBefore", out JsonElement before) ? before.GetInt32() : 0,
        TicksLeftOutAfter = e.TryGetProperty("ticksLeftOutAfter", out JsonElement after) ? after.GetInt32() : 0,
        MostOnAtOnce = e.GetProperty("mostOnAtOnce").GetInt32(),
        UnservableShare = e.GetProperty("unservableShare").GetDouble(),
        Unservable = [.. e.GetProperty("unservable").EnumerateArray().Select(x => new UnservableVm(x.GetProperty("id").GetString()!, x.GetProperty("provisionedMb").GetInt32(),
            x.GetProperty("medianDemandMb").GetInt32(), x.TryGetProperty("medianUsedMb", out JsonElement used) ? used.GetDouble() : null,
            x.GetProperty("wantedTicks").GetInt32(), x.GetProperty("unservableTicks").GetInt32()))],
        Warnings = [.. e.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!)],
        PoolFloorMb = e.TryGetProperty("poolFloorMb", out JsonElement floor) ? floor.GetDouble() : 0,
        MinimumRule = e.TryGetProperty("minimumRule", out JsonElement rule) ? rule.GetString() : null,
        MinimumDivisor = e.TryGetProperty("minimumDivisor", out JsonElement divisor) ? divisor.GetInt32() : null,
        MinimumSensitivityFloorsMb = e.TryGetProperty("minimumSensitivityFloorsMb", out JsonElement floors) ? [.. floors.EnumerateArray().Select(x => x.GetDouble())] : [],
    };

    private static void WriteSearch(Utf8JsonWriter json, SearchOutcome o)
    {
        json.WriteStartObject();
        json.WriteNumber("index", o.Index);
        json.WriteNumber("probes", o.Probes);
        json.WriteNumber("vmTicks", o.VmTicks);
        if (o.Density is DensitySeed d)
        {
            json.WriteStartObject("density");
            json.WriteNumber("seed", d.Seed);
            json.WriteNumber("vmsPerHost", d.VmsPerHost);
            WriteOutcome(json, "atDensity", d.AtDensity);
            WriteOutcome(json, "firstMiss", d.FirstMiss);
            WriteProbes(json, d.Probes);
            json.WriteEndObject();
        }

        if (o.CannotMeet is string why)
            json.WriteString("cannotMeet", why);
        if (o.PoolPagingShare is double share)
            json.WriteNumber("poolPagingShare", share);
        if (o.Curve.Count > 0)
        {
            json.WriteStartArray("curve");
            foreach (CurvePoint c in o.Curve)
            {
                json.WriteStartObject();
                json.WriteNumber("vmsPerHost", c.VmsPerHost);
                WriteOutcome(json, "outcome", c.Outcome);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        if (o.Hosts is HostsResult h)
        {
            json.WriteStartObject("hosts");
            json.WriteString("strategy", h.Strategy.Key);
            if (h.Hosts is int n)
                json.WriteNumber("hosts", n);
            json.WriteNumber("maxHosts", h.MaxHosts);
            WriteOutcome(json, "atHosts", h.AtHosts);
            WriteOutcome(json, "lastMiss", h.LastMiss);
            WriteProbes(json, h.Probes);
            if (h.CannotHost is string cannot)
                json.WriteString("cannotHost", cannot);
            json.WriteEndObject();
            json.WriteStartArray("starving");
            foreach (StarvingVm s in o.Starving)
            {
                json.WriteStartObject();
                json.WriteString("id", s.Id);
                json.WriteNumber("provisionedMb", s.ProvisionedMb);
                json.WriteNumber("servableTicks", s.ServableTicks);
                json.WriteNumber("pagingTicks", s.PagingTicks);
                json.WriteNumber("unmetMbTicks", s.UnmetMbTicks);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        if (o.SideBySide.Count > 0)
        {
            json.WriteString("policyPlacement", o.PolicyPlacement);
            json.WriteStartArray("sideBySide");
            foreach (ProbeOutcome p in o.SideBySide)
                WriteOutcome(json, null, p);
            json.WriteEndArray();
        }

        json.WriteEndObject();
    }

    private static SearchOutcome ReadSearch(JsonElement e)
    {
        DensitySeed? density = null;
        if (e.TryGetProperty("density", out JsonElement d))
        {
            density = new DensitySeed(d.GetProperty("seed").GetInt32(), d.GetProperty("vmsPerHost").GetInt32(), ReadOutcome(d, "atDensity"),
                ReadOutcome(d, "firstMiss"), ReadProbes(d));
        }

        HostsResult? hosts = null;
        if (e.TryGetProperty("hosts", out JsonElement h))
        {
            hosts = new HostsResult(ParseStrategy(h.GetProperty("strategy").GetString()!), h.TryGetProperty("hosts", out JsonElement n) ? n.GetInt32() : null,
                h.GetProperty("maxHosts").GetInt32(), ReadOutcome(h, "atHosts"), ReadOutcome(h, "lastMiss"), ReadProbes(h))
            {
                CannotHost = h.TryGetProperty("cannotHost", out JsonElement c) ? c.GetString() : null,
            };
        }

        return new SearchOutcome
        {
            Index = e.GetProperty("index").GetInt32(),
            Probes = e.GetProperty("probes").GetInt32(),
            VmTicks = e.GetProperty("vmTicks").GetInt64(),
            Density = density,
            CannotMeet = e.TryGetProperty("cannotMeet", out JsonElement cm) ? cm.GetString() : null,
            PoolPagingShare = e.TryGetProperty("poolPagingShare", out JsonElement pp) ? pp.GetDouble() : null,
            Curve = e.TryGetProperty("curve", out JsonElement curve)
                ? [.. curve.EnumerateArray().Select(c => new CurvePoint(c.GetProperty("vmsPerHost").GetInt32(), ReadOutcome(c, "outcome")!))]
                : [],
            Hosts = hosts,
            Starving = e.TryGetProperty("starving", out JsonElement st)
                ? [.. st.EnumerateArray().Select(s => new StarvingVm(s.GetProperty("id").GetString()!, s.GetProperty("provisionedMb").GetInt32(),
                    s.GetProperty("servableTicks").GetInt32(), s.GetProperty("pagingTicks").GetInt32(), s.GetProperty("unmetMbTicks").GetInt64()))]
                : [],
            PolicyPlacement = e.TryGetProperty("policyPlacement", out JsonElement pl) ? pl.GetString() : null,
            SideBySide = e.TryGetProperty("sideBySide", out JsonElement sbs) ? [.. sbs.EnumerateArray().Select(ReadOutcome)] : [],
        };
    }

    private static void WriteProbes(Utf8JsonWriter json, IReadOnlyList<SearchProbe> probes)
    {
        json.WriteStartArray("probes");
        foreach (SearchProbe p in probes)
        {
            json.WriteStartObject();
            json.WriteNumber("size", p.Size);
            json.WriteBoolean("meets", p.Meets);
            WriteOutcome(json, "outcome", p.Outcome);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static SearchProbe[] ReadProbes(JsonElement e)
        => [.. e.GetProperty("probes").EnumerateArray().Select(p => new SearchProbe(p.GetProperty("size").GetInt32(), ReadOutcome(p, "outcome")!, p.GetProperty("meets").GetBoolean()))];

    /// <summary>
    /// A probe's outcome, every total exactly; the pressure histogram bin by bin. Per-VM counters are not kept: the study
    /// uses them only for the VMs that page most on a hosts-needed packing, which the shard reduces to that list itself.
    /// </summary>
    private static void WriteOutcome(Utf8JsonWriter json, string? name, ProbeOutcome? o)
    {
        if (o is null)
            return;
        if (name is null)
            json.WriteStartObject();
        else
            json.WriteStartObject(name);
        json.WriteNumber("hosts", o.Hosts);
        json.WriteNumber("vms", o.Vms);
        json.WriteNumber("warmupTicks", o.WarmupTicks);
        json.WriteNumber("ticks", o.Ticks);
        json.WriteNumber("wanted", o.WantedVmTicks);
        json.WriteNumber("unservable", o.UnservableVmTicks);
        json.WriteNumber("paging", o.PagingVmTicks);
        json.WriteNumber("unservableShort", o.UnservableShortVmTicks);
        json.WriteNumber("unservableShortMbTicks", o.UnservableShortMbTicks);
        json.WriteNumber("denied", o.DeniedVmTicks);
        json.WriteNumber("on", o.OnVmTicks);
        json.WriteNumber("unmetMbTicks", o.UnmetMbTicks);
        json.WriteNumber("assignedMbTicks", o.AssignedMbTicks);
        json.WriteNumber("demandMbTicks", o.DemandMbTicks);
        json.WriteNumber("peakAssignedMb", o.PeakAssignedMb);
        json.WriteNumber("pressurePercentile", o.PressurePercentile);
        if (o.Stopped)
            json.WriteBoolean("stopped", true);
        if (o.Pressure is Histogram p)
        {
            json.WriteStartObject("pressure");
            json.WriteNumber("sum", p.Sum);
            json.WriteNumber("max", p.Max);
            long[] bins = p.Bins();
            int used = Array.FindLastIndex(bins, b => b != 0) + 1;
            json.WriteNumber("bins", bins.Length);
            json.WriteStartArray("counts"); // up to the last bin in use
            for (int i = 0; i < used; i++)
                json.WriteNumberValue(bins[i]);
            json.WriteEndArray();
            json.WriteStartArray("above"); // [value, samples] of the pressures above the last bin
            foreach ((int value, long count) in p.AboveLastBin())
            {
                json.WriteStartArray();
                json.WriteNumberValue(value);
                json.WriteNumberValue(count);
                json.WriteEndArray();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    private static ProbeOutcome? ReadOutcome(JsonElement parent, string name)
        => parent.TryGetProperty(name, out JsonElement e) ? ReadOutcome(e) : null;

    private static ProbeOutcome ReadOutcome(JsonElement e)
    {
        Histogram? pressure = null;
        if (e.TryGetProperty("pressure", out JsonElement p))
        {
            int binCount = p.GetProperty("bins").GetInt32();
            if (binCount != DmKernel.Traces.Replay.ReplayMetrics.PressureBins)
                throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"pressure.bins is {binCount}: expected {DmKernel.Traces.Replay.ReplayMetrics.PressureBins}."));
            var bins = new long[binCount];
            int i = 0;
            foreach (JsonElement c in p.GetProperty("counts").EnumerateArray())
            {
                if (i == bins.Length)
                    throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"pressure.counts holds more than its {bins.Length} bins."));
                bins[i++] = c.GetInt64();
            }
            pressure = new Histogram(bins.Length - 1);
            pressure.AddBins(bins, p.GetProperty("sum").GetInt64(), p.GetProperty("max").GetInt32());
            if (p.TryGetProperty("above", out JsonElement above))
            {
                foreach (JsonElement pair in above.EnumerateArray())
                {
                    if (pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() != 2)
                        throw new FormatException($"pressure.above holds {pair.GetRawText()}: expected [value, samples].");
                    pressure.AddExactAbove(pair[0].GetInt32(), pair[1].GetInt64());
                }
            }
        }

        foreach (string field in (string[])["hosts", "vms", "warmupTicks", "ticks", "wanted", "unservable", "paging", "unservableShort", "unservableShortMbTicks", "denied", "on", "unmetMbTicks",
            "assignedMbTicks", "demandMbTicks", "peakAssignedMb"])
        {
            if (e.GetProperty(field).GetInt64() < 0)
                throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"{field} is {e.GetProperty(field).GetInt64()}: a probe's counts and sizes are at least 0."));
        }

        return new ProbeOutcome
        {
            Hosts = e.GetProperty("hosts").GetInt32(),
            Vms = e.GetProperty("vms").GetInt32(),
            WarmupTicks = e.GetProperty("warmupTicks").GetInt32(),
            Ticks = e.GetProperty("ticks").GetInt32(),
            WantedVmTicks = e.GetProperty("wanted").GetInt64(),
            UnservableVmTicks = e.GetProperty("unservable").GetInt64(),
            PagingVmTicks = e.GetProperty("paging").GetInt64(),
            UnservableShortVmTicks = e.GetProperty("unservableShort").GetInt64(),
            UnservableShortMbTicks = e.GetProperty("unservableShortMbTicks").GetInt64(),
            DeniedVmTicks = e.GetProperty("denied").GetInt64(),
            OnVmTicks = e.GetProperty("on").GetInt64(),
            UnmetMbTicks = e.GetProperty("unmetMbTicks").GetInt64(),
            AssignedMbTicks = e.GetProperty("assignedMbTicks").GetInt64(),
            DemandMbTicks = e.GetProperty("demandMbTicks").GetInt64(),
            PeakAssignedMb = e.GetProperty("peakAssignedMb").GetInt64(),
            PressurePercentile = e.GetProperty("pressurePercentile").GetInt32(),
            Stopped = e.TryGetProperty("stopped", out JsonElement s) && s.GetBoolean(),
            Pressure = pressure,
            PerVm = [],
        };
    }
}

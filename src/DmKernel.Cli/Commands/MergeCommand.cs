using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DmKernel.Cli.Output;
using DmKernel.Cli.Report;
using DmKernel.Traces;
using DmKernel.Traces.Capacity;
using DmKernel.Traces.Replay;
using StarvingVm = DmKernel.Traces.Replay.StarvingVm;

namespace DmKernel.Cli.Commands;

/// <summary>
/// <c>dmkernel merge DIR... -o OUT</c>: combines the outputs of <c>replay --shard</c> into exactly what one process
/// writes: the same summary.json (apart from its <c>run</c> object), hosts.csv, fleet.csv, placement.csv, report.md with its plots,
/// and state hash. Refuses a missing, duplicated, truncated or changed shard, and shards of other traces or options.
/// </summary>
internal static class MergeCommand
{
    public static Command Create()
    {
        var dirs = new Argument<string[]>("DIR") { Description = "Shard output folders (shard-IIII-of-NNNN written by replay --shard, or compare-shard-IIII-of-NNNN written by compare --shard), or folders holding them.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--output", "-o") { Description = "Output folder for a replay's summary.json, hosts.csv, fleet.csv, placement.csv, report.md and plots, or a comparison's report.md, comparison.json and plots (written only when the merge completes).", HelpName = "DIR", Required = true };
        var command = new Command("merge", "Merge the outputs of replay --shard into one replay's summary.json, hosts.csv, fleet.csv, placement.csv and report.md, or those of compare --shard into one comparison's report.md, comparison.json and plots.") { dirs, output };
        command.SetAction((result, cancel) => Task.FromResult(Cli.Run(() => Run(result.GetValue(dirs)!, result.GetValue(output)!, cancel))));
        return command;
    }

    /// <summary>True (said on stderr) when the merge was interrupted: it stops before its outputs are put in place.</summary>
    private static bool Interrupted(CancellationToken cancel)
    {
        if (!cancel.IsCancellationRequested)
            return false;
        Console.Error.WriteLine("Interrupted; no merged output was written (earlier outputs in the folder are as they were).");
        return true;
    }

    /// <summary>One shard's output folder and its shard.json.</summary>
    private sealed record Shard(string Dir, JsonElement Json)
    {
        public int Index => Json.GetProperty("shard").GetInt32();

        public int Count => Json.GetProperty("shards").GetInt32();

        public int Hosts => Json.GetProperty("hosts").GetInt32();

        /// <summary>True for a shard of compare (compare --shard), false for one of replay.</summary>
        public bool IsCompare => Json.GetProperty("format").GetString() == CompareShard.Format;

        public string File(string name) => Path.Combine(Dir, name);

        public long Total(string name) => Json.GetProperty("totals").GetProperty(name).GetInt64();
    }

    /// <summary>
    /// Merges the shards into <paramref name="outputDir"/>; a cancelled <paramref name="cancel"/> (Ctrl+C, SIGTERM) stops it
    /// between its steps with exit code 130 and nothing written.
    /// </summary>
    public static int Run(string[] dirs, string outputDir, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        List<Shard> shards = Load(dirs);
        try
        {
            return Merge(shards, outputDir, clock, cancel);
        }
        catch (IOException ex) when (!OperatingSystem.IsWindows() && ex.HResult is TooManyOpenFiles or TooManyOpenFilesInSystem)
        {
            // .NET's own words name the file it could not open; the reason is the merge's: it reads the shards' files side
            // by side, one tick at a time, so it holds one file per shard open at once.
            throw new CliError(string.Create(CultureInfo.InvariantCulture, $"{ex.Message.TrimEnd('.')}: merge reads the {shards.Count} shards' series.bin, hosts.csv and placement.csv side by side, so it holds {shards.Count} files open at once, more than this process may open ({(ex.HResult == TooManyOpenFiles ? "ulimit -n: the runtime raises its soft limit to the hard one, ulimit -Hn" : "the system's limit, fs.file-max")}). Raise the limit (in the job's settings, or as root) and merge again; nothing was written."), 1);
        }
    }

    // errno values (Linux and macOS alike) that .NET puts in an IOException's HResult on Unix.
    private const int TooManyOpenFiles = 24, TooManyOpenFilesInSystem = 23;

    private static int Merge(List<Shard> shards, string outputDir, Stopwatch clock, CancellationToken cancel)
    {

        // The merged files have the shards' own names: written into a shard's folder (or one below it) they would replace
        // or bury that shard's outputs, which a later merge then finds changed.
        string output = Path.TrimEndingDirectorySeparator(Path.GetFullPath(outputDir));
        foreach (Shard s in shards)
        {
            string shard = Path.TrimEndingDirectorySeparator(Path.GetFullPath(s.Dir));
            if (output == shard || output.StartsWith(shard + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                throw new CliError($"--output '{outputDir}' is inside the shard folder '{s.Dir}', one of the merge's inputs: the merged files would replace the shard's own. Give a folder outside the shards.");
        }

        if (shards[0].IsCompare)
            return MergeCompare(shards, outputDir, clock, cancel);
        Shard first = shards[0];
        int count = first.Count;
        int hostCount = 0, vmCount = 0;
        long slots = 0;
        foreach (Shard s in shards)
        {
            hostCount += s.Hosts;
            vmCount += s.Json.GetProperty("vms").GetInt32();
            slots += s.Json.GetProperty("slots").GetInt64();
        }

        JsonElement trace = first.Json.GetProperty("trace");
        if (hostCount != trace.GetProperty("hosts").GetInt32() || vmCount != trace.GetProperty("vms").GetInt32())
            throw new CliError(string.Create(CultureInfo.InvariantCulture, $"the {count} shards hold {vmCount} VMs on {hostCount} hosts; the trace has {trace.GetProperty("vms").GetInt32()} on {trace.GetProperty("hosts").GetInt32()}: split the trace again and replay every shard."), 1);

        var metadata = new TraceMetadata();
        foreach (JsonProperty p in trace.GetProperty("metadata").EnumerateObject())
            metadata.Set(p.Name, p.Value.GetString()!);
        var header = new TraceHeader(trace.GetProperty("formatVersion").GetInt32(), trace.GetProperty("tickSeconds").GetDouble(), vmCount,
            trace.GetProperty("ticksInTrace").GetInt64(), hostCount, trace.GetProperty("source").GetString()!, metadata);
        JsonElement jm = first.Json.GetProperty("model");
        ModelParameters model = ModelParameters.Default with
        {
            TickSeconds = jm.GetProperty("tickSeconds").GetDouble(),
            GranularityMb = jm.GetProperty("granularityMb").GetInt32(),
            BootGraceSeconds = jm.GetProperty("bootGraceSeconds").GetDouble(),
            ReclaimPeriodSeconds = jm.GetProperty("reclaimPeriodSeconds").GetDouble(),
            MaxRemovePerSecondMb = jm.GetProperty("maxRemovePerSecondMb").GetInt32(),
            PressureWindowSeconds = jm.GetProperty("pressureWindowSeconds").GetDouble(),
            HostReserveMb = jm.GetProperty("hostReserveMb").GetInt32(),
            MaxCeilingMb = jm.GetProperty("maxCeilingMb").GetInt32(),
            SmartPaging = jm.GetProperty("smartPaging").GetBoolean(),
        };

        using var staged = new StagedOutput(outputDir);
        Series merged = MergeSeries(shards);
        if (Interrupted(cancel))
            return 130;
        long ticks = first.Json.GetProperty("ticks").GetInt64();
        if (merged.Points.Count != ticks)
            throw new CliError(string.Create(CultureInfo.InvariantCulture, $"{first.File(ShardReplay.SeriesBin)} holds {merged.Points.Count} ticks; shard.json says {ticks}."), 1);
        long peak = 0;
        foreach (FleetPoint p in merged.Points)
            peak = Math.Max(peak, p.AssignedMb);

        List<StarvingVm> Listed(string list)
        {
            var vms = new List<StarvingVm>();
            foreach (Shard s in shards)
            {
                foreach (JsonElement v in s.Json.GetProperty(list).EnumerateArray())
                {
                    vms.Add(new StarvingVm(v.GetProperty("vm").GetInt32(), v.GetProperty("id").GetString()!, v.GetProperty("pagingTicks").GetInt32(), v.GetProperty("unmetMbTicks").GetInt64())
                    { UnservableTicks = v.GetProperty("unservableTicks").GetInt32() });
                }
            }

            return vms;
        }

        long tickIndex = first.Json.GetProperty("tickIndex").GetInt64();
        var hashes = new List<(long, ulong)>();
        JsonElement hashTicks = first.Json.GetProperty("hashTicks");
        foreach (Shard s in shards)
        {
            int listed = s.Json.GetProperty("hashTicks").GetArrayLength();
            if (listed != merged.HashPoints.Count)
            {
                throw new CliError(string.Create(CultureInfo.InvariantCulture,
                    $"'{s.File(ShardReplay.ShardJson)}' lists {listed} state-hash ticks (hashTicks); the shards' {ShardReplay.SeriesBin} hold {merged.HashPoints.Count}: the file was changed or damaged: run that shard again."), 1);
            }
        }

        for (int k = 0; k < merged.HashPoints.Count; k++)
            hashes.Add((hashTicks[k].GetInt64(), Fleet.CombineStateHash(merged.HashPoints[k].TickIndex, (int)slots, merged.HashPoints[k].Hashes)));

        long Sum(string name)
        {
            long total = 0;
            foreach (Shard s in shards)
                total += s.Total(name);
            return total;
        }

        var outcome = new ReplayOutcome
        {
            TraceFile = trace.GetProperty("file").GetString()!,
            Header = header,
            Model = model,
            Policy = BalancerPolicy.Parse(first.Json.GetProperty("policy").GetString()!),
            VmCount = vmCount,
            HostCount = hostCount,
            Ticks = ticks,
            PlacedByReplay = first.Json.GetProperty("placedByReplay").GetBoolean(),
            BootTicks = first.Json.TryGetProperty("bootTicks", out JsonElement boot) ? boot.GetInt32() : 0, // the same in every shard: in the fingerprint
            BootVmsOnAtTick0 = (int)shards.Sum(s => s.Json.TryGetProperty("bootVmsOnAtTick0", out JsonElement v) ? v.GetInt64() : 0), // each shard booted its own hosts
            BootVmsStillOff = (int)shards.Sum(s => s.Json.TryGetProperty("bootVmsStillOff", out JsonElement v) ? v.GetInt64() : 0),
            WantedVmTicks = Sum("wantedVmTicks"),
            OnVmTicks = Sum("onVmTicks"),
            PagingVmTicks = Sum("pagingVmTicks"),
            UnservablePagingVmTicks = Sum("unservablePagingVmTicks"),
            DeniedVmTicks = Sum("deniedVmTicks"),
            UnmetMbTicks = Sum("unmetMbTicks"),
            AssignedMbTicks = Sum("assignedMbTicks"),
            DemandMbTicks = Sum("demandMbTicks"),
            PeakAssignedMb = peak,
            SmartPagingVmTicks = Sum("smartPagingVmTicks"),
            SmartPagingMbTicks = Sum("smartPagingMbTicks"),
            ShortHostTicks = Sum("shortHostTicks"),
            Pressure = merged.Pressure,
            HostAvailablePercent = merged.HostAvailable,
            Series = merged.Points,
            AddOperations = Sum("addOperations"),
            AddedMb = Sum("addedMb"),
            RemoveOperations = Sum("removeOperations"),
            RemovedMb = Sum("removedMb"),
            FailedStarts = Sum("failedStarts"),
            StateHash = Fleet.CombineStateHash(tickIndex, (int)slots, merged.FinalHashes),
            StateHashes = hashes,
            Starving = ReplayOutcome.Top(Listed("starving"), ReplayOutcome.StarvingCount),
            StarvingServable = ReplayOutcome.TopServable(Listed("starvingServable"), ReplayOutcome.StarvingCount),
        };

        MergeHosts(shards, staged.File(ShardReplay.HostsCsv));
        if (Interrupted(cancel))
            return 130;
        MergePlacement(shards, staged.File(ShardReplay.PlacementCsv));
        using (FileStream summary = File.Create(staged.File("summary.json")))
        {
            ReplaySummary.Write(summary, outcome, json =>
            {
                json.WriteNumber("shards", count);
                json.WriteStartArray("shardRuns");
                foreach (Shard s in shards)
                {
                    JsonElement run = s.Json.GetProperty("run");
                    json.WriteStartObject();
                    json.WriteNumber("shard", s.Index);
                    foreach (JsonProperty p in run.EnumerateObject())
                        p.WriteTo(json);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteNumber("mergeWallSeconds", Math.Round(clock.Elapsed.TotalSeconds, 4));
                json.WriteString("machine", ReplaySummary.Machine());
            });
        }

        ReplayReport.Write(staged, outcome);
        if (Interrupted(cancel))
            return 130;
        staged.Commit();
        var ic = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(ic, $"Merged {count} shards: {Words.Count(vmCount, "VM")} on {Words.Count(hostCount, "host")} for {Words.Count(ticks, "tick")}, state hash {outcome.StateHash:x16} (in {clock.Elapsed.TotalSeconds:F2} s)."));
        ReplayCommand.PrintFigures(outcome);
        Console.WriteLine($"Outputs: {Path.Combine(staged.Directory, "summary.json")}, hosts.csv, fleet.csv, placement.csv, report.md (+ fleet.png, pressure.png, hosts.png)");
        return 0;
    }

    /// <summary>Finds, reads and checks every shard: complete, unchanged, one of each index, same trace and options.</summary>
    private static List<Shard> Load(string[] dirs)
    {
        var found = new List<string>();
        foreach (string dir in dirs)
        {
            if (File.Exists(dir))
                throw new CliError($"'{dir}' is a file, expected a shard output folder (shard-IIII-of-NNNN written by replay --shard, compare-shard-IIII-of-NNNN by compare --shard) or a folder holding them.", 1);
            if (!Directory.Exists(dir))
                throw new CliError($"shard folder '{dir}' does not exist.", 1);
            if (File.Exists(Path.Combine(dir, ShardReplay.ShardJson)) || IsShardName(Path.GetFileName(Path.TrimEndingDirectorySeparator(dir))))
            {
                found.Add(dir);
                continue;
            }

            var inside = Directory.EnumerateDirectories(dir, "*shard-*-of-*").Where(d => IsShardName(Path.GetFileName(d))).Order(StringComparer.Ordinal).ToList();
            if (inside.Count == 0)
            {
                // A split folder (the shard traces) given for the shard outputs is the likely slip: say so.
                string split = ShardReplay.SplitCounts(dir).Count > 0
                    ? " It holds shard traces (shard-*-of-*.dmt): it is a folder dmkernel split wrote, the input of replay --shard; merge the folder replay --shard -o wrote."
                    : "";
                throw new CliError($"'{dir}' holds no shard outputs (shard-IIII-of-NNNN folders written by replay --shard, compare-shard-IIII-of-NNNN by compare --shard).{split}", 1);
            }
            found.AddRange(inside);
        }

        var shards = new List<Shard>();
        foreach (string dir in found)
        {
            string path = Path.Combine(dir, ShardReplay.ShardJson);
            if (!File.Exists(path))
            {
                string writer = Path.GetFileName(Path.TrimEndingDirectorySeparator(dir)).StartsWith(CompareShard.Prefix, StringComparison.Ordinal) ? "compare --shard" : "replay --shard";
                throw new CliError($"'{dir}' has no {ShardReplay.ShardJson}: that shard did not finish ({writer} writes it last); run it again.", 1);
            }
            JsonElement json;
            try
            {
                using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(path));
                json = doc.RootElement.Clone();
                // "format" of another type than a string is not a shard's (GetString on it threw past every catch).
                string? format = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("format", out JsonElement f) && f.ValueKind == JsonValueKind.String
                    ? f.GetString() : null;
                if (format is not null && (ShardReplay.FormatsBefore.TryGetValue(format, out string? lacks) || CompareShard.FormatsBefore.TryGetValue(format, out lacks)))
                    throw new CliError($"'{path}' was written by an older dmkernel (\"format\": \"{format}\", {lacks}); run that shard again.", 1);
                if (format != ShardReplay.Format && format != CompareShard.Format)
                    throw new CliError($"'{path}' is not a shard summary (expected \"format\": \"{ShardReplay.Format}\" or \"{CompareShard.Format}\").", 1);
            }
            catch (JsonException ex)
            {
                throw new CliError($"'{path}' is truncated or not JSON ({ex.Message}); run that shard again.", 1);
            }

            var shard = new Shard(dir, json);
            try
            {
                CheckFields(shard);
                CheckFiles(shard);
            }
            catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new CliError($"'{path}' lacks a field or has one of the wrong type ({ex.Message}); run that shard again.", 1);
            }

            shards.Add(shard);
        }

        Shard first = shards[0];
        int count = first.Count;
        var byIndex = new Shard?[count];
        var ic = CultureInfo.InvariantCulture;
        foreach (Shard s in shards)
        {
            if (s.IsCompare != first.IsCompare)
                throw new CliError($"'{first.Dir}' is a shard of {(first.IsCompare ? "compare" : "replay")}, '{s.Dir}' one of {(s.IsCompare ? "compare" : "replay")}: merge the shards of one command at a time.", 1);
            if (s.Count != count)
                throw new CliError(string.Create(ic, $"shards of different splits: '{first.Dir}' is one of {count} shards, '{s.Dir}' one of {s.Count}."), 1);
            if (s.Index < 0 || s.Index >= count)
                throw new CliError(string.Create(ic, $"'{s.Dir}' says it is shard {s.Index} of {count}, which does not exist."), 1);
            if (byIndex[s.Index] is Shard other)
                throw new CliError(string.Create(ic, $"shard {s.Index}/{count} is given twice: '{other.Dir}' and '{s.Dir}'."), 1);
            byIndex[s.Index] = s;
        }

        var missing = new List<int>();
        for (int i = 0; i < count; i++)
        {
            if (byIndex[i] is null)
                missing.Add(i);
        }

        if (missing.Count > 0)
            throw new CliError(string.Create(ic, $"shard{(missing.Count > 1 ? "s" : "")} {Words.Ranges(missing)} of {count} missing: the merge needs every shard (found {shards.Count}: {Words.Ranges(shards.Select(s => s.Index).Order())})."), 1);

        var ordered = byIndex.Select(s => s!).ToList();
        string fingerprint = ordered[0].Json.GetProperty("fingerprint").GetString()!;
        RunFingerprint? parsed = null;
        foreach (Shard s in ordered)
        {
            string other = s.Json.GetProperty("fingerprint").GetString()!;
            if (other == fingerprint)
                continue;
            parsed ??= FromText(fingerprint);
            IReadOnlyList<string>? differences = parsed?.Differences(other, string.Create(CultureInfo.InvariantCulture, $"in shard {s.Index}"), "in shard 0");
            string verb = first.IsCompare ? "compared" : "replayed", again = first.IsCompare ? "Run compare --shard" : "Replay every shard";
            throw new CliError(differences is { Count: > 0 }
                ? string.Create(CultureInfo.InvariantCulture, $"shard {s.Index} ('{s.Dir}') was {verb} from another trace or with other options than shard 0 ('{ordered[0].Dir}'): {string.Join("; ", differences)}. {again} with the same command.")
                : string.Create(CultureInfo.InvariantCulture, $"shard {s.Index} ('{s.Dir}') was {verb} from another trace or with other options than shard 0 ('{ordered[0].Dir}')."), 1);
        }

        if (first.IsCompare)
            return ordered;

        int nextHost = 0;
        foreach (Shard s in ordered)
        {
            if (s.Json.GetProperty("firstHost").GetInt32() != nextHost)
                throw new CliError(string.Create(ic, $"shard {s.Index} starts at host {s.Json.GetProperty("firstHost").GetInt32()}, expected {nextHost}: the shards come from different splits."), 1);
            nextHost += s.Hosts;
        }

        return ordered;
    }

    private static bool IsShardName(string name)
        => (name.StartsWith("shard-", StringComparison.Ordinal) || name.StartsWith(CompareShard.Prefix + "shard-", StringComparison.Ordinal)) && name.Contains("-of-", StringComparison.Ordinal);

    /// <summary>
    /// The shards of compare: the union of their search results assembled into one comparison, written as one compare
    /// process writes it (report.md, comparison.json, density.png, policies.png); comparison.json's <c>run</c> lists the shards' runs.
    /// </summary>
    private static int MergeCompare(List<Shard> shards, string outputDir, Stopwatch clock, CancellationToken cancel)
    {
        CapacityOptions? options = null;
        CapacityFacts? facts = null;
        string? firstOptionsAndFacts = null;
        var outcomes = new List<SearchOutcome>();
        foreach (Shard s in shards)
        {
            string path = s.File(CompareShard.SearchesJson);
            try
            {
                (CapacityOptions o, CapacityFacts f, List<SearchOutcome> results) = CompareShard.Read(path);
                // Every shard ran the same comparison: its options and facts as shard 0's, byte for byte (a re-sealed edit
                // of one shard's, such as hostsPerProbe, was merged with the others').
                string optionsAndFacts = CompareShard.OptionsAndFacts(path);
                if ((firstOptionsAndFacts ??= optionsAndFacts) != optionsAndFacts)
                    throw new CliError(string.Create(CultureInfo.InvariantCulture, $"'{path}' records other options or facts than shard {shards[0].Index}'s ('{shards[0].File(CompareShard.SearchesJson)}'): the shards come from different comparisons; run every shard with the same command."), 1);
                (options, facts) = (options ?? o, facts ?? f);
                var ran = s.Json.GetProperty("ran").EnumerateArray().Select(e => e.GetInt32()).ToList();
                if (!ran.SequenceEqual(results.Select(r => r.Index)))
                    throw new CliError($"'{path}' does not hold the searches its shard.json lists; run that shard again.", 1);
                outcomes.AddRange(results);
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
            {
                throw new CliError($"'{path}' is not a compare shard's search results ({ex.Message}); run that shard again.", 1);
            }
        }

        int searches = shards[0].Json.GetProperty("searches").GetInt32();
        CapacityResult result;
        try
        {
            result = CapacityStudy.Assemble(options!, facts!, outcomes);
        }
        catch (ArgumentException ex)
        {
            throw new CliError(string.Create(CultureInfo.InvariantCulture,
                $"the {shards.Count} shards do not hold each of the comparison's {searches} searches once ({ex.Message.Split(" (Parameter", 2)[0]}): they come from different versions of dmkernel; run every shard again."), 1);
        }

        // The report's time is the slowest shard's: what the comparison took with its shards run side by side.
        double seconds = shards.Max(s => s.Json.GetProperty("run").GetProperty("wallSeconds").GetDouble());
        using var staged = new StagedOutput(outputDir);
        CompareCommand.WriteOutputs(staged, result, seconds, json =>
        {
            json.WriteNumber("shards", shards.Count);
            json.WriteStartArray("shardRuns");
            foreach (Shard s in shards)
            {
                json.WriteStartObject();
                json.WriteNumber("shard", s.Index);
                foreach (JsonProperty p in s.Json.GetProperty("run").EnumerateObject())
                    p.WriteTo(json);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteNumber("mergeWallSeconds", Math.Round(clock.Elapsed.TotalSeconds, 4));
        });
        if (Interrupted(cancel))
            return 130;
        staged.Commit();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Merged {shards.Count} compare shards: {searches} searches of {result.Trace} (in {clock.Elapsed.TotalSeconds:F2} s)."));
        CompareCommand.PrintResult(result, seconds, staged.Directory);
        return 0;
    }

    private static RunFingerprint? FromText(string text)
    {
        IReadOnlyList<KeyValuePair<string, string>>? items = RunFingerprint.TryParse(text);
        if (items is null)
            return null;
        var f = new RunFingerprint();
        foreach (KeyValuePair<string, string> kv in items)
            f.Add(kv.Key, kv.Value);
        return f;
    }

    /// <summary>
    /// Every field of shard.json the merge reads is there, of its type and in its range, checked before anything is merged:
    /// a hand-edited or damaged shard.json (a total as a string, a field missing, a negative count, more paging VM-ticks than
    /// VM-ticks on, a starving VM the trace does not have) is refused naming the file and the field, instead of failing
    /// half-way with the runtime's message or merging a percentage from impossible totals. shard.json has no checksum of its
    /// own (it holds the other files' checksums), so a consistent edit within the ranges is not detected.
    /// </summary>
    private static void CheckFields(Shard s)
    {
        string path = s.File(ShardReplay.ShardJson);
        JsonElement j = s.Json;
        long count = Whole(path, j, "shards", 1, int.MaxValue);
        Whole(path, j, "shard", 0, count - 1);
        Text(path, j, "fingerprint");
        Obj(path, j, "run");
        foreach (JsonProperty f in Obj(path, j, "files").EnumerateObject())
        {
            Whole(path, f.Value, "bytes", 0, long.MaxValue, $"files.{f.Name}.");
            Text(path, f.Value, "xxhash64", $"files.{f.Name}.");
        }

        if (s.IsCompare)
        {
            long searches = Whole(path, j, "searches", 1, int.MaxValue);
            Text(path, j, "trace");
            foreach (JsonElement e in Arr(path, j, "ran").EnumerateArray())
            {
                if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt64(out long v) || v < 0 || v >= searches)
                    throw Bad(path, "ran[]", e, string.Create(CultureInfo.InvariantCulture, $"search numbers from 0 to {searches - 1}"));
            }

            Real(path, Obj(path, j, "run"), "wallSeconds", "run.");
            return;
        }

        JsonElement trace = Obj(path, j, "trace");
        long traceVms = Whole(path, trace, "vms", 0, int.MaxValue, "trace.");
        long traceHosts = Whole(path, trace, "hosts", 0, int.MaxValue, "trace.");
        Whole(path, trace, "formatVersion", 0, int.MaxValue, "trace.");
        Whole(path, trace, "ticksInTrace", 0, long.MaxValue, "trace.");
        if (Real(path, trace, "tickSeconds", "trace.") <= 0)
            throw Bad(path, "trace.tickSeconds", trace.GetProperty("tickSeconds"), "a positive number of seconds");
        Text(path, trace, "file", "trace.");
        Text(path, trace, "source", "trace.");
        foreach (JsonProperty m in Obj(path, trace, "metadata", "trace.").EnumerateObject())
            Text(path, trace.GetProperty("metadata"), m.Name, "trace.metadata.");

        long vms = Whole(path, j, "vms", 0, traceVms);
        long hosts = Whole(path, j, "hosts", 0, traceHosts);
        Whole(path, j, "firstHost", 0, traceHosts);
        long slots = Whole(path, j, "slots", vms, int.MaxValue);
        long ticks = Whole(path, j, "ticks", 0, long.MaxValue);
        Whole(path, j, "tickIndex", 0, long.MaxValue);
        if (j.TryGetProperty("bootTicks", out _))
        {
            Whole(path, j, "bootTicks", 1, ReplayOptions.MaxBootTicks);
            if (!j.TryGetProperty("bootVmsStillOff", out _))
                throw new CliError($"'{path}' was written by an older dmkernel, which did not record how many VMs the boot left off (bootVmsStillOff); run that shard again.", 1);
            long bootOn = Whole(path, j, "bootVmsOnAtTick0", 0, vms);
            Whole(path, j, "bootVmsStillOff", 0, bootOn);
        }
        Bool(path, j, "placedByReplay");
        try
        {
            BalancerPolicy.Parse(Text(path, j, "policy"));
        }
        catch (ArgumentException ex)
        {
            throw new CliError($"'{path}': policy: {ex.Message.Split(" (Parameter", 2)[0]}; run that shard again.", 1);
        }

        JsonElement jm = Obj(path, j, "model");
        try
        {
            (ModelParameters.Default with
            {
                TickSeconds = Real(path, jm, "tickSeconds", "model."),
                GranularityMb = (int)Whole(path, jm, "granularityMb", int.MinValue, int.MaxValue, "model."),
                BootGraceSeconds = Real(path, jm, "bootGraceSeconds", "model."),
                ReclaimPeriodSeconds = Real(path, jm, "reclaimPeriodSeconds", "model."),
                MaxRemovePerSecondMb = (int)Whole(path, jm, "maxRemovePerSecondMb", int.MinValue, int.MaxValue, "model."),
                PressureWindowSeconds = Real(path, jm, "pressureWindowSeconds", "model."),
                HostReserveMb = (int)Whole(path, jm, "hostReserveMb", int.MinValue, int.MaxValue, "model."),
                MaxCeilingMb = (int)Whole(path, jm, "maxCeilingMb", int.MinValue, int.MaxValue, "model."),
                SmartPaging = Bool(path, jm, "smartPaging", "model."),
            }).Validate();
        }
        catch (ModelParameterException ex)
        {
            throw new CliError($"'{path}': model: {ex.Message}; run that shard again.", 1);
        }

        // Totals: counts of VM-ticks and host-ticks are bounded by the shard's VMs (or hosts) times its ticks; the others are
        // sums of MB, never negative.
        JsonElement t = Obj(path, j, "totals");
        static long Times(long a, long b) => b == 0 || a <= long.MaxValue / b ? a * b : long.MaxValue;
        long wanted = Whole(path, t, "wantedVmTicks", 0, Times(vms, ticks), "totals.");
        long on = Whole(path, t, "onVmTicks", 0, Times(slots, ticks), "totals.");
        long paging = Whole(path, t, "pagingVmTicks", 0, on, "totals.");
        Whole(path, t, "unservablePagingVmTicks", 0, paging, "totals.");
        Whole(path, t, "smartPagingVmTicks", 0, on, "totals.");
        Whole(path, t, "deniedVmTicks", 0, wanted, "totals.");
        Whole(path, t, "shortHostTicks", 0, Times(hosts, ticks), "totals.");
        foreach (string name in (string[])["unmetMbTicks", "assignedMbTicks", "demandMbTicks", "smartPagingMbTicks", "addOperations", "addedMb", "removeOperations", "removedMb", "failedStarts"])
            Whole(path, t, name, 0, long.MaxValue, "totals.");

        JsonElement p = Obj(path, j, "pressure"), a = Obj(path, j, "hostAvailablePercent");
        Whole(path, p, "sum", 0, long.MaxValue, "pressure.");
        Whole(path, p, "max", 0, ReplayMetrics.MaxPressure, "pressure.");
        Whole(path, a, "sum", 0, long.MaxValue, "hostAvailablePercent.");
        Whole(path, a, "max", 0, 100, "hostAvailablePercent.");
        foreach (string list in (ReadOnlySpan<string>)["starving", "starvingServable"])
        {
            var listedVms = new HashSet<long>();
            string at = list + "[].";
            foreach (JsonElement v in Arr(path, j, list).EnumerateArray())
            {
                if (!listedVms.Add(Whole(path, v, "vm", 0, traceVms - 1, at)))
                    throw Bad(path, at + "vm", v.GetProperty("vm"), "each VM once (a shard lists its starving VMs once each)");
                Text(path, v, "id", at);
                // A VM in the servable list has servable paging: a paging tick at least, fewer unservable ticks than paging ticks.
                int servable = list == "starving" ? 0 : 1;
                long pagingTicks = Whole(path, v, "pagingTicks", servable, Math.Min(ticks, int.MaxValue), at);
                Whole(path, v, "unservableTicks", 0, pagingTicks - servable, at);
                Whole(path, v, "unmetMbTicks", 0, long.MaxValue, at);
            }
        }

        foreach (JsonElement e in Arr(path, j, "hashTicks").EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt64(out long v) || v < 0)
                throw Bad(path, "hashTicks[]", e, "tick numbers of at least 0");
        }
    }

    private static CliError Bad(string path, string field, JsonElement value, string expected)
    {
        string shown = value.GetRawText();
        if (shown.Length > 40)
            shown = shown[..40] + "...";
        return new CliError($"'{path}': {field} is {shown}: expected {expected}; the file was changed or damaged: run that shard again.", 1);
    }

    private static JsonElement Field(string path, JsonElement parent, string name, string prefix)
    {
        if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(name, out JsonElement e))
            throw new CliError($"'{path}' lacks the field {prefix}{name}; the file was changed or damaged: run that shard again.", 1);
        return e;
    }

    private static long Whole(string path, JsonElement parent, string name, long min, long max, string prefix = "")
    {
        JsonElement e = Field(path, parent, name, prefix);
        if (e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out long v) && v >= min && v <= max)
            return v;
        throw Bad(path, prefix + name, e, string.Create(CultureInfo.InvariantCulture, $"a whole number from {min} to {max}"));
    }

    private static double Real(string path, JsonElement parent, string name, string prefix = "")
    {
        JsonElement e = Field(path, parent, name, prefix);
        if (e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out double v) && double.IsFinite(v) && v >= 0)
            return v;
        throw Bad(path, prefix + name, e, "a finite number of at least 0");
    }

    private static string Text(string path, JsonElement parent, string name, string prefix = "")
    {
        JsonElement e = Field(path, parent, name, prefix);
        return e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Bad(path, prefix + name, e, "a string");
    }

    private static bool Bool(string path, JsonElement parent, string name, string prefix = "")
    {
        JsonElement e = Field(path, parent, name, prefix);
        return e.ValueKind is JsonValueKind.True or JsonValueKind.False ? e.GetBoolean() : throw Bad(path, prefix + name, e, "true or false");
    }

    private static JsonElement Obj(string path, JsonElement parent, string name, string prefix = "")
    {
        JsonElement e = Field(path, parent, name, prefix);
        return e.ValueKind == JsonValueKind.Object ? e : throw Bad(path, prefix + name, e, "an object");
    }

    private static JsonElement Arr(string path, JsonElement parent, string name, string prefix = "")
    {
        JsonElement e = Field(path, parent, name, prefix);
        return e.ValueKind == JsonValueKind.Array ? e : throw Bad(path, prefix + name, e, "an array");
    }

    /// <summary>Every file shard.json lists is there with the length and checksum the shard wrote.</summary>
    private static void CheckFiles(Shard s)
    {
        foreach (JsonProperty f in s.Json.GetProperty("files").EnumerateObject())
        {
            string path = s.File(f.Name);
            if (!File.Exists(path))
                throw new CliError($"'{path}' is missing (the shard wrote it; shard.json lists it).", 1);
            long expected = f.Value.GetProperty("bytes").GetInt64();
            (long bytes, string hash) = ShardReplay.Checksum(path);
            if (bytes != expected)
            {
                throw new CliError(string.Create(CultureInfo.InvariantCulture,
                    $"'{path}' is {(bytes < expected ? "truncated" : "longer than written")}: {bytes} bytes, the shard wrote {expected}; copy it again or run that shard again."), 1);
            }

            if (hash != f.Value.GetProperty("xxhash64").GetString())
                throw new CliError($"'{path}' was changed after the shard wrote it (checksum {hash}, the shard wrote {f.Value.GetProperty("xxhash64").GetString()}); copy it again or run that shard again.", 1);
        }
    }

    private sealed record Series(List<FleetPoint> Points, Histogram Pressure, Histogram HostAvailable, ulong[] FinalHashes, List<(long TickIndex, ulong[] Hashes)> HashPoints);

    /// <summary>Reads every shard's series.bin in step: per-tick sums, histograms, host hashes.</summary>
    private static Series MergeSeries(List<Shard> shards)
    {
        var readers = new BinaryReader[shards.Count];
        try
        {
            for (int s = 0; s < shards.Count; s++)
            {
                readers[s] = new BinaryReader(new BufferedStream(File.OpenRead(shards[s].File(ShardReplay.SeriesBin)), 1 << 16));
                if (readers[s].ReadString() != ShardReplay.SeriesMagic || readers[s].ReadInt32() != shards[s].Hosts)
                    throw new CliError($"'{shards[s].File(ShardReplay.SeriesBin)}' is not the series of this shard.", 1);
            }

            var points = new List<FleetPoint>();
            var hostBins = new long[101];
            var hostsThisTick = new Histogram(100);
            while (true)
            {
                byte more = readers[0].ReadByte();
                for (int s = 1; s < readers.Length; s++)
                {
                    if (readers[s].ReadByte() != more)
                        throw new CliError($"the shards' series have different lengths ('{shards[0].Dir}' and '{shards[s].Dir}'): they come from different replays.", 1);
                }

                if (more == 0)
                    break;
                long tick = 0, assigned = 0, demand = 0, available = 0;
                int paging = 0, on = 0, shortHosts = 0, max = 0;
                Array.Clear(hostBins);
                for (int s = 0; s < readers.Length; s++)
                {
                    BinaryReader r = readers[s];
                    long t = r.ReadInt64();
                    if (s == 0)
                        tick = t;
                    else if (t != tick)
                        throw new CliError(string.Create(CultureInfo.InvariantCulture, $"the shards' series disagree on the tick ({tick} and {t}): they come from different replays."), 1);
                    long sAssigned = r.ReadInt64(), sDemand = r.ReadInt64(), sAvailable = r.ReadInt64();
                    int sPaging = r.ReadInt32(), sOn = r.ReadInt32(), sShort = r.ReadInt32();
                    int hostsHere = shards[s].Hosts, used = r.ReadByte(), counted = 0;
                    if (t < 0 || sAssigned < 0 || sDemand < 0 || sAvailable < 0 || sOn < 0 || sPaging < 0 || sPaging > sOn || sShort < 0 || sShort > hostsHere || used > 101)
                        throw BadSeries(shards[s], string.Create(CultureInfo.InvariantCulture, $"tick {t} reads assigned {sAssigned} MB, demand {sDemand} MB, available {sAvailable} MB, {sPaging} paging of {sOn} VMs on, {sShort} short of {hostsHere} hosts, {used} host bins"));
                    for (int i = 0; i < used; i++)
                    {
                        int bin = r.ReadByte(), hostsInBin = r.ReadInt32();
                        if (bin > 100 || hostsInBin < 1 || hostsInBin > hostsHere - counted)
                            throw BadSeries(shards[s], string.Create(CultureInfo.InvariantCulture, $"tick {t} puts {hostsInBin} hosts in the {bin} % available bin"));
                        counted += hostsInBin;
                        hostBins[bin] += hostsInBin;
                        max = Math.Max(max, bin);
                    }

                    if (counted != hostsHere)
                        throw BadSeries(shards[s], string.Create(CultureInfo.InvariantCulture, $"tick {t} counts {counted} hosts in its available bins, the shard has {hostsHere}"));
                    assigned += sAssigned;
                    demand += sDemand;
                    available += sAvailable;
                    paging += sPaging;
                    on += sOn;
                    shortHosts += sShort;
                }

                hostsThisTick.Clear();
                hostsThisTick.AddBins(hostBins, 0, max);
                points.Add(new FleetPoint(tick, assigned, demand, available, paging, on, shortHosts,
                    hostsThisTick.Percentile(5), hostsThisTick.Percentile(50), hostsThisTick.Percentile(95)));
            }

            var pressureBins = new long[ReplayMetrics.PressureBins];
            var availableBins = new long[101];
            long pressureSum = 0, availableSum = 0;
            int pressureMax = 0, availableMax = 0;
            for (int s = 0; s < readers.Length; s++)
            {
                int pressureTop = AddBins(readers[s], pressureBins, shards[s]), availableTop = AddBins(readers[s], availableBins, shards[s]);
                JsonElement p = shards[s].Json.GetProperty("pressure"), a = shards[s].Json.GetProperty("hostAvailablePercent");
                int shardPressureMax = p.GetProperty("max").GetInt32(), shardAvailableMax = a.GetProperty("max").GetInt32();
                if (shardPressureMax < pressureTop || shardAvailableMax < availableTop)
                {
                    throw new CliError(string.Create(CultureInfo.InvariantCulture,
                        $"'{shards[s].File(ShardReplay.ShardJson)}': pressure.max {shardPressureMax} and hostAvailablePercent.max {shardAvailableMax}, but its series.bin holds samples up to {pressureTop} % and {availableTop} %; the file was changed or damaged: run that shard again."), 1);
                }

                pressureSum += p.GetProperty("sum").GetInt64();
                pressureMax = Math.Max(pressureMax, shardPressureMax);
                availableSum += a.GetProperty("sum").GetInt64();
                availableMax = Math.Max(availableMax, shardAvailableMax);
            }

            var pressure = new Histogram(ReplayMetrics.PressureBins - 1);
            pressure.AddBins(pressureBins, pressureSum, pressureMax);
            for (int s = 0; s < readers.Length; s++)
                AddAbove(readers[s], pressure, shards[s]);
            var hostAvailable = new Histogram(100);
            hostAvailable.AddBins(availableBins, availableSum, availableMax);

            int total = 0;
            foreach (Shard s in shards)
                total += s.Hosts;
            var final = new ulong[total];
            int at = 0;
            for (int s = 0; s < readers.Length; s++)
            {
                for (int h = 0; h < shards[s].Hosts; h++)
                    final[at++] = readers[s].ReadUInt64();
            }

            var hashPoints = new List<(long, ulong[])>();
            int points0 = readers[0].ReadInt32();
            for (int s = 1; s < readers.Length; s++)
            {
                if (readers[s].ReadInt32() != points0)
                    throw new CliError($"the shards recorded different numbers of state hashes ('{shards[0].Dir}' and '{shards[s].Dir}').", 1);
            }

            for (int k = 0; k < points0; k++)
            {
                var hashes = new ulong[total];
                long tickIndex = 0;
                at = 0;
                for (int s = 0; s < readers.Length; s++)
                {
                    tickIndex = readers[s].ReadInt64();
                    for (int h = 0; h < shards[s].Hosts; h++)
                        hashes[at++] = readers[s].ReadUInt64();
                }

                hashPoints.Add((tickIndex, hashes));
            }

            for (int s = 0; s < readers.Length; s++)
            {
                if (readers[s].BaseStream.ReadByte() != -1)
                    throw BadSeries(shards[s], "bytes follow the end of the series");
            }

            return new Series(points, pressure, hostAvailable, final, hashPoints);
        }
        catch (EndOfStreamException)
        {
            throw new CliError("a shard's series.bin ends early: run that shard again.", 1);
        }
        finally
        {
            foreach (BinaryReader? r in readers)
                r?.Dispose();
        }
    }

    /// <summary>A shard's pressures above the last bin, value by value (after its bins).</summary>
    private static void AddAbove(BinaryReader r, Histogram pressure, Shard shard)
    {
        int n = r.ReadInt32();
        if (n < 0)
            throw new CliError(string.Create(CultureInfo.InvariantCulture, $"'{shard.File(ShardReplay.SeriesBin)}' records {n} pressures above 1000 %: run that shard again."), 1);
        for (int i = 0; i < n; i++)
        {
            int value = r.ReadInt32();
            long count = r.ReadInt64();
            try
            {
                pressure.AddExactAbove(value, count);
            }
            catch (Exception ex) when (ex is ArgumentOutOfRangeException or InvalidOperationException)
            {
                throw new CliError(string.Create(CultureInfo.InvariantCulture, $"'{shard.File(ShardReplay.SeriesBin)}' records {count} pressures of {value} % that its histogram does not hold ({ex.Message}): run that shard again."), 1);
            }
        }
    }

    /// <summary>A shard's series.bin that holds what no replay writes (its checksum re-sealed, or a bug): named, refused.</summary>
    private static CliError BadSeries(Shard shard, string what)
        => new($"'{shard.File(ShardReplay.SeriesBin)}' holds values no replay writes ({what}): run that shard again.", 1);

    /// <summary>Adds a shard's histogram to <paramref name="bins"/>; returns its highest bin that holds samples (0 when none).</summary>
    private static int AddBins(BinaryReader r, long[] bins, Shard shard)
    {
        int top = 0;
        int n = r.ReadInt32();
        if (n != bins.Length)
            throw new CliError(string.Create(CultureInfo.InvariantCulture, $"a shard's histogram has {n} bins, expected {bins.Length}."), 1);
        for (int i = 0; i < n; i++)
        {
            long count = r.ReadInt64();
            if (count < 0)
                throw BadSeries(shard, string.Create(CultureInfo.InvariantCulture, $"{count} samples in a histogram bin"));
            bins[i] += count;
            if (count > 0)
                top = i;
        }

        return top;
    }

    /// <summary>Every shard's <paramref name="name"/>, open for reading; those already open are closed if one cannot be opened.</summary>
    private static List<StreamReader> OpenAll(List<Shard> shards, string name)
    {
        var readers = new List<StreamReader>(shards.Count);
        try
        {
            foreach (Shard s in shards)
                readers.Add(new StreamReader(s.File(name), Encoding.UTF8, false, 1 << 16));
            return readers;
        }
        catch
        {
            foreach (StreamReader r in readers)
                r.Dispose();
            throw;
        }
    }

    /// <summary>hosts.csv: for each sampled tick, every shard's rows in shard order (so hosts in order).</summary>
    private static void MergeHosts(List<Shard> shards, string path)
    {
        List<StreamReader> readers = OpenAll(shards, ShardReplay.HostsCsv);
        try
        {
            using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
            string? header = null;
            foreach (StreamReader r in readers)
            {
                string? h = r.ReadLine();
                if (header is not null && h != header)
                    throw new CliError("the shards' hosts.csv files have different headers.", 1);
                header = h;
            }

            w.WriteLine(header);
            while (true)
            {
                bool any = false, all = true;
                for (int s = 0; s < readers.Count; s++)
                {
                    for (int k = 0; k < shards[s].Hosts; k++)
                    {
                        string? line = readers[s].ReadLine();
                        if (line is null)
                        {
                            all = false;
                            break;
                        }

                        any = true;
                        w.WriteLine(line);
                    }
                }

                if (!any)
                    break;
                if (!all)
                    throw new CliError("the shards' hosts.csv files hold different numbers of ticks: they come from different replays.", 1);
            }
        }
        finally
        {
            foreach (StreamReader r in readers)
                r.Dispose();
        }
    }

    /// <summary>
    /// placement.csv: every shard's rows (each in trace VM order) merged by VM index. Each shard's starving VMs
    /// (shard.json's <c>starving</c>) must have their placement row in that shard, under the id shard.json gives them.
    /// </summary>
    private static void MergePlacement(List<Shard> shards, string path)
    {
        // shard.json's starving VMs (both lists): VM index -> (shard, id), checked against the rows as they pass. A VM may
        // be in both lists of its shard, under one id and with the same figures.
        var starving = new Dictionary<int, (int Shard, string Id)>();
        var figures = new Dictionary<int, string>();
        for (int s = 0; s < shards.Count; s++)
        {
            foreach (string list in (ReadOnlySpan<string>)["starving", "starvingServable"])
            {
                foreach (JsonElement v in shards[s].Json.GetProperty(list).EnumerateArray())
                {
                    int vm = v.GetProperty("vm").GetInt32();
                    string id = v.GetProperty("id").GetString()!;
                    string figure = string.Create(CultureInfo.InvariantCulture,
                        $"pagingTicks {v.GetProperty("pagingTicks").GetInt32()}, unservableTicks {v.GetProperty("unservableTicks").GetInt32()}, unmetMbTicks {v.GetProperty("unmetMbTicks").GetInt64()}");
                    if (starving.TryGetValue(vm, out (int Shard, string Id) before))
                    {
                        if (before.Shard != s)
                            throw new CliError(string.Create(CultureInfo.InvariantCulture, $"'{shards[s].File(ShardReplay.ShardJson)}' lists VM {vm} among its starving VMs, as does '{shards[before.Shard].File(ShardReplay.ShardJson)}': a VM is in one shard only: the file was changed or damaged: run that shard again."), 1);
                        if (before.Id != id)
                            throw new CliError(string.Create(CultureInfo.InvariantCulture, $"'{shards[s].File(ShardReplay.ShardJson)}' lists VM {vm} as starving with ids '{before.Id}' and '{id}': the file was changed or damaged: run that shard again."), 1);
                        if (figures[vm] != figure)
                            throw new CliError(string.Create(CultureInfo.InvariantCulture, $"'{shards[s].File(ShardReplay.ShardJson)}' lists VM {vm} with {figures[vm]} in starving and {figure} in starvingServable: the file was changed or damaged: run that shard again."), 1);
                    }
                    else
                    {
                        starving.Add(vm, (s, id));
                        figures.Add(vm, figure);
                    }
                }
            }
        }

        List<StreamReader> readers = OpenAll(shards, ShardReplay.PlacementCsv);
        var record = new StringBuilder();
        try
        {
            using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
            string? header = null;
            foreach (StreamReader r in readers)
                header = ReadRecord(r, record);
            w.WriteLine(header);
            var queue = new PriorityQueue<(int Shard, string Line), int>();
            void Next(int s)
            {
                string? line = ReadRecord(readers[s], record);
                if (line is null)
                    return;
                int comma = line.IndexOf(',', StringComparison.Ordinal);
                if (comma <= 0 || !int.TryParse(line.AsSpan(0, comma), NumberStyles.None, CultureInfo.InvariantCulture, out int vm))
                    throw new CliError($"'{shards[s].File(ShardReplay.PlacementCsv)}': a row does not start with a VM index: '{line}'.", 1);
                if (starving.Remove(vm, out (int Shard, string Id) listed))
                {
                    string id = IdField(line, comma + 1);
                    if (listed.Shard != s || id != listed.Id)
                    {
                        throw new CliError(string.Create(CultureInfo.InvariantCulture,
                            $"'{shards[listed.Shard].File(ShardReplay.ShardJson)}' lists VM {vm} as starving with id '{listed.Id}'; '{shards[s].File(ShardReplay.PlacementCsv)}' places VM {vm} as '{id}': the file was changed or damaged: run that shard again."), 1);
                    }
                }

                queue.Enqueue((s, line), vm);
            }

            for (int s = 0; s < readers.Count; s++)
                Next(s);
            while (queue.TryDequeue(out (int Shard, string Line) item, out _))
            {
                w.WriteLine(item.Line);
                Next(item.Shard);
            }

            foreach ((int vm, (int shard, _)) in starving)
                throw new CliError(string.Create(CultureInfo.InvariantCulture, $"'{shards[shard].File(ShardReplay.ShardJson)}' lists VM {vm} as starving; no shard's {ShardReplay.PlacementCsv} places it: the file was changed or damaged: run that shard again."), 1);
        }
        finally
        {
            foreach (StreamReader r in readers)
                r.Dispose();
        }
    }

    /// <summary>
    /// The next record of a placement.csv as written (its line break dropped), or null at the end: a quoted field may
    /// hold line breaks (RFC 4180), kept as they are, <c>\r</c> included; outside quotes a record ends at <c>\n</c> or
    /// <c>\r\n</c>.
    /// </summary>
    private static string? ReadRecord(StreamReader r, StringBuilder record)
    {
        record.Clear();
        bool quoted = false;
        int c;
        while ((c = r.Read()) >= 0)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && c == '\n')
            {
                if (record.Length > 0 && record[^1] == '\r')
                    record.Length--;
                return record.ToString();
            }

            record.Append((char)c);
        }

        return record.Length == 0 ? null : record.ToString();
    }

    /// <summary>The VM id field of a placement.csv record, starting at <paramref name="start"/>, unquoted.</summary>
    private static string IdField(string line, int start)
    {
        if (start >= line.Length || line[start] != '"')
        {
            int end = line.IndexOf(',', start);
            return line[start..(end < 0 ? line.Length : end)];
        }

        var id = new StringBuilder();
        for (int i = start + 1; i < line.Length; i++)
        {
            if (line[i] != '"')
                id.Append(line[i]);
            else if (i + 1 < line.Length && line[i + 1] == '"')
                id.Append(line[++i]);
            else
                break;
        }

        return id.ToString();
    }
}

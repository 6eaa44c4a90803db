using System.CommandLine;
using System.Globalization;
using System.IO.Hashing;
using System.Text;
using DmKernel.Cli.Output;
using DmKernel.Cli.Report;
using DmKernel.Traces;
using DmKernel.Traces.Capacity;
using DmKernel.Traces.Replay;

namespace DmKernel.Cli.Commands;

/// <summary><c>dmkernel replay FILE -o DIR</c>: replays a native trace and writes summary.json, hosts.csv and report.md with plots.</summary>
internal static class ReplayCommand
{
    /// <summary>"--host-series-every 0 is out of range: expected at least 1.", whatever the value typed.</summary>
    private static Func<string, string> AtLeastOne(string option) => value => $"{option} {value} is out of range: expected at least 1.";

    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "Native trace file (.dmt) to replay, or the folder dmkernel split wrote (with --shard, or a scheduler's index)." };
        var output = new Option<string>("--output", "-o") { Description = "Output folder for summary.json, hosts.csv, fleet.csv, placement.csv and report.md (created if missing; earlier outputs are replaced only when the replay completes).", HelpName = "DIR", Required = true };
        var every = new Option<int?>("--host-series-every") { Description = "Write hosts.csv rows every N ticks (at least 1). [default: about 500 samples per host]", HelpName = "TICKS" };
        var checkpointEvery = new Option<long?>("--checkpoint-every") { Description = "Save a checkpoint in DIR/.checkpoint every N ticks (at least 1), so that --resume can continue an interrupted replay. [default: no checkpoints]", HelpName = "TICKS" };
        var policy = new Option<string>("--policy") { Description = "The balancer policy: hyperv (Hyper-V Dynamic Memory), static, squeezed (Xen), mom (oVirt MoM) or esx (VMware ESX), with its defaults or with parameters, e.g. esx:idleTaxPerMille=0 (docs/policies.md).", HelpName = "hyperv|static|squeezed|mom|esx", DefaultValueFactory = _ => "hyperv" };
        var resume = new Option<bool>("--resume") { Description = "Continue the interrupted replay whose checkpoint is in DIR/.checkpoint (same trace and settings; the error names any setting that differs). [default: off]" };
        var shard = new Option<string>("--shard") { Description = "Replay only shard INDEX of COUNT of a trace split by dmkernel split (FILE is the split's folder); outputs go to DIR/shard-INDEX-of-COUNT/ for dmkernel merge. [default: JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN (Slurm array) when FILE is a split folder]", HelpName = "INDEX/COUNT" };
        var shards = new Option<int?>("--shards") { Description = "Number of shards when the index comes from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID. [default: the split folder's, else SLURM_ARRAY_TASK_COUNT; refused where they differ]", HelpName = "N" };
        var bootTicks = new Option<int>("--boot-ticks") { Description = "Before the trace's first tick, run the fleet this many ticks with every VM at its tick-0 value, unmeasured (0..1000000): a host packed full boots its VMs one after another as room allows, as compare's probes do, instead of all at once (docs/outputs.md).", HelpName = "TICKS", DefaultValueFactory = _ => 0 };
        OptionValues.Range(bootTicks, 0, ReplayOptions.MaxBootTicks); // refused by the parser, naming this range however far outside
        OptionValues.OwnRange(every, below: AtLeastOne("--host-series-every"), above: null); // beyond its type: as 0 is
        OptionValues.OwnRange(checkpointEvery, below: AtLeastOne("--checkpoint-every"), above: null);
        OptionValues.OwnRange(shards, below: Shards.ShardsOutOfRange, above: null);
        var common = new CommonOptions();
        var command = new Command("replay", "Replay a trace through the kernel; write summary.json, hosts.csv, fleet.csv, placement.csv and report.md with plots.") { file, output, every, checkpointEvery, resume, policy, bootTicks, shard, shards };
        common.AddTo(command);
        command.SetAction((result, cancel) => Task.FromResult(Cli.Run(() =>
        {
            ReplayOptions options = common.ToReplayOptions(result) with { Policy = ParsePolicy(result.GetValue(policy), "--policy"), BootTicks = result.GetValue(bootTicks) };
            int? step = result.GetValue(every);
            if (step is < 1)
                throw new CliError(AtLeastOne("--host-series-every")(step.Value.ToString(CultureInfo.InvariantCulture)));
            long? ck = result.GetValue(checkpointEvery);
            if (ck is < 1)
                throw new CliError(AtLeastOne("--checkpoint-every")(ck.Value.ToString(CultureInfo.InvariantCulture)));
            bool hostMbGiven = result.GetResult(common.HostMb) is { Implicit: false };
            bool reserveGiven = result.GetResult(common.Reserve) is { Implicit: false };
            string trace = result.GetValue(file)!;
            string? shardText = result.GetValue(shard);
            int? shardCount = result.GetValue(shards);
            List<int> splits = Directory.Exists(trace) ? ShardReplay.SplitCounts(trace) : [];
            int? splitCount = splits.Count == 1 ? splits[0] : null; // a folder with splits into several counts needs --shards
            if (shardText is not null || shardCount is not null || splits.Count > 0)
            {
                // A shard replays its own trace of a split: reading one trace whole in every shard would not divide the decoding.
                if (!Directory.Exists(trace))
                {
                    throw new CliError(File.Exists(trace)
                        ? $"--shard needs the folder dmkernel split writes, not a trace: split it first (dmkernel split {trace} --shards N -o SPLIT), then replay SPLIT --shard INDEX/N; a shard of one whole trace would still read and decode all of it."
                        : $"trace folder '{trace}' does not exist (--shard needs the folder dmkernel split writes).", File.Exists(trace) ? 2 : 1);
                }

                if (shardText is null && shardCount is null && splits.Count > 1 && Environment.GetEnvironmentVariable(Shards.SlurmCount) is null)
                {
                    throw new CliError(string.Create(CultureInfo.InvariantCulture,
                        $"'{trace}' holds splits into {string.Join(" and ", splits.Select(n => n.ToString(CultureInfo.InvariantCulture)))} shards: give --shards N (or --shard INDEX/N) to choose one, or keep each split in a folder of its own."));
                }

                ShardId id = Shards.Resolve(shardText, shardCount, splitCount, Environment.GetEnvironmentVariable)
                    ?? throw new CliError($"'{trace}' is a split folder: give --shard INDEX/COUNT, or set {Shards.KubernetesIndex} or {Shards.SlurmIndex}.");
                if (ck is not null || result.GetValue(resume))
                    throw new CliError("--checkpoint-every and --resume apply to a whole replay, not to a shard: a shard is 1/N of the work; rerun a failed shard instead.");
                if (hostMbGiven)
                    throw new CliError("--host-mb applies only to a trace without hosts; a split trace keeps the hosts of its source. Leave --host-mb out.");
                // --reserve is checked against the whole trace's hosts, which split records (a shard holds only some of
                // them, and the shards of one split must be replayed with the same options to merge).
                return ShardReplay.Run(trace, id, result.GetValue(output)!, options, step, cancel, reserveGiven);
            }

            return Run(trace, result.GetValue(output)!, options, step, cancel, ck, result.GetValue(resume), hostMbGiven: hostMbGiven, reserveGiven: reserveGiven);
        })));
        return command;
    }

    /// <summary>Every file a replay writes into its output folder (<see cref="StagedOutput.EnsureNotOverInput"/>; a test checks the list against a run's folder).</summary>
    internal static readonly string[] OutputNames = ["summary.json", "hosts.csv", "fleet.csv", "placement.csv", "report.md", "fleet.png", "pressure.png", "hosts.png"];

    public static int Run(string traceFile, string outputDir, ReplayOptions options, int? hostSeriesEvery, CancellationToken cancel,
        long? checkpointEvery = null, bool resume = false, bool hostMbGiven = false, bool reserveGiven = false)
    {
        StagedOutput.EnsureNotOverInput(outputDir, OutputNames, traceFile);
        Task warmUp = StartWarmUp(traceFile, options);
        using NativeTraceReader reader = CommonOptions.OpenTrace(traceFile);
        if (hostMbGiven && reader.Hosts.Count > 0)
        {
            throw new CliError(string.Create(CultureInfo.InvariantCulture,
                $"--host-mb applies only to a trace without hosts; {Path.GetFileName(traceFile)} places its VMs on {reader.Hosts.Count} hosts of its own (up to {reader.Hosts.Max(h => h.TotalMb)} MB). Leave --host-mb out, or use compare, which re-packs the VMs onto hosts of --host-mb."));
        }

        if (reserveGiven)
            RefuseReserveForOwnReserves(reader, traceFile);

        // A shard's trace replayed as a trace of its own (replay SPLIT/shard-0000-of-0003.dmt): P10's responses by each VM's
        // index in the whole trace, as replay SPLIT --shard draws them (by the shard's own numbering they went to other VMs).
        if (options.GuestIndexOfVm is null && reader.Header.Metadata.TryGetValue(Shards.VmIndexKey, out string? ranges))
            options = options with { GuestIndexOfVm = Shards.ParseRanges(ranges, reader.Vms.Count, traceFile) };

        using var engine = Cli.Guard(() => new ReplayEngine(reader, options));
        if (PolicyPeriods.Warning("--policy", options.Policy, reader.Header.TickSeconds) is string periods)
            Console.Error.WriteLine(periods);
        using var staged = new StagedOutput(outputDir);
        int every = hostSeriesEvery ?? (int)Math.Max(1, engine.TotalTicks / 500);

        // With checkpoints, the per-host series grows in DIR/.checkpoint beside the saved state, so that a resumed run
        // continues it from the last checkpoint; it joins the other outputs when the replay completes.
        string checkpointDir = Path.Combine(staged.Directory, ".checkpoint");
        string statePath = Path.Combine(checkpointDir, "state.bin"), hostsPart = Path.Combine(checkpointDir, "hosts.csv.part");
        string partChecksums = hostsPart + ".xxh64";
        var partHash = new XxHash64();
        string? lastChecksum = null;
        bool checkpointing = checkpointEvery is not null || resume;
        RunFingerprint settings = Fingerprint(traceFile, engine, options, hostSeriesEvery);
        string fingerprint = settings.ToString();
        long lastCheckpoint = -1; // the tick of the checkpoint in DIR/.checkpoint, once there is one
        (long Tick, TimeSpan Elapsed)? resumed = null; // where --resume took over, for the headline
        try
        {
            Stream hostsStream;
            if (resume)
            {
                if (!File.Exists(statePath) || !File.Exists(hostsPart))
                    throw new CliError($"nothing to resume: {checkpointDir} holds no checkpoint (run with --checkpoint-every N first).", 1);
                long length;
                using (FileStream state = File.OpenRead(statePath))
                {
                    try
                    {
                        CheckSameSettings(ReplayEngine.ReadCheckpointFingerprint(state), settings, statePath);
                        state.Position = 0;
                        length = engine.ResumeFrom(state, fingerprint);
                    }
                    catch (InvalidDataException ex)
                    {
                        throw new CliError($"cannot resume from {statePath}: {ex.Message}", 1);
                    }
                }

                CheckHostsPart(hostsPart, length, partHash);
                lastChecksum = CheckPartChecksum(partChecksums, hostsPart, length, partHash.GetCurrentHashAsUInt64());
                hostsStream = FileTooLarge.Guard(new FileStream(hostsPart, FileMode.Open, FileAccess.Write), hostsPart);
                hostsStream.SetLength(length);
                hostsStream.Seek(0, SeekOrigin.End);
                Console.Error.WriteLine($"Resuming at tick {engine.TicksDone} of {engine.TotalTicks} from {statePath}.");
                resumed = (engine.TicksDone, engine.Elapsed);
            }
            else if (checkpointing)
            {
                if (Directory.Exists(checkpointDir))
                    Directory.Delete(checkpointDir, recursive: true);
                Directory.CreateDirectory(checkpointDir);
                hostsStream = FileTooLarge.Guard(new FileStream(hostsPart, FileMode.Create, FileAccess.Write), hostsPart);
            }
            else
            {
                hostsStream = FileTooLarge.Guard(new FileStream(staged.File("hosts.csv"), FileMode.Create, FileAccess.Write), staged.File("hosts.csv"));
            }

            if (resume)
                lastCheckpoint = engine.TicksDone;
            var hostsOut = new ChecksumStream(new WriteBehindStream(hostsStream), partHash); // written by a thread of its own, beside the replay
            using (var hosts = new StreamWriter(hostsOut, new UTF8Encoding(false), 1 << 16))
            {
                if (hostsOut.Length == 0)
                    hosts.WriteLine("tick,host,total_mb,available_mb,assigned_mb,pending_freed_mb,shortfall_mb,average_pressure,system_pressure,short");
                FinishWarmUp(warmUp);
                Cli.Guard(() => ReplayRunner.Run(engine, $"replay {Path.GetFileName(traceFile)}", cancel, e =>
                {
                    if ((e.TicksDone - 1) % every == 0)
                        WriteHosts(hosts, e);
                    if (checkpointEvery is long n && e.TicksDone % n == 0 && e.TicksDone < e.TotalTicks)
                    {
                        hosts.Flush();
                        DurableFile.Flush(hostsPart); // the series' bytes the checkpoint records, on the disk before the checkpoint
                        lastChecksum = SavePartChecksum(partChecksums, lastChecksum, hostsOut.Length, partHash.GetCurrentHashAsUInt64());
                        ReplaceFile(statePath, state => e.SaveCheckpoint(state, fingerprint, hostsOut.Length)); // (the flush above waited for the bytes to be in the file)
                        lastCheckpoint = e.TicksDone;
                    }

                    if (e.TicksDone == HoldAt.Tick)
                    {
                        hosts.Flush(); // the per-host series holds lines past the last checkpoint, as a kill mid-run leaves it
                        Console.Error.WriteLine($"test: holding after tick {e.TicksDone}");
                        if (HoldAt.Stuck)
                            Thread.Sleep(Timeout.Infinite); // as a run stuck in a system call: only a second signal ends it
                        cancel.WaitHandle.WaitOne();
                    }
                }));
            }

            if (cancel.IsCancellationRequested)
            {
                string how = lastCheckpoint >= 0
                    ? $" The last checkpoint is at tick {lastCheckpoint}: add --resume to the same command to continue from there."
                    : checkpointing
                        ? " No checkpoint was written yet (the first comes after --checkpoint-every's ticks). Run the same command again to replay from the start."
                        : " Run the same command again to replay from the start (add --checkpoint-every N to make a long replay resumable).";
                Console.Error.WriteLine($"Interrupted after {engine.TicksDone} of {engine.TotalTicks} ticks; no output was written (earlier outputs in {staged.Directory} are untouched).{how}");
                return 130;
            }

            if (checkpointing)
                File.Copy(hostsPart, staged.File("hosts.csv"), overwrite: true); // the checkpoint stays resumable until the commit
            WritePlacement(staged.File("placement.csv"), engine);
            ReplayOutcome outcome = ReplayOutcome.FromEngine(engine, traceFile);
            long peak = ReplaySummary.PeakWorkingSet();
            using (FileStream summary = File.Create(staged.File("summary.json")))
                ReplaySummary.Write(summary, outcome, json => ReplaySummary.WriteRun(json, engine, peak));
            ReplayReport.Write(staged, outcome);
            staged.Commit();
            if (checkpointing)
                Directory.Delete(checkpointDir, recursive: true);
            PrintHeadline(engine, outcome, staged.Directory, resumed);
            return 0;
        }
        catch (Exception ex) when (lastCheckpoint >= 0 && ex is CliError or IOException or UnauthorizedAccessException)
        {
            // The checkpoint stays (it is removed only once the outputs are in place): the error says how to continue from it.
            string message = ex is UnauthorizedAccessException ? $"permission denied: {ex.Message}" : ex.Message;
            throw new CliError(string.Create(CultureInfo.InvariantCulture,
                $"{message} The last checkpoint is at tick {lastCheckpoint}: add --resume to the same command to continue from there."), ex is CliError c ? c.ExitCode : 1);
        }
        finally
        {
            // A run that saved no checkpoint leaves none: the per-host series without a saved state resumes nothing.
            if (checkpointing && !resume && lastCheckpoint < 0)
                TryDeleteFolder(checkpointDir);
        }
    }

    /// <summary>Traces from this size on are replayed after a warm-up (<see cref="ReplayWarmUp"/>); below it opening the
    /// trace takes less time than the warm-up.</summary>
    internal const long WarmUpBytes = 32L << 20;

    /// <summary>
    /// Tests only: with <c>DMKERNEL_TEST_HOLD_AT_TICK=N</c> the replay stops after tick N (its per-host series flushed),
    /// says so on stderr ("test: holding after tick N") and waits for a signal (then stops as interrupted) or to be
    /// killed, so that a test stops a real process mid-run at a known point, never after it finished; with
    /// <c>N:stuck</c> it ignores the signal, as a run stuck in a system call would.
    /// </summary>
    private static readonly (long Tick, bool Stuck) HoldAt = ReadHoldAt(Environment.GetEnvironmentVariable("DMKERNEL_TEST_HOLD_AT_TICK"));

    private static (long, bool) ReadHoldAt(string? value)
    {
        bool stuck = value?.EndsWith(":stuck", StringComparison.Ordinal) == true;
        string tick = stuck ? value![..^":stuck".Length] : value ?? "";
        return (long.TryParse(tick, NumberStyles.None, CultureInfo.InvariantCulture, out long t) ? t : -1, stuck);
    }

    /// <summary>Starts the replay's warm-up on a spare core for a large trace (a completed task otherwise).</summary>
    internal static Task StartWarmUp(string traceFile, ReplayOptions options)
    {
        try
        {
            return File.Exists(traceFile) && new FileInfo(traceFile).Length >= WarmUpBytes ? ReplayWarmUp.Start(options) : Task.CompletedTask;
        }
        catch (ArgumentException)
        {
            return Task.CompletedTask; // options the replay itself refuses, with its own message
        }
    }

    /// <summary>Waits for the warm-up before the first tick, so that it does not compete with the replay's threads. A
    /// warm-up that failed changes nothing (the replay compiles as it goes), so it is only waited for.</summary>
    internal static void FinishWarmUp(Task warmUp)
    {
        try
        {
            warmUp.Wait();
        }
        catch (AggregateException)
        {
        }
    }

    /// <summary>
    /// A policy key (hyperv, static, squeezed, mom, esx) with optional parameters (<c>esx:idleTaxPerMille=0</c>,
    /// <see cref="BalancerPolicy.Parse"/>); anything else is refused naming the option and what was wrong.
    /// </summary>
    internal static BalancerPolicy ParsePolicy(string? key, string option)
    {
        try
        {
            return BalancerPolicy.Parse(key ?? "");
        }
        catch (FormatException ex)
        {
            throw new CliError($"{option}: {ex.Message}");
        }
    }

    /// <summary>
    /// The trace and every setting that changes a replay's result, named as the user gives them: a checkpoint resumes
    /// only under the same fingerprint. Kernel path and threads are left out (results are identical on every path and
    /// thread count), and so is --checkpoint-every.
    /// </summary>
    internal static RunFingerprint Fingerprint(string traceFile, ReplayEngine engine, ReplayOptions options, int? hostSeriesEvery)
        => Fingerprint(Path.GetFileName(traceFile), new FileInfo(traceFile).Length, engine, options, hostSeriesEvery)
            .Add("trace id", Shards.TraceId(traceFile)); // header and trailer (its checksums): another trace of the same name and size differs

    /// <summary><see cref="Fingerprint(string, ReplayEngine, ReplayOptions, int?)"/> of a trace known by name and size (a shard's source trace).</summary>
    internal static RunFingerprint Fingerprint(string traceName, long traceSize, ReplayEngine engine, ReplayOptions options, int? hostSeriesEvery)
    {
        var ic = CultureInfo.InvariantCulture;
        ModelParameters m = engine.Model, d = ModelParameters.Default;
        ModelParameters fromTrace = m with
        {
            BootGraceSeconds = d.BootGraceSeconds,
            ReclaimPeriodSeconds = d.ReclaimPeriodSeconds,
            MaxRemovePerSecondMb = d.MaxRemovePerSecondMb,
            HostReserveMb = d.HostReserveMb,
            SmartPaging = d.SmartPaging,
        };
        return new RunFingerprint()
            .Add("trace", traceName)
            .Add("trace size", string.Create(ic, $"{traceSize} bytes"))
            .Add("trace ticks", string.Create(ic, $"{engine.Header.TickCount}"))
            .Add("model parameters from the trace", fromTrace.ToString())
            .Add("--boot-grace", string.Create(ic, $"{m.BootGraceSeconds}"))
            .Add("--reclaim-period", string.Create(ic, $"{m.ReclaimPeriodSeconds}"))
            .Add("--max-remove", string.Create(ic, $"{m.MaxRemovePerSecondMb}"))
            .Add("--reserve", string.Create(ic, $"{m.HostReserveMb}"))
            .Add("--no-smart-paging", m.SmartPaging ? "off" : "on")
            .Add("--policy", string.Join(' ', [options.Policy.Key, .. options.Policy.Parameters().Select(kv => $"{kv.Key}={kv.Value}")]))
            .Add("--host-mb", string.Create(ic, $"{options.PlacementHostMb}"))
            .Add("--max-ticks", options.MaxTicks is long max ? string.Create(ic, $"{max}") : "(the whole trace)")
            .Add("--hash-every", string.Create(ic, $"{options.HashEvery}"))
            .AddIf(options.BootTicks > 0, "--boot-ticks", string.Create(ic, $"{options.BootTicks}")) // only with a boot phase: checkpoints and shards of runs without one match as before
            .Add("--host-series-every", hostSeriesEvery is int every ? string.Create(ic, $"{every}") : "(about 500 samples per host)");
    }

    /// <summary>
    /// --reserve sets the management-OS reserve (R3) of hosts without one of their own: the replay's own placement, and trace
    /// hosts that record none. Where every host of the trace records its own it would change nothing (while summary.json
    /// recorded it as the run's reserve), so it is refused by name.
    /// </summary>
    internal static void RefuseReserveForOwnReserves(NativeTraceReader reader, string traceFile)
    {
        IReadOnlyList<TraceHost> hosts = reader.Hosts;
        if (hosts.Count == 0 || hosts.Any(h => h.ReserveMb is null))
            return;
        int low = hosts.Min(h => h.ReserveMb!.Value), high = hosts.Max(h => h.ReserveMb!.Value);
        string reserves = low == high ? string.Create(CultureInfo.InvariantCulture, $"{low} MB") : string.Create(CultureInfo.InvariantCulture, $"{low} to {high} MB");
        throw new CliError(string.Create(CultureInfo.InvariantCulture,
            $"--reserve applies only to hosts without a reserve of their own; every one of the {hosts.Count} hosts of {Path.GetFileName(traceFile)} records its own ({reserves}), so it would change nothing. Leave --reserve out, or use compare, which re-packs the VMs onto hosts with --reserve."));
    }

    /// <summary>
    /// The per-host series saved beside a checkpoint must hold at least the <paramref name="length"/> bytes the checkpoint
    /// recorded, end a line there and hold no NUL byte before it: a truncated (or zero-filled) part would otherwise be
    /// extended with NUL bytes and continued, a hosts.csv with a hole. Bytes after it (written after the checkpoint) are cut.
    /// </summary>
    private static void CheckHostsPart(string path, long length, XxHash64 hash)
    {
        long actual = new FileInfo(path).Length;
        if (actual < length)
            throw new CliError(string.Create(CultureInfo.InvariantCulture, $"cannot resume: {path} is {actual} bytes, shorter than the {length} the checkpoint recorded (it was truncated): run without --resume to replay from the start."), 1);
        using FileStream part = File.OpenRead(path);
        byte[] buffer = new byte[1 << 16];
        long at = 0;
        byte last = (byte)'\n';
        while (at < length)
        {
            int n = part.Read(buffer, 0, (int)Math.Min(buffer.Length, length - at));
            if (n <= 0)
                break;
            int nul = Array.IndexOf(buffer, (byte)0, 0, n);
            if (nul >= 0)
                throw new CliError(string.Create(CultureInfo.InvariantCulture, $"cannot resume: {path} holds a NUL byte at offset {at + nul}, inside the {length} bytes the checkpoint recorded (the file was damaged): run without --resume to replay from the start."), 1);
            last = buffer[n - 1];
            hash.Append(buffer.AsSpan(0, n));
            at += n;
        }

        if (length > 0 && last != (byte)'\n')
            throw new CliError(string.Create(CultureInfo.InvariantCulture, $"cannot resume: {path} does not end a line at the {length} bytes the checkpoint recorded (the file was changed): run without --resume to replay from the start."), 1);
    }

    /// <summary>
    /// Records the checksum of the per-host series' first <paramref name="length"/> bytes beside the checkpoint, with the
    /// previous checkpoint's (the state file is replaced after this one: a run killed between the two resumes from the
    /// previous state, whose line is still there). Returns the new line.
    /// </summary>
    private static string SavePartChecksum(string path, string? previous, long length, ulong hash)
    {
        string line = string.Create(CultureInfo.InvariantCulture, $"{length} {hash:x16}");
        ReplaceFile(path, f => f.Write(Encoding.UTF8.GetBytes(previous is null ? line + "\n" : previous + "\n" + line + "\n")));
        return line;
    }

    /// <summary>
    /// Writes <paramref name="path"/> as <c>path.tmp</c> and renames it over <paramref name="path"/>, so that a run killed
    /// mid-write leaves the earlier file whole (flushed to the disk before the rename, and the rename after it, so that a
    /// power failure leaves the earlier file or the new one, whole, and the renames in their order). A write that fails deletes the temporary file (on a full disk it held the
    /// space that was short) and leaves the earlier file as it was.
    /// </summary>
    internal static void ReplaceFile(string path, Action<FileStream> write)
    {
        string temp = path + ".tmp";
        try
        {
            using (FileStream f = File.Create(temp))
            {
                write(f);
                DurableFile.Flush(f);
            }

            DurableFile.Rename(temp, path);
        }
        catch
        {
            try
            {
                File.Delete(temp);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The error of the write is the one to report.
            }

            throw;
        }
    }

    /// <summary>Deletes a folder and what it holds, where it can (best effort: the run's own error is the one to report).</summary>
    private static void TryDeleteFolder(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"warning: could not remove '{folder}': {ex.Message}");
        }
    }

    /// <summary>
    /// The per-host series' first <paramref name="length"/> bytes must have the checksum recorded for them at the checkpoint:
    /// a changed digit keeps the length and line ends (which <see cref="CheckHostsPart"/> checks) and would be copied into
    /// the final hosts.csv. Returns the matching line (the previous one for the next checkpoint).
    /// </summary>
    private static string? CheckPartChecksum(string path, string partPath, long length, ulong hash)
    {
        if (!File.Exists(path))
        {
            // A checkpoint of a dmkernel before the checksums: resumed (its length, line end and bytes were checked), with a word.
            Console.Error.WriteLine($"warning: {path} is missing (a checkpoint written by an older dmkernel), so the content of {partPath} cannot be checked; its length and line end were.");
            return null;
        }

        string want = string.Create(CultureInfo.InvariantCulture, $"{length} ");
        foreach (string line in File.ReadLines(path))
        {
            if (!line.StartsWith(want, StringComparison.Ordinal))
                continue;
            string expected = line[want.Length..];
            if (expected.Length != 16 || !ulong.TryParse(expected, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _))
            {
                // The checksum file itself is damaged (not the part): named, and what it holds shown without control characters.
                string shown = new([.. expected.Take(40).Select(c => char.IsControl(c) ? '?' : c)]);
                throw new CliError($"cannot resume: {path} is damaged (its checksum for the first {length.ToString(CultureInfo.InvariantCulture)} bytes of {partPath} reads '{shown}', not 16 hex digits): run without --resume to replay from the start.", 1);
            }

            string actual = hash.ToString("x16", CultureInfo.InvariantCulture);
            if (expected != actual)
                throw new CliError($"cannot resume: {partPath} was changed after the checkpoint (checksum of its first {length.ToString(CultureInfo.InvariantCulture)} bytes {actual}, the checkpoint recorded {expected}): run without --resume to replay from the start.", 1);
            return line;
        }

        throw new CliError($"cannot resume: {path} records no checksum for the {length.ToString(CultureInfo.InvariantCulture)} bytes of {partPath} the checkpoint holds (the checkpoint is damaged): run without --resume to replay from the start.", 1);
    }

    /// <summary>Refuses a checkpoint saved under other settings, naming each setting that differs.</summary>
    private static void CheckSameSettings(string saved, RunFingerprint current, string statePath)
    {
        if (saved == current.ToString())
            return;
        IReadOnlyList<string>? differences = current.Differences(saved);
        if (differences is null || differences.Count == 0)
            throw new CliError($"cannot resume from {statePath}: the checkpoint was written by another replay or another version of dmkernel; run without --resume to start again.", 1);
        throw new CliError($"cannot resume from {statePath}: the checkpoint was saved with other settings: {string.Join("; ", differences)}. Resume with the checkpoint's settings, or run without --resume to start again.", 1);
    }

    /// <summary>The placement the run used (from the trace, or made by the replay): one row per VM.</summary>
    internal static void WritePlacement(string path, ReplayEngine e, IReadOnlyList<int>? traceIndex = null, int firstHost = 0, long firstSlot = 0)
    {
        using StreamWriter w = WriteBehindStream.CreateText(path);
        w.WriteLine("vm,id,host,host_total_mb,slot,startup_mb,minimum_mb,maximum_mb,buffer_percent,weight,dynamic,guest");
        var line = new LineBuffer();
        for (int v = 0; v < e.Vms.Count; v++)
        {
            TraceVm vm = e.Vms[v];
            VmSettings s = vm.Settings;
            string id = vm.Id.AsSpan().IndexOfAny(",\"\r\n") >= 0 // RFC 4180: a field with a separator, quote or line break is quoted
                ? "\"" + vm.Id.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
                : vm.Id;
            int written;
            while (!line.Span.TryWrite(CultureInfo.InvariantCulture,
                $"{(traceIndex is null ? v : traceIndex[v])},{id},{firstHost + vm.Host},{e.Hosts[vm.Host].TotalMb},{firstSlot + e.SlotOf(v)},{s.StartupMb},{s.MinimumMb},{s.MaximumMb},{s.BufferPercent},{s.Weight},{(s.DynamicMemory ? 1 : 0)},{s.Guest}",
                out written))
            {
                line.Grow();
            }

            w.WriteLine(line.Span[..written]);
        }
    }

    /// <summary>A reused buffer that CSV lines are formatted into (no string per line); grows for a line that does not fit.</summary>
    private sealed class LineBuffer
    {
        private char[] _chars = new char[256];

        public Span<char> Span => _chars;

        public void Grow() => _chars = new char[_chars.Length * 2];
    }

    internal static void WriteHosts(StreamWriter w, ReplayEngine e, int firstHost = 0)
    {
        Fleet f = e.Fleet;
        long tick = e.TicksDone - 1; // the trace's tick just replayed (the fleet's index also counts a boot phase's ticks)
        Span<char> line = stackalloc char[256]; // ten numbers of at most 20 digits and their commas
        for (int h = 0; h < f.HostCount; h++)
        {
            int total = f.HostTotal(h), avail = f.HostAvailable(h), pending = f.HostPendingFreed(h);
            int assigned = total - f.HostReserve(h) - avail - pending;
            if (!line.TryWrite(CultureInfo.InvariantCulture,
                $"{tick},{firstHost + h},{total},{avail},{assigned},{pending},{f.HostShortfall(h)},{f.HostAveragePressure(h)},{f.HostSystemPressure(h)},{(f.HostWasShort(h) ? 1 : 0)}",
                out int written))
            {
                throw new InvalidOperationException("A hosts.csv line is longer than its buffer."); // 138 characters at most
            }

            w.WriteLine(line[..written]);
        }
    }

    /// <param name="resumed">The tick and the replay's time so far where a --resume took over: the headline's time is the
    /// whole replay's (the runs before included, as summary.json's wallSeconds), and says what this run took of it.</param>
    public static void PrintHeadline(ReplayEngine e, ReplayOutcome outcome, string dir, (long Tick, TimeSpan Elapsed)? resumed = null)
    {
        var ic = CultureInfo.InvariantCulture;
        string part = resumed is (long tick, TimeSpan before)
            ? string.Create(ic, $" ({(e.Elapsed - before).TotalSeconds:F2} s in this run, resumed at tick {tick})")
            : "";
        Console.WriteLine(string.Create(ic, $"Replayed {Words.Count(e.Vms.Count, "VM")} on {Words.Count(e.Hosts.Count, "host")} for {Words.Count(e.TicksDone, "tick")} in {e.Elapsed.TotalSeconds:F2} s{part}{AfterBoot(e)} ({ReplayRunner.Rate(e)}, path {KernelPaths.Describe(e.Balancer.Path)}, {e.Balancer.Threads} thread(s))."));
        if (BootLine(e) is string boot)
            Console.WriteLine(boot);
        PrintFigures(outcome);
        Console.WriteLine($"Outputs: {Path.Combine(dir, "summary.json")}, hosts.csv, fleet.csv, placement.csv, report.md (+ fleet.png, pressure.png, hosts.png)");
    }

    /// <summary>", after a boot of 11.10 s" where this engine ran a boot phase: its time is apart from the trace's ticks' and
    /// their VM-ticks/s (<see cref="ReplayEngine.BootElapsed"/>).</summary>
    internal static string AfterBoot(ReplayEngine e)
        => e.BootElapsed > TimeSpan.Zero ? string.Create(CultureInfo.InvariantCulture, $", after a boot of {e.BootElapsed.TotalSeconds:F2} s") : "";

    /// <summary>
    /// What the boot phase did (<see cref="ReplayOptions.BootTicks"/>), where this engine ran it: whether every VM on at tick
    /// 0 started; null without one (or in a run resumed past it).
    /// </summary>
    internal static string? BootLine(ReplayEngine e)
    {
        if (e.BootStillOff is not int off || e.BootWanted is not int wanted)
            return null;
        var ic = CultureInfo.InvariantCulture;
        if (wanted == 0)
            return string.Create(ic, $"Booted for {Words.Count(e.BootTicks, "tick")} before the trace's first (not measured): no VM was on at tick 0.");
        return off == 0
            ? string.Create(ic, $"Booted for {Words.Count(e.BootTicks, "tick")} before the trace's first (not measured): all {Words.Count(wanted, "VM")} on at tick 0 started.")
            : string.Create(ic, $"Booted for {Words.Count(e.BootTicks, "tick")} before the trace's first (not measured): {off} of the {Words.Count(wanted, "VM")} on at tick 0 were still off, their starts denied on every boot tick (the hosts cannot hold them beside the others at their Minimum, or the boot was too short: more --boot-ticks).");
    }

    /// <summary>The headline's second line: the same for one process and for its shards merged.</summary>
    public static void PrintFigures(ReplayOutcome m)
    {
        var ic = CultureInfo.InvariantCulture;
        // Where nothing was measured (no VM on, no Running Dynamic Memory VM) the line says so instead of printing 0.
        string paging = m.OnVmTicks == 0 ? "No VM was on" : string.Create(ic, $"Paging {ShareText.Percent((double)m.PagingVmTicks / m.OnVmTicks)} of VM-time ({ShareText.Percent((double)m.UnservablePagingVmTicks / m.OnVmTicks)} unservable: demand above the VM's Maximum)");
        string pressure = m.Pressure.Count == 0 ? "no pressure samples (no Running Dynamic Memory VM)" : string.Create(ic, $"pressure mean {m.Pressure.Mean:F1} %, p99 {m.Pressure.Percentile(99)} %");
        Console.WriteLine(string.Create(ic, $"{paging}; {pressure}; unmet demand {ShareText.Amount(m.UnmetMbTicks * m.Model.TickSeconds / 1024 / 3600)} GB·h; mean assigned {(double)m.AssignedMbTicks / Math.Max(1, m.Ticks) / 1024.0:F1} GB for mean demand {(double)m.DemandMbTicks / Math.Max(1, m.Ticks) / 1024.0:F1} GB."));
    }
}

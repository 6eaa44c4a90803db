using System.Text.Json.Nodes;
using DmKernel.Cli.Commands;
using DmKernel.Tests.Replay;
using DmKernel.Tests.Traces;
using DmKernel.Traces;
using DmKernel.Traces.Replay;

namespace DmKernel.Tests.Cli;

/// <summary>
/// replay --boot-ticks (<see cref="ReplayOptions.BootTicks"/>): a trace whose hosts hold its VMs only at their Minimum
/// replays all of them from tick 0 after a boot phase, as compare's probes do (before stop 56 a replay started every VM at
/// once: on a host packed to compare's density most starts were denied, 1 203 in a reviewer's replay of the month); the
/// boot is not measured (its denied starts, adds and removes are not counted), its ticks are not in the series, and
/// shards, checkpoints, threads and kernel paths give the same outputs as one process.
/// </summary>
[Collection(nameof(CliTests))]
public sealed class ReplayBootTicksTests
{
    /// <summary>
    /// 4 hosts of 8 GB (2 GB reserve), 8 VMs each: Startup 2 GB (Σ 16 GB, three boot at once), Minimum 512 MB (Σ 4 GB
    /// fits), demand 300 MB, 60-s ticks; every VM on from tick 0 for 40 ticks.
    /// </summary>
    private static string StormTrace(TempDir tmp, int hosts = 4)
    {
        string path = tmp.File(FormattableString.Invariant($"storm-{hosts}.dmt"));
        int n = 8 * hosts;
        TraceVm[] vms = [.. Enumerable.Range(0, n).Select(i => new TraceVm($"vm{i}", VmSettings.Dynamic(2048, 512, 2048), i / 8))];
        TraceHost[] table = [.. Enumerable.Range(0, hosts).Select(_ => new TraceHost(8192, 2048))];
        using var w = new NativeTraceWriter(path, new TraceDescription(60, "storm", new TraceMetadata()), vms, table);
        for (int t = 0; t < 40; t++)
            w.WriteTick([.. Enumerable.Range(0, n).Select(i => 300 + ((i * 7 + t * 13) % 50))]);
        w.Complete();
        return path;
    }

    private static JsonNode Summary(string dir) => JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!;

    [Fact]
    public void BootTicks_StartEveryVmBeforeTheTrace_NothingOfTheBootMeasured()
    {
        using var tmp = new TempDir();
        string trace = StormTrace(tmp);
        (int exit, string stdout, string stderr) = CliTests.Run("replay", trace, "-o", tmp.File("storm"));
        Assert.True(exit == 0, stderr);
        JsonNode without = Summary(tmp.File("storm"));
        Assert.True((long)without["fleet"]!["deniedVmSeconds"]! > 0); // the storm: starts denied in the measured ticks
        Assert.True((long)without["fleet"]!["failedStarts"]! > 0);
        Assert.Null(without["bootTicks"]);
        Assert.DoesNotContain("Booted", stdout, StringComparison.Ordinal);

        (exit, stdout, stderr) = CliTests.Run("replay", trace, "-o", tmp.File("boot"), "--boot-ticks", "60");
        Assert.True(exit == 0, stderr);
        Assert.Contains("Booted for 60 ticks before the trace's first (not measured): all 32 VMs on at tick 0 started.", stdout, StringComparison.Ordinal);
        JsonNode boot = Summary(tmp.File("boot"));
        Assert.Equal(60, (int)boot["bootTicks"]!);
        Assert.Equal(40, (int)boot["ticks"]!);
        Assert.Equal(0, (long)boot["fleet"]!["deniedVmSeconds"]!);
        Assert.Equal(0, (long)boot["fleet"]!["failedStarts"]!); // the boot's denied starts are not counted
        Assert.Equal(32L * 40 * 60, (long)boot["fleet"]!["onVmSeconds"]!);
        Assert.Equal(32, (int)boot["bootVmsOnAtTick0"]!); // what the boot did, recorded (before the review of stop 56: the console alone)
        Assert.Equal(0, (int)boot["bootVmsStillOff"]!);
        Assert.Null(without["bootVmsOnAtTick0"]);
        Assert.Null(without["bootVmsStillOff"]);

        // The series are the trace's ticks 0..39, not the fleet's 60..99.
        Assert.Equal(Enumerable.Range(0, 40).Select(t => (long)t), File.ReadAllLines(tmp.File("boot/fleet.csv")).Skip(1).Select(l => long.Parse(l[..l.IndexOf(',')], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(0, long.Parse(File.ReadAllLines(tmp.File("boot/hosts.csv"))[1].Split(',')[0], System.Globalization.CultureInfo.InvariantCulture));
        string report = File.ReadAllText(tmp.File("boot/report.md"));
        Assert.Contains("Before the trace's first tick the fleet ran 60 boot ticks", report, StringComparison.Ordinal);
        Assert.Contains("so that the 32 VMs on at tick 0 booted one after another as room allowed: all had started before the first tick.", report, StringComparison.Ordinal);

        // Too short a boot says how many VMs it left off (their starts are then counted in the trace's ticks).
        (exit, stdout, stderr) = CliTests.Run("replay", trace, "-o", tmp.File("short"), "--boot-ticks", "1");
        Assert.True(exit == 0, stderr);
        Assert.Contains("Booted for 1 tick before the trace's first (not measured): 20 of the 32 VMs on at tick 0 were still off,", stdout, StringComparison.Ordinal);
        Assert.True((long)Summary(tmp.File("short"))["fleet"]!["deniedVmSeconds"]! > 0);
        Assert.Equal(32, (int)Summary(tmp.File("short"))["bootVmsOnAtTick0"]!);
        Assert.Equal(20, (int)Summary(tmp.File("short"))["bootVmsStillOff"]!);
        // report.md says so (before the review of stop 56: "so that the VMs on at tick 0 could boot one after another"
        // beside 96 of 195 still off).
        report = File.ReadAllText(tmp.File("short/report.md"));
        Assert.Contains("the fleet ran 1 boot tick with every VM at its tick-0 value, not measured (--boot-ticks), for the 32 VMs on at tick 0 to boot one after another as room allowed, but 20 of them were still off after it", report, StringComparison.Ordinal);
        Assert.DoesNotContain("could boot", report, StringComparison.Ordinal);
        Assert.DoesNotContain("all had started", report, StringComparison.Ordinal);

        // No tick replayed, no boot run: none recorded (before the review of stop 56: "bootTicks": 20 and "the fleet ran
        // 20 boot ticks" in report.md).
        (exit, stdout, stderr) = CliTests.Run("replay", trace, "-o", tmp.File("none"), "--boot-ticks", "20", "--max-ticks", "0");
        Assert.True(exit == 0, stderr);
        Assert.Null(Summary(tmp.File("none"))["bootTicks"]);
        Assert.DoesNotContain("boot tick", File.ReadAllText(tmp.File("none/report.md")), StringComparison.Ordinal);
        Assert.DoesNotContain("Booted", stdout, StringComparison.Ordinal);
    }

    /// <summary>A trace with no VM on at tick 0 boots nothing, and says so (before: "all 0 VMs on at tick 0 started").</summary>
    [Fact]
    public void BootTicks_NoVmOnAtTickZero_SaysSo()
    {
        using var tmp = new TempDir();
        string path = tmp.File("late.dmt");
        using (var w = new NativeTraceWriter(path, new TraceDescription(60, "late", new TraceMetadata()), [new TraceVm("a", VmSettings.Dynamic(2048, 512, 2048), 0)], [new TraceHost(8192, 2048)]))
        {
            w.WriteTick([-1]);
            w.WriteTick([300]);
            w.Complete();
        }

        (int exit, string stdout, string stderr) = CliTests.Run("replay", path, "-o", tmp.File("out"), "--boot-ticks", "5");
        Assert.True(exit == 0, stderr);
        Assert.Contains("Booted for 5 ticks before the trace's first (not measured): no VM was on at tick 0.", stdout, StringComparison.Ordinal);
    }


    /// <summary>
    /// The boot phase stops within a tick of a cancellation (before the review of stop 56 the first step ran every boot tick
    /// before anyone looked at the token: a SIGTERM 4 s into a boot of a million ticks of 2 000 VMs ended the run 6 s later,
    /// hours on a large fleet): the step throws <see cref="OperationCanceledException"/>, the fleet has run only the boot
    /// ticks before it, nothing is measured, and the engine refuses to go on from a half-run boot.
    /// </summary>
    [Fact]
    public void BootTicks_CancelledDuringTheBoot_StopsWithinATick()
    {
        using var tmp = new TempDir();
        string trace = StormTrace(tmp);
        var options = new ReplayOptions { BootTicks = ReplayOptions.MaxBootTicks, ReadAhead = false };
        using (NativeTraceReader reader = NativeTraceReader.Open(trace))
        using (var engine = new ReplayEngine(reader, options))
        using (var cancel = new CancellationTokenSource())
        {
            // Cancelled from within the boot, after its 10th tick (a watcher thread raced a boot of 0.5 s: a reviewer).
            engine.AfterBootTickForTests = ticks =>
            {
                if (ticks == 10)
                    cancel.Cancel();
            };
            Assert.Throws<OperationCanceledException>(() => engine.Step(cancel.Token));
            Assert.Equal(10, engine.Fleet.TickIndex); // stopped before the boot's 11th tick
            Assert.Equal(0, engine.TicksDone);
            Assert.Null(engine.BootStillOff);
            Assert.Empty(engine.Metrics.Series);
            var e = Assert.Throws<InvalidOperationException>(() => engine.Step());
            Assert.Contains("boot phase was cancelled", e.Message, StringComparison.Ordinal);
        }

        // Cancelled before the step: no boot tick at all.
        using (NativeTraceReader reader = NativeTraceReader.Open(trace))
        using (var engine = new ReplayEngine(reader, options))
        {
            Assert.Throws<OperationCanceledException>(() => engine.Step(new CancellationToken(canceled: true)));
            Assert.Equal(0, engine.Fleet.TickIndex);
        }
    }

    /// <summary>
    /// replay interrupted during its boot phase keeps the CLI's contract for an interrupted run (docs/bad-input.md): exit
    /// 130, "Interrupted after 0 of 40 ticks; no output was written", the earlier outputs in the folder as they were and no
    /// staging folder left (before the review of stop 56 it ran the whole boot and the first tick first).
    /// </summary>
    [Fact]
    public async Task BootTicks_ReplayInterruptedDuringTheBoot_WritesNothing_Exits130()
    {
        using var tmp = new TempDir();
        // 4 000 VMs: a million boot ticks take minutes, so the watcher below cancels during the boot however late it runs
        // (32 VMs booted in 0.5 s, which a loaded runner's thread pool could miss: a reviewer).
        string trace = StormTrace(tmp, hosts: 500), output = tmp.File("out");
        Assert.Equal(0, CliTests.Run("replay", trace, "-o", output).Exit);
        string earlier = File.ReadAllText(Path.Combine(output, "summary.json"));

        (int exit, string err) = await ReplayInterruptedInItsBoot(trace, output, checkpointEvery: null);
        Assert.Equal(130, exit);
        Assert.Contains("Interrupted after 0 of 40 ticks; no output was written", err, StringComparison.Ordinal);
        Assert.Contains("add --checkpoint-every N to make a long replay resumable", err, StringComparison.Ordinal);
        Assert.Equal(earlier, File.ReadAllText(Path.Combine(output, "summary.json")));
        Assert.DoesNotContain(Directory.EnumerateDirectories(output), d => Path.GetFileName(d).StartsWith(".staging", StringComparison.Ordinal));

        // With --checkpoint-every given, the advice to add it was wrong (a reviewer): no checkpoint was written yet.
        (exit, err) = await ReplayInterruptedInItsBoot(trace, output, checkpointEvery: 10);
        Assert.Equal(130, exit);
        Assert.Contains("No checkpoint was written yet", err, StringComparison.Ordinal);
        Assert.DoesNotContain("add --checkpoint-every", err, StringComparison.Ordinal);
        Assert.Equal(earlier, File.ReadAllText(Path.Combine(output, "summary.json")));
    }

    /// <summary>
    /// Runs replay with a boot of a million ticks into <paramref name="output"/> and cancels it once its staging folder
    /// appears (just before its first step, which runs the boot); returns the exit code and what it wrote to stderr.
    /// </summary>
    private static async Task<(int Exit, string Err)> ReplayInterruptedInItsBoot(string trace, string output, long? checkpointEvery)
    {
        using var cancel = new CancellationTokenSource();
        Task watcher = Task.Run(() =>
        {
            while (!Directory.EnumerateDirectories(output, ".staging-*").Any())
                Thread.Yield();
            cancel.Cancel();
        });
        TextWriter oldErr = Console.Error;
        var err = new StringWriter();
        Console.SetError(err);
        int exit;
        try
        {
            exit = ReplayCommand.Run(trace, output, new ReplayOptions { BootTicks = ReplayOptions.MaxBootTicks }, null, cancel.Token, checkpointEvery: checkpointEvery);
        }
        finally
        {
            Console.SetError(oldErr);
        }

        await watcher;
        return (exit, err.ToString());
    }

    /// <summary>
    /// The replay's time and VM-ticks/s are the trace's ticks' (what a run without a boot reports, so the two compare);
    /// the boot's time is reported apart: run.bootWallSeconds and the headline's "after a boot of". Before the review of
    /// stop 56 the boot's time was in both ("for 1 tick in 11.11 s (180 VM-ticks/s)"). Checked by what is written where
    /// (the boot's time has its own field and words), not by timing.
    /// </summary>
    [Fact]
    public void BootTicks_TimeAndRate_AreTheTracesTicks_TheBootsTimeApart()
    {
        using var tmp = new TempDir();
        string trace = StormTrace(tmp);
        (int exit, string stdout, string stderr) = CliTests.Run("replay", trace, "-o", tmp.File("boot"), "--boot-ticks", "1000", "--max-ticks", "1");
        Assert.True(exit == 0, stderr);
        JsonNode run = Summary(tmp.File("boot"))["run"]!;
        double wall = (double)run["wallSeconds"]!, boot = (double)run["bootWallSeconds"]!;
        Assert.True(wall >= 0 && boot >= 0);
        Assert.NotNull(run["vmTicksPerSecond"]);
        Assert.Matches(@"Replayed 32 VMs on 4 hosts for 1 tick in [0-9.]+ s, after a boot of [0-9.]+ s \([0-9.]+ [kM]? ?VM-ticks/s", stdout);

        (exit, _, stderr) = CliTests.Run("replay", trace, "-o", tmp.File("none"), "--max-ticks", "1");
        Assert.True(exit == 0, stderr);
        Assert.Null(Summary(tmp.File("none"))["run"]!["bootWallSeconds"]);

        using NativeTraceReader reader = NativeTraceReader.Open(trace);
        using var engine = new ReplayEngine(reader, new ReplayOptions { BootTicks = 1000, MaxTicks = 1, ReadAhead = false });
        Assert.Equal(TimeSpan.Zero, engine.BootElapsed);
        Assert.True(engine.Step());
        Assert.True(engine.BootElapsed > TimeSpan.Zero);
    }

    [Fact]
    public void BootTicks_ShardsThreadsPathsAndResume_GiveOneProcesssOutputs()
    {
        using var tmp = new TempDir();
        string trace = StormTrace(tmp);
        Assert.Equal(0, CliTests.Run("replay", trace, "-o", tmp.File("one"), "--boot-ticks", "30", "--hash-every", "10").Exit);
        string one = ReplayDeterminismTests.WithoutRun(File.ReadAllText(tmp.File("one/summary.json")));

        foreach (string[] other in new[] { new[] { "--threads", "2" }, ["--path", "scalar"], ["--path", "v128"] })
        {
            Assert.Equal(0, CliTests.Run(["replay", trace, "-o", tmp.File("other"), "--boot-ticks", "30", "--hash-every", "10", .. other]).Exit);
            Assert.Equal(one, ReplayDeterminismTests.WithoutRun(File.ReadAllText(tmp.File("other/summary.json"))));
        }

        // Split by host, each shard booted on its own, merged: one process's outputs.
        Assert.Equal(0, CliTests.Run("split", trace, "--shards", "3", "-o", tmp.File("split")).Exit);
        for (int i = 0; i < 3; i++)
            Assert.Equal(0, CliTests.Run("replay", tmp.File("split"), "--shard", $"{i}/3", "-o", tmp.File("shards"), "--boot-ticks", "30", "--hash-every", "10").Exit);
        (int exit, _, string stderr) = CliTests.Run("merge", tmp.File("shards"), "-o", tmp.File("merged"));
        Assert.True(exit == 0, stderr);
        Assert.Equal(one, ReplayDeterminismTests.WithoutRun(File.ReadAllText(tmp.File("merged/summary.json"))));
        Assert.Equal(File.ReadAllText(tmp.File("one/hosts.csv")), File.ReadAllText(tmp.File("merged/hosts.csv")));

        // A boot too short for some VMs: the shards' counts of VMs still off add up to one process's.
        Assert.Equal(0, CliTests.Run("replay", trace, "-o", tmp.File("one-short"), "--boot-ticks", "1").Exit);
        for (int i = 0; i < 3; i++)
            Assert.Equal(0, CliTests.Run("replay", tmp.File("split"), "--shard", $"{i}/3", "-o", tmp.File("shards-short"), "--boot-ticks", "1").Exit);
        (exit, _, stderr) = CliTests.Run("merge", tmp.File("shards-short"), "-o", tmp.File("merged-short"));
        Assert.True(exit == 0, stderr);
        string oneShort = ReplayDeterminismTests.WithoutRun(File.ReadAllText(tmp.File("one-short/summary.json")));
        Assert.Contains("\"bootVmsStillOff\": 20", oneShort, StringComparison.Ordinal);
        Assert.Equal(oneShort, ReplayDeterminismTests.WithoutRun(File.ReadAllText(tmp.File("merged-short/summary.json"))));
        Assert.Equal(File.ReadAllText(tmp.File("one-short/report.md")), File.ReadAllText(tmp.File("merged-short/report.md")));

        // A booted shard without the counts (written before they were recorded) is refused as an older dmkernel's.
        string shard0 = Path.Combine(tmp.File("shards-short"), "shard-0000-of-0003", "shard.json");
        File.WriteAllLines(shard0, File.ReadAllLines(shard0).Where(l => !l.Contains("\"bootVms", StringComparison.Ordinal)));
        ShardTests.AssertRefused("was written by an older dmkernel, which did not record how many VMs the boot left off (bootVmsStillOff); run that shard again.", "merge", tmp.File("shards-short"), "-o", tmp.File("m3"));

        // A shard booted otherwise is refused by name.
        Assert.Equal(0, CliTests.Run("replay", tmp.File("split"), "--shard", "2/3", "-o", tmp.File("other-boot"), "--boot-ticks", "20", "--hash-every", "10").Exit);
        ShardTests.AssertRefused("--boot-ticks 20 in shard 2, 30 in shard 0", "merge", Path.Combine(tmp.File("shards"), "shard-0000-of-0003"), Path.Combine(tmp.File("shards"), "shard-0001-of-0003"), Path.Combine(tmp.File("other-boot"), "shard-0002-of-0003"), "-o", tmp.File("m2"));

    }

    /// <summary>
    /// A replay checkpointed after its boot and resumed in another engine ends as the uninterrupted one: the boot's adds,
    /// removes and failed starts, left out of the outcome, are kept in the checkpoint (with a boot phase only).
    /// </summary>
    [Fact]
    public void BootTicks_CheckpointAfterTheBoot_ResumesToTheUninterruptedOutcome()
    {
        using var tmp = new TempDir();
        string trace = StormTrace(tmp);
        var options = new ReplayOptions { BootTicks = 30, HashEvery = 5, ReadAhead = false };

        static string Outcome(ReplayEngine e)
        {
            using var s = new MemoryStream();
            ReplaySummary.Write(s, ReplayOutcome.FromEngine(e, "storm.dmt"), _ => { });
            return System.Text.Encoding.UTF8.GetString(s.ToArray());
        }

        string whole;
        using (NativeTraceReader reader = NativeTraceReader.Open(trace))
        using (var engine = new ReplayEngine(reader, options))
        {
            while (engine.Step())
            {
            }

            Assert.Equal(0, engine.BootStillOff);
            whole = Outcome(engine);
        }

        var checkpoint = new MemoryStream();
        using (NativeTraceReader reader = NativeTraceReader.Open(trace))
        using (var engine = new ReplayEngine(reader, options))
        {
            for (int t = 0; t < 17; t++)
                Assert.True(engine.Step());
            engine.SaveCheckpoint(checkpoint, "f", 0);
        }

        checkpoint.Position = 0;
        using (NativeTraceReader reader = NativeTraceReader.Open(trace))
        using (var engine = new ReplayEngine(reader, options))
        {
            engine.ResumeFrom(checkpoint, "f");
            while (engine.Step())
            {
            }

            Assert.Null(engine.BootStillOff); // the boot ran in the first engine, not in this one
            Assert.Equal(whole, Outcome(engine));
        }

        Assert.Contains("\"failedStarts\": 0", whole, StringComparison.Ordinal);
        Assert.Contains("\"bootVmsOnAtTick0\": 32", whole, StringComparison.Ordinal); // kept in the checkpoint with the boot's counters

        // A checkpoint of the format before the boot's VMs were recorded (DMKREPLAY/3, its checksum intact) is refused as
        // an older dmkernel's where the replay has a boot, and resumes where it has none (laid out the same).
        static MemoryStream AsFormat3(MemoryStream checkpoint)
        {
            byte[] payload = checkpoint.ToArray()[..^8];
            Assert.Equal("DMKREPLAY/4", System.Text.Encoding.UTF8.GetString(payload, 1, 11));
            payload[11] = (byte)'3';
            return new MemoryStream([.. payload, .. System.IO.Hashing.XxHash64.Hash(payload)]);
        }

        using (NativeTraceReader reader = NativeTraceReader.Open(trace))
        using (var engine = new ReplayEngine(reader, options))
        {
            var e = Assert.Throws<InvalidDataException>(() => engine.ResumeFrom(AsFormat3(checkpoint), "f"));
            Assert.Contains("written by an older dmkernel, which did not record what the boot phase left off; replay from the start.", e.Message, StringComparison.Ordinal);
        }

        var plain = new MemoryStream();
        using (NativeTraceReader reader = NativeTraceReader.Open(trace))
        using (var engine = new ReplayEngine(reader, options with { BootTicks = 0 }))
        {
            for (int t = 0; t < 17; t++)
                Assert.True(engine.Step());
            engine.SaveCheckpoint(plain, "f", 0);
        }

        using (NativeTraceReader reader = NativeTraceReader.Open(trace))
        using (var engine = new ReplayEngine(reader, options with { BootTicks = 0 }))
            Assert.Equal(0, engine.ResumeFrom(AsFormat3(plain), "f"));
    }
}

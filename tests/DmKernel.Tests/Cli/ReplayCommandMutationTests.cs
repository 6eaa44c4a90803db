using System.Globalization;
using System.IO.Hashing;
using System.Text;
using DmKernel.Cli.Commands;
using DmKernel.Tests.Replay;
using DmKernel.Tests.Traces;
using DmKernel.Traces;
using DmKernel.Traces.Replay;

namespace DmKernel.Tests.Cli;

/// <summary>
/// <c>dmkernel replay</c>'s outputs and its checkpoint / resume, on tiny traces whose expected figures are worked out by
/// hand from docs/outputs.md and README (written for the survivors of a mutation round over ReplayCommand and ReplayReport).
/// </summary>
[Collection(nameof(CliTests))]
public class ReplayCommandMutationTests
{
    private static readonly CultureInfo Ic = CultureInfo.InvariantCulture;

    /// <summary>A trace of the given VMs on one host of <paramref name="hostMb"/> (none: no hosts), one committed value per VM per tick.</summary>
    private static string WriteTrace(TempDir tmp, string name, TraceVm[] vms, int[][] ticks, double tickSeconds = 60, int? hostMb = 8192, int? reserveMb = null)
    {
        string path = tmp.File(name);
        TraceHost[] hosts = hostMb is int mb ? [new TraceHost(mb, reserveMb)] : [];
        using var w = new NativeTraceWriter(path, new TraceDescription(tickSeconds, "x", new TraceMetadata()), vms, hosts);
        foreach (int[] tick in ticks)
            w.WriteTick(tick);
        w.Complete();
        return path;
    }

    private static int[][] Repeat(int count, params int[] values) => [.. Enumerable.Range(0, count).Select(_ => values)];

    private static string Report(string outDir) => File.ReadAllText(Path.Combine(outDir, "report.md")).ReplaceLineEndings("\n");

    /// <summary>
    /// docs/outputs.md: hosts.csv's default step is max(1, ⌊ticks / 500⌋): a replay of 1000 ticks samples every 2nd tick
    /// (500 rows per host, ticks 0, 2, ..., 998), one of 999 ticks every tick (999 rows), one of 3 ticks every tick.
    /// </summary>
    [Theory]
    [InlineData(1000, 2)]
    [InlineData(999, 1)]
    [InlineData(3, 1)]
    public void HostSeries_DefaultStep_IsTicksOver500_AtLeastOne(int ticks, int step)
    {
        using var tmp = new TempDir();
        string trace = WriteTrace(tmp, "t.dmt", [new("a", VmSettings.Dynamic(1024, 512, 2048), 0)], Repeat(ticks, 600));
        (int exit, _, string stderr) = CliTests.Run("replay", trace, "-o", tmp.File("out"));
        Assert.True(exit == 0, stderr);
        string[] rows = File.ReadAllLines(Path.Combine(tmp.File("out"), "hosts.csv"))[1..];
        long[] sampled = [.. rows.Select(r => long.Parse(r[..r.IndexOf(',')], Ic))];
        Assert.Equal(Enumerable.Range(0, (ticks + step - 1) / step).Select(i => (long)i * step), sampled);
    }

    /// <summary>
    /// docs/outputs.md, hosts.csv: average_pressure is the mean Current Pressure (R10: round half up of 100 × Demand /
    /// Assigned) of the host's Running DM VMs, system_pressure round(100 × Σ Demand / (Σ Assigned + Available)), half up.
    /// One Running Windows DM VM with a steady demand of 1000 MB on a host of 16 GB: the row's own assigned and available
    /// give both, and they differ (the one is of the VM's memory, the other of the host's).
    /// </summary>
    [Fact]
    public void HostsCsv_AveragePressure_IsTheVmsPressure_SystemPressure_IsOfAssignedPlusAvailable()
    {
        using var tmp = new TempDir();
        string trace = WriteTrace(tmp, "t.dmt", [new("a", VmSettings.Dynamic(1024, 512, 4096), 0)], Repeat(20, 1000), hostMb: 16_384);
        (int exit, _, string stderr) = CliTests.Run("replay", trace, "-o", tmp.File("out"));
        Assert.True(exit == 0, stderr);
        string[] header = File.ReadAllLines(Path.Combine(tmp.File("out"), "hosts.csv"))[0].Split(',');
        string[] last = File.ReadAllLines(Path.Combine(tmp.File("out"), "hosts.csv"))[^1].Split(',');
        long Column(string name) => long.Parse(last[Array.IndexOf(header, name)], Ic);
        Assert.Equal(19, Column("tick"));
        Assert.Equal(0, Column("pending_freed_mb")); // a steady demand: nothing ballooned on the last tick
        long assigned = Column("assigned_mb"), available = Column("available_mb");
        static long HalfUp(long numerator, long denominator) => ((2 * numerator) + denominator) / (2 * denominator);
        Assert.Equal(HalfUp(100 * 1000, assigned), Column("average_pressure"));
        Assert.Equal(HalfUp(100 * 1000, assigned + available), Column("system_pressure"));
        Assert.NotEqual(Column("average_pressure"), Column("system_pressure"));
    }

    /// <summary>
    /// placement.csv (README: "the placement used ... with each VM's settings"): each column is the VM's own setting, in
    /// the header's order; an id with a separator or a quote is quoted with its quotes doubled (RFC 4180).
    /// </summary>
    [Fact]
    public void PlacementCsv_GivesEachSettingInItsColumn_AndQuotesIdsWithCommasOrQuotes()
    {
        using var tmp = new TempDir();
        TraceVm[] vms =
        [
            new("plain", VmSettings.Dynamic(1024, 512, 4096, bufferPercent: 35, weight: 7000), 0),
            new("say \"hi\"", VmSettings.Static(2048, GuestKind.Linux), 0),
            new("a,b", VmSettings.Dynamic(512, 256, 1024), 0),
        ];
        string trace = WriteTrace(tmp, "t.dmt", vms, Repeat(2, 500, 500, 500), hostMb: 16_384);
        (int exit, _, string stderr) = CliTests.Run("replay", trace, "-o", tmp.File("out"));
        Assert.True(exit == 0, stderr);
        string[] lines = File.ReadAllText(Path.Combine(tmp.File("out"), "placement.csv")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("vm,id,host,host_total_mb,slot,startup_mb,minimum_mb,maximum_mb,buffer_percent,weight,dynamic,guest", lines[0]);
        Assert.Equal(4, lines.Length);

        // Every column but the slot (the fleet's numbering), which is left out here; fields as RFC 4180 reads them.
        static string WithoutSlot(string line)
        {
            var fields = new List<string>();
            var field = new StringBuilder();
            bool quoted = false;
            for (int i = 0; i < line.Length; i++)
            {
                char c = line[i];
                if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = !quoted;
                }
                else if (c == ',' && !quoted)
                {
                    fields.Add(field.ToString());
                    field.Clear();
                }
                else
                {
                    field.Append(c);
                }
            }

            fields.Add(field.ToString());
            Assert.Equal(12, fields.Count);
            fields.RemoveAt(4);
            return string.Join('|', fields);
        }

        Assert.Equal("0|plain|0|16384|1024|512|4096|35|7000|1|Windows", WithoutSlot(lines[1]));
        Assert.Equal("1|say \"hi\"|0|16384|2048|2048|2048|20|5000|0|Linux", WithoutSlot(lines[2]));
        Assert.StartsWith("1,\"say \"\"hi\"\"\",0,", lines[2], StringComparison.Ordinal); // quoted, its quotes doubled
        Assert.Equal("2|a,b|0|16384|512|256|1024|20|5000|1|Windows", WithoutSlot(lines[3]));
        Assert.StartsWith("2,\"a,b\",0,", lines[3], StringComparison.Ordinal);
    }

    /// <summary>
    /// --reserve is refused only where every host of the trace records a reserve of its own (it would change nothing):
    /// a trace where one host records one and another does not is replayed with it; where all record their own, the
    /// error gives their range.
    /// </summary>
    [Fact]
    public void Reserve_IsRefusedOnlyWhenEveryHostRecordsItsOwn_NamingTheirRange()
    {
        using var tmp = new TempDir();
        TraceVm[] vms = [new("a", VmSettings.Dynamic(1024, 512, 2048), 0), new("b", VmSettings.Dynamic(1024, 512, 2048), 1)];
        string Write(string name, int? first, int? second)
        {
            string path = tmp.File(name);
            using var w = new NativeTraceWriter(path, new TraceDescription(60, "x", new TraceMetadata()), vms, [new TraceHost(8192, first), new TraceHost(8192, second)]);
            w.WriteTick([600, 600]);
            w.Complete();
            return path;
        }

        (int exit, _, string stderr) = CliTests.Run("replay", Write("mixed.dmt", 1024, null), "-o", tmp.File("mixed"), "--reserve", "2048");
        Assert.True(exit == 0, stderr);

        (exit, _, stderr) = CliTests.Run("replay", Write("own.dmt", 1024, 3072), "-o", tmp.File("own"), "--reserve", "2048");
        Assert.Equal(2, exit);
        Assert.Contains("every one of the 2 hosts of own.dmt records its own (1024 to 3072 MB), so it would change nothing.", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(tmp.File("own")));
    }

    /// <summary>
    /// Two VMs on a 16 GB host: "s", static at 1024 MB with a demand of 3072 MB on each of 10 ticks of 60 s (all of its
    /// paging unservable: above its size), and "d", dynamic (Startup 1024, Maximum 4096), 2000 MB on its first tick (while
    /// it boots at Startup: servable paging) and 5000 MB, above its Maximum, on the 9 after (unservable). By hand: every
    /// VM-tick on pages, 19 of the 20 unservably (95 %); mean demand (3072 + 2000 + 9 × (3072 + 5000)) / 10 MB; the
    /// starving rows and the servable row as docs/outputs.md defines them.
    /// </summary>
    [Fact]
    public void HeadlineAndReport_OnATraceOfKnownPaging_GiveTheSharesUnmetDemandAndMeansWorkedOutByHand()
    {
        using var tmp = new TempDir();
        TraceVm[] vms = [new("s", VmSettings.Static(1024), 0), new("d", VmSettings.Dynamic(1024, 512, 4096), 0)];
        int[][] ticks = [[3072, 2000], .. Repeat(9, 3072, 5000)];
        string trace = WriteTrace(tmp, "t.dmt", vms, ticks, hostMb: 16_384);
        (int exit, string stdout, string stderr) = CliTests.Run("replay", trace, "-o", tmp.File("out"));
        Assert.True(exit == 0, stderr);

        // 20 VM-ticks on, all paging; unservable: the static VM's 10 and the dynamic VM's 9 above its Maximum.
        Assert.Contains("Paging 100.00 % of VM-time (95.00 % unservable: demand above the VM's Maximum)", stdout, StringComparison.Ordinal);
        // Mean demand: Σ over ticks of Σ Demand ÷ ticks, in GB with one decimal: (3072 + 2000 + 9 × 8072) / 10 / 1024 = 7.59.
        string demand = ((3072 + 2000 + (9 * 8072)) / 10.0 / 1024).ToString("F1", Ic);
        Assert.Equal("7.6", demand);
        Assert.Contains($"for mean demand {demand} GB.", stdout, StringComparison.Ordinal);
        string report = Report(tmp.File("out"));
        Assert.Contains($"| demand, mean | {demand} GB |", report, StringComparison.Ordinal);

        // The static VM's row: 600 s paging (0.17 h), all of the replay's ticks, all unservable, unmet (3072 − 1024) MB × 600 s
        // = 2048 × 600 / 1024 / 3600 GB·h = 0.33.
        Assert.Contains("| s | 0.17 h | 100.00 % | 100.00 % | 0.33 |", report, StringComparison.Ordinal);
        // The servable table: only "d", with 1 servable tick of 10 (60 s: 0.02 h, 10.00 %) of its 10 paging ticks (0.17 h).
        string servable = report[report.IndexOf("## VMs that starve most on servable demand", StringComparison.Ordinal)..];
        Assert.Contains("| d | 0.02 h | 10.00 % | 0.17 h |", servable, StringComparison.Ordinal);
        Assert.DoesNotContain("| s |", servable, StringComparison.Ordinal);
    }

    /// <summary>
    /// report.md's pressure row and the note under pressure.png, on ten Running DM VMs each held at its Maximum of 64 MB
    /// with a demand above it: pressures 125, 150, ..., 350 % (R10: 100 × Demand / 64), one sample each per tick. Mean
    /// 237.5; nearest rank p50 = 225, p90 = 325, p99 = max = 350; 2 of the 10 values are above the plot's 300 % (300 itself
    /// is on it): 20.00 % of the samples.
    /// </summary>
    [Fact]
    public void Report_PressureRowAndNote_AreTheNearestRankFiguresAndTheShareAbove300()
    {
        using var tmp = new TempDir();
        TraceVm[] vms = [.. Enumerable.Range(1, 10).Select(k => new TraceVm($"v{k}", new VmSettings(64, 32, 64), 0))];
        int[] committed = [.. Enumerable.Range(1, 10).Select(k => 64 * (100 + (25 * k)) / 100)]; // 80, 96, ..., 224 MB
        string trace = WriteTrace(tmp, "t.dmt", vms, Repeat(10, committed));
        (int exit, _, string stderr) = CliTests.Run("replay", trace, "-o", tmp.File("out"));
        Assert.True(exit == 0, stderr);
        string report = Report(tmp.File("out"));
        Assert.Contains("| pressure mean / p50 / p90 / p99 / max | 237.5 / 225 / 325 / 350 / 350 % |", report, StringComparison.Ordinal);
        Assert.Contains("The plot shows pressures up to 300 %; 20.00 % of samples are above, up to 350 % (p99 350 %).", report, StringComparison.Ordinal);
    }

    /// <summary>
    /// report.md's first line says where the placement came from (README: "from the trace, or first-fit by Startup") and
    /// the replay's span: 10 ticks of 60 s are 0.2 h.
    /// </summary>
    [Fact]
    public void Report_SaysWhereThePlacementCameFrom_AndTheSpanInHours()
    {
        using var tmp = new TempDir();
        TraceVm[] placed = [new("a", VmSettings.Dynamic(1024, 512, 2048), 0)];
        TraceVm[] unplaced = [new("a", VmSettings.Dynamic(1024, 512, 2048))];
        string own = WriteTrace(tmp, "own.dmt", placed, Repeat(10, 600));
        string none = WriteTrace(tmp, "none.dmt", unplaced, Repeat(10, 600), hostMb: null);
        Assert.Equal(0, CliTests.Run("replay", own, "-o", tmp.File("own")).Exit);
        Assert.Equal(0, CliTests.Run("replay", none, "-o", tmp.File("none"), "--host-mb", "8192").Exit);
        Assert.Contains("1 VM on 1 host (placement from the trace), 10 ticks of 60 s (0.2 h), source: x.", Report(tmp.File("own")), StringComparison.Ordinal);
        Assert.Contains("1 VM on 1 host (placed first-fit by Startup), 10 ticks of 60 s (0.2 h), source: x.", Report(tmp.File("none")), StringComparison.Ordinal);
    }

    /// <summary>
    /// report.md names the balancer policy and every parameter it ran with (docs/policies.md), the defaults included, not
    /// only the one --policy changed: esx:idleTaxPerMille=0 runs ESX's default sample period, soft and high percentages.
    /// </summary>
    [Fact]
    public void Report_NamesEveryParameterOfThePolicy_TheDefaultsIncluded()
    {
        using var tmp = new TempDir();
        string trace = WriteTrace(tmp, "t.dmt", [new("a", VmSettings.Dynamic(1024, 512, 2048), 0)], Repeat(3, 600));
        (int exit, _, string stderr) = CliTests.Run("replay", trace, "-o", tmp.File("out"), "--policy", "esx:idleTaxPerMille=0");
        Assert.True(exit == 0, stderr);
        string line = Report(tmp.File("out")).Split('\n').Single(l => l.StartsWith("Balancer policy: ", StringComparison.Ordinal));
        IReadOnlyList<KeyValuePair<string, string>> parameters = BalancerPolicy.Parse("esx").Parameters();
        Assert.Equal(["samplePeriodSeconds", "idleTaxPerMille", "softPercent", "highPercent"], parameters.Select(kv => kv.Key));
        foreach ((string key, string value) in parameters)
            Assert.Contains(key == "idleTaxPerMille" ? "idleTaxPerMille 0" : $"{key} {value}", line, StringComparison.Ordinal);

        // Each parameter once: the policy's own name, then its parameters (the changed one was also in the name's
        // parentheses: "VMware ESX (idleTaxPerMille 0) (samplePeriodSeconds 60, idleTaxPerMille 0, ...)").
        Assert.StartsWith("Balancer policy: VMware ESX (samplePeriodSeconds ", line, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(line, "idleTaxPerMille"));
    }

    // ---- checkpoints and --resume (README: "--resume continues from the last checkpoint to exactly the result of an
    // uninterrupted run"; an interrupted run names its last checkpoint) ----

    /// <summary>The checkpoint an interrupted replay of <paramref name="trace"/> (default options, every tick in hosts.csv)
    /// leaves at tick <paramref name="tick"/>: its state, the first lines of the uninterrupted run's hosts.csv up to that
    /// tick, and their checksum line. Returns that line.</summary>
    private static string WriteCheckpoint(string trace, string outDir, int tick, byte[] fullHosts, int hosts, Func<byte[], byte[]>? damage = null)
    {
        int length = PrefixLength(fullHosts, 1 + (tick * hosts));
        byte[] part = fullHosts[..length];
        string line = string.Create(Ic, $"{length} {XxHash64.HashToUInt64(part):x16}");
        string dir = Path.Combine(outDir, ".checkpoint");
        Directory.CreateDirectory(dir);
        using (NativeTraceReader reader = NativeTraceReader.Open(trace))
        {
            var options = new ReplayOptions();
            using var engine = new ReplayEngine(reader, options);
            for (int t = 0; t < tick; t++)
                Assert.True(engine.Step());
            using FileStream f = File.Create(Path.Combine(dir, "state.bin"));
            engine.SaveCheckpoint(f, ReplayCommand.Fingerprint(trace, engine, options, null).ToString(), length);
        }

        File.WriteAllBytes(Path.Combine(dir, "hosts.csv.part"), damage is null ? part : damage(part));
        File.WriteAllText(Path.Combine(dir, "hosts.csv.part.xxh64"), line + "\n");
        return line;
    }

    /// <summary>The bytes of the first <paramref name="lines"/> lines.</summary>
    private static int PrefixLength(byte[] text, int lines)
    {
        int at = 0;
        for (int k = 0; k < lines; k++)
            at = Array.IndexOf(text, (byte)'\n', at) + 1;
        return at;
    }

    private static (string Trace, string Full) TraceAndUninterruptedRun(TempDir tmp)
    {
        string trace = tmp.File("t.dmt"), full = tmp.File("full");
        TraceGenerator.Generate(trace, new TraceGeneratorOptions { Vms = 60, Hosts = 2, Ticks = 400, Seed = 4, TickSeconds = 60 });
        (int exit, _, string stderr) = CliTests.Run("replay", trace, "-o", full);
        Assert.True(exit == 0, stderr);
        return (trace, full);
    }

    private static void AssertSameOutputs(string expected, string actual)
    {
        Assert.Equal(File.ReadAllBytes(Path.Combine(expected, "hosts.csv")), File.ReadAllBytes(Path.Combine(actual, "hosts.csv")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(expected, "fleet.csv")), File.ReadAllBytes(Path.Combine(actual, "fleet.csv")));
        Assert.Equal(
            ReplayDeterminismTests.WithoutRun(File.ReadAllText(Path.Combine(expected, "summary.json"))),
            ReplayDeterminismTests.WithoutRun(File.ReadAllText(Path.Combine(actual, "summary.json"))));
    }

    /// <summary>
    /// A checkpoint whose per-host series is exactly the length it recorded (a run killed right after saving it) resumes
    /// to the uninterrupted result; one with a NUL byte at its very first byte is refused naming offset 0; a checkpoint
    /// folder with its state but not its series, or its series but not its state, is "nothing to resume".
    /// </summary>
    [Fact]
    public void Resume_FromASeriesOfExactlyTheRecordedLength_Completes_ANulAtOffsetZeroOrAMissingFileIsRefused()
    {
        using var tmp = new TempDir();
        (string trace, string full) = TraceAndUninterruptedRun(tmp);
        byte[] hosts = File.ReadAllBytes(Path.Combine(full, "hosts.csv"));

        string exact = tmp.File("exact");
        WriteCheckpoint(trace, exact, 100, hosts, 2);
        (int exit, _, string stderr) = CliTests.Run("replay", trace, "-o", exact, "--resume");
        Assert.True(exit == 0, stderr);
        Assert.Contains("Resuming at tick 100 of 400", stderr, StringComparison.Ordinal);
        AssertSameOutputs(full, exact);

        string nul = tmp.File("nul");
        WriteCheckpoint(trace, nul, 100, hosts, 2, part =>
        {
            byte[] copy = [.. part];
            copy[0] = 0;
            return copy;
        });
        (exit, _, stderr) = CliTests.Run("replay", trace, "-o", nul, "--resume");
        Assert.Equal(1, exit);
        Assert.Contains("holds a NUL byte at offset 0,", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(nul, "summary.json")));

        foreach (string missing in (string[])["hosts.csv.part", "state.bin"])
        {
            string dir = tmp.File("without-" + missing);
            WriteCheckpoint(trace, dir, 100, hosts, 2);
            File.Delete(Path.Combine(dir, ".checkpoint", missing));
            (exit, _, stderr) = CliTests.Run("replay", trace, "-o", dir, "--resume");
            Assert.Equal(1, exit);
            Assert.Contains("error: nothing to resume:", stderr, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(dir, "summary.json")));
        }
    }

    /// <summary>A StringWriter for stderr that cancels a replay once its progress line for a given tick is printed.</summary>
    private sealed class CancelAtTick(long tick, long total, CancellationTokenSource cancel) : StringWriter
    {
        private readonly string _marker = string.Create(CultureInfo.InvariantCulture, $": {tick} of {total} ticks");

        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value is not null && value.Contains(_marker, StringComparison.Ordinal))
                cancel.Cancel();
        }
    }

    /// <summary>Runs <see cref="ReplayCommand.Run"/> with --checkpoint-every <paramref name="every"/> (and --resume if asked), interrupted
    /// after tick <paramref name="stopAt"/> as Ctrl+C would (its token cancelled; progress lines each tick tell when).</summary>
    private static (int Exit, string Err) RunInterrupted(string trace, string outDir, long every, long stopAt, bool resume = true)
    {
        TextWriter oldErr = Console.Error, oldOut = Console.Out;
        TimeSpan oldInterval = ReplayRunner.PlainInterval;
        using var cancel = new CancellationTokenSource();
        var err = new CancelAtTick(stopAt, 400, cancel);
        Console.SetError(err);
        Console.SetOut(new StringWriter());
        ReplayRunner.PlainInterval = TimeSpan.Zero;
        try
        {
            int exit = ReplayCommand.Run(trace, outDir, new ReplayOptions(), null, cancel.Token, checkpointEvery: every, resume: resume);
            return (exit, err.ToString());
        }
        finally
        {
            ReplayRunner.PlainInterval = oldInterval;
            Console.SetError(oldErr);
            Console.SetOut(oldOut);
        }
    }

    /// <summary>
    /// A resumed replay interrupted again names the checkpoint to resume from: the one it resumed from when it saved none
    /// since, else its own; the checksums beside the checkpoint keep the previous checkpoint's line with the new one (so a
    /// run killed between saving the checksums and the state resumes from the previous state), here the lines of ticks 100
    /// and 200 as the uninterrupted run's hosts.csv gives them; resumed once more, it ends with the uninterrupted outputs.
    /// </summary>
    [Fact]
    public void Resume_InterruptedAgain_NamesTheLastCheckpoint_KeepsThePreviousChecksumLine_AndCompletesToTheSameOutputs()
    {
        using var tmp = new TempDir();
        (string trace, string full) = TraceAndUninterruptedRun(tmp);
        byte[] hosts = File.ReadAllBytes(Path.Combine(full, "hosts.csv"));
        string dir = tmp.File("out");
        string line100 = WriteCheckpoint(trace, dir, 100, hosts, 2);
        string sums = Path.Combine(dir, ".checkpoint", "hosts.csv.part.xxh64");

        // Interrupted at tick 150, before a checkpoint of its own: the checkpoint it resumed from is still the last.
        (int exit, string err) = RunInterrupted(trace, dir, every: 100, stopAt: 150);
        Assert.Equal(130, exit);
        Assert.Contains("Interrupted after 150 of 400 ticks; no output was written", err, StringComparison.Ordinal);
        Assert.Contains("The last checkpoint is at tick 100: add --resume to the same command to continue from there.", err, StringComparison.Ordinal);
        Assert.Equal([line100], File.ReadAllLines(sums));

        // Interrupted at tick 250, after its checkpoint at 200.
        (exit, err) = RunInterrupted(trace, dir, every: 100, stopAt: 250);
        Assert.Equal(130, exit);
        Assert.Contains("Resuming at tick 100 of 400", err, StringComparison.Ordinal);
        Assert.Contains("The last checkpoint is at tick 200: add --resume", err, StringComparison.Ordinal);
        int length200 = PrefixLength(hosts, 1 + (200 * 2));
        string line200 = string.Create(Ic, $"{length200} {XxHash64.HashToUInt64(hosts.AsSpan(0, length200)):x16}");
        Assert.Equal([line100, line200], File.ReadAllLines(sums));
        Assert.False(File.Exists(Path.Combine(dir, "summary.json")));

        (exit, _, string stderr) = CliTests.Run("replay", trace, "-o", dir, "--resume");
        Assert.True(exit == 0, stderr);
        Assert.Contains("Resuming at tick 200 of 400", stderr, StringComparison.Ordinal);
        AssertSameOutputs(full, dir);
        Assert.False(Directory.Exists(Path.Combine(dir, ".checkpoint")));
    }

    /// <summary>
    /// A run with --checkpoint-every and without --resume starts its checkpoint afresh: an earlier run's checkpoint in the
    /// folder is discarded, so that when this run is interrupted before its first checkpoint there is nothing to resume
    /// (its message says to run again from the start), not the earlier run's state beside this run's series.
    /// </summary>
    [Fact]
    public void FreshCheckpointingRun_DiscardsAnEarlierCheckpoint()
    {
        using var tmp = new TempDir();
        (string trace, string full) = TraceAndUninterruptedRun(tmp);
        string dir = tmp.File("out");
        WriteCheckpoint(trace, dir, 100, File.ReadAllBytes(Path.Combine(full, "hosts.csv")), 2);

        (int exit, string err) = RunInterrupted(trace, dir, every: 300, stopAt: 50, resume: false);
        Assert.Equal(130, exit);
        Assert.Contains("Interrupted after 50 of 400 ticks; no output was written", err, StringComparison.Ordinal);
        Assert.Contains("Run the same command again to replay from the start", err, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, ".checkpoint", "state.bin")), "the earlier run's checkpoint was kept");

        (exit, _, string stderr) = CliTests.Run("replay", trace, "-o", dir, "--resume");
        Assert.Equal(1, exit);
        Assert.Contains("error: nothing to resume:", stderr, StringComparison.Ordinal);
    }
}

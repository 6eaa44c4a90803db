using System.CommandLine;
using System.Reflection;
using System.Runtime.Versioning;
using DmKernel.Cli;
using DmKernel.Cli.Commands;
using DmKernel.Tests.Replay;
using DmKernel.Tests.Traces;
using DmKernel.Traces;

namespace DmKernel.Tests.Cli;

/// <summary>
/// What a new user meets first: the usage line, the version, every option's unit and default, plain-words answers
/// to wrong values, wrong kinds of paths and read-only outputs (one <c>error:</c> line, exit 1 or 2, nothing
/// written), a resume under other settings, and progress when stderr is not a terminal.
/// </summary>
[Collection(nameof(CliTests))]
[UnsupportedOSPlatform("windows")]
public class CliUsabilityTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args) => CliTests.Run(args);

    /// <summary>Exactly one line of stderr starts with "error:", it contains <paramref name="expected"/>, and no stack trace.</summary>
    private static void AssertOneErrorLine(string stderr, string expected)
        => Assert.Contains(expected, OneErrorLine(stderr), StringComparison.Ordinal);

    /// <summary>The one line of stderr that starts with "error:" (asserted to be the only one), with no stack trace or exception name.</summary>
    internal static string OneErrorLine(string stderr)
    {
        string[] errors = stderr.Split('\n').Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToArray();
        Assert.True(errors.Length == 1, $"expected one error line, got:\n{stderr}");
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stderr, StringComparison.Ordinal);
        return errors[0];
    }

    [Theory]
    [InlineData(new[] { "--help" }, "dmkernel [command] [options]")]
    [InlineData(new[] { "replay", "--help" }, "dmkernel replay <FILE> [options]")]
    [InlineData(new[] { "import", "bitbrains", "--help" }, "dmkernel import bitbrains <INPUT> [options]")]
    public void Help_UsageNamesTheDmkernelCommand(string[] args, string usage)
    {
        (int exit, string stdout, _) = Run(args);
        Assert.Equal(0, exit);
        Assert.Contains("Usage:\n  " + usage, stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.DoesNotContain("DmKernel.Cli", stdout, StringComparison.Ordinal);
    }

    /// <summary>
    /// The import's summary line gives its read rate beside the size and time it was computed from: a small input
    /// (the committed GCD sample, 0.2 MB in 0.36 s) must not read "0 MB/s" (it did: the rate was printed as a whole number).
    /// </summary>
    [Theory]
    [InlineData(200_000L, 0.36, "0.56 MB/s")]
    [InlineData(900_000L, 0.18, "5.0 MB/s")]
    [InlineData(8_000_000L, 0.55, "15 MB/s")]
    [InlineData(52_300_000L, 0.31, "169 MB/s")]
    [InlineData(0L, 0.05, "0.00 MB/s")]
    public void Import_RateInTheSummaryLine_AgreesWithItsSizeAndTime(long bytes, double seconds, string expected)
        => Assert.Equal(expected, ImportCommand.Rate(bytes, seconds));

    [Fact]
    public void Version_PrintsTheCliVersion()
    {
        (int exit, string stdout, _) = Run("--version");
        Assert.Equal(0, exit);
        string informational = typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.Equal(informational, stdout.Trim());
        Version assembly = typeof(CliApp).Assembly.GetName().Version!;
        Assert.StartsWith($"{assembly.Major}.{assembly.Minor}.{assembly.Build}", stdout.Trim(), StringComparison.Ordinal);
    }

    /// <summary>Every command and subcommand, by the words that reach it (compare's own options are being rebuilt in issue 10 and are left out).</summary>
    public static TheoryData<string> Commands() => ["replay", "compare", "import bitbrains", "import alibaba", "import gcd", "generate", "demo", "split", "merge"];

    private static readonly string[] Units = ["SECONDS", "MB", "MB/S", "TICKS", "PERCENT", "FACTOR", "FRACTION", "N", "PATH", "DIR", "FILE", "PERCENT,...", "FACTOR,...", "datacenter|vdi", "hyperv|static|squeezed|mom|esx", "last|peak", "POLICY,...", "RESPONSE=SHARE%,...", "INDEX/COUNT", "compare|balanced", "tick|day|week|SECONDS", "base|hold"];

    [Theory]
    [MemberData(nameof(Commands))]
    public void Help_EveryOptionShowsItsUnitAndDefault(string path)
    {
        Command command = CliApp.Build();
        foreach (string word in path.Split(' '))
            command = command.Subcommands.Single(c => c.Name == word);
        (int exit, string stdout, _) = Run([.. path.Split(' '), "--help"]);
        Assert.Equal(0, exit);
        string[] lines = stdout.ReplaceLineEndings("\n").Split('\n');
        foreach (Option option in command.Options.Where(o => o.Name is not "--help"))
        {
            // The option's first help line ("-o, --output <FILE> (REQUIRED)  ...") and any wrapped continuation lines.
            int at = Array.FindIndex(lines, l => l.TrimStart().StartsWith('-') && l.Trim().Split("  ")[0].Split([", ", " "], StringSplitOptions.None).Contains(option.Name));
            Assert.True(at >= 0, $"{path} --help does not list {option.Name}");
            string line = lines[at];
            for (int next = at + 1; next < lines.Length && lines[next].Trim().Length > 0 && !lines[next].TrimStart().StartsWith('-'); next++)
                line += " " + lines[next].Trim();
            Assert.True(line.Contains("[default:", StringComparison.Ordinal) || line.Contains("(REQUIRED)", StringComparison.Ordinal) || line.Contains("[required]", StringComparison.Ordinal),
                $"{path} {option.Name} shows no default: {line.Trim()}");
            if (option.ValueType != typeof(bool))
                Assert.True(option.HelpName is not null && Units.Contains(option.HelpName), $"{path} {option.Name} shows no unit (HelpName '{option.HelpName}'): {line.Trim()}");
        }
    }

    [Theory]
    [InlineData("replay", "--boot-grace", "abc", "--boot-grace: 'abc' is not a number of seconds")]
    [InlineData("replay", "--threads", "1.5", "--threads: '1.5' is not a whole number")]
    [InlineData("replay", "--max-remove", "lots", "--max-remove: 'lots' is not a whole number of MB per second")]
    [InlineData("replay", "--max-ticks", "99999999999999999999", "--max-ticks: '99999999999999999999' is too large: expected a whole number of ticks of at most 9223372036854775807")]
    [InlineData("replay", "--reserve", "-99999999999", "--reserve: -99999999999 is out of range: expected a non-negative multiple of 2 MB.")] // (before: "at least -2147483648", int's)
    [InlineData("import bitbrains", "--demand-k", "x", "--demand-k: 'x' is not a number (a factor)")]
    [InlineData("import bitbrains", "--buffer", "20%", "--buffer: '20%' is not a whole number (percent)")]
    [InlineData("import alibaba", "--host-mb", "lots", "--host-mb: 'lots' is not a whole number of MB")]
    [InlineData("import gcd", "--max-hold-seconds", "1h", "--max-hold-seconds: '1h' is not a number of seconds")]
    [InlineData("generate", "--seed", "-1", "--seed: '-1' is not a whole number of at least 0")]
    [InlineData("demo", "--ticks", "ten", "--ticks: 'ten' is not a whole number of ticks")]
    public void WrongType_IsAnsweredInPlainWords_ExitTwo(string command, string option, string value, string expected)
    {
        using var tmp = new TempDir();
        string[] args = command switch
        {
            "replay" => ["replay", ReplayDeterminismTests.SampleTrace, "-o", tmp.File("out")],
            "generate" => ["generate", "-o", tmp.File("g.dmt")],
            "demo" => ["demo"],
            _ => [.. command.Split(' '), tmp.Path, "-o", tmp.File("t.dmt")],
        };
        (int exit, string stdout, string stderr) = Run([.. args, option, value]);
        Assert.Equal(2, exit);
        AssertOneErrorLine(stderr, "error: " + expected);
        Assert.DoesNotContain("System.", stderr, StringComparison.Ordinal);
        Assert.Equal("", stdout);
        Assert.False(Directory.Exists(tmp.File("out")) || File.Exists(tmp.File("t.dmt")) || File.Exists(tmp.File("g.dmt")));
    }

    [Fact]
    public void Replay_AFolderGivenAsTheTrace_SaysItIsAFolder()
    {
        using var tmp = new TempDir();
        Directory.CreateDirectory(tmp.File("traces"));
        (int exit, _, string stderr) = Run("replay", tmp.File("traces"), "-o", tmp.File("out"));
        Assert.Equal(1, exit);
        AssertOneErrorLine(stderr, $"'{tmp.File("traces")}' is a folder, expected a trace file (.dmt)");
        Assert.False(Directory.Exists(tmp.File("out")));
    }

    [Theory]
    [InlineData("bitbrains", "per-VM CSV files")]
    [InlineData("gcd", "GCD day files vm_<job>_<day>")]
    public void Import_AFileGivenAsTheInputFolder_SaysItIsAFile(string source, string expected)
    {
        using var tmp = new TempDir();
        string file = source == "bitbrains" ? RealTraces.Path("bitbrains-gwa-t-12-rnd/2013-8/386.csv") : RealTraces.Path("google-2011-gcd-vms/GCD_VMs/vm_3418442_1");
        string[] required = source == "gcd" ? ["--vm-mb", "1024"] : [];
        (int exit, _, string stderr) = Run(["import", source, file, "-o", tmp.File("t.dmt"), .. required]);
        Assert.Equal(1, exit);
        AssertOneErrorLine(stderr, $"'{file}' is a file, expected a folder of {expected}");
        Assert.False(File.Exists(tmp.File("t.dmt")));
    }

    /// <summary>
    /// docs/importers.md: the import's warning gives the count of VMs that demand more than their provisioned memory and
    /// their share of the fleet (of the VMs imported: 1 of 4 is 25.0 %, whatever the hosts).
    /// </summary>
    [Fact]
    public void Import_DemandAboveProvisioned_WarnsWithTheShareOfTheFleetsVms()
    {
        using var tmp = new TempDir();
        const string Header = "Timestamp [ms];\tCPU cores;\tCPU capacity provisioned [MHZ];\tCPU usage [MHZ];\tCPU usage [%];\tMemory capacity provisioned [KB];\tMemory usage [KB];\tDisk read throughput [KB/s];\tDisk write throughput [KB/s];\tNetwork received throughput [KB/s];\tNetwork transmitted throughput [KB/s]";
        static string Row(long t, string mem) => $"{t};\t2;\t5000.0;\t50.0;\t1.0;\t4194304.0;\t{mem};\t0.0;\t0.0;\t0.0;\t0.0";
        for (int vm = 1; vm <= 4; vm++)
        {
            var lines = new List<string> { Header };
            for (int i = 0; i < 20; i++)
                lines.Add(Row(1375308000 + (300 * i), vm == 1 ? "8388608.0" : "1048576.0")); // VM 1 uses 8 GB of its 4 GB
            tmp.Write($"in/2013-8/{vm}.csv", string.Join('\n', lines) + "\n");
        }

        (int exit, string stdout, string stderr) = Run("import", "bitbrains", tmp.File("in"), "-o", tmp.File("t.dmt"));
        Assert.True(exit == 0, stderr);
        Assert.Contains("-> " + tmp.File("t.dmt") + ": 4 VMs, 0 hosts", stdout, StringComparison.Ordinal);
        Assert.Contains("warning: 1 VM(s) (25.0 % of the fleet) demand more than their provisioned memory", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void ImportAlibaba_AFolderGivenAsTheInputFile_SaysItIsAFolder()
    {
        using var tmp = new TempDir();
        string folder = RealTraces.Path("alibaba-2018-machine-usage");
        (int exit, _, string stderr) = Run("import", "alibaba", folder, "-o", tmp.File("t.dmt"), "--host-mb", "65536");
        Assert.Equal(1, exit);
        AssertOneErrorLine(stderr, $"'{folder}' is a folder, expected the machine_usage.csv file");
        Assert.False(File.Exists(tmp.File("t.dmt")));
    }

    [Fact]
    public void Outputs_OfTheWrongKind_SayFileOrFolder_AndWriteNothing()
    {
        using var tmp = new TempDir();
        string file = tmp.Write("a-file", "mine");
        string folder = tmp.File("a-folder");
        Directory.CreateDirectory(folder);

        (int exit, _, string stderr) = Run("replay", ReplayDeterminismTests.SampleTrace, "-o", file);
        Assert.Equal(1, exit);
        AssertOneErrorLine(stderr, $"output '{file}' is a file, expected a folder");

        (exit, _, stderr) = Run("replay", ReplayDeterminismTests.SampleTrace, "-o", Path.Combine(file, "sub"));
        Assert.Equal(1, exit);
        AssertOneErrorLine(stderr, $"'{file}' is a file, expected a folder");

        (exit, _, stderr) = Run("generate", "--vms", "10", "--hosts", "1", "--ticks", "5", "-o", folder);
        Assert.Equal(1, exit);
        AssertOneErrorLine(stderr, $"output '{folder}' is a folder, expected a file name");

        (exit, _, stderr) = Run("import", "bitbrains", RealTraces.Path("bitbrains-gwa-t-12-rnd"), "-o", folder);
        Assert.Equal(1, exit);
        AssertOneErrorLine(stderr, $"output '{folder}' is a folder, expected a file name");

        Assert.Equal("mine", File.ReadAllText(file));
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
    }

    [Fact]
    public void ReadOnlyOutputFolder_ReplayImportGenerateAndCompare_OneErrorLineNamingIt_EarlierOutputsKept()
    {
        using var tmp = new TempDir();
        string trace = tmp.File("small.dmt");
        Assert.Equal(0, Run("generate", "--vms", "40", "--hosts", "2", "--ticks", "30", "--seed", "3", "-o", trace).Exit);
        string dir = tmp.File("read-only");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "summary.json"), "earlier");
        using (new ReadOnlyFolder(dir))
        {
            (int exit, string stdout, string stderr) = Run("replay", trace, "-o", dir);
            Assert.Equal(1, exit);
            AssertOneErrorLine(stderr, $"cannot write to the output folder '{dir}': permission denied");
            Assert.Equal("", stdout);

            (exit, _, stderr) = Run("compare", trace, "-o", dir, "--max-hosts", "4");
            Assert.Equal(1, exit);
            AssertOneErrorLine(stderr, dir);

            (exit, _, stderr) = Run("import", "bitbrains", RealTraces.Path("bitbrains-gwa-t-12-rnd"), "-o", Path.Combine(dir, "t.dmt"));
            Assert.Equal(1, exit);
            AssertOneErrorLine(stderr, "permission denied");
            Assert.Contains(Path.Combine(dir, "t.dmt"), stderr, StringComparison.Ordinal);

            (exit, _, stderr) = Run("generate", "--vms", "10", "--hosts", "1", "--ticks", "5", "-o", Path.Combine(dir, "g.dmt"));
            Assert.Equal(1, exit);
            AssertOneErrorLine(stderr, "permission denied");

            Assert.Equal(["summary.json"], Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName));
            Assert.Equal("earlier", File.ReadAllText(Path.Combine(dir, "summary.json")));
        }
    }

    [Fact]
    public void Resume_UnderChangedSettings_NamesEachOptionThatDiffers()
    {
        using var tmp = new TempDir();
        string trace = tmp.File("t.dmt"), outDir = tmp.File("out");
        TraceGenerator.Generate(trace, new TraceGeneratorOptions { Vms = 60, Hosts = 2, Ticks = 400, Seed = 4, TickSeconds = 60 });

        // A checkpoint as an interrupted run leaves it: saved by the same code the CLI uses, under the defaults.
        WriteCheckpointAt100(trace, outDir, trace);

        (int exit, string stdout, string stderr) = Run("replay", trace, "-o", outDir, "--resume", "--boot-grace", "30", "--max-ticks", "300", "--threads", "2");
        Assert.Equal(1, exit);
        AssertOneErrorLine(stderr, "the checkpoint was saved with other settings: --boot-grace 50 in the checkpoint, 30 now; --max-ticks (the whole trace) in the checkpoint, 300 now.");
        Assert.DoesNotContain("--threads", stderr, StringComparison.Ordinal); // results do not depend on threads: not a difference
        Assert.Equal("", stdout);
        Assert.False(File.Exists(Path.Combine(outDir, "summary.json")));

        // The same settings resume (threads may differ) and complete.
        (exit, _, stderr) = Run("replay", trace, "-o", outDir, "--resume", "--threads", "2");
        Assert.True(exit == 0, stderr);
        Assert.Contains("Resuming at tick 100 of 400", stderr, StringComparison.Ordinal);
    }

    /// <summary>
    /// Every option that changes the outputs is part of the checkpoint's settings: the step of hosts.csv (a resumed series
    /// would change its step mid-file), the state-hash step and a policy's parameters (not only its name).
    /// </summary>
    [Theory]
    [InlineData("--host-series-every", "7", "--host-series-every (about 500 samples per host) in the checkpoint, 7 now.")]
    [InlineData("--hash-every", "5", "--hash-every 0 in the checkpoint, 5 now.")]
    [InlineData("--policy", "esx:idleTaxPerMille=0", "idleTaxPerMille=0 softPercent")]
    public void Resume_WithAnotherOutputOption_IsRefusedNamingIt(string option, string value, string difference)
    {
        using var tmp = new TempDir();
        string trace = tmp.File("t.dmt"), outDir = tmp.File("out");
        TraceGenerator.Generate(trace, new TraceGeneratorOptions { Vms = 60, Hosts = 2, Ticks = 400, Seed = 4, TickSeconds = 60 });
        BalancerPolicy policy = option == "--policy" ? BalancerPolicy.Parse("esx") : BalancerPolicy.HyperV;
        WriteCheckpointAt100(trace, outDir, trace, new DmKernel.Traces.Replay.ReplayOptions { Policy = policy });

        (int exit, _, string stderr) = Run([
            "replay", trace, "-o", outDir, "--resume", option, value, .. option == "--policy" ? (string[])[] : ["--policy", policy.Key]]);
        Assert.Equal(1, exit);
        AssertOneErrorLine(stderr, "the checkpoint was saved with other settings: " + option + " ");
        Assert.Contains(difference, stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(outDir, "summary.json")));
    }

    /// <summary>
    /// A checkpoint of another trace with the same name and size (its content differs: header or trailer checksums) is
    /// refused naming the trace id (before: only the name and size were compared, so it resumed on the other trace).
    /// </summary>
    [Fact]
    public void Resume_FromACheckpointOfAnotherTraceOfTheSameNameAndSize_IsRefused()
    {
        using var tmp = new TempDir();
        string trace = tmp.File("t.dmt"), other = tmp.File("other/t.dmt"), outDir = tmp.File("out");
        TraceGenerator.Generate(trace, new TraceGeneratorOptions { Vms = 60, Hosts = 2, Ticks = 400, Seed = 4, TickSeconds = 60 });
        byte[] bytes = File.ReadAllBytes(trace);
        bytes[^1] ^= 0x5A; // another trailer checksum, the same name and size
        Directory.CreateDirectory(tmp.File("other"));
        File.WriteAllBytes(other, bytes);
        WriteCheckpointAt100(trace, outDir, other);

        (int exit, _, string stderr) = Run("replay", trace, "-o", outDir, "--resume");
        Assert.Equal(1, exit);
        AssertOneErrorLine(stderr, "the checkpoint was saved with other settings: trace id ");
        Assert.False(File.Exists(Path.Combine(outDir, "summary.json")));
    }

    /// <summary>
    /// The checkpoint an interrupted replay of <paramref name="trace"/> (default options) leaves in <paramref name="outDir"/>
    /// at tick 100, saved by the CLI's own code with the fingerprint of <paramref name="fingerprintOf"/>, and an empty series.
    /// </summary>
    private static void WriteCheckpointAt100(string trace, string outDir, string fingerprintOf, DmKernel.Traces.Replay.ReplayOptions? saved = null)
    {
        using NativeTraceReader reader = NativeTraceReader.Open(trace);
        DmKernel.Traces.Replay.ReplayOptions options = saved ?? new DmKernel.Traces.Replay.ReplayOptions();
        using var engine = new DmKernel.Traces.Replay.ReplayEngine(reader, options);
        for (int t = 0; t < 100; t++)
            Assert.True(engine.Step());
        Directory.CreateDirectory(Path.Combine(outDir, ".checkpoint"));
        using (FileStream f = File.Create(Path.Combine(outDir, ".checkpoint", "state.bin")))
            engine.SaveCheckpoint(f, ReplayCommand.Fingerprint(fingerprintOf, engine, options, null).ToString(), 0);
        File.WriteAllText(Path.Combine(outDir, ".checkpoint", "hosts.csv.part"), "");
        File.WriteAllText(Path.Combine(outDir, ".checkpoint", "hosts.csv.part.xxh64"), $"0 {new System.IO.Hashing.XxHash64().GetCurrentHashAsUInt64():x16}\n"); // the checksum of its 0 bytes
    }

    [Fact]
    public void RunFingerprint_Differences_NamesChangedAddedAndDroppedSettings()
    {
        string saved = new RunFingerprint().Add("trace", "a.dmt").Add("--reserve", "2048").Add("--old", "1").ToString();
        var now = new RunFingerprint().Add("trace", "a.dmt").Add("--reserve", "4096").Add("--new", "2");
        Assert.Equal(["--reserve 2048 in the checkpoint, 4096 now", "--new not recorded in the checkpoint, 2 now", "--old 1 in the checkpoint, not used now"], now.Differences(saved));
        Assert.Empty(now.Differences(now.ToString())!);
        Assert.Null(now.Differences("a record string from an older version"));
    }

    [Fact]
    public void PlainProgress_AtMostOneLinePerInterval_WithTicksRateAndEta()
    {
        var output = new StringWriter();
        TimeSpan now = TimeSpan.Zero;
        var progress = new PlainProgress(output, "replay t.dmt", totalTicks: 1000, ticksAtStart: 0, TimeSpan.FromSeconds(10), () => now);
        for (int tick = 1; tick <= 1000; tick++)
        {
            now = TimeSpan.FromSeconds(tick * 0.07); // 70 s in all
            progress.Tick(tick, () => "1.0 M VM-ticks/s");
        }

        progress.Finish(1000, "1.0 M VM-ticks/s");
        string[] lines = output.ToString().ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        // A line once 10 s have passed since the last one: at ticks 143 (10.01 s), 286, 429, 572, 715 and 858 (60.06 s);
        // 70.06 s is never reached, so the next is the last line.
        Assert.Equal(7, lines.Length);
        Assert.StartsWith("replay t.dmt: 858 of 1000 ticks", lines[5], StringComparison.Ordinal);
        Assert.Equal("replay t.dmt: 143 of 1000 ticks (14.3 %), 1.0 M VM-ticks/s, ETA 1:00", lines[0]);
        Assert.Equal("replay t.dmt: 286 of 1000 ticks (28.6 %), 1.0 M VM-ticks/s, ETA 0:50", lines[1]);
        Assert.Equal("replay t.dmt: 1000 of 1000 ticks (100.0 %), 1.0 M VM-ticks/s, done in 1:10", lines[^1]);

        // A run shorter than the interval prints nothing at all.
        var quiet = new StringWriter();
        var shortRun = new PlainProgress(quiet, "replay t.dmt", 10, 0, TimeSpan.FromSeconds(10), () => TimeSpan.FromSeconds(1));
        shortRun.Tick(10, () => "x");
        shortRun.Finish(10, "x");
        Assert.Equal("", quiet.ToString());
    }

    /// <summary>Progress times read m:ss under an hour and h:mm:ss from one hour on, the hour itself included.</summary>
    [Fact]
    public void PlainProgress_AnHourOrMore_ReadsHoursMinutesSeconds()
    {
        var output = new StringWriter();
        TimeSpan now = TimeSpan.Zero;
        var progress = new PlainProgress(output, "replay t.dmt", totalTicks: 100, ticksAtStart: 0, TimeSpan.FromSeconds(10), () => now);
        now = TimeSpan.FromSeconds(3599);
        progress.Tick(50, () => "r");
        now = TimeSpan.FromSeconds(3600);
        progress.Finish(100, "r");
        string[] lines = output.ToString().ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        Assert.Equal(["replay t.dmt: 50 of 100 ticks (50.0 %), r, ETA 59:59", "replay t.dmt: 100 of 100 ticks (100.0 %), r, done in 1:00:00"], lines);
    }

    [Fact]
    public void Replay_WithStderrNotATerminal_PrintsPlainProgressLinesWhileItRuns()
    {
        Assert.True(Console.IsErrorRedirected, "the test host's stderr is expected to be redirected");
        using var tmp = new TempDir();
        string trace = tmp.File("t.dmt");
        TraceGenerator.Generate(trace, new TraceGeneratorOptions { Vms = 400, Hosts = 4, Ticks = 3000, Seed = 2, TickSeconds = 60 });
        TimeSpan old = ReplayRunner.PlainInterval;
        ReplayRunner.PlainInterval = TimeSpan.FromMilliseconds(1);
        try
        {
            (int exit, string stdout, string stderr) = Run("replay", trace, "-o", tmp.File("out"), "--path", "scalar");
            Assert.True(exit == 0, stderr);
            string[] progress = stderr.ReplaceLineEndings("\n").Split('\n').Where(l => l.StartsWith("replay t.dmt: ", StringComparison.Ordinal)).ToArray();
            Assert.True(progress.Length >= 2, $"expected progress lines on stderr, got:\n{stderr}");
            Assert.Matches(@"^replay t\.dmt: \d+ of 3000 ticks \(\d+\.\d %\), [\d.]+ [kM] VM-ticks/s, ETA \d+:\d\d$", progress[0]);
            Assert.EndsWith("done in", progress[^1][..progress[^1].LastIndexOf(' ')], StringComparison.Ordinal);
            Assert.DoesNotContain("ticks (", stdout, StringComparison.Ordinal); // stdout keeps only the results
        }
        finally
        {
            ReplayRunner.PlainInterval = old;
        }
    }

    /// <summary>
    /// compare of a one-VM trace speaks of one VM, one draw and one probe's work in the singular, and counts a small run's
    /// work in VM-ticks (before stop 53: "1 VMs", "The trace's own 1 VM need", "for 1 draws", "0 M VM-ticks").
    /// </summary>
    [Fact]
    public void Compare_OfOneVm_SpeaksOfItInTheSingular_AndCountsASmallRunsWork()
    {
        using var tmp = new TempDir();
        string trace = tmp.File("one.dmt");
        Assert.Equal(0, CliTests.Run("generate", "--vms", "1", "--hosts", "1", "--ticks", "100", "-o", trace).Exit);
        (int exit, string stdout, string stderr) = CliTests.Run("compare", trace, "-o", tmp.File("out"), "--seeds", "1");
        Assert.True(exit == 0, stderr);
        string console = stdout + stderr, report = File.ReadAllText(tmp.File("out/report.md"));
        Assert.Contains("compare: one.dmt: 1 VM, 100 ticks of 60 s;", console, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^\d+ probes, [1-9]\d* VM-ticks in [\d.]+ s\. Outputs:", console);
        Assert.Matches(@"(?m)^- \d+ probes, [1-9]\d* VM-ticks, [\d.]+ s\.$", report);
        Assert.Contains("The trace's own 1 VM needs 1 host under Dynamic Memory", report, StringComparison.Ordinal);
        Assert.Contains("drawn from the trace's 1 VM with replacement", report, StringComparison.Ordinal);
        Assert.Contains("for 1 draw (seeds 1..1)", report, StringComparison.Ordinal);
        Assert.Contains("The trace has only 1 VM: the density draws", report, StringComparison.Ordinal);
        Assert.Contains("50 % fits 2 VMs per host.", report, StringComparison.Ordinal); // (2 on these 6 GB hosts)
        Assert.DoesNotContain("1 VMs", console + report, StringComparison.Ordinal);
    }

    /// <summary>
    /// The buffer knob's sentence ends in the singular when its last density is one VM (the real Bitbrains sample on 4 GB
    /// hosts: before stop 53, "50 % fits 1 VMs per host").
    /// </summary>
    [Fact]
    public void Compare_BufferKnobOfOneVmPerHost_IsInTheSingular()
    {
        using var tmp = new TempDir();
        string trace = tmp.File("bb.dmt");
        Assert.Equal(0, CliTests.Run("import", "bitbrains", RealTraces.Path("bitbrains-gwa-t-12-rnd"), "-o", trace).Exit);
        (int exit, _, string stderr) = CliTests.Run("compare", trace, "--host-mb", "4096", "-o", tmp.File("out"));
        Assert.True(exit == 0, stderr);
        string report = File.ReadAllText(tmp.File("out/report.md"));
        Assert.Contains("The buffer knob: 10 % fits 1, 50 % fits 1 VM per host.", report, StringComparison.Ordinal);
    }
}

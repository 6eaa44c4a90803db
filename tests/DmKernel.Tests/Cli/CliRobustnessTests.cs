using System.Diagnostics;
using System.Runtime.Versioning;
using DmKernel.Tests.Replay;
using DmKernel.Tests.Traces;
using DmKernel.Traces;
using DmKernel.Traces.Capacity;

namespace DmKernel.Tests.Cli;

/// <summary>
/// Outputs that must never be replaced (a device, a named pipe, a symbolic link), option errors that name the option the
/// user typed, interrupted and failed runs that leave nothing behind (found by an adversarial review of the CLI).
/// </summary>
[Collection(nameof(CliTests))]
[UnsupportedOSPlatform("windows")]
public class CliRobustnessTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args) => CliTests.Run(args);

    /// <summary>
    /// A VDI fleet too large to build in memory is refused naming --ticks, with nothing written (before: within each
    /// option's own range, 1 000 000 desktops × 10 000 ticks overflowed the array's size and printed a stack trace).
    /// </summary>
    [Fact]
    public void Generate_VdiFleetTooLargeToBuild_IsRefusedNamingTicks()
    {
        using var tmp = new TempDir();
        (int exit, _, string stderr) = Run("generate", "--profile", "vdi", "--vms", "1000000", "--hosts", "1000", "--ticks", "10000", "-o", tmp.File("out.dmt"));
        Assert.Equal(2, exit);
        Assert.Contains("--ticks: 10000: expected at most 268 for 1000000 desktops", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(tmp.Path));
    }

    private static string ErrorLine(string stderr) => CliUsabilityTests.OneErrorLine(stderr);

    /// <summary>
    /// docs/generate.md: with a --host-mb too small for a VM's Startup after the reserve, generate says how many VMs can
    /// never start, one included (a single VM on a host that holds only the smallest Startup, 512 MB, beside its reserve).
    /// </summary>
    [Fact]
    public void Generate_OneVmThatCanNeverStart_IsWarnedOf()
    {
        using var tmp = new TempDir();
        (int exit, _, string stderr) = Run("generate", "--vms", "1", "--hosts", "1", "--ticks", "4", "--host-mb", "2560", "-o", tmp.File("g.dmt"));
        Assert.True(exit == 0, stderr);
        Assert.Contains("warning: 1 of 1 VMs need more Startup memory than their host holds after its reserve (2560 MB hosts)", stderr, StringComparison.Ordinal);
    }

    /// <summary>
    /// generate and import write FILE.tmp and rename it over FILE; where FILE is a device, a named pipe or a symbolic link
    /// that rename would replace it (as root, /dev/null itself), so it is refused by name and left as it was.
    /// </summary>
    [Fact]
    public void OutputThatIsNotARegularFile_IsRefusedAndLeftAsItWas()
    {
        using var tmp = new TempDir();
        string target = tmp.Write("target.dmt", "mine");
        string link = tmp.File("link.dmt");
        File.CreateSymbolicLink(link, target);
        (int exit, _, string stderr) = Run("generate", "--vms", "10", "--hosts", "2", "--ticks", "5", "-o", link);
        Assert.Equal(1, exit);
        Assert.Contains("is a symbolic link", ErrorLine(stderr), StringComparison.Ordinal);
        (exit, _, stderr) = Run("import", "bitbrains", RealTraces.Path("bitbrains-gwa-t-12-rnd"), "-o", link);
        Assert.Equal(1, exit);
        Assert.Contains("is a symbolic link", ErrorLine(stderr), StringComparison.Ordinal);
        Assert.Equal(target, new FileInfo(link).LinkTarget);
        Assert.Equal("mine", File.ReadAllText(target));

        string fifo = tmp.File("pipe.dmt");
        using (Process mkfifo = Process.Start("mkfifo", [fifo])) // the path as one argument: a temporary folder may hold spaces
            mkfifo.WaitForExit();
        Assert.True(OutputFile.Describe(fifo) == "a named pipe", $"mkfifo made no named pipe at '{fifo}'");
        (exit, _, stderr) = Run("generate", "--profile", "vdi", "--vms", "10", "--ticks", "5", "-o", fifo);
        Assert.Equal(1, exit);
        Assert.Contains("is a named pipe", ErrorLine(stderr), StringComparison.Ordinal);
        Assert.Equal(["link.dmt", "pipe.dmt", "target.dmt"], Directory.EnumerateFileSystemEntries(tmp.Path).Select(Path.GetFileName).Order());

        // Last, once the refusal is known to work (run as root, a regression here would replace the machine's /dev/null).
        (exit, _, stderr) = Run("generate", "--vms", "10", "--hosts", "2", "--ticks", "5", "-o", "/dev/null");
        Assert.Equal(1, exit);
        Assert.Contains("'/dev/null' exists and is a character device, not a regular file", ErrorLine(stderr), StringComparison.Ordinal);
    }

    /// <summary>Copies the committed Alibaba sample (tmp/machine_usage.csv) and one Bitbrains file (tmp/bb/2013-8/421.csv) into <paramref name="tmp"/>.</summary>
    private static (string Usage, string BitbrainsFolder, string BitbrainsFile) CopyAlibabaAndBitbrainsInputs(TempDir tmp)
    {
        string usage = tmp.File("machine_usage.csv");
        File.Copy(RealTraces.Path("alibaba-2018-machine-usage/machine_usage.csv"), usage);
        string bitbrains = tmp.File("bb");
        Directory.CreateDirectory(Path.Combine(bitbrains, "2013-8"));
        string bbFile = Path.Combine(bitbrains, "2013-8", "421.csv");
        File.Copy(RealTraces.Path("bitbrains-gwa-t-12-rnd/2013-8/421.csv"), bbFile);
        return (usage, bitbrains, bbFile);
    }

    /// <summary>
    /// An import whose output path is one of its own inputs (Alibaba's machine_usage.csv, a Bitbrains *.csv or a GCD day file
    /// in the input folder) is refused before anything is read: it used to import, then rename the trace over the source.
    /// </summary>
    [Fact]
    public void Import_OutputThatIsOneOfItsInputs_IsRefused_TheInputIsLeftAsItWas()
    {
        using var tmp = new TempDir();
        (string usage, string bitbrains, _) = CopyAlibabaAndBitbrainsInputs(tmp);
        string gcd = tmp.File("gcd");
        Directory.CreateDirectory(gcd);
        File.Copy(RealTraces.Path("google-2011-gcd-vms/GCD_VMs/vm_3418442_1"), Path.Combine(gcd, "vm_3418442_1"));
        byte[][] before = [File.ReadAllBytes(usage), File.ReadAllBytes(Path.Combine(bitbrains, "2013-8", "421.csv")), File.ReadAllBytes(Path.Combine(gcd, "vm_3418442_1"))];

        (int exit, _, string stderr) = Run("import", "alibaba", usage, "-o", usage, "--host-mb", "65536");
        Assert.Equal(1, exit);
        Assert.Contains($"the output '{usage}' is an input of this import", ErrorLine(stderr), StringComparison.Ordinal);
        (exit, _, stderr) = Run("import", "bitbrains", bitbrains, "-o", Path.Combine(bitbrains, "2013-8", "..", "2013-8", "421.csv"));
        Assert.Equal(1, exit);
        Assert.Contains("is an input of this import", ErrorLine(stderr), StringComparison.Ordinal);
        (exit, _, stderr) = Run("import", "gcd", gcd, "-o", Path.Combine(gcd, "vm_3418442_1"), "--vm-mb", "16384");
        Assert.Equal(1, exit);
        Assert.Contains("is an input of this import", ErrorLine(stderr), StringComparison.Ordinal);

        Assert.Equal(before[0], File.ReadAllBytes(usage));
        Assert.Equal(before[1], File.ReadAllBytes(Path.Combine(bitbrains, "2013-8", "421.csv")));
        Assert.Equal(before[2], File.ReadAllBytes(Path.Combine(gcd, "vm_3418442_1")));
        Assert.Equal(["bb", "gcd", "machine_usage.csv"], Directory.EnumerateFileSystemEntries(tmp.Path).Select(Path.GetFileName).Order());
        Assert.Single(Directory.EnumerateFiles(bitbrains, "*", SearchOption.AllDirectories));
        Assert.Single(Directory.EnumerateFiles(gcd));
    }

    /// <summary>
    /// GCD's inputs are the vm_&lt;job&gt;_&lt;day&gt; files it reads: an output named as a vm_* file it ignores (not of that
    /// form) is replaced like any existing output, not refused as "an input of this import" (it was, by the vm_* pattern
    /// alone); a day file it reads is still refused, and the import reads the same day file either way.
    /// </summary>
    [Fact]
    public void ImportGcd_OutputNamedAsAnIgnoredVmFile_IsWritten_ADayFileIsStillRefused()
    {
        using var tmp = new TempDir();
        string gcd = tmp.File("gcd");
        Directory.CreateDirectory(gcd);
        string day = Path.Combine(gcd, "vm_3418442_1");
        File.Copy(RealTraces.Path("google-2011-gcd-vms/GCD_VMs/vm_3418442_1"), day);
        string ignored = Path.Combine(gcd, "vm_notes.dmt");
        File.WriteAllText(ignored, "not a day file");
        byte[] dayBefore = File.ReadAllBytes(day);

        (int exit, _, string stderr) = Run("import", "gcd", gcd, "-o", ignored, "--vm-mb", "16384");
        Assert.True(exit == 0, stderr);
        using (var reader = NativeTraceReader.Open(ignored))
            Assert.Equal(["vm_3418442"], reader.Vms.Select(vm => vm.Id));

        (exit, _, stderr) = Run("import", "gcd", gcd, "-o", day, "--vm-mb", "16384");
        Assert.Equal(1, exit);
        Assert.Contains($"the output '{day}' is an input of this import", ErrorLine(stderr), StringComparison.Ordinal);
        Assert.Equal(dayBefore, File.ReadAllBytes(day));
    }

    /// <summary>
    /// The same input file reached another way is refused too: a hard link to Alibaba's machine_usage.csv in another
    /// folder, and a Bitbrains file named through a symbolic link to its folder (full paths differ; the device and inode
    /// do not). A copy with the same size and modification time is another file: it is replaced, as any existing output.
    /// </summary>
    [Fact]
    public void Import_OutputThatIsAnInputByAHardOrSymbolicLink_IsRefused_ACopyIsNot()
    {
        using var tmp = new TempDir();
        (string usage, string bitbrains, string bbFile) = CopyAlibabaAndBitbrainsInputs(tmp);
        Directory.CreateDirectory(tmp.File("elsewhere"));
        string hardLink = tmp.File("elsewhere/usage-link.csv");
        using (var ln = Process.Start("ln", [usage, hardLink])!)
        {
            ln.WaitForExit();
            Assert.Equal(0, ln.ExitCode);
        }

        Directory.CreateSymbolicLink(tmp.File("bb-alias"), bitbrains);
        byte[][] before = [File.ReadAllBytes(usage), File.ReadAllBytes(bbFile)];

        (int exit, _, string stderr) = Run("import", "alibaba", usage, "-o", hardLink, "--host-mb", "65536");
        Assert.Equal(1, exit);
        Assert.Contains($"the output '{hardLink}' is an input of this import", ErrorLine(stderr), StringComparison.Ordinal);
        (exit, _, stderr) = Run("import", "bitbrains", bitbrains, "-o", Path.Combine(tmp.File("bb-alias"), "2013-8", "421.csv"));
        Assert.Equal(1, exit);
        Assert.Contains("is an input of this import", ErrorLine(stderr), StringComparison.Ordinal);
        Assert.Equal(before[0], File.ReadAllBytes(usage));
        Assert.Equal(before[1], File.ReadAllBytes(bbFile));

        // A copy of the input, with the input's modification time: not the input, so it is replaced by the trace.
        string copy = tmp.File("elsewhere/usage-copy.csv");
        // (Both set to one whole second: copying the input's time through .NET keeps only 100 ns of its nanoseconds, and a
        // copy whose time differed in the last digits would be told apart without its device and inode.)
        File.Copy(usage, copy);
        var when = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(usage, when);
        File.SetLastWriteTimeUtc(copy, when);
        Assert.NotNull(OutputFile.Identity(copy));
        Assert.Equal(OutputFile.Identity(usage)![..24], OutputFile.Identity(copy)![..24]); // the same size and modification time
        Assert.NotEqual(OutputFile.Identity(usage), OutputFile.Identity(copy));
        Assert.Equal(OutputFile.Identity(usage), OutputFile.Identity(hardLink));
        (exit, _, stderr) = Run("import", "alibaba", usage, "-o", copy, "--host-mb", "65536");
        Assert.True(exit == 0, stderr);
        Assert.NotEqual(before[0], File.ReadAllBytes(copy));
        Assert.Equal(before[0], File.ReadAllBytes(usage));
    }

    /// <summary>
    /// An input named as a temporary file the import writes beside its output ("&lt;output&gt;.samples.tmp", created and
    /// truncated first; "&lt;output&gt;.tmp", written and renamed over the output) is refused too, by name or through a hard
    /// link: the first was emptied before it was read (and deleted), the second overwritten by the trace and renamed away.
    /// </summary>
    [Fact]
    public void Import_InputThatIsATemporaryFileOfTheOutput_IsRefused_TheInputIsLeftAsItWas()
    {
        using var tmp = new TempDir();
        byte[] source = File.ReadAllBytes(RealTraces.Path("alibaba-2018-machine-usage/machine_usage.csv"));
        string output = tmp.File("trace.dmt");
        foreach (string suffix in new[] { ".samples.tmp", ".tmp" })
        {
            string input = output + suffix;
            File.WriteAllBytes(input, source);
            (int exit, _, string stderr) = Run("import", "alibaba", input, "-o", output, "--host-mb", "65536");
            Assert.Equal(1, exit);
            Assert.Contains($"the temporary file '{output}{suffix}' that the import writes beside the output '{output}' is an input of this import",
                ErrorLine(stderr), StringComparison.Ordinal);
            Assert.Equal(source, File.ReadAllBytes(input));
            Assert.Equal([Path.GetFileName(input)], Directory.EnumerateFileSystemEntries(tmp.Path).Select(Path.GetFileName));

            // The same input by another name, a hard link beside the output.
            string other = tmp.File("machine_usage.csv");
            File.Move(input, other);
            using (var ln = Process.Start("ln", [other, input])!)
            {
                ln.WaitForExit();
                Assert.Equal(0, ln.ExitCode);
            }

            (exit, _, stderr) = Run("import", "alibaba", other, "-o", output, "--host-mb", "65536");
            Assert.Equal(1, exit);
            Assert.Contains($"the temporary file '{output}{suffix}'", ErrorLine(stderr), StringComparison.Ordinal);
            Assert.Equal(source, File.ReadAllBytes(other));
            File.Delete(input);
            File.Delete(other);
        }
    }

    /// <summary>generate's range errors name the option typed (not the generator's property), on one line, exit code 2.</summary>
    [Theory]
    [InlineData("--tick-seconds 0", "error: --tick-seconds: 0: expected from 0.003 to 3600 seconds")]
    [InlineData("--vms 0", "error: --vms: 0: expected at least 1 VM.")]
    [InlineData("--vms 67108865", "error: --vms: 67108865: expected 1..67108864.")]
    [InlineData("--vms 10 --hosts 20", "error: --hosts: 20: expected 0 (no placement) up to the VM count.")]
    [InlineData("--vms 1", "error: --hosts: 10 (its default: --hosts was not given) is more than the 1 VM of --vms 1: give --hosts from 0 (no placement) to 1.")]
    [InlineData("--profile vdi --vms 1", "error: --hosts: 2 (its default: --hosts was not given) is more than the 1 desktop of --vms 1: give --hosts from 0 (no placement) to 1.")]
    [InlineData("--ticks -1", "error: --ticks: -1: expected at least 1 tick.")]
    [InlineData("--ticks 0", "error: --ticks: 0: expected at least 1 tick.")]
    [InlineData("--vms 131072 --hosts 2 --ticks 2", "error: --hosts: 2 hosts would need 236322816 MB each, more than 16777216 MB (16 TB); use more hosts.")]
    [InlineData("--host-mb 0", "error: --host-mb: 0: expected a positive multiple of 2 MB")]
    [InlineData("--host-mb 1024", "error: --host-mb: 1024: expected at least the host reserve of 2048 MB.")]
    [InlineData("--tick-seconds 7200", "error: --tick-seconds: 7200: expected from 0.003 to 3600 seconds (the ticks replay and compare run")]
    [InlineData("--tick-seconds 0.001", "error: --tick-seconds: 0.001: expected from 0.003 to 3600 seconds")]
    [InlineData("--profile vdi --tick-seconds 86400", "error: --tick-seconds: 86400: expected from 0.003 to 3600 seconds")]
    [InlineData("--hosts 0 --host-mb 8192", "error: --host-mb: --hosts 0 writes a trace without hosts, so there is no host to size")]
    [InlineData("--profile vdi --hosts 0 --host-mb 8192", "error: --host-mb: --hosts 0 writes a trace without hosts")]
    [InlineData("--profile vdi --vms 0", "error: --vms: 0: expected 1..1000000.")]
    [InlineData("--profile vdi --hosts 500", "error: --hosts: 500: expected 0 (no placement) up to the desktop count.")]
    [InlineData("--profile vdi --host-mb 1000", "error: --host-mb: 1000: expected a multiple of 2 MB above the host reserve of 2048 MB.")]
    [InlineData("--host-mb 2050", "error: --host-mb: 2050: expected at least 2560 MB: a host reserve of 2048 MB plus the smallest VM's Startup (512 MB); a smaller host holds no VM.")]
    [InlineData("--host-mb 2147483646", "error: --host-mb: 2147483646: expected at most 16777216 MB (16 TB).")]
    [InlineData("--profile vdi --host-mb 2050", "error: --host-mb: 2050: expected at least 3072 MB: a host reserve of 2048 MB plus one desktop's Startup (1024 MB); a smaller host holds no desktop.")]
    [InlineData("--profile vdi --host-mb 16777218", "error: --host-mb: 16777218: expected at most 16777216 MB (16 TB).")]
    public void Generate_OptionOutOfRange_NamesTheOption_ExitTwo(string options, string expected)
    {
        using var tmp = new TempDir();
        (int exit, _, string stderr) = Run(["generate", "-o", tmp.File("g.dmt"), .. options.Split(' ')]);
        Assert.Equal(2, exit);
        Assert.StartsWith(expected, ErrorLine(stderr), StringComparison.Ordinal);
        Assert.DoesNotContain("Actual value", stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(tmp.Path));
    }

    /// <summary>
    /// A trace whose tick the model does not run (written by the native writer, or by generate before it checked) is refused by
    /// replay and compare naming the trace and its tick length (before: "Model parameter TickSeconds = 7200 is out of
    /// range", naming the model's property; with 0.001-s ticks "PressureWindowSeconds = 60", a parameter nobody gave).
    /// </summary>
    [Theory]
    [InlineData(7200, "a tick of 7200 s, which the model does not run: expected a tick of more than 0 and at most 3600 s")]
    [InlineData(0.001, "a tick of 0.001 s, which the model does not run: the 60 s pressure window would span 60000 ticks, more than 20000; expected a tick of at least 0.003 s")]
    public void ReplayAndCompare_TraceWithATickTheModelDoesNotRun_NameTheTracesTick(double tickSeconds, string message)
    {
        using var tmp = new TempDir();
        string trace = tmp.File("t.dmt");
        // The format holds ticks up to 1e9 s; the generators and importers refuse what the model does not run (3 600 s at most).
        using (var w = new NativeTraceWriter(trace, new TraceDescription(tickSeconds, "test"), [new TraceVm("a", VmSettings.Default, 0)], [new TraceHost(8192)]))
        {
            for (int t = 0; t < 3; t++)
                w.WriteTick([600]);
            w.Complete();
        }

        foreach (string command in (string[])["replay", "compare"])
        {
            (int exit, _, string stderr) = Run(command, trace, "-o", tmp.File(command));
            Assert.Equal(1, exit);
            Assert.Contains("t.dmt', header: ", ErrorLine(stderr), StringComparison.Ordinal);
            Assert.Contains(message, ErrorLine(stderr), StringComparison.Ordinal);
            Assert.DoesNotContain("Model parameter", stderr, StringComparison.Ordinal);
            Assert.False(Directory.Exists(tmp.File(command)));
        }
    }

    /// <summary>
    /// An intermittent guest's spells run in whole ticks; generate warns when the ones asked for are not whole ticks of the
    /// trace, with the share of time stuck the replay will have (a silent 50 % for an asked 33 % before).
    /// </summary>
    [Fact]
    public void Generate_IntermittentSpellsNotWholeTicks_AreWarnedWithTheShareThatRuns()
    {
        using var tmp = new TempDir();
        (int exit, _, string stderr) = Run("generate", "--vms", "20", "--hosts", "2", "--ticks", "3", "--guests", "intermittent:30/60=10%", "-o", tmp.File("a.dmt"));
        Assert.True(exit == 0, stderr);
        Assert.Contains("warning: --guests intermittent:30/60: the spells run in whole ticks of 60 s: stuck 1 tick, then ideal 1 tick (50 % of the time stuck, against 33.3 % asked).", stderr, StringComparison.Ordinal);
        (exit, _, stderr) = Run("generate", "--vms", "20", "--hosts", "2", "--ticks", "3", "--guests", "intermittent:120/60=10%", "-o", tmp.File("b.dmt"));
        Assert.True(exit == 0, stderr);
        Assert.DoesNotContain("warning", stderr, StringComparison.Ordinal);
    }

    /// <summary>
    /// A run of one VM for one tick reads "1 VM ..., 1 tick" and its rate in VM-ticks/s (it read "1 ticks" and "0.0 k
    /// VM-ticks/s").
    /// </summary>
    [Fact]
    public void GenerateAndReplay_OneVmOneTick_SayOneTick_AndARateOfWholeVmTicks()
    {
        using var tmp = new TempDir();
        (int exit, string stdout, string stderr) = Run("generate", "--vms", "1", "--hosts", "1", "--ticks", "1", "-o", tmp.File("g.dmt"));
        Assert.True(exit == 0, stderr);
        Assert.StartsWith("Generated 1 VM on 1 host of ", stdout, StringComparison.Ordinal);
        Assert.Contains(", 1 tick of 60 s", stdout, StringComparison.Ordinal);

        (exit, stdout, stderr) = Run("replay", tmp.File("g.dmt"), "-o", tmp.File("r"));
        Assert.True(exit == 0, stderr);
        Assert.Matches(@"^Replayed 1 VM on 1 host for 1 tick in [0-9.]+ s \(([1-9][0-9]*\.[0-9] [kM] |[0-9]+ )VM-ticks/s, path ", stdout);
    }

    /// <summary>
    /// <c>--hosts 0</c> writes a trace without placement; the headline says so and what replay does with it (it said
    /// "on 0 hosts of 0 MB"), and replay places the VMs itself.
    /// </summary>
    [Fact]
    public void Generate_HostsZero_SaysNoPlacement_AndReplayPlacesTheVms()
    {
        using var tmp = new TempDir();
        (int exit, string stdout, string stderr) = Run("generate", "--vms", "40", "--hosts", "0", "--ticks", "5", "-o", tmp.File("g.dmt"));
        Assert.True(exit == 0, stderr);
        Assert.StartsWith("Generated 40 VMs with no placement (replay places them on hosts of its --host-mb), 5 ticks of 60 s", stdout, StringComparison.Ordinal);

        (exit, stdout, stderr) = Run("generate", "--profile", "vdi", "--vms", "10", "--hosts", "0", "--ticks", "5", "-o", tmp.File("v.dmt"));
        Assert.True(exit == 0, stderr);
        Assert.StartsWith("Generated a VDI fleet: 10 desktops of 1024 MB with no placement", stdout, StringComparison.Ordinal);

        (exit, stdout, stderr) = Run("replay", tmp.File("g.dmt"), "--host-mb", "65536", "-o", tmp.File("r"));
        Assert.True(exit == 0, stderr);
        Assert.Matches(@"^Replayed 40 VMs on [1-9][0-9]* hosts? for 5 ticks", stdout);
    }

    /// <summary>
    /// An empty or blank file or folder name (<c>-o ""</c>, an unset shell variable) is refused by the parser, naming the
    /// option or argument: it crashed generate, import, replay, split and merge with the runtime's stack trace and made
    /// compare print "The value cannot be an empty string", naming nothing.
    /// </summary>
    [Theory]
    [InlineData("generate --vms 10 --hosts 2 --ticks 5 -o", "", "error: --output: '' is an empty path: expected a file name.")]
    [InlineData("generate --vms 10 --hosts 2 --ticks 5 -o g.dmt --from", " ", "error: --from: ' ' is an empty path: expected a file name.")]
    [InlineData("replay SAMPLE -o", "", "error: --output: '' is an empty path: expected a folder name.")]
    [InlineData("replay -o out", "", "error: FILE: '' is an empty path: expected a file name.")]
    [InlineData("compare SAMPLE -o", "", "error: --output: '' is an empty path: expected a folder name.")]
    [InlineData("split SAMPLE --shards 2 -o", "", "error: --output: '' is an empty path: expected a folder name.")]
    [InlineData("merge -o out", "", "error: DIR: '' is an empty path: expected a folder name.")]
    [InlineData("import bitbrains BITBRAINS -o", "", "error: --output: '' is an empty path: expected a file name.")]
    [InlineData("import bitbrains -o t.dmt", "", "error: INPUT: '' is an empty path: expected a file or folder name.")]
    public void EmptyPath_IsRefusedByTheOptionsName_ExitTwo(string command, string path, string expected)
    {
        using var tmp = new TempDir();
        string[] args = [.. command.Split(' ').Select(a => a switch
        {
            "SAMPLE" => ReplayDeterminismTests.SampleTrace,
            "BITBRAINS" => RealTraces.Path("bitbrains-gwa-t-12-rnd"),
            "out" or "g.dmt" or "t.dmt" => tmp.File(a),
            _ => a,
        }), path];
        (int exit, _, string stderr) = Run(args);
        Assert.Equal(2, exit);
        Assert.Equal(expected, ErrorLine(stderr));
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(tmp.Path));
    }

    /// <summary>replay's model options are named by their flags; a host smaller than the reserve names --host-mb.</summary>
    [Theory]
    [InlineData("--boot-grace -1", "error: --boot-grace: -1 is out of range")]
    [InlineData("--reclaim-period -5", "error: --reclaim-period: -5 is out of range")]
    [InlineData("--reserve 3", "error: --reserve: 3 is out of range")]
    [InlineData("--host-mb 1000", "error: --host-mb 1000: expected more than the management-OS reserve of 2048 MB (--reserve).")]
    [InlineData("--host-mb 33554432", "error: --host-mb 33554432: expected a positive multiple of 2 MB up to 16777216 MB (16 TB).")] // (before stop 53: taken, and the advice "--host-mb N or more" could wrap negative)
    [InlineData("--reserve 4096", "error: --reserve applies only to hosts without a reserve of their own; every one of the 4 hosts of sample-200vms-1day.dmt records its own (2048 MB), so it would change nothing.")]
    [InlineData("--reserve 300000", "error: --reserve 300000: expected less than the host size, 262144 MB (--host-mb's default): give a smaller --reserve.")]
    public void Replay_ModelOrHostOptionOutOfRange_NamesTheFlag(string options, string expected)
    {
        using var tmp = new TempDir();
        (int exit, _, string stderr) = Run(["replay", ReplayDeterminismTests.SampleTrace, "-o", tmp.File("out"), .. options.Split(' ')]);
        Assert.Equal(2, exit);
        Assert.StartsWith(expected, ErrorLine(stderr), StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(tmp.Path));
    }

    /// <summary>
    /// compare checks --reserve against the host it packs onto (the trace's own, 223232 MB here), not against replay's
    /// --host-mb default, which nobody typed (before: "--host-mb 262144: expected more than the management-OS reserve of
    /// 300000 MB"); --max-ticks 0 names the option and exits 2 (before: exit 1, "the trace has 200 VMs and 0 ticks").
    /// </summary>
    [Theory]
    [InlineData("--reserve 300000", "error: --reserve 300000 MB is not below the host size 223232 MB: give a larger --host-mb or a smaller --reserve.")]
    [InlineData("--reserve 223232", "error: --reserve 223232 MB is not below the host size 223232 MB: give a larger --host-mb or a smaller --reserve.")] // equal: no room for a VM
    [InlineData("--reserve 2147483646", "error: --reserve 2147483646 MB is not below the host size 223232 MB: give a larger --host-mb or a smaller --reserve.")]
    [InlineData("--max-ticks 0", "error: --max-ticks 0 is out of range: expected at least 1 tick (a density probe replays at least one).")]
    public void Compare_ReserveOrMaxTicksOutOfRange_NamesTheOptionGiven(string options, string expected)
    {
        using var tmp = new TempDir();
        (int exit, _, string stderr) = Run(["compare", ReplayDeterminismTests.SampleTrace, "-o", tmp.File("out"), "--seeds", "1", .. options.Split(' ')]);
        Assert.Equal(2, exit);
        Assert.Equal(expected, ErrorLine(stderr));
        Assert.Empty(Directory.EnumerateFileSystemEntries(tmp.Path));
    }

    /// <summary>
    /// Help states the range the option's check enforces, as the error for a value outside it does (before: the model's
    /// and compare's options showed only a unit, so "--seeds 200" or "--reserve 3" was the first a user heard of 1..100
    /// or a multiple of 2).
    /// </summary>
    [Theory]
    [InlineData("replay", "--boot-grace", "(0 to 1e9)")]
    [InlineData("replay", "--reclaim-period", "(0 to 1e9)")]
    [InlineData("replay", "--max-remove", "(at least 1)")]
    [InlineData("replay", "--reserve", "a multiple of 2, below the host size")]
    [InlineData("replay", "--host-mb", "a multiple of 2, above --reserve")]
    [InlineData("replay", "--host-series-every", "(at least 1)")]
    [InlineData("replay", "--checkpoint-every", "(at least 1)")]
    [InlineData("compare", "--paging-limit", "0 to 1")]
    [InlineData("compare", "--pressure-limit", "(1..100000)")]
    [InlineData("compare", "--pressure-percentile", "above 0 and at most 100")]
    [InlineData("compare", "--hosts-per-probe", "(1..1024)")]
    [InlineData("compare", "--seeds", "(1..100)")]
    [InlineData("compare", "--buffers", "(5..2000 each)")]
    [InlineData("compare", "--max-hosts", "(at least 1)")]
    [InlineData("compare", "--max-ticks", "at least 1")]
    [InlineData("compare", "--host-mb", "a multiple of 2, above --reserve")]
    [InlineData("demo", "--every", "(at least 1)")]
    public void Help_StatesTheRangeOfEachCheckedOption(string command, string option, string range)
    {
        (int exit, string stdout, _) = Run(command, "--help");
        Assert.Equal(0, exit);
        // The option's line ("  --seeds <N>  ...", two spaces in) and its wrapped continuation lines (indented further).
        string[] lines = stdout.ReplaceLineEndings("\n").Split('\n');
        int at = Array.FindIndex(lines, l => l.StartsWith("  " + option + " <", StringComparison.Ordinal));
        Assert.True(at >= 0, $"{command} --help does not list {option}");
        string entry = lines[at];
        for (int next = at + 1; next < lines.Length && lines[next].StartsWith("   ", StringComparison.Ordinal); next++)
            entry += " " + lines[next].Trim();
        Assert.Contains(range, System.Text.RegularExpressions.Regex.Replace(entry, @"\s+", " "), StringComparison.Ordinal);
    }

    /// <summary>A host too small for the import's host reserve names the host option given, not the reserve (not an option).</summary>
    [Theory]
    [InlineData("bitbrains", "bitbrains-gwa-t-12-rnd", "--place-on-host-mb 1024", "error: --place-on-host-mb: 1024: expected more than the host reserve of 2048 MB.")]
    [InlineData("alibaba", "alibaba-2018-machine-usage/machine_usage.csv", "--host-mb 2050", "error: --host-mb: 2050: expected at least the host reserve of 2048 MB plus 32 MB")]
    public void Import_HostBelowTheReserve_NamesTheHostOption(string source, string input, string options, string expected)
    {
        using var tmp = new TempDir();
        (int exit, _, string stderr) = Run(["import", source, RealTraces.Path(input), "-o", tmp.File("t.dmt"), .. options.Split(' ')]);
        Assert.Equal(2, exit);
        Assert.StartsWith(expected, ErrorLine(stderr), StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(tmp.Path));
    }

    /// <summary>
    /// --downsample takes last or peak; anything else is one error line naming the option and listing both. peak at an hour's tick is recorded in the trace and reads more demand than last on the same samples.
    /// </summary>
    [Fact]
    public void Import_Downsample_OnlyLastOrPeak_OneErrorLine_PeakReadsMore()
    {
        using var tmp = new TempDir();
        string input = RealTraces.Path("bitbrains-gwa-t-12-rnd");
        (int exit, _, string stderr) = Run("import", "bitbrains", input, "-o", tmp.File("x.dmt"), "--downsample", "max");
        Assert.Equal(2, exit);
        Assert.Equal("error: --downsample: 'max' is not a downsample rule: expected last or peak.", ErrorLine(stderr));
        Assert.DoesNotContain('\uFFFD', stderr);
        Assert.False(File.Exists(tmp.File("x.dmt")));

        long Demand(string rule)
        {
            string trace = tmp.File(rule + ".dmt");
            (int code, _, string err) = Run("import", "bitbrains", input, "-o", trace, "--tick-seconds", "3600", "--downsample", rule);
            Assert.True(code == 0, err);
            var data = TraceData.Load(trace);
            Assert.Equal(rule, data.Header.Metadata["resample.downsample"]);
            long sum = 0;
            for (int v = 0; v < data.Header.VmCount; v++)
                sum += data.Series(v).Where(x => x > 0).Sum(x => (long)x);
            return sum;
        }

        Assert.True(Demand("peak") > Demand("last"));
    }

    /// <summary>
    /// import's demand model and settings rule as options, "all recorded in the trace header" (README): each value given
    /// reaches the importer and the header, --static writes every VM with Dynamic Memory off; without them, the defaults.
    /// </summary>
    [Fact]
    public void Import_ModelAndSettingsOptions_ReachTheTraceAndItsHeader()
    {
        using var tmp = new TempDir();
        string input = RealTraces.Path("bitbrains-gwa-t-12-rnd");
        string given = tmp.File("given.dmt"), plain = tmp.File("plain.dmt");
        (int exit, _, string stderr) = Run("import", "bitbrains", input, "-o", given, "--static", "--max-hold-seconds", "1234",
            "--demand-k", "1.5", "--os-base-mb", "300", "--os-base-cap-percent", "40", "--buffer", "30", "--minimum-divisor", "4");
        Assert.True(exit == 0, stderr);
        (exit, _, stderr) = Run("import", "bitbrains", input, "-o", plain);
        Assert.True(exit == 0, stderr);

        using (NativeTraceReader reader = NativeTraceReader.Open(given))
        {
            Assert.NotEmpty(reader.Vms);
            Assert.All(reader.Vms, vm => Assert.False(vm.Settings.DynamicMemory));
            TraceMetadata m = reader.Header.Metadata;
            Assert.Equal("false", m["settings.dynamic_memory"]);
            Assert.Equal("1234", m["resample.max_hold_seconds"]);
            Assert.Equal("1.5", m["demand.k"]);
            Assert.Equal("300", m["demand.os_base_mb"]);
            Assert.Equal("40", m["demand.os_base_cap_percent"]);
            Assert.Equal("30", m["settings.buffer_percent"]);
            Assert.Equal("4", m["settings.minimum_divisor"]);
        }

        using (NativeTraceReader reader = NativeTraceReader.Open(plain))
        {
            Assert.All(reader.Vms, vm => Assert.True(vm.Settings.DynamicMemory));
            TraceMetadata m = reader.Header.Metadata;
            var defaults = new BitbrainsImportOptions();
            Assert.Equal("true", m["settings.dynamic_memory"]);
            Assert.Equal(defaults.MaxHoldSeconds.ToString("R", System.Globalization.CultureInfo.InvariantCulture), m["resample.max_hold_seconds"]);
        }
    }

    /// <summary>
    /// An I/O error inside a run's staging folder names the output's own path: on a full disk replay said
    /// <c>No space left on device : '…/out/.staging-27424-151f…/hosts.csv'</c>, a hidden folder the user never sees (it
    /// is gone when the error is printed); now <c>'…/out/hosts.csv'</c>. Only a staging folder's exact name
    /// (<c>.staging-PID-</c> and 32 hex digits) is taken out; other paths stay as they are.
    /// </summary>
    [Theory]
    [InlineData(".staging-27424-151f565134364fb8893025c9416264a7", true)]
    [InlineData(".staging-1-0a1b2c3d-08de35c0a1b2c3d4-151f565134364fb8893025c9416264a7", true)] // with machine and start (stop 54)
    [InlineData(".staging-27424", false)]
    [InlineData(".staging-x-151f565134364fb8893025c9416264a7", false)]
    [InlineData("staging-27424-151f565134364fb8893025c9416264a7", false)]
    public void AnIoErrorInTheStagingFolder_NamesTheOutputsOwnPath(string folder, bool staging)
    {
        string output = Path.Combine(Path.GetTempPath(), "run out");
        string inside = Path.Combine(output, folder, "hosts.csv");
        (int exit, string stderr) = Guarded(() => throw new IOException($"No space left on device : '{inside}'"));
        Assert.Equal(1, exit);
        string shown = staging ? Path.Combine(output, "hosts.csv") : inside;
        Assert.Equal($"error: No space left on device : '{shown}'", stderr.TrimEnd());
    }

    /// <summary>Runs <paramref name="work"/> through the tool's error handling (<c>Cli.Run</c>), its stderr captured.</summary>
    private static (int Exit, string Stderr) Guarded(Func<int> work)
    {
        TextWriter oldErr = Console.Error;
        var stderr = new StringWriter();
        Console.SetError(stderr);
        try
        {
            return (DmKernel.Cli.Commands.Cli.Run(work), stderr.ToString());
        }
        finally
        {
            Console.SetError(oldErr);
        }
    }

    /// <summary>
    /// Running out of memory (a trace too large for the machine, a container's limit, <c>DOTNET_GCHeapHardLimit</c>) is one
    /// error line saying so and what to do, exit 1, not the runtime's "Unhandled exception: System.OutOfMemoryException"
    /// and a stack trace (before: `replay` of a 100 000-VM trace under a 48 MB heap limit printed exactly that). The
    /// staged outputs are discarded on the way out, as for any other failure.
    /// </summary>
    [Fact]
    public void OutOfMemory_IsOneErrorLineSayingWhatToDo_ExitOne()
    {
        (int exit, string stderr) = Guarded(() => throw new OutOfMemoryException());
        Assert.Equal(1, exit);
        string[] lines = stderr.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        string line = Assert.Single(lines);
        Assert.StartsWith("error: out of memory: ", line, StringComparison.Ordinal);
        Assert.Contains("DOTNET_GCHeapHardLimit", line, StringComparison.Ordinal);
        Assert.Contains("dmkernel split", line, StringComparison.Ordinal);
    }

    /// <summary>
    /// split reports its progress as generate and compare do (a split of a 1M-VM trace takes about a minute; before, it
    /// was silent until the end): "split: T of N ticks (elapsed)", at most one line per interval; here a clock that moves
    /// 3 s per tick, so every tick of the sample's 1440 gets one.
    /// </summary>
    [Fact]
    public void Split_ReportsItsProgress_TicksOfTheTrace()
    {
        using var tmp = new TempDir();
        var lines = new StringWriter();
        int calls = 0;
        var progress = new DmKernel.Cli.Output.ProgressLine(lines, "split", redirected: false, () => TimeSpan.FromSeconds(3 * ++calls));
        TextWriter oldOut = Console.Out;
        Console.SetOut(new StringWriter());
        int exit;
        try
        {
            exit = DmKernel.Cli.Commands.SplitCommand.Run(ReplayDeterminismTests.SampleTrace, 2, tmp.File("split"), CancellationToken.None, progress);
        }
        finally
        {
            Console.SetOut(oldOut);
        }

        Assert.Equal(0, exit);
        string[] written = lines.ToString().ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        Assert.Equal(1440, written.Length);
        Assert.Equal("split: 1 of 1440 ticks (3 s)", written[0]);
        Assert.Equal("split: 1440 of 1440 ticks (4320 s)", written[^1]);
    }

    /// <summary>
    /// A split that fails after it has written some shards leaves none of them: all or nothing, as replay's and compare's
    /// outputs (before, each shard was renamed into place as it completed, so a failure on the second, here a folder in
    /// the way of its name, on a full disk its last block, left the first one, a split that replays as a partial one), and
    /// an earlier split's shards in the folder stay as they were.
    /// </summary>
    [Fact]
    public void Split_FailingAtItsSecondShard_LeavesNoShard_AndTheEarlierSplitsAsTheyWere()
    {
        using var tmp = new TempDir();
        string split = tmp.File("split");
        Assert.Equal(0, Run("split", ReplayDeterminismTests.SampleTrace, "--shards", "3", "-o", split).Exit);
        Dictionary<string, byte[]> before = Directory.GetFiles(split).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);
        Directory.CreateDirectory(Path.Combine(split, "shard-0001-of-0002.dmt"));

        (int exit, _, string stderr) = Run("split", ReplayDeterminismTests.SampleTrace, "--shards", "2", "-o", split);
        Assert.Equal(1, exit);
        Assert.Contains("shard-0001-of-0002.dmt", ErrorLine(stderr), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(split, "shard-0000-of-0002.dmt")));
        Assert.Equal(
            before.Keys.Append("shard-0001-of-0002.dmt").Order(StringComparer.Ordinal),
            Directory.EnumerateFileSystemEntries(split).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach ((string name, byte[] bytes) in before)
            Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(split, name)));
    }

    /// <summary>
    /// merge -o into one of its own shard folders (or below one) is refused: the merged files have the shard's own names, so
    /// the shard was overwritten and every later merge refused it as changed.
    /// </summary>
    [Fact]
    public void Merge_IntoOneOfItsShardFolders_IsRefused_TheShardStaysMergeable()
    {
        using var tmp = new TempDir();
        Assert.Equal(0, Run("split", ReplayDeterminismTests.SampleTrace, "--shards", "2", "-o", tmp.File("split")).Exit);
        for (int i = 0; i < 2; i++)
            Assert.Equal(0, Run("replay", tmp.File("split"), "--shard", $"{i}/2", "-o", tmp.File("shards"), "--max-ticks", "60").Exit);
        string shard0 = Path.Combine(tmp.File("shards"), "shard-0000-of-0002");
        byte[] hosts = File.ReadAllBytes(Path.Combine(shard0, "hosts.csv"));
        foreach (string output in (string[])[shard0, Path.Combine(shard0, "merged")])
        {
            (int exit, _, string stderr) = Run("merge", tmp.File("shards"), "-o", output);
            Assert.Equal(2, exit);
            Assert.Contains("is inside the shard folder", ErrorLine(stderr), StringComparison.Ordinal);
        }

        Assert.Equal(hosts, File.ReadAllBytes(Path.Combine(shard0, "hosts.csv")));
        Assert.False(Directory.Exists(Path.Combine(shard0, "merged")));
        Assert.Equal(0, Run("merge", tmp.File("shards"), "-o", tmp.File("merged")).Exit);
    }

    /// <summary>
    /// A replay that measured nothing (no tick, so no VM on and no pressure sample) says so in its headline and report
    /// instead of printing 0 % paging and 0 % pressure as if they were measured.
    /// </summary>
    [Fact]
    public void Replay_WithNothingMeasured_SaysSo_InsteadOfZeros()
    {
        using var tmp = new TempDir();
        (int exit, string stdout, _) = Run("replay", ReplayDeterminismTests.SampleTrace, "-o", tmp.File("out"), "--max-ticks", "0");
        Assert.Equal(0, exit);
        Assert.Contains("No VM was on; no pressure samples (no Running Dynamic Memory VM);", stdout, StringComparison.Ordinal);
        string report = File.ReadAllText(Path.Combine(tmp.File("out"), "report.md"));
        Assert.Contains("| VM-time paging (demand > assigned) | – (no VM-time on) |", report, StringComparison.Ordinal);
        Assert.Contains("| pressure mean / p50 / p90 / p99 / max | – (no samples", report, StringComparison.Ordinal);
        Assert.Contains("| host available p5 / p50 / p95 | – (no samples) |", report, StringComparison.Ordinal);
        // summary.json: null where nothing was measured (0 read as "never paging" and "hosts full"), counts still 0.
        System.Text.Json.Nodes.JsonNode fleet = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(tmp.File("out"), "summary.json")))!["fleet"]!;
        Assert.Null(fleet["pagingShareOfOnTime"]);
        Assert.Equal(0, fleet["pressure"]!["samples"]!.GetValue<long>());
        foreach (string p in (string[])["mean", "p50", "p90", "p99", "max"])
            Assert.Null(fleet["pressure"]![p]);
        foreach (string p in (string[])["p1", "p5", "p50", "p95", "p99"])
            Assert.Null(fleet["hostAvailablePercent"]![p]);
        Assert.Equal(0, fleet["onVmSeconds"]!.GetValue<double>());
    }

    /// <summary>
    /// The headline and report.md give mean assigned and mean demand from the same exact mean as summary.json (they
    /// divided whole MB first: 1075.5 MB, 1.0503 GB, read "1.0 GB").
    /// </summary>
    [Fact]
    public void Replay_MeanAssigned_HeadlineAndReportRoundTheSummarysExactMean()
    {
        using var tmp = new TempDir();
        string path = tmp.File("t.dmt");
        TraceVm[] vms = [new("a", new VmSettings(1024, 1024, 1024, DynamicMemory: false), 0), new("b", new VmSettings(206, 206, 206, DynamicMemory: false), 0)];
        using (var w = new NativeTraceWriter(path, new TraceDescription(60, "test: mean assigned", new TraceMetadata()), vms, [new TraceHost(8192)]))
        {
            w.WriteTick([1000, 200]);
            for (int t = 1; t < 4; t++)
                w.WriteTick([1000, -1]);
            w.Complete();
        }

        (int exit, string stdout, string stderr) = Run("replay", path, "-o", tmp.File("out"));
        Assert.True(exit == 0, stderr);
        double mean = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(tmp.File("out"), "summary.json")))!["fleet"]!["meanAssignedMb"]!.GetValue<double>();
        Assert.Equal((1024 * 4 + 206) / 4.0, mean);
        Assert.Contains("mean assigned 1.1 GB", stdout, StringComparison.Ordinal);
        Assert.Contains("| memory assigned, mean / peak | 1.1 / 1.2 GB |", File.ReadAllText(Path.Combine(tmp.File("out"), "report.md")), StringComparison.Ordinal);
    }

    /// <summary>
    /// report.md's rows give summary.json's figures as docs/outputs.md defines them, on a trace where each definition
    /// tells: starts denied (wanted VM-time is not on VM-time). Denied time is a share of the
    /// VM-time wanted; host available is p5 / p50 / p95; a starving VM's share is of all the replay's ticks, its servable
    /// share of its servable paging only.
    /// </summary>
    [Fact]
    public void Replay_ReportRows_AreTheSummarysFigures_AsTheDocsDefineThem()
    {
        using var tmp = new TempDir();
        string path = tmp.File("t.dmt"), output = tmp.File("out");
        TraceGenerator.Generate(path, new TraceGeneratorOptions
        {
            Vms = 300,
            Hosts = 3,
            Ticks = 120,
            Seed = 7,
            TickSeconds = 30,
            HostMb = 36_864,
            LinuxFraction = 0.5,
            StaticFraction = 0.25,
        });
        (int exit, _, string stderr) = Run("replay", path, "-o", output);
        Assert.True(exit == 0, stderr);
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(output, "summary.json")))!;
        string report = File.ReadAllText(Path.Combine(output, "report.md"));
        var fleet = json["fleet"]!;
        double seconds = json["ticks"]!.GetValue<long>() * json["trace"]!["tickSeconds"]!.GetValue<double>();
        double Get(System.Text.Json.Nodes.JsonNode node, string name) => node[name]!.GetValue<double>();

        double denied = Get(fleet, "deniedVmSeconds"), wanted = Get(fleet, "wantedVmSeconds"), on = Get(fleet, "onVmSeconds");
        Assert.True(denied > 0 && wanted != on, $"the trace denies starts ({denied} s)");
        Assert.Contains($"| VM-time denied (start failed) | {ShareText.Percent(denied / wanted)} of VM-time wanted |", report, StringComparison.Ordinal);

        var hosts = fleet["hostAvailablePercent"]!;
        Assert.Contains($"| host available p5 / p50 / p95 | {Get(hosts, "p5")} / {Get(hosts, "p50")} / {Get(hosts, "p95")} % |", report, StringComparison.Ordinal);

        foreach (var vm in json["starving"]!.AsArray())
        {
            double paging = Get(vm!, "pagingSeconds"), unservable = Get(vm!, "unservablePagingSeconds");
            Assert.Contains($"| {vm!["id"]} | {ShareText.Amount(paging / 3600)} h | {ShareText.Percent(paging / seconds)} | {ShareText.Percent(unservable / paging)} |", report, StringComparison.Ordinal);
        }

        var servable = json["starvingServable"]!.AsArray();
        foreach (var vm in servable)
        {
            double paging = Get(vm!, "pagingSeconds"), servableSeconds = paging - Get(vm!, "unservablePagingSeconds");
            Assert.Contains($"| {vm!["id"]} | {ShareText.Amount(servableSeconds / 3600)} h | {ShareText.Percent(servableSeconds / seconds)} | {ShareText.Amount(paging / 3600)} h |", report, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// Two report rows on a run that tells them apart from their neighbours (the run above does not): the host row gives
    /// p5, which differs from p1 here, and the servable table gives a VM's servable paging as a share of the replay's
    /// ticks, which differs from its whole paging for the VMs of that table that also page above their Maximum.
    /// </summary>
    [Fact]
    public void Replay_HostRowAndServableShares_OnARunWhereTheirNeighboursDiffer()
    {
        using var tmp = new TempDir();
        string path = tmp.File("t.dmt"), output = tmp.File("out");
        TraceGenerator.Generate(path, new TraceGeneratorOptions { Vms = 120, Hosts = 6, Ticks = 400, Seed = 21, TickSeconds = 60, HostMb = 196_608 });
        (int exit, _, string stderr) = Run("replay", path, "-o", output);
        Assert.True(exit == 0, stderr);
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(output, "summary.json")))!;
        string report = File.ReadAllText(Path.Combine(output, "report.md"));
        double Get(System.Text.Json.Nodes.JsonNode node, string name) => node[name]!.GetValue<double>();

        var hosts = json["fleet"]!["hostAvailablePercent"]!;
        Assert.NotEqual(Get(hosts, "p1"), Get(hosts, "p5"));
        Assert.Contains($"| host available p5 / p50 / p95 | {Get(hosts, "p5")} / {Get(hosts, "p50")} / {Get(hosts, "p95")} % |", report, StringComparison.Ordinal);

        var mixed = json["starvingServable"]!.AsArray().Where(vm => Get(vm!, "unservablePagingSeconds") > 0).ToList();
        Assert.NotEmpty(mixed);
        foreach (var vm in mixed)
        {
            double paging = Get(vm!, "pagingSeconds"), servable = paging - Get(vm!, "unservablePagingSeconds");
            Assert.Contains($"| {vm!["id"]} | {ShareText.Amount(servable / 3600)} h | {ShareText.Percent(servable / (400 * 60.0))} | {ShareText.Amount(paging / 3600)} h |", report, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// report.md notes the pressure samples above pressure.png's 300 % only when there are some: a VM at exactly 300 %
    /// (192 MB committed on a Maximum of 64 MB) is on the plot; one at 400 % is not, and the note gives its share. All of
    /// that VM's paging is unservable, and the servable table says so.
    /// </summary>
    [Theory]
    [InlineData(192, false)]
    [InlineData(256, true)]
    public void Replay_PressuresAbovePlot_AreNotedOnlyWhenAboveIt(int committed, bool noted)
    {
        using var tmp = new TempDir();
        string path = tmp.File("t.dmt");
        TraceVm[] vms = [new("hot", new VmSettings(64, 32, 64), 0), new("cool", new VmSettings(512, 256, 1024), 0)];
        using (var w = new NativeTraceWriter(path, new TraceDescription(60, "test: pressure at the plot's edge", new TraceMetadata()), vms, [new TraceHost(8192)]))
        {
            for (int t = 0; t < 10; t++)
                w.WriteTick([committed, 300]);
            w.Complete();
        }

        (int exit, _, string stderr) = Run("replay", path, "-o", tmp.File("out"));
        Assert.True(exit == 0, stderr);
        int max = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(tmp.File("out"), "summary.json")))!["fleet"]!["pressure"]!["max"]!.GetValue<int>();
        Assert.Equal(committed * 100 / 64, max);
        string report = File.ReadAllText(Path.Combine(tmp.File("out"), "report.md"));
        Assert.Equal(noted, report.Contains("The plot shows pressures up to 300 %;", StringComparison.Ordinal));
        // "hot" pages all the time above its Maximum, "cool" never: no VM pages on servable demand.
        Assert.Contains("No VM paged on servable demand: all of the paging is unservable.", report, StringComparison.Ordinal);
    }

    /// <summary>
    /// docs/outputs.md: hosts.csv samples ticks 0, N, 2N, ... of --host-series-every N (0-based), and the last tick only
    /// when it falls on the step: 10 ticks every 4 are ticks 0, 4 and 8, for each host.
    /// </summary>
    [Fact]
    public void Replay_HostSeries_SamplesTicksZeroAndEveryStepAfter()
    {
        using var tmp = new TempDir();
        (int exit, _, string stderr) = Run("replay", ReplayDeterminismTests.SampleTrace, "-o", tmp.File("out"), "--max-ticks", "10", "--host-series-every", "4");
        Assert.True(exit == 0, stderr);
        string[] rows = File.ReadAllLines(Path.Combine(tmp.File("out"), "hosts.csv"))[1..];
        Assert.Equal([0L, 4, 8], rows.Select(r => long.Parse(r[..r.IndexOf(',')], System.Globalization.CultureInfo.InvariantCulture)).Distinct());
        Assert.Equal(3 * 4, rows.Length); // the sample's 4 hosts
    }

    /// <summary>
    /// A comparison without --policies into the folder of one with them removes the earlier policies.png (before: it stayed
    /// beside a report and comparison.json that no longer had policies, a picture of another run).
    /// </summary>
    [Fact]
    public void Compare_WithoutPolicies_AfterOneWithThem_RemovesTheEarlierPolicyPlot()
    {
        using var tmp = new TempDir();
        string output = tmp.File("out");
        string[] common = ["compare", ReplayDeterminismTests.SampleTrace, "-o", output, "--seeds", "1", "--max-ticks", "360"];
        Assert.Equal(0, Run([.. common, "--policies", "esx,hyperv"]).Exit);
        Assert.True(File.Exists(Path.Combine(output, "policies.png")));
        Assert.Contains("policies.png", File.ReadAllText(Path.Combine(output, "report.md")), StringComparison.Ordinal);

        Assert.Equal(0, Run(common).Exit);
        Assert.False(File.Exists(Path.Combine(output, "policies.png")), "an earlier run's policies.png stayed");
        Assert.DoesNotContain("policies.png", File.ReadAllText(Path.Combine(output, "report.md")), StringComparison.Ordinal);
        Assert.Equal(["comparison.json", "density.png", "report.md"], Directory.EnumerateFileSystemEntries(output).Select(Path.GetFileName).Order());
    }

    /// <summary>compare --buffers with no buffer in it is refused like --policies, not read as "none".</summary>
    [Fact]
    public void Compare_BuffersWithoutABuffer_IsRefusedByName()
    {
        using var tmp = new TempDir();
        (int exit, _, string stderr) = Run("compare", ReplayDeterminismTests.SampleTrace, "-o", tmp.File("out"), "--buffers", ",");
        Assert.Equal(2, exit);
        Assert.StartsWith("error: --buffers: no buffer given", ErrorLine(stderr), StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(tmp.Path));
    }

    /// <summary>compare --policies with no policy in it is refused by name (not run as a comparison without policies).</summary>
    [Fact]
    public void Compare_PoliciesWithoutAPolicy_IsRefusedByName()
    {
        using var tmp = new TempDir();
        (int exit, _, string stderr) = Run("compare", ReplayDeterminismTests.SampleTrace, "-o", tmp.File("out"), "--seeds", "1", "--max-ticks", "30", "--policies", ",");
        Assert.Equal(2, exit);
        Assert.Equal("error: --policies: no policy given: expected hyperv, static, squeezed, mom or esx, comma-separated.", ErrorLine(stderr));
        Assert.Empty(Directory.EnumerateFileSystemEntries(tmp.Path));
    }

    /// <summary>A replay that fails part way (a corrupt chunk) removes the output folders it created: nothing is left.</summary>
    [Fact]
    public void ReplayAndSplit_FailingOnACorruptChunk_LeaveNoOutputFolder()
    {
        using var tmp = new TempDir();
        string bad = tmp.File("bad.dmt");
        File.Copy(ReplayDeterminismTests.SampleTrace, bad);
        using (var f = new FileStream(bad, FileMode.Open, FileAccess.ReadWrite))
        {
            f.Position = 5000;
            int b = f.ReadByte();
            f.Position = 5000;
            f.WriteByte((byte)(b ^ 0xFF));
        }

        (int exit, _, string stderr) = Run("replay", bad, "-o", tmp.File(Path.Combine("out", "run")));
        Assert.Equal(1, exit);
        Assert.Contains("checksum mismatch", ErrorLine(stderr), StringComparison.Ordinal);
        Assert.Equal(["bad.dmt"], Directory.EnumerateFileSystemEntries(tmp.Path).Select(Path.GetFileName));

        // split likewise (before: it left the folders it had created, empty).
        (exit, _, stderr) = Run("split", bad, "--shards", "2", "-o", tmp.File(Path.Combine("split", "two")));
        Assert.Equal(1, exit);
        Assert.Contains("checksum mismatch", ErrorLine(stderr), StringComparison.Ordinal);
        Assert.Equal(["bad.dmt"], Directory.EnumerateFileSystemEntries(tmp.Path).Select(Path.GetFileName));

        // A replay with checkpoints that fails before its first checkpoint likewise (before: DIR/.checkpoint stayed with the
        // per-host series alone, a checkpoint --resume refuses as none, and with it the folders the run had created).
        (exit, _, stderr) = Run("replay", bad, "-o", tmp.File(Path.Combine("out", "run")), "--checkpoint-every", "100");
        Assert.Equal(1, exit);
        Assert.Contains("checksum mismatch", ErrorLine(stderr), StringComparison.Ordinal);
        Assert.Equal(["bad.dmt"], Directory.EnumerateFileSystemEntries(tmp.Path).Select(Path.GetFileName));
    }

    /// <summary>
    /// A replay with checkpoints that fails after one (here a chunk of the trace that reads back corrupt, as a flaky disk
    /// gives it) keeps its checkpoint and says so, and --resume with the trace readable again completes it byte for byte
    /// as one uninterrupted run. A checkpoint whose own write fails on a full disk (on Linux: its temporary file a link to
    /// /dev/full) leaves no temporary file beside it (before: state.bin.tmp and hosts.csv.part.xxh64.tmp stayed, holding
    /// the space that was short), and the checkpoint before it still resumes.
    /// </summary>
    [Fact]
    public void Replay_FailingAfterACheckpoint_KeepsIt_SaysSo_AndResumes_AndAFailedCheckpointLeavesNoTemporary()
    {
        using var tmp = new TempDir();
        // The sample in chunks of 100 ticks, stored uncompressed: a byte flipped at 80 % of the file is in a late chunk.
        string trace = tmp.File("chunked.dmt");
        using (NativeTraceReader reader = NativeTraceReader.Open(ReplayDeterminismTests.SampleTrace))
        using (var w = new NativeTraceWriter(trace, new TraceDescription(reader.Header.TickSeconds, reader.Header.Source), reader.Vms, reader.Hosts,
            new NativeTraceWriterOptions { Compression = NativeTraceCompression.None, ChunkVmTicks = 100 * reader.Vms.Count }))
        {
            var tick = new int[reader.Vms.Count];
            while (reader.ReadTick(tick))
                w.WriteTick(tick);
            w.Complete();
        }

        string full = tmp.File("full"), run = tmp.File("run"), checkpoint = Path.Combine(run, ".checkpoint");
        Assert.Equal(0, Run("replay", trace, "-o", full).Exit);
        byte[] goodBytes = File.ReadAllBytes(trace);
        byte[] bad = (byte[])goodBytes.Clone();
        bad[bad.Length * 8 / 10] ^= 0xFF;
        File.WriteAllBytes(trace, bad);
        (int exit, _, string stderr) = Run("replay", trace, "-o", run, "--checkpoint-every", "500");
        Assert.Equal(1, exit);
        string error = ErrorLine(stderr);
        Assert.Contains("checksum mismatch", error, StringComparison.Ordinal);
        Assert.Contains("The last checkpoint is at tick 1000: add --resume to the same command to continue from there.", error, StringComparison.Ordinal);
        string[] kept = ["hosts.csv.part", "hosts.csv.part.xxh64", "state.bin"];
        Assert.Equal(kept, Directory.EnumerateFileSystemEntries(checkpoint).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal([".checkpoint"], Directory.EnumerateFileSystemEntries(run).Select(Path.GetFileName));
        File.WriteAllBytes(trace, goodBytes); // readable again: the same trace (its id is of header and trailer)

        if (OperatingSystem.IsLinux() && File.Exists("/dev/full"))
        {
            Dictionary<string, byte[]> saved = kept.ToDictionary(n => n, n => File.ReadAllBytes(Path.Combine(checkpoint, n)));
            foreach (string temporary in (string[])["state.bin.tmp", "hosts.csv.part.xxh64.tmp"])
            {
                File.CreateSymbolicLink(Path.Combine(checkpoint, temporary), "/dev/full"); // every write to it: No space left on device
                (exit, _, stderr) = Run("replay", trace, "-o", run, "--checkpoint-every", "100", "--resume");
                Assert.Equal(1, exit);
                error = ErrorLine(stderr);
                Assert.Contains(temporary, error, StringComparison.Ordinal);
                Assert.Contains("The last checkpoint is at tick 1000", error, StringComparison.Ordinal);
                Assert.Equal(kept, Directory.EnumerateFileSystemEntries(checkpoint).Select(Path.GetFileName).Order(StringComparer.Ordinal));
                Assert.Equal(saved["state.bin"], File.ReadAllBytes(Path.Combine(checkpoint, "state.bin")));
            }
        }

        (exit, _, stderr) = Run("replay", trace, "-o", run, "--checkpoint-every", "500", "--resume");
        Assert.True(exit == 0, stderr);
        Assert.Contains("Resuming at tick 1000 of 1440", stderr, StringComparison.Ordinal);
        foreach (string name in (string[])["hosts.csv", "fleet.csv", "placement.csv"])
            Assert.Equal(File.ReadAllBytes(Path.Combine(full, name)), File.ReadAllBytes(Path.Combine(run, name)));
        Assert.Equal(
            ReplayDeterminismTests.WithoutRun(File.ReadAllText(Path.Combine(full, "summary.json"))),
            ReplayDeterminismTests.WithoutRun(File.ReadAllText(Path.Combine(run, "summary.json"))));
        Assert.False(Directory.Exists(checkpoint));
    }

    /// <summary>
    /// generate and import that fail after creating the output file's folders remove them again (when empty), as replay,
    /// compare and split do (before: a full disk, here a file name whose FILE.tmp is too long or a malformed input row, left
    /// the folders they had created, empty).
    /// </summary>
    [Fact]
    public void GenerateAndImport_FailingPartWay_RemoveTheFoldersTheyCreated()
    {
        using var tmp = new TempDir();
        string csv = tmp.Write("machine_usage.csv", "m_1,0,10,20,,,,,\nnot,a,row\n");
        string longName = new string('x', 251) + ".dmt"; // 255 characters, the most a file name may hold; its FILE.tmp cannot be made
        (int exit, _, string stderr) = Run("generate", "--vms", "10", "--hosts", "2", "--ticks", "5", "-o", tmp.File(Path.Combine("gen", "deep", longName)));
        Assert.Equal(1, exit);
        Assert.Contains(".dmt.tmp", ErrorLine(stderr), StringComparison.Ordinal);
        (exit, _, stderr) = Run("generate", "--profile", "vdi", "--vms", "10", "--hosts", "1", "--ticks", "5", "-o", tmp.File(Path.Combine("vdi", "deep", longName)));
        Assert.Equal(1, exit);
        Assert.Contains(".dmt.tmp", ErrorLine(stderr), StringComparison.Ordinal);
        (exit, _, stderr) = Run("import", "alibaba", csv, "--host-mb", "8192", "-o", tmp.File(Path.Combine("imp", "deep", "t.dmt")));
        Assert.Equal(1, exit);
        Assert.Contains("machine_usage.csv:2", ErrorLine(stderr), StringComparison.Ordinal);
        Assert.Equal(["machine_usage.csv"], Directory.EnumerateFileSystemEntries(tmp.Path).Select(Path.GetFileName));
    }

    /// <summary>
    /// The generators stop at a cancelled token (the CLI's Ctrl+C or SIGTERM): OperationCanceledException, no temporary file,
    /// and an earlier file at the path untouched.
    /// </summary>
    [Fact]
    public void Generators_Cancelled_LeaveTheEarlierFileAndNoTemporary()
    {
        using var tmp = new TempDir();
        string path = tmp.Write("g.dmt", "earlier");
        using var cancel = new CancellationTokenSource();
        long seen = 0;
        Assert.Throws<OperationCanceledException>(() => TraceGenerator.Generate(path, new TraceGeneratorOptions { Vms = 20, Hosts = 2, Ticks = 50 },
            t =>
            {
                seen = t;
                if (t == 10)
                    cancel.Cancel();
            }, cancel.Token));
        Assert.Equal(10, seen);
        Assert.Throws<OperationCanceledException>(() => VdiFleet.Write(path, new VdiFleetOptions { Desktops = 10, Hosts = 1, Ticks = 20 }, cancel.Token));
        Assert.Equal("earlier", File.ReadAllText(path));
        Assert.Equal(["g.dmt"], Directory.EnumerateFileSystemEntries(tmp.Path).Select(Path.GetFileName));
    }

    /// <summary>
    /// The importers stop at a cancelled token (the CLI's Ctrl+C or SIGTERM; before: import ran on to the end and replaced
    /// the earlier trace): OperationCanceledException, no temporary or spill file, the earlier file untouched.
    /// </summary>
    [Fact]
    public void Importers_Cancelled_LeaveTheEarlierFileAndNoTemporary()
    {
        using var tmp = new TempDir();
        string path = tmp.Write("t.dmt", "earlier");
        var cancelled = new CancellationToken(canceled: true);
        Assert.Throws<OperationCanceledException>(() => BitbrainsImporter.Import(RealTraces.Path("bitbrains-gwa-t-12-rnd"), path, new BitbrainsImportOptions(), cancelled));
        Assert.Throws<OperationCanceledException>(() => AlibabaImporter.Import(RealTraces.Path("alibaba-2018-machine-usage/machine_usage.csv"), path,
            new AlibabaImportOptions { HostMb = 65_536 }, cancelled));
        Assert.Throws<OperationCanceledException>(() => GoogleGcdImporter.Import(RealTraces.Path("google-2011-gcd-vms"), path,
            new GoogleGcdImportOptions { VmSizeMb = 4096 }, cancelled));
        Assert.Equal("earlier", File.ReadAllText(path));
        Assert.Equal(["t.dmt"], Directory.EnumerateFileSystemEntries(tmp.Path).Select(Path.GetFileName));
    }

    /// <summary>
    /// A tick too short for the source names --tick-seconds: shorter than Bitbrains' tolerance for late samples (before: the
    /// internal JitterToleranceSeconds, which is no option), or so short that the samples' span makes more ticks than a
    /// trace holds (before: GCD at 0.0000001 s ran for hours towards 8.6 × 10^12 ticks), or shorter than replay runs (before:
    /// GCD at 0.001 s wrote 863 700 001 ticks in 16 s that replay then refused). The library's own bound on the tick count is
    /// <c>MalformedInputTests.Import_TickMakingMoreTicksThanATraceHolds_IsRefusedNamingTickSeconds</c>.
    /// </summary>
    [Theory]
    [InlineData("bitbrains", "bitbrains-gwa-t-12-rnd", "1", "error: --tick-seconds: 1 s is not longer than this source's 2 s tolerance for samples that arrive late")]
    [InlineData("gcd", "google-2011-gcd-vms", "0.0000001 --vm-mb 4096", "error: --tick-seconds: 1E-07: expected from 0.003 to 3600 seconds (the ticks replay and compare run")]
    [InlineData("gcd", "google-2011-gcd-vms", "0.001 --vm-mb 4096", "error: --tick-seconds: 0.001: expected from 0.003 to 3600 seconds")]
    public void Import_TickTooShortForTheSource_NamesTickSeconds(string source, string input, string options, string expected)
    {
        using var tmp = new TempDir();
        (int exit, _, string stderr) = Run(["import", source, RealTraces.Path(input), "-o", tmp.File("t.dmt"), "--tick-seconds", .. options.Split(' ')]);
        Assert.Equal(2, exit);
        Assert.StartsWith(expected, ErrorLine(stderr), StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(tmp.Path));
    }

    /// <summary>
    /// A run whose output cannot be put in place (a folder where report.md goes) leaves the earlier run's outputs, all of
    /// them (before: summary.json, hosts.csv and the plots were replaced before report.md failed, a mix of two runs).
    /// </summary>
    [Fact]
    public void Replay_OutputBlockedByAFolder_LeavesEveryEarlierOutput()
    {
        using var tmp = new TempDir();
        string output = tmp.File("out");
        Assert.Equal(0, Run("replay", ReplayDeterminismTests.SampleTrace, "-o", output, "--max-ticks", "100").Exit);
        File.Delete(Path.Combine(output, "report.md"));
        Directory.CreateDirectory(Path.Combine(output, "report.md"));
        var before = Directory.EnumerateFiles(output).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);
        Assert.Contains("summary.json", before.Keys);

        (int exit, _, string stderr) = Run("replay", ReplayDeterminismTests.SampleTrace, "-o", output, "--max-ticks", "200");
        Assert.Equal(1, exit);
        Assert.Contains("report.md': a folder of that name is in the way (nothing was replaced).", ErrorLine(stderr), StringComparison.Ordinal); // docs/bad-input.md
        var after = Directory.EnumerateFiles(output).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach ((string name, byte[] bytes) in before)
            Assert.True(bytes.AsSpan().SequenceEqual(after[name]), $"{name} was replaced");
        Assert.Equal(["report.md"], Directory.EnumerateDirectories(output).Select(Path.GetFileName)); // and no staging folder left
    }

    /// <summary>
    /// A replay interrupted (Ctrl+C, SIGTERM: its token cancelled) exits 130, says that no output was written, and leaves
    /// the earlier outputs as they were and no staging folder (docs/outputs.md: outputs are replaced only when the replay
    /// completes).
    /// </summary>
    [Fact]
    public void Replay_Interrupted_Exits130_AndLeavesTheEarlierOutputs()
    {
        using var tmp = new TempDir();
        string output = tmp.File("out");
        Assert.Equal(0, Run("replay", ReplayDeterminismTests.SampleTrace, "-o", output, "--max-ticks", "50").Exit);
        var before = Directory.EnumerateFiles(output).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);

        TextWriter oldErr = Console.Error, oldOut = Console.Out;
        var err = new StringWriter();
        Console.SetError(err);
        Console.SetOut(new StringWriter());
        int exit;
        try
        {
            exit = DmKernel.Cli.Commands.ReplayCommand.Run(ReplayDeterminismTests.SampleTrace, output,
                new DmKernel.Traces.Replay.ReplayOptions { MaxTicks = 100 }, null, new CancellationToken(canceled: true));
        }
        finally
        {
            Console.SetError(oldErr);
            Console.SetOut(oldOut);
        }

        Assert.Equal(130, exit);
        Assert.Contains("Interrupted after 0 of 100 ticks; no output was written", err.ToString(), StringComparison.Ordinal);
        var after = Directory.EnumerateFiles(output).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach ((string name, byte[] bytes) in before)
            Assert.True(bytes.AsSpan().SequenceEqual(after[name]), $"{name} was replaced");
        Assert.Empty(Directory.EnumerateDirectories(output));
    }

    /// <summary>A VM id with a line break (a Bitbrains file name may hold one) is quoted in placement.csv (before: the row
    /// was split over two lines).</summary>
    [Fact]
    public void Placement_VmIdWithALineBreak_IsQuoted()
    {
        using var tmp = new TempDir();
        string folder = tmp.File("bb");
        Directory.CreateDirectory(folder);
        string sample = Directory.EnumerateFiles(RealTraces.Path("bitbrains-gwa-t-12-rnd"), "*.csv", SearchOption.AllDirectories).Order().First();
        File.Copy(sample, Path.Combine(folder, "a\nb.csv"));
        File.Copy(sample, Path.Combine(folder, "c.csv"));
        Assert.Equal(0, Run("import", "bitbrains", folder, "-o", tmp.File("t.dmt")).Exit);
        Assert.Equal(0, Run("replay", tmp.File("t.dmt"), "-o", tmp.File("out")).Exit);
        string placement = File.ReadAllText(Path.Combine(tmp.File("out"), "placement.csv"));
        Assert.Contains(",\"a\nb.csv\",", placement, StringComparison.Ordinal);
        Assert.Equal(3, placement.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1); // header, two VMs: one record over two lines
    }

    /// <summary>
    /// An error that names a VM whose id holds a line break or a carriage return (a Bitbrains file name may) stays one
    /// line, the control characters shown as U+FFFD (before: the error went over two lines, or a carriage return sent the
    /// terminal's cursor back over the start of the message).
    /// </summary>
    [Theory]
    [InlineData("a\nb.csv")]
    [InlineData("a\rb.csv")]
    [InlineData("a\u001b[2Jb.csv")]
    public void Error_NamingAVmIdWithControlCharacters_IsOneLineWithThemReplaced(string name)
    {
        using var tmp = new TempDir();
        string folder = tmp.File("bb");
        Directory.CreateDirectory(folder);
        string sample = Directory.EnumerateFiles(RealTraces.Path("bitbrains-gwa-t-12-rnd"), "*.csv", SearchOption.AllDirectories).Order().First();
        File.Copy(sample, Path.Combine(folder, name));
        (int exit, _, string stderr) = Run("import", "bitbrains", folder, "--place-on-host-mb", "4096", "-o", tmp.File("t.dmt"));
        Assert.Equal(1, exit);
        Assert.Contains("('a\uFFFD", stderr, StringComparison.Ordinal);
        Assert.Contains("b.csv') needs Startup", stderr, StringComparison.Ordinal);
        Assert.Contains("a --place-on-host-mb of at least", stderr, StringComparison.Ordinal); // the option typed, not the library's PlaceOnHostMb (before stop 53: both)
        Assert.DoesNotContain("PlaceOnHostMb", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain('\r', stderr);
        Assert.DoesNotContain('\u001b', stderr);
        Assert.False(File.Exists(tmp.File("t.dmt")));
    }
}

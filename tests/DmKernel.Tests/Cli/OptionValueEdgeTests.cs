using DmKernel.Tests.Replay;
using DmKernel.Tests.Traces;

namespace DmKernel.Tests.Cli;

/// <summary>
/// The plain-words parser at the ends of a whole number's type: a value with a leading '+' that does not fit is "too
/// large" (it is a whole number), and the type's own smallest value is parsed, so the option's range check answers it.
/// A value beyond the type of an option with a range of its own is answered by that range, as any other value outside it.
/// </summary>
[Collection(nameof(CliTests))]
public sealed class OptionValueEdgeTests
{
    [Theory]
    [InlineData("--host-series-every", "+99999999999", "error: --host-series-every: '+99999999999' is too large: expected a whole number of ticks of at most 2147483647.")]
    [InlineData("--reserve", "-2147483648", "error: --reserve: -2147483648 is out of range")]
    public void Replay_WholeNumberAtTheEndsOfItsType_IsAnsweredByItsRange(string option, string value, string expected)
    {
        using var tmp = new TempDir();
        (int exit, string stdout, string stderr) = CliTests.Run("replay", ReplayDeterminismTests.SampleTrace, "-o", tmp.File("out"), option, value);
        Assert.Equal(2, exit);
        Assert.StartsWith(expected, stderr, StringComparison.Ordinal);
        Assert.Equal("", stdout);
        Assert.False(Directory.Exists(tmp.File("out")));
    }

    /// <summary>
    /// --boot-ticks outside 0..1000000 is answered by the option's range, with the usage hint of every value the parser
    /// refuses, however far outside (before the review of stop 56: "at most 2147483647", int's limit, for 99999999999,
    /// and "-1 is out of range: expected 0..1000000." without the hint).
    /// </summary>
    [Theory]
    [InlineData("-1")]
    [InlineData("1000001")]
    [InlineData("99999999999")]
    [InlineData("-99999999999999999999")]
    [InlineData("+99999999999999999999")]
    public void Replay_BootTicksOutsideItsRange_NamesTheOptionsRange_WithTheUsageHint(string value)
    {
        using var tmp = new TempDir();
        (int exit, string stdout, string stderr) = CliTests.Run("replay", ReplayDeterminismTests.SampleTrace, "-o", tmp.File("out"), "--boot-ticks", value);
        Assert.Equal(2, exit);
        Assert.Equal($"error: --boot-ticks: '{value}' is out of range: expected a whole number of ticks from 0 to 1000000.\n(dmkernel replay --help shows the usage)\n", stderr.ReplaceLineEndings("\n"));
        Assert.Equal("", stdout);
        Assert.False(Directory.Exists(tmp.File("out")));

        (exit, _, stderr) = CliTests.Run("replay", ReplayDeterminismTests.SampleTrace, "-o", tmp.File("out"), "--boot-ticks", "1e3");
        Assert.Equal(2, exit);
        Assert.StartsWith("error: --boot-ticks: '1e3' is not a whole number of ticks.", stderr, StringComparison.Ordinal);
    }

    /// <summary>
    /// Every whole-number option with a range of its own, given a value beyond its type (11 digits for an int, 20 for a
    /// long), is answered as a value just outside the range is: the option's own out-of-range error with the value typed,
    /// then the usage hint of every value the parser refuses (exit 2, nothing written). Before, only
    /// --boot-ticks did: the others said the type's limit, "--threads: '99999999999' is too large: expected a whole
    /// number of at most 2147483647" (1..1024), "--vms: '-99999999999' is too small: expected a whole number of at least
    /// -2147483648" (at least 1). Where the range depends on the command's mode (generate --profile vdi, --from), the
    /// error is that mode's. A side of the range that is the type's own limit (--max-hosts has no upper bound) keeps
    /// "too large: ... at most 2147483647": that is the option's range.
    /// </summary>
    [Theory]
    [InlineData("replay", "--threads", "0", "-99999999999")]
    [InlineData("replay", "--threads", "1025", "99999999999")]
    [InlineData("replay", "--threads", "1025", "+99999999999999999999")]
    [InlineData("replay", "--max-remove", "0", "-99999999999")]
    [InlineData("replay", "--reserve", "-2", "-99999999999")]
    [InlineData("replay", "--host-mb", "0", "-99999999999")]
    [InlineData("replay", "--host-mb", "16777218", "99999999999")]
    [InlineData("replay", "--max-ticks", "-1", "-99999999999999999999")]
    [InlineData("replay", "--hash-every", "-1", "-99999999999999999999")]
    [InlineData("replay", "--host-series-every", "0", "-99999999999")]
    [InlineData("replay", "--checkpoint-every", "0", "-99999999999999999999")]
    [InlineData("replay", "--boot-ticks", "1000001", "99999999999")]
    [InlineData("compare", "--threads", "1025", "99999999999")]
    [InlineData("compare", "--hosts-per-probe", "0", "-99999999999")]
    [InlineData("compare", "--hosts-per-probe", "1025", "99999999999")]
    [InlineData("compare", "--seeds", "0", "-99999999999")]
    [InlineData("compare", "--seeds", "101", "99999999999")]
    [InlineData("compare", "--pressure-limit", "0", "-99999999999")]
    [InlineData("compare", "--pressure-limit", "100001", "99999999999")]
    [InlineData("compare", "--max-hosts", "0", "-99999999999")]
    [InlineData("compare", "--shards", "0", "-99999999999")]
    [InlineData("compare", "--max-ticks", "-1", "-99999999999999999999")]
    [InlineData("compare", "--host-mb", "16777218", "99999999999")]
    [InlineData("demo", "--ticks", "0", "-99999999999")]
    [InlineData("demo", "--ticks", "100001", "99999999999")]
    [InlineData("demo", "--every", "0", "-99999999999")]
    [InlineData("generate", "--vms", "0", "-99999999999")]
    [InlineData("generate", "--vms", "67108865", "99999999999")]
    [InlineData("generate", "--hosts", "-1", "-99999999999")]
    [InlineData("generate", "--hosts", "2000", "99999999999")]
    [InlineData("generate", "--ticks", "0", "-99999999999")]
    [InlineData("generate", "--host-mb", "0", "-99999999999")]
    [InlineData("generate", "--host-mb", "33554432", "99999999999")]
    [InlineData("generate vdi", "--vms", "0", "-99999999999")]
    [InlineData("generate vdi", "--vms", "1000001", "99999999999")]
    [InlineData("generate vdi", "--hosts", "-1", "-99999999999")]
    [InlineData("generate vdi", "--hosts", "5000", "99999999999")]
    [InlineData("generate vdi", "--ticks", "0", "-99999999999")]
    [InlineData("generate vdi", "--ticks", "10000001", "99999999999")]
    [InlineData("generate vdi", "--host-mb", "0", "-99999999999")]
    [InlineData("generate vdi", "--host-mb", "33554432", "99999999999")]
    [InlineData("generate from", "--vms", "0", "-99999999999")]
    [InlineData("generate from", "--vms", "67108865", "99999999999")]
    [InlineData("generate from", "--hosts", "-1", "-99999999999")]
    [InlineData("generate from", "--hosts", "5000", "99999999999")]
    [InlineData("generate from", "--ticks", "0", "-99999999999")]
    [InlineData("generate from", "--host-mb", "0", "-99999999999")]
    [InlineData("generate from", "--host-mb", "33554432", "99999999999")]
    [InlineData("import bitbrains", "--buffer", "4", "-99999999999")]
    [InlineData("import bitbrains", "--buffer", "2001", "99999999999")]
    [InlineData("import bitbrains", "--minimum-divisor", "0", "-99999999999")]
    [InlineData("import bitbrains", "--minimum-divisor", "1025", "99999999999")]
    [InlineData("import bitbrains", "--place-on-host-mb", "0", "-99999999999")]
    [InlineData("import bitbrains", "--place-on-host-mb", "16777218", "99999999999")]
    [InlineData("import gcd", "--vm-mb", "30", "-99999999999")]
    [InlineData("import gcd", "--vm-mb", "1048578", "99999999999")]
    [InlineData("import gcd", "--place-on-host-mb", "16777218", "99999999999")]
    [InlineData("import alibaba", "--host-mb", "0", "-99999999999")]
    [InlineData("import alibaba", "--host-mb", "16777218", "99999999999")]
    public void WholeNumberBeyondItsType_IsAnsweredByTheOptionsOwnRange_AsAValueJustOutsideIt(string command, string option, string outside, string beyond)
    {
        using var tmp = new TempDir();
        (string[] args, string written) = CommandLine(command, option, tmp);
        (int exit, string stdout, string stderr) = CliTests.Run([.. args, option, outside]);
        Assert.Equal(2, exit);
        string justOutside = stderr.ReplaceLineEndings("\n").Split('\n')[0];
        int at = justOutside.IndexOf(option, StringComparison.Ordinal);
        Assert.True(at == "error: ".Length, $"{option} {outside}: {stderr}");
        int value = justOutside.IndexOf(outside, at + option.Length, StringComparison.Ordinal);
        Assert.True(value > 0, justOutside);
        Assert.False(File.Exists(written) || Directory.Exists(written));

        (exit, stdout, stderr) = CliTests.Run([.. args, option, beyond]);
        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        string[] lines = stderr.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        Assert.Equal(justOutside[..value] + beyond + justOutside[(value + outside.Length)..], lines[0]);
        Assert.Equal($"(dmkernel {command.Split(' ')[0]}{(command.StartsWith("import", StringComparison.Ordinal) ? " " + command.Split(' ')[1] : "")} --help shows the usage)", Assert.Single(lines[1..]));
        Assert.False(File.Exists(written) || Directory.Exists(written));
    }

    /// <summary>
    /// A side of a range that depends on the trace or on another option (split's host count, a reserve below the host
    /// size) cannot be read by the parser: a value beyond the type there is answered by the widest the range can be,
    /// in the option's own words, not by the type's limit.
    /// </summary>
    [Theory]
    [InlineData("split", "--shards", "99999999999", "error: --shards 99999999999 is out of range: expected 1 up to the trace's host count (a shard holds whole hosts).")]
    [InlineData("split", "--shards", "-99999999999", "error: --shards -99999999999 is out of range: expected 1 up to the trace's host count (a shard holds whole hosts).")]
    [InlineData("replay", "--reserve", "99999999999", "error: --reserve 99999999999: expected less than the host size, at most 16777216 MB (16 TB): give a smaller --reserve.")]
    [InlineData("compare", "--reserve", "99999999999", "error: --reserve 99999999999: expected less than the host size, at most 16777216 MB (16 TB): give a smaller --reserve.")]
    public void WholeNumberBeyondItsType_WhereTheRangeDependsOnTheInput_IsAnsweredByTheWidestRange(string command, string option, string beyond, string expected)
    {
        using var tmp = new TempDir();
        (string[] args, string written) = CommandLine(command, option, tmp);
        (int exit, string stdout, string stderr) = CliTests.Run([.. args, option, beyond]);
        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.Equal($"{expected}\n(dmkernel {command} --help shows the usage)\n", stderr.ReplaceLineEndings("\n"));
        Assert.False(File.Exists(written) || Directory.Exists(written));
    }

    /// <summary>
    /// generate's range errors for a value beyond the type read the mode (--from, --profile) and --vms: where those did
    /// not parse themselves, the command line is refused with exit code 2 naming the bad option, as before the range
    /// errors (a review at stop 58: an unhandled InvalidOperationException, exit 134, from reading --vms abc while
    /// answering --hosts 99999999999).
    /// </summary>
    [Theory]
    [InlineData(new[] { "--from", "SOURCE", "--hosts", "99999999999", "--vms", "abc" }, "error: --vms: 'abc' is not a whole number")]
    [InlineData(new[] { "--from", "SOURCE", "--hosts", "99999999999", "--vms", "99999999999" }, "error: --vms: 99999999999: expected 1..")]
    [InlineData(new[] { "--profile", "vdi", "--profile", "x", "--vms", "99999999999" }, "--profile")]
    public void Generate_BeyondTheTypeBesideAnotherBadOption_IsRefusedNamingIt_WithoutACrash(string[] options, string expected)
    {
        using var tmp = new TempDir();
        string file = tmp.File("out.dmt");
        string[] args = [.. options.Select(o => o == "SOURCE" ? ReplayDeterminismTests.SampleTrace : o)];
        (int exit, string stdout, string stderr) = CliTests.Run(["generate", "-o", file, .. args]);
        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.DoesNotContain("Unhandled", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stderr, StringComparison.Ordinal);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(file));
    }

    /// <summary>The command line of each row (before <paramref name="option"/>), and the output it would write.</summary>
    private static (string[] Args, string Written) CommandLine(string command, string option, TempDir tmp)
    {
        string dir = tmp.File("out"), file = tmp.File("out.dmt");
        return command switch
        {
            "replay" => (["replay", ReplayDeterminismTests.SampleTrace, "-o", dir], dir),
            "compare" => (["compare", tmp.File("missing.dmt"), "-o", dir], dir),
            "split" => (["split", ReplayDeterminismTests.SampleTrace, "-o", dir], dir),
            "demo" => (["demo"], dir),
            "generate" => (["generate", "-o", file], file),
            "generate vdi" => (["generate", "--profile", "vdi", "-o", file], file),
            "generate from" => (["generate", "--from", ReplayDeterminismTests.SampleTrace, "-o", file], file),
            "import bitbrains" => (["import", "bitbrains", RealTraces.Path("bitbrains-gwa-t-12-rnd"), "-o", file], file),
            "import gcd" => ([.. (string[])["import", "gcd", RealTraces.Path("google-2011-gcd-vms"), "-o", file], .. (option == "--vm-mb" ? (string[])[] : ["--vm-mb", "4096"])], file),
            "import alibaba" => (["import", "alibaba", RealTraces.Path(Path.Combine("alibaba-2018-machine-usage", "machine_usage.csv")), "-o", file], file),
            _ => throw new ArgumentOutOfRangeException(nameof(command), command, "no such row"),
        };
    }
}

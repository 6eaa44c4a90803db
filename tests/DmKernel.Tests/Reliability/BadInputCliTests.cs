using System.Text.Json.Nodes;
using DmKernel.Tests.Cli;
using DmKernel.Tests.Traces;
using DmKernel.Traces;

namespace DmKernel.Tests.Reliability;

/// <summary>
/// The bad-input catalog at the command line (docs/bad-input.md): bad input exits non-zero with the error on stderr
/// (1: bad input, 2: bad arguments) and writes nothing; --lenient skips and the replay's summary.json says how many,
/// by kind. In the CLI collection: the CLI writes to the process's Console.
/// </summary>
[Collection(nameof(CliTests))]
public class BadInputCliTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args) => CliTests.Run(args);

    private static string GcdDay(string row = "10.5 20.25\n") => string.Concat(Enumerable.Repeat(row, GoogleGcdImportOptions.RowsPerDay));

    [Fact]
    public void ImportAlibaba_BadRow_ExitsOneNamingFileLineColumnAndWhatWasExpected()
    {
        using var tmp = new TempDir();
        string input = tmp.Write("machine_usage.csv", "m_1,0,41,50,,,1,1,1\nm_1,60,41,high,,,1,1,1\n");
        string trace = tmp.File("t.dmt");
        (int exit, _, string stderr) = Run("import", "alibaba", input, "-o", trace, "--host-mb", "4096");
        Assert.Equal(1, exit);
        Assert.Contains($"error: {input}:2:4: NotANumber: line 2 column 4 (mem_util_percent): 'high' is not a number; expected a decimal number", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(trace));
    }

    [Fact]
    public void ImportGcd_BadRow_ExitsOneNamingFileLineColumnAndWhatWasExpected()
    {
        using var tmp = new TempDir();
        string input = tmp.Write("in/vm_7_1", "10.5 20.25\n10.5 NaN\n" + string.Concat(Enumerable.Repeat("10.5 20.25\n", 286)));
        string trace = tmp.File("t.dmt");
        (int exit, _, string stderr) = Run("import", "gcd", tmp.File("in"), "-o", trace, "--vm-mb", "1024");
        Assert.Equal(1, exit);
        Assert.Contains($"error: {input}:2:2: NotFinite: line 2 column 2 (memory %): 'NaN' is not finite; expected a finite number", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(trace));
    }

    /// <summary>The public properties of every importer's options, the demand model and the settings rule: names a CLI user never typed.</summary>
    private static readonly string[] ImportOptionProperties = new[] { typeof(AlibabaImportOptions), typeof(BitbrainsImportOptions), typeof(GoogleGcdImportOptions), typeof(DemandModel), typeof(VmSettingsRule) }
        .SelectMany(t => t.GetProperties()).Select(p => p.Name).Distinct().ToArray();

    [Theory]
    [InlineData("alibaba", "--host-mb", "lots", "--host-mb: 'lots' is not a whole number of MB.")]
    [InlineData("alibaba", "--host-mb", "99999999999", "--host-mb: 99999999999: expected a positive multiple of 2 MB up to 1050624.")] // (before: "at most 2147483647", int's)
    [InlineData("alibaba", "--host-mb", "4097", "--host-mb: 4097: expected a positive multiple of 2 MB")]
    [InlineData("alibaba", "--host-mb", "2097152", "--host-mb: 2097152: expected at most 1050624 MB: the machine's workload VM gets the host's memory less the 2048 MB reserve")]
    [InlineData("alibaba", "--host-mb", "2048", "--host-mb: 2048: expected at least the host reserve of 2048 MB plus 32 MB")]
    [InlineData("gcd", "--vm-mb", "-1024", "--vm-mb: -1024: expected 32..1048576 MB")]
    [InlineData("gcd", "--vm-mb", "2097152", "--vm-mb: 2097152: expected 32..1048576 MB")]
    [InlineData("gcd", "--place-on-host-mb", "2048", "--place-on-host-mb: 2048: expected more than the host reserve of 2048 MB")]
    [InlineData("bitbrains", "--tick-seconds", "NaN", "--tick-seconds: NaN: expected from 0.003 to 3600 seconds")]
    [InlineData("bitbrains", "--tick-seconds", "7200", "--tick-seconds: 7200: expected from 0.003 to 3600 seconds (the ticks replay and compare run")]
    [InlineData("gcd", "--tick-seconds", "0.001", "--tick-seconds: 0.001: expected from 0.003 to 3600 seconds")]
    [InlineData("alibaba", "--tick-seconds", "0.002", "--tick-seconds: 0.002: expected from 0.003 to 3600 seconds")]
    [InlineData("bitbrains", "--demand-k", "Infinity", "--demand-k: Infinity: expected a finite factor")]
    [InlineData("bitbrains", "--place-on-host-mb", "3", "--place-on-host-mb: 3: expected a positive multiple of 2 MB up to 16777216 MB (16 TB), as replay's and compare's hosts.")]
    [InlineData("gcd", "--place-on-host-mb", "16777218", "--place-on-host-mb: 16777218: expected a positive multiple of 2 MB up to 16777216 MB (16 TB), as replay's and compare's hosts.")]
    [InlineData("bitbrains", "--place-on-host-mb", "2048", "--place-on-host-mb: 2048: expected more than the host reserve of 2048 MB")]
    [InlineData("bitbrains", "--buffer", "2001", "--buffer: 2001: expected 5..2000")]
    [InlineData("bitbrains", "--downsample", "max", "--downsample: 'max' is not a downsample rule: expected last or peak.")]
    [InlineData("gcd", "--downsample", "Peak", "--downsample: 'Peak' is not a downsample rule: expected last or peak.")]
    public void Import_BadOptionValue_ExitsTwoNamingTheOption(string source, string option, string value, string expected)
    {
        using var tmp = new TempDir();
        string input = source == "alibaba" ? tmp.Write("machine_usage.csv", "m_1,0,41,50,,,1,1,1\n") : tmp.File("in");
        Directory.CreateDirectory(tmp.File("in"));
        string[] required = source switch
        {
            "alibaba" when option != "--host-mb" => ["--host-mb", "4096"],
            "gcd" when option != "--vm-mb" => ["--vm-mb", "1024"],
            _ => [],
        };
        string trace = tmp.File("t.dmt");
        (int exit, _, string stderr) = Run(["import", source, input, "-o", trace, option, value, .. required]);
        Assert.Equal(2, exit);
        Assert.Contains("error: " + expected, stderr, StringComparison.Ordinal);
        // In the words of the command line: no property of the importer's options (HostMb, Settings.MaxCeilingMb, "Demand.K = "), no "null".
        foreach (string property in ImportOptionProperties)
            Assert.DoesNotMatch($@"\b{property}\b", stderr);
        Assert.DoesNotMatch(@" = |\bnull\b|Actual value", stderr);
        Assert.False(File.Exists(trace));
    }

    [Fact]
    public void Replay_NativeValueOutOfRangeBehindValidChecksums_ExitsOneNamingChunkTickAndVm()
    {
        using var tmp = new TempDir();
        string trace = tmp.File("bad.dmt"), outDir = tmp.File("out");
        ResealedTrace.Create(trace, [new TraceVm("a", VmSettings.Default), new TraceVm("b", VmSettings.Default)], [], [[1000, 1000], [1000, -7]]).Save(trace);
        (int exit, _, string stderr) = Run("replay", trace, "-o", outDir);
        Assert.Equal(1, exit);
        Assert.Contains($"error: Trace file '{trace}', chunk 1 (ticks 1..1): tick 1, VM 1: value -7, expected -1 (off) or 0..16777216 MB", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(outDir, "summary.json")));
    }

    [Fact]
    public void Replay_NativeVmOverTheModelsMaxCeiling_ExitsOneNamingVmAndSetting()
    {
        using var tmp = new TempDir();
        string trace = tmp.File("big.dmt"), outDir = tmp.File("out");
        using (var w = new NativeTraceWriter(trace, new TraceDescription(60, "x"), [new TraceVm("big", VmSettings.Dynamic(1024, 512, 2_097_152), 0)], [new TraceHost(4_194_304)]))
        {
            w.WriteTick([1000]);
            w.Complete();
        }

        (int exit, _, string stderr) = Run("replay", trace, "-o", outDir);
        Assert.Equal(1, exit);
        Assert.Contains($"error: Trace file '{trace}', VM 0 ('big'): settings the model refuses: VM 0: Maximum = 2097152 refused by R1: at most MaxCeiling (1048576 MB)", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(outDir, "summary.json")));
    }

    /// <summary>Strict import fails on the first bad row; lenient import, then replay: summary.json has the skips by kind.</summary>
    private static JsonNode ImportLenientThenReplay(TempDir tmp, string[] import, string firstError)
    {
        string trace = tmp.File("t.dmt");
        (int exit, _, string stderr) = Run([.. import, "-o", trace]);
        Assert.Equal(1, exit);
        Assert.Contains(firstError, stderr, StringComparison.Ordinal);
        (exit, string stdout, stderr) = Run([.. import, "-o", trace, "--lenient"]);
        Assert.True(exit == 0, stderr);
        Assert.Contains("skipped", stdout, StringComparison.Ordinal);
        (exit, _, stderr) = Run("replay", trace, "-o", tmp.File("out"));
        Assert.True(exit == 0, stderr);
        return JsonNode.Parse(File.ReadAllText(Path.Combine(tmp.File("out"), "summary.json")))!["trace"]!["metadata"]!;
    }

    [Fact]
    public void LenientImportAlibaba_SkipCountsByKind_AppearInReplaySummary()
    {
        using var tmp = new TempDir();
        string input = tmp.Write("machine_usage.csv", string.Concat(
            "m_1,0,41,50,,,1,1,1\n",
            "m_1,60,41,abc,,,1,1,1\n",   // NotANumber
            "m_1,120,41,NaN,,,1,1,1\n",  // NotFinite
            "m_1,180,41,150,,,1,1,1\n",  // OutOfRange
            "m_2,0,41,50,,,1,1,1\n",
            "m_2,240,41,50,,,1,1,1\n",
            "m_2,120,41,50,,,1,1,1\n",   // TimestampBackwards
            "m_2,300,41,50\n",            // WrongColumnCount
            "m_1,240,41,-1,,,1,1,1\n")); // NegativeValue
        JsonNode meta = ImportLenientThenReplay(tmp, ["import", "alibaba", input, "--host-mb", "65536"], $"{input}:2:4: NotANumber");
        Assert.Equal("true", (string)meta["import.lenient"]!);
        Assert.Equal("9", (string)meta["import.rows_read"]!);
        Assert.Equal("6", (string)meta["import.rows_skipped"]!);
        foreach (string kind in new[] { "NotANumber", "NotFinite", "OutOfRange", "WrongColumnCount", "TimestampBackwards", "NegativeValue" })
            Assert.Equal("1", (string)meta["import.skipped." + kind]!);
    }

    [Fact]
    public void LenientImportGcd_SkipCountsByKind_AppearInReplaySummary()
    {
        using var tmp = new TempDir();
        string rows = "10.5 x\n10.5 -3\n10.5\n" + string.Concat(Enumerable.Repeat("10.5 20.25\n", 285)); // NotANumber, NegativeValue, WrongColumnCount
        string first = tmp.Write("in/vm_7_1", rows);
        tmp.Write("in/vm_7_2", GcdDay()[..^1]); // TruncatedLastLine
        tmp.Write("in/vm_8_1", "");            // EmptyFile
        tmp.Write("in/vm_8_0", GcdDay());      // OutOfRange: day 0
        JsonNode meta = ImportLenientThenReplay(tmp, ["import", "gcd", tmp.File("in"), "--vm-mb", "1024"], "OutOfRange");
        Assert.Equal("true", (string)meta["import.lenient"]!);
        Assert.Equal("6", (string)meta["import.rows_skipped"]!);
        foreach (string kind in new[] { "NotANumber", "NegativeValue", "WrongColumnCount", "TruncatedLastLine", "EmptyFile", "OutOfRange" })
            Assert.Equal("1", (string)meta["import.skipped." + kind]!);
        Assert.True(File.Exists(first));
    }
}

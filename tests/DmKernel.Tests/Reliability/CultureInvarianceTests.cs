using System.Globalization;
using System.Text.RegularExpressions;
using DmKernel.Tests.Cli;
using DmKernel.Tests.Docs;
using DmKernel.Tests.Support;
using DmKernel.Tests.Traces;
using DmKernel.Traces;

namespace DmKernel.Tests.Reliability;

/// <summary>
/// The bad-input catalog, the embedding API's edges and the CLI's bad-input tests again under a culture whose numbers
/// read otherwise (<see cref="UnfriendlyCultureAttribute"/>: decimal comma, U+2212 minus, no-break space between
/// thousands). Every message the libraries give an embedder is invariant text: before, under sv-SE, a negative value
/// printed as "−8192" beside an ASCII "expected -1 (off)", and under de-DE a factor bound as "0,01" (16 tests of the
/// suite failed under sv-SE, 2 under de-DE). CI also runs the whole suite once under sv-SE (.ci/run).
/// </summary>
[UnfriendlyCulture]
public sealed class BadInputCatalogTests_UnfriendlyCulture : BadInputCatalogTests;

/// <inheritdoc cref="BadInputCatalogTests_UnfriendlyCulture"/>
[UnfriendlyCulture]
public sealed class EmbeddingApiEdgeTests_UnfriendlyCulture : EmbeddingApiEdgeTests;

/// <inheritdoc cref="BadInputCatalogTests_UnfriendlyCulture"/>
[UnfriendlyCulture]
[Collection(nameof(CliTests))]
public sealed class BadInputCliTests_UnfriendlyCulture : BadInputCliTests;

/// <summary>The culture the derived classes run under does read numbers otherwise (else they would test nothing).</summary>
public class UnfriendlyCultureTests
{
    [Fact]
    [UnfriendlyCulture]
    public void TheCulture_FormatsNumbersOtherwiseThanTheInvariantCulture()
    {
        Assert.Same(UnfriendlyCultureAttribute.Culture, CultureInfo.CurrentCulture);
        Assert.Equal("\u22128192", (-8192).ToString(CultureInfo.CurrentCulture));
        Assert.Equal("0,01", 0.01.ToString(CultureInfo.CurrentCulture));
        Assert.Equal("1\u00a0234,5", 1234.5.ToString("N1", CultureInfo.CurrentCulture));
        Assert.Equal("-8192", (-8192).ToString(CultureInfo.InvariantCulture));
    }
}

/// <summary>
/// Files do not depend on the culture of the program that writes them: a generated trace, an imported one (the committed
/// Bitbrains sample), and replay's and compare's outputs from the sample trace are the same bytes under
/// <see cref="UnfriendlyCultureAttribute"/> as under the invariant culture, but for the run's wall time, speed and
/// working set in summary.json and comparison.json, and the PNGs (the shipped tool draws them with invariant
/// globalization; in this test process the plotting library's axis labels would follow the culture).
/// </summary>
[Collection(nameof(CliTests))]
public partial class CultureInvariantFilesTests
{
    [GeneratedRegex(@" VM-ticks, [0-9]+(\.[0-9]+)? s\.$")]
    private static partial Regex WallTime();

    private static readonly string[] Measured = ["\"wallSeconds\"", "\"vmTicksPerSecond\"", "\"peakWorkingSetBytes\""];

    private static void Under(CultureInfo culture, Action run)
    {
        CultureInfo old = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = culture;
        try
        {
            run();
        }
        finally
        {
            CultureInfo.CurrentCulture = old;
        }
    }

    private static void AssertSameFiles(string expectedDir, string actualDir)
    {
        string[] names = [.. Directory.GetFiles(expectedDir).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
        Assert.Equal(names, Directory.GetFiles(actualDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Contains(names, n => n.EndsWith(".json", StringComparison.Ordinal)); // summary.json or comparison.json
        foreach (string name in names.Where(n => !n.EndsWith(".png", StringComparison.Ordinal)))
        {
            string[] expected = Lines(Path.Combine(expectedDir, name)), actual = Lines(Path.Combine(actualDir, name));
            string? first = expected.Zip(actual).Where(p => p.First != p.Second).Select(p => $"{name}: '{p.First}' became '{p.Second}'").FirstOrDefault();
            Assert.True(first is null && expected.Length == actual.Length, first ?? $"{name}: {expected.Length} lines became {actual.Length}");
        }

        // compare's report.md gives its wall time ("- 63 probes, 13 M VM-ticks, 0.4 s."): the number is masked only where it
        // is written invariantly, so a decimal comma there still differs.
        static string[] Lines(string path) => [.. File.ReadAllLines(path)
            .Where(l => !Measured.Any(m => l.Contains(m, StringComparison.Ordinal)))
            .Select(l => WallTime().Replace(l, " VM-ticks, (wall time) s."))];
    }

    [Fact]
    public void GeneratedAndImportedTraces_AreTheSameBytes_UnderAnUnfriendlyCulture()
    {
        using var tmp = new DmKernel.Tests.Traces.TempDir();
        var options = new TraceGeneratorOptions { Vms = 300, Hosts = 4, Ticks = 200, Seed = 11 };
        Under(CultureInfo.InvariantCulture, () => TraceGenerator.Generate(tmp.File("a.dmt"), options));
        Under(UnfriendlyCultureAttribute.Culture, () => TraceGenerator.Generate(tmp.File("b.dmt"), options));
        Assert.Equal(File.ReadAllBytes(tmp.File("a.dmt")), File.ReadAllBytes(tmp.File("b.dmt")));

        string source = RealTraces.Path("bitbrains-gwa-t-12-rnd");
        int exitA = 0, exitB = 0;
        Under(CultureInfo.InvariantCulture, () => exitA = CliTests.Run("import", "bitbrains", source, "-o", tmp.File("i-a.dmt")).Exit);
        Under(UnfriendlyCultureAttribute.Culture, () => exitB = CliTests.Run("import", "bitbrains", source, "-o", tmp.File("i-b.dmt")).Exit);
        Assert.Equal(0, exitA);
        Assert.Equal(0, exitB);
        Assert.Equal(File.ReadAllBytes(tmp.File("i-a.dmt")), File.ReadAllBytes(tmp.File("i-b.dmt")));
    }

    [Fact]
    public void ReplayAndCompareOutputs_AreTheSame_UnderAnUnfriendlyCulture()
    {
        using var tmp = new DmKernel.Tests.Traces.TempDir();
        string trace = Path.Combine(ReadmeExampleTests.RepoRoot(), "traces", "sample-200vms-1day.dmt");
        foreach ((string command, string[] extra) in (ValueTuple<string, string[]>[])[("replay", []), ("compare", ["--seeds", "1"])])
        {
            string a = tmp.File(command + "-a"), b = tmp.File(command + "-b");
            (int Exit, string Out, string Err) ra = default, rb = default;
            Under(CultureInfo.InvariantCulture, () => ra = CliTests.Run([command, trace, "-o", a, .. extra]));
            Under(UnfriendlyCultureAttribute.Culture, () => rb = CliTests.Run([command, trace, "-o", b, .. extra]));
            Assert.True(ra.Exit == 0, ra.Err);
            Assert.True(rb.Exit == 0, rb.Err);
            AssertSameFiles(a, b);
        }
    }
}

/// <summary>
/// The whole message of an <see cref="ArgumentOutOfRangeException"/> the libraries throw is invariant, .NET's own last
/// line included: the runtime writes "Actual value was {value}." in the current culture, so under sv-SE a refused
/// <c>-2</c> read "Actual value was −2." (U+2212) and a refused 1.5 "Actual value was 1,5." below a message written in
/// ASCII. <see cref="ArgumentOutOfRangeException.ActualValue"/> keeps the typed value (the CLI reads it).
/// </summary>
public partial class OutOfRangeMessageTests
{
    public static TheoryData<string, string> Cases => new()
    {
        { "Balancer threads", "-2" },
        { "Fleet.SetCommitted", "-2" },
        { "Fleet VmCapacity", "-2" },
        { "ServiceLevel.MaxPagingShare", "1.5" },
        { "ServiceLevel.PressurePercentile", "-0.5" },
        { "MemoryStrategy.ProvisionedPlus", "-2" },
        { "TracePlacement hostMb", "-2" },
        { "TraceGeneratorOptions.Vms", "-2" },
        { "ReplayOptions.Threads", "-2" },
        { "CapacityOptions.Seeds", "-2" },
        { "BalancerPolicy.MomSamples", "-2" },
        { "Balancer.Tick", "-2" },
        { "FleetMeter pressureBins", "-2" },
        { "GuestMemory.LinuxFloor", "-2" },
    };

    private static ArgumentOutOfRangeException Throw(string name) => Assert.ThrowsAny<ArgumentOutOfRangeException>(() =>
    {
        var fleet = new Fleet(ModelParameters.Default, [new HostSpec(TotalMb: 65_536, VmCapacity: 4)]);
        switch (name)
        {
            case "Balancer threads": _ = new Balancer(fleet, KernelPath.Scalar, threads: -2); break;
            case "Fleet.SetCommitted": fleet.SetCommitted(0, -2); break;
            case "Fleet VmCapacity": _ = new Fleet(ModelParameters.Default, [new HostSpec(TotalMb: 65_536, VmCapacity: -2)]); break;
            case "ServiceLevel.MaxPagingShare": new DmKernel.Traces.Capacity.ServiceLevel { MaxPagingShare = 1.5 }.Validate(); break;
            case "ServiceLevel.PressurePercentile": new DmKernel.Traces.Capacity.ServiceLevel { PressurePercentile = -0.5 }.Validate(); break;
            case "MemoryStrategy.ProvisionedPlus": _ = DmKernel.Traces.Capacity.MemoryStrategy.ProvisionedPlus(-2); break;
            case "TracePlacement hostMb": _ = TracePlacement.FirstFitByStartup([], hostMb: -2, reserveMb: 0); break;
            case "TraceGeneratorOptions.Vms": new TraceGeneratorOptions { Vms = -2 }.Validate(); break;
            case "ReplayOptions.Threads": new DmKernel.Traces.Replay.ReplayOptions { Threads = -2 }.Validate(); break;
            case "CapacityOptions.Seeds": new DmKernel.Traces.Capacity.CapacityOptions { Seeds = -2 }.Validate(); break;
            case "BalancerPolicy.MomSamples": new BalancerPolicy { MomSamples = -2 }.Validate(); break;
            case "Balancer.Tick": using (var b = new Balancer(fleet, KernelPath.Scalar)) b.Tick(-2); break;
            case "FleetMeter pressureBins": _ = new FleetMeter(fleet, pressureBins: -2); break;
            case "GuestMemory.LinuxFloor": _ = GuestMemory.LinuxFloor(-2); break;
            default: throw new ArgumentException(name);
        }
    });

    [Theory]
    [MemberData(nameof(Cases))]
    [UnfriendlyCulture]
    public void TheActualValueLine_IsInvariant_UnderAnUnfriendlyCulture(string name, string value)
    {
        ArgumentOutOfRangeException ex = Throw(name);
        Assert.EndsWith(Environment.NewLine + "Actual value was " + value + ".", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\u2212', ex.Message);
        Assert.Equal(value, Convert.ToString(ex.ActualValue, CultureInfo.InvariantCulture));
        Assert.IsNotType<string>(ex.ActualValue); // the typed value, not its text
    }

    /// <summary>
    /// The libraries' sources throw no plain <see cref="ArgumentOutOfRangeException"/> and call none of .NET's
    /// <c>ThrowIf…</c> (both format the value in the current culture), so a new check cannot bring the line back.
    /// </summary>
    [Fact]
    public void TheLibraries_ThrowNoPlainOutOfRangeException()
    {
        string root = ReadmeExampleTests.RepoRoot();
        string[] files = [.. new[] { "DmKernel", "DmKernel.Traces" }
            .SelectMany(p => Directory.EnumerateFiles(Path.Combine(root, "src", p), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))];
        Assert.True(files.Length > 50, $"{files.Length} source files");
        var found = new List<string>();
        foreach (string file in files)
        {
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                if (PlainOutOfRange().IsMatch(lines[i]))
                    found.Add($"{Path.GetRelativePath(root, file)}:{i + 1}: {lines[i].Trim()}");
            }
        }

        Assert.True(found.Count == 0, string.Join(Environment.NewLine, found));
        Assert.Matches(PlainOutOfRange(), "throw new ArgumentOutOfRangeException(nameof(x), x, \"m\");");
        Assert.Matches(PlainOutOfRange(), "ArgumentOutOfRangeException.ThrowIfNegative(x);");
        Assert.Matches(PlainOutOfRange(), "static ArgumentOutOfRangeException E(string n, object v) => new(n, v, \"m\");");
        Assert.DoesNotMatch(PlainOutOfRange(), "catch (ArgumentOutOfRangeException ex)");
    }

    [GeneratedRegex(@"new ArgumentOutOfRangeException\(|ArgumentOutOfRangeException\.ThrowIf|ArgumentOutOfRangeException [A-Za-z]+\(.*\) => new\(")]
    private static partial Regex PlainOutOfRange();

    [Theory]
    [InlineData("Balancer.Tick", "count")]
    [InlineData("FleetMeter pressureBins", "pressureBins")]
    [InlineData("GuestMemory.LinuxFloor", "assignedMb")]
    [UnfriendlyCulture]
    public void TheNonNegativeChecks_SayWhatDotNetsSay_Invariantly(string name, string parameter)
    {
        ArgumentOutOfRangeException ex = Throw(name);
        Assert.Equal(parameter, ex.ParamName);
        Assert.Equal($"{parameter} ('-2') must be a non-negative value. (Parameter '{parameter}'){Environment.NewLine}Actual value was -2.", ex.Message);
        Assert.Equal(-2, ex.ActualValue);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheMessage_IsTheSame_UnderTheInvariantAndAnUnfriendlyCulture(string name, string value)
    {
        _ = value;
        CultureInfo old = CultureInfo.CurrentCulture;
        string invariant, unfriendly;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
            invariant = Throw(name).Message;
            CultureInfo.CurrentCulture = UnfriendlyCultureAttribute.Culture;
            unfriendly = Throw(name).Message;
        }
        finally
        {
            CultureInfo.CurrentCulture = old;
        }

        Assert.Equal(invariant, unfriendly);
    }
}

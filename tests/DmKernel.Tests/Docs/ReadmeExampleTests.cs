using System.Globalization;
using System.Text.RegularExpressions;
using DmKernel.Traces;
using DmKernel.Traces.Replay;

namespace DmKernel.Tests.Docs;

/// <summary>
/// The README's embedding example and the DmKernel.Traces package example, compiled and run here. Further tests keep
/// every copy in step: README.md, the package READMEs and the programs under samples/ (which CI builds against the
/// packed NuGet packages and runs).
/// </summary>
[Collection(nameof(DmKernel.Tests.Cli.CliTests))] // CliTests.Run swaps the process's Console.Out: never beside another test that does
public partial class ReadmeExampleTests
{
    [Fact]
    public void ReadmeExample_RunsAndSettlesAtBufferedTargets()
    {
        // README example: begin
        var fleet = new Fleet(ModelParameters.Default, [new HostSpec(TotalMb: 65_536, VmCapacity: 64)]);
        int web = fleet.AddVm(host: 0, VmSettings.Dynamic(startupMb: 1024, minimumMb: 512, maximumMb: 8192));
        int db = fleet.AddVm(host: 0, VmSettings.Dynamic(2048, 1024, 16_384, bufferPercent: 25, weight: 8000));
        fleet.RequestStart(web);
        fleet.RequestStart(db);

        using var balancer = new Balancer(fleet);          // widest SIMD path; DMKERNEL_PATH overrides
        int[] committed = new int[fleet.SlotCount];        // one value per slot, from your simulator
        for (int tick = 0; tick < 120; tick++)
        {
            committed[web] = 3000;
            committed[db] = 6000;
            fleet.SetCommitted(committed);                 // spans in
            balancer.Tick();                               // allocation-free
        }

        ReadOnlySpan<int> assigned = fleet.Assigned;       // spans out
        Console.WriteLine($"web {assigned[web]} MB at {fleet.Pressure[web]} %, db {assigned[db]} MB at {fleet.Pressure[db]} %");
        // README example: end

        // R9: 3000 × 1.20 = 3600 and 6000 × 1.25 = 7500; R10: 3000/3600 → 83 %, 6000/7500 → 80 %.
        Assert.Equal(3600, assigned[web]);
        Assert.Equal(83, fleet.Pressure[web]);
        Assert.Equal(7500, assigned[db]);
        Assert.Equal(80, fleet.Pressure[db]);

        // The line the README (and CI, running samples/Embedding) says it prints is the line it prints.
        string printed = string.Create(CultureInfo.InvariantCulture, $"web {assigned[web]} MB at {fleet.Pressure[web]} %, db {assigned[db]} MB at {fleet.Pressure[db]} %");
        foreach (string doc in new[] { "README.md", "src/DmKernel/README.md" })
            Assert.Contains($"prints `{printed}`", File.ReadAllText(Path.Combine(RepoRoot(), doc)).ReplaceLineEndings(" "), StringComparison.Ordinal);
    }

    [Fact]
    public void TracesPackageExample_GeneratesAndReplaysATrace()
    {
        var output = new StringWriter();

        // Traces README example: begin
        string trace = Path.GetTempFileName();
        TraceGenerator.Generate(trace, new TraceGeneratorOptions { Vms = 1000, Hosts = 10, Ticks = 1440, Seed = 7 });
        using (NativeTraceReader reader = NativeTraceReader.Open(trace))
        using (var replay = new ReplayEngine(reader, new ReplayOptions()))
        {
            while (replay.Step())
            {
            }

            output.WriteLine($"{replay.TicksDone} ticks, {replay.Metrics.PagingVmTicks} of {replay.Metrics.OnVmTicks} VM-ticks paging");
        }

        File.Delete(trace);
        // Traces README example: end

        Assert.Matches(@"^1440 ticks, \d+ of \d+ VM-ticks paging$", output.ToString().Trim());
        Assert.False(File.Exists(trace), "the example removes its temporary trace");
    }

    [GeneratedRegex("```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    private static string FirstCSharpBlock(string relative)
    {
        Match m = CSharpBlock().Match(File.ReadAllText(Path.Combine(RepoRoot(), relative)).ReplaceLineEndings("\n"));
        Assert.True(m.Success, $"{relative} has no ```csharp block");
        return m.Groups["code"].Value;
    }

    /// <summary>The non-empty, trimmed code lines between a test's begin and end markers.</summary>
    private static string[] MarkedLines(string begin, string end)
    {
        string[] source = File.ReadAllLines(Path.Combine(RepoRoot(), "tests", "DmKernel.Tests", "Docs", "ReadmeExampleTests.cs"));
        int b = Array.FindIndex(source, l => l.Trim() == "// " + begin);
        int e = Array.FindIndex(source, l => l.Trim() == "// " + end);
        Assert.True(b >= 0 && e > b, $"markers '{begin}' / '{end}' not found");
        return [.. source[(b + 1)..e].Select(l => l.Trim()).Where(l => l.Length > 0)];
    }

    [GeneratedRegex(@"^using [\w.]+;$")]
    private static partial Regex UsingDirective();

    /// <summary>The non-empty, trimmed lines of <paramref name="code"/> without its using directives (the test file has its own).</summary>
    private static string[] CodeLines(string code) => [.. code.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !UsingDirective().IsMatch(l))];

    [Fact]
    public void Readme_PackageReadme_AndSample_HoldThisExampleVerbatim()
    {
        string readme = FirstCSharpBlock("README.md");
        Assert.Equal(readme, FirstCSharpBlock("src/DmKernel/README.md"));
        Assert.Equal(readme, File.ReadAllText(Path.Combine(RepoRoot(), "samples", "Embedding", "Program.cs")).ReplaceLineEndings("\n"));
        Assert.Equal(MarkedLines("README example: begin", "README example: end"), CodeLines(readme));
    }

    [Fact]
    public void TracesPackageReadme_AndSample_HoldTheTracesExampleVerbatim()
    {
        string example = FirstCSharpBlock("src/DmKernel.Traces/README.md");
        Assert.Equal(example, File.ReadAllText(Path.Combine(RepoRoot(), "samples", "TraceReplay", "Program.cs")).ReplaceLineEndings("\n"));
        // The test writes to a StringWriter where the example writes to the console; everything else is the same code.
        string[] tested = [.. MarkedLines("Traces README example: begin", "Traces README example: end").Select(l => l.Replace("output.WriteLine(", "Console.WriteLine(", StringComparison.Ordinal))];
        Assert.Equal(tested, CodeLines(example));
    }

    /// <summary>The headline the README shows for the sample's replay is the one the CLI prints (its second line, the
    /// machine-independent one), word for word.</summary>
    [Fact]
    public void Readme_ReplayHeadline_IsWhatTheCliPrintsForTheSample()
    {
        string readme = File.ReadAllText(Path.Combine(RepoRoot(), "README.md")).ReplaceLineEndings("\n");
        string shown = readme.Split('\n').Single(l => l.StartsWith("Paging ", StringComparison.Ordinal));
        using var dir = new DmKernel.Tests.Traces.TempDir();
        (int exit, string stdout, string stderr) = DmKernel.Tests.Cli.CliTests.Run("replay", DmKernel.Tests.Replay.ReplayDeterminismTests.SampleTrace, "-o", dir.File("out"));
        Assert.True(exit == 0, stderr);
        Assert.Equal(shown, stdout.ReplaceLineEndings("\n").Split('\n')[1]);
    }

    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DmKernel.sln")))
                return dir.FullName;
        }

        throw new DirectoryNotFoundException($"No DmKernel.sln above {AppContext.BaseDirectory}");
    }
}

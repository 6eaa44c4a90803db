namespace DmKernel.Tests.Docs;

/// <summary>The README's embedding example, compiled and run here; a second test keeps the README's copy in sync.</summary>
public class ReadmeExampleTests
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
    }

    [Fact]
    public void Readme_ContainsThisExampleVerbatim()
    {
        string root = RepoRoot();
        string readme = File.ReadAllText(Path.Combine(root, "README.md"));
        string[] source = File.ReadAllLines(Path.Combine(root, "tests", "DmKernel.Tests", "Docs", "ReadmeExampleTests.cs"));
        int begin = Array.FindIndex(source, l => l.Contains("README example: begin", StringComparison.Ordinal));
        int end = Array.FindIndex(source, l => l.Contains("README example: end", StringComparison.Ordinal));
        Assert.True(begin >= 0 && end > begin);
        foreach (string line in source[(begin + 1)..end])
        {
            string code = line.Trim();
            if (code.Length > 0)
                Assert.Contains(code, readme, StringComparison.Ordinal);
        }
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

using System.Text.Json;

namespace DmKernel.Tests.Cli;

/// <summary>
/// The runtime settings the tool ships with (<c>DmKernel.Cli.runtimeconfig.json</c>, which <c>dotnet DmKernel.Cli.dll</c>
/// and the installed <c>dmkernel</c> read): compare's probes each build a fleet of large arrays and drop it, and without
/// <c>System.GC.ConserveMemory</c> the GC let the large-object heap grow with that garbage (a 1 000 000-VM comparison
/// 4.0 GB resident against 1.9 GB, and out of memory under a 2 GB heap limit; docs/compare.md, "Memory").
/// </summary>
public class RuntimeConfigTests
{
    [Fact]
    public void TheToolsRuntimeConfig_HasTheGcCompactFragmentedLargeObjects()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "DmKernel.Cli.runtimeconfig.json");
        using JsonDocument config = JsonDocument.Parse(File.ReadAllText(path));
        JsonElement properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.True(properties.TryGetProperty("System.GC.ConserveMemory", out JsonElement conserve), $"{path} sets no System.GC.ConserveMemory");
        Assert.Equal(7, conserve.GetInt32());
    }
}

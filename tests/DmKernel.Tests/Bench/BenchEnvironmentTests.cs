using System.Runtime.CompilerServices;
using DmKernel.Benchmarks;

namespace DmKernel.Tests.Bench;

/// <summary>
/// The bench's environment variables (<c>DMKERNEL_BENCH_VMS</c>, <c>DMKERNEL_BENCH_PATHS</c>) narrow a benchmark run
/// from the shell. The bench tests pin each suite's own case lists, so a variable left set in the shell of whoever runs
/// <c>dotnet test</c> must not change them: the test assembly clears both when it loads (this process only), and the
/// variables' own effect is tested through the selections they feed.
/// </summary>
internal static class BenchEnvironment
{
#pragma warning disable CA2255 // A test assembly's own set-up, not a library's.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void ClearBenchVariables()
    {
        Environment.SetEnvironmentVariable(BenchSizes.EnvironmentVariable, null);
        Environment.SetEnvironmentVariable(TickBench.PathsVariable, null);

        // The kernel's own switches, which docs/architecture.md and bench/README.md tell people to set when measuring:
        // left set in the shell, DMKERNEL_ALIGN=0 failed the alignment test and DMKERNEL_PATH would run every "auto" test
        // on one path. Tests that are about them set them (or the switch they feed) themselves.
        Environment.SetEnvironmentVariable("DMKERNEL_ALIGN", null);
        Environment.SetEnvironmentVariable(DmKernel.KernelPaths.EnvironmentVariable, null);
    }
}

public class BenchEnvironmentTests
{
    private static readonly int[] Defaults = [10_000, 50_000, 1_000_000];

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Sizes_WithoutTheVariable_AreTheSuitesDefaults(string? environment)
        => Assert.Equal(Defaults, BenchSizes.Select(ciMode: false, environment, ci: null, Defaults));

    [Fact]
    public void Sizes_TheVariableReplacesTheDefaults()
        => Assert.Equal([50_000, 200_000], BenchSizes.Select(ciMode: false, "50000, 200_000", ci: null, Defaults));

    [Fact]
    public void Sizes_InCiMode_IgnoreTheVariable_AndRunTheCiListOrTheDefaultsUpTo50000()
    {
        Assert.Equal([10_000], BenchSizes.Select(ciMode: true, "1000000", ci: [10_000], Defaults));
        Assert.Equal([10_000, 50_000], BenchSizes.Select(ciMode: true, "1000000", ci: null, Defaults));
        Assert.Equal([50_000], BenchSizes.Select(ciMode: true, null, ci: null, [50_000, 50_001]));
    }

    [Fact]
    public void Sizes_ABadVariable_IsRefused_NamingTheVariableAndTheValue()
    {
        FormatException e = Assert.Throws<FormatException>(() => BenchSizes.Select(ciMode: false, "50000,-3", ci: null, Defaults));
        Assert.Contains("DMKERNEL_BENCH_VMS", e.Message, StringComparison.Ordinal);
        Assert.Contains("'-3'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(" ")]
    public void Paths_WithoutTheVariable_AreEveryPath(string? environment)
        => Assert.Equal(
            [TickPath.Scalar, TickPath.V128, TickPath.V256, TickPath.V512, TickPath.MinFloor, TickPath.ColFloor],
            TickBench.SelectPaths(ciMode: false, environment));

    [Fact]
    public void Paths_TheVariableListsThePathsToRun_InItsOrder()
        => Assert.Equal([TickPath.V512, TickPath.MinFloor], TickBench.SelectPaths(ciMode: false, " V512 ,MinFloor,"));

    [Fact]
    public void Paths_InCiMode_AreEveryPath_WhateverTheVariableSays()
        => Assert.Equal(6, TickBench.SelectPaths(ciMode: true, "V512").Length);

    [Theory]
    [InlineData("V1024")]
    [InlineData("v512")]
    [InlineData("3")]
    public void Paths_ANameThatIsNoPath_IsRefused_NamingIt(string name)
    {
        FormatException e = Assert.Throws<FormatException>(() => TickBench.SelectPaths(ciMode: false, "V512," + name));
        Assert.Contains("DMKERNEL_BENCH_PATHS", e.Message, StringComparison.Ordinal);
        Assert.Contains($"'{name}'", e.Message, StringComparison.Ordinal);
    }
}

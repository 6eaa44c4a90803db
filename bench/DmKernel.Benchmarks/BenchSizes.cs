using System.Globalization;

namespace DmKernel.Benchmarks;

/// <summary>
/// The fleet sizes (the <c>Vms</c> parameter) a run uses: each suite's defaults, the quick subset in CI
/// mode, or the list in <c>DMKERNEL_BENCH_VMS</c> (comma-separated, e.g. <c>50000</c> or <c>10000,50000</c>).
/// </summary>
internal static class BenchSizes
{
    /// <summary>The environment variable that replaces every suite's Vms values.</summary>
    public const string EnvironmentVariable = "DMKERNEL_BENCH_VMS";

    /// <summary>The largest fleet CI mode runs.</summary>
    public const int CiMaxVms = 50_000;

    /// <summary>Set by CI mode: only the defaults up to <see cref="CiMaxVms"/> run.</summary>
    public static bool CiMode { get; set; }

    /// <summary>The Vms values to run for a suite whose full list is <paramref name="defaults"/>.</summary>
    public static IEnumerable<int> Select(params int[] defaults) => SelectWithCi(null, defaults);

    /// <summary>
    /// The Vms values to run for a suite whose full list is <paramref name="defaults"/> and whose CI mode runs
    /// <paramref name="ci"/> (null: the defaults up to <see cref="CiMaxVms"/>).
    /// </summary>
    public static IEnumerable<int> SelectWithCi(int[]? ci, params int[] defaults)
        => Select(CiMode, Environment.GetEnvironmentVariable(EnvironmentVariable), ci, defaults);

    /// <summary>
    /// The selection itself, from CI mode and the variable's value (<paramref name="environment"/>, null when unset):
    /// CI mode runs <paramref name="ci"/> (or the defaults up to <see cref="CiMaxVms"/>) whatever the variable says;
    /// otherwise a non-blank variable replaces the defaults.
    /// </summary>
    internal static int[] Select(bool ciMode, string? environment, int[]? ci, int[] defaults)
    {
        if (ciMode)
            return ci ?? Array.FindAll(defaults, v => v <= CiMaxVms);
        return string.IsNullOrWhiteSpace(environment) ? defaults : Parse(environment);
    }

    internal static int[] Parse(string list)
    {
        string[] parts = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var values = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i].Replace("_", "", StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out values[i]) || values[i] < 1)
                throw new FormatException($"{EnvironmentVariable} = '{list}': '{parts[i]}' is not a positive VM count.");
        }

        return values;
    }
}

namespace DmKernel.Tests.Traces;

/// <summary>
/// Finds the real trace samples (shared/traces/real): $DMKERNEL_SHARED/traces/real when that variable is set,
/// else the first "shared/traces/real" found walking up from the test binaries.
/// </summary>
internal static class RealTraces
{
    private static readonly Lazy<string?> Found = new(Locate);

    /// <summary>The samples folder, or null when it cannot be found.</summary>
    public static string? Root => Found.Value;

    /// <summary>Whether this run is CI (CI == "true"), where missing samples fail instead of skipping.</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public const string MissingMessage =
        "Real trace samples not found: set DMKERNEL_SHARED to the shared/ folder, or keep shared/traces/real beside or above the repository.";

    /// <summary>The path of <paramref name="relative"/> under the samples folder; throws (fails the test) when the folder is missing.</summary>
    public static string Path(string relative) =>
        System.IO.Path.Combine(Root ?? throw new InvalidOperationException(MissingMessage + " (CI=true: real-trace tests must run.)"), relative);

    private static string? Locate()
    {
        string? env = Environment.GetEnvironmentVariable("DMKERNEL_SHARED");
        if (!string.IsNullOrEmpty(env))
        {
            string candidate = System.IO.Path.Combine(env, "traces", "real");
            return Directory.Exists(candidate) ? candidate : null;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = System.IO.Path.Combine(dir.FullName, "shared", "traces", "real");
            if (Directory.Exists(candidate))
                return candidate;
        }

        return null;
    }
}

/// <summary>
/// A fact that needs the real trace samples: skipped with a clear message when they are missing, except under
/// CI (CI == "true"), where it runs and fails, so a missing copy of shared/ can never hide in CI.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class RealTraceFactAttribute : FactAttribute
{
    public RealTraceFactAttribute()
    {
        if (RealTraces.Root is null && !RealTraces.IsCi)
            Skip = RealTraces.MissingMessage + " Skipped outside CI; with CI=true this test fails.";
    }
}

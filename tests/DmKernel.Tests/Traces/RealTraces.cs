using DmKernel.Tests.Docs;

namespace DmKernel.Tests.Traces;

/// <summary>
/// The real trace samples committed with the repository: <c>traces/real/&lt;source&gt;/</c> (each with its SOURCE.md),
/// found from the repository root (the folder that holds DmKernel.sln). A clone has them, so the tests that read them
/// always run.
/// </summary>
internal static class RealTraces
{
    /// <summary>The samples folder: <c>&lt;repository&gt;/traces/real</c>.</summary>
    public static string Root { get; } = System.IO.Path.Combine(ReadmeExampleTests.RepoRoot(), "traces", "real");

    /// <summary>The path of <paramref name="relative"/> under the samples folder; a missing file or folder fails the test naming it.</summary>
    public static string Path(string relative)
    {
        string path = System.IO.Path.Combine(Root, relative);
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new FileNotFoundException($"The real trace sample '{path}' is missing from the repository (traces/real is committed; see its SOURCE.md files).", path);
        return path;
    }
}

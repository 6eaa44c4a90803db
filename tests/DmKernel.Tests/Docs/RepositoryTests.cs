using System.Text.RegularExpressions;

namespace DmKernel.Tests.Docs;

/// <summary>
/// The repository stands alone: nothing reads a folder beside it, every relative link in the docs resolves inside
/// it, and every real sample it ships says where it came from.
/// </summary>
public partial class RepositoryTests
{
    private static readonly string[] SkippedFolders = ["bin", "obj", ".git", "out", "BenchmarkDotNet.Artifacts", "TestResults"];

    private static IEnumerable<string> Files(string root, params string[] patterns)
    {
        var pending = new Stack<string>([root]);
        while (pending.Count > 0)
        {
            string dir = pending.Pop();
            foreach (string sub in Directory.EnumerateDirectories(dir))
            {
                if (!SkippedFolders.Contains(Path.GetFileName(sub), StringComparer.Ordinal))
                    pending.Push(sub);
            }

            foreach (string pattern in patterns)
            {
                foreach (string file in Directory.EnumerateFiles(dir, pattern))
                    yield return file;
            }
        }
    }

    [GeneratedRegex(@"\.\./shared(?!/datasets)|shared/(traces|spec)/|DMKERNEL_SHARED")]
    private static partial Regex OutsideReference();

    [Fact]
    public void NoSourceDocOrScript_ReadsTheSharedFolderBesideTheRepository()
    {
        string root = ReadmeExampleTests.RepoRoot();
        string self = Path.Combine(root, "tests", "DmKernel.Tests", "Docs", "RepositoryTests.cs");
        var offenders = new List<string>();
        foreach (string file in Files(root, "*.cs", "*.md", "*.sh", "*.props", "*.csproj", "*.json", "*.config", "run", "dmkernel"))
        {
            if (file == self)
                continue;
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                if (OutsideReference().IsMatch(lines[i]))
                    offenders.Add($"{Path.GetRelativePath(root, file)}:{i + 1}: {lines[i].Trim()}");
            }
        }

        Assert.True(offenders.Count == 0, "these lines refer to ../shared, which a clone does not have:\n" + string.Join('\n', offenders));
        Assert.True(File.Exists(Path.Combine(root, ".ci", "run")), "the scan must cover .ci/run");
    }

    [GeneratedRegex(@"\]\((?<target>[^)\s#]+)(#[^)]*)?\)")]
    private static partial Regex MarkdownLink();

    [Fact]
    public void EveryRelativeLinkInTheDocs_PointsToAFileOrFolderOfTheRepository()
    {
        string root = ReadmeExampleTests.RepoRoot();
        var broken = new List<string>();
        int checkedLinks = 0;
        foreach (string file in Files(root, "*.md"))
        {
            foreach (Match m in MarkdownLink().Matches(File.ReadAllText(file)))
            {
                string target = m.Groups["target"].Value;
                if (target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
                    continue;
                checkedLinks++;
                string resolved = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, target));
                if (!resolved.StartsWith(root, StringComparison.Ordinal) || (!File.Exists(resolved) && !Directory.Exists(resolved)))
                    broken.Add($"{Path.GetRelativePath(root, file)}: ({target})");
            }
        }

        Assert.True(broken.Count == 0, "links that do not resolve inside the repository:\n" + string.Join('\n', broken));
        Assert.True(checkedLinks >= 10, $"only {checkedLinks} relative links found: is the scan looking at the docs?");
    }

    [Fact]
    public void EveryRealSample_HasASourceNoteWithOriginLicenceAndItsFiles()
    {
        string real = Path.Combine(ReadmeExampleTests.RepoRoot(), "traces", "real");
        string[] sources = Directory.GetDirectories(real);
        Assert.Equal(["alibaba-2018-machine-usage", "bitbrains-gwa-t-12-rnd", "google-2011-gcd-vms"], sources.Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (string source in sources)
        {
            string notePath = Path.Combine(source, "SOURCE.md");
            Assert.True(File.Exists(notePath), $"{notePath} is missing");
            string note = File.ReadAllText(notePath);
            foreach (string section in new[] { "## Origin", "## Licence and citation", "## Format" })
                Assert.True(note.Contains(section, StringComparison.Ordinal), $"{notePath} has no '{section}' section");
            foreach (string file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) != "SOURCE.md"))
            {
                // A file is described by name (2013-8/386.csv) or, for a numbered series, by its stem (vm_3418442_).
                string name = Path.GetFileName(file);
                int cut = name.LastIndexOf('_');
                string stem = cut > 0 && name[(cut + 1)..].All(char.IsAsciiDigit) ? name[..(cut + 1)] : name;
                Assert.True(note.Contains(name, StringComparison.Ordinal) || note.Contains(stem, StringComparison.Ordinal),
                    $"{notePath} does not describe {Path.GetRelativePath(source, file)}");
            }
        }
    }
}

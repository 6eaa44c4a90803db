using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace DmKernel.Tests.Docs;

/// <summary>
/// What the docs tests that recompute quoted figures from committed results (<see cref="ReadmeResultsTests"/>,
/// <see cref="DownsampleDocTests"/>, <see cref="PolicyBenchDocTests"/>, <see cref="LeanKernelDocTests"/>,
/// <see cref="TextLogFiguresDocTests"/>) share: the repository's files read as the docs print them, the committed JSON
/// outputs and BenchmarkDotNet reports, markdown tables, the number formats the docs use, and <see cref="FigureCheck"/>,
/// which collects the mismatches.
/// </summary>
internal static class DocFigures
{
    public static readonly CultureInfo Ic = CultureInfo.InvariantCulture;

    // The docs group thousands with a space: "1 065 GB·h", "123 081 VM·h", "463 795 MB".
    public static readonly NumberFormatInfo Grouped = new() { NumberGroupSeparator = " ", NumberDecimalSeparator = "." };

    public static string Root => ReadmeExampleTests.RepoRoot();

    /// <summary>The text of a file of the repository, with "\n" line ends.</summary>
    public static string Text(string relative) => File.ReadAllText(Path.Combine(Root, relative)).ReplaceLineEndings("\n");

    /// <summary>A file with each line break (and the blanks around it) as one space: a sentence wrapped over lines reads as one.</summary>
    public static string Flat(string relative) => Regex.Replace(Text(relative), @"\s*\n\s*", " ");

    /// <summary>The full path of <paramref name="relative"/>, asserting that the file exists ("{relative}, which {quotedBy}, does not exist").</summary>
    public static string RequireFile(string relative, string quotedBy)
    {
        string path = Path.Combine(Root, relative);
        Assert.True(File.Exists(path), $"{relative}, which {quotedBy}, does not exist");
        return path;
    }

    /// <summary>The root of a committed JSON output.</summary>
    public static JsonElement Json(string relative, string quotedBy)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(RequireFile(relative, quotedBy)));
        return doc.RootElement.Clone();
    }

    public static string F(double value, string format) => value.ToString(format, Ic);

    /// <summary>Two decimals (CompareReport.Fmt / Ratio).</summary>
    public static string F2(double v) => F(v, "F2");

    /// <summary>A whole number grouped by thousands with a space ("123 081").</summary>
    public static string Thousands(double v) => v.ToString("N0", Grouped);

    /// <summary>
    /// The cells of each row of the markdown table of <paramref name="lines"/> whose header row starts with
    /// <paramref name="header"/> (the leading and trailing '|' dropped, so the first column is cell 0).
    /// </summary>
    public static List<string[]> TableRows(string[] lines, string header, string missing)
    {
        int h = Array.FindIndex(lines, l => l.StartsWith(header, StringComparison.Ordinal));
        Assert.True(h >= 0, missing);
        Assert.StartsWith("|---", lines[h + 1], StringComparison.Ordinal);
        var rows = new List<string[]>();
        for (int i = h + 2; i < lines.Length && lines[i].StartsWith('|'); i++)
            rows.Add([.. lines[i].Trim().Trim('|').Split('|').Select(c => c.Trim())]);
        return rows;
    }

    /// <summary>The rows of a BenchmarkDotNet markdown report (bold marks removed), by column name.</summary>
    public static List<Dictionary<string, string>> BenchRows(string relative, string quotedBy)
    {
        string[] lines = [.. File.ReadAllLines(RequireFile(relative, quotedBy)).Where(l => l.StartsWith('|'))];
        static string[] Cells(string line) => [.. line.Trim().Trim('|').Split('|').Select(c => c.Replace("**", "", StringComparison.Ordinal).Trim())];
        string[] header = Cells(lines[0]);
        return [.. lines.Skip(2).Select(Cells).Select(cells => header.Zip(cells).ToDictionary(x => x.First, x => x.Second, StringComparer.Ordinal))];
    }

    /// <summary>A BenchmarkDotNet time ("1,000.29 μs") in nanoseconds, at the precision printed.</summary>
    public static decimal BenchTime(string text)
    {
        string[] parts = text.Split(' ');
        decimal value = decimal.Parse(parts[0], NumberStyles.Number, Ic);
        return value * parts[1] switch
        {
            "ns" => 1m,
            "μs" or "us" => 1_000m,
            "ms" => 1_000_000m,
            "s" => 1_000_000_000m,
            _ => throw new InvalidOperationException($"unknown time unit in '{text}'"),
        };
    }
}

/// <summary>
/// Collects every quoted figure that does not match what its source gives, so that one run of a docs test names them
/// all; <see cref="AssertAllMatch"/> also fails when fewer figures were checked than the test expects (a table or
/// sentence the test no longer finds).
/// </summary>
internal sealed class FigureCheck(string title, string prefix = "")
{
    private readonly List<string> mismatches = [];

    public int Checked { get; private set; }

    /// <summary>Compares one quoted figure with the one its source gives, ordinally.</summary>
    public void Check(string what, string quoted, string expected, string source)
    {
        Checked++;
        if (!string.Equals(quoted, expected, StringComparison.Ordinal))
            mismatches.Add($"{prefix}{what}: \"{quoted}\", but {source} gives \"{expected}\"");
    }

    public void AssertAllMatch(int atLeast)
    {
        Assert.True(mismatches.Count == 0, $"{title}:\n" + string.Join('\n', mismatches));
        Assert.True(Checked >= atLeast, $"only {Checked} figures checked, expected at least {atLeast}: is the test still finding the figures it checks?");
    }
}

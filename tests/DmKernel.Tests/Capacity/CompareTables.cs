using System.Text.Json.Nodes;
using DmKernel.Cli.Report;
using DmKernel.Tests.Traces;
using DmKernel.Traces.Capacity;

namespace DmKernel.Tests.Capacity;

/// <summary>What the tests of compare's report tables share (<see cref="MinimumTableTests"/>, <see cref="SensitivityTableTests"/>): fleets, cells, the JSON.</summary>
internal static class CompareTables
{
    /// <summary>Ten VMs of <paramref name="settings"/>, each wanting <paramref name="demandMb"/> at every one of 16 ticks.</summary>
    public static TraceSeries Flat(VmSettings settings, int demandMb)
        => CapacityStudyTests.Series(16, [.. Enumerable.Range(0, 10).Select(_ => (settings, Enumerable.Repeat(demandMb, 16).ToArray()))]);

    /// <summary>The header cells of the report.md table whose first column is <paramref name="first"/>.</summary>
    public static string[] Header(string md, string first)
        => [.. Assert.Single(md.Split('\n'), l => l.StartsWith("| " + first + " | ", StringComparison.Ordinal)).Split('|').Select(h => h.Trim())];

    /// <summary>
    /// The cell of the report.md table whose first column is <paramref name="first"/>, in the row labelled
    /// <paramref name="row"/> and the column headed <paramref name="column"/>.
    /// </summary>
    public static string Cell(string md, string first, string row, string column)
    {
        string[] header = Header(md, first);
        int at = Array.IndexOf(header, column);
        Assert.True(at > 0, $"no column '{column}' in the table headed '{first}'");
        string[] cells = Assert.Single(md.Split('\n'), l => l.StartsWith("| " + row + " |", StringComparison.Ordinal)).Split('|');
        Assert.Equal(header.Length, cells.Length);
        return cells[at].Trim();
    }

    /// <summary>comparison.json as compare writes it for <paramref name="r"/>.</summary>
    public static JsonObject Json(CapacityResult r)
    {
        using var dir = new TempDir();
        string path = dir.File("comparison.json");
        CompareReport.WriteJson(path, r, 1);
        return JsonNode.Parse(File.ReadAllText(path))!.AsObject();
    }

    /// <summary>The JSON's <c>oneVmMoreMissesBy</c> as (draws, start denied, paging, pressure).</summary>
    public static (int Draws, int Starts, int Paging, int Pressure) Misses(JsonNode? node)
    {
        JsonNode m = node!["oneVmMoreMissesBy"]!;
        return ((int)m["draws"]!, (int)m["startDenied"]!, (int)m["paging"]!, (int)m["pressure"]!);
    }
}

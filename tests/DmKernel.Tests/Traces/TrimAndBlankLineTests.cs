using DmKernel.Traces;

namespace DmKernel.Tests.Traces;

/// <summary>
/// Whitespace as editors leave it: spaces at the ends of a GCD line are trimmed as a tab was (and as Bitbrains and Alibaba trim fields), and blank lines at the end of a file are accepted and counted in every format.
/// </summary>
public sealed class TrimAndBlankLineTests
{
    private const string BitbrainsHeader = "Timestamp [ms];\tCPU cores;\tCPU capacity provisioned [MHZ];\tCPU usage [MHZ];\tCPU usage [%];\tMemory capacity provisioned [KB];\tMemory usage [KB];\tDisk read throughput [KB/s];\tDisk write throughput [KB/s];\tNetwork received throughput [KB/s];\tNetwork transmitted throughput [KB/s]\n";

    private static string BitbrainsRow(string time, string capacityKb = "8388608", string usageKb = "1048576") => $"{time};\t2;\t4000;\t100;\t2.5;\t{capacityKb};\t{usageKb};\t0;\t0;\t0;\t0\n";

    private static AlibabaImportOptions Alibaba() => new() { HostMb = 32_768 };

    private static GoogleGcdImportOptions Gcd() => new() { VmSizeMb = 4096 };

    private static string Ticks(string path) => string.Join(";", TraceData.Load(path).Ticks.Select(t => string.Join(",", t)));

    private static TraceImportException Refused(Action import) => Assert.Throws<TraceImportException>(import);

    /// <summary>GCD refused a trailing space ("3 fields") while it took a trailing tab, and Bitbrains and Alibaba trim both.</summary>
    [Fact]
    public void Gcd_TrailingOrLeadingSpace_IsTrimmedAsATabIs()
    {
        using var dir = new TempDir();
        dir.Write("a/vm_7_1", string.Concat(Enumerable.Repeat("10.5 20.25\n", 288)));
        dir.Write("b/vm_7_1", string.Concat(Enumerable.Repeat("10.5 20.25 \n", 287)) + " 10.5 20.25\t \n");
        GoogleGcdImporter.Import(dir.File("a"), dir.File("a.dmt"), Gcd());
        GoogleGcdImporter.Import(dir.File("b"), dir.File("b.dmt"), Gcd());
        Assert.Equal(Ticks(dir.File("a.dmt")), Ticks(dir.File("b.dmt")));

        dir.Write("c/vm_7_1", "10.5  20.25\n"); // two spaces between: still a field too many
        var e = Refused(() => GoogleGcdImporter.Import(dir.File("c"), dir.File("c.dmt"), Gcd()));
        Assert.Equal((ImportErrorKind.WrongColumnCount, 1, 3), (e.Kind, e.Line, e.Column));
    }

    /// <summary>Blank lines at the end of a file (an editor's, a spreadsheet's) are accepted and counted; one between rows is still refused.</summary>
    [Fact]
    public void TrailingBlankLines_AreAcceptedAndCounted_InEveryFormat()
    {
        using var dir = new TempDir();
        string rows = BitbrainsHeader + BitbrainsRow("1375308176") + BitbrainsRow("1375308476");
        dir.Write("bb/1.csv", rows);
        dir.Write("bb2/1.csv", rows + "\n \n\t\n");
        BitbrainsImporter.Import(dir.File("bb"), dir.File("bb.dmt"));
        ImportReport r = BitbrainsImporter.Import(dir.File("bb2"), dir.File("bb2.dmt"));
        Assert.Equal(Ticks(dir.File("bb.dmt")), Ticks(dir.File("bb2.dmt")));
        Assert.Equal(3, r.NoteOf("trailing_blank_lines"));
        Assert.Equal(2, r.RowsRead);

        dir.Write("a.csv", "m_1,0,41,50,,,43,33,5\nm_1,60,41,60,,,43,33,5\n");
        dir.Write("a2.csv", "m_1,0,41,50,,,43,33,5\nm_1,60,41,60,,,43,33,5\n\n\n");
        AlibabaImporter.Import(dir.File("a.csv"), dir.File("a.dmt"), Alibaba());
        r = AlibabaImporter.Import(dir.File("a2.csv"), dir.File("a2.dmt"), Alibaba());
        Assert.Equal(Ticks(dir.File("a.dmt")), Ticks(dir.File("a2.dmt")));
        Assert.Equal(2, r.NoteOf("trailing_blank_lines"));

        string day = string.Concat(Enumerable.Repeat("10.5 20.25\n", 288));
        dir.Write("g/vm_7_1", day);
        dir.Write("g2/vm_7_1", day + "\r\n");
        GoogleGcdImporter.Import(dir.File("g"), dir.File("g.dmt"), Gcd());
        r = GoogleGcdImporter.Import(dir.File("g2"), dir.File("g2.dmt"), Gcd());
        Assert.Equal(Ticks(dir.File("g.dmt")), Ticks(dir.File("g2.dmt")));
        Assert.Equal(1, r.NoteOf("trailing_blank_lines"));

        // A blank line followed by a row is still the blank line's error, at its line.
        dir.Write("m/1.csv", BitbrainsHeader + BitbrainsRow("1375308176") + "\n\n" + BitbrainsRow("1375308476"));
        var e = Refused(() => BitbrainsImporter.Import(dir.File("m"), dir.File("m.dmt")));
        Assert.Equal((ImportErrorKind.WrongColumnCount, 3), (e.Kind, e.Line));
        Assert.Contains("the line is empty", e.Message, StringComparison.Ordinal);
    }
}

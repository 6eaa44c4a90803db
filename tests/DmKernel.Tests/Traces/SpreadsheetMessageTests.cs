using DmKernel.Traces;

namespace DmKernel.Tests.Traces;

/// <summary>
/// Values and lines as a spreadsheet re-saves them (a decimal comma, semicolons, quotes, trailing separators): refused with a message that names the likely cause.
/// </summary>
public sealed class SpreadsheetMessageTests
{
    private const string BitbrainsHeader = "Timestamp [ms];\tCPU cores;\tCPU capacity provisioned [MHZ];\tCPU usage [MHZ];\tCPU usage [%];\tMemory capacity provisioned [KB];\tMemory usage [KB];\tDisk read throughput [KB/s];\tDisk write throughput [KB/s];\tNetwork received throughput [KB/s];\tNetwork transmitted throughput [KB/s]\n";

    private static string BitbrainsRow(string time, string capacityKb = "8388608", string usageKb = "1048576") => $"{time};\t2;\t4000;\t100;\t2.5;\t{capacityKb};\t{usageKb};\t0;\t0;\t0;\t0\n";

    private static AlibabaImportOptions Alibaba() => new() { HostMb = 32_768 };

    private static GoogleGcdImportOptions Gcd() => new() { VmSizeMb = 4096 };

    private static TraceImportException Refused(Action import) => Assert.Throws<TraceImportException>(import);

    [Fact]
    public void DecimalComma_IsNamedAsSuch()
    {
        using var dir = new TempDir();
        dir.Write("bb/1.csv", BitbrainsHeader + BitbrainsRow("1375308176", capacityKb: "2097152,0"));
        var e = Refused(() => BitbrainsImporter.Import(dir.File("bb"), dir.File("bb.dmt")));
        Assert.Equal((ImportErrorKind.NotANumber, 2, 6), (e.Kind, e.Line, e.Column));
        Assert.Contains("'2097152,0' is not a number: a comma as the decimal separator (a spreadsheet's locale?)", e.Message, StringComparison.Ordinal);

        dir.Write("gcd/vm_7_1", "10.5 20,25\n");
        e = Refused(() => GoogleGcdImporter.Import(dir.File("gcd"), dir.File("g.dmt"), Gcd()));
        Assert.Contains("'20,25' is not a number: a comma as the decimal separator", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Alibaba_SemicolonSeparatedLine_IsNamedAsSuch()
    {
        using var dir = new TempDir();
        dir.Write("a.csv", "m_1,0,41,50,,,43,33,5\nm_1;60;41;50;;;43,04;33,08;5\n");
        var e = Refused(() => AlibabaImporter.Import(dir.File("a.csv"), dir.File("a.dmt"), Alibaba()));
        // At the line, and the field that holds the first ';' (read at ',', the line is "m_1;60;41;50;;;43", "04;33", "08;5"):
        // field 1, not field 4, the first missing one (before, that column, as of a line of 3 comma-separated fields).
        Assert.Equal((ImportErrorKind.WrongColumnCount, 2, 1), (e.Kind, e.Line, e.Column));
        Assert.Contains("a.csv:2:1: WrongColumnCount: line 2 column 1: 3 fields; the line seems to be semicolon-separated (9 fields split at ';')", e.Message, StringComparison.Ordinal);

        // A ',' before the first ';' (a machine id a spreadsheet split): the field that holds it.
        dir.Write("b.csv", "m,1;60;41;50;;;43;33;5\n");
        e = Refused(() => AlibabaImporter.Import(dir.File("b.csv"), dir.File("b.dmt"), Alibaba()));
        Assert.Equal((ImportErrorKind.WrongColumnCount, 1, 2), (e.Kind, e.Line, e.Column));
        Assert.Contains("2 fields; the line seems to be semicolon-separated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Alibaba_TabSeparatedLine_IsNamedAsSuch_AtItsFirstField()
    {
        using var dir = new TempDir();
        dir.Write("a.csv", "m_1,0,41,50,,,43,33,5\nm_1\t60\t41\t50\t\t\t43\t33\t5\n");
        var e = Refused(() => AlibabaImporter.Import(dir.File("a.csv"), dir.File("a.dmt"), Alibaba()));
        // Before: column 2, the first missing field of a one-field line, and the generic field-count message.
        Assert.Equal((ImportErrorKind.WrongColumnCount, 2, 1), (e.Kind, e.Line, e.Column));
        Assert.Contains("a.csv:2:1: WrongColumnCount: line 2 column 1: 1 fields; the line seems to be tab-separated (9 fields split at tabs)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Alibaba_SemicolonSeparatedLine_WithTrailingSemicolons_IsNamedAsSuch()
    {
        using var dir = new TempDir();
        dir.Write("a.csv", "m_1;60;41;50;;;43;33;5;\n");
        var e = Refused(() => AlibabaImporter.Import(dir.File("a.csv"), dir.File("a.dmt"), Alibaba()));
        // Before: the generic field-count message (a ninth ';' made the line not "9 fields split at ';'").
        Assert.Equal((ImportErrorKind.WrongColumnCount, 1, 1), (e.Kind, e.Line, e.Column));
        Assert.Contains("1 fields; the line seems to be semicolon-separated (9 fields split at ';', then 1 empty)", e.Message, StringComparison.Ordinal);

        // A trailing separator and a tab (a review): the same.
        dir.Write("t.csv", "m_1;60;41;50;;;43;33;5;\t\n");
        e = Refused(() => AlibabaImporter.Import(dir.File("t.csv"), dir.File("t.dmt"), Alibaba()));
        Assert.Contains("the line seems to be semicolon-separated (9 fields split at ';', then 1 empty)", e.Message, StringComparison.Ordinal);

        // Ten values split at ';' (not a trailing separator): not said to be this table semicolon-separated.
        dir.Write("b.csv", "m_1;60;41;50;;;43;33;5;7\n");
        e = Refused(() => AlibabaImporter.Import(dir.File("b.csv"), dir.File("b.dmt"), Alibaba()));
        Assert.DoesNotContain("semicolon-separated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void QuotedNumber_IsSaidToBeQuoted()
    {
        using var dir = new TempDir();
        dir.Write("a.csv", "m_1,\"386640\",41,50,,,43,33,5\n");
        var e = Refused(() => AlibabaImporter.Import(dir.File("a.csv"), dir.File("a.dmt"), Alibaba()));
        Assert.Equal((ImportErrorKind.NotANumber, 1, 2), (e.Kind, e.Line, e.Column));
        Assert.Contains("'\"386640\"' is not a whole number: quotes are not expected around a value", e.Message, StringComparison.Ordinal);

        dir.Write("b.csv", "m_1,386640,41,\"50\",,,43,33,5\n");
        e = Refused(() => AlibabaImporter.Import(dir.File("b.csv"), dir.File("b.dmt"), Alibaba()));
        Assert.Contains("'\"50\"' is not a number: quotes are not expected around a value", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Alibaba_TrailingEmptyFields_AreNotAnotherTable()
    {
        using var dir = new TempDir();
        dir.Write("a.csv", "m_1,0,41,50,,,43,33,5,,\n");
        var e = Refused(() => AlibabaImporter.Import(dir.File("a.csv"), dir.File("a.dmt"), Alibaba()));
        Assert.Equal(ImportErrorKind.WrongColumnCount, e.Kind);
        Assert.Contains("11 fields, the last 2 empty", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("container_usage", e.Message, StringComparison.Ordinal);
    }
}

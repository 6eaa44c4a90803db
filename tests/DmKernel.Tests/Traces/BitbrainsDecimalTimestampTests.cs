using DmKernel.Traces;

namespace DmKernel.Tests.Traces;

/// <summary>
/// Bitbrains timestamps a spreadsheet re-saved as decimals (1377986608.0, 1.377986608E+09): read as the whole number they are, as Alibaba reads its time_stamp; a fraction is still refused.
/// </summary>
public sealed class BitbrainsDecimalTimestampTests
{
    private const string BitbrainsHeader = "Timestamp [ms];\tCPU cores;\tCPU capacity provisioned [MHZ];\tCPU usage [MHZ];\tCPU usage [%];\tMemory capacity provisioned [KB];\tMemory usage [KB];\tDisk read throughput [KB/s];\tDisk write throughput [KB/s];\tNetwork received throughput [KB/s];\tNetwork transmitted throughput [KB/s]\n";

    private static string BitbrainsRow(string time, string capacityKb = "8388608", string usageKb = "1048576") => $"{time};\t2;\t4000;\t100;\t2.5;\t{capacityKb};\t{usageKb};\t0;\t0;\t0;\t0\n";

    private static string Ticks(string path) => string.Join(";", TraceData.Load(path).Ticks.Select(t => string.Join(",", t)));

    private static TraceImportException Refused(Action import) => Assert.Throws<TraceImportException>(import);

    [Fact]
    public void Bitbrains_WholeTimestampsWrittenAsDecimals_AreTheirWholeNumber_AFractionIsRefused()
    {
        using var dir = new TempDir();
        dir.Write("a/1.csv", BitbrainsHeader + BitbrainsRow("1375308176") + BitbrainsRow("1375308476") + BitbrainsRow("1375308776"));
        dir.Write("b/1.csv", BitbrainsHeader + BitbrainsRow("1375308176.0") + BitbrainsRow("1.375308476E+09") + BitbrainsRow("1375308776.000"));
        BitbrainsImporter.Import(dir.File("a"), dir.File("a.dmt"));
        BitbrainsImporter.Import(dir.File("b"), dir.File("b.dmt"));
        Assert.Equal(Ticks(dir.File("a.dmt")), Ticks(dir.File("b.dmt")));

        dir.Write("c/1.csv", BitbrainsHeader + BitbrainsRow("1375308176") + BitbrainsRow("1375308476.5"));
        var e = Refused(() => BitbrainsImporter.Import(dir.File("c"), dir.File("c.dmt")));
        Assert.Equal((ImportErrorKind.NotANumber, 3, 1), (e.Kind, e.Line, e.Column));
        Assert.Contains("'1375308476.5' is not a whole number", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1.3753085E+09", 8)] // 1375308476 as a spreadsheet's General format shows it in a narrow column: 1375308500
    [InlineData("1.38E+09", 3)]
    [InlineData("1.37530848E9", 9)]
    public void Bitbrains_TimestampRoundedInENotation_IsRefusedNamingTheDigitsShown(string time, int shown)
    {
        // Whole, so not "not a whole number", but rounded: read, it would move the sample by up to 10^(10 - shown) / 2 s
        // in silence (a review at stop 59 found such a file imported with exit 0 and a different replay).
        using var dir = new TempDir();
        dir.Write("r/1.csv", BitbrainsHeader + BitbrainsRow("1375308176") + BitbrainsRow(time) + BitbrainsRow("1375308776"));
        var e = Refused(() => BitbrainsImporter.Import(dir.File("r"), dir.File("r.dmt")));
        Assert.Equal((ImportErrorKind.NotANumber, 3, 1), (e.Kind, e.Line, e.Column));
        Assert.Contains($"'{time}' shows {shown} significant digits of a 10-digit timestamp: rounded", e.Message, StringComparison.Ordinal);
    }

}

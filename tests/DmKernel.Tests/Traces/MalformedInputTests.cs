using DmKernel.Traces;

namespace DmKernel.Tests.Traces;

/// <summary>Small inline inputs for every error kind: the exception names file, line and column, or lenient mode counts it.</summary>
public sealed class MalformedInputTests
{
    private const string BitbrainsHeader =
        "Timestamp [ms];\tCPU cores;\tCPU capacity provisioned [MHZ];\tCPU usage [MHZ];\tCPU usage [%];\tMemory capacity provisioned [KB];\tMemory usage [KB];\tDisk read throughput [KB/s];\tDisk write throughput [KB/s];\tNetwork received throughput [KB/s];\tNetwork transmitted throughput [KB/s]\n";

    private static string Bb(long time, string capacityKb = "2097152.0", string usageKb = "1048576.0") =>
        $"{time};\t2;\t5199.99;\t57.19;\t1.1;\t{capacityKb};\t{usageKb};\t0.0;\t2.46;\t0.06;\t0.06\n";

    private static TraceImportException ImportBitbrains(string text, out string file)
    {
        using var dir = new TempDir();
        file = dir.Write("2013-8/1.csv", text);
        string f = file;
        return Assert.Throws<TraceImportException>(() => BitbrainsImporter.Import(dir.Path, dir.File("out.dmt")));
    }

    private static void AssertPlace(TraceImportException e, ImportErrorKind kind, string file, int line, int column)
    {
        Assert.Equal(kind, e.Kind);
        Assert.Equal(file, e.File);
        Assert.Equal(line, e.Line);
        Assert.Equal(column, e.Column);
        Assert.Contains(file, e.Message, StringComparison.Ordinal);
        if (line > 0)
            Assert.Contains($"line {line}", e.Message, StringComparison.Ordinal);
        if (column > 0)
            Assert.Contains($"column {column}", e.Message, StringComparison.Ordinal);
        Assert.Contains("expected", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongColumnCount_NamesFileLineAndFirstMissingColumn()
    {
        var e = ImportBitbrains(BitbrainsHeader + Bb(1000) + "1300;\t2;\t5199.99\n", out string file);
        AssertPlace(e, ImportErrorKind.WrongColumnCount, file, 3, 4);
        Assert.Contains("3 fields", e.Message, StringComparison.Ordinal);
        Assert.Contains("11 fields", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NonNumericField_NamesTheColumnByName()
    {
        var e = ImportBitbrains(BitbrainsHeader + Bb(1000) + Bb(1300, capacityKb: "lots"), out string file);
        AssertPlace(e, ImportErrorKind.NotANumber, file, 3, 6);
        Assert.Contains("Memory capacity provisioned [KB]", e.Message, StringComparison.Ordinal);
        Assert.Contains("'lots'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    public void NaNOrInfinity_IsRefused(string value)
    {
        var e = ImportBitbrains(BitbrainsHeader + Bb(1000, usageKb: value), out string file);
        AssertPlace(e, ImportErrorKind.NotFinite, file, 2, 7);
    }

    /// <summary>
    /// A NUL after a number (a zero-filled block of a crashed write) is damage, not the number: .NET's parsers accept
    /// trailing NULs, so the importer checks (before: '1375338176\0' was read as 1375338176); shown escaped ("\u0000"), not
    /// raw (U+FFFD before 2026-12-07).
    /// </summary>
    [Theory]
    [InlineData(1, "1300\0")]
    [InlineData(7, "1048576.0\0")]
    public void TrailingNul_IsNotANumber(int column, string value)
    {
        string row = column == 1 ? Bb(1300).Replace("1300;", value + ";", StringComparison.Ordinal) : Bb(1300, usageKb: value);
        var e = ImportBitbrains(BitbrainsHeader + Bb(1000) + row, out string file);
        AssertPlace(e, ImportErrorKind.NotANumber, file, 3, column);
        Assert.DoesNotContain('\0', e.Message);
        Assert.Contains("\\u0000'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NegativeSize_IsRefused()
    {
        var e = ImportBitbrains(BitbrainsHeader + Bb(1000, usageKb: "-5.0"), out string file);
        AssertPlace(e, ImportErrorKind.NegativeValue, file, 2, 7);
    }

    [Fact]
    public void EmptyFile_IsRefused()
    {
        var e = ImportBitbrains("", out string file);
        AssertPlace(e, ImportErrorKind.EmptyFile, file, 0, 0);
        e = ImportBitbrains(BitbrainsHeader, out file);
        AssertPlace(e, ImportErrorKind.EmptyFile, file, 0, 0);
    }

    [Fact]
    public void MissingHeader_IsRefused()
    {
        var e = ImportBitbrains(Bb(1000) + Bb(1300), out string file);
        AssertPlace(e, ImportErrorKind.BadHeader, file, 1, 1);
    }

    [Fact]
    public void TruncatedLastLine_IsRefused()
    {
        string text = BitbrainsHeader + Bb(1000) + Bb(1300);
        var e = ImportBitbrains(text[..^3], out string file); // the last field "0.06" cut to "0."
        AssertPlace(e, ImportErrorKind.TruncatedLastLine, file, 3, 11);
    }

    [Fact]
    public void TimestampGoingBackwards_IsRefused_DuplicatesAreNot()
    {
        var e = ImportBitbrains(BitbrainsHeader + Bb(1000) + Bb(1300) + Bb(1300) + Bb(1200), out string file);
        AssertPlace(e, ImportErrorKind.TimestampBackwards, file, 5, 1);
        Assert.Contains("1200 is earlier than the previous row's 1300", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TimestampInMilliseconds_IsOutOfRange()
    {
        var e = ImportBitbrains(BitbrainsHeader + Bb(1_375_308_176_000), out string file);
        AssertPlace(e, ImportErrorKind.OutOfRange, file, 2, 1);
    }

    [Fact]
    public void NoInput_NamesTheFolder()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<TraceImportException>(() => BitbrainsImporter.Import(dir.Path, dir.File("out.dmt")));
        Assert.Equal(ImportErrorKind.NoInput, e.Kind);
        Assert.Contains(dir.Path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lenient_SkipsAndCountsEachKind_AndWritesTheGoodRows()
    {
        using var dir = new TempDir();
        dir.Write("m/1.csv", BitbrainsHeader
            + Bb(0) // good
            + "300;\t2\n" // WrongColumnCount
            + Bb(600, capacityKb: "x") // NotANumber
            + Bb(900, usageKb: "NaN") // NotFinite
            + Bb(1200, usageKb: "-1") // NegativeValue
            + Bb(1500, capacityKb: " ") // EmptyField
            + Bb(1800) // good
            + Bb(1500) // TimestampBackwards
            + Bb(2100, capacityKb: "0") // good: off
            + Bb(2400)[..^10]); // TruncatedLastLine
        dir.Write("m/2.csv", "");  // EmptyFile
        dir.Write("m/3.csv", Bb(0)); // BadHeader
        string output = dir.File("out.dmt");
        var report = BitbrainsImporter.Import(dir.Path, output, new BitbrainsImportOptions { Lenient = true });
        Assert.Equal(3, report.Files);
        Assert.Equal(10, report.RowsRead);
        Assert.Equal(1, report.SkippedOf(ImportErrorKind.WrongColumnCount));
        Assert.Equal(1, report.SkippedOf(ImportErrorKind.NotANumber));
        Assert.Equal(1, report.SkippedOf(ImportErrorKind.NotFinite));
        Assert.Equal(1, report.SkippedOf(ImportErrorKind.NegativeValue));
        Assert.Equal(1, report.SkippedOf(ImportErrorKind.EmptyField));
        Assert.Equal(1, report.SkippedOf(ImportErrorKind.TimestampBackwards));
        Assert.Equal(1, report.SkippedOf(ImportErrorKind.TruncatedLastLine));
        Assert.Equal(1, report.SkippedOf(ImportErrorKind.EmptyFile));
        Assert.Equal(1, report.SkippedOf(ImportErrorKind.BadHeader));
        Assert.Equal(9, report.SkippedTotal);
        Assert.Equal(1, report.Vms);
        Assert.Equal(7, report.Ticks);
        var data = TraceData.Load(output);
        Assert.Equal("m/1.csv", data.Vms[0].Id);
        int good = 1024 + 512;
        // ticks 0..6 at 0, 300, ..., 1800: sample 0 held to 900 s, off at 1200 and 1500, 1800 good; the off sample at 2100
        // (capacity 0) is past the last sample on of any VM, so not a tick of the trace (since stop 61: BitbrainsWindowTests).
        Assert.Equal([good, good, good, good, -1, -1, good], data.Series(0));
        Assert.Equal("true", data.Header.Metadata["import.lenient"]);
        Assert.Equal("1", data.Header.Metadata["report.skipped.NotFinite"]);
    }

    [Fact]
    public void Jitter_SampleUpToToleranceAfterATick_CountsForIt()
    {
        using var dir = new TempDir();
        dir.Write("v.csv", BitbrainsHeader + Bb(0, usageKb: "0") + Bb(302, usageKb: "1024") + Bb(599, usageKb: "2048") + Bb(903, usageKb: "3072"));
        string output = dir.File("out.dmt");
        BitbrainsImporter.Import(dir.Path, output);
        // 302 is within 2 s of tick 300; 903 is 3 s after tick 900, so tick 900 still holds 599's value.
        Assert.Equal([512, 513, 514, 514], TraceData.Load(output).Series(0));
        BitbrainsImporter.Import(dir.Path, output, new BitbrainsImportOptions { JitterToleranceSeconds = 0 });
        Assert.Equal([512, 512, 514, 514], TraceData.Load(output).Series(0));
    }

    [Fact]
    public void Alibaba_EmptyMemUtil_AndPercentOver100_AreRefused()
    {
        using var dir = new TempDir();
        string file = dir.Write("machine_usage.csv", "m_1,0,41,92,,,43.04,33.08,5\nm_1,10,41,,,,43.04,33.08,-1\n");
        var e = Assert.Throws<TraceImportException>(() => AlibabaImporter.Import(file, dir.File("o.dmt"), new AlibabaImportOptions { HostMb = 4096 }));
        AssertPlace(e, ImportErrorKind.EmptyField, file, 2, 4);
        Assert.Contains("mem_util_percent", e.Message, StringComparison.Ordinal);
        file = dir.Write("machine_usage.csv", "m_1,0,41,92,,,43.04,33.08,5\nm_1,10,41,150,,,43.04,33.08,101\n");
        e = Assert.Throws<TraceImportException>(() => AlibabaImporter.Import(file, dir.File("o.dmt"), new AlibabaImportOptions { HostMb = 4096 }));
        AssertPlace(e, ImportErrorKind.OutOfRange, file, 2, 4);
        file = dir.Write("machine_usage.csv", "m_1,100,41,92,,,43.04,33.08,5\nm_2,0,41,50,,,1,1,1\nm_1,90,41,92,,,43.04,33.08,5\n");
        e = Assert.Throws<TraceImportException>(() => AlibabaImporter.Import(file, dir.File("o.dmt"), new AlibabaImportOptions { HostMb = 4096 }));
        AssertPlace(e, ImportErrorKind.TimestampBackwards, file, 3, 2);
        Assert.Contains("m_1", e.Message, StringComparison.Ordinal);
        file = dir.Write("machine_usage.csv", "m_1,0,41,92,,,43.04,33.08\n");
        e = Assert.Throws<TraceImportException>(() => AlibabaImporter.Import(file, dir.File("o.dmt"), new AlibabaImportOptions { HostMb = 4096 }));
        AssertPlace(e, ImportErrorKind.WrongColumnCount, file, 1, 9);
    }

    [Fact]
    public void Alibaba_InterleavedMachines_AreSeparatedAndDuplicatesKeepTheLast()
    {
        using var dir = new TempDir();
        string file = dir.Write("machine_usage.csv", "m_2,0,1,50,,,1,1,1\nm_1,0,1,25,,,1,1,1\nm_2,60,1,75,,,1,1,1\nm_2,60,1,100,,,1,1,1\n");
        string output = dir.File("o.dmt");
        var report = AlibabaImporter.Import(file, output, new AlibabaImportOptions { HostMb = 4096, HostReserveMb = 0 });
        var data = TraceData.Load(output);
        Assert.Equal(["m_2", "m_1"], data.Vms.Select(v => v.Id));
        Assert.Equal([2048, 4096], data.Series(0));
        Assert.Equal([1024, 1024], data.Series(1));
        Assert.Equal(1, report.NoteOf("duplicate_timestamps"));
    }

    [Fact]
    public void Gcd_RowCountAndSeparatorProblems_AreRefused_OrCountedWhenLenient()
    {
        using var dir = new TempDir();
        string rows = string.Concat(Enumerable.Repeat("10.5 20.25\n", 289));
        string file = dir.Write("vm_7_1", rows);
        var e = Assert.Throws<TraceImportException>(() => GoogleGcdImporter.Import(dir.Path, dir.File("o.dmt"), new GoogleGcdImportOptions { VmSizeMb = 1000 }));
        AssertPlace(e, ImportErrorKind.RowCount, file, 289, 0);
        dir.Write("vm_7_1", string.Concat(Enumerable.Repeat("10.5 20.25\n", 200)));
        e = Assert.Throws<TraceImportException>(() => GoogleGcdImporter.Import(dir.Path, dir.File("o.dmt"), new GoogleGcdImportOptions { VmSizeMb = 1000 }));
        AssertPlace(e, ImportErrorKind.RowCount, file, 201, 0);
        dir.Write("vm_7_1", "10.5 20.25\n10.5  20.25\n");
        e = Assert.Throws<TraceImportException>(() => GoogleGcdImporter.Import(dir.Path, dir.File("o.dmt"), new GoogleGcdImportOptions { VmSizeMb = 1000 }));
        AssertPlace(e, ImportErrorKind.WrongColumnCount, file, 2, 3);
        dir.Write("vm_7_1", "10.5 abc\n");
        e = Assert.Throws<TraceImportException>(() => GoogleGcdImporter.Import(dir.Path, dir.File("o.dmt"), new GoogleGcdImportOptions { VmSizeMb = 1000 }));
        AssertPlace(e, ImportErrorKind.NotANumber, file, 1, 2);

        dir.Write("vm_7_1", "10.5 20.25\n10.5 x\n" + string.Concat(Enumerable.Repeat("10.5 20.25\n", 287)));
        dir.Write("notes.txt", "ignored");
        string output = dir.File("o.dmt");
        var report = GoogleGcdImporter.Import(dir.Path, output, new GoogleGcdImportOptions { VmSizeMb = 1000, Lenient = true });
        Assert.Equal(1, report.SkippedOf(ImportErrorKind.NotANumber));
        Assert.Equal(1, report.SkippedOf(ImportErrorKind.RowCount));
        Assert.Equal(289, report.RowsRead);
        var series = TraceData.Load(output).Series(0);
        Assert.Equal(288, series.Length);
        Assert.Equal(203, series[1]); // the bad slot holds the previous value (203 = round(20.25 % of 1000 MB))
    }

    /// <summary>
    /// Line breaks count as the CSV reader splits rows (LF, CR + LF, a lone CR): a file whose lines end with a carriage
    /// return is whole, not cut "at line 1" (GCD and Alibaba refused it so), a cut one is cut at its last row, and a lone CR
    /// earlier in a file does not move the cut onto the row before the last (lenient: that good row was skipped as cut and
    /// the cut one read).
    /// </summary>
    [Fact]
    public void CarriageReturnLineEnds_AreLineBreaks_TheCutLineIsTheLastRow()
    {
        using var dir = new TempDir();
        string day = string.Concat(Enumerable.Repeat("10.5 20.25\r", 288));
        dir.Write("g/vm_7_1", day);
        var report = GoogleGcdImporter.Import(dir.File("g"), dir.File("g.dmt"), new GoogleGcdImportOptions { VmSizeMb = 1000 });
        Assert.Equal(288, report.Ticks);
        Assert.All(TraceData.Load(dir.File("g.dmt")).Series(0), v => Assert.Equal(203, v));
        string cut = dir.Write("g/vm_7_1", day[..^3]); // the last memory field "20.25" cut to "20."
        var e = Assert.Throws<TraceImportException>(() => GoogleGcdImporter.Import(dir.File("g"), dir.File("g.dmt"), new GoogleGcdImportOptions { VmSizeMb = 1000 }));
        AssertPlace(e, ImportErrorKind.TruncatedLastLine, cut, 288, 2);

        string usage = dir.Write("m.csv", "m_1,0,41,50,,,43.04,33.08,5\rm_1,60,41,50,,,43.04,33.08,5\r");
        report = AlibabaImporter.Import(usage, dir.File("m.dmt"), new AlibabaImportOptions { HostMb = 4096 });
        Assert.Equal(2, report.RowsRead);
        Assert.Equal(2, report.Ticks);

        // A lone CR inside row 3 makes two rows of it; the last row (6 for the reader, 5 by line feeds) is cut.
        dir.Write("b/2013-8/1.csv", BitbrainsHeader + Bb(1000) + Bb(1300).Replace(";\t2;", ";\t2\r;", StringComparison.Ordinal) + Bb(1600) + Bb(1900)[..^3]);
        report = BitbrainsImporter.Import(dir.File("b"), dir.File("b.dmt"), new BitbrainsImportOptions { Lenient = true });
        Assert.Equal(2, report.SkippedOf(ImportErrorKind.WrongColumnCount));
        Assert.Equal(1, report.SkippedOf(ImportErrorKind.TruncatedLastLine));
        Assert.Equal(3, report.Ticks); // samples at 1000 and 1600 (the cut 1900 is not read)
        Assert.Equal(TraceData.Load(dir.File("b.dmt")).Series(0)[0], TraceData.Load(dir.File("b.dmt")).Series(0)[2]);
    }

    /// <summary>
    /// A CR + LF split over two of the blocks the cut-last-line check reads (64 KiB) is one line break, as in one block: the
    /// cut line is the last row (counted twice, the cut would be placed after the file's end and the cut row read whole).
    /// Both with the CR as the last byte of the first block and with a lone CR there.
    /// </summary>
    [Theory]
    [InlineData("\r\n")]
    [InlineData("\r")]
    public void CarriageReturnAtTheEndOfABlock_CountsAsOneBreak(string end)
    {
        const int Block = 1 << 16;
        var text = new System.Text.StringBuilder();
        int rows = 0;
        while (text.Length < Block - 100)
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"m_1,{60 * rows++},41,50,,,1,1,1{end}");

        // The last whole row, its mem_util padded with zeros so that its CR is the block's last byte.
        string last = $"m_1,{60 * rows++},41,50.,,,1,1,1{end}";
        text.Append(last.Replace("50.", "50." + new string('0', Block - 1 - text.Length - (last.Length - end.Length)), StringComparison.Ordinal));
        Assert.Equal('\r', text[Block - 1]);
        Assert.Equal(end == "\r\n" ? '\n' : 'm', (text + "m")[Block]);
        text.Append("m_1,999999,41,5");

        using var dir = new TempDir();
        string file = dir.Write("m.csv", text.ToString());
        var e = Assert.Throws<TraceImportException>(() => AlibabaImporter.Import(file, dir.File("m.dmt"), new AlibabaImportOptions { HostMb = 4096 }));
        AssertPlace(e, ImportErrorKind.TruncatedLastLine, file, rows + 1, 4);
    }

    [Fact]
    public void Options_AreValidated_ErrorsNameTheOption()
    {
        using var dir = new TempDir();
        dir.Write("v.csv", BitbrainsHeader + Bb(0));
        string output = dir.File("o.dmt");
        Assert.Contains("TickSeconds", Assert.ThrowsAny<ArgumentException>(() => BitbrainsImporter.Import(dir.Path, output, new BitbrainsImportOptions { TickSeconds = 0 })).Message);
        Assert.Contains("MaxHoldSeconds", Assert.ThrowsAny<ArgumentException>(() => BitbrainsImporter.Import(dir.Path, output, new BitbrainsImportOptions { MaxHoldSeconds = double.NaN })).Message);
        Assert.Contains("JitterToleranceSeconds", Assert.ThrowsAny<ArgumentException>(() => BitbrainsImporter.Import(dir.Path, output, new BitbrainsImportOptions { JitterToleranceSeconds = 400 })).Message);
        Assert.Contains("Demand.K", Assert.ThrowsAny<ArgumentException>(() => BitbrainsImporter.Import(dir.Path, output, new BitbrainsImportOptions { Demand = new DemandModel { K = -1 } })).Message);
        Assert.Contains("Demand.OsBaseMb", Assert.ThrowsAny<ArgumentException>(() => BitbrainsImporter.Import(dir.Path, output, new BitbrainsImportOptions { Demand = new DemandModel { OsBaseMb = -1 } })).Message);
        Assert.Contains("Settings.Weight", Assert.ThrowsAny<ArgumentException>(() => BitbrainsImporter.Import(dir.Path, output, new BitbrainsImportOptions { Settings = new VmSettingsRule { Weight = 10_001 } })).Message);
        Assert.Contains("PlaceOnHostMb", Assert.ThrowsAny<ArgumentException>(() => BitbrainsImporter.Import(dir.Path, output, new BitbrainsImportOptions { PlaceOnHostMb = 3 })).Message);
        Assert.Contains("HostMb", Assert.ThrowsAny<ArgumentException>(() => AlibabaImporter.Import(output, output, new AlibabaImportOptions { HostMb = 0 })).Message);
        Assert.Contains("VmSizeMb", Assert.ThrowsAny<ArgumentException>(() => GoogleGcdImporter.Import(dir.Path, output, new GoogleGcdImportOptions { VmSizeMb = 0 })).Message);
        Assert.False(File.Exists(output));
    }

    /// <summary>The library takes any tick up to 3 600 s; one that makes more ticks of the samples' span than a trace holds is refused naming TickSeconds, nothing written.</summary>
    [Fact]
    public void Import_TickMakingMoreTicksThanATraceHolds_IsRefusedNamingTickSeconds()
    {
        using var dir = new TempDir();
        string output = dir.File("o.dmt");
        var e = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => GoogleGcdImporter.Import(RealTraces.Path("google-2011-gcd-vms"), output, new GoogleGcdImportOptions { VmSizeMb = 4096, TickSeconds = 1e-7 }));
        Assert.Equal("TickSeconds", e.ParamName);
        Assert.StartsWith("a tick of 1E-07 s makes ", e.Message, StringComparison.Ordinal);
        Assert.Contains("expected at most 2147483647 ticks (a longer tick)", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Options_AreRecordedInTheHeader()
    {
        using var dir = new TempDir();
        dir.Write("v.csv", BitbrainsHeader + Bb(0));
        string output = dir.File("o.dmt");
        BitbrainsImporter.Import(dir.Path, output, new BitbrainsImportOptions { Demand = new DemandModel { K = 1.25, OsBaseMb = 256 }, MaxHoldSeconds = 1200 });
        var m = TraceData.Load(output).Header.Metadata;
        Assert.Equal("1.25", m["demand.k"]);
        Assert.Equal("256", m["demand.os_base_mb"]);
        Assert.Equal("1200", m["resample.max_hold_seconds"]);
        Assert.Equal("300", m["resample.tick_seconds"]);
        Assert.Equal("4", m["settings.minimum_divisor"]);
        Assert.Equal("false", m["import.lenient"]);
        Assert.Equal("none", m["placement"]);
    }

    /// <summary>
    /// docs/importers.md: a provisioned size above MaxCeilingMb (1 048 576) is refused (OutOfRange at the row's capacity); a
    /// capacity of exactly 1 TB (1 073 741 824 KB) is not above it and imports as a 1 TB VM. 2 KB more rounds up to
    /// 1 048 578 MB and is refused.
    /// </summary>
    [Fact]
    public void Bitbrains_CapacityOfExactlyMaxCeiling_IsAccepted_AboveItRefused()
    {
        using var dir = new TempDir();
        dir.Write("2013-8/1.csv", BitbrainsHeader + Bb(1000, capacityKb: "1073741824.0") + Bb(1300, capacityKb: "1073741824.0"));
        BitbrainsImporter.Import(dir.Path, dir.File("out.dmt"));
        Assert.Equal(1_048_576, TraceData.Load(dir.File("out.dmt")).Vms[0].Settings.MaximumMb);
        var e = ImportBitbrains(BitbrainsHeader + Bb(1000, capacityKb: "1073741826.0"), out string file);
        AssertPlace(e, ImportErrorKind.OutOfRange, file, 2, 6);
    }

    /// <summary>
    /// docs/importers.md: samples spread over more than 366 days are refused (OutOfRange, file = the VM id, line 0). A last
    /// sample exactly 366 days (31 622 400 s) after the first is not more than that: imported.
    /// </summary>
    [Fact]
    public void Bitbrains_SpanOfExactly366Days_IsAccepted_OneSecondMoreRefused()
    {
        using var dir = new TempDir();
        dir.Write("2013-8/1.csv", BitbrainsHeader + Bb(0) + Bb(31_622_400));
        BitbrainsImporter.Import(dir.Path, dir.File("out.dmt"));
        Assert.Equal((31_622_400 / 300) + 1, TraceData.Load(dir.File("out.dmt")).Ticks.Length);
        var e = ImportBitbrains(BitbrainsHeader + Bb(0) + Bb(31_622_401), out _);
        Assert.Equal((ImportErrorKind.OutOfRange, 0), (e.Kind, e.Line));
    }
}

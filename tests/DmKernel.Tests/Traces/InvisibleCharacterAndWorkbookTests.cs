using System.IO.Compression;
using DmKernel.Tests.Cli;
using DmKernel.Traces;

namespace DmKernel.Tests.Traces;

/// <summary>
/// Characters an error would show as nothing or as a plain space (a non-breaking space, a NUL, a DOS Ctrl-Z) are shown
/// escaped; a spreadsheet workbook (.xlsx, a zip archive) is told to be saved as CSV, not unpacked. In the CLI collection:
/// one test runs the CLI, which writes to the process's Console.
/// </summary>
[Collection(nameof(CliTests))]
public sealed class InvisibleCharacterAndWorkbookTests
{
    private const string BitbrainsHeader = "Timestamp [ms];\tCPU cores;\tCPU capacity provisioned [MHZ];\tCPU usage [MHZ];\tCPU usage [%];\tMemory capacity provisioned [KB];\tMemory usage [KB];\tDisk read throughput [KB/s];\tDisk write throughput [KB/s];\tNetwork received throughput [KB/s];\tNetwork transmitted throughput [KB/s]\n";

    private static void WriteWorkbook(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        using var entry = new StreamWriter(zip.CreateEntry("xl/workbook.xml").Open());
        entry.Write("<workbook/>");
    }

    [Theory]
    [InlineData("2\u00A0097\u00A0152", "'2\\u00A0097\\u00A0152' is not a number")]
    [InlineData("2097152\u001A", "'2097152\\u001A' is not a number")]
    [InlineData("2097\u0000152", "'2097\\u0000152' is not a number")]
    public void InvisibleCharacters_InAField_AreShownEscaped(string capacity, string expected)
    {
        using var dir = new TempDir();
        dir.Write("bb/1.csv", BitbrainsHeader + $"1375308176;\t2;\t4000;\t100;\t2.5;\t{capacity};\t1048576;\t0;\t0;\t0;\t0\n");
        var e = Assert.Throws<TraceImportException>(() => BitbrainsImporter.Import(dir.File("bb"), dir.File("o.dmt")));
        Assert.Equal(ImportErrorKind.NotANumber, e.Kind);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bitbrains_WorkbookInTheFolder_IsToldToBeSavedAsCsv_NotUnpacked()
    {
        using var dir = new TempDir();
        File.Copy(RealTraces.Path("bitbrains-gwa-t-12-rnd/2013-8/126.csv"), dir.File("126.csv"));
        WriteWorkbook(dir.File("446.xlsx"));
        var report = BitbrainsImporter.Import(dir.Path, dir.File("o.dmt"));
        Assert.Equal(0, report.NoteOf("compressed_files_ignored"));
        string warning = Assert.Single(report.Warnings);
        Assert.Contains("'446.xlsx'", warning, StringComparison.Ordinal);
        Assert.Contains("save each as CSV", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("first (unzip)", warning, StringComparison.Ordinal);
        Assert.Equal(0, report.NoteOf("folders_apart_in_time"));

        File.Delete(dir.File("126.csv"));
        var e = Assert.Throws<TraceImportException>(() => BitbrainsImporter.Import(dir.Path, dir.File("o.dmt")));
        Assert.Equal(ImportErrorKind.NoInput, e.Kind);
        Assert.Contains("save each as CSV", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("first (unzip)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GcdAndAlibaba_Workbook_IsToldToBeSavedAsText_NotUnpacked()
    {
        using var dir = new TempDir();
        WriteWorkbook(dir.File("gcd/GCD_VMs.xlsx"));
        var e = Assert.Throws<TraceImportException>(() => GoogleGcdImporter.Import(dir.File("gcd"), dir.File("o.dmt"), new GoogleGcdImportOptions { VmSizeMb = 4096 }));
        Assert.Contains("'GCD_VMs.xlsx'): save it as text from the spreadsheet", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("first (unzip)", e.Message, StringComparison.Ordinal);

        WriteWorkbook(dir.File("machine_usage.xlsx"));
        e = Assert.Throws<TraceImportException>(() => AlibabaImporter.Import(dir.File("machine_usage.xlsx"), dir.File("o.dmt"), new AlibabaImportOptions { HostMb = 65_536 }));
        Assert.Equal(ImportErrorKind.CompressedFile, e.Kind);
        Assert.Contains("save it as CSV from the spreadsheet", e.Message, StringComparison.Ordinal);

        var (exit, _, stderr) = CliTests.Run("import", "bitbrains", dir.File("machine_usage.xlsx"), "-o", dir.File("o.dmt"));
        Assert.Equal(1, exit);
        Assert.Contains("it is a spreadsheet workbook; save it as CSV", stderr, StringComparison.Ordinal);
    }
}

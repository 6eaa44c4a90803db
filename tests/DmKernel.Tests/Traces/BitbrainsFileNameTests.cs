using DmKernel.Tests.Cli;
using DmKernel.Traces;

namespace DmKernel.Tests.Traces;

/// <summary>
/// The committed samples as a spreadsheet, Windows or macOS leaves them (renamed, re-saved, copied): each variant is
/// read as the sample it is, or said, never dropped or misread in silence. In the CLI collection: one test runs the CLI,
/// which writes to the process's Console.
/// </summary>
[Collection(nameof(CliTests))]
public sealed class BitbrainsFileNameTests
{
    private static string Bitbrains(string relative) => RealTraces.Path(Path.Combine("bitbrains-gwa-t-12-rnd", relative));

    [Fact]
    public void Bitbrains_UpperCaseCsvExtension_IsRead()
    {
        using var dir = new TempDir();
        File.Copy(Bitbrains("2013-8/126.csv"), dir.File("126.csv"));
        File.Copy(Bitbrains("2013-8/446.csv"), dir.File("446.CSV"));
        var report = BitbrainsImporter.Import(dir.Path, dir.File("o.dmt"));
        Assert.Equal(2, report.Vms);
        Assert.Equal(["126.csv", "446.CSV"], TraceData.Load(dir.File("o.dmt")).Vms.Select(v => v.Id));
        Assert.Empty(report.Warnings);
    }

    [Fact]
    public void Bitbrains_TraceLikeFilesNotRead_AreWarnedAboutByName_AndNotCountedInTheInputSize()
    {
        using var dir = new TempDir();
        File.Copy(Bitbrains("2013-8/126.csv"), dir.File("126.csv"));
        File.Copy(Bitbrains("2013-8/446.csv"), dir.File("446.txt"));
        File.Copy(Bitbrains("2013-8/386.csv"), dir.File("386.csv.txt"));
        File.Copy(Bitbrains("2013-8/27.csv"), dir.File("27.tsv"));
        dir.Write("sub/28.csv.bak", "x");
        dir.Write("notes.md", "not a trace");
        dir.Write("readme.txt", "not a trace either");
        var report = BitbrainsImporter.Import(dir.Path, dir.File("o.dmt"));
        Assert.Equal(1, report.Vms);
        string warning = Assert.Single(report.Warnings);
        Assert.Contains("4 file(s)", warning, StringComparison.Ordinal);
        Assert.Contains("'27.tsv', '386.csv.txt', '446.txt' and 1 more", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("notes.md", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("readme.txt", warning, StringComparison.Ordinal);
        Assert.Equal(4, report.NoteOf("trace_like_files_not_read"));
        Assert.Equal(0, report.NoteOf("folders_apart_in_time")); // one folder of one time: the warning above is not that one
        Assert.Equal(new FileInfo(dir.File("126.csv")).Length, report.InputBytes);
    }

    [Fact]
    public void Bitbrains_OnlyTraceLikeFiles_NoInputNamesThem()
    {
        using var dir = new TempDir();
        File.Copy(Bitbrains("2013-8/446.csv"), dir.File("446.csv.txt"));
        var e = Assert.Throws<TraceImportException>(() => BitbrainsImporter.Import(dir.Path, dir.File("o.dmt")));
        Assert.Equal(ImportErrorKind.NoInput, e.Kind);
        Assert.Contains("'446.csv.txt'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cli_ImportSummary_CountsOnlyTheFilesRead()
    {
        using var dir = new TempDir();
        File.Copy(Bitbrains("2013-8/126.csv"), dir.File("126.csv"));
        File.Copy(Bitbrains("2013-8/27.csv"), dir.File("27.csv.txt")); // 1.2 MB not read
        var (exit, output, _) = CliTests.Run("import", "bitbrains", dir.Path, "-o", dir.File("o.dmt"));
        Assert.Equal(0, exit);
        Assert.Contains("1 file(s), 8620 rows (0.9 MB in", output, StringComparison.Ordinal);
        Assert.Contains("'27.csv.txt'", output, StringComparison.Ordinal);
    }

    /// <summary>An Office lock file, macOS resource forks and a __MACOSX folder beside the samples: skipped by name, not read as traces.</summary>
    [Fact]
    public void Bitbrains_LockFilesAndResourceForks_AreSkippedByName()
    {
        using var dir = new TempDir();
        File.Copy(Bitbrains("2013-8/126.csv"), dir.File("126.csv"));
        dir.Write("~$126.csv", "\u0005John Doe      \0\0\0");
        dir.Write("._126.csv", "\0\u0005\u0016\u0007\0\u0002\0\0Mac OS X        ");
        dir.Write("__MACOSX/._126.csv", "\0\u0005\u0016\u0007\0\u0002\0\0Mac OS X        ");
        dir.Write("__MACOSX/126.csv", "not a trace");
        var report = BitbrainsImporter.Import(dir.Path, dir.File("o.dmt"));
        Assert.Equal(1, report.Vms);
        Assert.Equal(1, report.Files);
        Assert.Equal(4, report.NoteOf("system_files_skipped"));
        Assert.Equal(["._126.csv", "__MACOSX/._126.csv", "__MACOSX/126.csv", "~$126.csv"], report.SystemFilesSkipped);
        Assert.Empty(report.Warnings);

        var (exit, output, _) = CliTests.Run("import", "bitbrains", dir.Path, "-o", dir.File("o2.dmt"));
        Assert.Equal(0, exit);
        Assert.Contains("'._126.csv', '__MACOSX/._126.csv', '__MACOSX/126.csv' and 1 more", output, StringComparison.Ordinal);
    }

    /// <summary>With --lenient, a file skipped whole (a bad header, an empty file) is named in the summary, not only counted.</summary>
    [Fact]
    public void Cli_LenientSkippedFiles_AreNamed()
    {
        using var dir = new TempDir();
        File.Copy(Bitbrains("2013-8/126.csv"), dir.File("126.csv"));
        dir.Write("bad.csv", "garbage;\n1;2\n");
        dir.Write("empty.csv", "");
        var (exit, output, _) = CliTests.Run("import", "bitbrains", dir.Path, "-o", dir.File("o.dmt"), "--lenient");
        Assert.Equal(0, exit);
        Assert.Contains("files skipped (--lenient): 'bad.csv' (BadHeader), 'empty.csv' (EmptyFile)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Bitbrains_OneFileReachedThroughLinks_IsOneVm_AndSaid()
    {
        // A link to the folder itself (walked until the system's link limit: 41 VMs from one file before; now not walked
        // again) and a second link to one file: each file is read once, at its first path in name order, and said.
        if (OperatingSystem.IsWindows())
            return; // links need privileges there, and files are told apart by path alone
        using var dir = new TempDir();
        File.Copy(Bitbrains("2013-8/126.csv"), dir.File("126.csv"));
        File.Copy(Bitbrains("2013-8/446.csv"), dir.File("446.csv"));
        Directory.CreateSymbolicLink(dir.File("loop"), dir.Path);
        File.CreateSymbolicLink(dir.File("9.csv"), dir.File("446.csv"));
        var report = BitbrainsImporter.Import(dir.Path, dir.File("o.dmt"));
        Assert.Equal(2, report.Vms);
        Assert.Equal(["126.csv", "446.csv"], TraceData.Load(dir.File("o.dmt")).Vms.Select(v => v.Id));
        string warning = Assert.Single(report.Warnings, w => w.Contains("through links", StringComparison.Ordinal));
        Assert.Contains("'9.csv'", warning, StringComparison.Ordinal);
        Assert.Equal(1, report.NoteOf("files_reached_again")); // 9.csv; the folder behind 'loop' is not walked again at all

        // The same files without the links import to the same trace, with no such warning.
        using var plain = new TempDir();
        File.Copy(Bitbrains("2013-8/126.csv"), plain.File("126.csv"));
        File.Copy(Bitbrains("2013-8/446.csv"), plain.File("446.csv"));
        var plainReport = BitbrainsImporter.Import(plain.Path, plain.File("o.dmt"));
        Assert.Equal(0, plainReport.NoteOf("files_reached_again"));
        Assert.Equal(TraceData.Load(plain.File("o.dmt")).Ticks, TraceData.Load(dir.File("o.dmt")).Ticks);
    }
}

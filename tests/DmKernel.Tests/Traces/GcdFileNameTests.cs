using DmKernel.Tests.Cli;
using DmKernel.Traces;

namespace DmKernel.Tests.Traces;

/// <summary>
/// GCD day files renamed by other tools (an extension, a copy's suffix, upper case), and day files --lenient skips whole:
/// said by name, not only counted. In the CLI collection: one test runs the CLI, which writes to the process's Console.
/// </summary>
[Collection(nameof(CliTests))]
public sealed class GcdFileNameTests
{
    private static string Copy(TempDir dir)
    {
        string folder = dir.File("GCD_VMs");
        Directory.CreateDirectory(folder);
        foreach (string file in Directory.EnumerateFiles(RealTraces.Path("google-2011-gcd-vms/GCD_VMs")))
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        return folder;
    }

    [Fact]
    public void Gcd_RenamedDayFiles_AreWarnedAboutByName()
    {
        using var dir = new TempDir();
        string folder = Copy(dir);
        File.Move(Path.Combine(folder, "vm_3418442_5"), Path.Combine(folder, "vm_3418442_5.csv"));
        File.Move(Path.Combine(folder, "vm_3418442_4"), Path.Combine(folder, "vm_3418442_4.txt"));
        File.Move(Path.Combine(folder, "vm_3418442_3"), Path.Combine(folder, "VM_3418442_3"));
        File.Copy(Path.Combine(folder, "vm_3418442_2"), Path.Combine(folder, "vm_3418442_2 (1)"));
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "not a day");
        var report = GoogleGcdImporter.Import(folder, dir.File("o.dmt"), new GoogleGcdImportOptions { VmSizeMb = 4096 });
        Assert.Equal(17, report.Files);
        string warning = Assert.Single(report.Warnings, w => w.Contains("vm_<job>_<day>", StringComparison.Ordinal));
        Assert.Contains("4 file(s)", warning, StringComparison.Ordinal);
        Assert.Contains("'VM_3418442_3', 'vm_3418442_2 (1)', 'vm_3418442_4.txt' and 1 more", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("notes.txt", warning, StringComparison.Ordinal);
        Assert.Equal(4, report.NoteOf("trace_like_files_not_read"));
        Assert.Equal(5, report.NoteOf("ignored_files"));
    }

    [Fact]
    public void Gcd_CleanSample_HasNoFileNameWarning()
    {
        using var dir = new TempDir();
        var report = GoogleGcdImporter.Import(Copy(dir), dir.File("o.dmt"), new GoogleGcdImportOptions { VmSizeMb = 4096 });
        Assert.DoesNotContain(report.Warnings, w => w.Contains("vm_<job>_<day>", StringComparison.Ordinal));
        Assert.Equal(0, report.NoteOf("trace_like_files_not_read"));
    }

    [Fact]
    public void Gcd_OnlyNearNames_NoInputNamesThem()
    {
        using var dir = new TempDir();
        dir.Write("vm_7_1.csv", "1 2\n");
        dir.Write("vm_7_2 - Copy", "1 2\n");
        var e = Assert.Throws<TraceImportException>(() => GoogleGcdImporter.Import(dir.Path, dir.File("o.dmt"), new GoogleGcdImportOptions { VmSizeMb = 4096 }));
        Assert.Equal(ImportErrorKind.NoInput, e.Kind);
        Assert.Contains("'vm_7_1.csv', 'vm_7_2 - Copy'", e.Message, StringComparison.Ordinal);
    }

    /// <summary>A day of 288 rows, the one at <paramref name="badRow"/> (1-based; 0: none) not a number.</summary>
    private static string Day(int badRow = 0)
        => string.Concat(Enumerable.Range(1, GoogleGcdImportOptions.RowsPerDay).Select(i => i == badRow ? "x 20.25\n" : "10.5 20.25\n"));

    /// <summary>
    /// A folder with a day file of each kind --lenient skips whole (a day out of range in the name, a duplicate job-day, a
    /// compressed file, a day a year after the trace start, an empty file, a file whose every row is skipped) beside a good
    /// one and one with a single bad row: the skipped files are named with their kinds, by relative path.
    /// </summary>
    private static string LenientFolder(TempDir dir)
    {
        dir.Write("in/vm_7_1", Day());
        dir.Write("in/vm_7_0", Day()); // day 0: OutOfRange by its name
        dir.Write("in/zz/vm_7_1", Day()); // job 7 day 1 again: DuplicateInput
        dir.Write("in/vm_7_2", ""); // EmptyFile
        File.WriteAllBytes(dir.File("in/vm_7_3"), [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0]); // gzip: CompressedFile
        dir.Write("in/vm_7_4", Day(badRow: 5)); // one row skipped, the file read
        dir.Write("in/vm_8_1", string.Concat(Enumerable.Repeat("x y\n", GoogleGcdImportOptions.RowsPerDay))); // every row NotANumber
        dir.Write("in/vm_9_400", Day()); // ends 399 days after the trace starts: OutOfRange
        return dir.File("in");
    }

    [Fact]
    public void Gcd_Lenient_FilesSkippedWhole_AreNamedWithTheirKinds()
    {
        using var dir = new TempDir();
        string folder = LenientFolder(dir);
        var e = Assert.Throws<TraceImportException>(() => GoogleGcdImporter.Import(folder, dir.File("o.dmt"), new GoogleGcdImportOptions { VmSizeMb = 4096 }));
        Assert.Equal(ImportErrorKind.OutOfRange, e.Kind); // strict stops at the first: vm_7_0 in path order

        var report = GoogleGcdImporter.Import(folder, dir.File("o.dmt"), new GoogleGcdImportOptions { VmSizeMb = 4096, Lenient = true });
        Assert.Equal(
            [("vm_7_0", ImportErrorKind.OutOfRange), ("vm_7_2", ImportErrorKind.EmptyFile), ("vm_7_3", ImportErrorKind.CompressedFile),
             ("vm_8_1", ImportErrorKind.NotANumber), ("vm_9_400", ImportErrorKind.OutOfRange), ("zz/vm_7_1", ImportErrorKind.DuplicateInput)],
            report.SkippedFiles);
        Assert.Equal(["vm_7"], TraceData.Load(dir.File("o.dmt")).Vms.Select(v => v.Id)); // vm_7_1 and vm_7_4 read
        Assert.Equal(1 + GoogleGcdImportOptions.RowsPerDay, report.SkippedOf(ImportErrorKind.NotANumber)); // vm_7_4's row is not a file skipped
    }

    /// <summary>
    /// A copy of a day file in a subfolder that sorts before the day files ('backup/', 'old/') is the duplicate, not the
    /// file beside the others: a folder's own files come before its subfolders' (ordinal path order read the backup's
    /// values instead, exit 0).
    /// </summary>
    [Theory]
    [InlineData("backup")]
    [InlineData("Old")]
    [InlineData("zz")]
    public void Gcd_Lenient_ACopyInASubfolder_IsTheDuplicate_NotTheFileBesideIt(string subfolder)
    {
        using var dir = new TempDir();
        dir.Write("in/vm_7_1", Day());
        dir.Write($"in/{subfolder}/vm_7_1", string.Concat(Enumerable.Repeat("1.0 1.0\n", GoogleGcdImportOptions.RowsPerDay)));
        var report = GoogleGcdImporter.Import(dir.File("in"), dir.File("o.dmt"), new GoogleGcdImportOptions { VmSizeMb = 4096, Lenient = true });
        Assert.Equal([($"{subfolder}/vm_7_1", ImportErrorKind.DuplicateInput)], report.SkippedFiles);

        // The trace holds the root file's values: byte for byte the import of the root file alone.
        using var alone = new TempDir();
        alone.Write("in/vm_7_1", Day());
        GoogleGcdImporter.Import(alone.File("in"), alone.File("o.dmt"), new GoogleGcdImportOptions { VmSizeMb = 4096, Lenient = true });
        Assert.Single(TraceData.Load(dir.File("o.dmt")).Vms);
        Assert.Equal(TraceData.Load(alone.File("o.dmt")).Series(0), TraceData.Load(dir.File("o.dmt")).Series(0));
    }

    /// <summary>A short day file whose every row is skipped is named by its rows' kind, not by the file's short row count.</summary>
    [Fact]
    public void Gcd_Lenient_AShortFileOfBadRows_IsNamedByItsRowsKind()
    {
        using var dir = new TempDir();
        dir.Write("in/vm_7_1", Day());
        dir.Write("in/vm_8_1", string.Concat(Enumerable.Repeat("x y\n", 10)));
        var report = GoogleGcdImporter.Import(dir.File("in"), dir.File("o.dmt"), new GoogleGcdImportOptions { VmSizeMb = 4096, Lenient = true });
        Assert.Equal([("vm_8_1", ImportErrorKind.NotANumber)], report.SkippedFiles);
        Assert.Equal(1, report.SkippedOf(ImportErrorKind.RowCount)); // the short file is still counted as such
    }

    [Fact]
    public void Gcd_CleanSample_Lenient_NamesNoFile()
    {
        using var dir = new TempDir();
        var report = GoogleGcdImporter.Import(Copy(dir), dir.File("o.dmt"), new GoogleGcdImportOptions { VmSizeMb = 4096, Lenient = true });
        Assert.Equal(0, report.SkippedTotal);
        Assert.Empty(report.SkippedFiles);
    }

    /// <summary>With --lenient, the GCD day files skipped whole are named in the summary as Bitbrains' files are.</summary>
    [Fact]
    public void Cli_Gcd_LenientSkippedFiles_AreNamed()
    {
        using var dir = new TempDir();
        string folder = LenientFolder(dir);
        var (exit, output, err) = CliTests.Run("import", "gcd", folder, "-o", dir.File("o.dmt"), "--vm-mb", "4096", "--lenient");
        Assert.True(exit == 0, err);
        Assert.Contains("files skipped (--lenient): 'vm_7_0' (OutOfRange), 'vm_7_2' (EmptyFile), 'vm_7_3' (CompressedFile) and 3 more", output, StringComparison.Ordinal);
    }
}

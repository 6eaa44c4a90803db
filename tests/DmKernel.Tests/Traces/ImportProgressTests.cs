using System.Collections.Concurrent;
using DmKernel.Traces;

namespace DmKernel.Tests.Traces;

/// <summary>
/// The importers report how far they have read their input (<see cref="ImportProgress"/>), which `dmkernel import` shows
/// as a progress line (before, an import was silent until its end: minutes for a multi-GB Alibaba file). On the
/// committed samples: first 0 of the total, the total the sum of the input files' sizes, every report within it, the
/// last one the total; Bitbrains after each file on one thread, on two and on the general path alone (each file
/// counted once, also where the fast path hands a file to the general path); Alibaba every 65 536 rows by the file's
/// position (its 100 002 rows: one report between), GCD after each file.
/// </summary>
public sealed class ImportProgressTests
{
    private sealed class Recorder : IProgress<ImportProgress>
    {
        public ConcurrentQueue<ImportProgress> Reports { get; } = new();

        public void Report(ImportProgress value) => Reports.Enqueue(value);
    }

    private static void AssertReports(Recorder recorder, long total, int reportsAfterTheFirst)
    {
        ImportProgress[] reports = [.. recorder.Reports];
        Assert.Equal(new ImportProgress(0, total), reports[0]);
        Assert.All(reports, r => Assert.Equal(total, r.TotalBytes));
        Assert.All(reports, r => Assert.InRange(r.BytesRead, 0, total));
        Assert.Equal(total, reports.Max(r => r.BytesRead));
        Assert.Equal(reportsAfterTheFirst, reports.Length - 1);
        Assert.Equal(1.0, reports.MaxBy(r => r.BytesRead).Fraction);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(1, true)]
    public void Bitbrains_ReportsEachFileOnce_UpToTheFolderSize(int threads, bool generalOnly)
    {
        using var dir = new TempDir();
        string folder = RealTraces.Path("bitbrains-gwa-t-12-rnd");
        string[] csv = Directory.GetFiles(folder, "*.csv", SearchOption.AllDirectories);
        var recorder = new Recorder();
        BitbrainsImporter.Import(folder, dir.File("b.dmt"), new BitbrainsImportOptions { ReadThreads = threads, GeneralPathOnly = generalOnly }, recorder, CancellationToken.None);
        AssertReports(recorder, csv.Sum(f => new FileInfo(f).Length), csv.Length);
        Assert.Equal(csv.Select(f => new FileInfo(f).Length).Order().ToArray(),
            recorder.Reports.Skip(1).Select(r => r.BytesRead).Order().Zip(recorder.Reports.Skip(1).Select(r => r.BytesRead).Order().Prepend(0)).Select(p => p.First - p.Second).Order().ToArray());
    }

    [Fact]
    public void Alibaba_ReportsItsPositionEvery65536Rows_ThenTheWholeFile()
    {
        using var dir = new TempDir();
        string csv = RealTraces.Path("alibaba-2018-machine-usage/machine_usage.csv");
        long size = new FileInfo(csv).Length;
        var recorder = new Recorder();
        var report = AlibabaImporter.Import(csv, dir.File("a.dmt"), new AlibabaImportOptions { HostMb = 65_536 }, recorder, CancellationToken.None);
        Assert.Equal(100_002, report.RowsRead); // one report between the first and the last
        AssertReports(recorder, size, 2);
        long between = recorder.Reports.ElementAt(1).BytesRead;
        Assert.InRange(between, size * 65_536 / 100_002 / 2, size - 1); // about 66 % in, by the stream's (read-ahead) position
    }

    [Fact]
    public void Gcd_ReportsEachFile_UpToTheFilesItReads()
    {
        using var dir = new TempDir();
        string folder = RealTraces.Path("google-2011-gcd-vms");
        string[] files = Directory.GetFiles(folder, "vm_*", SearchOption.AllDirectories);
        var recorder = new Recorder();
        GoogleGcdImporter.Import(folder, dir.File("g.dmt"), new GoogleGcdImportOptions { VmSizeMb = 4096 }, recorder, CancellationToken.None);
        AssertReports(recorder, files.Sum(f => new FileInfo(f).Length), files.Length);
    }

    [Fact]
    public void TheFraction_IsTheShareRead_OneForAnEmptyInput()
    {
        Assert.Equal(0.25, new ImportProgress(25, 100).Fraction);
        Assert.Equal(1.0, new ImportProgress(0, 0).Fraction);
        Assert.Equal(1.0, new ImportProgress(120, 100).Fraction);
    }
}

/// <summary>`dmkernel import`'s progress line from an importer's reports: megabytes read of the total and the share.</summary>
public sealed class ImportProgressLineTests
{
    [Fact]
    public void TheLine_SaysMegabytesReadOfTheTotal_AndTheShare()
    {
        var output = new StringWriter();
        int calls = 0;
        var line = new DmKernel.Cli.Output.ProgressLine(output, "import", redirected: true, () => TimeSpan.FromSeconds(10 * ++calls));
        IProgress<ImportProgress> progress = new DmKernel.Cli.Commands.ImportCommand.ReadProgress(line);
        progress.Report(new ImportProgress(1_234_000_000, 5_678_000_000));
        progress.Report(new ImportProgress(5_678_000_000, 5_678_000_000));
        Assert.Equal(
            ["import: 1234 of 5678 MB read (21.7 %) (10 s)", "import: 5678 of 5678 MB read (100.0 %) (20 s)"],
            output.ToString().ReplaceLineEndings("\n").TrimEnd('\n').Split('\n'));
    }
}

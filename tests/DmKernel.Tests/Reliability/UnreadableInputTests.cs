using System.Diagnostics;
using DmKernel.Tests.Cli;
using DmKernel.Tests.Traces;
using DmKernel.Traces;

namespace DmKernel.Tests.Reliability;

/// <summary>
/// Input files that cannot be read (docs/bad-input.md, "unreadable input files"): a named pipe, a broken symbolic link
/// and a loop of links among an import's files are <see cref="ImportErrorKind.UnreadableFile"/>, naming the file and
/// why, and <c>--lenient</c> skips and counts them (before: .NET's "Could not find file" naming a file listed in its
/// folder, also under --lenient, and a named pipe made the import wait for a writer for ever, deaf to Ctrl+C and SIGTERM).
/// A named pipe given as a trace is refused by name instead of waiting. Unix only (named pipes; links made here).
/// </summary>
[Collection(nameof(CliTests))] // CliTests.Run swaps the process's Console.Out: never beside another test that does
public class UnreadableInputTests
{
    private const string BitbrainsHeader =
        "Timestamp [ms];\tCPU cores;\tCPU capacity provisioned [MHZ];\tCPU usage [MHZ];\tCPU usage [%];\tMemory capacity provisioned [KB];\tMemory usage [KB];\tDisk read throughput [KB/s];\tDisk write throughput [KB/s];\tNetwork received throughput [KB/s];\tNetwork transmitted throughput [KB/s]\n";

    internal static string BitbrainsFile(int rows = 4) => BitbrainsHeader + string.Concat(Enumerable.Range(0, rows).Select(i =>
        $"{1_376_314_846 + (300 * i)};\t2;\t5199.99;\t57.19;\t1.1;\t2097152.0;\t1048576.0;\t0.0;\t2.46;\t0.06;\t0.06\n"));

    internal static string GcdDay() => string.Concat(Enumerable.Repeat("10.5 20.25\n", GoogleGcdImportOptions.RowsPerDay));

    /// <summary>Makes the unreadable entry <paramref name="kind"/> at <paramref name="path"/>; returns the reason the error must give.</summary>
    private static string MakeUnreadable(string path, string kind)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        switch (kind)
        {
            case "named pipe":
                MkFifo(path);
                return "it is a named pipe, not a regular file";
            case "broken link":
                string target = Path.Combine(Path.GetDirectoryName(path)!, "gone", "nothing-here.csv");
                File.CreateSymbolicLink(path, target);
                return $"it is a symbolic link to '{target}', which does not exist";
            case "link loop":
                string other = path + ".other";
                File.CreateSymbolicLink(other, path);
                File.CreateSymbolicLink(path, other);
                return "it cannot be opened: Too many levels of symbolic links";
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    internal static void MkFifo(string path)
    {
        using var p = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }

    /// <summary>
    /// Runs <paramref name="work"/>; if it has not ended after a minute (an open of a named pipe waiting for a writer),
    /// opens every pipe under <paramref name="folder"/> for writing and closes it, which ends that wait, and fails.
    /// </summary>
    private static T WithoutWaitingOnPipes<T>(string folder, Func<T> work)
    {
        var task = Task.Run(work);
        if (!((IAsyncResult)task).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(60)))
        {
            foreach (string file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Where(f => InputFile.TypeOfTarget(f) == "a named pipe"))
                new FileStream(file, FileMode.Open, FileAccess.Write).Dispose();
            task.ContinueWith(_ => { }, TaskScheduler.Default).Wait(TimeSpan.FromSeconds(60));
            Assert.Fail("the run waited on a named pipe instead of refusing it");
        }

        return task.GetAwaiter().GetResult();
    }

    /// <summary>
    /// Imports <paramref name="file"/> as Alibaba's machine_usage.csv into DIR/out.dmt (<paramref name="lenient"/> or not):
    /// UnreadableFile naming <paramref name="file"/> with <paramref name="why"/>, and no trace written.
    /// </summary>
    private static void AssertAlibabaUnreadable(string file, string why, string outputDir, bool lenient = false)
    {
        string output = Path.Combine(outputDir, "out.dmt");
        var e = WithoutWaitingOnPipes(outputDir, () => Assert.Throws<TraceImportException>(() =>
            AlibabaImporter.Import(file, output, new AlibabaImportOptions { HostMb = 4096, Lenient = lenient })));
        Assert.Equal((ImportErrorKind.UnreadableFile, file), (e.Kind, e.File));
        Assert.Equal($"{file}: UnreadableFile: file: {why}; expected a regular file that this user may read.", e.Message);
        Assert.False(File.Exists(output));
    }

    public static TheoryData<string> Kinds => ["named pipe", "broken link", "link loop"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Bitbrains_AnUnreadableFile_IsUnreadableFile_NamingItAndWhy_AndLenientSkipsIt(string kind)
    {
        if (OperatingSystem.IsWindows())
            return;
        using var dir = new TempDir();
        dir.Write("bb/2013-8/1.csv", BitbrainsFile());
        dir.Write("bb/2013-8/3.csv", BitbrainsFile(6));
        string bad = dir.File("bb/2013-8/2.csv");
        string why = MakeUnreadable(bad, kind);
        string output = dir.File("out.dmt");

        var e = WithoutWaitingOnPipes(dir.Path, () => Assert.Throws<TraceImportException>(() => BitbrainsImporter.Import(dir.File("bb"), output)));
        Assert.Equal((ImportErrorKind.UnreadableFile, bad, 0, 0), (e.Kind, e.File, e.Line, e.Column));
        Assert.Equal($"{bad}: UnreadableFile: file: {why}; expected a regular file that this user may read.", e.Message);
        Assert.False(File.Exists(output));

        // Lenient: skipped and counted; the other files are the trace, as if the file were not there. One read thread and
        // two (the parallel fast path) alike.
        foreach (int threads in new[] { 1, 2 })
        {
            var report = WithoutWaitingOnPipes(dir.Path, () => BitbrainsImporter.Import(dir.File("bb"), output, new BitbrainsImportOptions { Lenient = true, ReadThreads = threads }));
            Assert.Equal(1, report.SkippedOf(ImportErrorKind.UnreadableFile));
            Assert.Equal(1, report.SkippedTotal);
            Assert.Equal(3, report.Files); // the files found, the skipped one among them
            Assert.Equal(10, report.RowsRead);
            using var trace = NativeTraceReader.Open(output);
            Assert.Equal(["2013-8/1.csv", "2013-8/3.csv"], trace.Vms.Select(v => v.Id));
            Assert.Equal("1", trace.Header.Metadata["report.skipped.UnreadableFile"]);
        }
    }

    [Fact]
    public void Bitbrains_Lenient_WithEveryFileUnreadable_IsAnError_NamingTheFirst()
    {
        if (OperatingSystem.IsWindows())
            return;
        using var dir = new TempDir();
        string first = dir.File("bb/a.csv");
        MakeUnreadable(first, "broken link");
        MakeUnreadable(dir.File("bb/b.csv"), "named pipe");
        File.WriteAllText(dir.File("out.dmt"), "an earlier trace");
        var e = WithoutWaitingOnPipes(dir.Path, () => Assert.Throws<TraceImportException>(() =>
            BitbrainsImporter.Import(dir.File("bb"), dir.File("out.dmt"), new BitbrainsImportOptions { Lenient = true })));
        Assert.Equal((ImportErrorKind.UnreadableFile, first), (e.Kind, e.File));
        Assert.Contains("(the first of the problems --lenient skipped: UnreadableFile 2; nothing was left to import)", e.Message, StringComparison.Ordinal);
        Assert.Equal("an earlier trace", File.ReadAllText(dir.File("out.dmt")));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Gcd_AnUnreadableDayFile_IsUnreadableFile_AndLenientSkipsThatDay(string kind)
    {
        if (OperatingSystem.IsWindows())
            return;
        using var dir = new TempDir();
        dir.Write("in/vm_7_1", GcdDay());
        dir.Write("in/vm_7_2", GcdDay());
        dir.Write("in/vm_9_1", GcdDay());
        string bad = dir.File("in/vm_8_1"); // vm_8's only day
        string why = MakeUnreadable(bad, kind);
        string bad2 = dir.File("in/vm_9_2"); // vm_9's second day
        File.CreateSymbolicLink(bad2, dir.File("in/none"));
        string output = dir.File("out.dmt");
        var options = new GoogleGcdImportOptions { VmSizeMb = 1000 };

        var e = WithoutWaitingOnPipes(dir.Path, () => Assert.Throws<TraceImportException>(() => GoogleGcdImporter.Import(dir.File("in"), output, options)));
        Assert.Equal((ImportErrorKind.UnreadableFile, bad), (e.Kind, e.File)); // the first in job and day order
        Assert.Equal($"{bad}: UnreadableFile: file: {why}; expected a regular file that this user may read.", e.Message);
        Assert.False(File.Exists(output));

        var report = WithoutWaitingOnPipes(dir.Path, () => GoogleGcdImporter.Import(dir.File("in"), output, options with { Lenient = true }));
        Assert.Equal(2, report.SkippedOf(ImportErrorKind.UnreadableFile));
        Assert.Equal(5, report.Files);
        using var trace = NativeTraceReader.Open(output);
        Assert.Equal(["vm_7", "vm_9"], trace.Vms.Select(v => v.Id)); // vm_8 had no readable day; vm_9 keeps its first
        Assert.Equal(3L * GoogleGcdImportOptions.RowsPerDay, report.RowsRead);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Alibaba_AnUnreadableFile_IsUnreadableFile_EvenUnderLenient(string kind)
    {
        if (OperatingSystem.IsWindows())
            return;
        using var dir = new TempDir();
        string file = dir.File("machine_usage.csv");
        string why = MakeUnreadable(file, kind);
        foreach (bool lenient in new[] { false, true })
        {
            AssertAlibabaUnreadable(file, why, dir.Path, lenient);
        }
    }

    [Fact]
    public void ATraceThatIsANamedPipe_IsRefusedByName_NotWaitedOn()
    {
        if (OperatingSystem.IsWindows())
            return;
        using var dir = new TempDir();
        string pipe = dir.File("t.dmt");
        MkFifo(pipe);
        var e = WithoutWaitingOnPipes(dir.Path, () => Assert.Throws<IOException>(() => NativeTraceReader.Open(pipe)));
        Assert.StartsWith($"'{pipe}' is a named pipe, not a regular file: a trace is read by seeking", e.Message, StringComparison.Ordinal);

        // Every command that reads a trace, as the user runs it: one error line, exit 1, nothing written.
        foreach (string[] args in new[]
        {
            new[] { "replay", pipe, "-o", dir.File("r") },
            ["compare", pipe, "-o", dir.File("c"), "--seeds", "1"],
            ["split", pipe, "--shards", "2", "-o", dir.File("s")],
            ["generate", "--from", pipe, "--vms", "10", "-o", dir.File("g.dmt")],
        })
        {
            var (exit, _, err) = WithoutWaitingOnPipes(dir.Path, () => CliTests.Run(args));
            Assert.True(exit == 1, $"{args[0]}: exit {exit}: {err}");
            Assert.Contains($"error: '{pipe}' is a named pipe, not a regular file", err, StringComparison.Ordinal);
            Assert.Equal(["t.dmt"], Directory.EnumerateFileSystemEntries(dir.Path).Select(Path.GetFileName));
        }
    }

    [Fact]
    public void ImportCli_Lenient_ReportsTheSkippedFiles_AndStrictNamesTheFile()
    {
        if (OperatingSystem.IsWindows())
            return;
        using var dir = new TempDir();
        dir.Write("bb/1.csv", BitbrainsFile());
        string pipe = dir.File("bb/2.csv");
        MkFifo(pipe);
        var (exit, _, err) = WithoutWaitingOnPipes(dir.Path, () => CliTests.Run("import", "bitbrains", dir.File("bb"), "-o", dir.File("t.dmt")));
        Assert.Equal(1, exit);
        Assert.Contains($"error: {pipe}: UnreadableFile: file: it is a named pipe, not a regular file; expected a regular file that this user may read.", err, StringComparison.Ordinal);

        var (exit2, out2, err2) = WithoutWaitingOnPipes(dir.Path, () => CliTests.Run("import", "bitbrains", dir.File("bb"), "-o", dir.File("t.dmt"), "--lenient"));
        Assert.True(exit2 == 0, err2);
        Assert.Contains("2 file(s)", out2, StringComparison.Ordinal);
        Assert.Contains("skipped 1 rows or files (--lenient): UnreadableFile 1;", out2, StringComparison.Ordinal);
    }

    /// <summary>
    /// A character device among the inputs (here a link to /dev/null) is named as a character device, the kind stat
    /// reports, not as another special file (no pipe or link reaches OutputFile.Kind's device names).
    /// </summary>
    [Fact]
    public void Alibaba_ACharacterDevice_IsUnreadableFile_NamedAsACharacterDevice()
    {
        if (OperatingSystem.IsWindows())
            return;
        using var dir = new TempDir();
        string file = dir.File("machine_usage.csv");
        File.CreateSymbolicLink(file, "/dev/null");
        AssertAlibabaUnreadable(file, "it is a character device, not a regular file", dir.Path);
    }

    /// <summary>
    /// A folder given to the Alibaba importer as its file, by the library (the CLI refuses a folder first), directly or
    /// through a symbolic link: UnreadableFile, "it is a folder, not a file" (before: a plain folder was NoInput "the file
    /// does not exist", and a link to one "permission denied", since .NET's open of a folder fails as access denied).
    /// </summary>
    [Fact]
    public void Alibaba_AFolder_OrALinkToOne_IsUnreadableFile_ItIsAFolder()
    {
        using var dir = new TempDir();
        string folder = dir.File("machine_usage.csv");
        Directory.CreateDirectory(folder);
        var paths = new List<string> { folder };
        if (!OperatingSystem.IsWindows())
        {
            paths.Add(dir.File("link.csv"));
            File.CreateSymbolicLink(paths[1], folder);
        }

        foreach (string path in paths)
        {
            AssertAlibabaUnreadable(path, "it is a folder, not a file", dir.Path);
        }
    }

    /// <summary>
    /// A file that cannot be opened, given by a path with "..": the reason drops .NET's ending " : 'PATH'" there too
    /// (.NET names the full path, not the one given), so the message names the file once, as given.
    /// </summary>
    [Fact]
    public void ALinkLoop_GivenByAPathWithDotDot_IsNamedOnce_AsGiven()
    {
        if (OperatingSystem.IsWindows())
            return;
        using var dir = new TempDir();
        MakeUnreadable(dir.File("machine_usage.csv"), "link loop");
        Directory.CreateDirectory(dir.File("sub"));
        string given = Path.Combine(dir.Path, "sub", "..", "machine_usage.csv");
        AssertAlibabaUnreadable(given, "it cannot be opened: Too many levels of symbolic links", dir.Path);
    }

    /// <summary>
    /// A file this user may not read is UnreadableFile, "permission denied" (skipped when run as root, who may read any
    /// file).
    /// </summary>
    [Fact]
    public void Alibaba_AFileWithoutReadPermission_IsUnreadableFile_PermissionDenied()
    {
        if (OperatingSystem.IsWindows() || Environment.IsPrivilegedProcess)
            return;
        using var dir = new TempDir();
        string file = dir.Write("machine_usage.csv", "m_1,0,10,20,,,,,\n");
        File.SetUnixFileMode(file, UnixFileMode.UserWrite);
        AssertAlibabaUnreadable(file, "permission denied: this user may not read it", dir.Path);
    }

    /// <summary>
    /// Of several unreadable files, a strict import names the first in file-name order, whatever order the folder lists
    /// them in (they are made here out of order), so that the same folder always gives the same error.
    /// </summary>
    [Fact]
    public void Bitbrains_OfSeveralUnreadableFiles_TheFirstInNameOrderIsNamed()
    {
        if (OperatingSystem.IsWindows())
            return;
        using var dir = new TempDir();
        dir.Write("bb/a.csv", BitbrainsFile());
        foreach (int i in new[] { 6, 2, 9, 4, 0, 7, 3, 8, 1, 5 })
            MakeUnreadable(dir.File($"bb/b{i}.csv"), "broken link");
        var e = Assert.Throws<TraceImportException>(() => BitbrainsImporter.Import(dir.File("bb"), dir.File("out.dmt")));
        Assert.Equal((ImportErrorKind.UnreadableFile, dir.File("bb/b0.csv")), (e.Kind, e.File));
    }
}

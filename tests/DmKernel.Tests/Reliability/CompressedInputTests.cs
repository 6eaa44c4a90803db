using System.Formats.Tar;
using System.IO.Compression;
using DmKernel.Tests.Cli;
using DmKernel.Tests.Traces;
using DmKernel.Traces;

namespace DmKernel.Tests.Reliability;

/// <summary>
/// Compressed files and archives where text or a trace belongs (docs/bad-input.md, "compressed inputs"): the public traces
/// are downloaded so (Alibaba's machine_usage.tar.gz, Bitbrains' rnd.zip, the GCD derivation's GCD_VMs.tar.gz), and read
/// as text they failed with "1 fields; expected 9 fields" on line 1, "no *.csv file", or "is a file, expected a folder",
/// none of which said why. Now <see cref="ImportErrorKind.CompressedFile"/> names the format and what unpacks it
/// (<c>--lenient</c> skips such a file among others), a folder holding only compressed files says so, and a trace that is
/// compressed or text says what it is.
/// </summary>
[Collection(nameof(CliTests))] // CliTests.Run swaps the process's Console.Out: never beside another test that does
public class CompressedInputTests
{
    private static string BitbrainsFile(int rows = 4) => UnreadableInputTests.BitbrainsFile(rows);

    private static string GcdDay() => UnreadableInputTests.GcdDay();

    private const string AlibabaRows = "m_1,0,10,50,0,0,0,0,0\nm_1,300,10,55,0,0,0,0,0\n";

    private const string GzipWhat = "gzip-compressed (a .gz, or a .tar.gz archive)", GzipUnpack = "gunzip, or tar xzf for a .tar.gz";

    /// <summary>Writes <paramref name="text"/> gzip-compressed (as gzip and tar czf write it) to <paramref name="path"/>.</summary>
    private static void WriteGzip(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        gzip.Write(System.Text.Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Writes a file of the archive or compression <paramref name="format"/> holding <paramref name="text"/> as "inner.csv"; returns its path.</summary>
    private static string WriteCompressed(TempDir dir, string format, string text)
    {
        string path = dir.File("in." + format);
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(text);
        switch (format)
        {
            case "gz":
                WriteGzip(path, text);
                break;
            case "zip":
                using (ZipArchive zip = ZipFile.Open(path, ZipArchiveMode.Create))
                {
                    using Stream entry = zip.CreateEntry("inner.csv").Open();
                    entry.Write(bytes);
                }

                break;
            case "tar":
                using (var tar = new TarWriter(File.Create(path)))
                    tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "inner.csv") { DataStream = new MemoryStream(bytes) });
                break;
            case "zst":
                File.WriteAllBytes(path, new ZstdSharp.Compressor().Wrap(bytes).ToArray());
                break;
            default:
                // No writer in .NET: the format's published signature (bzip2 "BZh", xz FD 37 7A 58 5A 00, 7z 37 7A BC AF 27 1C)
                // before the bytes.
                byte[] magic = format switch
                {
                    "bz2" => "BZh9"u8.ToArray(),
                    "xz" => [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00],
                    "7z" => [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C],
                    _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
                };
                File.WriteAllBytes(path, [.. magic, .. bytes]);
                break;
        }

        return path;
    }

    public static TheoryData<string, string, string> Formats => new()
    {
        { "gz", GzipWhat, GzipUnpack },
        { "zip", "a zip archive", "unzip" },
        { "tar", "a tar archive", "tar xf" },
        { "zst", "zstd-compressed", "unzstd, or tar --zstd -xf for a .tar.zst" },
        { "bz2", "bzip2-compressed", "bunzip2, or tar xjf for a .tar.bz2" },
        { "xz", "xz-compressed", "unxz, or tar xJf for a .tar.xz" },
        { "7z", "a 7z archive", "7z x" },
    };

    /// <summary>Alibaba's one file, of every format: CompressedFile naming the format and the command, under --lenient too (nothing else to import); no trace.</summary>
    [Theory]
    [MemberData(nameof(Formats))]
    public void Alibaba_ACompressedFile_IsCompressedFile_NamingTheFormatAndWhatUnpacksIt(string format, string what, string unpack)
    {
        using var dir = new TempDir();
        string file = WriteCompressed(dir, format, AlibabaRows);
        string output = dir.File("out.dmt");
        foreach (bool lenient in new[] { false, true })
        {
            var e = Assert.Throws<TraceImportException>(() => AlibabaImporter.Import(file, output, new AlibabaImportOptions { HostMb = 4096, Lenient = lenient }));
            Assert.Equal((ImportErrorKind.CompressedFile, file, 0), (e.Kind, e.File, e.Line));
            Assert.Equal($"{file}: CompressedFile: file: it is {what}, not text; expected uncompressed text: unpack it first ({unpack}) and import what it holds.", e.Message);
            Assert.False(File.Exists(output));
        }

        // The same rows uncompressed import (the check looks at the bytes, not the name).
        string plain = dir.File("plain.csv");
        File.WriteAllText(plain, AlibabaRows);
        Assert.Equal(2, AlibabaImporter.Import(plain, output, new AlibabaImportOptions { HostMb = 4096 }).RowsRead);
    }

    /// <summary>
    /// The signatures at their edges: an empty zip archive (only its end record, "PK\x05\x06", as zip writes one with no
    /// entry) is a zip archive; text that begins with a signature's first letters ("BZ" without bzip2's "h") is text; a file
    /// of 257 to 261 bytes, too short for a tar header's "ustar" at byte 257, is text (not an error), and 262 bytes with
    /// "ustar" there is a tar archive.
    /// </summary>
    [Fact]
    public void Signatures_AtTheirEdges_EmptyZip_TextStartingLikeOne_TooShortForTar()
    {
        using var dir = new TempDir();
        string output = dir.File("out.dmt");
        string empty = dir.File("empty.zip");
        ZipFile.Open(empty, ZipArchiveMode.Create).Dispose();
        var e = Assert.Throws<TraceImportException>(() => AlibabaImporter.Import(empty, output, new AlibabaImportOptions { HostMb = 4096 }));
        Assert.Equal((ImportErrorKind.CompressedFile, $"{empty}: CompressedFile: file: it is a zip archive, not text; expected uncompressed text: unpack it first (unzip) and import what it holds."), (e.Kind, e.Message));

        string bz = dir.File("bz.csv");
        File.WriteAllText(bz, AlibabaRows.Replace("m_1", "BZ_1", StringComparison.Ordinal));
        Assert.Equal(2, AlibabaImporter.Import(bz, output, new AlibabaImportOptions { HostMb = 4096 }).RowsRead);

        string rows = string.Concat(Enumerable.Range(0, 20).Select(i => $"m_1,{300 * i},10,50,0,0,0,0,0\n"));
        for (int length = 257; length < 262; length++)
        {
            string text = dir.File($"{length}.csv");
            File.WriteAllText(text, rows[..length]);
            Assert.Equal(length, new FileInfo(text).Length);
            Assert.Null(InputFile.Compression(text));
        }

        byte[] tar = new byte[262];
        "ustar"u8.CopyTo(tar.AsSpan(257));
        Assert.Equal(("a tar archive", "tar xf"), InputFile.Compression(tar));
        Assert.Null(InputFile.Compression(tar.AsSpan(0, 261)));
    }

    /// <summary>A Bitbrains file that is gzip-compressed under a .csv name: CompressedFile in file order; --lenient skips and counts it, on one read thread and two.</summary>
    [Fact]
    public void Bitbrains_ACompressedCsv_IsCompressedFile_AndLenientSkipsIt()
    {
        using var dir = new TempDir();
        dir.Write("bb/1.csv", BitbrainsFile());
        dir.Write("bb/3.csv", BitbrainsFile(6));
        string bad = dir.File("bb/2.csv");
        WriteGzip(bad, BitbrainsFile());
        string output = dir.File("out.dmt");

        var e = Assert.Throws<TraceImportException>(() => BitbrainsImporter.Import(dir.File("bb"), output));
        Assert.Equal((ImportErrorKind.CompressedFile, bad), (e.Kind, e.File));
        Assert.Equal($"{bad}: CompressedFile: file: it is {GzipWhat}, not text; expected uncompressed text: unpack it first ({GzipUnpack}) and import what it holds.", e.Message);
        Assert.False(File.Exists(output));
        foreach (int threads in new[] { 1, 2 })
        {
            var report = BitbrainsImporter.Import(dir.File("bb"), output, new BitbrainsImportOptions { Lenient = true, ReadThreads = threads });
            Assert.Equal((1, 1, 3, 10), (report.SkippedOf(ImportErrorKind.CompressedFile), report.SkippedTotal, report.Files, report.RowsRead));
            using var trace = NativeTraceReader.Open(output);
            Assert.Equal(["1.csv", "3.csv"], trace.Vms.Select(v => v.Id));
            Assert.Equal("1", trace.Header.Metadata["report.skipped.CompressedFile"]);
        }
    }

    /// <summary>A GCD day file that is compressed: CompressedFile; --lenient skips that day (the job keeps its others).</summary>
    [Fact]
    public void Gcd_ACompressedDayFile_IsCompressedFile_AndLenientSkipsThatDay()
    {
        using var dir = new TempDir();
        dir.Write("in/vm_7_1", GcdDay());
        string bad = dir.File("in/vm_7_2");
        WriteGzip(bad, GcdDay());
        string output = dir.File("out.dmt");
        var options = new GoogleGcdImportOptions { VmSizeMb = 1000 };

        var e = Assert.Throws<TraceImportException>(() => GoogleGcdImporter.Import(dir.File("in"), output, options));
        Assert.Equal((ImportErrorKind.CompressedFile, bad), (e.Kind, e.File));
        Assert.False(File.Exists(output));
        var report = GoogleGcdImporter.Import(dir.File("in"), output, options with { Lenient = true });
        Assert.Equal((1, 2, (long)GoogleGcdImportOptions.RowsPerDay), (report.SkippedOf(ImportErrorKind.CompressedFile), report.Files, report.RowsRead));
    }

    /// <summary>
    /// A folder with no input files but compressed ones (a download unpacked one level only) says it holds them, how many,
    /// the first by name and what unpacks it; a folder with nothing of the kind keeps the plain message.
    /// </summary>
    [Fact]
    public void AFolderHoldingOnlyCompressedFiles_SaysSo_NamingTheFirstAndWhatUnpacksIt()
    {
        using var dir = new TempDir();
        WriteGzip(dir.File("bb/2013-8/1.csv.gz"), BitbrainsFile());
        WriteGzip(dir.File("bb/2013-8/2.csv.gz"), BitbrainsFile());
        dir.Write("bb/readme.txt", "not compressed");
        var e = Assert.Throws<TraceImportException>(() => BitbrainsImporter.Import(dir.File("bb"), dir.File("out.dmt")));
        Assert.Equal(ImportErrorKind.NoInput, e.Kind);
        Assert.Equal($"{dir.File("bb")}: NoInput: file: no *.csv file in the folder or below; it holds 2 compressed files or archives (the first: '{Path.Combine("2013-8", "1.csv.gz")}', {GzipWhat}): unpack them first ({GzipUnpack}); expected Bitbrains per-VM *.csv files.", e.Message);

        WriteGzip(dir.File("gcd/GCD_VMs.tar.gz"), "x");
        var g = Assert.Throws<TraceImportException>(() => GoogleGcdImporter.Import(dir.File("gcd"), dir.File("out.dmt"), new GoogleGcdImportOptions { VmSizeMb = 1000 }));
        Assert.EndsWith($"no file named vm_<job>_<day> in the folder or below; it holds 1 compressed file or archive (the first: 'GCD_VMs.tar.gz', {GzipWhat}): unpack it first ({GzipUnpack}); expected GCD per-job-day files.", g.Message, StringComparison.Ordinal);

        dir.Write("plain/readme.txt", "nothing to import");
        var p = Assert.Throws<TraceImportException>(() => BitbrainsImporter.Import(dir.File("plain"), dir.File("out.dmt")));
        Assert.EndsWith("no *.csv file in the folder or below; expected Bitbrains per-VM *.csv files.", p.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The compressed file named first is the first by name, a folder's files included ('a/y.csv.gz' before 'c.csv.gz'),
    /// not the first the file system lists (its own order, top-level files before those of a folder).
    /// </summary>
    [Fact]
    public void AFolderHoldingOnlyCompressedFiles_NamesTheFirstByName()
    {
        using var dir = new TempDir();
        foreach (string name in (string[])["k.csv.gz", "b/z.csv.gz", "e.csv.gz", "a/y.csv.gz", "c.csv.gz", "q.csv.gz", "x.csv.gz"])
            WriteGzip(dir.File(Path.Combine("in", name)), BitbrainsFile());
        var e = Assert.Throws<TraceImportException>(() => BitbrainsImporter.Import(dir.File("in"), dir.File("out.dmt")));
        Assert.Contains($"; it holds 7 compressed files or archives (the first: '{Path.Combine("a", "y.csv.gz")}', {GzipWhat}): ", e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The CLI: an archive given where a folder belongs says what it is and what to do; a trace that is compressed or is
    /// text (a dataset's CSV given to replay) says what it is after the bad magic; a file of random bytes keeps the plain
    /// message. One error line, exit 1, nothing written.
    /// </summary>
    [Fact]
    public void TheCli_NamesAnArchiveGivenAsAFolder_AndATraceThatIsCompressedOrText()
    {
        using var dir = new TempDir();
        string zip = WriteCompressed(dir, "zip", BitbrainsFile());
        (int exit, _, string err) = CliTests.Run("import", "bitbrains", zip, "-o", dir.File("b.dmt"));
        Assert.Equal((1, $"error: '{zip}' is a file, expected a folder of per-VM CSV files (searched recursively): it is a zip archive; unpack it first (unzip) and give the folder it makes.\n"), (exit, err));

        string gz = dir.File("t.dmt.gz");
        using (var source = File.OpenRead(SampleTrace()))
        using (var gzip = new GZipStream(File.Create(gz), CompressionLevel.Fastest))
            source.CopyTo(gzip);
        string csv = dir.File("machine_usage.csv");
        File.WriteAllText(csv, AlibabaRows + new string('x', 200) + "\n");
        string random = dir.File("random.bin");
        File.WriteAllBytes(random, [.. Enumerable.Range(0, 200).Select(i => (byte)(i * 37 % 251))]);
        foreach (var (trace, tail) in new[]
        {
            (gz, $": it is {GzipWhat}; unpack it first ({GzipUnpack})"),
            (csv, ": it is text (a CSV file?); a native trace is made from a public dataset's files by an importer (dmkernel import bitbrains, alibaba or gcd) or by dmkernel generate"),
            (random, ""),
        })
        {
            (exit, _, err) = CliTests.Run("replay", trace, "-o", dir.File("r"));
            Assert.Equal((1, $"error: Trace file '{trace}', header field Magic: bad magic, expected the bytes \"DMKTRACE\": not a native trace{tail}\n"), (exit, err));
            Assert.False(Directory.Exists(dir.File("r")));
        }
    }

    private static string SampleTrace() => DmKernel.Tests.Replay.ReplayDeterminismTests.SampleTrace;

    /// <summary>
    /// A folder unpacked in part (CSVs beside a compressed one, or beside the downloaded archive): the compressed files the
    /// import does not read are counted (<c>compressed_files_ignored</c>, the first by name) and the CLI warns that the VMs
    /// they hold are not in the trace (before stop 53: imported in silence, "2 file(s)" the only hint). A file that is
    /// neither an input nor compressed is not counted; a compressed input is still CompressedFile.
    /// </summary>
    [Fact]
    public void Bitbrains_CompressedFilesBesideTheCsvs_AreCounted_AndTheCliWarns()
    {
        using var dir = new TempDir();
        dir.Write("bb/1.csv", BitbrainsFile());
        dir.Write("bb/3.csv", BitbrainsFile(6));
        WriteGzip(dir.File("bb/sub/2.csv.gz"), BitbrainsFile());
        WriteGzip(dir.File("bb/126.csv.gz"), BitbrainsFile());
        dir.Write("bb/notes.txt", "downloaded 2026-12-07");
        string output = dir.File("out.dmt");

        var report = BitbrainsImporter.Import(dir.File("bb"), output);
        Assert.Equal((2, 2L), (report.Files, report.NoteOf("compressed_files_ignored")));
        Assert.Equal("126.csv.gz", report.FirstCompressedIgnored);

        (int exit, string stdout, string stderr) = CliTests.Run("import", "bitbrains", dir.File("bb"), "-o", dir.File("cli.dmt"));
        Assert.True(exit == 0, stderr);
        Assert.Contains("compressed_files_ignored 2;", stdout, StringComparison.Ordinal);
        Assert.Contains("  warning: 2 compressed file(s) or archive(s) in the folder were not read (the first: '126.csv.gz'); the VMs they hold are not in the trace: unpack them and import again to include them.", stdout, StringComparison.Ordinal);

        using var clean = new TempDir();
        clean.Write("bb/1.csv", BitbrainsFile());
        clean.Write("bb/notes.txt", "x");
        (exit, stdout, stderr) = CliTests.Run("import", "bitbrains", clean.File("bb"), "-o", clean.File("cli.dmt"));
        Assert.True(exit == 0, stderr);
        Assert.DoesNotContain("compressed", stdout, StringComparison.Ordinal);
    }

    /// <summary>
    /// GCD: every file that is not a vm_&lt;job&gt;_&lt;day&gt; day file is counted as ignored_files, as docs/importers.md
    /// says (before stop 53 only names starting "vm_" were looked at, so a readme.md was not counted), and the compressed
    /// among them as compressed_files_ignored too.
    /// </summary>
    [Fact]
    public void Gcd_FilesThatAreNotDayFiles_AreCountedAsIgnored_TheCompressedOnesAsSuch()
    {
        using var dir = new TempDir();
        dir.Write("in/vm_7_1", GcdDay());
        dir.Write("in/vm_7_2", GcdDay());
        dir.Write("in/readme.md", "the GCD derivation");
        dir.Write("in/vm_7_3.txt", GcdDay());
        WriteGzip(dir.File("in/more/GCD_VMs.tar.gz"), "x");
        var report = GoogleGcdImporter.Import(dir.File("in"), dir.File("out.dmt"), new GoogleGcdImportOptions { VmSizeMb = 1000 });
        Assert.Equal((2, 3L, 1L), (report.Files, report.NoteOf("ignored_files"), report.NoteOf("compressed_files_ignored")));
        Assert.Equal(Path.Combine("more", "GCD_VMs.tar.gz"), report.FirstCompressedIgnored);
    }
}

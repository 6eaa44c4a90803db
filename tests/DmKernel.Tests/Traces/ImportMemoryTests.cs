using System.Globalization;
using System.Text;
using DmKernel.Traces;

namespace DmKernel.Tests.Traces;

/// <summary>
/// Importers stream: what they allocate does not grow with the number of rows (docs/importers.md, "Memory"). Measured
/// with the calling thread's allocation counter (files are read on that thread: ReadThreads = 1), so nothing here is
/// timed and other tests running at the same time do not count. Memory in use can never be more than what was allocated,
/// so a bound on the allocations is a bound on the peak; holding every sample (16 bytes each, as the importers did)
/// allocates at least 16 bytes per extra row and fails.
/// </summary>
public sealed class ImportMemoryTests
{
    private const int Vms = 3, Rows = 4_000;

    /// <summary>
    /// Less than one byte per extra row: the same VMs with 10 × the rows may allocate no more than this over the small
    /// import (a design that kept even one byte per sample in memory would allocate more).
    /// </summary>
    private const long Allowance = 9L * Rows * Vms;

    private const string BitbrainsHeader =
        "Timestamp [ms];\tCPU cores;\tCPU capacity provisioned [MHZ];\tCPU usage [MHZ];\tCPU usage [%];\tMemory capacity provisioned [KB];\tMemory usage [KB];\tDisk read throughput [KB/s];\tDisk write throughput [KB/s];\tNetwork received throughput [KB/s];\tNetwork transmitted throughput [KB/s]\n";

    /// <summary>VM files of <paramref name="rows"/> rows each: 5-minute samples with jitter, duplicates, gaps, off rows and a capacity change.</summary>
    private static void WriteBitbrains(TempDir dir, int rows)
    {
        for (int vm = 0; vm < Vms; vm++)
        {
            var sb = new StringBuilder(BitbrainsHeader);
            long t = 1_375_308_176 + (vm * 7);
            for (int i = 0; i < rows; i++)
            {
                double capacity = i % 500 < 20 ? 0 : i % 1000 < 500 ? 8_388_608 : 4_194_304;
                double usage = 100_000 + ((i * 7919 + vm * 104_729) % 3_000_000) + 0.25;
                sb.Append(CultureInfo.InvariantCulture, $"{t};\t2;\t5199.99;\t57.19;\t1.1;\t{capacity:0.0};\t{usage:0.0##};\t0.0;\t2.46;\t0.06;\t0.06\n");
                t += i % 97 == 0 ? 0 : i % 211 == 0 ? 1_800 : 300 + (i % 3);
            }

            dir.Write(string.Create(CultureInfo.InvariantCulture, $"2013-8/{vm + 1}.csv"), sb.ToString());
        }
    }

    private static long Allocated(Action import)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        import();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Bitbrains_TenTimesTheRows_AllocatesLessThanAByteMorePerRow(bool generalPath)
    {
        using var small = new TempDir();
        using var large = new TempDir();
        WriteBitbrains(small, Rows);
        WriteBitbrains(large, 10 * Rows);
        var options = new BitbrainsImportOptions { ReadThreads = 1, GeneralPathOnly = generalPath };
        BitbrainsImporter.Import(small.Path, small.File("warm.dmt"), options); // JIT and static state out of the measurement

        ImportReport? a = null, b = null;
        long smallBytes = Allocated(() => a = BitbrainsImporter.Import(small.Path, small.File("t.dmt"), options));
        long largeBytes = Allocated(() => b = BitbrainsImporter.Import(large.Path, large.File("t.dmt"), options));

        Assert.Equal(Vms * (long)Rows, a!.RowsRead);
        Assert.Equal(10L * Vms * Rows, b!.RowsRead);
        Assert.True(b.Ticks > 9 * a.Ticks, $"ticks {a.Ticks} and {b.Ticks}");
        Assert.True(b.NoteOf("ticks_off_in_gaps") > 0 && b.NoteOf("duplicate_timestamps") > 0 && b.NoteOf("off_samples") > 0, "the rows exercise gaps, duplicates and off samples");
        Assert.True(largeBytes - smallBytes < Allowance,
            $"importing {9 * Vms * Rows} more rows allocated {largeBytes - smallBytes} more bytes ({smallBytes} and {largeBytes}): at most {Allowance} expected");
    }

    [Fact]
    public void Alibaba_TenTimesTheRows_AllocatesLessThanAByteMorePerRow()
    {
        using var dir = new TempDir();
        string Write(string name, int rows)
        {
            // Machines interleaved, as in the real file: every row switches machine.
            var sb = new StringBuilder();
            for (int i = 0; i < rows * Vms; i++)
            {
                int m = i % Vms;
                long t = (i / Vms * 60L) + (i % 50 == 0 ? 30 : 0);
                sb.Append(CultureInfo.InvariantCulture, $"m_{1900 + m},{t},41,{20 + ((i * 37) % 70)},,,1,1,1\n");
            }

            return dir.Write(name, sb.ToString());
        }

        string small = Write("small.csv", Rows), large = Write("large.csv", 10 * Rows);
        var options = new AlibabaImportOptions { HostMb = 65_536 };
        AlibabaImporter.Import(small, dir.File("warm.dmt"), options);

        ImportReport? a = null, b = null;
        long smallBytes = Allocated(() => a = AlibabaImporter.Import(small, dir.File("a.dmt"), options));
        long largeBytes = Allocated(() => b = AlibabaImporter.Import(large, dir.File("b.dmt"), options));

        Assert.Equal(Vms * (long)Rows, a!.RowsRead);
        Assert.Equal(10L * Vms * Rows, b!.RowsRead);
        Assert.Equal(Vms, b.Vms);
        Assert.True(largeBytes - smallBytes < Allowance,
            $"importing {9 * Vms * Rows} more rows allocated {largeBytes - smallBytes} more bytes ({smallBytes} and {largeBytes}): at most {Allowance} expected");
    }

    [Fact]
    public void Import_LeavesNoTemporaryFileBeside_TheOutput_OnSuccessOrError()
    {
        using var dir = new TempDir();
        WriteBitbrains(dir, 50);
        string output = dir.File("out/t.dmt");
        Directory.CreateDirectory(dir.File("out"));
        BitbrainsImporter.Import(dir.Path, output);
        Assert.Equal(["t.dmt"], Directory.EnumerateFiles(dir.File("out")).Select(Path.GetFileName));

        dir.Write("2013-8/9.csv", BitbrainsHeader + "1375308176;\t2;\t5199.99;\t57.19;\t1.1;\tlots;\t1.0;\t0.0;\t2.46;\t0.06;\t0.06\n");
        Assert.Throws<TraceImportException>(() => BitbrainsImporter.Import(dir.Path, dir.File("out/u.dmt")));
        Assert.Equal(["t.dmt"], Directory.EnumerateFiles(dir.File("out")).Select(Path.GetFileName));
    }

    [Fact]
    public void OutputFolderMissing_TheInputsErrorComesFirst_ThenTheOutputsOwn()
    {
        // The samples' temporary file cannot go beside an output whose folder does not exist: it goes to the temp folder,
        // so the order of errors is what it always was (the input's, then the writer's).
        using var dir = new TempDir();
        WriteBitbrains(dir, 50);
        string output = dir.File("missing/t.dmt");
        Assert.Throws<DirectoryNotFoundException>(() => BitbrainsImporter.Import(dir.Path, output));
        dir.Write("2013-8/9.csv", BitbrainsHeader + "1375308176;\t2;\t5199.99;\t57.19;\t1.1;\tlots;\t1.0;\t0.0;\t2.46;\t0.06;\t0.06\n");
        var e = Assert.Throws<TraceImportException>(() => BitbrainsImporter.Import(dir.Path, output));
        Assert.Equal(ImportErrorKind.NotANumber, e.Kind);
        Assert.False(Directory.Exists(dir.File("missing")));
    }
}

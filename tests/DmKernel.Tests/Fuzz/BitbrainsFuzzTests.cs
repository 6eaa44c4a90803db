using DmKernel.Traces;

namespace DmKernel.Tests.Fuzz;

/// <summary>Seeded fuzzing of <see cref="BitbrainsImporter"/>: every case imports or throws <see cref="TraceImportException"/>.</summary>
public sealed class BitbrainsFuzzTests
{
    [Fact]
    public void MutatedAndRandomInputs_ImportOrRaiseTraceImportException()
    {
        using var dir = ImporterFuzz.NewDir();
        var bases = FuzzBases.Bitbrains();
        string input = dir.File("in"), output = dir.File("out.dmt");
        var written = new HashSet<string>(StringComparer.Ordinal);
        var strict = new BitbrainsImportOptions();
        var lenient = strict with { Lenient = true };
        var placed = strict with { PlaceOnHostMb = 65536 };
        FuzzRunner.Run("bitbrains", 0x0B17B4A1, FuzzRunner.Iterations,
            (r, i) => ImporterFuzz.Make(r, bases, [';', '\t']),
            c =>
            {
                ImporterFuzz.WriteFiles(input, c, written);
                var options = c.Variant switch { 0 or 1 => lenient, 2 => placed, _ => strict };
                BitbrainsImporter.Import(input, output, ImporterFuzz.Fast(options, c));
                ImporterFuzz.ReadBack(output);
            },
            ImporterFuzz.IsDocumented);
    }

    /// <summary>
    /// Found by fuzzing (case 223): with PlaceOnHostMb, a VM whose provisioned memory does not fit a host makes
    /// TracePlacement.FirstFitByStartup throw ArgumentException (parameter 'vms') out of the importer instead of
    /// TraceImportException. Fails until fixed.
    /// </summary>
    [Fact]
    public void VmLargerThanHost_WithPlacement_RaisesTraceImportException()
    {
        using var dir = ImporterFuzz.NewDir();
        string input = dir.File("in"), output = dir.File("out.dmt");
        const string text = "Timestamp [ms];\tCPU cores;\tCPU capacity provisioned [MHZ];\tCPU usage [MHZ];\tCPU usage [%];\tMemory capacity provisioned [KB];\tMemory usage [KB];\tDisk read throughput [KB/s];\tDisk write throughput [KB/s];\tNetwork received throughput [KB/s];\tNetwork transmitted throughput [KB/s]\n"
            + "1377986608;\t1;\t2926;\t0.0;\t0.0;\t12345678901;\t469760.0;\t0.0;\t3.6;\t0.0;\t0.0\n";
        var c = new FuzzCase("regression: capacity 12345678901 KB, PlaceOnHostMb 65536", [("2013-8/1.csv", System.Text.Encoding.UTF8.GetBytes(text))]);
        FuzzRunner.RunOne("bitbrains-vm-larger-than-host", c,
            c =>
            {
                ImporterFuzz.WriteFiles(input, c, []);
                BitbrainsImporter.Import(input, output, new BitbrainsImportOptions { PlaceOnHostMb = 65536 });
                ImporterFuzz.ReadBack(output);
            },
            ImporterFuzz.IsDocumented);
    }
}

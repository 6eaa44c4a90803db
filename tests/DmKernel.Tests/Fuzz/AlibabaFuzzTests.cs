using DmKernel.Traces;

namespace DmKernel.Tests.Fuzz;

/// <summary>Seeded fuzzing of <see cref="AlibabaImporter"/>: every case imports or throws <see cref="TraceImportException"/>.</summary>
public sealed class AlibabaFuzzTests
{
    [Fact]
    public void MutatedAndRandomInputs_ImportOrRaiseTraceImportException()
    {
        using var dir = ImporterFuzz.NewDir();
        var bases = new[] { ("machine_usage.csv", FuzzBases.Alibaba()) };
        string input = dir.File("in"), output = dir.File("out.dmt");
        var written = new HashSet<string>(StringComparer.Ordinal);
        string csv = Path.Combine(input, "machine_usage.csv");
        var strict = new AlibabaImportOptions { HostMb = 98304 };
        var lenient = strict with { Lenient = true };
        FuzzRunner.Run("alibaba", 0x0A11BABA, FuzzRunner.Iterations,
            (r, i) => ImporterFuzz.Make(r, bases, [',']),
            c =>
            {
                ImporterFuzz.WriteFiles(input, c, written);
                AlibabaImporter.Import(csv, output, ImporterFuzz.Fast(c.Variant < 2 ? lenient : strict, c));
                ImporterFuzz.ReadBack(output);
            },
            ImporterFuzz.IsDocumented);
    }

    /// <summary>
    /// Found by fuzzing (case 127): one row with a large time_stamp makes the importer write floor(t / 60) + 1 ticks
    /// (here about 1.7e10), so the import runs for hours instead of refusing the value. Fails (as a hang) until fixed.
    /// </summary>
    [Fact]
    public void HugeTimestamp_ImportsOrRaisesTraceImportException_WithoutHanging()
    {
        using var dir = ImporterFuzz.NewDir();
        string csv = dir.File("machine_usage.csv"), output = dir.File("out.dmt");
        var c = new FuzzCase("regression: time_stamp 1000000000000", [("machine_usage.csv", "m_1,1000000000000,0,50,,,0,0,0\n"u8.ToArray())]);
        FuzzRunner.RunOne("alibaba-huge-timestamp", c,
            c =>
            {
                File.WriteAllBytes(csv, c.Files[0].Bytes);
                AlibabaImporter.Import(csv, output, new AlibabaImportOptions { HostMb = 98304 });
                ImporterFuzz.ReadBack(output);
            },
            ImporterFuzz.IsDocumented);
    }
}

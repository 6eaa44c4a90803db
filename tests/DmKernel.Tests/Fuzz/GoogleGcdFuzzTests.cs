using System.Globalization;
using DmKernel.Traces;

namespace DmKernel.Tests.Fuzz;

/// <summary>Seeded fuzzing of <see cref="GoogleGcdImporter"/>: every case imports or throws <see cref="TraceImportException"/>.</summary>
public sealed class GoogleGcdFuzzTests
{
    /// <summary>Day numbers a renamed file may get (1 case in 16): odd, duplicate, far-off and overflowing ones.</summary>
    private static readonly string[] Days = ["0", "1", "2", "3", "10", "010", "366", "-1", "x", "", "2147483648", "99999999999"];

    [Fact]
    public void MutatedAndRandomInputs_ImportOrRaiseTraceImportException()
    {
        using var dir = ImporterFuzz.NewDir();
        var bases = FuzzBases.Gcd();
        string input = dir.File("in"), output = dir.File("out.dmt");
        var written = new HashSet<string>(StringComparer.Ordinal);
        var strict = new GoogleGcdImportOptions { VmSizeMb = 4096 };
        var lenient = strict with { Lenient = true };
        var placed = strict with { PlaceOnHostMb = 65536 };
        FuzzRunner.Run("gcd", 0x06CD2011, FuzzRunner.Iterations,
            (r, i) =>
            {
                var c = ImporterFuzz.Make(r, bases, [' ']);
                if (r.Next(16) != 0)
                    return c;
                var files = c.Files.ToList();
                int f = r.Next(files.Count);
                string name = "GCD_VMs/vm_3418442_" + Days[r.Next(Days.Length)];
                files[f] = (name, files[f].Bytes);
                return c with { Files = files, Label = c.Label + string.Create(CultureInfo.InvariantCulture, $" rename[{f}]->{name}") };
            },
            c =>
            {
                ImporterFuzz.WriteFiles(input, c, written);
                GoogleGcdImporter.Import(input, output, ImporterFuzz.Fast(c.Variant switch { 0 or 1 => lenient, 2 => placed, _ => strict }, c));
                ImporterFuzz.ReadBack(output);
            },
            ImporterFuzz.IsDocumented);
    }
}

using DmKernel.Tests.Cli;
using DmKernel.Traces;

namespace DmKernel.Tests.Traces;

/// <summary>
/// Alibaba has one input file, so --lenient skips no file; what it can skip whole is a machine, every row of which it
/// skipped: named with the kind of its last skipped row, as Bitbrains names its files. In the CLI collection: one test
/// runs the CLI, which writes to the process's Console.
/// </summary>
[Collection(nameof(CliTests))]
public sealed class AlibabaLenientMachineTests
{
    /// <summary>
    /// m_1 and m_4 keep rows; m_2 (two NotANumber rows), m_3 (mem_util over 100), m_6 (a negative time_stamp) and m_8 (an
    /// empty mem_util) keep none; the 8-field row's id is not read as a machine id, so m_5 is not named.
    /// </summary>
    private const string Rows =
        "m_1,0,41,50,,,1,1,1\n" +
        "m_2,0,41,x,,,1,1,1\n" +
        "m_1,60,41,50,,,1,1,1\n" +
        "m_3,0,41,150,,,1,1,1\n" +
        "m_2,60,41,y,,,1,1,1\n" +
        "m_4,0,41,50,,,1,1,1\n" +
        "m_4,60,41,z,,,1,1,1\n" +
        "m_5,0,41,50,,,1,1\n" +
        "m_6,-5,41,50,,,1,1,1\n" +
        "m_8,0,41,,,,1,1,1\n";

    [Fact]
    public void Alibaba_Lenient_MachinesWithEveryRowSkipped_AreNamed()
    {
        using var dir = new TempDir();
        string file = dir.Write("machine_usage.csv", Rows);
        var report = AlibabaImporter.Import(file, dir.File("o.dmt"), new AlibabaImportOptions { HostMb = 4096, Lenient = true });
        Assert.Equal(["m_1", "m_4"], TraceData.Load(dir.File("o.dmt")).Vms.Select(v => v.Id));
        Assert.Equal(
            [("m_2", ImportErrorKind.NotANumber), ("m_3", ImportErrorKind.OutOfRange), ("m_6", ImportErrorKind.NegativeValue), ("m_8", ImportErrorKind.EmptyField)],
            report.SkippedMachines);
        Assert.Equal(4, report.NoteOf("machines_without_valid_rows"));
        Assert.Empty(report.SkippedFiles);
    }

    [Fact]
    public void Alibaba_CleanSample_Lenient_NamesNoMachine()
    {
        using var dir = new TempDir();
        var report = AlibabaImporter.Import(RealTraces.Path("alibaba-2018-machine-usage/machine_usage.csv"), dir.File("o.dmt"), new AlibabaImportOptions { HostMb = 65_536, Lenient = true });
        Assert.Equal(0, report.SkippedTotal);
        Assert.Empty(report.SkippedMachines);
        Assert.Equal(0, report.NoteOf("machines_without_valid_rows"));
    }

    [Fact]
    public void Cli_Alibaba_LenientMachinesWithEveryRowSkipped_AreNamed()
    {
        using var dir = new TempDir();
        string file = dir.Write("machine_usage.csv", Rows);
        var (exit, output, err) = CliTests.Run("import", "alibaba", file, "-o", dir.File("o.dmt"), "--host-mb", "4096", "--lenient");
        Assert.True(exit == 0, err);
        Assert.Contains("machines with every row skipped (--lenient): 'm_2' (NotANumber), 'm_3' (OutOfRange), 'm_6' (NegativeValue) and 1 more", output, StringComparison.Ordinal);
    }
}

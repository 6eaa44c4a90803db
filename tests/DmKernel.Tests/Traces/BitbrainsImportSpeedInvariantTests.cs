using DmKernel.Traces;

namespace DmKernel.Tests.Traces;

/// <summary>
/// The Bitbrains importer's fast path (raw bytes, files read in parallel) must give the trace and report of the
/// general (Sep) path byte for byte, for clean files and for every quirk that sends a file back to the general path.
/// </summary>
public sealed class BitbrainsImportSpeedInvariantTests
{
    private const string Header =
        "Timestamp [ms];\tCPU cores;\tCPU capacity provisioned [MHZ];\tCPU usage [MHZ];\tCPU usage [%];\tMemory capacity provisioned [KB];\tMemory usage [KB];\tDisk read throughput [KB/s];\tDisk write throughput [KB/s];\tNetwork received throughput [KB/s];\tNetwork transmitted throughput [KB/s]\n";

    private static string Row(string time, string capacityKb, string usageKb, string sep = ";\t", string eol = "\n") =>
        $"{time}{sep}2{sep}5199.998618{sep}57.199984798{sep}1.1{sep}{capacityKb}{sep}{usageKb}{sep}0.0{sep}2.466666666666667{sep}0.06666666666666667{sep}0.06666666666666667{eol}";

    /// <summary>A clean file with off rows, duplicates, usage above capacity, zero usage and long fractions.</summary>
    private static string Clean(long start, int rows)
    {
        var sb = new System.Text.StringBuilder(Header);
        long t = start;
        for (int i = 0; i < rows; i++)
        {
            string capacity = i % 17 == 0 ? "0.0" : i % 5 == 0 ? "5643884.27" : "8388608.0";
            string usage = i % 11 == 0 ? "0.0" : i % 13 == 0 ? "9999999.5" : (139808.53333333333 + (i * 1234.56789)).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            sb.Append(Row(t.ToString(System.Globalization.CultureInfo.InvariantCulture), capacity, usage));
            if (i % 9 != 0)
                t += 300 + (i % 7 == 0 ? 1 : 0);
        }

        return sb.ToString();
    }

    public static TheoryData<string, string> Variants => new()
    {
        { "clean", Clean(1375308176, 200) },
        { "crlf", Header.Replace("\n", "\r\n", StringComparison.Ordinal) + Row("1000", "2097152.0", "1048576.0", eol: "\r\n") + Row("1300", "2097152.0", "1.5e5", eol: "\r\n") },
        { "bom", "\uFEFF" + Header + Row("1000", "2097152.0", "1048576.0") },
        { "no final LF", Header + Row("1000", "2097152.0", "1048576.0") + Row("1300", "2097152.0", "1048576.0", eol: "") },
        { "spaces", Header + Row(" 1000 ", " 2097152.0\t", "\t1048576.0 ", sep: " ; ") },
        { "signs and exponents", Header + Row("+1000", "+2.097152E6", "1e6") + Row("1300", "-0.0", "0") + Row("1600", "2097152", ".5") },
        { "leading zeros", Header + Row("0001000", "0002097152.000", "001048576.0") },
        { "vertical tab", Header + Row("\v1000", "2097152.0\f", "\v1048576.0") },
        { "non-ascii in other field", Header + Row("1000", "2097152.0", "1048576.0").Replace("57.199984798", "57,2\u00e9", StringComparison.Ordinal) },
        { "empty line", Header + Row("1000", "2097152.0", "1048576.0") + "\n" + Row("1300", "2097152.0", "1048576.0") },
        { "header only", Header },
        { "bad header", "Time;\tx\n" + Row("1000", "2097152.0", "1048576.0") },
        { "backwards", Header + Row("1300", "2097152.0", "1048576.0") + Row("1000", "2097152.0", "1048576.0") + Row("1600", "2097152.0", "1048576.0") },
        { "too large time", Header + Row("99999999999", "2097152.0", "1048576.0") + Row("1600", "2097152.0", "1048576.0") },
        { "negative", Header + Row("1000", "2097152.0", "-1.0") + Row("1300", "-2097152.0", "1048576.0") + Row("1600", "2097152.0", "1048576.0") },
        { "not a number", Header + Row("1000", "lots", "1048576.0") + Row("1300", "2097152.0", "NaN") + Row("1600", "2097152.0", "1048576.0") },
        { "empty fields", Header + Row("", "2097152.0", "1048576.0") + Row("1300", "", "1048576.0") + Row("1600", "2097152.0", "1048576.0") },
        { "wrong field count", Header + Row("1000", "2097152.0", "1048576.0") + "1300;\t2;\t5199.99\n" + Row("1600", "2097152.0", "1048576.0;\t7") },
        { "quotes", Header + Row("1000", "\"2097152.0\"", "1048576.0") + Row("1300", "2097152.0", "1048576.0") },
        { "long field", Header + Row("1000", "2097152." + new string('0', 80), "1048576." + new string('5', 100)) },
        { "all off", Header + Row("1000", "0.0", "0.0") + Row("1300", "0", "5.0") },
        { "demand clamped", Header + Row("1000", "99999999999999.0", "99999999999990.0") },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void FastPath_MatchesGeneralPath_TraceReportAndError(string name, string text)
    {
        using var dir = new TempDir();
        dir.Write("2013-8/1.csv", Clean(1375308000, 50));
        dir.Write("2013-8/2.csv", text);
        dir.Write("2013-8/3.csv", Clean(1375400000, 80));
        foreach (bool lenient in new[] { true, false })
        {
            var general = Run(dir, name + "-general", new BitbrainsImportOptions { Lenient = lenient, GeneralPathOnly = true });
            foreach (int threads in new[] { 1, 2, 3 })
            {
                var fast = Run(dir, name + "-fast" + threads, new BitbrainsImportOptions { Lenient = lenient, ReadThreads = threads });
                Assert.Equal(general.Error, fast.Error);
                Assert.Equal(general.Report, fast.Report);
                Assert.True(general.Bytes.AsSpan().SequenceEqual(fast.Bytes), $"{name}, lenient {lenient}, {threads} thread(s): the traces differ");
            }
        }
    }

    [Fact]
    public void RealSamples_FastAndGeneralPathsGiveTheSameTrace()
    {
        string folder = RealTraces.Path("bitbrains-gwa-t-12-rnd");
        using var dir = new TempDir();
        string general = dir.File("general.dmt"), fast = dir.File("fast.dmt");
        var a = BitbrainsImporter.Import(folder, general, new BitbrainsImportOptions { GeneralPathOnly = true, PlaceOnHostMb = 1_048_576 });
        var b = BitbrainsImporter.Import(folder, fast, new BitbrainsImportOptions { PlaceOnHostMb = 1_048_576 });
        Assert.Equal(Describe(a), Describe(b));
        Assert.Equal(File.ReadAllBytes(general), File.ReadAllBytes(fast));
    }

    private static (string? Error, string Report, byte[] Bytes) Run(TempDir dir, string name, BitbrainsImportOptions options)
    {
        string output = Path.Combine(Path.GetTempPath(), "dmkernel-speed-" + Guid.NewGuid().ToString("N") + ".dmt");
        try
        {
            var report = BitbrainsImporter.Import(dir.Path, output, options);
            return (null, Describe(report), File.ReadAllBytes(output));
        }
        catch (TraceImportException e)
        {
            return ($"{e.Kind} {e.File} {e.Line} {e.Column} {e.Message}", "", []);
        }
        finally
        {
            File.Delete(output);
        }
    }

    private static string Describe(ImportReport r)
        => $"files {r.Files} rows {r.RowsRead} vms {r.Vms} hosts {r.Hosts} ticks {r.Ticks} skipped [{string.Join(", ", r.Skipped.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}"))}] notes [{string.Join(", ", r.Notes.Select(kv => $"{kv.Key}={kv.Value}"))}]";
}

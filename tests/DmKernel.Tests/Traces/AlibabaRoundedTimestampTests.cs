using System.Globalization;
using DmKernel.Traces;

namespace DmKernel.Tests.Traces;

/// <summary>
/// Timestamps a spreadsheet rounded to E-notation (386640 shown and saved as 3.87E+05) collapse most rows onto a few
/// times, read as duplicates (the last row wins): the import says so rather than only counting them.
/// </summary>
public sealed class AlibabaRoundedTimestampTests
{
    private static string Write(TempDir dir, bool round)
    {
        var lines = File.ReadLines(RealTraces.Path("alibaba-2018-machine-usage/machine_usage.csv")).Take(10_518).Select(line =>
        {
            if (!round)
                return line;
            string[] f = line.Split(',');
            f[1] = double.Parse(f[1], CultureInfo.InvariantCulture).ToString("0.00E+00", CultureInfo.InvariantCulture);
            return string.Join(',', f);
        });
        string path = dir.File("machine_usage.csv");
        File.WriteAllText(path, string.Concat(lines.Select(l => l + "\n")));
        return path;
    }

    [Fact]
    public void Alibaba_TimestampsRoundedToENotation_AreWarnedAbout()
    {
        using var dir = new TempDir();
        var report = AlibabaImporter.Import(Write(dir, round: true), dir.File("o.dmt"), new AlibabaImportOptions { HostMb = 65_536 });
        Assert.True(report.NoteOf("duplicate_timestamps") > 8_000);
        string warning = Assert.Single(report.Warnings, w => w.Contains("duplicate", StringComparison.Ordinal));
        Assert.Contains("rounded", warning, StringComparison.Ordinal);
        Assert.Contains("E-notation", warning, StringComparison.Ordinal);
        Assert.Equal(2, report.NoteOf("machines_mostly_duplicate_timestamps"));
    }

    [Fact]
    public void Alibaba_CleanSample_HasNoDuplicateWarning()
    {
        using var dir = new TempDir();
        var report = AlibabaImporter.Import(Write(dir, round: false), dir.File("o.dmt"), new AlibabaImportOptions { HostMb = 65_536 });
        Assert.Equal(0, report.NoteOf("duplicate_timestamps"));
        Assert.DoesNotContain(report.Warnings, w => w.Contains("duplicate", StringComparison.Ordinal));
    }

    [Fact]
    public void Alibaba_AMachineOfAFewRows_OneRepeatedTime_IsNotWarnedAbout()
    {
        // One repeated time among three rows is above 10 % but no sign of rounding; the clean sample's rows come first.
        using var dir = new TempDir();
        string path = Write(dir, round: false);
        File.AppendAllText(path, "m_9,100,10,20,,,,,\nm_9,100,10,21,,,,,\nm_9,160,10,22,,,,,\n");
        var report = AlibabaImporter.Import(path, dir.File("o.dmt"), new AlibabaImportOptions { HostMb = 65_536 });
        Assert.Equal(1, report.NoteOf("duplicate_timestamps"));
        Assert.DoesNotContain(report.Warnings, w => w.Contains("duplicate", StringComparison.Ordinal));
        Assert.Equal(0, report.NoteOf("machines_mostly_duplicate_timestamps"));
    }
}

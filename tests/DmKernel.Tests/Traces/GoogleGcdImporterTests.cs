using System.Globalization;
using DmKernel.Traces;

namespace DmKernel.Tests.Traces;

public sealed class GoogleGcdImporterTests
{
    private const int Size = 4096;
    private static readonly char[] Space = [' '];

    private static string Folder => RealTraces.Path("google-2011-gcd-vms");

    private static double[] Mem(string file) =>
        [.. File.ReadLines(Path.Combine(Folder, "GCD_VMs", file)).Select(l => double.Parse(l.Split(Space)[1], CultureInfo.InvariantCulture))];

    private static int Demand(double pct) => (int)Math.Round(pct / 100 * Size, MidpointRounding.AwayFromZero);

    private static (ImportReport Report, TraceData Data) Import(GoogleGcdImportOptions? options = null)
    {
        using var dir = new TempDir();
        string output = dir.File("gcd.dmt");
        var report = GoogleGcdImporter.Import(Folder, output, options ?? new GoogleGcdImportOptions { VmSizeMb = Size });
        return (report, TraceData.Load(output));
    }

    [Fact]
    public void NoHeaderNoTimestamps_RowIIsSlotITimes300s_DaysConcatenatedInNumericOrder()
    {
        var (report, data) = Import();
        Assert.Equal(["vm_3418442", "vm_4857081234"], data.Vms.Select(v => v.Id));
        Assert.Equal(20, report.Files);
        Assert.Equal(20 * 288, report.RowsRead); // 2 VMs × 10 day files of 288 five-minute rows
        Assert.Equal(10 * 288, data.Header.TickCount);
        Assert.Equal(300, data.Header.TickSeconds);
        for (int day = 1; day <= 10; day++)
        {
            var mem = Mem($"vm_3418442_{day}");
            Assert.Equal(288, mem.Length);
            for (int i = 0; i < 288; i += 37)
                Assert.Equal(Demand(mem[i]), data.Ticks[(day - 1) * 288 + i][0]);
            Assert.Equal(Demand(mem[287]), data.Ticks[(day * 288) - 1][0]);
        }
    }

    [Fact]
    public void MemoryAbove100Percent_IsKept()
    {
        var (report, data) = Import();
        Assert.True(report.NoteOf("memory_above_100_percent") > 0);
        var series = data.Series(1);
        Assert.Contains(series, v => v > Size);
        var day2 = Mem("vm_4857081234_2");
        int i = Array.FindIndex(day2, m => m > 100);
        Assert.Equal(Demand(day2[i]), series[288 + i]);
    }

    [Fact]
    public void VmSizeIsTheGivenSize_AndRecorded()
    {
        var (_, data) = Import(new GoogleGcdImportOptions { VmSizeMb = 8192, PlaceOnHostMb = 16384, PlacementReserveMb = 0 });
        Assert.All(data.Vms, v => Assert.Equal(VmSettings.Dynamic(8192, 2048, 8192), v.Settings));
        Assert.Equal("8192", data.Header.Metadata["gcd.vm_size_mb"]);
        Assert.Single(data.Hosts);
        Assert.Equal(new TraceHost(16384, 0), data.Hosts[0]);
    }

    [Fact]
    public void MissingDay_IsOffAfterTheHoldLimit()
    {
        using var dir = new TempDir();
        foreach (int day in new[] { 1, 3 })
            File.Copy(Path.Combine(Folder, "GCD_VMs", $"vm_3418442_{day}"), dir.File($"vm_3418442_{day}"));
        string output = dir.File("out.dmt");
        GoogleGcdImporter.Import(dir.Path, output, new GoogleGcdImportOptions { VmSizeMb = Size });
        var series = TraceData.Load(output).Series(0);
        Assert.Equal(3 * 288, series.Length);
        Assert.NotEqual(-1, series[287 + 3]); // held 3 slots into day 2
        Assert.All(series[(287 + 4)..576], v => Assert.Equal(-1, v));
        Assert.NotEqual(-1, series[576]);
    }

    [Fact]
    public void AFolderStartingAtALaterDay_StartsAtThatDaysMidnight_NotOffForTheDaysBefore()
    {
        // A reviewer's folder of days 6..10: tick 0 was midnight of day 1, so every VM was off for five days (half the trace),
        // which compare's draws spread among the hosts as off time. Now tick 0 is midnight of the earliest day held (day 6).
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("in"));
        foreach (int day in new[] { 6, 7 })
            File.Copy(Path.Combine(Folder, "GCD_VMs", $"vm_3418442_{day}"), dir.File($"in/vm_3418442_{day}"));
        File.Copy(Path.Combine(Folder, "GCD_VMs", "vm_3418442_8"), dir.File("in/vm_9_8"));
        string output = dir.File("out.dmt");
        GoogleGcdImporter.Import(dir.File("in"), output, new GoogleGcdImportOptions { VmSizeMb = Size });
        var data = TraceData.Load(output);
        Assert.Equal(3 * 288, data.Header.TickCount);                    // days 6, 7 and 8, not 1..8
        Assert.All(data.Series(data.VmIndex("vm_3418442"))[..(2 * 288)], v => Assert.NotEqual(-1, v));
        Assert.Equal(2 * 288, data.Series(data.VmIndex("vm_9")).Count(v => v == -1)); // job 9 holds day 8 alone: off on days 6 and 7

        // Its first value is row 0 of day 6 (memory % of 4096 MB, as every row).
        string first = File.ReadLines(Path.Combine(Folder, "GCD_VMs", "vm_3418442_6")).First();
        double mem = double.Parse(first.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal((int)Math.Round(mem / 100 * Size, MidpointRounding.AwayFromZero), data.Series(data.VmIndex("vm_3418442"))[0]);

        // A start the caller gives still wins.
        string fromDayOne = dir.File("from1.dmt");
        GoogleGcdImporter.Import(dir.File("in"), fromDayOne, new GoogleGcdImportOptions { VmSizeMb = Size, StartSeconds = 0 });
        Assert.Equal(8 * 288, TraceData.Load(fromDayOne).Header.TickCount);
    }

    [Fact]
    public void MemoryOfExactly100Percent_IsNotAbove100_MoreIsKeptAndCounted()
    {
        // docs/importers.md: memory above 100 % is kept (demand above the VM size) and counted in memory_above_100_percent.
        // Slot 0 at 100 % (4096 MB) is not above; slot 1 at 100.5 % (4116.48 → 4116 MB) is; the rest at 50 % (2048 MB).
        using var dir = new TempDir();
        string rows = "1.0 100\n1.0 100.5\n" + string.Concat(Enumerable.Repeat("1.0 50\n", 286));
        dir.Write("in/vm_1_1", rows);
        string output = dir.File("t.dmt");
        var report = GoogleGcdImporter.Import(dir.File("in"), output, new GoogleGcdImportOptions { VmSizeMb = Size });
        Assert.Equal(1, report.NoteOf("memory_above_100_percent"));
        int[] series = TraceData.Load(output).Series(0);
        Assert.Equal([4096, 4116, 2048], series[..3]);
    }
}

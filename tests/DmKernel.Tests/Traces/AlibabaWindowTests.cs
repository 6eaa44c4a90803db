using System.Globalization;
using System.Text;
using DmKernel.Traces;

namespace DmKernel.Tests.Traces;

/// <summary>
/// A window cut from machine_usage.csv without rebasing its time_stamp imports as the same window rebased: tick 0 is the
/// earliest sample's time (since stop 61; before, always 0 s, so days 2–8 cut with awk began with two empty days that
/// compare counted as every machine's off time, 11 → 13 VMs per host).
/// </summary>
public sealed class AlibabaWindowTests
{
    private static string Rows(long shift)
    {
        var text = new StringBuilder();
        for (int i = 0; i < 120; i++)
        {
            long t = 30 + (i * 60L) + shift;
            text.Append(CultureInfo.InvariantCulture, $"m_1,{t},41,{40 + (i % 17)},,,1,1,1\n");
            if (i >= 10)
                text.Append(CultureInfo.InvariantCulture, $"m_2,{t + 7},41,{60 - (i % 13)},,,1,1,1\n");
        }

        return text.ToString();
    }

    [Fact]
    public void AWindowNotRebased_ImportsAsTheWindowRebased_ItsOriginRecorded()
    {
        using var dir = new TempDir();
        const long Shift = 172_800; // days 2..: a window cut with awk '$2 >= 172800'
        dir.Write("rebased.csv", Rows(0));
        dir.Write("window.csv", Rows(Shift));
        var options = new AlibabaImportOptions { HostMb = 65_536 };
        AlibabaImporter.Import(dir.File("rebased.csv"), dir.File("rebased.dmt"), options);
        AlibabaImporter.Import(dir.File("window.csv"), dir.File("window.dmt"), options);
        TraceData rebased = TraceData.Load(dir.File("rebased.dmt")), window = TraceData.Load(dir.File("window.dmt"));

        Assert.Equal(rebased.Header.TickCount, window.Header.TickCount); // before: 2 880 more ticks (two days of 60 s)
        Assert.Equal(rebased.Series(0), window.Series(0));
        Assert.Equal(rebased.Series(1), window.Series(1));
        Assert.Equal("30", rebased.Header.Metadata["resample.start_seconds"]);
        Assert.Equal("172830", window.Header.Metadata["resample.start_seconds"]);
        Assert.NotEqual(-1, window.Series(0)[0]);
    }

    [Theory]
    [InlineData(60)]
    [InlineData(300)]
    [InlineData(3600)]
    public void AtAnyTick_TheFirstMachineIsOnAtTickZero_AndTheWindowIsTheWindowRebased(int tickSeconds)
    {
        // A review at stop 61: with the origin rounded down to the tick grid (172 800 s), a first sample at 172 830 s came
        // more than a sample period after it at 300-s ticks: tick 0 empty, every machine booting at tick 1.
        using var dir = new TempDir();
        dir.Write("rebased.csv", Rows(0));
        dir.Write("window.csv", Rows(172_800));
        var options = new AlibabaImportOptions { HostMb = 65_536, TickSeconds = tickSeconds };
        AlibabaImporter.Import(dir.File("rebased.csv"), dir.File("rebased.dmt"), options);
        AlibabaImporter.Import(dir.File("window.csv"), dir.File("window.dmt"), options);
        TraceData rebased = TraceData.Load(dir.File("rebased.dmt")), window = TraceData.Load(dir.File("window.dmt"));
        Assert.NotEqual(-1, window.Series(0)[0]);
        Assert.Equal(rebased.Series(0), window.Series(0));
        Assert.Equal(rebased.Series(1), window.Series(1));
    }

    [Fact]
    public void AGivenStart_IsKept()
    {
        using var dir = new TempDir();
        dir.Write("window.csv", Rows(172_800));
        AlibabaImporter.Import(dir.File("window.csv"), dir.File("w.dmt"), new AlibabaImportOptions { HostMb = 65_536, StartSeconds = 0 });
        TraceData w = TraceData.Load(dir.File("w.dmt"));
        Assert.Equal("0", w.Header.Metadata["resample.start_seconds"]);
        Assert.All(w.Series(0)[..2880], v => Assert.Equal(-1, v));
    }
}

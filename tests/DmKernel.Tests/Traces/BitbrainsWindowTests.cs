using System.Text;
using DmKernel.Traces;

using static DmKernel.Tests.Traces.BitbrainsText;

namespace DmKernel.Tests.Traces;

/// <summary>
/// The trace spans the samples of the VMs that are on at some sample: a VM never on (capacity 0 in every row) whose rows
/// start earlier or end later than the others' no longer adds ticks with no VM on (a metamorphic review at stop 61: one
/// capacity-0 row a day early added 288 such ticks, and replay's means over ticks fell 3.2 %; compare counted them as
/// every drawn VM's off time).
/// </summary>
public sealed class BitbrainsWindowTests
{
    private const long Start = 1_375_308_000;

    private static string Vm(int seed, int rows = 48)
    {
        var text = new StringBuilder(Header);
        for (int i = 0; i < rows; i++)
            text.Append(Row(Start + (i * 300L), 4_194_304, 1_048_576 + (((i * 37) + (seed * 101)) % 40 * 10_240)));
        return text.ToString();
    }

    [Fact]
    public void AVmNeverOn_WhoseRowsStartEarlierAndEndLater_DoesNotWidenTheTrace()
    {
        using var dir = new TempDir();
        foreach (string folder in new[] { "plain", "wide" })
        {
            dir.Write($"{folder}/1.csv", Vm(1));
            dir.Write($"{folder}/2.csv", Vm(2));
        }

        // The never-on VM: within the others' span in "plain", a day before and a day after it in "wide".
        dir.Write("plain/9.csv", Header + Row(Start + 600, 0, 0) + Row(Start + 900, 0, 0));
        dir.Write("wide/9.csv", Header + Row(Start - 86_400, 0, 0) + Row(Start + (47 * 300) + 86_400, 0, 0));
        BitbrainsImporter.Import(dir.File("plain"), dir.File("plain.dmt"));
        BitbrainsImporter.Import(dir.File("wide"), dir.File("wide.dmt"));
        TraceData plain = TraceData.Load(dir.File("plain.dmt")), wide = TraceData.Load(dir.File("wide.dmt"));

        Assert.Equal(48, plain.Header.TickCount);
        Assert.Equal(plain.Header.TickCount, wide.Header.TickCount); // before: 48 + 2 × 288
        Assert.Equal(plain.Header.Metadata["resample.start_seconds"], wide.Header.Metadata["resample.start_seconds"]);
        for (int v = 0; v < 3; v++)
            Assert.Equal(plain.Series(v), wide.Series(v));
        Assert.All(wide.Series(2), x => Assert.Equal(TraceValues.Off, x));
    }

    [Fact]
    public void AVmOnAtOtherTimes_WhoseOffRowsStartEarlierAndEndLater_DoesNotWidenTheTrace()
    {
        // The review of this fix: a VM that is on at other times but has one capacity-0 row a day early still added 288 empty
        // ticks (replay's mean assigned 152.6 -> 147.7 GB).
        using var dir = new TempDir();
        foreach (string folder in new[] { "plain", "wide" })
            dir.Write($"{folder}/1.csv", Vm(1));
        dir.Write("plain/2.csv", Vm(2));
        var wide = new StringBuilder(Header).Append(Row(Start - 86_400, 0, 0));
        wide.Append(Vm(2)[Header.Length..]).Append(Row(Start + (47 * 300) + 86_400, 0, 0));
        dir.Write("wide/2.csv", wide.ToString());
        BitbrainsImporter.Import(dir.File("plain"), dir.File("plain.dmt"));
        BitbrainsImporter.Import(dir.File("wide"), dir.File("wide.dmt"));
        TraceData p = TraceData.Load(dir.File("plain.dmt")), w = TraceData.Load(dir.File("wide.dmt"));
        Assert.Equal(p.Header.TickCount, w.Header.TickCount); // before this fix: 48 + 2 × 288
        Assert.Equal(p.Header.Metadata["resample.start_seconds"], w.Header.Metadata["resample.start_seconds"]);
        Assert.Equal(p.Series(0), w.Series(0));
        Assert.Equal(p.Series(1), w.Series(1));
    }

    [Fact]
    public void AStartGivenAfterEverySampleOn_RunsToTheLastRow_NotZeroTicks()
    {
        // A review: with StartSeconds after the last sample on, the trace had 0 ticks and no error (before, it ran to the last row).
        using var dir = new TempDir();
        dir.Write("s/1.csv", Vm(1, rows: 4) + Row(Start + 3000, 0, 0));
        BitbrainsImporter.Import(dir.File("s"), dir.File("s.dmt"), new BitbrainsImportOptions { StartSeconds = Start + 1500 });
        TraceData s = TraceData.Load(dir.File("s.dmt"));
        Assert.Equal(6, s.Header.TickCount); // 1 500 .. 3 000 s
        Assert.Equal(TraceValues.Off, s.Series(0)[^1]); // the capacity-0 row at 3 000 s
    }

    [Fact]
    public void EveryVmNeverOn_TheTraceSpansTheirRows_AsBefore()
    {
        using var dir = new TempDir();
        dir.Write("off/1.csv", Header + Row(Start, 0, 0) + Row(Start + 3000, 0, 0));
        BitbrainsImporter.Import(dir.File("off"), dir.File("off.dmt"));
        TraceData off = TraceData.Load(dir.File("off.dmt"));
        Assert.Equal(11, off.Header.TickCount);
    }
}

using System.Globalization;
using System.Text;
using DmKernel.Traces;

namespace DmKernel.Tests.Traces;

/// <summary>
/// The collection's start (docs/importers.md, "Resampling"): a VM whose first sample comes within one nominal period of
/// the trace's start was on before it, so it is on from tick 0 with that sample's value, not off until it (before stop
/// 56 a review's Bitbrains month with each VM's samples shifted by 0-299 s booted every VM in tick 1, and compare's
/// Dynamic Memory needed 16 hosts instead of 5). A VM whose first sample comes later starts there, as before.
/// </summary>
public sealed class CollectionStartTests
{
    private const string Header =
        "Timestamp [ms];\tCPU cores;\tCPU capacity provisioned [MHZ];\tCPU usage [MHZ];\tCPU usage [%];\tMemory capacity provisioned [KB];\tMemory usage [KB];\tDisk read throughput [KB/s];\tDisk write throughput [KB/s];\tNetwork received throughput [KB/s];\tNetwork transmitted throughput [KB/s]\n";

    /// <summary>A VM's file: 12 samples every 300 s from <paramref name="first"/>, 4 GB provisioned, usage 1 GB + 1 MB × its index.</summary>
    private static void WriteVm(TempDir dir, int vm, long first)
    {
        var sb = new StringBuilder(Header);
        for (int i = 0; i < 12; i++)
            sb.Append(CultureInfo.InvariantCulture, $"{first + (i * 300)};\t2;\t5199.99;\t57.19;\t1.1;\t4194304.0;\t{(1024 + vm) * 1024}.0;\t0.0;\t2.46;\t0.06;\t0.06\n");
        dir.Write(string.Create(CultureInfo.InvariantCulture, $"in/{vm}.csv"), sb.ToString());
    }

    [Fact]
    public void VmsWhoseFirstSampleComesWithinAPeriodOfTheStart_AreOnFromTickZero()
    {
        using var tmp = new TempDir();
        const long T0 = 1_375_308_000;
        long[] offsets = [0, 1, 150, 299, 420, 900]; // the last two: more than a period (+ the 2-s tolerance) after the start
        for (int vm = 0; vm < offsets.Length; vm++)
            WriteVm(tmp, vm, T0 + offsets[vm]);
        ImportReport report = BitbrainsImporter.Import(tmp.File("in"), tmp.File("t.dmt"), new BitbrainsImportOptions());
        using NativeTraceReader reader = NativeTraceReader.Open(tmp.File("t.dmt"));

        // Demand: usage + min(512 MB, 25 % of 4 GB), the Bitbrains default model.
        int[] on = [.. Enumerable.Range(0, offsets.Length).Select(vm => 1024 + vm + 512)];
        var tick = new int[offsets.Length];
        Assert.True(reader.ReadTick(tick));
        Assert.Equal([on[0], on[1], on[2], on[3], -1, -1], tick); // tick 0: the first four on, 150 s and 299 s back-filled (1 s is within the 2-s tolerance)
        Assert.True(reader.ReadTick(tick));
        Assert.Equal([on[0], on[1], on[2], on[3], -1, -1], tick); // tick 1 (300 s): 420 s is still to come
        Assert.True(reader.ReadTick(tick));
        Assert.Equal([on[0], on[1], on[2], on[3], on[4], -1], tick); // tick 2 (600 s): the VM of 420 s starts, as before
        Assert.Equal(2, report.NoteOf("vms_filled_at_start"));
        Assert.Equal(2, report.NoteOf("ticks_filled_at_start"));
    }
}

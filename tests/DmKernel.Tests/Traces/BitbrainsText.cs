using System.Globalization;

namespace DmKernel.Tests.Traces;

/// <summary>Bitbrains GWA-T-12 file text for small import tests: the header line and a row of given memory columns.</summary>
internal static class BitbrainsText
{
    /// <summary>The header line of a Bitbrains per-VM CSV (";\t"-separated, as the dataset writes it).</summary>
    public const string Header = "Timestamp [ms];\tCPU cores;\tCPU capacity provisioned [MHZ];\tCPU usage [MHZ];\tCPU usage [%];\tMemory capacity provisioned [KB];\tMemory usage [KB];\tDisk read throughput [KB/s];\tDisk write throughput [KB/s];\tNetwork received throughput [KB/s];\tNetwork transmitted throughput [KB/s]\n";

    /// <summary>A row at <paramref name="time"/> (the header's "ms" are seconds) with the memory capacity and usage given, in KB.</summary>
    public static string Row(long time, long capacityKb, long usageKb) => string.Create(CultureInfo.InvariantCulture, $"{time};\t2;\t4000;\t100;\t2.5;\t{capacityKb};\t{usageKb};\t0;\t0;\t0;\t0\n");
}

using System.Globalization;
using System.Text;

namespace DmKernel.Benchmarks;

/// <summary>
/// Writes a seeded synthetic folder in the exact Bitbrains GWA-T-12 per-VM format
/// (traces/real/bitbrains-gwa-t-12-rnd/SOURCE.md): the verbatim header, ";\t" separators, LF line endings,
/// Unix seconds 300 s apart, one step in 25 a second late (drift) and one in 40 followed by a 300–1 500 s gap,
/// fractional KB values printed round-trip (many digits, like the real files), occasional duplicate timestamps,
/// VMs that are off for a while, VMs whose capacity changes, and VMs that start late or stop early.
/// </summary>
internal static class BitbrainsSynth
{
    /// <summary>The command-line flag: <c>--bitbrains-synth FOLDER VMS ROWS SEED</c>.</summary>
    public const string Flag = "--bitbrains-synth";

    /// <summary>
    /// <c>--bitbrains-synth FOLDER VMS ROWS SEED</c>: writes <see cref="Write"/>'s folder (the import memory measurements of
    /// docs/importers.md use 500 VMs of 8 600 and of 86 000 rows); prints the bytes written. Exit code 2 on bad arguments.
    /// </summary>
    public static int Run(string[] args)
    {
        var ic = CultureInfo.InvariantCulture;
        if (args.Length != 5 || !int.TryParse(args[2], NumberStyles.None, ic, out int vms) || !int.TryParse(args[3], NumberStyles.None, ic, out int rows)
            || !int.TryParse(args[4], NumberStyles.None, ic, out int seed) || vms < 1 || rows < 2)
        {
            Console.Error.WriteLine($"usage: {Flag} FOLDER VMS ROWS SEED (VMS >= 1, ROWS >= 2, SEED >= 0)");
            return 2;
        }

        long bytes = Write(args[1], vms, rows, seed);
        Console.WriteLine(string.Create(ic, $"{args[1]}: {vms} VM files of about {rows} rows, {bytes} bytes"));
        return 0;
    }

    private const string Header = "Timestamp [ms];\tCPU cores;\tCPU capacity provisioned [MHZ];\tCPU usage [MHZ];\tCPU usage [%];\tMemory capacity provisioned [KB];\tMemory usage [KB];\tDisk read throughput [KB/s];\tDisk write throughput [KB/s];\tNetwork received throughput [KB/s];\tNetwork transmitted throughput [KB/s]";

    /// <summary>Writes <paramref name="vms"/> files of about <paramref name="rows"/> rows each under <paramref name="folder"/>/2013-8; returns the bytes written.</summary>
    public static long Write(string folder, int vms, int rows, int seed)
    {
        var ic = CultureInfo.InvariantCulture;
        string month = Path.Combine(folder, "2013-8");
        Directory.CreateDirectory(month);
        var rng = new Random(seed);
        long bytes = 0;
        var sb = new StringBuilder(rows * 140);
        for (int vm = 0; vm < vms; vm++)
        {
            sb.Clear();
            sb.Append(Header).Append('\n');
            int cores = 1 << rng.Next(0, 6);
            double coreMhz = 2599.999 + rng.NextDouble();
            double capacityKb = (1L << rng.Next(20, 27)) * 1.0; // 1 GiB .. 64 GiB
            bool changing = rng.Next(4) == 0;
            int first = rng.Next(8) == 0 ? rng.Next(rows / 2) : 0; // starts late
            int last = rng.Next(8) == 0 ? rows - rng.Next(rows / 2) : rows; // stops early
            int offFrom = rng.Next(6) == 0 ? rng.Next(first, last) : int.MaxValue;
            int offTo = offFrom == int.MaxValue ? offFrom : offFrom + rng.Next(50, 2000);
            long time = 1375308176 + rng.Next(0, 120) + (300L * first);
            double usageKb = capacityKb * rng.NextDouble() * 0.5;
            for (int r = first; r < last; r++)
            {
                bool off = r >= offFrom && r < offTo;
                if (changing && rng.Next(20) == 0)
                    capacityKb = Math.Max(65536, capacityKb + ((rng.NextDouble() - 0.5) * 65536));
                usageKb = Math.Clamp(usageKb + ((rng.NextDouble() - 0.5) * capacityKb * 0.05), 0, capacityKb * 1.01);
                double cpuCap = cores * coreMhz;
                double cpuUse = off ? 0 : cpuCap * rng.NextDouble() * 0.3;
                sb.Append(time.ToString(ic)).Append(";\t")
                    .Append((off ? 0 : cores).ToString(ic)).Append(";\t")
                    .Append(Num(off ? 0 : cpuCap)).Append(";\t")
                    .Append(Num(cpuUse)).Append(";\t")
                    .Append(Num(off ? 0 : Math.Round(cpuUse / cpuCap * 100, 1))).Append(";\t")
                    .Append(Num(off ? 0 : changing ? capacityKb : Math.Round(capacityKb))).Append(";\t")
                    .Append(Num(off ? 0 : rng.Next(10) == 0 ? 0 : usageKb)).Append(";\t")
                    .Append(Num(rng.Next(3) == 0 ? 0 : rng.NextDouble() * 500)).Append(";\t")
                    .Append(Num(rng.NextDouble() * 80)).Append(";\t")
                    .Append(Num(rng.NextDouble() * 20)).Append(";\t")
                    .Append(Num(rng.NextDouble() * 20)).Append('\n');
                if (rng.Next(50) == 0)
                    continue; // the next row repeats this timestamp (a duplicate: the last row wins)
                time += 300 + (rng.Next(25) == 0 ? 1 : 0) + (rng.Next(40) == 0 ? rng.Next(300, 1500) : 0);
            }

            byte[] data = Encoding.ASCII.GetBytes(sb.ToString());
            File.WriteAllBytes(Path.Combine(month, string.Create(ic, $"{vm + 1}.csv")), data);
            bytes += data.Length;
        }

        return bytes;
    }

    /// <summary>Like the real files: whole numbers keep ".0", fractions print with every digit.</summary>
    private static string Num(double v)
    {
        string s = v.ToString("R", CultureInfo.InvariantCulture);
        return s.Contains('.', StringComparison.Ordinal) || s.Contains('E', StringComparison.Ordinal) ? s : s + ".0";
    }
}

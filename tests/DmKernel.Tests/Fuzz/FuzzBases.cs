using System.Globalization;
using System.Text;
using DmKernel.Tests.Traces;

namespace DmKernel.Tests.Fuzz;

/// <summary>
/// Valid base inputs for the importers: the first lines of the real samples (shared/traces/real) when they are
/// found; otherwise (outside CI) synthesized ones of the same shape. Under CI=true missing samples fail.
/// </summary>
internal static class FuzzBases
{
    private static bool UseReal => RealTraces.Root is not null || RealTraces.IsCi;

    private static byte[] FirstLines(string path, int lines) =>
        Encoding.UTF8.GetBytes(string.Concat(File.ReadLines(path).Take(lines).Select(l => l + "\n")));

    /// <summary>Two per-VM files (relative path, bytes): header + 24 rows each.</summary>
    public static IReadOnlyList<(string Name, byte[] Bytes)> Bitbrains()
    {
        if (UseReal)
        {
            string root = RealTraces.Path("bitbrains-gwa-t-12-rnd");
            var files = Directory.EnumerateFiles(root, "*.csv", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Take(2).ToList();
            Assert.True(files.Count == 2, "the Bitbrains sample should hold at least two *.csv files under " + root);
            return [.. files.Select(f => (Path.GetRelativePath(root, f).Replace('\\', '/'), FirstLines(f, 25)))];
        }

        const string header = "Timestamp [ms];\tCPU cores;\tCPU capacity provisioned [MHZ];\tCPU usage [MHZ];\tCPU usage [%];\tMemory capacity provisioned [KB];\tMemory usage [KB];\tDisk read throughput [KB/s];\tDisk write throughput [KB/s];\tNetwork received throughput [KB/s];\tNetwork transmitted throughput [KB/s]\n";
        return [("2013-8/1.csv", SynthBitbrains(header, 1377986608, 2097152, 1)), ("2013-9/2.csv", SynthBitbrains(header, 1377986700, 4194304, 2))];
    }

    private static byte[] SynthBitbrains(string header, long start, double capacityKb, int seed)
    {
        var r = new Random(seed);
        var sb = new StringBuilder(header);
        for (int i = 0; i < 24; i++)
        {
            long t = start + i * 300 + r.Next(-2, 3);
            double usage = capacityKb * r.NextDouble() * (i == 5 ? 1.2 : 0.9);
            sb.Append(CultureInfo.InvariantCulture, $"{t};\t2;\t5199.99;\t57.19;\t1.1;\t{capacityKb:0.0};\t{usage};\t0.0;\t2.46;\t0.06;\t0.06\n");
        }

        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>machine_usage.csv: its first 200 lines.</summary>
    public static byte[] Alibaba()
    {
        if (UseReal)
            return FirstLines(RealTraces.Path("alibaba-2018-machine-usage/machine_usage.csv"), 200);
        var r = new Random(3);
        var sb = new StringBuilder();
        for (int i = 0; i < 200; i++)
        {
            int machine = i % 3 == 0 ? 1932 : 1933 + i % 2;
            string diskIo = i % 17 == 0 ? "-1" : (i % 19 == 0 ? "101" : "5");
            sb.Append(CultureInfo.InvariantCulture, $"m_{machine},{386640 + i / 3 * (i % 7 == 0 ? 200 : 30)},{r.Next(100)},{r.Next(101)},,,{r.NextDouble() * 50:0.00},{r.NextDouble() * 50:0.00},{diskIo}\n");
        }

        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>Two day files of one GCD job (288 rows each): names vm_&lt;job&gt;_&lt;day&gt;.</summary>
    public static IReadOnlyList<(string Name, byte[] Bytes)> Gcd()
    {
        if (UseReal)
        {
            string root = RealTraces.Path("google-2011-gcd-vms/GCD_VMs");
            return [("GCD_VMs/vm_3418442_1", File.ReadAllBytes(Path.Combine(root, "vm_3418442_1"))), ("GCD_VMs/vm_3418442_2", File.ReadAllBytes(Path.Combine(root, "vm_3418442_2")))];
        }

        return [("GCD_VMs/vm_3418442_1", SynthGcd(1)), ("GCD_VMs/vm_3418442_2", SynthGcd(2))];
    }

    private static byte[] SynthGcd(int seed)
    {
        var r = new Random(seed);
        var sb = new StringBuilder();
        for (int i = 0; i < 288; i++)
            sb.Append(CultureInfo.InvariantCulture, $"{r.NextDouble() * 40} {r.NextDouble() * 110}\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}

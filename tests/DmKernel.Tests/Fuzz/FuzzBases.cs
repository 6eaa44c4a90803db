using System.Text;
using DmKernel.Tests.Traces;

namespace DmKernel.Tests.Fuzz;

/// <summary>
/// Valid base inputs for the importers: the first lines of the real samples committed under traces/real (found as in
/// <see cref="RealTraces"/>), so every mutation starts from bytes a real source wrote.
/// </summary>
internal static class FuzzBases
{
    private static byte[] FirstLines(string path, int lines) =>
        Encoding.UTF8.GetBytes(string.Concat(File.ReadLines(path).Take(lines).Select(l => l + "\n")));

    /// <summary>Two per-VM files (relative path, bytes): header + 24 rows each.</summary>
    public static IReadOnlyList<(string Name, byte[] Bytes)> Bitbrains()
    {
        string root = RealTraces.Path("bitbrains-gwa-t-12-rnd");
        var files = Directory.EnumerateFiles(root, "*.csv", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Take(2).ToList();
        Assert.True(files.Count == 2, "the Bitbrains sample should hold at least two *.csv files under " + root);
        return [.. files.Select(f => (Path.GetRelativePath(root, f).Replace('\\', '/'), FirstLines(f, 25)))];
    }

    /// <summary>machine_usage.csv: its first 200 lines.</summary>
    public static byte[] Alibaba() => FirstLines(RealTraces.Path("alibaba-2018-machine-usage/machine_usage.csv"), 200);

    /// <summary>Two day files of one GCD job (288 rows each): names vm_&lt;job&gt;_&lt;day&gt;.</summary>
    public static IReadOnlyList<(string Name, byte[] Bytes)> Gcd()
    {
        string root = RealTraces.Path("google-2011-gcd-vms/GCD_VMs");
        return [("GCD_VMs/vm_3418442_1", File.ReadAllBytes(Path.Combine(root, "vm_3418442_1"))), ("GCD_VMs/vm_3418442_2", File.ReadAllBytes(Path.Combine(root, "vm_3418442_2")))];
    }
}

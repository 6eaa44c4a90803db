using DmKernel.Traces;

namespace DmKernel.Tests.Traces;

/// <summary>A whole native trace read into memory (small traces only).</summary>
public sealed record TraceData(TraceHeader Header, IReadOnlyList<TraceVm> Vms, IReadOnlyList<TraceHost> Hosts, int[][] Ticks)
{
    public static TraceData Load(string path)
    {
        using var reader = NativeTraceReader.Open(path);
        var ticks = new List<int[]>();
        var row = new int[reader.Header.VmCount];
        while (reader.ReadTick(row))
            ticks.Add((int[])row.Clone());
        return new TraceData(reader.Header, reader.Vms, reader.Hosts, [.. ticks]);
    }

    public int VmIndex(string id)
    {
        for (int i = 0; i < Vms.Count; i++)
        {
            if (Vms[i].Id == id)
                return i;
        }

        throw new KeyNotFoundException(id);
    }

    /// <summary>The series of one VM over all ticks.</summary>
    public int[] Series(int vm)
    {
        var s = new int[Ticks.Length];
        for (int t = 0; t < s.Length; t++)
            s[t] = Ticks[t][vm];
        return s;
    }
}

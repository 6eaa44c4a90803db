using System.Runtime.CompilerServices;

namespace DmKernel.Traces.Replay;

/// <summary>A fixed-bin integer histogram (bins 0..Max, the last one also holds everything above) with exact percentiles.</summary>
public sealed class Histogram
{
    private readonly long[] _bins;

    public Histogram(int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        _bins = new long[max + 1];
    }

    public long Count { get; private set; }

    public long Sum { get; private set; }

    public int Max { get; private set; }

    public void Add(int value)
    {
        int bin = Math.Clamp(value, 0, _bins.Length - 1);
        _bins[bin]++;
        Count++;
        Sum += value;
        Max = Math.Max(Max, value);
    }

    /// <summary>Removes every sample.</summary>
    public void Clear()
    {
        Array.Clear(_bins);
        Count = 0;
        Sum = 0;
        Max = 0;
    }

    /// <summary>Adds samples already counted into bins, with their exact sum and maximum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // once per tick: see ReplayMetrics.EndTick
    public void AddBins(ReadOnlySpan<long> counts, long sum, int max)
    {
        if (counts.Length != _bins.Length)
            throw new ArgumentException($"Expected {_bins.Length} bins, got {counts.Length}.", nameof(counts));
        for (int i = 0; i < counts.Length; i++)
        {
            _bins[i] += counts[i];
            Count += counts[i];
        }

        Sum += sum;
        Max = Math.Max(Max, max);
    }

    public double Mean => Count == 0 ? 0 : (double)Sum / Count;

    /// <summary>The smallest bin value v such that at least p % of the samples are &lt;= v (nearest rank).</summary>
    public int Percentile(double p)
    {
        if (Count == 0)
            return 0;
        long rank = Math.Max(1, (long)Math.Ceiling(p / 100.0 * Count));
        long seen = 0;
        for (int i = 0; i < _bins.Length; i++)
        {
            seen += _bins[i];
            if (seen >= rank)
                return i == _bins.Length - 1 ? Max : i;
        }

        return Max;
    }

    /// <summary>Counts per bin (a copy).</summary>
    public long[] Bins() => (long[])_bins.Clone();

    internal void Save(BinaryWriter w)
    {
        w.Write(_bins.Length);
        foreach (long b in _bins)
            w.Write(b);
        w.Write(Count);
        w.Write(Sum);
        w.Write(Max);
    }

    internal void Load(BinaryReader r)
    {
        int n = r.ReadInt32();
        if (n != _bins.Length)
            throw new InvalidDataException($"Checkpoint histogram has {n} bins; expected {_bins.Length}.");
        for (int i = 0; i < n; i++)
            _bins[i] = r.ReadInt64();
        Count = r.ReadInt64();
        Sum = r.ReadInt64();
        Max = r.ReadInt32();
    }
}

using System.Globalization;
using System.Runtime.CompilerServices;

namespace DmKernel.Traces.Replay;

/// <summary>
/// An integer histogram with exact percentiles: one bin per value 0..<c>max</c> (the last bin counts every sample of
/// <c>max</c> and above), and the exact values of the samples above the last bin kept apart, value by value
/// (<see cref="AboveLastBin"/>). <see cref="Add"/> keeps them itself; after <see cref="AddBins"/>, whose last bin has no
/// values, the caller gives them with <see cref="AddExactAbove"/>.
/// </summary>
public sealed class Histogram
{
    private readonly long[] _bins;
    private SortedDictionary<int, long>? _above; // value (> last bin) → samples; allocated at the first such sample
    private long _aboveCount;

    /// <summary>A histogram with one bin per value 0..<paramref name="max"/> (the last bin takes <paramref name="max"/> and above).</summary>
    public Histogram(int max)
    {
        InvariantOutOfRangeException.ThrowIfNegative(max);
        _bins = new long[max + 1];
    }

    /// <summary>The number of samples.</summary>
    public long Count { get; private set; }

    /// <summary>The exact sum of the samples.</summary>
    public long Sum { get; private set; }

    /// <summary>The largest sample (0 without samples).</summary>
    public int Max { get; private set; }

    /// <summary>Adds one sample (a value above the last bin is also kept exactly, see <see cref="AboveLastBin"/>).</summary>
    public void Add(int value)
    {
        int bin = Math.Clamp(value, 0, _bins.Length - 1);
        _bins[bin]++;
        Count++;
        Sum += value;
        Max = Math.Max(Max, value);
        if (value > _bins.Length - 1)
            AddAbove(value, 1);
    }

    /// <summary>
    /// Gives the exact value of <paramref name="count"/> samples above the last bin that <see cref="AddBins"/> already
    /// counted in its last bin (their sum and maximum included), so that percentiles there are exact too.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not above the last bin, or the count is not positive.</exception>
    /// <exception cref="InvalidOperationException">The last bin does not hold that many samples not yet given a value.</exception>
    public void AddExactAbove(int value, long count = 1)
    {
        int last = _bins.Length - 1;
        if (value <= last)
            throw new InvariantOutOfRangeException(nameof(value), value, string.Create(CultureInfo.InvariantCulture, $"Expected a value above the last bin ({last})."));
        InvariantOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (_aboveCount + count > _bins[last])
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"The last bin holds {_bins[last]} samples, {_aboveCount} of them already given a value: {count} more cannot be added."));
        AddAbove(value, count);
    }

    private void AddAbove(int value, long count)
    {
        _above ??= [];
        _above[value] = _above.GetValueOrDefault(value) + count;
        _aboveCount += count;
    }

    /// <summary>The samples above the last bin whose values are known, value by value in ascending order (a copy).</summary>
    public KeyValuePair<int, long>[] AboveLastBin() => _above is null ? [] : [.. _above];

    /// <summary>Removes every sample.</summary>
    public void Clear()
    {
        Array.Clear(_bins);
        _above?.Clear();
        _aboveCount = 0;
        Count = 0;
        Sum = 0;
        Max = 0;
    }

    /// <summary>Adds samples already counted into bins, with their exact sum and maximum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // once per tick: see ReplayMetrics.EndTick
    public void AddBins(ReadOnlySpan<long> counts, long sum, int max)
    {
        if (counts.Length != _bins.Length)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Expected {_bins.Length} bins, got {counts.Length}."), nameof(counts));
        for (int i = 0; i < counts.Length; i++)
        {
            _bins[i] += counts[i];
            Count += counts[i];
        }

        Sum += sum;
        Max = Math.Max(Max, max);
    }

    /// <summary>The mean of the samples; 0 without samples.</summary>
    public double Mean => Count == 0 ? 0 : (double)Sum / Count;

    /// <summary>
    /// The smallest sample value v such that at least p % of the samples are &lt;= v (nearest rank); 0 without samples.
    /// Exact above the last bin for the samples whose values are known (<see cref="AboveLastBin"/>); a sample of the last
    /// bin without a known value counts as the last bin's value.
    /// </summary>
    public int Percentile(double p)
    {
        if (Count == 0)
            return 0;
        long rank = Math.Max(1, (long)Math.Ceiling(p / 100.0 * Count));
        long seen = 0;
        int last = _bins.Length - 1;
        for (int i = 0; i < last; i++)
        {
            seen += _bins[i];
            if (seen >= rank)
                return i;
        }

        seen += _bins[last] - _aboveCount; // the last bin's samples of no known value above it
        if (seen >= rank || _above is null)
            return last;
        foreach ((int value, long count) in _above)
        {
            seen += count;
            if (seen >= rank)
                return value;
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
        w.Write(_above?.Count ?? 0);
        if (_above is not null)
        {
            foreach ((int value, long count) in _above)
            {
                w.Write(value);
                w.Write(count);
            }
        }
    }

    internal void Load(BinaryReader r)
    {
        int n = r.ReadInt32();
        if (n != _bins.Length)
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"Checkpoint histogram has {n} bins; expected {_bins.Length}."));
        for (int i = 0; i < n; i++)
            _bins[i] = r.ReadInt64();
        Count = r.ReadInt64();
        Sum = r.ReadInt64();
        Max = r.ReadInt32();
        _above?.Clear();
        _aboveCount = 0;
        int above = r.ReadInt32();
        if (above < 0)
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"Checkpoint histogram has {above} values above its last bin."));
        for (int i = 0; i < above; i++)
        {
            int value = r.ReadInt32();
            long count = r.ReadInt64();
            if (value < n || count <= 0 || _aboveCount + count > _bins[n - 1])
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"Checkpoint histogram has {count} samples of {value} above its last bin, which holds {_bins[n - 1]}."));
            AddAbove(value, count);
        }
    }
}

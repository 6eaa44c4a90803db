namespace DmKernel.Traces;

/// <summary>One VM's samples from a source: strictly increasing times (seconds), demand MB or -1 (off), provisioned MB.</summary>
internal sealed class SampleSeries(string id)
{
    private long[] _times = new long[64];
    private int[] _values = new int[64];
    private float[] _provisioned = new float[64];

    public string Id { get; } = id;

    public int Count { get; private set; }

    public ReadOnlySpan<long> Times => _times.AsSpan(0, Count);

    public ReadOnlySpan<int> Values => _values.AsSpan(0, Count);

    public ReadOnlySpan<float> ProvisionedMb => _provisioned.AsSpan(0, Count);

    public long LastTime => Count > 0 ? _times[Count - 1] : long.MinValue;

    /// <summary>True when <paramref name="time"/> would go backwards (and nothing is added).</summary>
    public bool IsBackwards(long time) => Count > 0 && time < _times[Count - 1];

    /// <summary>Adds a sample; a sample with the time of the last one replaces it (duplicate: the last wins) and returns true.</summary>
    public bool Add(long time, int value, float provisionedMb)
    {
        if (Count > 0 && time == _times[Count - 1])
        {
            _values[Count - 1] = value;
            _provisioned[Count - 1] = provisionedMb;
            return true;
        }

        if (Count == _times.Length)
        {
            Array.Resize(ref _times, Count * 2);
            Array.Resize(ref _values, Count * 2);
            Array.Resize(ref _provisioned, Count * 2);
        }

        _times[Count] = time;
        _values[Count] = value;
        _provisioned[Count] = provisionedMb;
        Count++;
        return false;
    }

    /// <summary>The largest provisioned MB of the samples (0 when none).</summary>
    public double MaxProvisionedMb()
    {
        float max = 0;
        foreach (float p in ProvisionedMb)
            max = Math.Max(max, p);
        return max;
    }
}

namespace DmKernel.Kernel;

/// <summary>
/// R13's order (Weight descending, then slot) of each host's Running DM VMs as the short plan last sorted it, kept
/// by the <see cref="Balancer"/> across ticks. A short host usually has the same Running DM VMs with the same
/// weights tick after tick, so <see cref="ShortPlan"/> reuses the sorted order when the keys it gathers in slot
/// order are exactly the ones it gathered last time; any difference (a VM started or stopped, a weight changed,
/// another fleet state loaded) sorts again. A pure cache: it never changes a result. Each host uses only its own
/// slot range and count entry, so threads ticking different hosts never share an element.
/// </summary>
internal sealed class OrderCache
{
    private readonly long[] _gathered;
    private readonly long[] _sorted;
    private readonly int[] _count;

    public OrderCache(int slots, int hosts)
    {
        _gathered = new long[slots];
        _sorted = new long[slots];
        _count = new int[hosts];
        Array.Fill(_count, -1);
    }

    /// <summary>When <paramref name="keys"/> (gathered in slot order) equal host <paramref name="h"/>'s last ones, overwrites them with their sorted order.</summary>
    public bool TryReuse(int h, int start, Span<long> keys)
    {
        if (_count[h] != keys.Length || !keys.SequenceEqual(_gathered.AsSpan(start, keys.Length)))
            return false;
        _sorted.AsSpan(start, keys.Length).CopyTo(keys);
        return true;
    }

    /// <summary>Records host <paramref name="h"/>'s keys in slot order, before they are sorted.</summary>
    public void RememberGathered(int h, int start, ReadOnlySpan<long> keys)
    {
        keys.CopyTo(_gathered.AsSpan(start));
        _count[h] = keys.Length;
    }

    /// <summary>Records the sorted order of the keys just remembered.</summary>
    public void RememberSorted(int start, ReadOnlySpan<long> keys) => keys.CopyTo(_sorted.AsSpan(start));
}

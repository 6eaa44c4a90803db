namespace DmKernel.Kernel;

/// <summary>
/// R13's order (Weight descending, then slot) of each host's Running DM VMs as the vector short plan last sorted
/// it, kept by the <see cref="Balancer"/> across ticks. A short host usually has the same Running DM VMs with the
/// same weights tick after tick, so the plan reuses the sorted order when the host's membership key (per slot:
/// Weight for a Running DM VM, −1 for any other) is exactly the one it sorted last time; any difference (a VM
/// started or stopped, a weight changed, another fleet state loaded) sorts again. A pure cache: it never changes
/// a result. Each host uses only its own slot range and count entry, so threads ticking different hosts never
/// share an element.
/// </summary>
internal sealed class OrderCache
{
    private readonly int[] _key;
    private readonly int[] _order;
    private readonly int[] _count;

    public OrderCache(int slots, int hosts)
    {
        _key = new int[slots];
        _order = new int[slots];
        _count = new int[hosts];
        Array.Fill(_count, -1);
    }

    /// <summary>
    /// Host <paramref name="h"/>'s Running DM VMs in R13's order, as offsets from <paramref name="start"/>:
    /// the remembered order when <paramref name="key"/> (one entry per slot of the host) equals the remembered key,
    /// else sorted now (through <paramref name="scratch"/>) and remembered.
    /// </summary>
    public ReadOnlySpan<int> Order(int h, int start, ReadOnlySpan<int> key, HostScratch scratch)
    {
        Span<int> cachedKey = _key.AsSpan(start, key.Length);
        int n = _count[h];
        if (n >= 0 && key.SequenceEqual(cachedKey))
            return _order.AsSpan(start, n);

        n = Sort(key, _order.AsSpan(start, key.Length), scratch);
        key.CopyTo(cachedKey);
        _count[h] = n;
        return _order.AsSpan(start, n);
    }

    /// <summary>
    /// Prefetches the remembered key and order of the slots [<paramref name="start"/>, + <paramref name="count"/>)
    /// (<see cref="Kernel.Prefetch"/>): only a short host's plan reads them.
    /// </summary>
    public void Prefetch(int start, int count)
    {
        Kernel.Prefetch.Lines(_key, start, count);
        Kernel.Prefetch.Lines(_order, start, count);
    }

    /// <summary>
    /// Writes the offsets with <c>key ≥ 0</c> into <paramref name="order"/> in R13's order (key descending, then
    /// offset) and returns their count. Shares the scalar plan's sort.
    /// </summary>
    public static int Sort(ReadOnlySpan<int> key, Span<int> order, HostScratch scratch)
    {
        Span<long> keys = scratch.Keys;
        int n = 0;
        for (int k = 0; k < key.Length; k++)
        {
            if (key[k] >= 0)
                keys[n++] = ((long)(VmSettings.MaxWeight - key[k]) << 32) | (uint)k;
        }

        keys = keys[..n];
        ShortPlan.SortByWeightDescending(keys, scratch.KeysTemp.AsSpan(0, n), scratch.Buckets);
        for (int j = 0; j < n; j++)
            order[j] = (int)(uint)keys[j];
        return n;
    }
}

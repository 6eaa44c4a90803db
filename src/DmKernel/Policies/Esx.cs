namespace DmKernel.Policies;

/// <summary>
/// VMware ESX's rules (P7–P9) as plain functions: allocation on touch, the active-fraction estimates and min-funding
/// revocation with the idle-memory tax (Waldspurger, OSDI 2002). The scalar reference the ESX policy runs; integers only.
/// </summary>
internal static class Esx
{
    /// <summary>A VM's estimates before its first sample: fully active (no idle tax on a VM not yet sampled).</summary>
    public const int Unsampled = -1;

    /// <summary>P7: <c>want = min(Maximum, roundUp(Demand))</c>, and never below Minimum (a running VM holds at least that).</summary>
    public static int Want(int demand, int minimum, int maximum, int gMask)
        => Math.Max(minimum, Math.Min(maximum, (demand + gMask) & ~gMask));

    /// <summary>P8: the current active share in per mille, <c>min(1000, floor(1000 × Demand / Assigned))</c>; 1000 without memory.</summary>
    public static int ActiveShare(int demand, int assigned)
        => assigned <= 0 ? 1000 : (int)Math.Min(1000, 1000L * demand / assigned);

    /// <summary>
    /// P8: one sample <paramref name="a"/> into the two moving averages, <c>fast += (a − fast) / 2</c> and
    /// <c>slow += (a − slow) / 16</c> (integer division toward zero), both starting at the first sample's value; returns the
    /// estimate <c>f = max(a, fast, slow)</c> (it rises fast and decays slowly).
    /// </summary>
    public static int Sample(int a, ref int fast, ref int slow)
    {
        if (fast == Unsampled)
        {
            fast = a;
            slow = a;
        }
        else
        {
            fast += (a - fast) / 2;
            slow += (a - slow) / 16;
        }

        return Math.Max(a, Math.Max(fast, slow));
    }

    /// <summary>
    /// P9: the cost of a page scaled by (1 − τ), <c>c' = f × (1000 − τ) + 1000 × (1000 − f)</c> with f and τ in per mille:
    /// idle pages (1000 − f) cost k = 1 / (1 − τ) times an active page. Positive for τ ≤ 999.
    /// </summary>
    public static long Cost(int estimate, int taxPerMille) => ((long)estimate * (1000 - taxPerMille)) + (1000L * (1000 - estimate));

    /// <summary>
    /// P9: whether VM i has fewer shares per page than VM j, <c>ρ = S / (Assigned' × c')</c>, compared by cross-multiplication
    /// (<c>S_i × Assigned'_j × c'_j &lt; S_j × Assigned'_i × c'_i</c>: below 10^4 × 2^24 × 10^6 &lt; 2^63); ties go to the lower slot.
    /// </summary>
    public static bool Before(int sharesI, int assignedI, long costI, int slotI, int sharesJ, int assignedJ, long costJ, int slotJ)
    {
        long left = sharesI * (assignedJ * costJ), right = sharesJ * (assignedI * costI);
        return left < right || (left == right && slotI < slotJ);
    }

    /// <summary>
    /// P9's min-funding revocation: repeatedly take G MB from the candidate with the lowest shares per page (the lower slot
    /// on a tie) until <paramref name="amount"/> MB are taken or no candidate is above its Minimum. Candidates are the
    /// offsets with <paramref name="candidate"/> set; <paramref name="assigned"/> holds each one's memory after the reclaims so
    /// far (Assigned') and is lowered in place. A binary heap keyed by ρ makes each granule O(log n); <paramref name="heap"/>
    /// needs one element per offset. Returns what was taken.
    /// </summary>
    public static long Reclaim(ReadOnlySpan<bool> candidate, ReadOnlySpan<ushort> shares, ReadOnlySpan<long> cost, ReadOnlySpan<int> minimum,
        Span<int> assigned, long amount, int g, Span<int> heap)
    {
        int n = 0;
        for (int k = 0; k < candidate.Length; k++)
        {
            if (candidate[k] && assigned[k] - g >= minimum[k])
                heap[n++] = k;
        }

        // Heapify (the lowest ρ at the root).
        var order = new Order(shares, cost, assigned);
        for (int i = (n / 2) - 1; i >= 0; i--)
            SiftDown(heap[..n], i, order);

        long taken = 0;
        while (taken < amount && n > 0)
        {
            int k = heap[0];
            assigned[k] -= g;
            taken += g;
            if (assigned[k] - g < minimum[k])
                heap[0] = heap[--n];                       // at its Minimum: out of the candidates
            SiftDown(heap[..n], 0, order);                 // its ρ rose (or another VM took the root)
        }

        return taken;
    }

    private static void SiftDown(Span<int> heap, int i, in Order order)
    {
        int n = heap.Length;
        while (true)
        {
            int left = (2 * i) + 1, best = i;
            if (left < n && order.Before(heap[left], heap[best]))
                best = left;
            if (left + 1 < n && order.Before(heap[left + 1], heap[best]))
                best = left + 1;
            if (best == i)
                return;
            (heap[i], heap[best]) = (heap[best], heap[i]);
            i = best;
        }
    }

    private readonly ref struct Order(ReadOnlySpan<ushort> shares, ReadOnlySpan<long> cost, Span<int> assigned)
    {
        private readonly ReadOnlySpan<ushort> _shares = shares;
        private readonly ReadOnlySpan<long> _cost = cost;
        private readonly Span<int> _assigned = assigned;

        public bool Before(int i, int j) => Esx.Before(_shares[i], _assigned[i], _cost[i], i, _shares[j], _assigned[j], _cost[j], j);
    }
}

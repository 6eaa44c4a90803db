using System.Runtime.CompilerServices;

namespace DmKernel.Kernel;

/// <summary>
/// R4's reclaim (<see cref="Lifecycle"/>'s <c>Reclaim</c>, the readable version the scalar reference runs) for the
/// vector paths, from an index of the host's donors built at its first reclaim of a lifecycle pass instead of a scan and
/// sort of every VM per start: a host of n VMs starting s of them while short cost O(s · n log n) per tick (a first tick
/// that starts every VM of a 1 000-VM host: 10^7 steps), now O(n log n + s log n) and an amortized O(1) per donor emptied.
/// The same donors (Running DM, Weight at most the requester's, not the requester), in the same order (Weight, then
/// slot), the same amounts and the same all-or-nothing check, so the results are bit-identical (the differential tests).
/// </summary>
/// <remarks>
/// Within a pass the donor set only shrinks (stops come first, before any reclaim; a restarted VM boots or is Off; a
/// started one was Off), Weight, Target and Minimum do not change, and a donor's Assigned only falls, by what a reclaim
/// takes. So: the donors of a requester of Weight w are a prefix of the index sorted by (Weight, slot); a Fenwick tree
/// over max(0, Assigned − Minimum) gives that prefix's reclaimable sum; and "the next donor that can still give" in each
/// of R4's two passes (above max(Target, Minimum), then above Minimum) is a skip pointer with path halving, since a donor
/// that cannot give stays so for the rest of the pass.
/// </remarks>
internal static class DonorIndex
{
    /// <summary>As <c>Lifecycle.Reclaim</c>: takes up to <paramref name="needed"/> MB for <paramref name="self"/>; false when nothing may be taken.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool Reclaim(in HostColumns host, int self, int needed, bool allOrNothing, HostScratch scratch)
    {
        int weight = host.Weight[self];
        if (weight == 0)
            return false;
        if (!scratch.DonorsBuilt)
            Build(host, scratch);
        Remove(host, self, scratch); // a restarting VM is in the index (Running DM) but no donor of its own reclaim

        long[] keys = scratch.Keys, tree = scratch.DonorTree;
        int n = scratch.DonorCount;
        int end = PrefixEnd(keys, n, weight);
        if (allOrNothing && Sum(tree, end) < needed)
            return false;

        Span<int> assignedCol = host.Assigned, minimumCol = host.Minimum, targetCol = host.Target;
        for (int pass = 0; pass < 2 && needed > 0; pass++)
        {
            int[] skip = pass == 0 ? scratch.Skip0 : scratch.Skip1;
            for (int i = Find(skip, 0); i < end && needed > 0; i = Find(skip, i + 1))
            {
                int k = (int)(uint)keys[i];
                int floor = pass == 0 ? Math.Max(targetCol[k], minimumCol[k]) : minimumCol[k];
                int surplus = assignedCol[k] - floor;
                if (surplus <= 0)
                {
                    skip[i] = i + 1; // nothing to give in this pass, now or later in this lifecycle pass
                    continue;
                }

                int x = Math.Min(surplus, needed);
                Lifecycle.Take(host, k, x);
                needed -= x;
                Add(tree, n, i, -x);
                if (x == surplus)
                    skip[i] = i + 1;
                if (assignedCol[k] <= minimumCol[k])
                {
                    scratch.Skip0[i] = i + 1;
                    scratch.Skip1[i] = i + 1;
                }
            }
        }

        return true;
    }

    /// <summary>Takes <paramref name="k"/> out of the index, if it is in it: it gives nothing to later reclaims of the pass.</summary>
    public static void Remove(in HostColumns host, int k, HostScratch scratch)
    {
        long key = ((long)host.Weight[k] << 32) | (uint)k;
        int p = Array.BinarySearch(scratch.Keys, 0, scratch.DonorCount, key);
        if (p < 0)
            return;
        Add(scratch.DonorTree, scratch.DonorCount, p, -(Sum(scratch.DonorTree, p + 1) - Sum(scratch.DonorTree, p)));
        scratch.Skip0[p] = p + 1;
        scratch.Skip1[p] = p + 1;
    }

    /// <summary>The host's Running DM VMs as keys (Weight &lt;&lt; 32) | slot, ascending; the tree of what each can give down to Minimum; the skip pointers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Build(in HostColumns host, HostScratch scratch)
    {
        Span<ushort> weightCol = host.Weight;
        Span<int> flagsCol = host.Flags, assignedCol = host.Assigned, minimumCol = host.Minimum;
        long[] keys = scratch.Keys, tree = scratch.DonorTree;
        int n = 0;
        long last = long.MinValue;
        bool sorted = true;
        for (int k = 0; k < host.Count; k++)
        {
            if ((flagsCol[k] & (VmFlags.StateMask | VmFlags.Dynamic)) == VmFlags.RunningDynamic)
            {
                long key = ((long)weightCol[k] << 32) | (uint)k;
                sorted &= key > last;
                keys[n++] = last = key;
            }
        }

        if (!sorted)
            keys.AsSpan(0, n).Sort();
        tree[0] = 0;
        for (int i = 0; i < n; i++)
        {
            int k = (int)(uint)keys[i];
            tree[i + 1] = Math.Max(0, assignedCol[k] - minimumCol[k]);
        }

        for (int j = 1; j <= n; j++)
        {
            int parent = j + (j & -j);
            if (parent <= n)
                tree[parent] += tree[j];
        }

        for (int i = 0; i <= n; i++)
        {
            scratch.Skip0[i] = i;
            scratch.Skip1[i] = i;
        }

        scratch.DonorCount = n;
        scratch.DonorsBuilt = true;
    }

    /// <summary>The end of the donors of Weight at most <paramref name="weight"/>: the first key of a higher Weight.</summary>
    private static int PrefixEnd(long[] keys, int n, int weight)
    {
        int p = Array.BinarySearch(keys, 0, n, ((long)weight << 32) | uint.MaxValue);
        return p >= 0 ? p + 1 : ~p;
    }

    /// <summary>The first index at or after <paramref name="i"/> that was not skipped (path halving); n when none is left.</summary>
    private static int Find(int[] skip, int i)
    {
        while (skip[i] != i)
        {
            skip[i] = skip[skip[i]];
            i = skip[i];
        }

        return i;
    }

    private static void Add(long[] tree, int n, int i, long delta)
    {
        for (int j = i + 1; j <= n; j += j & -j)
            tree[j] += delta;
    }

    /// <summary>The sum of the first <paramref name="end"/> values.</summary>
    private static long Sum(long[] tree, int end)
    {
        long sum = 0;
        for (int j = end; j > 0; j -= j & -j)
            sum += tree[j];
        return sum;
    }
}

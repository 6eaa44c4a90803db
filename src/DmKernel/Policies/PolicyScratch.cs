namespace DmKernel.Policies;

/// <summary>Per-worker working memory of the policies, sized once to the largest host so that no tick allocates.</summary>
internal sealed class PolicyScratch
{
    public PolicyScratch(int maxHostSlots)
    {
        int n = Math.Max(1, maxHostSlots);
        GrowTo = new int[n];
        ShrinkTo = new int[n];
        Limit = new int[n];
        After = new int[n];
        Heap = new int[n];
        Cost = new long[n];
        Candidate = new bool[n];
    }

    /// <summary>Per offset: the memory a Running DM VM grows toward this tick (its goal; the Target column).</summary>
    public int[] GrowTo { get; }

    /// <summary>Per offset: the memory a Running DM VM shrinks toward (int.MaxValue: it does not shrink).</summary>
    public int[] ShrinkTo { get; }

    /// <summary>Per offset: P10's limit this tick.</summary>
    public int[] Limit { get; }

    /// <summary>P9: Assigned' (memory after the reclaims so far) per offset.</summary>
    public int[] After { get; }

    /// <summary>P9: the heap of candidates.</summary>
    public int[] Heap { get; }

    /// <summary>P9: c' per offset.</summary>
    public long[] Cost { get; }

    /// <summary>P9: candidates of the reclaim.</summary>
    public bool[] Candidate { get; }
}

namespace DmKernel.Kernel;

/// <summary>
/// Per-worker working memory for the per-host code (R4 donor order, R11 water-filling, R13 add order),
/// sized once to the largest host so that no tick allocates.
/// </summary>
internal sealed class HostScratch
{
    public HostScratch(int maxHostSlots)
    {
        int n = Math.Max(1, maxHostSlots);
        Keys = new long[n];
        KeysTemp = new long[n];
        Buckets = new int[(VmSettings.MaxWeight >> 7) + 1];

        // The columns the vector paths load and store whole vectors of, on 64-byte boundaries (AlignedArrays); what places
        // them is held until the last one is placed.
        var placing = new List<object>();
        Alloc = Vectors(n, placing);
        Goal = Vectors(n, placing);
        Members = new int[n];
        Cap2 = new int[n];
        Weight2 = new int[n];
        Cap = Vectors(n, placing);
        Weight = new int[n];
        FillWeight = Vectors(n, placing);
        Min = Vectors(n, placing);
        Need0 = Vectors(n, placing);
        Order = new int[n];
        OrderTemp = new int[n];
        SlotKey = Vectors(n, placing);
        Grant = Vectors(n, placing);
        Deferred = new int[n];
        Extended = new int[n];
        SavedMin = Vectors(n, placing);
        SavedMax = Vectors(n, placing);
        DonorTree = new long[n + 1];
        Skip0 = new int[n + 1];
        Skip1 = new int[n + 1];
        GC.KeepAlive(placing);

        static int[] Vectors(int n, List<object> placing) => AlignedArrays.Allocate<int>(n, minBytes: 256, keep: placing);
    }

    /// <summary>The balancer's cache of each host's R13 order, or null (then the short plan always sorts).</summary>
    public OrderCache? Cache { get; set; }

    /// <summary>Sort keys: (order key &lt;&lt; 32) | slot.</summary>
    public long[] Keys { get; }

    /// <summary>Radix sort buffer for <see cref="Keys"/> and its bucket counts.</summary>
    public long[] KeysTemp { get; }

    public int[] Buckets { get; }

    /// <summary>R11 allocation under construction, parallel to <see cref="Keys"/>.</summary>
    public int[] Alloc { get; }

    /// <summary>R11: Target of each Running DM VM (tier 2's goal), parallel to <see cref="Keys"/>.</summary>
    public int[] Goal { get; }

    /// <summary>R11: member indices sorted by ratio, and copies used to restore position order.</summary>
    public int[] Members { get; }

    public int[] Cap2 { get; }

    public int[] Weight2 { get; }

    /// <summary>R11: position, goal − base and weight of each member of the group being filled (dense, by member).</summary>
    public int[] Cap { get; }

    /// <summary>R11: Weight, Minimum and Need0 of each Running DM VM, parallel to <see cref="Keys"/> (<see cref="Goal"/> holds Target).</summary>
    public int[] Weight { get; }

    public int[] Min { get; }

    public int[] Need0 { get; }

    /// <summary>R11: weight of each member of the group being filled (1 for Weight-0 VMs filled as equals).</summary>
    public int[] FillWeight { get; }

    /// <summary>R11: member positions (<see cref="Order"/>) and the merge buffer.</summary>
    public int[] Order { get; }

    public int[] OrderTemp { get; }

    /// <summary>Vector short plan, per slot offset: Weight of a Running DM VM, −1 for any other (<see cref="OrderCache"/>'s key).</summary>
    public int[] SlotKey { get; }

    /// <summary>Vector short plan, per slot offset: the R13 grant (<see cref="Alloc"/>, <see cref="Min"/>, <see cref="Need0"/> and <see cref="Goal"/> are per slot offset there too).</summary>
    public int[] Grant { get; }

    /// <summary>Vector kernel: offsets of the vectors the finishing pass hands to its general steps after its common loop.</summary>
    public int[] Deferred { get; }

    /// <summary>
    /// Vector kernel, one-pass tick: offsets of the vectors whose window minimum or maximum the pass extended, and the
    /// values they had (per slot offset), so the pass can be undone if the host turns out short.
    /// </summary>
    public int[] Extended { get; }

    public int[] SavedMin { get; }

    public int[] SavedMax { get; }

    /// <summary>
    /// <see cref="DonorIndex"/>: whether the host's donor index (<see cref="Keys"/>, <see cref="DonorTree"/>,
    /// <see cref="Skip0"/>, <see cref="Skip1"/>) was built in this lifecycle pass, and its size.
    /// </summary>
    public bool DonorsBuilt { get; set; }

    public int DonorCount { get; set; }

    /// <summary>
    /// <see cref="DonorIndex"/>: a Fenwick tree over what each donor (in <see cref="Keys"/> order) can still give down to
    /// Minimum, max(0, Assigned − Minimum), 0 once removed (prefix sums for R4's all-or-nothing check).
    /// </summary>
    public long[] DonorTree { get; }

    /// <summary><see cref="DonorIndex"/>: the next donor that may still give in R4's first pass (above Target) and second (above Minimum).</summary>
    public int[] Skip0 { get; }

    public int[] Skip1 { get; }
}

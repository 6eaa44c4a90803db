namespace DmKernel.Policies;

/// <summary>
/// One host's state as the policies read and write it: spans over the host's slots (index 0 = its first slot) and
/// references to its own elements, the same members as the kernel's per-host view (<see cref="HostColumns"/>) plus the
/// policies' own columns (P2–P10). Built over a fleet's <see cref="HostColumns"/> by the per-host policy kernel, or over
/// <see cref="HostArrays"/> so that the policies run and are tested without a fleet.
/// </summary>
internal readonly ref struct PolicyHost
{
    private readonly ref int _total, _reserve, _available, _pendingFreed, _momFilled, _momNext;
    private readonly ref long _shortfall;
    private readonly ref byte _short, _esxCapping;

    public PolicyHost(HostArrays a)
    {
        Count = a.Count;
        Start = a.Start;
        Flags = a.Flags;
        Startup = a.Startup;
        Minimum = a.Minimum;
        Maximum = a.Maximum;
        Weight = a.Weight;
        Demand = a.Demand;
        Target = a.Target;
        Assigned = a.Assigned;
        Ballooned = a.Ballooned;
        Unballooned = a.Unballooned;
        HotAdded = a.HotAdded;
        Removed = a.Removed;
        Goal = a.Goal;
        NoProgress = a.NoProgress;
        EsxFast = a.EsxFast;
        EsxSlow = a.EsxSlow;
        EsxEstimate = a.EsxEstimate;
        GuestKind = a.GuestKind;
        GuestRate = a.GuestRate;
        GuestStuck = a.GuestStuck;
        GuestIdeal = a.GuestIdeal;
        MomRing = a.MomRing;
        _total = ref a.Total;
        _reserve = ref a.Reserve;
        _available = ref a.Available;
        _pendingFreed = ref a.PendingFreed;
        _shortfall = ref a.Shortfall;
        _short = ref a.Short;
        _momFilled = ref a.MomFilled;
        _momNext = ref a.MomNext;
        _esxCapping = ref a.EsxCapping;
    }

    public PolicyHost(in HostColumns h)
    {
        Count = h.Count;
        Start = h.Start;
        Flags = h.Flags;
        Startup = h.Startup;
        Minimum = h.Minimum;
        Maximum = h.Maximum;
        Weight = h.Weight;
        Demand = h.Demand;
        Target = h.Target;
        Assigned = h.Assigned;
        Ballooned = h.Ballooned;
        Unballooned = h.Unballooned;
        HotAdded = h.HotAdded;
        Removed = h.Removed;
        Goal = h.PolicyGoal;
        NoProgress = h.NoProgress;
        EsxFast = h.EsxFast;
        EsxSlow = h.EsxSlow;
        EsxEstimate = h.EsxEstimate;
        GuestKind = h.GuestKind;
        GuestRate = h.GuestRate;
        GuestStuck = h.GuestStuck;
        GuestIdeal = h.GuestIdeal;
        MomRing = h.MomRing;
        _total = ref h.Total;
        _reserve = ref h.Reserve;
        _available = ref h.Available;
        _pendingFreed = ref h.PendingFreed;
        _shortfall = ref h.Shortfall;
        _short = ref h.Short;
        _momFilled = ref h.MomFilled;
        _momNext = ref h.MomNext;
        _esxCapping = ref h.EsxCapping;
    }

    public int Count { get; }

    /// <summary>The fleet slot of offset 0 (P10's phase counts from offset 0, not from this).</summary>
    public int Start { get; }

    public Span<int> Flags { get; }

    public Span<int> Startup { get; }

    public Span<int> Minimum { get; }

    public Span<int> Maximum { get; }

    public Span<ushort> Weight { get; }

    public Span<int> Demand { get; }

    public Span<int> Target { get; }

    public Span<int> Assigned { get; }

    public Span<int> Ballooned { get; }

    public Span<int> Unballooned { get; }

    public Span<int> HotAdded { get; }

    public Span<int> Removed { get; }

    // ---- the policies' state (P2–P9) and the guests' settings (P10) ----
    public Span<int> Goal { get; }

    public Span<int> NoProgress { get; }

    public Span<int> EsxFast { get; }

    public Span<int> EsxSlow { get; }

    public Span<int> EsxEstimate { get; }

    public Span<byte> GuestKind { get; }

    public Span<int> GuestRate { get; }

    public Span<int> GuestStuck { get; }

    public Span<int> GuestIdeal { get; }

    public Span<int> MomRing { get; }

    // ---- the host's own elements ----
    public ref int Total => ref _total;

    public ref int Reserve => ref _reserve;

    public ref int Available => ref _available;

    public ref int PendingFreed => ref _pendingFreed;

    public ref long Shortfall => ref _shortfall;

    public ref byte Short => ref _short;

    public ref int MomFilled => ref _momFilled;

    public ref int MomNext => ref _momNext;

    public ref byte EsxCapping => ref _esxCapping;
}

/// <summary>The arrays behind a <see cref="PolicyHost"/>: one host's columns.</summary>
internal sealed class HostArrays
{
    public HostArrays(int count, int momSamples = BalancerPolicy.MaxMomSamples)
    {
        Count = count;
        Flags = new int[count];
        Startup = new int[count];
        Minimum = new int[count];
        Maximum = new int[count];
        Weight = new ushort[count];
        Demand = new int[count];
        Target = new int[count];
        Assigned = new int[count];
        Ballooned = new int[count];
        Unballooned = new int[count];
        HotAdded = new int[count];
        Removed = new int[count];
        Goal = new int[count];
        NoProgress = new int[count];
        EsxFast = new int[count];
        EsxSlow = new int[count];
        EsxEstimate = new int[count];
        GuestKind = new byte[count];
        GuestRate = new int[count];
        GuestStuck = new int[count];
        GuestIdeal = new int[count];
        MomRing = new int[momSamples];
        EsxFast.AsSpan().Fill(Esx.Unsampled);
        EsxSlow.AsSpan().Fill(Esx.Unsampled);
        EsxEstimate.AsSpan().Fill(1000);
    }

    public int Count { get; }

    public int Start { get; set; }

    public int[] Flags { get; }

    public int[] Startup { get; }

    public int[] Minimum { get; }

    public int[] Maximum { get; }

    public ushort[] Weight { get; }

    public int[] Demand { get; }

    public int[] Target { get; }

    public int[] Assigned { get; }

    public int[] Ballooned { get; }

    public int[] Unballooned { get; }

    public int[] HotAdded { get; }

    public int[] Removed { get; }

    public int[] Goal { get; }

    public int[] NoProgress { get; }

    public int[] EsxFast { get; }

    public int[] EsxSlow { get; }

    public int[] EsxEstimate { get; }

    public byte[] GuestKind { get; }

    public int[] GuestRate { get; }

    public int[] GuestStuck { get; }

    public int[] GuestIdeal { get; }

    public int[] MomRing { get; }

#pragma warning disable SA1401, CA1051 // the host's elements are fields so that the view can hand out references to them
    public int Total;
    public int Reserve;
    public int Available;
    public int PendingFreed;
    public long Shortfall;
    public byte Short;
    public int MomFilled;
    public int MomNext;
    public byte EsxCapping;
#pragma warning restore SA1401, CA1051
}

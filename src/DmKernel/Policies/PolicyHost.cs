namespace DmKernel.Policies;

/// <summary>
/// One host's state as the policies read and write it: the same members as the kernel's per-host view (spans over the
/// host's slots, index 0 = its first slot; references to its own elements) plus the policies' own columns (P2–P10).
/// Backed here by <see cref="HostArrays"/>, so that the policies run and are tested without a fleet.
/// </summary>
internal readonly ref struct PolicyHost(HostArrays a)
{
    private readonly HostArrays _a = a;

    public int Count => _a.Count;

    /// <summary>The fleet slot of offset 0 (P10's phase).</summary>
    public int Start => _a.Start;

    public Span<int> Flags => _a.Flags;

    public Span<int> Startup => _a.Startup;

    public Span<int> Minimum => _a.Minimum;

    public Span<int> Maximum => _a.Maximum;

    public Span<ushort> Weight => _a.Weight;

    public Span<int> Demand => _a.Demand;

    public Span<int> Target => _a.Target;

    public Span<int> Assigned => _a.Assigned;

    public Span<int> Ballooned => _a.Ballooned;

    public Span<int> Unballooned => _a.Unballooned;

    public Span<int> HotAdded => _a.HotAdded;

    public Span<int> Removed => _a.Removed;

    // ---- the policies' state (P2–P9) and the guests' settings (P10) ----
    public Span<int> Goal => _a.Goal;

    public Span<int> NoProgress => _a.NoProgress;

    public Span<int> EsxFast => _a.EsxFast;

    public Span<int> EsxSlow => _a.EsxSlow;

    public Span<int> EsxEstimate => _a.EsxEstimate;

    public Span<byte> GuestKind => _a.GuestKind;

    public Span<int> GuestRate => _a.GuestRate;

    public Span<int> GuestStuck => _a.GuestStuck;

    public Span<int> GuestIdeal => _a.GuestIdeal;

    public Span<int> MomRing => _a.MomRing;

    // ---- the host's own elements ----
    public ref int Total => ref _a.Total;

    public ref int Reserve => ref _a.Reserve;

    public ref int Available => ref _a.Available;

    public ref int PendingFreed => ref _a.PendingFreed;

    public ref long Shortfall => ref _a.Shortfall;

    public ref byte Short => ref _a.Short;

    public ref int MomFilled => ref _a.MomFilled;

    public ref int MomNext => ref _a.MomNext;

    public ref byte EsxCapping => ref _a.EsxCapping;
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

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DmKernel;

/// <summary>
/// One host's view of the state: spans over its slot range of every per-VM column (index 0 is the host's first slot,
/// <see cref="Count"/> its padded slot count) and references to its own per-host elements. A per-host kernel
/// (<see cref="Kernel.IHostKernel"/>) reads and writes the host through this and nothing else, so it can be run and
/// tested on a <see cref="FleetColumns"/> without a <see cref="Fleet"/>, and another balancer policy is another kernel
/// over the same view.
/// </summary>
internal readonly ref struct HostColumns
{
    private readonly FleetColumns _c;

    public HostColumns(FleetColumns columns, int host)
    {
        _c = columns;
        Host = host;
        Start = columns.HostStart[host];
        Count = columns.HostCapacity[host];
    }

    /// <summary>The host's index.</summary>
    public int Host { get; }

    /// <summary>The fleet slot of offset 0.</summary>
    public int Start { get; }

    /// <summary>The host's padded slot count (a multiple of <see cref="Fleet.SlotAlignment"/>).</summary>
    public int Count { get; }

    /// <summary>The whole state (for schema-driven operations such as R7's reset).</summary>
    public FleetColumns Columns => _c;

    // ---- per-VM settings (R1) ----
    public Span<int> Startup => Slice(_c.Startup);

    public Span<int> Minimum => Slice(_c.Minimum);

    public Span<int> Maximum => Slice(_c.Maximum);

    /// <summary>Cache: Maximum of a dynamic VM, Startup of a static one (<see cref="FleetColumns.TargetLimit"/>).</summary>
    public Span<int> TargetLimit => Slice(_c.TargetLimit);

    public Span<ushort> Buffer => Slice(_c.Buffer);

    public Span<ushort> Weight => Slice(_c.Weight);

    // ---- per-VM state ----
    public Span<int> Flags => Slice(_c.Flags);

    public Span<byte> State => Slice(_c.State);

    public Span<int> BootTicksLeft => Slice(_c.BootTicksLeft);

    public Span<int> Committed => Slice(_c.Committed);

    public Span<int> Demand => Slice(_c.Demand);

    public Span<int> Target => Slice(_c.Target);

    public Span<int> Pressure => Slice(_c.Pressure);

    public Span<int> Assigned => Slice(_c.Assigned);

    public Span<int> Ballooned => Slice(_c.Ballooned);

    public Span<int> SmartPaging => Slice(_c.SmartPaging);

    // ---- per-VM decisions (R17) ----
    public Span<int> Unballooned => Slice(_c.Unballooned);

    public Span<int> HotAdded => Slice(_c.HotAdded);

    public Span<int> Removed => Slice(_c.Removed);

    // ---- per-VM counters and windows (R18) ----
    public Span<long> AddedTotal => Slice(_c.AddedTotal);

    public Span<long> RemovedTotal => Slice(_c.RemovedTotal);

    public Span<int> AddOps => Slice(_c.AddOps);

    public Span<int> RemoveOps => Slice(_c.RemoveOps);

    public Span<int> WinSum => Slice(_c.WinSum);

    public Span<int> WinMin => Slice(_c.WinMin);

    public Span<int> WinMax => Slice(_c.WinMax);

    public Span<int> LastAvg => Slice(_c.LastAvg);

    public Span<int> LastMin => Slice(_c.LastMin);

    public Span<int> LastMax => Slice(_c.LastMax);

    public Span<int> WinFirst => Slice(_c.WinFirst);

    // ---- per-VM lifecycle ----
    public Span<byte> Request => Slice(_c.Request);

    public Span<byte> Result => Slice(_c.Result);

    public Span<long> ResultTick => Slice(_c.ResultTick);

    public Span<int> Generation => Slice(_c.Generation);

    // ---- the host's own elements (R3, R11, R12, R19) ----
    public ref int Total => ref _c.HostTotal[Host];

    public ref int Available => ref _c.HostAvailable[Host];

    public ref int PendingFreed => ref _c.HostPendingFreed[Host];

    public ref int PendingRequests => ref _c.HostPendingRequests[Host];

    public ref long Shortfall => ref _c.HostShortfall[Host];

    public ref byte Short => ref _c.HostShort[Host];

    public ref int AveragePressure => ref _c.HostAveragePressure[Host];

    public ref int SystemPressure => ref _c.HostSystemPressure[Host];

    public ref int FailedStarts => ref _c.HostFailedStarts[Host];

    // ---- guest responsiveness (P10) and the policies' state (P2–P9) ----
    public Span<byte> GuestKind => Slice(_c.GuestKind);

    public Span<int> GuestRate => Slice(_c.GuestRate);

    public Span<int> GuestStuck => Slice(_c.GuestStuck);

    public Span<int> GuestIdeal => Slice(_c.GuestIdeal);

    public Span<int> PolicyGoal => Slice(_c.PolicyGoal);

    public Span<int> NoProgress => Slice(_c.NoProgress);

    public Span<int> EsxFast => Slice(_c.EsxFast);

    public Span<int> EsxSlow => Slice(_c.EsxSlow);

    public Span<int> EsxEstimate => Slice(_c.EsxEstimate);

    public Span<int> MomRing => new(_c.HostMomRing, Host * FleetSchema.HostRingLength, FleetSchema.HostRingLength);

    public ref int Reserve => ref _c.HostReserve[Host];

    public ref int MomFilled => ref _c.HostMomFilled[Host];

    public ref int MomNext => ref _c.HostMomNext[Host];

    public ref byte EsxCapping => ref _c.HostEsxCapping[Host];

    /// <summary>P10: how many of the host's slots hold a guest that is not ideal (a cache kept by the fleet).</summary>
    public int NonIdealGuests => _c.HostNonIdealGuests[Host];

    /// <summary>
    /// A reference to the host's first element of a per-VM <paramref name="column"/> of <see cref="Columns"/>, without the
    /// bounds check a span pays: for vector kernels that read and write whole vectors from it, within <see cref="Count"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref T Ref<T>(T[] column) => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(column), Start);

    /// <summary>R7 on the VM at <paramref name="offset"/>.</summary>
    public void ClearRuntime(int offset) => _c.ClearRuntime(Start + offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<T> Slice<T>(T[] column) => new(column, Start, Count);
}

using System.Runtime.InteropServices;

namespace DmKernel;

/// <summary>
/// Every per-VM output and setting of a <see cref="Fleet"/> as a span, one element per slot (<see cref="Fleet.SlotCount"/>;
/// free slots read as Off, unused and zero, but for <see cref="LastResultTick"/>, which reads −1 (no result), and
/// <see cref="Committed"/>, which keeps what the caller last wrote there: the kernel ignores it). Spans over columns the state stores are live views. The others are
/// derived from the state (<see cref="Status"/>, <see cref="GuestVisible"/>, the window pressures,
/// <see cref="IsReclaiming"/>, <see cref="DynamicMemory"/>, <see cref="Guest"/>, <see cref="IsUsed"/>): the fleet computes
/// each on its first read after a change, into a buffer it allocates on that first read and keeps; such a span is valid
/// until the next tick or change of the fleet.
/// </summary>
public readonly struct FleetVmSpans
{
    private readonly Fleet _fleet;

    internal FleetVmSpans(Fleet fleet) => _fleet = fleet;

    // ---- lifecycle ----

    /// <summary>Lifecycle state (R4–R7).</summary>
    public ReadOnlySpan<VmState> State => MemoryMarshal.Cast<byte, VmState>(_fleet.Cols.State);

    /// <summary>Ticks of boot grace left (R5); 0 unless Booting.</summary>
    public ReadOnlySpan<int> BootTicksLeft => _fleet.Cols.BootTicksLeft;

    /// <summary>The request waiting for the next tick.</summary>
    public ReadOnlySpan<LifecycleRequest> PendingRequest => MemoryMarshal.Cast<byte, LifecycleRequest>(_fleet.Cols.Request);

    /// <summary>What the last processed lifecycle request did (<see cref="LastResultTick"/> says when).</summary>
    public ReadOnlySpan<LifecycleResult> LastResult => MemoryMarshal.Cast<byte, LifecycleResult>(_fleet.Cols.Result);

    /// <summary>The tick index in which <see cref="LastResult"/> was written; −1 before any.</summary>
    public ReadOnlySpan<long> LastResultTick => _fleet.Cols.ResultTick;

    // ---- memory and demand (R8–R10, R16, R20) ----

    /// <summary>Physical Memory (R18): MB of host RAM held.</summary>
    public ReadOnlySpan<int> Assigned => _fleet.Cols.Assigned;

    /// <summary>MB taken back by the balloon (R12), still visible to the guest.</summary>
    public ReadOnlySpan<int> Ballooned => _fleet.Cols.Ballooned;

    /// <summary>Smart Paging Working Set Size (R6, R16, R18).</summary>
    public ReadOnlySpan<int> SmartPagingMb => _fleet.Cols.SmartPaging;

    /// <summary>Guest Visible Physical Memory (R18) = Assigned + Ballooned + SmartPaging. Derived.</summary>
    public ReadOnlySpan<int> GuestVisible => _fleet.Derived.GuestVisible();

    /// <summary>The committed memory last reported by the workload (R8 input).</summary>
    public ReadOnlySpan<int> Committed => _fleet.Cols.Committed;

    /// <summary>Demand of the last tick (R8), Linux floor included.</summary>
    public ReadOnlySpan<int> Demand => _fleet.Cols.Demand;

    /// <summary>Target of the last tick (R9); Startup for Booting and static VMs.</summary>
    public ReadOnlySpan<int> Target => _fleet.Cols.Target;

    /// <summary>Current Pressure (R10) at the end of the last tick.</summary>
    public ReadOnlySpan<int> Pressure => _fleet.Cols.Pressure;

    /// <summary>R20 memory status at the end of the last tick. Derived.</summary>
    public ReadOnlySpan<MemoryStatus> Status => _fleet.Derived.Status();

    /// <summary>Whether R15 is ballooning the VM toward its Target. Derived.</summary>
    public ReadOnlySpan<bool> IsReclaiming => _fleet.Derived.IsReclaiming();

    // ---- the tick's decisions (R17) ----

    /// <summary>MB unballooned this tick.</summary>
    public ReadOnlySpan<int> UnballoonedThisTick => _fleet.Cols.Unballooned;

    /// <summary>MB hot-added this tick.</summary>
    public ReadOnlySpan<int> HotAddedThisTick => _fleet.Cols.HotAdded;

    /// <summary>MB removed by the balloon this tick.</summary>
    public ReadOnlySpan<int> RemovedThisTick => _fleet.Cols.Removed;

    // ---- counters (R18) ----

    /// <summary>Added Memory, cumulative MB.</summary>
    public ReadOnlySpan<long> AddedMemory => _fleet.Cols.AddedTotal;

    /// <summary>Removed Memory, cumulative MB.</summary>
    public ReadOnlySpan<long> RemovedMemory => _fleet.Cols.RemovedTotal;

    /// <summary>Memory Add Operations.</summary>
    public ReadOnlySpan<int> AddOperations => _fleet.Cols.AddOps;

    /// <summary>Memory Remove Operations.</summary>
    public ReadOnlySpan<int> RemoveOperations => _fleet.Cols.RemoveOps;

    /// <summary>Average Pressure of the last completed window (the current one until one completes), rounded half up. Derived.</summary>
    public ReadOnlySpan<int> AveragePressure => _fleet.Derived.WindowPressures().Average;

    /// <summary>Minimum Pressure of the last completed window (the current one until one completes). Derived.</summary>
    public ReadOnlySpan<int> MinimumPressure => _fleet.Derived.WindowPressures().Minimum;

    /// <summary>Maximum Pressure of the last completed window (the current one until one completes). Derived.</summary>
    public ReadOnlySpan<int> MaximumPressure => _fleet.Derived.WindowPressures().Maximum;

    // ---- settings (R1) ----

    /// <summary>Whether the slot holds a VM. Derived.</summary>
    public ReadOnlySpan<bool> IsUsed => _fleet.Derived.Settings().IsUsed;

    /// <summary>Startup, MB.</summary>
    public ReadOnlySpan<int> StartupMb => _fleet.Cols.Startup;

    /// <summary>Minimum, MB.</summary>
    public ReadOnlySpan<int> MinimumMb => _fleet.Cols.Minimum;

    /// <summary>Maximum, MB.</summary>
    public ReadOnlySpan<int> MaximumMb => _fleet.Cols.Maximum;

    /// <summary>Buffer, percent (5..2000).</summary>
    public ReadOnlySpan<ushort> BufferPercent => _fleet.Cols.Buffer;

    /// <summary>Weight (0..10 000).</summary>
    public ReadOnlySpan<ushort> Weight => _fleet.Cols.Weight;

    /// <summary>Whether Dynamic Memory is on. Derived.</summary>
    public ReadOnlySpan<bool> DynamicMemory => _fleet.Derived.Settings().Dynamic;

    /// <summary>The guest kind. Derived.</summary>
    public ReadOnlySpan<GuestKind> Guest => _fleet.Derived.Settings().Guest;

    // ---- guest response (P10), as the kernel applies it: in MB per tick and in ticks ----

    /// <summary>How the guest answers the balancer (P10; <see cref="Fleet.SetGuestResponse"/>); Ideal unless set.</summary>
    public ReadOnlySpan<GuestResponseKind> GuestResponse => MemoryMarshal.Cast<byte, GuestResponseKind>(_fleet.Cols.GuestKind);

    /// <summary>P10 Rate: MB the guest moves per tick (the response's MB per second times the tick, rounded down to G, at least G); 0 for other kinds.</summary>
    public ReadOnlySpan<int> GuestRateMbPerTick => _fleet.Cols.GuestRate;

    /// <summary>P10 IntermittentlyStuck: ticks of each stuck spell; 0 for other kinds.</summary>
    public ReadOnlySpan<int> GuestStuckTicks => _fleet.Cols.GuestStuck;

    /// <summary>P10 IntermittentlyStuck: ticks of each responsive spell; 0 for other kinds.</summary>
    public ReadOnlySpan<int> GuestIdealTicks => _fleet.Cols.GuestIdeal;
}

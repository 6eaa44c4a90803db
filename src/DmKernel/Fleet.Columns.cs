using System.Runtime.InteropServices;

namespace DmKernel;

public sealed partial class Fleet
{
    // ---- spans out: one element per slot (free slots read as Off and zero, but for the caller's committed input) ----

    /// <summary>Physical Memory (R18): MB of host RAM held.</summary>
    public ReadOnlySpan<int> Assigned => Cols.Assigned;

    /// <summary>MB taken back by the balloon (R12), still visible to the guest.</summary>
    public ReadOnlySpan<int> Ballooned => Cols.Ballooned;

    /// <summary>Smart Paging Working Set Size (R6, R16, R18).</summary>
    public ReadOnlySpan<int> SmartPagingMb => Cols.SmartPaging;

    /// <summary>Demand of the last tick (R8), Linux floor included.</summary>
    public ReadOnlySpan<int> Demand => Cols.Demand;

    /// <summary>The committed memory last reported by the workload (R8 input).</summary>
    public ReadOnlySpan<int> Committed => Cols.Committed;

    /// <summary>Target of the last tick (R9); Startup for Booting and static VMs.</summary>
    public ReadOnlySpan<int> Target => Cols.Target;

    /// <summary>Current Pressure (R10) at the end of the last tick.</summary>
    public ReadOnlySpan<int> Pressure => Cols.Pressure;

    /// <summary>R17: MB unballooned this tick.</summary>
    public ReadOnlySpan<int> UnballoonedThisTick => Cols.Unballooned;

    /// <summary>R17: MB hot-added this tick.</summary>
    public ReadOnlySpan<int> HotAddedThisTick => Cols.HotAdded;

    /// <summary>R17: MB removed by the balloon this tick.</summary>
    public ReadOnlySpan<int> RemovedThisTick => Cols.Removed;

    /// <summary>R18: Added Memory, cumulative MB.</summary>
    public ReadOnlySpan<long> AddedMemory => Cols.AddedTotal;

    /// <summary>R18: Removed Memory, cumulative MB.</summary>
    public ReadOnlySpan<long> RemovedMemory => Cols.RemovedTotal;

    /// <summary>R18: Memory Add Operations.</summary>
    public ReadOnlySpan<int> AddOperations => Cols.AddOps;

    /// <summary>R18: Memory Remove Operations.</summary>
    public ReadOnlySpan<int> RemoveOperations => Cols.RemoveOps;

    /// <summary>Lifecycle state of every slot (free slots are Off); the same as <see cref="Vms"/>.State.</summary>
    public ReadOnlySpan<VmState> States => MemoryMarshal.Cast<byte, VmState>(Cols.State);

    /// <summary>The request waiting for the next tick of every slot; the same as <see cref="Vms"/>.PendingRequest.</summary>
    public ReadOnlySpan<LifecycleRequest> PendingRequests => MemoryMarshal.Cast<byte, LifecycleRequest>(Cols.Request);

    /// <summary>Every per-VM output and setting as a span (one element per slot).</summary>
    public FleetVmSpans Vms => new(this);

    /// <summary>Every per-host output and setting as a span (one element per host).</summary>
    public FleetHostSpans Hosts => new(this);

    // ---- per-VM views ----

    /// <summary>Lifecycle state of a VM.</summary>
    public VmState State(int vm) => (VmState)Cols.State[CheckVm(vm)];

    /// <summary>R20 memory status at the end of the last tick.</summary>
    /// <remarks>
    /// Like every per-VM read here and the spans of <see cref="Vms"/>, a free slot reads its cleared value (Off, <c>Ok</c>, 0);
    /// <see cref="GetSettings"/> of a free slot throws, as a free slot has no settings (see <see cref="IsUsed"/>).
    /// </remarks>
    public MemoryStatus Status(int vm) => (MemoryStatus)((Cols.Flags[CheckVm(vm)] & VmFlags.StatusMask) >> VmFlags.StatusShift);

    /// <summary>GuestVisible = Assigned + Ballooned + SmartPaging (Guest Visible Physical Memory, R18).</summary>
    public int GuestVisible(int vm) => Cols.Assigned[CheckVm(vm)] + Cols.Ballooned[vm] + Cols.SmartPaging[vm];

    /// <summary>Whether R15 is ballooning this VM toward its Target.</summary>
    public bool IsReclaiming(int vm) => (Cols.Flags[CheckVm(vm)] & VmFlags.Reclaiming) != 0;

    /// <summary>What the last processed lifecycle request did.</summary>
    public LifecycleResult LastResult(int vm) => (LifecycleResult)Cols.Result[CheckVm(vm)];

    /// <summary>Ticks of boot grace left (R5); 0 unless Booting.</summary>
    public int BootTicksLeft(int vm) => Cols.BootTicksLeft[CheckVm(vm)];

    /// <summary>R18: Average Pressure of the last completed window (the current one until one completes), rounded half up.</summary>
    public int AveragePressure(int vm) => DerivedSpans.WindowOf(Cols, CheckVm(vm), WindowTickIndex(Cols.HostOfSlot[vm])).Average;

    /// <summary>R18: Minimum Pressure of the last completed window (the current one until one completes).</summary>
    public int MinimumPressure(int vm) => DerivedSpans.WindowOf(Cols, CheckVm(vm), WindowTickIndex(Cols.HostOfSlot[vm])).Minimum;

    /// <summary>R18: Maximum Pressure of the last completed window (the current one until one completes).</summary>
    public int MaximumPressure(int vm) => DerivedSpans.WindowOf(Cols, CheckVm(vm), WindowTickIndex(Cols.HostOfSlot[vm])).Maximum;

    /// <summary>The tick index in which <see cref="LastResult"/> was written; −1 before any request was processed.</summary>
    public long LastResultTick(int vm) => Cols.ResultTick[CheckVm(vm)];

    // ---- per-host views (R3, R19) ----

    /// <summary>Host RAM in MB.</summary>
    public int HostTotal(int host) => Cols.HostTotal[CheckHost(host)];

    /// <summary>Management-OS reserve in MB (R3).</summary>
    public int HostReserve(int host) => Cols.HostReserve[CheckHost(host)];

    /// <summary>Available Memory (R3, R19) at the end of the last tick; excludes memory ballooned this tick (R12).</summary>
    public int HostAvailable(int host) => Cols.HostAvailable[CheckHost(host)];

    /// <summary>MB ballooned this tick that join Available at the start of the next (R12).</summary>
    public int HostPendingFreed(int host) => Cols.HostPendingFreed[CheckHost(host)];

    /// <summary>R11 Shortfall of the last tick.</summary>
    public long HostShortfall(int host) => Cols.HostShortfall[CheckHost(host)];

    /// <summary>Whether R11 ran the short (water-filling) plan on this host in the last tick.</summary>
    public bool HostWasShort(int host) => Cols.HostShort[CheckHost(host)] != 0;

    /// <summary>R19 Average Pressure: mean Current Pressure of the Running DM VMs, rounded half up.</summary>
    public int HostAveragePressure(int host) => Cols.HostAveragePressure[CheckHost(host)];

    /// <summary>R19 System Current Pressure.</summary>
    public int HostSystemPressure(int host) => Cols.HostSystemPressure[CheckHost(host)];

    /// <summary>R19 host-wide Added Memory (MB, cumulative).</summary>
    public long HostAddedMemory(int host) => Cols.HostAddedTotal[CheckHost(host)];

    /// <summary>R19 host-wide Removed Memory (MB, cumulative).</summary>
    public long HostRemovedMemory(int host) => Cols.HostRemovedTotal[CheckHost(host)];

    /// <summary>R19 host-wide add operations (cumulative).</summary>
    public long HostAddOperations(int host) => Cols.HostAddOps[CheckHost(host)];

    /// <summary>R19 host-wide remove operations (cumulative).</summary>
    public long HostRemoveOperations(int host) => Cols.HostRemoveOps[CheckHost(host)];

    /// <summary>R4: starts that failed with NotEnoughMemory on this host (cumulative; it stays at <see cref="int.MaxValue"/> once there, rather than wrap negative).</summary>
    public int HostFailedStarts(int host) => Cols.HostFailedStarts[CheckHost(host)];
}

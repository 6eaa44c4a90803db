using System.Runtime.InteropServices;

namespace DmKernel;

/// <summary>
/// Every per-host output and setting of a <see cref="Fleet"/> as a span, one element per host (<see cref="Fleet.HostCount"/>),
/// live views of the state's columns.
/// </summary>
public readonly struct FleetHostSpans
{
    private readonly Fleet _fleet;

    internal FleetHostSpans(Fleet fleet) => _fleet = fleet;

    // ---- layout and RAM (R3) ----

    /// <summary>The first slot of each host.</summary>
    public ReadOnlySpan<int> FirstSlot => _fleet.Cols.HostStart;

    /// <summary>Each host's slot count, padded to a multiple of <see cref="Fleet.SlotAlignment"/>.</summary>
    public ReadOnlySpan<int> SlotCapacity => _fleet.Cols.HostCapacity;

    /// <summary>The VM slots each host was created with (<see cref="HostSpec.VmCapacity"/>).</summary>
    public ReadOnlySpan<int> VmCapacity => _fleet.Cols.HostVmLimit;

    /// <summary>
    /// The VMs each host holds now (its used slots: <see cref="Fleet.AddVm"/> adds one, <see cref="Fleet.RemoveVm"/> takes
    /// one away), whatever their state. Host h's VMs are among slots <see cref="FirstSlot"/>[h] ..
    /// <see cref="FirstSlot"/>[h] + <see cref="SlotCapacity"/>[h] − 1, where <see cref="FleetVmSpans.IsUsed"/> tells them
    /// from free and padding slots.
    /// </summary>
    public ReadOnlySpan<int> VmCount => _fleet.Cols.HostUsedSlots;

    /// <summary>Host RAM, MB.</summary>
    public ReadOnlySpan<int> TotalMb => _fleet.Cols.HostTotal;

    /// <summary>Management-OS reserve, MB (R3).</summary>
    public ReadOnlySpan<int> ReserveMb => _fleet.Cols.HostReserve;

    // ---- state and the tick's decisions (R3, R11, R12) ----

    /// <summary>Available Memory (R3, R19) at the end of the last tick; excludes memory ballooned in it (R12).</summary>
    public ReadOnlySpan<int> Available => _fleet.Cols.HostAvailable;

    /// <summary>MB ballooned in the last tick that join Available at the start of the next (R12).</summary>
    public ReadOnlySpan<int> PendingFreed => _fleet.Cols.HostPendingFreed;

    /// <summary>R11 Shortfall of the last tick.</summary>
    public ReadOnlySpan<long> Shortfall => _fleet.Cols.HostShortfall;

    /// <summary>Whether R11 ran the short (water-filling) plan in the last tick.</summary>
    public ReadOnlySpan<bool> WasShort => MemoryMarshal.Cast<byte, bool>(_fleet.Cols.HostShort);

    // ---- counters (R19) ----

    /// <summary>Average Pressure: mean Current Pressure of the Running DM VMs, rounded half up.</summary>
    public ReadOnlySpan<int> AveragePressure => _fleet.Cols.HostAveragePressure;

    /// <summary>System Current Pressure.</summary>
    public ReadOnlySpan<int> SystemPressure => _fleet.Cols.HostSystemPressure;

    /// <summary>Host-wide Added Memory (MB, cumulative).</summary>
    public ReadOnlySpan<long> AddedMemory => _fleet.Cols.HostAddedTotal;

    /// <summary>Host-wide Removed Memory (MB, cumulative).</summary>
    public ReadOnlySpan<long> RemovedMemory => _fleet.Cols.HostRemovedTotal;

    /// <summary>Host-wide add operations (cumulative).</summary>
    public ReadOnlySpan<long> AddOperations => _fleet.Cols.HostAddOps;

    /// <summary>Host-wide remove operations (cumulative).</summary>
    public ReadOnlySpan<long> RemoveOperations => _fleet.Cols.HostRemoveOps;

    /// <summary>R4: starts that failed with NotEnoughMemory (cumulative; it stays at <see cref="int.MaxValue"/> once there, rather than wrap negative).</summary>
    public ReadOnlySpan<int> FailedStarts => _fleet.Cols.HostFailedStarts;
}

namespace DmKernel;

public sealed partial class Fleet
{
    // ---- spans out: one element per slot (free slots read as Off and zero) ----

    /// <summary>Physical Memory (R18): MB of host RAM held.</summary>
    public ReadOnlySpan<int> Assigned => AssignedCol;

    /// <summary>MB taken back by the balloon (R12), still visible to the guest.</summary>
    public ReadOnlySpan<int> Ballooned => BalloonedCol;

    /// <summary>Smart Paging Working Set Size (R6, R16, R18).</summary>
    public ReadOnlySpan<int> SmartPagingMb => SmartPagingCol;

    /// <summary>Demand of the last tick (R8), Linux floor included.</summary>
    public ReadOnlySpan<int> Demand => DemandCol;

    /// <summary>The committed memory last reported by the workload (R8 input).</summary>
    public ReadOnlySpan<int> Committed => CommittedCol;

    /// <summary>Target of the last tick (R9); Startup for Booting and static VMs.</summary>
    public ReadOnlySpan<int> Target => TargetCol;

    /// <summary>Current Pressure (R10) at the end of the last tick.</summary>
    public ReadOnlySpan<int> Pressure => PressureCol;

    /// <summary>R17: MB unballooned this tick.</summary>
    public ReadOnlySpan<int> UnballoonedThisTick => UnballoonedCol;

    /// <summary>R17: MB hot-added this tick.</summary>
    public ReadOnlySpan<int> HotAddedThisTick => HotAddedCol;

    /// <summary>R17: MB removed by the balloon this tick.</summary>
    public ReadOnlySpan<int> RemovedThisTick => RemovedCol;

    /// <summary>R18: Added Memory, cumulative MB.</summary>
    public ReadOnlySpan<long> AddedMemory => AddedTotalCol;

    /// <summary>R18: Removed Memory, cumulative MB.</summary>
    public ReadOnlySpan<long> RemovedMemory => RemovedTotalCol;

    /// <summary>R18: Memory Add Operations.</summary>
    public ReadOnlySpan<int> AddOperations => AddOpsCol;

    /// <summary>R18: Memory Remove Operations.</summary>
    public ReadOnlySpan<int> RemoveOperations => RemoveOpsCol;

    // ---- per-VM views ----

    /// <summary>Lifecycle state of a VM.</summary>
    public VmState State(int vm) => StateOf(CheckVm(vm));

    /// <summary>R20 memory status at the end of the last tick.</summary>
    public MemoryStatus Status(int vm) => (MemoryStatus)((FlagsCol[CheckVm(vm)] & VmFlags.StatusMask) >> VmFlags.StatusShift);

    /// <summary>GuestVisible = Assigned + Ballooned + SmartPaging (Guest Visible Physical Memory, R18).</summary>
    public int GuestVisible(int vm) => AssignedCol[CheckVm(vm)] + BalloonedCol[vm] + SmartPagingCol[vm];

    /// <summary>Whether R15 is ballooning this VM toward its Target.</summary>
    public bool IsReclaiming(int vm) => (FlagsCol[CheckVm(vm)] & VmFlags.Reclaiming) != 0;

    /// <summary>What the last processed lifecycle request did.</summary>
    public LifecycleResult LastResult(int vm) => (LifecycleResult)ResultCol[CheckVm(vm)];

    /// <summary>Ticks of boot grace left (R5); 0 unless Booting.</summary>
    public int BootTicksLeft(int vm) => BootTicksLeftCol[CheckVm(vm)];

    /// <summary>R18: Average Pressure of the last completed window (the current one until one completes), rounded half up.</summary>
    public int AveragePressure(int vm)
    {
        CheckVm(vm);
        if (LastAvgCol[vm] >= 0)
            return LastAvgCol[vm];
        int n = WinCountCol[vm];
        return n == 0 ? 0 : (int)((2L * WinSumCol[vm] + n) / (2L * n));
    }

    /// <summary>R18: Minimum Pressure of the last completed window (the current one until one completes).</summary>
    public int MinimumPressure(int vm)
    {
        CheckVm(vm);
        return LastAvgCol[vm] >= 0 ? LastMinCol[vm] : WinCountCol[vm] == 0 ? 0 : WinMinCol[vm];
    }

    /// <summary>R18: Maximum Pressure of the last completed window (the current one until one completes).</summary>
    public int MaximumPressure(int vm)
    {
        CheckVm(vm);
        return LastAvgCol[vm] >= 0 ? LastMaxCol[vm] : WinMaxCol[vm];
    }

    // ---- per-host views (R3, R19) ----

    /// <summary>Host RAM in MB.</summary>
    public int HostTotal(int host) => HostTotalCol[CheckHost(host)];

    /// <summary>Management-OS reserve in MB (R3).</summary>
    public int HostReserve(int host) => HostReserveCol[CheckHost(host)];

    /// <summary>Available Memory (R3, R19) at the end of the last tick; excludes memory ballooned this tick (R12).</summary>
    public int HostAvailable(int host) => HostAvailableCol[CheckHost(host)];

    /// <summary>MB ballooned this tick that join Available at the start of the next (R12).</summary>
    public int HostPendingFreed(int host) => HostPendingFreedCol[CheckHost(host)];

    /// <summary>R11 Shortfall of the last tick.</summary>
    public long HostShortfall(int host) => HostShortfallCol[CheckHost(host)];

    /// <summary>Whether R11 ran the short (water-filling) plan on this host in the last tick.</summary>
    public bool HostWasShort(int host) => HostShortCol[CheckHost(host)] != 0;

    /// <summary>R19 Average Pressure: mean Current Pressure of the Running DM VMs, rounded half up.</summary>
    public int HostAveragePressure(int host) => HostAveragePressureCol[CheckHost(host)];

    /// <summary>R19 System Current Pressure.</summary>
    public int HostSystemPressure(int host) => HostSystemPressureCol[CheckHost(host)];

    /// <summary>R19 host-wide Added Memory (MB, cumulative).</summary>
    public long HostAddedMemory(int host) => HostAddedTotalCol[CheckHost(host)];

    /// <summary>R19 host-wide Removed Memory (MB, cumulative).</summary>
    public long HostRemovedMemory(int host) => HostRemovedTotalCol[CheckHost(host)];

    /// <summary>R19 host-wide add operations (cumulative).</summary>
    public long HostAddOperations(int host) => HostAddOpsCol[CheckHost(host)];

    /// <summary>R19 host-wide remove operations (cumulative).</summary>
    public long HostRemoveOperations(int host) => HostRemoveOpsCol[CheckHost(host)];

    /// <summary>R4: starts that failed with NotEnoughMemory on this host (cumulative).</summary>
    public int HostFailedStarts(int host) => HostFailedStartsCol[CheckHost(host)];
}

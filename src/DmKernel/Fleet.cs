using System.Runtime.CompilerServices;

namespace DmKernel;

/// <summary>
/// The struct-of-arrays state of a datacenter: per-VM columns (settings R1, state, counters R18) and
/// per-host columns (R3, R19), one array per field.
/// </summary>
/// <remarks>
/// A VM is identified by its slot index. Each host owns a contiguous range of slots, padded to a multiple
/// of <see cref="SlotAlignment"/>; free slots are Off and hold zeros, so any kernel path can sweep a host's
/// whole range without tail loops, and VMs can be added, started, stopped and removed without moving other
/// VMs or allocating. Columns are public as spans; writes go through validating methods.
/// </remarks>
public sealed partial class Fleet
{
    /// <summary>Every host range starts at, and spans, a multiple of this many slots (the widest vector of ints).</summary>
    public const int SlotAlignment = 16;

    /// <summary>The largest committed demand a guest may report (R8 input), in MB: 16 TB.</summary>
    public const int MaxCommittedMb = 16 * 1024 * 1024;

    // ---- per-VM settings (R1) ----
    internal readonly int[] StartupCol;
    internal readonly int[] MinimumCol;
    internal readonly int[] MaximumCol;
    internal readonly int[] BufferCol;
    internal readonly int[] WeightCol;

    // ---- per-VM state ----
    internal readonly int[] FlagsCol;          // VmFlags bits: state, DM, Linux, reclaiming, used, status
    internal readonly int[] BootTicksLeftCol;  // R5
    internal readonly int[] CommittedCol;      // R8 input from the workload
    internal readonly int[] DemandCol;         // R8 output
    internal readonly int[] TargetCol;         // R9
    internal readonly int[] PressureCol;       // R10
    internal readonly int[] AssignedCol;
    internal readonly int[] BalloonedCol;
    internal readonly int[] SmartPagingCol;

    // ---- per-VM decision of the tick (R17) ----
    internal readonly int[] UnballoonedCol;
    internal readonly int[] HotAddedCol;
    internal readonly int[] RemovedCol;

    // ---- per-VM counters (R18) ----
    internal readonly long[] AddedTotalCol;
    internal readonly long[] RemovedTotalCol;
    internal readonly int[] AddOpsCol;
    internal readonly int[] RemoveOpsCol;
    internal readonly int[] WinSumCol;
    internal readonly int[] WinCountCol;
    internal readonly int[] WinMinCol;
    internal readonly int[] WinMaxCol;
    internal readonly int[] LastAvgCol;        // -1 until a window completes
    internal readonly int[] LastMinCol;
    internal readonly int[] LastMaxCol;

    // ---- per-VM lifecycle (cold) ----
    internal readonly byte[] RequestCol;
    internal readonly byte[] ResultCol;
    internal readonly int[] GenerationCol;     // +1 on every start and restart

    // ---- per-host columns (R3, R19) ----
    internal readonly int[] HostStartCol;
    internal readonly int[] HostCapacityCol;   // padded slot count
    internal readonly int[] HostVmLimitCol;    // slots the caller asked for
    internal readonly int[] HostTotalCol;
    internal readonly int[] HostReserveCol;
    internal readonly int[] HostAvailableCol;
    internal readonly int[] HostPendingFreedCol; // R12: ballooned this tick, joins Available next tick
    internal readonly int[] HostPendingRequestsCol;
    internal readonly long[] HostShortfallCol;
    internal readonly int[] HostAveragePressureCol;
    internal readonly int[] HostSystemPressureCol;
    internal readonly long[] HostAddedTotalCol;
    internal readonly long[] HostRemovedTotalCol;
    internal readonly long[] HostAddOpsCol;
    internal readonly long[] HostRemoveOpsCol;
    internal readonly int[] HostFailedStartsCol;
    internal readonly byte[] HostShortCol;     // 1 when R11 ran the short plan this tick

    /// <summary>Creates a fleet with the given hosts, all slots free.</summary>
    public Fleet(ModelParameters model, ReadOnlySpan<HostSpec> hosts)
    {
        ArgumentNullException.ThrowIfNull(model);
        model.Validate();
        Model = model;
        HostCount = hosts.Length;
        HostStartCol = new int[HostCount];
        HostCapacityCol = new int[HostCount];
        HostVmLimitCol = new int[HostCount];
        HostTotalCol = new int[HostCount];
        HostReserveCol = new int[HostCount];
        HostAvailableCol = new int[HostCount];
        HostPendingFreedCol = new int[HostCount];
        HostPendingRequestsCol = new int[HostCount];
        HostShortfallCol = new long[HostCount];
        HostAveragePressureCol = new int[HostCount];
        HostSystemPressureCol = new int[HostCount];
        HostAddedTotalCol = new long[HostCount];
        HostRemovedTotalCol = new long[HostCount];
        HostAddOpsCol = new long[HostCount];
        HostRemoveOpsCol = new long[HostCount];
        HostFailedStartsCol = new int[HostCount];
        HostShortCol = new byte[HostCount];

        long slots = 0;
        for (int h = 0; h < hosts.Length; h++)
        {
            HostSpec spec = hosts[h];
            int reserve = spec.ReserveMb ?? model.HostReserveMb;
            if (spec.VmCapacity < 0 || spec.VmCapacity > HostSpec.MaxVmCapacity)
                throw new ArgumentOutOfRangeException(nameof(hosts), spec.VmCapacity, $"Host {h}: VmCapacity must be 0..{HostSpec.MaxVmCapacity}.");
            if (reserve < 0 || reserve % model.GranularityMb != 0)
                throw new ArgumentOutOfRangeException(nameof(hosts), reserve, $"Host {h}: ReserveMb must be a non-negative multiple of {model.GranularityMb} MB (R3).");
            if (spec.TotalMb < reserve || spec.TotalMb % model.GranularityMb != 0)
                throw new ArgumentOutOfRangeException(nameof(hosts), spec.TotalMb, $"Host {h}: TotalMb must be a multiple of {model.GranularityMb} MB and at least the reserve of {reserve} MB (R3).");
            int padded = (spec.VmCapacity + SlotAlignment - 1) / SlotAlignment * SlotAlignment;
            HostStartCol[h] = (int)slots;
            HostCapacityCol[h] = padded;
            HostVmLimitCol[h] = spec.VmCapacity;
            HostTotalCol[h] = spec.TotalMb;
            HostReserveCol[h] = reserve;
            HostAvailableCol[h] = spec.TotalMb - reserve;
            slots += padded;
            if (slots > Array.MaxLength / 2)
                throw new ArgumentOutOfRangeException(nameof(hosts), slots, "Too many VM slots in one fleet.");
        }

        SlotCount = (int)slots;
        StartupCol = new int[SlotCount];
        MinimumCol = new int[SlotCount];
        MaximumCol = new int[SlotCount];
        BufferCol = new int[SlotCount];
        WeightCol = new int[SlotCount];
        FlagsCol = new int[SlotCount];
        BootTicksLeftCol = new int[SlotCount];
        CommittedCol = new int[SlotCount];
        DemandCol = new int[SlotCount];
        TargetCol = new int[SlotCount];
        PressureCol = new int[SlotCount];
        AssignedCol = new int[SlotCount];
        BalloonedCol = new int[SlotCount];
        SmartPagingCol = new int[SlotCount];
        UnballoonedCol = new int[SlotCount];
        HotAddedCol = new int[SlotCount];
        RemovedCol = new int[SlotCount];
        AddedTotalCol = new long[SlotCount];
        RemovedTotalCol = new long[SlotCount];
        AddOpsCol = new int[SlotCount];
        RemoveOpsCol = new int[SlotCount];
        WinSumCol = new int[SlotCount];
        WinCountCol = new int[SlotCount];
        WinMinCol = new int[SlotCount];
        WinMaxCol = new int[SlotCount];
        LastAvgCol = new int[SlotCount];
        LastMinCol = new int[SlotCount];
        LastMaxCol = new int[SlotCount];
        RequestCol = new byte[SlotCount];
        ResultCol = new byte[SlotCount];
        GenerationCol = new int[SlotCount];
        HostOfSlot = new int[SlotCount];
        for (int h = 0; h < HostCount; h++)
            HostOfSlot.AsSpan(HostStartCol[h], HostCapacityCol[h]).Fill(h);
        for (int i = 0; i < SlotCount; i++)
            ClearRuntime(i);
    }

    /// <summary>The model parameters, validated.</summary>
    public ModelParameters Model { get; }

    /// <summary>Number of hosts.</summary>
    public int HostCount { get; }

    /// <summary>Number of VM slots over all hosts, padding included; every per-VM span has this length.</summary>
    public int SlotCount { get; }

    /// <summary>Ticks run so far; the next tick has this index.</summary>
    public long TickIndex { get; internal set; }

    internal int[] HostOfSlot { get; }

    /// <summary>The host that owns a slot.</summary>
    public int HostOf(int vm) => HostOfSlot[CheckVm(vm)];

    /// <summary>The first slot of a host and its padded slot count.</summary>
    public (int Start, int Capacity) HostSlots(int host) => (HostStartCol[CheckHost(host)], HostCapacityCol[host]);

    /// <summary>Resets a slot's runtime state (R7): memory, demand, pressure windows, status.</summary>
    internal void ClearRuntime(int i)
    {
        FlagsCol[i] &= VmFlags.SettingBits;
        BootTicksLeftCol[i] = 0;
        DemandCol[i] = 0;
        TargetCol[i] = 0;
        PressureCol[i] = 0;
        AssignedCol[i] = 0;
        BalloonedCol[i] = 0;
        SmartPagingCol[i] = 0;
        WinSumCol[i] = 0;
        WinCountCol[i] = 0;
        WinMinCol[i] = int.MaxValue;
        WinMaxCol[i] = 0;
        LastAvgCol[i] = -1;
        LastMinCol[i] = 0;
        LastMaxCol[i] = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int CheckVm(int vm)
    {
        if ((uint)vm >= (uint)SlotCount)
            ThrowHelper.VmOutOfRange(vm, SlotCount);
        return vm;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int CheckHost(int host)
    {
        if ((uint)host >= (uint)HostCount)
            ThrowHelper.HostOutOfRange(host, HostCount);
        return host;
    }
}

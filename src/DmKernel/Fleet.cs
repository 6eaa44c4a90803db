using System.Globalization;
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

    /// <summary>The most hosts one fleet holds (each keeps a ring of <see cref="FleetSchema.HostRingLength"/> samples in one array).</summary>
    internal const int MaxHosts = 0x7FFFFFC7 / FleetSchema.HostRingLength;

    /// <summary>The state's arrays, one per column of <see cref="FleetSchema"/>.</summary>
    internal readonly FleetColumns Cols;

    /// <summary>Creates a fleet with the given hosts, all slots free.</summary>
    public Fleet(ModelParameters model, ReadOnlySpan<HostSpec> hosts)
    {
        ArgumentNullException.ThrowIfNull(model);
        model.Validate();
        Model = model;
        HostCount = hosts.Length;
        if (hosts.Length > MaxHosts) // each host holds a ring of MoM's samples: more hosts overflow its column (before stop 53: OverflowException from the schema)
            throw new InvariantOutOfRangeException(nameof(hosts), hosts.Length, string.Create(CultureInfo.InvariantCulture, $"Too many hosts in one fleet: {hosts.Length}, expected at most {MaxHosts}."));
        var layout = new (int Start, int Capacity, int Limit, int Total, int Reserve)[HostCount];
        long slots = 0;
        for (int h = 0; h < hosts.Length; h++)
        {
            HostSpec spec = hosts[h];
            int reserve = spec.ReserveMb ?? model.HostReserveMb;
            if (spec.VmCapacity < 0 || spec.VmCapacity > HostSpec.MaxVmCapacity)
                throw new InvariantOutOfRangeException(nameof(hosts), spec.VmCapacity, string.Create(CultureInfo.InvariantCulture, $"Host {h}: VmCapacity must be 0..{HostSpec.MaxVmCapacity}."));
            if (reserve < 0 || reserve % model.GranularityMb != 0)
                throw new InvariantOutOfRangeException(nameof(hosts), reserve, string.Create(CultureInfo.InvariantCulture, $"Host {h}: ReserveMb must be a non-negative multiple of {model.GranularityMb} MB (R3)."));
            if (spec.TotalMb < reserve || spec.TotalMb % model.GranularityMb != 0)
                throw new InvariantOutOfRangeException(nameof(hosts), spec.TotalMb, string.Create(CultureInfo.InvariantCulture, $"Host {h}: TotalMb must be a multiple of {model.GranularityMb} MB and at least the reserve of {reserve} MB (R3)."));
            int padded = (spec.VmCapacity + SlotAlignment - 1) / SlotAlignment * SlotAlignment;
            layout[h] = ((int)slots, padded, spec.VmCapacity, spec.TotalMb, reserve);
            slots += padded;
            if (slots > Array.MaxLength / 2)
                throw new InvariantOutOfRangeException(nameof(hosts), slots, "Too many VM slots in one fleet.");
        }

        SlotCount = (int)slots;
        Cols = new FleetColumns(SlotCount, HostCount, model.PressureWindowTicks);
        for (int h = 0; h < HostCount; h++)
        {
            (Cols.HostStart[h], Cols.HostCapacity[h], Cols.HostVmLimit[h], Cols.HostTotal[h], Cols.HostReserve[h]) = layout[h];
            Cols.HostAvailable[h] = layout[h].Total - layout[h].Reserve;
        }

        Cols.RebuildCaches();
        Derived = new DerivedSpans(this);
    }

    /// <summary>The model parameters, validated.</summary>
    public ModelParameters Model { get; }

    /// <summary>Number of hosts.</summary>
    public int HostCount { get; }

    /// <summary>Number of VM slots over all hosts, padding included; every per-VM span has this length.</summary>
    public int SlotCount { get; }

    /// <summary>Ticks run so far; the next tick has this index.</summary>
    public long TickIndex
    {
        get => _tickIndex;
        internal set
        {
            _tickIndex = value;
            Changed();
        }
    }

    private long _tickIndex;

    /// <summary>
    /// While a sharded tick is open (<see cref="Balancer.BeginTick"/> until it ends): how often each host was ticked in it
    /// (the balancer's counts, a host counted as its <see cref="Balancer.TickHosts"/> starts), and the tick's index; null
    /// otherwise. A host ticked in the open tick holds that tick's R18 sample though <see cref="TickIndex"/> moves on only
    /// at <see cref="Balancer.EndTick"/>, so its window figures and its hash are read as of the next index
    /// (<see cref="WindowTickIndex"/>).
    /// </summary>
    private int[]? _shardedHostTicks;

    private long _shardedTick;

    /// <summary>Called by <see cref="Balancer.BeginTick"/> with its per-host counts (cleared), and with null when the tick ends.</summary>
    internal void SetShardedHostTicks(int[]? hostTicks)
    {
        _shardedTick = _tickIndex;
        Volatile.Write(ref _shardedHostTicks, hostTicks);
    }

    /// <summary>
    /// The tick index that <paramref name="host"/>'s R18 window is at: <see cref="TickIndex"/>, or one more for a host
    /// already ticked in the open sharded tick (reads of such hosts are allowed inside the tick: docs/public-api.md).
    /// The tick's own index is compared, so that a read racing <see cref="Balancer.EndTick"/> never counts the tick twice.
    /// </summary>
    internal long WindowTickIndex(int host)
    {
        long tick = _tickIndex;
        int[]? ticks = Volatile.Read(ref _shardedHostTicks);
        return ticks is not null && tick == _shardedTick && Volatile.Read(ref ticks[host]) > 0 ? tick + 1 : tick;
    }

    /// <summary>Counts the changes of the state that the derived spans (<see cref="FleetVmSpans"/>) follow.</summary>
    internal int Version => Volatile.Read(ref _version);

    private int _version;

    /// <summary>The derived per-VM spans, computed on read.</summary>
    internal DerivedSpans Derived { get; }

    /// <summary>
    /// Marks the state as changed for the derived spans; interlocked, since the VM-changing calls made inside a sharded
    /// tick run on several threads at once (a lost count could leave a derived span stale).
    /// </summary>
    internal void Changed() => Interlocked.Increment(ref _version);

    /// <summary>The host that owns a slot.</summary>
    public int HostOf(int vm) => Cols.HostOfSlot[CheckVm(vm)];

    /// <summary>The first slot of a host and its padded slot count.</summary>
    public (int Start, int Capacity) HostSlots(int host) => (Cols.HostStart[CheckHost(host)], Cols.HostCapacity[host]);

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

namespace DmKernel;

/// <summary>Every column of a fleet's state, in schema order (the order of <see cref="FleetSchema.Columns"/>).</summary>
internal enum ColumnId
{
    // ---- per-VM settings (R1) ----
    Startup,
    Minimum,
    Maximum,
    Buffer,
    Weight,

    /// <summary>Cache: R9's upper limit as the vector tick reads it (Maximum for a dynamic VM, Startup for a static one).</summary>
    TargetLimit,

    // ---- per-VM state ----
    Flags,
    State,
    BootTicksLeft,
    Committed,
    Demand,
    Target,
    Pressure,
    Assigned,
    Ballooned,
    SmartPaging,

    // ---- per-VM decisions of the tick (R17) ----
    Unballooned,
    HotAdded,
    Removed,

    // ---- per-VM counters and pressure windows (R18) ----
    AddedTotal,
    RemovedTotal,
    AddOps,
    RemoveOps,
    WinSum,
    WinCount,
    WinMin,
    WinMax,
    LastAvg,
    LastMin,
    LastMax,
    WinFirst,

    // ---- per-VM lifecycle bookkeeping (cold) ----
    Request,
    Result,
    ResultTick,
    Generation,
    HostOfSlot,

    // ---- per-host layout and RAM (R3) ----
    HostStart,
    HostCapacity,
    HostVmLimit,
    HostTotal,
    HostReserve,

    // ---- per-host state, decisions and counters (R3, R11, R12, R19) ----
    HostAvailable,
    HostPendingFreed,
    HostPendingRequests,
    HostShortfall,
    HostShort,
    HostAveragePressure,
    HostSystemPressure,
    HostAddedTotal,
    HostRemovedTotal,
    HostAddOps,
    HostRemoveOps,
    HostFailedStarts,

    // ---- per-VM guest responsiveness (P10, a setting under every policy) ----
    GuestKind,
    GuestRate,
    GuestStuck,
    GuestIdeal,

    // ---- per-VM policy state (P2–P9; unused under Hyper-V) ----
    PolicyGoal,
    NoProgress,
    EsxFast,
    EsxSlow,
    EsxEstimate,

    // ---- per-host policy state (P5, P9) ----
    HostMomFilled,
    HostMomNext,
    HostEsxCapping,
    HostMomRing,

    // ---- per-host cache of P10's settings ----
    HostNonIdealGuests,

    // ---- per-host cache of R18's windows ----
    HostWindowsClean,

    // ---- per-host caches of the used slots (R3: AddVm's first free slot) ----
    HostUsedSlots,
    HostFirstFree,
}

/// <summary>What R7 (a stop: <see cref="FleetColumns.ClearRuntime"/>) does to a per-VM column.</summary>
internal enum OnStop : byte
{
    /// <summary>Kept: settings, workload input, this tick's decisions, cumulative counters, lifecycle bookkeeping.</summary>
    Keep,

    /// <summary>Back to the column's neutral value: runtime memory, demand, target, pressure, windows.</summary>
    Reset,

    /// <summary>Flags: only the bits that settings set are kept.</summary>
    KeepSettingBits,
}

/// <summary>
/// One column of the state: its name, element type, scope (per VM slot or per host), role, how the common tick uses it,
/// its neutral value (a free slot's value, and what a reset writes), what a stop does to it, and its place in the
/// state hash.
/// </summary>
internal sealed class ColumnInfo
{
    public required ColumnId Id { get; init; }

    public string Name => Id.ToString();

    public required ColumnScope Scope { get; init; }

    /// <summary>The element type of the stored array.</summary>
    public required Type Storage { get; init; }

    public required ColumnRole Role { get; init; }

    /// <summary>How the common tick uses it (per-VM columns; the bytes per VM-tick are counted from this).</summary>
    public HotUse Hot { get; init; }

    /// <summary>The value of a free slot, and what a reset writes.</summary>
    public long Neutral { get; init; }

    public OnStop Stop { get; init; }

    /// <summary>
    /// The position of the column in the state hash chain (<see cref="FleetColumns.ComputeHash"/>), or −1 for a column
    /// the hash does not cover (<see cref="NotHashedBecause"/> says why).
    /// </summary>
    public int HashOrder { get; init; } = -1;

    /// <summary>The element type the hash reads the column as (the stored type unless the column is narrower).</summary>
    public Type? HashAs { get; init; }

    /// <summary>The bits of each element the hash reads (0: all); Flags holds derived marks above the model's bits.</summary>
    public int HashMask { get; init; }

    /// <summary>
    /// A logical column with no array of its own: its values are computed from other columns
    /// (<see cref="FleetColumns.Materialize"/>) wherever the state is read as a whole (the hash, comparisons, the API).
    /// <see cref="DerivedFrom"/> says from what.
    /// </summary>
    public bool Derived { get; init; }

    public string? DerivedFrom { get; init; }

    public string? NotHashedBecause { get; init; }

    /// <summary>
    /// A cache: derived from other columns, rebuilt rather than saved (checkpoints), and not compared between kernel
    /// paths. <see cref="NotHashedBecause"/> says what it is derived from.
    /// </summary>
    public bool Cache { get; init; }

    /// <summary>Bytes per element of the stored array (0 for a derived column).</summary>
    public int ElementSize => Derived ? 0 : Storage == typeof(long) ? 8 : Storage == typeof(int) ? 4 : Storage == typeof(ushort) ? 2 : 1;

    /// <summary>Bytes the common tick moves per VM for this column: one element per read and one per write.</summary>
    public int HotBytesPerVm => Scope != ColumnScope.Vm ? 0
        : (((Hot & HotUse.Read) != 0 ? 1 : 0) + ((Hot & HotUse.Write) != 0 ? 1 : 0)) * ElementSize;
}

/// <summary>
/// The single registry of the fleet's columns. Allocation, clearing (R7 stops, removal), the state hash, checkpoints
/// and the differential tests' comparison are all driven from <see cref="Columns"/>, so a column cannot be added
/// without all of them seeing it (<c>SchemaTests</c> proves every array of the state is registered here).
/// </summary>
internal static class FleetSchema
{
    private static readonly Type I32 = typeof(int), I64 = typeof(long), U16 = typeof(ushort), U8 = typeof(byte);

    /// <summary>Every column, indexed by <see cref="ColumnId"/>.</summary>
    public static readonly ColumnInfo[] Columns =
    [
        // Settings. Buffer (5..2000) and Weight (0..10 000) fit in 16 bits; the hash reads them as the ints they were.
        // The vector tick reads neither Startup nor Maximum on its common path: TargetLimit, a cache of the two, gives R9's
        // upper limit (Maximum) of a dynamic VM and the Startup that a static VM holds, one column for two. Startup is
        // read only in vectors with a Booting VM (a branch on R5's countdown, taken rarely).
        Vm(ColumnId.Startup, I32, ColumnRole.Setting, hash: 0),
        Vm(ColumnId.Minimum, I32, ColumnRole.Setting, HotUse.Read, hash: 1),
        Vm(ColumnId.Maximum, I32, ColumnRole.Setting, hash: 2),
        Vm(ColumnId.Buffer, U16, ColumnRole.Setting, HotUse.Read, hash: 3, hashAs: I32),
        Vm(ColumnId.Weight, U16, ColumnRole.Setting, hash: 4, hashAs: I32),
        new() { Id = ColumnId.TargetLimit, Scope = ColumnScope.Vm, Storage = I32, Role = ColumnRole.Setting, Hot = HotUse.Read, Cache = true,
            NotHashedBecause = "derived from Maximum, Startup and the Dynamic bit of Flags (all hashed): Maximum for a dynamic VM, Startup for a static one" },

        // State. Flags is written every tick (R20's status: storing it costs less than reading it back to compare);
        // Assigned only where memory moves; Ballooned, Smart Paging and the boot countdown only in vectors that have them.
        Vm(ColumnId.Flags, I32, ColumnRole.State, HotUse.ReadWrite, hash: 5, stop: OnStop.KeepSettingBits, hashMask: VmFlags.ModelBits),
        new() { Id = ColumnId.State, Scope = ColumnScope.Vm, Storage = U8, Role = ColumnRole.State, Stop = OnStop.Reset, NotHashedBecause = "mirrors the state bits of Flags (hashed)" },
        Vm(ColumnId.BootTicksLeft, I32, ColumnRole.State, hash: 6, stop: OnStop.Reset),
        Vm(ColumnId.Committed, I32, ColumnRole.State, HotUse.Read, hash: 7),
        Vm(ColumnId.Demand, I32, ColumnRole.State, HotUse.Write, hash: 8, stop: OnStop.Reset),
        Vm(ColumnId.Target, I32, ColumnRole.State, HotUse.Write, hash: 9, stop: OnStop.Reset),
        Vm(ColumnId.Pressure, I32, ColumnRole.State, HotUse.Write, hash: 10, stop: OnStop.Reset),
        Vm(ColumnId.Assigned, I32, ColumnRole.State, HotUse.Read, hash: 11, stop: OnStop.Reset),
        Vm(ColumnId.Ballooned, I32, ColumnRole.State, hash: 12, stop: OnStop.Reset),
        Vm(ColumnId.SmartPaging, I32, ColumnRole.State, hash: 13, stop: OnStop.Reset),

        // Decisions: written in vectors where a VM has a decision this tick or had one the tick before (Flags' mark).
        Vm(ColumnId.Unballooned, I32, ColumnRole.Decision, hash: 14),
        Vm(ColumnId.HotAdded, I32, ColumnRole.Decision, hash: 15),
        Vm(ColumnId.Removed, I32, ColumnRole.Decision, hash: 16),

        // Counters: the totals only where memory moved; the window's sum every tick, its minimum and maximum where a
        // sample extends them; the last window's figures once per window.
        Vm(ColumnId.AddedTotal, I64, ColumnRole.Counter, hash: 37),
        Vm(ColumnId.RemovedTotal, I64, ColumnRole.Counter, hash: 38),
        Vm(ColumnId.AddOps, I32, ColumnRole.Counter, hash: 17),
        Vm(ColumnId.RemoveOps, I32, ColumnRole.Counter, hash: 18),
        Vm(ColumnId.WinSum, I32, ColumnRole.Counter, HotUse.ReadWrite, hash: 19, stop: OnStop.Reset),
        new() { Id = ColumnId.WinCount, Scope = ColumnScope.Vm, Storage = I32, Role = ColumnRole.Counter, HashOrder = 20, HashAs = I32, Derived = true,
            DerivedFrom = "WinFirst, the state and the tick index: an on VM samples every tick, so its count is the window's ticks so far less WinFirst" },
        Vm(ColumnId.WinMin, I32, ColumnRole.Counter, HotUse.Read, hash: 21, stop: OnStop.Reset, neutral: int.MaxValue),
        Vm(ColumnId.WinMax, I32, ColumnRole.Counter, HotUse.Read, hash: 22, stop: OnStop.Reset),
        Vm(ColumnId.LastAvg, I32, ColumnRole.Counter, hash: 23, stop: OnStop.Reset, neutral: -1),
        Vm(ColumnId.LastMin, I32, ColumnRole.Counter, hash: 24, stop: OnStop.Reset),
        Vm(ColumnId.LastMax, I32, ColumnRole.Counter, hash: 25, stop: OnStop.Reset),
        new() { Id = ColumnId.WinFirst, Scope = ColumnScope.Vm, Storage = I32, Role = ColumnRole.Counter, Stop = OnStop.Reset,
            NotHashedBecause = "the ticks of the current window before the VM's first sample in it (set at a start, 0 at a window's end); the hash reads it through WinCount, the only thing it determines" },

        Vm(ColumnId.Request, U8, ColumnRole.Cold, hash: 44),
        Vm(ColumnId.Result, U8, ColumnRole.Cold, hash: 45),
        new() { Id = ColumnId.ResultTick, Scope = ColumnScope.Vm, Storage = I64, Role = ColumnRole.Cold, Neutral = -1,
            NotHashedBecause = "the tick of the last lifecycle result (−1: none), for the API; no rule reads it" },
        Vm(ColumnId.Generation, I32, ColumnRole.Cold, hash: 26),
        new() { Id = ColumnId.HostOfSlot, Scope = ColumnScope.Vm, Storage = I32, Role = ColumnRole.Cold, Cache = true, NotHashedBecause = "derived from HostStart and HostCapacity" },

        new() { Id = ColumnId.HostStart, Scope = ColumnScope.Host, Storage = I32, Role = ColumnRole.Setting, HashAs = I32,
            NotHashedBecause = "the sum of the hosts' HostCapacity (hashed) before it; left out so that a host hashes the same wherever its slots start (the state hash composes per host)" },
        Host(ColumnId.HostCapacity, I32, ColumnRole.Setting, hash: 27),
        Host(ColumnId.HostVmLimit, I32, ColumnRole.Setting, hash: 28),
        Host(ColumnId.HostTotal, I32, ColumnRole.Setting, hash: 29),
        Host(ColumnId.HostReserve, I32, ColumnRole.Setting, hash: 30),

        Host(ColumnId.HostAvailable, I32, ColumnRole.State, hash: 31),
        Host(ColumnId.HostPendingFreed, I32, ColumnRole.State, hash: 32),
        Host(ColumnId.HostPendingRequests, I32, ColumnRole.Cold, hash: 33),
        Host(ColumnId.HostShortfall, I64, ColumnRole.Decision, hash: 39),
        Host(ColumnId.HostShort, U8, ColumnRole.Decision, hash: 46),
        Host(ColumnId.HostAveragePressure, I32, ColumnRole.Counter, hash: 34),
        Host(ColumnId.HostSystemPressure, I32, ColumnRole.Counter, hash: 35),
        Host(ColumnId.HostAddedTotal, I64, ColumnRole.Counter, hash: 40),
        Host(ColumnId.HostRemovedTotal, I64, ColumnRole.Counter, hash: 41),
        Host(ColumnId.HostAddOps, I64, ColumnRole.Counter, hash: 42),
        Host(ColumnId.HostRemoveOps, I64, ColumnRole.Counter, hash: 43),
        Host(ColumnId.HostFailedStarts, I32, ColumnRole.Counter, hash: 36),

        // P10: the guest's response, stored as the kernel reads it (kind, MB per tick, spell lengths in ticks).
        Vm(ColumnId.GuestKind, U8, ColumnRole.Setting, hash: 47, hashAs: I32),
        Vm(ColumnId.GuestRate, I32, ColumnRole.Setting, hash: 48),
        Vm(ColumnId.GuestStuck, I32, ColumnRole.Setting, hash: 49),
        Vm(ColumnId.GuestIdeal, I32, ColumnRole.Setting, hash: 50),

        // P2–P9: a policy's goal (0: none yet, Startup until the next recomputation), P10's stuck count, P8's estimates
        // (per mille; Unsampled before the first sample, 1000 = fully active). A stop clears them all (P1).
        Vm(ColumnId.PolicyGoal, I32, ColumnRole.State, hash: 51, stop: OnStop.Reset),
        Vm(ColumnId.NoProgress, I32, ColumnRole.State, hash: 52, stop: OnStop.Reset),
        Vm(ColumnId.EsxFast, I32, ColumnRole.State, hash: 53, stop: OnStop.Reset, neutral: Policies.Esx.Unsampled),
        Vm(ColumnId.EsxSlow, I32, ColumnRole.State, hash: 54, stop: OnStop.Reset, neutral: Policies.Esx.Unsampled),
        Vm(ColumnId.EsxEstimate, I32, ColumnRole.State, hash: 55, stop: OnStop.Reset, neutral: 1000),

        // P5: the ring of the host's last Available samples and its fill; P9: the host's caps hold.
        Host(ColumnId.HostMomFilled, I32, ColumnRole.State, hash: 56),
        Host(ColumnId.HostMomNext, I32, ColumnRole.State, hash: 57),
        Host(ColumnId.HostEsxCapping, U8, ColumnRole.State, hash: 58),
        new() { Id = ColumnId.HostMomRing, Scope = ColumnScope.HostRing, Storage = I32, Role = ColumnRole.State, HashOrder = 59, HashAs = I32 },
        // P10 under Hyper-V: how many of the host's slots hold a guest that is not ideal (such a host takes the scalar
        // kernel on a vector path). Kept by SetGuestResponse and RemoveVm, rebuilt from GuestKind on load.
        new() { Id = ColumnId.HostNonIdealGuests, Scope = ColumnScope.Host, Storage = I32, Role = ColumnRole.Cold, Cache = true,
            NotHashedBecause = "derived from GuestKind: the host's slots whose guest is not ideal (P10)" },
        // R18: 1 when the host's last tick ended a window, so that every VM of the host that is not Off starts this tick
        // with an empty window (a window's end empties every window; a stop empties the VM's). Set by the balancer after
        // each host's tick, cleared on load: it only spares the vector kernel's one-tick windows reading the window
        // columns to find out (VectorKernel.WindowsEmpty).
        new() { Id = ColumnId.HostWindowsClean, Scope = ColumnScope.Host, Storage = U8, Role = ColumnRole.Cold, Cache = true,
            NotHashedBecause = "derived from the window columns (hashed): whether the host's last tick ended a window" },
        // R3: AddVm puts a VM in the host's first free slot. These two spare it a scan from the host's first slot: how many
        // of the host's slots hold a VM, and an offset in the host's range before which every slot holds one (the first
        // free slot, or a slot before it). Kept by AddVm and RemoveVm, rebuilt on load; never read by a tick.
        new() { Id = ColumnId.HostUsedSlots, Scope = ColumnScope.Host, Storage = I32, Role = ColumnRole.Cold, Cache = true,
            NotHashedBecause = "derived from the Used bit of Flags (hashed): the host's slots that hold a VM" },
        new() { Id = ColumnId.HostFirstFree, Scope = ColumnScope.Host, Storage = I32, Role = ColumnRole.Cold, Cache = true,
            NotHashedBecause = "derived from the Used bit of Flags (hashed): every slot of the host before this offset holds a VM" },
    ];

    /// <summary>Elements per host of a <see cref="ColumnScope.HostRing"/> column (P5: up to this many samples).</summary>
    public const int HostRingLength = BalancerPolicy.MaxMomSamples;

    /// <summary>Elements of a column's array in a state of <paramref name="slots"/> slots and <paramref name="hosts"/> hosts.</summary>
    public static int Length(ColumnInfo c, int slots, int hosts) => c.Scope switch
    {
        ColumnScope.Vm => slots,
        ColumnScope.Host => hosts,
        _ => hosts * HostRingLength,
    };

    /// <summary>The hashed columns in the order of the hash chain.</summary>
    public static readonly ColumnInfo[] HashChain = BuildHashChain();

    /// <summary>Bytes per VM-tick the common tick moves (<see cref="ColumnInfo.HotBytesPerVm"/> summed over the per-VM columns).</summary>
    public static int HotBytesPerVmTick
    {
        get
        {
            int bytes = 0;
            foreach (ColumnInfo c in Columns)
                bytes += c.HotBytesPerVm;
            return bytes;
        }
    }

    public static ColumnInfo Get(ColumnId id) => Columns[(int)id];

    private static ColumnInfo Vm(ColumnId id, Type storage, ColumnRole role, HotUse hot = HotUse.None, int hash = -1,
        OnStop stop = OnStop.Keep, long neutral = 0, Type? hashAs = null, int hashMask = 0)
        => new() { Id = id, Scope = ColumnScope.Vm, Storage = storage, Role = role, Hot = hot, HashOrder = hash, Stop = stop, Neutral = neutral, HashAs = hashAs ?? storage, HashMask = hashMask };

    private static ColumnInfo Host(ColumnId id, Type storage, ColumnRole role, int hash = -1, long neutral = 0)
        => new() { Id = id, Scope = ColumnScope.Host, Storage = storage, Role = role, HashOrder = hash, Neutral = neutral, HashAs = storage };

    private static ColumnInfo[] BuildHashChain()
    {
        var chain = new List<ColumnInfo>();
        foreach (ColumnInfo c in Columns)
        {
            if (c.HashOrder >= 0)
                chain.Add(c);
        }

        chain.Sort((a, b) => a.HashOrder.CompareTo(b.HashOrder));
        return [.. chain];
    }
}

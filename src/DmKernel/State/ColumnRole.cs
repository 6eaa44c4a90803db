namespace DmKernel;

/// <summary>What a state column holds, in the model's terms.</summary>
internal enum ColumnRole : byte
{
    /// <summary>Configuration: per-VM settings (R1, R2) and the host layout and RAM (R3).</summary>
    Setting = 0,

    /// <summary>Runtime state the tick reads and writes: lifecycle, memory, demand, target, pressure, Available.</summary>
    State = 1,

    /// <summary>What the last tick decided (R11, R17): MB added and removed, Shortfall, the short flag.</summary>
    Decision = 2,

    /// <summary>Cumulative counters and pressure windows (R18, R19).</summary>
    Counter = 3,

    /// <summary>Bookkeeping off the tick's path: lifecycle requests and results, generations, caches.</summary>
    Cold = 4,
}

/// <summary>Whether a column has one element per VM slot, one per host, or a ring of <see cref="FleetSchema.HostRingLength"/> per host.</summary>
internal enum ColumnScope : byte
{
    Vm = 0,
    Host = 1,

    /// <summary>Per host, <see cref="FleetSchema.HostRingLength"/> elements (host h's are [h × length, (h + 1) × length)): P5's samples.</summary>
    HostRing = 2,
}

/// <summary>How the common tick (a Running DM VM on a host with enough memory, its demand changed) uses a per-VM column.</summary>
[Flags]
internal enum HotUse : byte
{
    /// <summary>Not on the common path (only on ticks, hosts or vectors that need it).</summary>
    None = 0,

    /// <summary>Read every tick.</summary>
    Read = 1,

    /// <summary>Written every tick.</summary>
    Write = 2,

    /// <summary>Read and written every tick.</summary>
    ReadWrite = Read | Write,
}

namespace DmKernel;

/// <summary>Which guest runs in a VM: changes how demand is reported and how far the balloon goes (R8, R12).</summary>
public enum GuestKind : byte
{
    /// <summary>Reports committed memory as is (R8); its balloon complies down to Minimum (R12).</summary>
    Windows = 0,

    /// <summary>Reports committed memory plus R8's floor of Assigned; its balloon stops at that floor (R12).</summary>
    Linux = 1,
}

/// <summary>
/// The per-VM settings of R1 (sizes in MB). <see cref="Default"/> holds the spec's defaults:
/// Startup 512, Minimum = Startup, Maximum 1 TB, Buffer 20 %, Weight 5000, Dynamic Memory on, Windows.
/// </summary>
/// <param name="StartupMb">MB the VM gets when it starts (R4, R5) and keeps while Booting; a static VM holds exactly this
/// while it runs. Minimum..Maximum, a multiple of the granularity (R1).</param>
/// <param name="MinimumMb">MB a Running Dynamic Memory VM is never balanced below (R9, R11, R14): at least
/// <see cref="MinMinimumMb"/>, at most Startup, a multiple of the granularity (R1).</param>
/// <param name="MaximumMb">MB the VM never goes above (R9, R13): Startup..<see cref="ModelParameters.MaxCeilingMb"/>, a
/// multiple of the granularity (R1).</param>
/// <param name="BufferPercent">Memory kept on top of Demand, as a percentage of Demand (R9's Target):
/// <see cref="MinBuffer"/>..<see cref="MaxBuffer"/>, default 20.</param>
/// <param name="Weight">How much the VM counts when its host runs short: R4's donors, R11's water-filling and the order of
/// R12 and R13. <see cref="MinWeight"/>..<see cref="MaxWeight"/> (Hyper-V's priority 0..100 × 100), default 5000; a
/// VM of Weight 0 gets nothing in an R11 tier until every VM of positive Weight has reached its goal there, and takes from
/// no donor when it starts (R4).</param>
/// <param name="DynamicMemory">True (the default): balanced every tick once Running (R8–R16); false: a static VM that holds
/// exactly Startup while it runs.</param>
/// <param name="Guest">The guest OS: how its demand is reported (R8) and how far its balloon goes (R12); default
/// <see cref="GuestKind.Windows"/>.</param>
public readonly record struct VmSettings(
    int StartupMb,
    int MinimumMb,
    int MaximumMb,
    int BufferPercent = 20,
    int Weight = 5000,
    bool DynamicMemory = true,
    GuestKind Guest = GuestKind.Windows)
{
    /// <summary>R1 bounds of Buffer.</summary>
    public const int MinBuffer = 5, MaxBuffer = 2000;

    /// <summary>R1 bounds of Weight.</summary>
    public const int MinWeight = 0, MaxWeight = 10_000;

    /// <summary>The smallest Minimum (R1).</summary>
    public const int MinMinimumMb = 32;

    /// <summary>The spec's defaults.</summary>
    public static VmSettings Default { get; } = new(512, 512, 1_048_576);

    /// <summary>A dynamic-memory VM with the given sizes and the other settings at their defaults.</summary>
    public static VmSettings Dynamic(int startupMb, int minimumMb, int maximumMb, int bufferPercent = 20, int weight = 5000, GuestKind guest = GuestKind.Windows)
        => new(startupMb, minimumMb, maximumMb, bufferPercent, weight, true, guest);

    /// <summary>A static VM: it holds Startup MB for its whole run.</summary>
    public static VmSettings Static(int startupMb, GuestKind guest = GuestKind.Windows)
        => new(startupMb, startupMb, startupMb, 20, 5000, false, guest);
}

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

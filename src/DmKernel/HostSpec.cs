namespace DmKernel;

/// <summary>
/// A host to create in a <see cref="Fleet"/>: its RAM (R3), how many VM slots it keeps, and an optional
/// reserve that overrides <see cref="ModelParameters.HostReserveMb"/>.
/// </summary>
public readonly record struct HostSpec(int TotalMb, int VmCapacity, int? ReserveMb = null)
{
    /// <summary>The most VM slots one host may have (keeps R11's exact arithmetic in 64 bits).</summary>
    public const int MaxVmCapacity = 65_536;
}

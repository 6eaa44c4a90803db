namespace DmKernel;

/// <summary>
/// A host to create in a <see cref="Fleet"/>: its RAM (R3), how many VM slots it keeps, and an optional
/// reserve that overrides <see cref="ModelParameters.HostReserveMb"/>.
/// </summary>
/// <param name="TotalMb">The host's RAM in MB (R3's Total): a multiple of <see cref="ModelParameters.GranularityMb"/>, at least
/// the reserve.</param>
/// <param name="VmCapacity">How many VM slots the host keeps, 0..<see cref="MaxVmCapacity"/>: the most VMs it can hold (the
/// fleet pads each host's slots to a multiple of 16; the padding slots hold no VM).</param>
/// <param name="ReserveMb">The management-OS reserve in MB (R3's Reserve): a non-negative multiple of the granularity, at
/// most <paramref name="TotalMb"/>. Null (the default): the model's <see cref="ModelParameters.HostReserveMb"/> (2048 MB
/// unless set).</param>
public readonly record struct HostSpec(int TotalMb, int VmCapacity, int? ReserveMb = null)
{
    /// <summary>The most VM slots one host may have (keeps R11's exact arithmetic in 64 bits).</summary>
    public const int MaxVmCapacity = 65_536;
}

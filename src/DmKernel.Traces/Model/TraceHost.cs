namespace DmKernel.Traces;

/// <summary>
/// One row of a trace's host table: the host's RAM (R3) and an optional management-OS reserve that overrides
/// <see cref="ModelParameters.HostReserveMb"/>.
/// </summary>
/// <param name="TotalMb">The host's RAM in MB (R3's Total): positive and even.</param>
/// <param name="ReserveMb">The management-OS reserve in MB (R3's Reserve): even, 0..<paramref name="TotalMb"/>. Null: the
/// model's <see cref="ModelParameters.HostReserveMb"/> (stored as -1 in the file).</param>
public readonly record struct TraceHost(int TotalMb, int? ReserveMb = null)
{
    /// <summary>The <see cref="HostSpec"/> a replay creates for this host with <paramref name="vmCapacity"/> VM slots.</summary>
    public HostSpec ToHostSpec(int vmCapacity) => new(TotalMb, vmCapacity, ReserveMb);
}

namespace DmKernel.Traces;

/// <summary>
/// One row of a trace's host table: the host's RAM (R3) and an optional management-OS reserve that overrides
/// <see cref="ModelParameters.HostReserveMb"/>.
/// </summary>
public readonly record struct TraceHost(int TotalMb, int? ReserveMb = null)
{
    /// <summary>The <see cref="HostSpec"/> a replay creates for this host with <paramref name="vmCapacity"/> VM slots.</summary>
    public HostSpec ToHostSpec(int vmCapacity) => new(TotalMb, vmCapacity, ReserveMb);
}

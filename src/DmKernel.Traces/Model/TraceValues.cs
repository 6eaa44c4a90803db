namespace DmKernel.Traces;

/// <summary>The values a trace may hold per tick per VM: committed demand in MB, or <see cref="Off"/>.</summary>
public static class TraceValues
{
    /// <summary>The VM is off this tick.</summary>
    public const int Off = -1;

    /// <summary>The largest committed demand a trace may hold (16 TiB in MB, = <see cref="ModelParameters.MaxCeilingLimitMb"/>).</summary>
    public const int MaxCommittedMb = ModelParameters.MaxCeilingLimitMb;

    /// <summary>Whether <paramref name="value"/> is <see cref="Off"/> or a committed demand from 0 to <see cref="MaxCommittedMb"/>.</summary>
    public static bool IsValid(int value) => (uint)(value + 1) <= MaxCommittedMb + 1u;
}

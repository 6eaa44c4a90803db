namespace DmKernel.Policies;

/// <summary>
/// P10: how much a guest's memory driver can move in a tick, from its per-VM setting (<see cref="GuestResponse"/>), stored
/// per slot as a kind, a per-tick rate and the lengths of the stuck and ideal spells in ticks.
/// </summary>
internal static class Responsiveness
{
    /// <summary>No limit this tick.</summary>
    public const int Unlimited = int.MaxValue;

    /// <summary>
    /// P10: the MB the driver of the VM at <paramref name="position"/> in its host (its slot less the host's first) can move
    /// in tick <paramref name="tickIndex"/>: unlimited (Ideal), the per-tick rate (Rate), 0 (Stuck), or for an
    /// intermittently stuck guest 0 during the first <paramref name="stuckTicks"/> of every <c>stuck + ideal</c> ticks,
    /// counted from <c>tickIndex + position</c> (the phase comes from the VM's place in its host, so a host's guests are not
    /// stuck all at once, and a host runs the same wherever its slots lie: a shard of a split fleet runs as the whole),
    /// and unlimited during the rest.
    /// </summary>
    public static int Limit(byte kind, int ratePerTick, int stuckTicks, int idealTicks, int position, long tickIndex) => (GuestResponseKind)kind switch
    {
        GuestResponseKind.Ideal => Unlimited,
        GuestResponseKind.Rate => ratePerTick,
        GuestResponseKind.Stuck => 0,
        // The period in long: two spells of 1e9 s at sub-second ticks are each near int.MaxValue, and their int sum
        // overflowed to a negative period (a guest stuck in ticks it should be ideal; before stop 53).
        _ => (tickIndex + position) % ((long)stuckTicks + idealTicks) < stuckTicks ? 0 : Unlimited,
    };

    /// <summary>P10: a rate of <paramref name="mbPerSecond"/> as MB per tick, rounded down to the granularity, at least one granule.</summary>
    public static int RatePerTick(int mbPerSecond, double tickSeconds, int granularityMb)
    {
        double mb = ModelParameters.FloorNear(mbPerSecond * tickSeconds); // 200 MB/s × 0.29 s is 58 MB, not 57.999… floored
        long perTick = (long)Math.Min(mb, int.MaxValue - granularityMb) & ~(long)(granularityMb - 1);
        return (int)Math.Max(granularityMb, perTick);
    }
}

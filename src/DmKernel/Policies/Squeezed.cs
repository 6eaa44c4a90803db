namespace DmKernel.Policies;

/// <summary>
/// Xen squeezed's rules (P2–P4) as plain functions over a host's spans (index k = the slot's offset in its host):
/// the scalar reference the squeezed policy runs. Demand is not an input: squeezed does not respond to guest pressure.
/// </summary>
internal static class Squeezed
{
    /// <summary>P2: the host's target free memory F, rounded up to the granularity (9 MB → 10 MB with G = 2).</summary>
    public static int TargetFree(int targetFreeMb, int gMask) => (targetFreeMb + gMask) & ~gMask;

    /// <summary>
    /// P3 for one VM: <c>goal = Minimum + roundDown(floor(surplus × (Maximum − Minimum) / range))</c> while
    /// <c>surplus &lt; range</c>; Maximum once <c>surplus ≥ range</c>; Minimum when <c>range = 0</c> (γ = clamp(surplus / range, 0, 1)
    /// applied exactly). surplus is below 2^31 (at most the host's memory) and Maximum − Minimum below 2^24, so the product
    /// is an exact 64-bit integer.
    /// </summary>
    public static int Goal(int minimum, int maximum, long surplus, long range, int gMask)
    {
        if (range == 0)
            return minimum;
        if (surplus >= range)
            return maximum;
        long share = surplus * (maximum - minimum) / range;
        return minimum + (int)(share & ~(long)gMask);
    }

    /// <summary>
    /// P3 over a host: the Running DM VMs that are not stuck (P10: <paramref name="noProgress"/> below
    /// <paramref name="stuckTicks"/>) share <c>surplus = max(0, Available + Σ max(0, Assigned − Minimum) − F)</c> in proportion to
    /// their ranges <c>Maximum − Minimum</c>. A stuck VM keeps its goal, and its Assigned stays out of the sums (as the
    /// complement of Available). Writes <paramref name="goal"/> for the members only.
    /// </summary>
    public static void Recompute(int available, ReadOnlySpan<int> flags, ReadOnlySpan<int> assigned, ReadOnlySpan<int> minimum,
        ReadOnlySpan<int> maximum, ReadOnlySpan<int> noProgress, int stuckTicks, int targetFree, int gMask, Span<int> goal)
    {
        long minFreeable = 0, range = 0;
        for (int k = 0; k < flags.Length; k++)
        {
            if (!IsMember(flags[k], noProgress[k], stuckTicks))
                continue;
            minFreeable += Math.Max(0, assigned[k] - minimum[k]);
            range += maximum[k] - minimum[k];
        }

        long surplus = Math.Max(0, available + minFreeable - targetFree);
        for (int k = 0; k < flags.Length; k++)
        {
            if (IsMember(flags[k], noProgress[k], stuckTicks))
                goal[k] = Goal(minimum[k], maximum[k], surplus, range, gMask);
        }
    }

    /// <summary>P3/P10: a Running DM VM that is not stuck takes part in γ.</summary>
    public static bool IsMember(int flags, int noProgress, int stuckTicks)
        => (flags & (VmFlags.StateMask | VmFlags.Dynamic)) == VmFlags.RunningDynamic && noProgress < stuckTicks;
}

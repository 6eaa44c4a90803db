namespace DmKernel.Policies;

/// <summary>
/// oVirt MoM's rules (P5–P6) as plain functions: the scalar reference the MoM policy runs. Every ratio is evaluated
/// exactly in 64-bit integers and rounded down to whole MB before any rounding to the granularity (P1).
/// </summary>
internal static class Mom
{
    /// <summary>P5: host pressure threshold, critical level, guest free share, step and dead band, as exact ratios.</summary>
    public const int ThresholdPercent = 20, CriticalPercent = 5, GuestFreePercent = 20, StepPercent = 5, DeadBandDivisor = 400;

    /// <summary>
    /// P6 for one VM, with the host's free share <c>h = availableSum / (samples × capacity)</c> (P5: the mean of the last
    /// samples of Available over <c>Total − Reserve</c>), <c>used = Demand</c> and <c>cur = Assigned</c>:
    /// <list type="bullet">
    /// <item>h &lt; 20 %: shrink. The guest's free share is g = h, or h − 5 % when h ≤ 5 % (then negative: the guest is forced
    /// to page); <c>floor = max(Minimum, used + g × cur)</c>, <c>size = max(floor, cur × 95 %)</c>; the goal is
    /// <c>roundDown(size)</c> when the change is more than cur / 400, else cur.</item>
    /// <item>otherwise, below Maximum: grow. <c>floor = max(Minimum, used + cur × 20 %)</c>,
    /// <c>size = min(Maximum, max(floor, cur × 105 %))</c>; the goal is <c>roundUp(size)</c> when the change is more than
    /// cur / 400, else cur.</item>
    /// <item>MoM's guarantee: below Minimum the goal is Minimum.</item>
    /// </list>
    /// Sizes are below 2^24, availableSum below 2^35 and samples × capacity below 2^35, so every product fits in 64 bits.
    /// </summary>
    public static int Goal(int used, int cur, int minimum, int maximum, long availableSum, long samplesTimesCapacity, int gMask)
    {
        if (cur < minimum)
            return minimum;                                                         // the guarantee (MoM's QoS rule)

        long n = samplesTimesCapacity;
        if (100 * availableSum < ThresholdPercent * n)
        {
            // Shrink. g × cur, exactly, rounded down (toward −∞: negative under critical pressure).
            long gCur = 100 * availableSum <= CriticalPercent * n
                ? FloorDiv(((100 * availableSum) - (CriticalPercent * n)) * cur, 100 * n)
                : FloorDiv(availableSum * cur, n);
            long floor = Math.Max(minimum, used + gCur);
            long size = Math.Max(floor, (long)cur * (100 - StepPercent) / 100);
            if (size < cur && DeadBandDivisor * (cur - size) > cur)
                return (int)size & ~gMask;
            return cur;
        }

        if (cur >= maximum)
            return cur;

        // Grow.
        long growFloor = Math.Max(minimum, used + ((long)cur * GuestFreePercent / 100));
        long grown = Math.Min(maximum, Math.Max(growFloor, (long)cur * (100 + StepPercent) / 100));
        if (DeadBandDivisor * (grown - cur) > cur)
            return Math.Min(((int)grown + gMask) & ~gMask, maximum);
        return cur;
    }

    /// <summary>floor(a / b) for b &gt; 0, also for negative a.</summary>
    public static long FloorDiv(long a, long b)
    {
        long q = a / b;
        return (a % b != 0 && a < 0) ? q - 1 : q;
    }

    /// <summary>
    /// P5: records a sample of the host's Available in its ring of the last <c>ring.Length</c> samples
    /// (<paramref name="filled"/> of them valid, the next written at <paramref name="next"/>) and returns the sum of the
    /// valid ones; fewer than the ring holds at the start.
    /// </summary>
    public static long AddSample(Span<int> ring, ref int filled, ref int next, int available)
    {
        // A ring filled by a balancer with more samples (MomSamples changed on the same fleet) is read as its first
        // ring.Length entries (before: an index past the ring).
        if ((uint)next >= (uint)ring.Length)
            next = (int)((uint)next % (uint)ring.Length);
        filled = Math.Min(filled, ring.Length);
        ring[next] = available;
        next = next + 1 == ring.Length ? 0 : next + 1;
        filled = Math.Min(filled + 1, ring.Length);
        long sum = 0;
        for (int j = 0; j < filled; j++)
            sum += ring[j];
        return sum;
    }
}

using System.Runtime.CompilerServices;

namespace DmKernel.Kernel;

/// <summary>
/// The per-VM formulas of the spec in scalar form, written the way the vector instructions behave so that
/// every kernel path is bit-identical (docs/model.md, "Exact arithmetic").
/// </summary>
internal static class Rules
{
    /// <summary>Current Pressure saturates here (1000 × demand / assigned); keeps R18 window sums in 32 bits.</summary>
    public const int PressureCap = 100_000;

    /// <summary>
    /// R8: the Linux guest's balloon floor, <c>compute_balloon_floor()</c> of hv_balloon.c, in MB:
    /// t &lt; 128: 8 + t/2; t &lt; 512: 40 + t/4; t &lt; 2048: 104 + t/8; t &lt; 8192: 232 + t/16; else 488 + t/32.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int LinuxFloor(int t)
    {
        if (t < 128)
            return 8 + (t >> 1);
        if (t < 512)
            return 40 + (t >> 2);
        if (t < 2048)
            return 104 + (t >> 3);
        if (t < 8192)
            return 232 + (t >> 4);
        return 488 + (t >> 5);
    }

    /// <summary>
    /// R9: <c>Target = clamp(roundUp(ceil(Demand × (100 + Buffer) / 100)), Minimum, Maximum)</c>.
    /// The product and quotient are taken in binary64, as the vector paths do: the product is below 2^53 and
    /// exact, the quotient is correctly rounded and lies at least 1/100 away from any integer it does not
    /// equal, so the ceiling is the exact integer ceiling. Maximum is a multiple of G, so clamping to it
    /// before rounding up gives the same result as after.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Target(int demand, int buffer, int minimum, int maximum, int gMask)
    {
        double withBuffer = Math.Ceiling((double)demand * (100 + buffer) / 100.0);
        int t = (int)Math.Min(withBuffer, maximum);
        t = (t + gMask) & ~gMask;
        return Math.Max(t, minimum);
    }

    /// <summary>R9: <c>Need0 = clamp(roundUp(Demand), Minimum, Maximum)</c>, the demand without its buffer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Need0(int demand, int minimum, int maximum, int gMask)
    {
        int t = Math.Min(demand, maximum);
        t = (t + gMask) & ~gMask;
        return Math.Max(t, minimum);
    }

    /// <summary>
    /// R10: <c>round(100 × Demand / Assigned)</c> rounded half up, i.e. <c>floor((200 D + A) / (2 A))</c>,
    /// 0 when the VM holds no memory, saturated at <see cref="PressureCap"/>. Taken in binary64 like the
    /// vector paths: numerator and denominator are exact integers below 2^53, so the floor of the correctly
    /// rounded quotient is the exact integer quotient.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Pressure(int demand, int assigned)
    {
        if (assigned == 0)
            return 0;
        double q = Math.Floor((200.0 * demand + assigned) / (2.0 * assigned));
        return (int)Math.Min(q, PressureCap);
    }

    /// <summary>Rounded-half-up mean of a pressure window (R18), exact in 64-bit integers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int WindowAverage(int sum, int count) => (int)((2L * sum + count) / (2L * count));

    /// <summary>R20 status bits for the Flags column.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int StatusBits(int demand, int assigned, int target)
        => demand > assigned ? VmFlags.Warning : assigned < target ? VmFlags.Low : 0;
}

namespace DmKernel.Traces;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014) used as a counter-based generator: <see cref="Mix"/> of a key gives
/// 64 well-mixed bits, so the generator's draw for (seed, VM, tick, purpose) never depends on loop order,
/// thread count or platform (integer arithmetic only).
/// </summary>
internal static class SplitMix64
{
    public static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    /// <summary>The draw for (<paramref name="seed"/>, <paramref name="a"/>, <paramref name="b"/>).</summary>
    public static ulong Draw(ulong seed, ulong a, ulong b) => Mix(Mix(seed ^ Mix(a)) ^ b);

    /// <summary>A double in [0, 1) from the top 53 bits.</summary>
    public static double Unit(ulong bits) => (bits >> 11) * (1.0 / (1UL << 53));
}

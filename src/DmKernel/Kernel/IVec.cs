namespace DmKernel.Kernel;

/// <summary>
/// A vector of 32-bit ints of one width, with the few operations the tick needs. Implemented by thin
/// wrappers over <see cref="System.Runtime.Intrinsics.Vector128{T}"/>, Vector256 and Vector512 so that one
/// generic kernel body (<see cref="VectorKernel{TV}"/>) serves every width; the JIT specializes it per width
/// and inlines every call. Masks are all-ones / all-zeros lanes.
/// </summary>
internal interface IVec<TSelf> where TSelf : struct, IVec<TSelf>
{
    static abstract int Count { get; }

    static abstract TSelf Load(ref int source, nuint index);

    /// <summary>Count 16-bit values from <paramref name="source"/>[index..], zero-extended to the int lanes.</summary>
    static abstract TSelf LoadU16(ref ushort source, nuint index);

    static abstract void Store(TSelf value, ref int destination, nuint index);

    static abstract TSelf Create(int value);

    static abstract TSelf operator +(TSelf a, TSelf b);

    static abstract TSelf operator -(TSelf a, TSelf b);

    static abstract TSelf operator &(TSelf a, TSelf b);

    static abstract TSelf operator |(TSelf a, TSelf b);

    static abstract TSelf operator ^(TSelf a, TSelf b);

    /// <summary>a &amp; ~b.</summary>
    static abstract TSelf AndNot(TSelf a, TSelf b);

    static abstract TSelf Min(TSelf a, TSelf b);

    static abstract TSelf Max(TSelf a, TSelf b);

    static abstract TSelf Equal(TSelf a, TSelf b);

    static abstract TSelf GreaterThan(TSelf a, TSelf b);

    static abstract TSelf LessThan(TSelf a, TSelf b);

    /// <summary>mask ? a : b, lane by lane.</summary>
    static abstract TSelf Select(TSelf mask, TSelf a, TSelf b);

    /// <summary>Shift right; used on non-negative values only.</summary>
    static abstract TSelf ShiftRight(TSelf value, int count);

    /// <summary>True when every lane is zero.</summary>
    static abstract bool IsZero(TSelf value);

    /// <summary>True when some lane of <paramref name="a"/> equals that of <paramref name="b"/> (a compare and a mask test, no mask vector).</summary>
    static abstract bool AnyEqual(TSelf a, TSelf b);

    /// <summary>Sum of the lanes in 64 bits.</summary>
    static abstract long SumWidened(TSelf value);

    /// <summary>destination[index .. index + Count) += value, widened to 64 bits.</summary>
    static abstract void AddToLong(ref long destination, nuint index, TSelf value);

    /// <summary>R18 window mean, lane by lane as <see cref="Rules.WindowAverage"/> (count &gt; 0 lanes; 32-bit lanes, a binary32 estimate and an exact correction, docs/model.md, "Exact arithmetic").</summary>
    static abstract TSelf WindowAverage(TSelf sum, TSelf count);

    /// <summary>Whether <see cref="FastLinuxFloor"/> is available (else the kernel uses a chain of selects).</summary>
    static abstract bool HasFastLinuxFloor { get; }

    /// <summary>R8's Linux floor lane by lane as <see cref="Rules.LinuxFloor"/>, from the leading-zero count (t ≥ 0).</summary>
    static abstract TSelf FastLinuxFloor(TSelf t);

    /// <summary>R9 in 32-bit lanes, lane by lane equal to <see cref="Rules.Target"/>: a binary32 estimate of the quotient by 100 and one exact integer correction (docs/model.md, "Exact arithmetic").</summary>
    static abstract TSelf Target(TSelf demand, TSelf buffer, TSelf minimum, TSelf maximum, int gMask);

    /// <summary>R10 in 32-bit lanes, lane by lane equal to <see cref="Rules.Pressure"/>: a binary32 estimate and one exact integer correction (docs/model.md, "Exact arithmetic").</summary>
    static abstract TSelf Pressure(TSelf demand, TSelf assigned);

    /// <summary>
    /// R11's water-filling test, exactly: the lanes where <c>cap × weights ≤ level × weight</c>, in binary64. For
    /// 0 ≤ level &lt; 2^31 and weight ≤ 10 000, level × weight &lt; 2^45 is exact; cap × weights is exact below 2^53, and
    /// at or above it (correctly rounded, so still ≥ 2^53) it exceeds level × weight either way.
    /// </summary>
    static abstract TSelf FitsUnderLevel(TSelf cap, TSelf weight, double weights, double level);

    /// <summary>
    /// R11's share, lane by lane as the scalar plan: <c>floor(pool × weight / weights)</c> in binary64 (pool × weight &lt; 2^53;
    /// weight ≤ weights, so the share is at most pool &lt; 2^31).
    /// </summary>
    static abstract TSelf ShareOfPool(TSelf weight, double pool, double weights);
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DmKernel.Kernel;

/// <summary>The 512-bit width of <see cref="IVec{TSelf}"/> (16 lanes).</summary>
internal readonly struct V512 : IVec<V512>
{
    private readonly Vector512<int> _v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private V512(Vector512<int> v) => _v = v;

    public static int Count => Vector512<int>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Load(ref int source, nuint index) => new(Vector512.LoadUnsafe(ref source, index));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(V512 value, ref int destination, nuint index) => value._v.StoreUnsafe(ref destination, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Create(int value) => new(Vector512.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 operator +(V512 a, V512 b) => new(a._v + b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 operator -(V512 a, V512 b) => new(a._v - b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 operator &(V512 a, V512 b) => new(a._v & b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 operator |(V512 a, V512 b) => new(a._v | b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 AndNot(V512 a, V512 b) => new(Vector512.AndNot(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Min(V512 a, V512 b) => new(Vector512.Min(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Max(V512 a, V512 b) => new(Vector512.Max(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Equal(V512 a, V512 b) => new(Vector512.Equals(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 GreaterThan(V512 a, V512 b) => new(Vector512.GreaterThan(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 LessThan(V512 a, V512 b) => new(Vector512.LessThan(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Select(V512 mask, V512 a, V512 b) => new(Vector512.ConditionalSelect(mask._v, a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 ShiftRight(V512 value, int count) => new(Vector512.ShiftRightLogical(value._v, count));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsZero(V512 value) => value._v == Vector512<int>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long SumWidened(V512 value)
    {
        (Vector512<long> lo, Vector512<long> hi) = Vector512.Widen(value._v);
        return Vector512.Sum(lo + hi);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddToLong(ref long destination, nuint index, V512 value)
    {
        (Vector512<long> lo, Vector512<long> hi) = Vector512.Widen(value._v);
        (Vector512.LoadUnsafe(ref destination, index) + lo).StoreUnsafe(ref destination, index);
        nuint upper = index + (nuint)Vector512<long>.Count;
        (Vector512.LoadUnsafe(ref destination, upper) + hi).StoreUnsafe(ref destination, upper);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Target(V512 demand, V512 buffer, V512 minimum, V512 maximum, int gMask)
    {
        // ceil(D × (100 + B) / 100) in binary64, clamped below 2^30 before converting back; Maximum is a multiple of
        // G, so min(roundUp(x), Maximum) equals the scalar's roundUp(min(x, Maximum)).
        (Vector512<double> dLo, Vector512<double> dHi) = ToDouble(demand._v);
        (Vector512<double> mLo, Vector512<double> mHi) = ToDouble(buffer._v + Vector512.Create(100));
        Vector512<double> hundred = Vector512.Create(100.0), limit = Vector512.Create((double)(1 << 30));
        Vector512<double> lo = Vector512.MinNative(Vector512.Ceiling(dLo * mLo / hundred), limit);
        Vector512<double> hi = Vector512.MinNative(Vector512.Ceiling(dHi * mHi / hundred), limit);
        Vector512<int> t = ToInt(lo, hi);
        Vector512<int> mask = Vector512.Create(gMask);
        t = Vector512.Min(Vector512.AndNot(t + mask, mask), maximum._v);
        return new(Vector512.Max(t, minimum._v));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Pressure(V512 demand, V512 assigned)
    {
        Vector512<int> safe = Vector512.Max(assigned._v, Vector512<int>.One);
        (Vector512<double> dLo, Vector512<double> dHi) = ToDouble(demand._v);
        (Vector512<double> aLo, Vector512<double> aHi) = ToDouble(safe);
        Vector512<double> c200 = Vector512.Create(200.0), c2 = Vector512.Create(2.0), cap = Vector512.Create((double)Rules.PressureCap);
        Vector512<double> lo = Vector512.MinNative(Vector512.Floor((c200 * dLo + aLo) / (c2 * aLo)), cap);
        Vector512<double> hi = Vector512.MinNative(Vector512.Floor((c200 * dHi + aHi) / (c2 * aHi)), cap);
        Vector512<int> p = ToInt(lo, hi);
        return new(Vector512.AndNot(p, Vector512.Equals(assigned._v, Vector512<int>.Zero)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 WindowAverage(V512 sum, V512 count)
    {
        (Vector512<double> sLo, Vector512<double> sHi) = ToDouble(sum._v);
        (Vector512<double> nLo, Vector512<double> nHi) = ToDouble(Vector512.Max(count._v, Vector512<int>.One));
        Vector512<double> c2 = Vector512.Create(2.0);
        Vector512<double> lo = Vector512.Floor((c2 * sLo + nLo) / (c2 * nLo));
        Vector512<double> hi = Vector512.Floor((c2 * sHi + nHi) / (c2 * nHi));
        return new(ToInt(lo, hi));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 FitsUnderLevel(V512 cap, V512 weight, double weights, double level)
    {
        (Vector512<double> cLo, Vector512<double> cHi) = ToDouble(cap._v);
        (Vector512<double> wLo, Vector512<double> wHi) = ToDouble(weight._v);
        Vector512<double> total = Vector512.Create(weights), l = Vector512.Create(level);
        Vector512<double> lo = Vector512.LessThanOrEqual(cLo * total, l * wLo);
        Vector512<double> hi = Vector512.LessThanOrEqual(cHi * total, l * wHi);
        return new(Vector512.Narrow(lo.AsInt64(), hi.AsInt64()));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 ShareOfPool(V512 weight, double pool, double weights)
    {
        (Vector512<double> wLo, Vector512<double> wHi) = ToDouble(weight._v);
        Vector512<double> p = Vector512.Create(pool), total = Vector512.Create(weights);
        return new(ToInt(Vector512.Floor(p * wLo / total), Vector512.Floor(p * wHi / total)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<double> Lo, Vector512<double> Hi) ToDouble(Vector512<int> v)
    {
        if (Avx512F.IsSupported)
            return (Avx512F.ConvertToVector512Double(v.GetLower()), Avx512F.ConvertToVector512Double(v.GetUpper())); // vcvtdq2pd
        (Vector512<long> lo, Vector512<long> hi) = Vector512.Widen(v);
        return (Vector512.ConvertToDouble(lo), Vector512.ConvertToDouble(hi));
    }

    /// <summary>Whole, in-range doubles back to ints.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> ToInt(Vector512<double> lo, Vector512<double> hi)
    {
        if (Avx512F.IsSupported)
            return Vector512.Create(Avx512F.ConvertToVector256Int32WithTruncation(lo), Avx512F.ConvertToVector256Int32WithTruncation(hi)); // vcvttpd2dq
        return Vector512.Narrow(Vector512.ConvertToInt64(lo), Vector512.ConvertToInt64(hi));
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DmKernel.Kernel;

/// <summary>The 128-bit width of <see cref="IVec{TSelf}"/> (4 lanes).</summary>
internal readonly struct V128 : IVec<V128>
{
    private readonly Vector128<int> _v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private V128(Vector128<int> v) => _v = v;

    public static int Count => Vector128<int>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Load(ref int source, nuint index) => new(Vector128.LoadUnsafe(ref source, index));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 LoadU16(ref ushort source, nuint index)
        => new(Vector128.WidenLower(Vector64.LoadUnsafe(ref source, index).ToVector128Unsafe()).AsInt32());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(V128 value, ref int destination, nuint index) => value._v.StoreUnsafe(ref destination, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Create(int value) => new(Vector128.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 operator +(V128 a, V128 b) => new(a._v + b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 operator -(V128 a, V128 b) => new(a._v - b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 operator &(V128 a, V128 b) => new(a._v & b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 operator |(V128 a, V128 b) => new(a._v | b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 operator ^(V128 a, V128 b) => new(a._v ^ b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 AndNot(V128 a, V128 b) => new(Vector128.AndNot(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Min(V128 a, V128 b) => new(Vector128.Min(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Max(V128 a, V128 b) => new(Vector128.Max(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Equal(V128 a, V128 b) => new(Vector128.Equals(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 GreaterThan(V128 a, V128 b) => new(Vector128.GreaterThan(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 LessThan(V128 a, V128 b) => new(Vector128.LessThan(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Select(V128 mask, V128 a, V128 b) => new(Vector128.ConditionalSelect(mask._v, a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 ShiftRight(V128 value, int count) => new(Vector128.ShiftRightLogical(value._v, count));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsZero(V128 value) => value._v == Vector128<int>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AnyEqual(V128 a, V128 b) => Vector128.EqualsAny(a._v, b._v);

    /// <summary>(Compiled fully optimized at once: where a large caller's inlining budget runs out, the call is not to tier-0 code.)</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static long SumWidened(V128 value)
    {
        (Vector128<long> lo, Vector128<long> hi) = Vector128.Widen(value._v);
        return Vector128.Sum(lo + hi);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddToLong(ref long destination, nuint index, V128 value)
    {
        (Vector128<long> lo, Vector128<long> hi) = Vector128.Widen(value._v);
        (Vector128.LoadUnsafe(ref destination, index) + lo).StoreUnsafe(ref destination, index);
        nuint upper = index + (nuint)Vector128<long>.Count;
        (Vector128.LoadUnsafe(ref destination, upper) + hi).StoreUnsafe(ref destination, upper);
    }

    /// <summary>
    /// R9 in 32-bit lanes (docs/model.md, "Exact arithmetic"): c = ceil of a binary32 estimate of P / 100,
    /// P = D × (100 + B), is within 5 of the exact ceiling q wherever q ≤ Maximum + 10 (relative error below 2^−22,
    /// q ≤ 2^24 + 10); the remainder <c>P − 100 c</c>, taken modulo 2^32 (its true value lies in (−600, 500]), gives the
    /// exact correction <c>ceil(r / 100) = floor((r + 599) / 100) − 5</c>, by a multiply and a shift exact below 43 699.
    /// An estimate above Maximum + 5 means q &gt; Maximum: the result is Maximum. Maximum is a multiple of G, so
    /// <c>min(roundUp(q), Maximum)</c> equals the scalar's <c>roundUp(min(q, Maximum))</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Target(V128 demand, V128 buffer, V128 minimum, V128 maximum, int gMask)
    {
        Vector128<int> d = demand._v, m = buffer._v + Vector128.Create(100), max = maximum._v;
        Vector128<float> e = Vector128.ConvertToSingle(d) * Vector128.ConvertToSingle(m) * Vector128.Create(0.01f);
        Vector128<int> c = Vector128.ConvertToInt32Native(Vector128.MinNative(Vector128.Ceiling(e), Vector128.Create(33_554_432f)));
        Vector128<int> r = (d * m) - (c * Vector128.Create(100));
        Vector128<int> q = c + Vector128.ShiftRightLogical((r + Vector128.Create(599)) * Vector128.Create(5243), 19) - Vector128.Create(5);
        Vector128<int> mask = Vector128.Create(gMask);
        Vector128<int> t = Vector128.Min(Vector128.AndNot(q + mask, mask), max);
        t = Vector128.ConditionalSelect(Vector128.GreaterThan(c, max + Vector128.Create(5)), max, t);
        return new(Vector128.Max(t, minimum._v));
    }

    /// <summary>
    /// R10, 32-bit lanes throughout (docs/model.md, "Exact arithmetic"): a binary32 estimate of (200 D + A) / (2 A)
    /// within 1 of the exact quotient (relative error below 2^−21, the quotient at most cap + 1 where it matters), then
    /// one exact correction from the remainder <c>N − q × 2A</c>, taken modulo 2^32: its true value lies in [−2A, 4A)
    /// and A ≤ 2^24, so the wrapped difference is the true one. Estimates of cap + 1 or more saturate.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Pressure(V128 demand, V128 assigned)
    {
        Vector128<int> a = Vector128.Max(assigned._v, Vector128<int>.One), d = demand._v;
        Vector128<float> af = Vector128.ConvertToSingle(a), twoAf = af + af;
        Vector128<float> n = Vector128.FusedMultiplyAdd(Vector128.Create(200f), Vector128.ConvertToSingle(d), af);
        Vector128<float> r;
        if (Sse.IsSupported)
        {
            // A 12-bit reciprocal and one Newton step: relative error below 2^-21.
            r = Sse.Reciprocal(twoAf);
            r = Vector128.FusedMultiplyAdd(r, Vector128.FusedMultiplyAdd(-twoAf, r, Vector128<float>.One), r);
        }
        else
        {
            r = Vector128<float>.One / twoAf;
        }

        Vector128<float> limit = Vector128.Create(Rules.PressureCap + 1f);
        Vector128<float> y = n * r;
        Vector128<int> saturated = Vector128.GreaterThanOrEqual(y, limit).AsInt32();
        Vector128<int> q = Vector128.ConvertToInt32Native(Vector128.MinNative(y, limit));
        Vector128<int> twoA = a + a;
        Vector128<int> rem = (d * Vector128.Create(200)) + a - (q * twoA);
        q = q + Vector128.LessThan(rem, Vector128<int>.Zero) - Vector128.GreaterThanOrEqual(rem, twoA);
        Vector128<int> cap = Vector128.Create(Rules.PressureCap);
        q = Vector128.ConditionalSelect(saturated, cap, Vector128.Min(q, cap));
        return new(Vector128.AndNot(q, Vector128.Equals(assigned._v, Vector128<int>.Zero)));
    }

    /// <summary>
    /// R18's window mean, round half up of sum / count, in 32-bit lanes like <see cref="Pressure"/>: a binary32 estimate
    /// of (2 sum + n) / (2 n) within 1 of the exact quotient (at most the pressure cap), one exact correction from the
    /// remainder taken modulo 2^32 (its true value lies in [−2n, 4n), n ≤ 20 000).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 WindowAverage(V128 sum, V128 count)
    {
        Vector128<int> n = Vector128.Max(count._v, Vector128<int>.One), s = sum._v;
        Vector128<float> nf = Vector128.ConvertToSingle(n), twoNf = nf + nf;
        Vector128<float> num = Vector128.FusedMultiplyAdd(Vector128.Create(2f), Vector128.ConvertToSingle(s), nf);
        Vector128<float> r;
        if (Sse.IsSupported)
        {
            r = Sse.Reciprocal(twoNf);
            r = Vector128.FusedMultiplyAdd(r, Vector128.FusedMultiplyAdd(-twoNf, r, Vector128<float>.One), r);
        }
        else
        {
            r = Vector128<float>.One / twoNf;
        }

        Vector128<int> q = Vector128.ConvertToInt32Native(num * r);
        Vector128<int> twoN = n + n;
        Vector128<int> rem = s + s + n - (q * twoN);
        return new(q + Vector128.LessThan(rem, Vector128<int>.Zero) - Vector128.GreaterThanOrEqual(rem, twoN));
    }

    public static bool HasFastLinuxFloor => false;

    public static V128 FastLinuxFloor(V128 t) => throw new NotSupportedException();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 FitsUnderLevel(V128 cap, V128 weight, double weights, double level)
    {
        (Vector128<double> cLo, Vector128<double> cHi) = ToDouble(cap._v);
        (Vector128<double> wLo, Vector128<double> wHi) = ToDouble(weight._v);
        Vector128<double> total = Vector128.Create(weights), l = Vector128.Create(level);
        Vector128<double> lo = Vector128.LessThanOrEqual(cLo * total, l * wLo);
        Vector128<double> hi = Vector128.LessThanOrEqual(cHi * total, l * wHi);
        return new(Vector128.Narrow(lo.AsInt64(), hi.AsInt64()));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 ShareOfPool(V128 weight, double pool, double weights)
    {
        (Vector128<double> wLo, Vector128<double> wHi) = ToDouble(weight._v);
        Vector128<double> p = Vector128.Create(pool), total = Vector128.Create(weights);
        return new(ToInt(Vector128.Floor(p * wLo / total), Vector128.Floor(p * wHi / total)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector128<double> Lo, Vector128<double> Hi) ToDouble(Vector128<int> v)
    {
        (Vector128<long> lo, Vector128<long> hi) = Vector128.Widen(v);
        return (Vector128.ConvertToDouble(lo), Vector128.ConvertToDouble(hi));
    }

    /// <summary>Whole, in-range doubles back to ints.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> ToInt(Vector128<double> lo, Vector128<double> hi)
        => Vector128.Narrow(Vector128.ConvertToInt64(lo), Vector128.ConvertToInt64(hi));
}

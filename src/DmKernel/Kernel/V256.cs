using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DmKernel.Kernel;

/// <summary>The 256-bit width of <see cref="IVec{TSelf}"/> (8 lanes).</summary>
internal readonly struct V256 : IVec<V256>
{
    private readonly Vector256<int> _v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private V256(Vector256<int> v) => _v = v;

    public static int Count => Vector256<int>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Load(ref int source, nuint index) => new(Vector256.LoadUnsafe(ref source, index));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 LoadU16(ref ushort source, nuint index)
    {
        Vector128<ushort> w = Vector128.LoadUnsafe(ref source, index);
        return new(Avx2.IsSupported ? Avx2.ConvertToVector256Int32(w) : Vector256.WidenLower(w.ToVector256Unsafe()).AsInt32()); // vpmovzxwd
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(V256 value, ref int destination, nuint index) => value._v.StoreUnsafe(ref destination, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Create(int value) => new(Vector256.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 operator +(V256 a, V256 b) => new(a._v + b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 operator -(V256 a, V256 b) => new(a._v - b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 operator &(V256 a, V256 b) => new(a._v & b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 operator |(V256 a, V256 b) => new(a._v | b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 operator ^(V256 a, V256 b) => new(a._v ^ b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 AndNot(V256 a, V256 b) => new(Vector256.AndNot(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Min(V256 a, V256 b) => new(Vector256.Min(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Max(V256 a, V256 b) => new(Vector256.Max(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Equal(V256 a, V256 b) => new(Vector256.Equals(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 GreaterThan(V256 a, V256 b) => new(Vector256.GreaterThan(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 LessThan(V256 a, V256 b) => new(Vector256.LessThan(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Select(V256 mask, V256 a, V256 b) => new(Vector256.ConditionalSelect(mask._v, a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 ShiftRight(V256 value, int count) => new(Vector256.ShiftRightLogical(value._v, count));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsZero(V256 value) => value._v == Vector256<int>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AnyEqual(V256 a, V256 b) => Vector256.EqualsAny(a._v, b._v);

    /// <summary>(Compiled fully optimized at once: where a large caller's inlining budget runs out, the call is not to tier-0 code.)</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static long SumWidened(V256 value)
    {
        (Vector256<long> lo, Vector256<long> hi) = Vector256.Widen(value._v);
        return Vector256.Sum(lo + hi);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddToLong(ref long destination, nuint index, V256 value)
    {
        (Vector256<long> lo, Vector256<long> hi) = Vector256.Widen(value._v);
        (Vector256.LoadUnsafe(ref destination, index) + lo).StoreUnsafe(ref destination, index);
        nuint upper = index + (nuint)Vector256<long>.Count;
        (Vector256.LoadUnsafe(ref destination, upper) + hi).StoreUnsafe(ref destination, upper);
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
    public static V256 Target(V256 demand, V256 buffer, V256 minimum, V256 maximum, int gMask)
    {
        Vector256<int> d = demand._v, m = buffer._v + Vector256.Create(100), max = maximum._v;
        Vector256<float> e = Vector256.ConvertToSingle(d) * Vector256.ConvertToSingle(m) * Vector256.Create(0.01f);
        Vector256<int> c = Vector256.ConvertToInt32Native(Vector256.MinNative(Vector256.Ceiling(e), Vector256.Create(33_554_432f)));
        Vector256<int> r = (d * m) - (c * Vector256.Create(100));
        Vector256<int> q = c + Vector256.ShiftRightLogical((r + Vector256.Create(599)) * Vector256.Create(5243), 19) - Vector256.Create(5);
        Vector256<int> mask = Vector256.Create(gMask);
        Vector256<int> t = Vector256.Min(Vector256.AndNot(q + mask, mask), max);
        t = Vector256.ConditionalSelect(Vector256.GreaterThan(c, max + Vector256.Create(5)), max, t);
        return new(Vector256.Max(t, minimum._v));
    }

    /// <summary>
    /// R10, 32-bit lanes throughout (docs/model.md, "Exact arithmetic"): a binary32 estimate of (200 D + A) / (2 A)
    /// within 1 of the exact quotient (relative error below 2^−21, the quotient at most cap + 1 where it matters), then
    /// one exact correction from the remainder <c>N − q × 2A</c>, taken modulo 2^32: its true value lies in [−2A, 4A)
    /// and A ≤ 2^24, so the wrapped difference is the true one. Estimates of cap + 1 or more saturate.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Pressure(V256 demand, V256 assigned)
    {
        Vector256<int> a = Vector256.Max(assigned._v, Vector256<int>.One), d = demand._v;
        Vector256<float> af = Vector256.ConvertToSingle(a), twoAf = af + af;
        Vector256<float> n = Vector256.FusedMultiplyAdd(Vector256.Create(200f), Vector256.ConvertToSingle(d), af);
        Vector256<float> r;
        if (Avx.IsSupported)
        {
            // A 12-bit reciprocal and one Newton step: relative error below 2^-21.
            r = Avx.Reciprocal(twoAf);
            r = Vector256.FusedMultiplyAdd(r, Vector256.FusedMultiplyAdd(-twoAf, r, Vector256<float>.One), r);
        }
        else
        {
            r = Vector256<float>.One / twoAf;
        }

        Vector256<float> limit = Vector256.Create(Rules.PressureCap + 1f);
        Vector256<float> y = n * r;
        Vector256<int> saturated = Vector256.GreaterThanOrEqual(y, limit).AsInt32();
        Vector256<int> q = Vector256.ConvertToInt32Native(Vector256.MinNative(y, limit));
        Vector256<int> twoA = a + a;
        Vector256<int> rem = (d * Vector256.Create(200)) + a - (q * twoA);
        q = q + Vector256.LessThan(rem, Vector256<int>.Zero) - Vector256.GreaterThanOrEqual(rem, twoA);
        Vector256<int> cap = Vector256.Create(Rules.PressureCap);
        q = Vector256.ConditionalSelect(saturated, cap, Vector256.Min(q, cap));
        return new(Vector256.AndNot(q, Vector256.Equals(assigned._v, Vector256<int>.Zero)));
    }

    /// <summary>
    /// R18's window mean, round half up of sum / count, in 32-bit lanes like <see cref="Pressure"/>: a binary32 estimate
    /// of (2 sum + n) / (2 n) within 1 of the exact quotient (at most the pressure cap), one exact correction from the
    /// remainder taken modulo 2^32 (its true value lies in [−2n, 4n), n ≤ 20 000).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 WindowAverage(V256 sum, V256 count)
    {
        Vector256<int> n = Vector256.Max(count._v, Vector256<int>.One), s = sum._v;
        Vector256<float> nf = Vector256.ConvertToSingle(n), twoNf = nf + nf;
        Vector256<float> num = Vector256.FusedMultiplyAdd(Vector256.Create(2f), Vector256.ConvertToSingle(s), nf);
        Vector256<float> r;
        if (Avx.IsSupported)
        {
            r = Avx.Reciprocal(twoNf);
            r = Vector256.FusedMultiplyAdd(r, Vector256.FusedMultiplyAdd(-twoNf, r, Vector256<float>.One), r);
        }
        else
        {
            r = Vector256<float>.One / twoNf;
        }

        Vector256<int> q = Vector256.ConvertToInt32Native(num * r);
        Vector256<int> twoN = n + n;
        Vector256<int> rem = s + s + n - (q * twoN);
        return new(q + Vector256.LessThan(rem, Vector256<int>.Zero) - Vector256.GreaterThanOrEqual(rem, twoN));
    }

    public static bool HasFastLinuxFloor => false;

    public static V256 FastLinuxFloor(V256 t) => throw new NotSupportedException();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 FitsUnderLevel(V256 cap, V256 weight, double weights, double level)
    {
        (Vector256<double> cLo, Vector256<double> cHi) = ToDouble(cap._v);
        (Vector256<double> wLo, Vector256<double> wHi) = ToDouble(weight._v);
        Vector256<double> total = Vector256.Create(weights), l = Vector256.Create(level);
        Vector256<double> lo = Vector256.LessThanOrEqual(cLo * total, l * wLo);
        Vector256<double> hi = Vector256.LessThanOrEqual(cHi * total, l * wHi);
        return new(Vector256.Narrow(lo.AsInt64(), hi.AsInt64()));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 ShareOfPool(V256 weight, double pool, double weights)
    {
        (Vector256<double> wLo, Vector256<double> wHi) = ToDouble(weight._v);
        Vector256<double> p = Vector256.Create(pool), total = Vector256.Create(weights);
        return new(ToInt(Vector256.Floor(p * wLo / total), Vector256.Floor(p * wHi / total)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<double> Lo, Vector256<double> Hi) ToDouble(Vector256<int> v)
    {
        if (Avx.IsSupported)
            return (Avx.ConvertToVector256Double(v.GetLower()), Avx.ConvertToVector256Double(v.GetUpper())); // vcvtdq2pd
        (Vector256<long> lo, Vector256<long> hi) = Vector256.Widen(v);
        return (Vector256.ConvertToDouble(lo), Vector256.ConvertToDouble(hi));
    }

    /// <summary>Whole, in-range doubles back to ints.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> ToInt(Vector256<double> lo, Vector256<double> hi)
    {
        if (Avx.IsSupported)
            return Vector256.Create(Avx.ConvertToVector128Int32WithTruncation(lo), Avx.ConvertToVector128Int32WithTruncation(hi)); // vcvttpd2dq
        return Vector256.Narrow(Vector256.ConvertToInt64(lo), Vector256.ConvertToInt64(hi));
    }
}

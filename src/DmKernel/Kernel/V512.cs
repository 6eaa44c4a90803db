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
    public static V512 LoadU16(ref ushort source, nuint index)
    {
        Vector256<ushort> w = Vector256.LoadUnsafe(ref source, index);
        return new(Avx512F.IsSupported ? Avx512F.ConvertToVector512Int32(w) : Vector512.WidenLower(w.ToVector512Unsafe()).AsInt32()); // vpmovzxwd
    }

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
    public static V512 operator ^(V512 a, V512 b) => new(a._v ^ b._v);

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
    public static bool AnyEqual(V512 a, V512 b) => Vector512.EqualsAny(a._v, b._v);

    /// <summary>(Compiled fully optimized at once: where a large caller's inlining budget runs out, the call is not to tier-0 code.)</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
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

    /// <summary>
    /// R9 in 32-bit lanes (docs/model.md, "Exact arithmetic"): c = ceil of a binary32 estimate of P / 100,
    /// P = D × (100 + B), is within 5 of the exact ceiling q wherever q ≤ Maximum + 10 (relative error below 2^−22,
    /// q ≤ 2^24 + 10); the remainder <c>P − 100 c</c>, taken modulo 2^32 (its true value lies in (−600, 500]), gives the
    /// exact correction <c>ceil(r / 100) = floor((r + 599) / 100) − 5</c>, by a multiply and a shift exact below 43 699.
    /// An estimate above Maximum + 5 means q &gt; Maximum: the result is Maximum. Maximum is a multiple of G, so
    /// <c>min(roundUp(q), Maximum)</c> equals the scalar's <c>roundUp(min(q, Maximum))</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Target(V512 demand, V512 buffer, V512 minimum, V512 maximum, int gMask)
    {
        Vector512<int> d = demand._v, m = buffer._v + Vector512.Create(100), max = maximum._v;
        Vector512<float> e = Vector512.ConvertToSingle(d) * Vector512.ConvertToSingle(m) * Vector512.Create(0.01f);
        Vector512<int> c = Vector512.ConvertToInt32Native(Vector512.MinNative(Vector512.Ceiling(e), Vector512.Create(33_554_432f)));
        Vector512<int> r = (d * m) - (c * Vector512.Create(100));
        Vector512<int> q = c + Vector512.ShiftRightLogical((r + Vector512.Create(599)) * Vector512.Create(5243), 19) - Vector512.Create(5);
        Vector512<int> mask = Vector512.Create(gMask);
        Vector512<int> t = Vector512.Min(Vector512.AndNot(q + mask, mask), max);
        t = Vector512.ConditionalSelect(Vector512.GreaterThan(c, max + Vector512.Create(5)), max, t);
        return new(Vector512.Max(t, minimum._v));
    }

    /// <summary>
    /// R10, 32-bit lanes throughout (docs/model.md, "Exact arithmetic"): a binary32 estimate of (200 D + A) / (2 A)
    /// within 1 of the exact quotient (relative error below 2^−21, the quotient at most cap + 1 where it matters), then
    /// one exact correction from the remainder <c>N − q × 2A</c>, taken modulo 2^32: its true value lies in [−2A, 4A)
    /// and A ≤ 2^24, so the wrapped difference is the true one. Estimates of cap + 1 or more saturate.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Pressure(V512 demand, V512 assigned)
    {
        Vector512<int> a = Vector512.Max(assigned._v, Vector512<int>.One), d = demand._v;
        Vector512<float> af = Vector512.ConvertToSingle(a), twoAf = af + af;
        Vector512<float> n = Vector512.FusedMultiplyAdd(Vector512.Create(200f), Vector512.ConvertToSingle(d), af);
        Vector512<float> r;
        if (Avx512F.IsSupported)
        {
            // A 14-bit reciprocal and one Newton step: relative error below 2^-22.
            r = Avx512F.Reciprocal14(twoAf);
            r = Vector512.FusedMultiplyAdd(r, Vector512.FusedMultiplyAdd(-twoAf, r, Vector512<float>.One), r);
        }
        else
        {
            r = Vector512<float>.One / twoAf;
        }

        // An estimate of cap + 1 or more is clamped to cap + 1; whatever its (then meaningless) remainder, one
        // correction leaves it in [cap, cap + 2], which the minimum with cap saturates: no separate saturation mask.
        Vector512<float> y = Vector512.MinNative(n * r, Vector512.Create(Rules.PressureCap + 1f));
        Vector512<int> q = Vector512.ConvertToInt32Native(y);
        Vector512<int> twoA = a + a;
        Vector512<int> rem = (d * Vector512.Create(200)) + a - (q * twoA);
        q = Vector512.ConditionalSelect(Vector512.LessThan(rem, Vector512<int>.Zero), q - Vector512<int>.One, q);
        q = Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(rem, twoA), q + Vector512<int>.One, q);
        q = Vector512.Min(q, Vector512.Create(Rules.PressureCap));
        return new(Vector512.ConditionalSelect(Vector512.Equals(assigned._v, Vector512<int>.Zero), Vector512<int>.Zero, q));
    }

    /// <summary>
    /// R18's window mean, round half up of sum / count, in 32-bit lanes like <see cref="Pressure"/>: a binary32 estimate
    /// of (2 sum + n) / (2 n) within 1 of the exact quotient (at most the pressure cap), one exact correction from the
    /// remainder taken modulo 2^32 (its true value lies in [−2n, 4n), n ≤ 20 000).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 WindowAverage(V512 sum, V512 count)
    {
        Vector512<int> n = Vector512.Max(count._v, Vector512<int>.One), s = sum._v;
        Vector512<float> nf = Vector512.ConvertToSingle(n), twoNf = nf + nf;
        Vector512<float> num = Vector512.FusedMultiplyAdd(Vector512.Create(2f), Vector512.ConvertToSingle(s), nf);
        Vector512<float> r;
        if (Avx512F.IsSupported)
        {
            r = Avx512F.Reciprocal14(twoNf);
            r = Vector512.FusedMultiplyAdd(r, Vector512.FusedMultiplyAdd(-twoNf, r, Vector512<float>.One), r);
        }
        else
        {
            r = Vector512<float>.One / twoNf;
        }

        Vector512<int> q = Vector512.ConvertToInt32Native(num * r);
        Vector512<int> twoN = n + n;
        Vector512<int> rem = s + s + n - (q * twoN);
        return new(q + Vector512.LessThan(rem, Vector512<int>.Zero) - Vector512.GreaterThanOrEqual(rem, twoN));
    }

    public static bool HasFastLinuxFloor => Avx512CD.IsSupported;

    /// <summary>
    /// R8's Linux floor without a chain of selects: the shift s is 1 below 128, 2 below 512, 3 below 2048, 4 below 8192
    /// and 5 from there, i.e. <c>clamp((log2(t) − 3) / 2, 1, 5)</c> from the leading-zero count, and the floor is
    /// <c>2^(s+4) − 24 + (t &gt;&gt; s)</c> (8, 40, 104, 232, 488 for s = 1..5).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 FastLinuxFloor(V512 t)
    {
        Vector512<uint> u = t._v.AsUInt32();
        Vector512<int> s = Vector512.Create(28) - Avx512CD.LeadingZeroCount(u).AsInt32();
        s = Vector512.Min(Vector512.Max(Vector512.ShiftRightArithmetic(s, 1), Vector512<int>.One), Vector512.Create(5));
        Vector512<uint> su = s.AsUInt32();
        Vector512<uint> bit = Avx512F.ShiftLeftLogicalVariable(Vector512.Create(16u), su);
        return new((bit + Avx512F.ShiftRightLogicalVariable(u, su)).AsInt32() - Vector512.Create(24));
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
        {
            // vcvttpd2dq twice, then the upper half inserted in place (Vector512.Create(lower, upper) goes through memory).
            return Avx512F.InsertVector256(Avx512F.ConvertToVector256Int32WithTruncation(lo).ToVector512Unsafe(),
                Avx512F.ConvertToVector256Int32WithTruncation(hi), 1);
        }

        return Vector512.Narrow(Vector512.ConvertToInt64(lo), Vector512.ConvertToInt64(hi));
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DmKernel.Benchmarks.Floor;

/// <summary>
/// A vector of 32-bit ints of one width with just what the streaming floor needs: load, store, bitwise ops,
/// and a read-modify-write of <see cref="Count"/> longs (the kernel's 64-bit counter columns). Independent
/// of the kernel's own vector wrappers, so the floor does not measure the code it is compared with.
/// </summary>
internal interface IFloorVec<TSelf> where TSelf : struct, IFloorVec<TSelf>
{
    static abstract int Count { get; }

    static abstract TSelf Create(int value);

    static abstract TSelf Load(ref int source, nuint index);

    static abstract void Store(TSelf value, ref int destination, nuint index);

    static abstract TSelf operator +(TSelf a, TSelf b);

    static abstract TSelf operator &(TSelf a, TSelf b);

    static abstract TSelf operator |(TSelf a, TSelf b);

    static abstract TSelf operator ^(TSelf a, TSelf b);

    /// <summary>column[index .. index + Count) ^= key widened to 64 bits, as whole long vectors.</summary>
    static abstract void XorLongs(ref long column, nuint index, TSelf key);
}

/// <summary>512 bits: 16 ints, two vectors of 8 longs.</summary>
internal readonly struct FloorVec512 : IFloorVec<FloorVec512>
{
    private readonly Vector512<int> _v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private FloorVec512(Vector512<int> v) => _v = v;

    public static int Count => Vector512<int>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloorVec512 Create(int value) => new(Vector512.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloorVec512 Load(ref int source, nuint index) => new(Vector512.LoadUnsafe(ref source, index));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(FloorVec512 value, ref int destination, nuint index) => value._v.StoreUnsafe(ref destination, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloorVec512 operator +(FloorVec512 a, FloorVec512 b) => new(a._v + b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloorVec512 operator &(FloorVec512 a, FloorVec512 b) => new(a._v & b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloorVec512 operator |(FloorVec512 a, FloorVec512 b) => new(a._v | b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloorVec512 operator ^(FloorVec512 a, FloorVec512 b) => new(a._v ^ b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void XorLongs(ref long column, nuint index, FloorVec512 key)
    {
        (Vector512<long> lo, Vector512<long> hi) = Vector512.Widen(key._v);
        nuint half = (nuint)Vector512<long>.Count;
        (Vector512.LoadUnsafe(ref column, index) ^ lo).StoreUnsafe(ref column, index);
        (Vector512.LoadUnsafe(ref column, index + half) ^ hi).StoreUnsafe(ref column, index + half);
    }
}

/// <summary>256 bits: 8 ints, two vectors of 4 longs.</summary>
internal readonly struct FloorVec256 : IFloorVec<FloorVec256>
{
    private readonly Vector256<int> _v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private FloorVec256(Vector256<int> v) => _v = v;

    public static int Count => Vector256<int>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloorVec256 Create(int value) => new(Vector256.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloorVec256 Load(ref int source, nuint index) => new(Vector256.LoadUnsafe(ref source, index));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(FloorVec256 value, ref int destination, nuint index) => value._v.StoreUnsafe(ref destination, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloorVec256 operator +(FloorVec256 a, FloorVec256 b) => new(a._v + b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloorVec256 operator &(FloorVec256 a, FloorVec256 b) => new(a._v & b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloorVec256 operator |(FloorVec256 a, FloorVec256 b) => new(a._v | b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloorVec256 operator ^(FloorVec256 a, FloorVec256 b) => new(a._v ^ b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void XorLongs(ref long column, nuint index, FloorVec256 key)
    {
        (Vector256<long> lo, Vector256<long> hi) = Vector256.Widen(key._v);
        nuint half = (nuint)Vector256<long>.Count;
        (Vector256.LoadUnsafe(ref column, index) ^ lo).StoreUnsafe(ref column, index);
        (Vector256.LoadUnsafe(ref column, index + half) ^ hi).StoreUnsafe(ref column, index + half);
    }
}

/// <summary>128 bits: 4 ints, two vectors of 2 longs.</summary>
internal readonly struct FloorVec128 : IFloorVec<FloorVec128>
{
    private readonly Vector128<int> _v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private FloorVec128(Vector128<int> v) => _v = v;

    public static int Count => Vector128<int>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloorVec128 Create(int value) => new(Vector128.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloorVec128 Load(ref int source, nuint index) => new(Vector128.LoadUnsafe(ref source, index));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(FloorVec128 value, ref int destination, nuint index) => value._v.StoreUnsafe(ref destination, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloorVec128 operator +(FloorVec128 a, FloorVec128 b) => new(a._v + b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloorVec128 operator &(FloorVec128 a, FloorVec128 b) => new(a._v & b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloorVec128 operator |(FloorVec128 a, FloorVec128 b) => new(a._v | b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloorVec128 operator ^(FloorVec128 a, FloorVec128 b) => new(a._v ^ b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void XorLongs(ref long column, nuint index, FloorVec128 key)
    {
        (Vector128<long> lo, Vector128<long> hi) = Vector128.Widen(key._v);
        nuint half = (nuint)Vector128<long>.Count;
        (Vector128.LoadUnsafe(ref column, index) ^ lo).StoreUnsafe(ref column, index);
        (Vector128.LoadUnsafe(ref column, index + half) ^ hi).StoreUnsafe(ref column, index + half);
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DmKernel.Traces;

/// <summary>How TickCodec.DecodeTickBlocks widens a block: the widest the CPU has, or a narrower one. Every decoder runs
/// on any CPU (without AVX2 or AVX-512 through the portable vector widening): the tests run all three everywhere.</summary>
internal enum BlockDecoder
{
    Scalar,
    Avx2,
    Avx512,
}

/// <summary>
/// The tick encodings. Both store, for each VM in table order, the zig-zag delta from that VM's value in the
/// previous tick (0 before a keyframe). Encoding 1 (format 1.0): each delta as an unsigned LEB128 varint of
/// 1..4 bytes. Encoding 2 (format 1.1): blocks of 16 VMs (the last block holds the rest), each a width byte
/// w = 0..4 then the block's deltas as w-byte little-endian integers: decoded 16 at a time without a branch
/// per VM.
/// </summary>
internal static class TickCodec
{
    /// <summary>VMs per block of encoding 2.</summary>
    public const int BlockSize = 16;

    /// <summary>The widest block decoder this CPU accelerates.</summary>
    public static BlockDecoder BestDecoder { get; } =
        Avx512F.IsSupported ? BlockDecoder.Avx512 : Avx2.IsSupported ? BlockDecoder.Avx2 : BlockDecoder.Scalar;

    /// <summary>Blocks in one tick of <paramref name="vms"/> VMs (encoding 2).</summary>
    public static long Blocks(long vms) => (vms + BlockSize - 1) / BlockSize;

    /// <summary>Most bytes one tick of <paramref name="vms"/> VMs can take in <paramref name="encoding"/>.</summary>
    public static long MaxTickBytes(byte encoding, long vms) =>
        encoding == NativeFormat.TickEncodingDeltaBlocks16 ? Blocks(vms) + (vms * 4) : vms * NativeFormat.MaxVarintBytes;

    /// <summary>Fewest bytes one tick of <paramref name="vms"/> VMs can take in <paramref name="encoding"/>.</summary>
    public static long MinTickBytes(byte encoding, long vms) =>
        encoding == NativeFormat.TickEncodingDeltaBlocks16 ? Blocks(vms) : vms;

    /// <summary>Encoding 2: encodes one tick at <paramref name="pos"/> with the smallest width per block; updates <paramref name="prev"/>; returns the new position.</summary>
    public static int EncodeTickBlocks(ReadOnlySpan<int> values, Span<int> prev, Span<byte> dst, int pos)
    {
        Span<uint> z = stackalloc uint[BlockSize];
        for (int b = 0; b < values.Length; b += BlockSize)
        {
            int count = Math.Min(BlockSize, values.Length - b);
            uint any = 0;
            for (int k = 0; k < count; k++)
            {
                int v = values[b + k];
                int d = v - prev[b + k];
                prev[b + k] = v;
                z[k] = (uint)((d << 1) ^ (d >> 31));
                any |= z[k];
            }

            int w = any == 0 ? 0 : any < 1u << 8 ? 1 : any < 1u << 16 ? 2 : any < 1u << 24 ? 3 : 4;
            dst[pos++] = (byte)w;
            for (int k = 0; k < count; k++)
            {
                for (int j = 0; j < w; j++)
                    dst[pos++] = (byte)(z[k] >> (8 * j));
            }
        }

        return pos;
    }

    /// <summary>
    /// Encoding 2: decodes one tick of <c>prev.Length</c> values starting at <paramref name="pos"/> into
    /// <paramref name="prev"/> and <paramref name="dst"/>, reading no byte at or after <paramref name="end"/>.
    /// Returns the new position, or -1 when a width byte is above 4 or the payload ends inside the tick (then
    /// <paramref name="bad"/> is the first VM of the block where it failed). Sets <paramref name="outOfRange"/>
    /// when some decoded value is not -1..<see cref="TraceValues.MaxCommittedMb"/>.
    /// </summary>
    public static int DecodeTickBlocks(ReadOnlySpan<byte> src, int pos, int end, Span<int> prev, Span<int> dst, out int bad, out bool outOfRange) =>
        DecodeTickBlocks(src, pos, end, prev, dst, out bad, out outOfRange, BestDecoder);

    /// <inheritdoc cref="DecodeTickBlocks(ReadOnlySpan{byte}, int, int, Span{int}, Span{int}, out int, out bool)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int DecodeTickBlocks(ReadOnlySpan<byte> src, int pos, int end, Span<int> prev, Span<int> dst, out int bad, out bool outOfRange, BlockDecoder decoder)
    {
        int n = prev.Length;
        if ((uint)end > (uint)src.Length || dst.Length < n || pos < 0)
            throw new ArgumentException("the payload end must lie in the buffer and the destination be as long as the tick");
        ref byte s = ref MemoryMarshal.GetReference(src);
        ref int p = ref MemoryMarshal.GetReference(prev);
        ref int d = ref MemoryMarshal.GetReference(dst);
        bool range = false;
        Vector512<uint> bad512 = Vector512<uint>.Zero, limit512 = Vector512.Create((uint)TraceValues.MaxCommittedMb + 1u);
        Vector256<uint> bad256 = Vector256<uint>.Zero, limit256 = Vector256.Create((uint)TraceValues.MaxCommittedMb + 1u);
        for (int b = 0; b < n; b += BlockSize)
        {
            int count = Math.Min(BlockSize, n - b);
            if (pos >= end)
                return Malformed(b, out bad, out outOfRange);
            int w = Unsafe.Add(ref s, pos);
            if (w > 4 || end - (pos + 1) < count * w)
                return Malformed(b, out bad, out outOfRange);
            pos++;
            if (count == BlockSize && w <= 2 && decoder == BlockDecoder.Avx512)
            {
                Vector512<int> z = w switch
                {
                    0 => Vector512<int>.Zero,
                    1 => WidenBytes512(Vector128.LoadUnsafe(ref s, (nuint)pos)),
                    _ => WidenUInt16s512(Vector256.LoadUnsafe(ref Unsafe.As<byte, ushort>(ref Unsafe.Add(ref s, pos)))),
                };
                Vector512<int> v = Vector512.LoadUnsafe(ref p, (nuint)b) + (Vector512.ShiftRightLogical(z, 1) ^ (Vector512<int>.Zero - (z & Vector512<int>.One)));
                v.StoreUnsafe(ref p, (nuint)b);
                v.StoreUnsafe(ref d, (nuint)b);
                bad512 |= Vector512.GreaterThan((v + Vector512<int>.One).AsUInt32(), limit512);
            }
            else if (count == BlockSize && w <= 2 && decoder == BlockDecoder.Avx2)
            {
                for (int half = 0; half < BlockSize; half += 8)
                {
                    Vector256<int> z = w switch
                    {
                        0 => Vector256<int>.Zero,
                        1 => WidenBytes256(Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<long>(ref Unsafe.Add(ref s, pos + half))).AsByte()),
                        _ => WidenUInt16s256(Vector128.LoadUnsafe(ref Unsafe.As<byte, ushort>(ref Unsafe.Add(ref s, pos + (2 * half))))),
                    };
                    Vector256<int> v = Vector256.LoadUnsafe(ref p, (nuint)(b + half)) + (Vector256.ShiftRightLogical(z, 1) ^ (Vector256<int>.Zero - (z & Vector256<int>.One)));
                    v.StoreUnsafe(ref p, (nuint)(b + half));
                    v.StoreUnsafe(ref d, (nuint)(b + half));
                    bad256 |= Vector256.GreaterThan((v + Vector256<int>.One).AsUInt32(), limit256);
                }
            }
            else
            {
                for (int k = 0; k < count; k++)
                {
                    uint z = 0;
                    for (int j = 0; j < w; j++)
                        z |= (uint)Unsafe.Add(ref s, pos + (k * w) + j) << (8 * j);
                    int v = Unsafe.Add(ref p, b + k) + ((int)(z >> 1) ^ -(int)(z & 1));
                    range |= (uint)(v + 1) > TraceValues.MaxCommittedMb + 1u;
                    Unsafe.Add(ref p, b + k) = v;
                    Unsafe.Add(ref d, b + k) = v;
                }
            }

            pos += count * w;
        }

        bad = -1;
        outOfRange = range || bad512 != Vector512<uint>.Zero || bad256 != Vector256<uint>.Zero;
        return pos;
    }

    // Zero extension of the block's 1- or 2-byte deltas to 32 bits: one instruction (vpmovzxbd, vpmovzxwd) where the
    // CPU has it, else the portable widening, so the tests run every decoder on any CPU (the JIT drops the branch).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> WidenBytes512(Vector128<byte> b) => Avx512F.IsSupported
        ? Avx512F.ConvertToVector512Int32(b)
        : Vector512.WidenLower(Vector512.WidenLower(b.ToVector256().ToVector512())).AsInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> WidenUInt16s512(Vector256<ushort> u) => Avx512F.IsSupported
        ? Avx512F.ConvertToVector512Int32(u)
        : Vector512.WidenLower(u.ToVector512()).AsInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> WidenBytes256(Vector128<byte> b) => Avx2.IsSupported
        ? Avx2.ConvertToVector256Int32(b)
        : Vector256.WidenLower(Vector256.WidenLower(b.ToVector256())).AsInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> WidenUInt16s256(Vector128<ushort> u) => Avx2.IsSupported
        ? Avx2.ConvertToVector256Int32(u)
        : Vector256.WidenLower(u.ToVector256()).AsInt32();

    private static int Malformed(int vm, out int bad, out bool outOfRange)
    {
        bad = vm;
        outOfRange = false;
        return -1;
    }

    /// <summary>Encodes one tick at <paramref name="pos"/>; updates <paramref name="prev"/>; returns the new position.</summary>
    public static int EncodeTick(ReadOnlySpan<int> values, Span<int> prev, Span<byte> dst, int pos)
    {
        for (int i = 0; i < values.Length; i++)
        {
            int v = values[i];
            int d = v - prev[i];
            prev[i] = v;
            uint z = (uint)((d << 1) ^ (d >> 31));
            while (z >= 0x80)
            {
                dst[pos++] = (byte)(z | 0x80);
                z >>= 7;
            }

            dst[pos++] = (byte)z;
        }

        return pos;
    }

    /// <summary>
    /// Decodes one tick of <c>prev.Length</c> values starting at <paramref name="pos"/> into <paramref name="prev"/>
    /// and <paramref name="dst"/>. <paramref name="src"/> must hold at least <see cref="NativeFormat.PayloadPadding"/>
    /// readable bytes after <paramref name="end"/>. Returns the new position, or -1 when a varint is longer than 4
    /// bytes or the payload ends before the tick does (then <paramref name="bad"/> is the VM where it failed).
    /// Sets <paramref name="outOfRange"/> when some decoded value is not -1..<see cref="TraceValues.MaxCommittedMb"/>.
    /// </summary>
    public static int DecodeTick(ReadOnlySpan<byte> src, int pos, int end, Span<int> prev, Span<int> dst, out int bad, out bool outOfRange)
    {
        int n = prev.Length;
        if ((uint)(end + NativeFormat.PayloadPadding) > (uint)src.Length || dst.Length < n || pos < 0)
            throw new ArgumentException("payload buffer must be padded and the destination as long as the tick");
        ref byte s = ref MemoryMarshal.GetReference(src);
        ref int p = ref MemoryMarshal.GetReference(prev);
        ref int d = ref MemoryMarshal.GetReference(dst);
        uint range = 0;
        for (int i = 0; i < n; i++)
        {
            if (pos >= end)
            {
                bad = i;
                outOfRange = false;
                return -1;
            }

            uint z = Unsafe.Add(ref s, pos);
            if (z < 0x80)
            {
                pos++;
            }
            else
            {
                uint b1 = Unsafe.Add(ref s, pos + 1);
                z = (z & 0x7F) | ((b1 & 0x7F) << 7);
                if (b1 < 0x80)
                {
                    pos += 2;
                }
                else
                {
                    uint b2 = Unsafe.Add(ref s, pos + 2);
                    z |= (b2 & 0x7F) << 14;
                    if (b2 < 0x80)
                    {
                        pos += 3;
                    }
                    else
                    {
                        uint b3 = Unsafe.Add(ref s, pos + 3);
                        if (b3 >= 0x80)
                        {
                            bad = i;
                            outOfRange = false;
                            return -1;
                        }

                        z |= b3 << 21;
                        pos += 4;
                    }
                }
            }

            int v = Unsafe.Add(ref p, i) + ((int)(z >> 1) ^ -(int)(z & 1));
            range |= (uint)(v + 1) > TraceValues.MaxCommittedMb + 1u ? 1u : 0u;
            Unsafe.Add(ref p, i) = v;
            Unsafe.Add(ref d, i) = v;
        }

        bad = -1;
        outOfRange = range != 0;
        if (pos > end)
        {
            bad = n - 1;
            return -1;
        }

        return pos;
    }
}

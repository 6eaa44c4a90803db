using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DmKernel.Traces;

/// <summary>
/// The tick encoding of format version 1: for each VM in table order, the zig-zag delta from that VM's value
/// in the previous tick (0 before a keyframe), as an unsigned LEB128 varint of 1..4 bytes.
/// </summary>
internal static class TickCodec
{
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

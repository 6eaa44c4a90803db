using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DmKernel;

/// <summary>
/// Arrays whose first element starts on a 64-byte boundary, so that a 64-byte vector at a slot that is a multiple of 16
/// (every host's first slot, <see cref="Fleet.SlotAlignment"/>) is one cache line, not two. .NET has no aligned array
/// allocation. The pinned object heap puts an object right after the last one it placed, unless a free gap left by
/// garbage fits it, so a spacer of the right size before the array moves it onto the boundary. Every result is checked;
/// where the heap put the spacer or the array elsewhere it tries again (at most <see cref="Attempts"/> times), then takes
/// the array as it comes: alignment changes speed, never results.
/// </summary>
/// <remarks>
/// What it is worth, this machine (Intel Xeon, AVX-512), same build with <c>DMKERNEL_ALIGN=0</c> against the default in
/// alternating processes: the realistic tick probe 5–10 % faster with Vector512 at 50 000 and 1 000 000 VMs, the replay's
/// thread 7–13 % less CPU per tick. Plain arrays start 64-byte aligned one time in eight, so almost every 64-byte load
/// and store of the tick touched two cache lines. Spacers and rejected attempts are garbage once the caller drops what
/// it kept; attempts are allocated uninitialized, so a rejected one's pages are never touched (a 1 000 000-VM replay's
/// peak working set: 515–564 MB with the placement off, 558–570 MB on, same build).
/// </remarks>
internal static class AlignedArrays
{
    /// <summary>Arrays below this size (by default) come as they come: too few vectors to matter.</summary>
    private const int MinBytes = 4096;

    /// <summary>Spacers for arrays from this size on are as large as the array: a large array goes where a large gap or
    /// the end of the heap is, and a small spacer would land in a small gap elsewhere.</summary>
    private const int LargeBytes = 64 * 1024;

    private const int Alignment = 64;

    private const int Attempts = 8;

    /// <summary>Bytes from an array object's start to its first element (method table and length), on 64-bit.</summary>
    private const int ArrayDataOffset = 16;

    /// <summary>Off with the environment variable <c>DMKERNEL_ALIGN=0</c>, for measuring what alignment is worth (and by tests,
    /// which check that it changes no result).</summary>
    internal static bool Enabled { get; set; } = Environment.GetEnvironmentVariable("DMKERNEL_ALIGN") != "0";

    private static readonly Lock Gate = new();

    /// <summary>Where the pinned heap is expected to put its next object: right after the last array placed here (0: not known).</summary>
    private static nuint s_next;

    /// <summary>Arrays that could not be aligned in <see cref="Attempts"/> tries (a count for probes).</summary>
    internal static int Misses { get; private set; }

    /// <summary>A zeroed array of <paramref name="length"/> elements, 64-byte aligned where the heap allows.</summary>
    /// <param name="length">Elements.</param>
    /// <param name="minBytes">Arrays smaller than this are plain arrays.</param>
    /// <param name="keep">Where the spacers and rejected attempts are kept, for as long as the arrays they place: while they
    /// live the heap has no gaps of their size for the next array's spacer to fall into. Null: they are garbage at once.</param>
    public static T[] Allocate<T>(int length, int minBytes = MinBytes, List<object>? keep = null)
        where T : unmanaged
    {
        long bytes = (long)length * Unsafe.SizeOf<T>();
        if (!Enabled || bytes < minBytes || bytes > int.MaxValue / 2)
            return new T[length];

        lock (Gate)
        {
            // Spacers and rejected attempts are held until the end (or as long as the caller keeps them), so that the next
            // attempt does not land in their place: each rejected attempt fills a gap the heap had, until none is left.
            List<object> held = keep ?? [];
            T[] a = null!;
            for (int attempt = 0; attempt < Attempts; attempt++)
            {
                if (s_next != 0 && ((s_next + ArrayDataOffset) & (Alignment - 1)) != 0)
                {
                    // Large arrays: a spacer as large; small ones: a tiny spacer and a 64 KB one by turns.
                    int spacerBytes = bytes >= LargeBytes ? (int)bytes & ~7 : attempt % 2 == 0 ? 0 : LargeBytes;
                    int pad = (int)((0 - (s_next + ArrayDataOffset + ArrayObjectBytes(spacerBytes))) & (Alignment - 1));
                    byte[] spacer = GC.AllocateUninitializedArray<byte>(spacerBytes + pad, pinned: true);
                    held.Add(spacer);
                }

                a = GC.AllocateUninitializedArray<T>(length, pinned: true);
                s_next = Address(a) - ArrayDataOffset + ArrayObjectBytes(bytes);
                if ((Address(a) & (Alignment - 1)) == 0)
                    break;
                if (attempt == Attempts - 1)
                    Misses++;
                else
                    held.Add(a);
            }

            GC.KeepAlive(held);
            a.AsSpan().Clear();
            return a;
        }
    }

    /// <summary><see cref="Allocate{T}"/> for a column whose element type is known at run time: int, long, ushort or byte,
    /// the only storage types of <see cref="FleetSchema"/> (<see cref="ColumnInfo.ElementSize"/>). Any other type is
    /// refused rather than made by reflection (<c>Array.CreateInstance</c> needs dynamic code under native AOT, and a
    /// column of another type would be hashed, saved and loaded wrongly by the code that walks the schema).</summary>
    public static Array Allocate(Type elementType, int length, List<object>? keep = null)
        => elementType == typeof(int) ? Allocate<int>(length, keep: keep)
            : elementType == typeof(long) ? Allocate<long>(length, keep: keep)
            : elementType == typeof(ushort) ? Allocate<ushort>(length, keep: keep)
            : elementType == typeof(byte) ? Allocate<byte>(length, keep: keep)
            : throw new ArgumentException(
                $"A fleet column is stored as int, long, ushort or byte, not {elementType}.", nameof(elementType));

    /// <summary>Whether <paramref name="a"/>'s first element starts on a 64-byte boundary.</summary>
    internal static bool IsAligned(Array a)
        => ((nuint)Unsafe.ByteOffset(ref Unsafe.NullRef<byte>(), ref MemoryMarshal.GetArrayDataReference(a)) & (Alignment - 1)) == 0;

    /// <summary>An array object's size in bytes: header, length and data, rounded up to 8.</summary>
    private static nuint ArrayObjectBytes(long dataBytes) => (nuint)((dataBytes + 24 + 7) & ~7L);

    private static unsafe nuint Address<T>(T[] a)
        where T : unmanaged
        => (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(a));
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DmKernel.Benchmarks.Floor;

/// <summary>
/// The same-columns floor of a tick: private copies of exactly the per-VM columns the schema declares the common tick
/// reads or writes (<see cref="ColumnInfo.Hot"/>), streamed: each read column loaded, each written column stored, each read-and-written column loaded and stored, with no arithmetic but
/// bitwise operations with a key that is zero at run time. A tick over this layout cannot move these bytes faster than
/// this; its ratio to this floor says how close it is. The bytes it moves are <see cref="FleetSchema.HotBytesPerVmTick"/>.
/// The hosts' slot ranges are contiguous and padded to whole vectors, so each column is one stream over its array.
/// </summary>
internal sealed class StreamingFloor
{
    private readonly Array[] _columns;
    private readonly HotUse[] _use;
    private readonly int _committed = -1;
    private readonly byte _key;

    /// <summary>Copies the hot columns and host ranges of <paramref name="fleet"/>; the fleet is not touched again.</summary>
    public StreamingFloor(Fleet fleet, byte key = 0)
    {
        var columns = new List<Array>();
        var use = new List<HotUse>();
        foreach (ColumnInfo c in FleetSchema.Columns)
        {
            if (c.Scope != ColumnScope.Vm || c.Hot == HotUse.None)
                continue;
            if (c.Id == ColumnId.Committed)
                _committed = columns.Count;
            columns.Add(CloneAligned(fleet.Cols.Arrays[(int)c.Id]));
            use.Add(c.Hot);
        }

        _columns = [.. columns];
        _use = [.. use];
        _key = key;
    }

    /// <summary>The floor's copies of the hot columns in schema order, and how the tick uses each, for the tests.</summary>
    internal IReadOnlyList<Array> Columns => _columns;

    internal IReadOnlyList<HotUse> Uses => _use;

    /// <summary>Bytes per VM and tick: the schema's declared hot columns, one element per read and one per write.</summary>
    public static int BytesPerVmTick => FleetSchema.HotBytesPerVmTick;

    /// <summary>A copy of a column, 64-byte aligned like the fleet's own (AlignedArrays).</summary>
    private static Array CloneAligned(Array column)
    {
        Array copy = AlignedArrays.Allocate(column.GetType().GetElementType()!, column.Length);
        Array.Copy(column, copy, column.Length);
        return copy;
    }

    /// <summary>
    /// One sweep over every host, column by column within the host. The Committed column is read from
    /// <paramref name="committed"/> when given (the realistic workload's input), else from the floor's copy.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run(int[]? committed = null)
    {
        // The hosts' slot ranges are contiguous and cover every slot, so each column is one stream over its array.
        Vector128<byte> sink = Vector128<byte>.Zero;
        for (int c = 0; c < _columns.Length; c++)
        {
            Array column = c == _committed && committed is not null ? committed : _columns[c];
            sink |= Stream(FleetColumns.Bytes(column), _use[c], _key);
        }

        Sink = sink != Vector128<byte>.Zero;
    }

    /// <summary>Keeps the loads of read-only columns alive.</summary>
    public bool Sink { get; private set; }

    /// <summary>Streams one column's host range at the widest accelerated width (host ranges are multiples of 16 bytes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<byte> Stream(Span<byte> bytes, HotUse use, byte keyByte)
    {
        ref byte r = ref MemoryMarshal.GetReference(bytes);
        int n = bytes.Length, i = 0;
        Vector128<byte> key = Vector128.Create(keyByte), acc = Vector128<byte>.Zero;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<byte> key512 = Vector512.Create(keyByte), acc512 = Vector512<byte>.Zero;
            for (; i + 64 <= n; i += 64)
            {
                if (use == HotUse.Read)
                    acc512 |= Vector512.LoadUnsafe(ref r, (nuint)i);
                else if (use == HotUse.Write)
                    key512.StoreUnsafe(ref r, (nuint)i);
                else
                    (Vector512.LoadUnsafe(ref r, (nuint)i) ^ key512).StoreUnsafe(ref r, (nuint)i);
            }

            // All four 16-byte quarters: keeping only the outer two let a read column's bytes 16..47 of every 64 reach no output.
            acc |= acc512.GetLower().GetLower() | acc512.GetLower().GetUpper() | acc512.GetUpper().GetLower() | acc512.GetUpper().GetUpper();
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Vector256<byte> key256 = Vector256.Create(keyByte), acc256 = Vector256<byte>.Zero;
            for (; i + 32 <= n; i += 32)
            {
                if (use == HotUse.Read)
                    acc256 |= Vector256.LoadUnsafe(ref r, (nuint)i);
                else if (use == HotUse.Write)
                    key256.StoreUnsafe(ref r, (nuint)i);
                else
                    (Vector256.LoadUnsafe(ref r, (nuint)i) ^ key256).StoreUnsafe(ref r, (nuint)i);
            }

            acc |= acc256.GetLower() | acc256.GetUpper();
        }

        for (; i < n; i += 16)
        {
            if (use == HotUse.Read)
                acc |= Vector128.LoadUnsafe(ref r, (nuint)i);
            else if (use == HotUse.Write)
                key.StoreUnsafe(ref r, (nuint)i);
            else
                (Vector128.LoadUnsafe(ref r, (nuint)i) ^ key).StoreUnsafe(ref r, (nuint)i);
        }

        return acc;
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DmKernel.Benchmarks.Floor;

/// <summary>
/// The minimal-bytes floor of a tick: the bytes any tick must move for a Running DM VM whose demand changed, and
/// nothing else. It reads Committed, Assigned, Minimum, Maximum, Buffer and Flags and writes Assigned, Target and
/// Pressure (6 int reads, 3 int writes: <see cref="BytesPerVmTick"/> = 36 B), host by host, with no arithmetic but
/// bitwise operations with a key that is zero at run time. Private copies of the columns; with a
/// <see cref="CommittedFeed"/> it reads Committed straight from the feed's current column, as a kernel could at best.
/// </summary>
internal sealed class MinimalFloor
{
    /// <summary>Bytes per VM and tick: 6 int columns read, 3 written.</summary>
    public const int BytesPerVmTick = (6 + 3) * sizeof(int);

    private readonly int[] _committed, _assigned, _minimum, _maximum, _buffer, _flags, _target, _pressure;
    private readonly int[] _hostStart, _hostCapacity;
    private readonly int _key;

    /// <summary>Copies the columns and host ranges of <paramref name="fleet"/>; the fleet is not touched again.</summary>
    public MinimalFloor(Fleet fleet, int key = 0)
    {
        // 64-byte aligned like the fleet's own columns (AlignedArrays), so that the floor is the fastest stream of these bytes.
        int slots = fleet.SlotCount;
        _committed = Copy(fleet.Committed);
        _assigned = Copy(fleet.Assigned);
        _target = Copy(fleet.Target);
        _pressure = Copy(fleet.Pressure);
        _minimum = AlignedArrays.Allocate<int>(slots);
        _maximum = AlignedArrays.Allocate<int>(slots);
        _buffer = AlignedArrays.Allocate<int>(slots);
        _flags = AlignedArrays.Allocate<int>(slots);
        for (int i = 0; i < slots; i++)
        {
            if (!fleet.IsUsed(i))
                continue;
            VmSettings s = fleet.GetSettings(i);
            _minimum[i] = s.MinimumMb;
            _maximum[i] = s.MaximumMb;
            _buffer[i] = s.BufferPercent;
            _flags[i] = (int)fleet.State(i) | (s.DynamicMemory ? 4 : 0) | (s.Guest == GuestKind.Linux ? 8 : 0);
        }

        _hostStart = new int[fleet.HostCount];
        _hostCapacity = new int[fleet.HostCount];
        for (int h = 0; h < fleet.HostCount; h++)
            (_hostStart[h], _hostCapacity[h]) = fleet.HostSlots(h);
        _key = key;
    }

    /// <summary>The floor's own columns, for the tests: its inputs and what <see cref="Run"/> wrote.</summary>
    internal ReadOnlySpan<int> Committed => _committed;

    internal ReadOnlySpan<int> Assigned => _assigned;

    internal ReadOnlySpan<int> Minimum => _minimum;

    internal ReadOnlySpan<int> Maximum => _maximum;

    internal ReadOnlySpan<int> Buffer => _buffer;

    internal ReadOnlySpan<int> Flags => _flags;

    internal ReadOnlySpan<int> Target => _target;

    internal ReadOnlySpan<int> Pressure => _pressure;

    private static int[] Copy(ReadOnlySpan<int> column)
    {
        int[] copy = AlignedArrays.Allocate<int>(column.Length);
        column.CopyTo(copy);
        return copy;
    }

    /// <summary>One sweep over every host, reading Committed from <paramref name="committed"/> (null: the floor's own copy).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run<TV>(int[]? committed = null)
        where TV : struct, IFloorVec<TV>
    {
        TV key = TV.Create(_key);
        ref int committedRef = ref MemoryMarshal.GetArrayDataReference(committed ?? _committed);
        ref int assignedRef = ref MemoryMarshal.GetArrayDataReference(_assigned);
        ref int minRef = ref MemoryMarshal.GetArrayDataReference(_minimum);
        ref int maxRef = ref MemoryMarshal.GetArrayDataReference(_maximum);
        ref int bufferRef = ref MemoryMarshal.GetArrayDataReference(_buffer);
        ref int flagsRef = ref MemoryMarshal.GetArrayDataReference(_flags);
        ref int targetRef = ref MemoryMarshal.GetArrayDataReference(_target);
        ref int pressureRef = ref MemoryMarshal.GetArrayDataReference(_pressure);
        int[] hostStart = _hostStart, hostCapacity = _hostCapacity;
        for (int h = 0; h < hostStart.Length; h++)
        {
            int start = hostStart[h], end = start + hostCapacity[h];
            for (int i = start; i < end; i += TV.Count)
            {
                nuint x = (nuint)i;
                TV c = TV.Load(ref committedRef, x);
                TV a = TV.Load(ref assignedRef, x);
                TV other = TV.Load(ref maxRef, x) | TV.Load(ref bufferRef, x) | TV.Load(ref flagsRef, x);
                TV.Store(a ^ (c & key), ref assignedRef, x);
                TV.Store(TV.Load(ref minRef, x) | (other & key), ref targetRef, x);
                TV.Store(c ^ (a & key), ref pressureRef, x);
            }
        }
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DmKernel.Benchmarks.Floor;

/// <summary>
/// The memory floor of a tick: private copies of exactly the columns the kernel's vector path reads and
/// writes on an enough-memory host, swept the way it sweeps them (pass A then pass B over each host's slot
/// range, so a host's columns are still in cache for pass B), with no arithmetic but an xor with a key that
/// is zero at run time. A tick cannot move these bytes faster than this; Simd / Floor says how close it is.
/// </summary>
internal sealed class StreamingFloor
{
    /// <summary>
    /// Bytes per VM and tick this floor moves, each column counted once per read and once per write: pass A reads 8 int
    /// columns and writes 4; pass B reads and writes 10 more int columns (Assigned and Flags again, from cache, not
    /// counted twice) and the two long counters, and writes 4 int columns. Reads: 16 ints + 2 longs; writes: 17 ints +
    /// 2 longs.
    /// </summary>
    public const int BytesPerVmTick = ((16 + 17) * sizeof(int)) + ((2 + 2) * sizeof(long));

    // Pass A reads Flags, BootTicksLeft, Committed, Assigned, Buffer, Minimum, Maximum, Startup and writes
    // BootTicksLeft, Flags, Demand, Target (VectorKernel.DemandAndTarget).
    private readonly int[] _flags, _boot, _committed, _assigned, _buffer, _minimum, _maximum, _startup, _demand, _target;

    // Pass B also reads Ballooned, SmartPaging, the R18 counters and window, and writes the R17 decisions and
    // Pressure (VectorKernel.Finish with enough memory).
    private readonly int[] _ballooned, _smartPaging, _unballooned, _hotAdded, _removed, _pressure;
    private readonly int[] _addOps, _removeOps, _winSum, _winCount, _winMin, _winMax;
    private readonly long[] _addedTotal, _removedTotal;

    private readonly int[] _hostStart, _hostCapacity;
    private readonly int _key;

    /// <summary>Copies the columns and host ranges of <paramref name="fleet"/>; the fleet is not touched again.</summary>
    public StreamingFloor(Fleet fleet, int key = 0)
    {
        _flags = (int[])fleet.FlagsCol.Clone();
        _boot = (int[])fleet.BootTicksLeftCol.Clone();
        _committed = (int[])fleet.CommittedCol.Clone();
        _assigned = (int[])fleet.AssignedCol.Clone();
        _buffer = (int[])fleet.BufferCol.Clone();
        _minimum = (int[])fleet.MinimumCol.Clone();
        _maximum = (int[])fleet.MaximumCol.Clone();
        _startup = (int[])fleet.StartupCol.Clone();
        _demand = (int[])fleet.DemandCol.Clone();
        _target = (int[])fleet.TargetCol.Clone();
        _ballooned = (int[])fleet.BalloonedCol.Clone();
        _smartPaging = (int[])fleet.SmartPagingCol.Clone();
        _unballooned = (int[])fleet.UnballoonedCol.Clone();
        _hotAdded = (int[])fleet.HotAddedCol.Clone();
        _removed = (int[])fleet.RemovedCol.Clone();
        _pressure = (int[])fleet.PressureCol.Clone();
        _addOps = (int[])fleet.AddOpsCol.Clone();
        _removeOps = (int[])fleet.RemoveOpsCol.Clone();
        _winSum = (int[])fleet.WinSumCol.Clone();
        _winCount = (int[])fleet.WinCountCol.Clone();
        _winMin = (int[])fleet.WinMinCol.Clone();
        _winMax = (int[])fleet.WinMaxCol.Clone();
        _addedTotal = (long[])fleet.AddedTotalCol.Clone();
        _removedTotal = (long[])fleet.RemovedTotalCol.Clone();
        _hostStart = (int[])fleet.HostStartCol.Clone();
        _hostCapacity = (int[])fleet.HostCapacityCol.Clone();
        _key = key;
    }

    /// <summary>
    /// One sweep over every host: pass A, then pass B, per host range. Pass A reads Committed from
    /// <paramref name="committed"/> (null: the floor's own copy).
    /// </summary>
    public void Run<TV>(int[]? committed = null)
        where TV : struct, IFloorVec<TV>
    {
        TV key = TV.Create(_key);
        int[] hostStart = _hostStart, hostCapacity = _hostCapacity;
        int[] committedCol = committed ?? _committed;
        for (int h = 0; h < hostStart.Length; h++)
        {
            int start = hostStart[h], end = start + hostCapacity[h];
            PassA(start, end, committedCol, key);
            PassB(start, end, key);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PassA<TV>(int start, int end, int[] committed, TV key)
        where TV : struct, IFloorVec<TV>
    {
        ref int flagsRef = ref MemoryMarshal.GetArrayDataReference(_flags);
        ref int bootRef = ref MemoryMarshal.GetArrayDataReference(_boot);
        ref int committedRef = ref MemoryMarshal.GetArrayDataReference(committed);
        ref int assignedRef = ref MemoryMarshal.GetArrayDataReference(_assigned);
        ref int bufferRef = ref MemoryMarshal.GetArrayDataReference(_buffer);
        ref int minRef = ref MemoryMarshal.GetArrayDataReference(_minimum);
        ref int maxRef = ref MemoryMarshal.GetArrayDataReference(_maximum);
        ref int startupRef = ref MemoryMarshal.GetArrayDataReference(_startup);
        ref int demandRef = ref MemoryMarshal.GetArrayDataReference(_demand);
        ref int targetRef = ref MemoryMarshal.GetArrayDataReference(_target);
        for (int i = start; i < end; i += TV.Count)
        {
            nuint x = (nuint)i;
            TV.Store(TV.Load(ref bootRef, x) ^ key, ref bootRef, x);
            TV.Store(TV.Load(ref flagsRef, x) ^ key, ref flagsRef, x);
            TV.Store(TV.Load(ref committedRef, x) + (TV.Load(ref assignedRef, x) & key), ref demandRef, x);
            TV other = TV.Load(ref bufferRef, x) | TV.Load(ref maxRef, x) | TV.Load(ref startupRef, x);
            TV.Store(TV.Load(ref minRef, x) | (other & key), ref targetRef, x);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PassB<TV>(int start, int end, TV key)
        where TV : struct, IFloorVec<TV>
    {
        ref int flagsRef = ref MemoryMarshal.GetArrayDataReference(_flags);
        ref int assignedRef = ref MemoryMarshal.GetArrayDataReference(_assigned);
        ref int balloonedRef = ref MemoryMarshal.GetArrayDataReference(_ballooned);
        ref int demandRef = ref MemoryMarshal.GetArrayDataReference(_demand);
        ref int targetRef = ref MemoryMarshal.GetArrayDataReference(_target);
        ref int spRef = ref MemoryMarshal.GetArrayDataReference(_smartPaging);
        ref int unbRef = ref MemoryMarshal.GetArrayDataReference(_unballooned);
        ref int hotRef = ref MemoryMarshal.GetArrayDataReference(_hotAdded);
        ref int remRef = ref MemoryMarshal.GetArrayDataReference(_removed);
        ref int pressureRef = ref MemoryMarshal.GetArrayDataReference(_pressure);
        ref int addOpsRef = ref MemoryMarshal.GetArrayDataReference(_addOps);
        ref int remOpsRef = ref MemoryMarshal.GetArrayDataReference(_removeOps);
        ref int winSumRef = ref MemoryMarshal.GetArrayDataReference(_winSum);
        ref int winCountRef = ref MemoryMarshal.GetArrayDataReference(_winCount);
        ref int winMinRef = ref MemoryMarshal.GetArrayDataReference(_winMin);
        ref int winMaxRef = ref MemoryMarshal.GetArrayDataReference(_winMax);
        ref long addedTotalRef = ref MemoryMarshal.GetArrayDataReference(_addedTotal);
        ref long removedTotalRef = ref MemoryMarshal.GetArrayDataReference(_removedTotal);
        for (int i = start; i < end; i += TV.Count)
        {
            nuint x = (nuint)i;
            TV demand = TV.Load(ref demandRef, x);
            TV target = TV.Load(ref targetRef, x);

            // Write-only columns: this tick's decisions (R17) and Pressure (R10).
            TV.Store(demand & key, ref unbRef, x);
            TV.Store(target & key, ref hotRef, x);
            TV.Store((demand ^ target) & key, ref remRef, x);
            TV.Store(demand ^ (target & key), ref pressureRef, x);

            // Read-modify-write columns.
            TV.Store(TV.Load(ref spRef, x) ^ key, ref spRef, x);
            TV.Store(TV.Load(ref balloonedRef, x) ^ key, ref balloonedRef, x);
            TV.Store(TV.Load(ref assignedRef, x) ^ key, ref assignedRef, x);
            TV.Store(TV.Load(ref flagsRef, x) ^ key, ref flagsRef, x);
            TV.XorLongs(ref addedTotalRef, x, key);
            TV.XorLongs(ref removedTotalRef, x, key);
            TV.Store(TV.Load(ref addOpsRef, x) ^ key, ref addOpsRef, x);
            TV.Store(TV.Load(ref remOpsRef, x) ^ key, ref remOpsRef, x);
            TV.Store(TV.Load(ref winSumRef, x) ^ key, ref winSumRef, x);
            TV.Store(TV.Load(ref winCountRef, x) ^ key, ref winCountRef, x);
            TV.Store(TV.Load(ref winMinRef, x) ^ key, ref winMinRef, x);
            TV.Store(TV.Load(ref winMaxRef, x) ^ key, ref winMaxRef, x);
        }
    }
}

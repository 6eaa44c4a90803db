using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace DmKernel;

public sealed partial class Fleet
{
    /// <summary>
    /// A 64-bit XxHash3 chain of the whole state: the tick index, every per-VM column (settings, state, decisions,
    /// counters, windows, pending requests) and every per-host column, in a fixed order. Equal fleets hash
    /// equal whatever kernel path or thread count produced them; any difference in any column changes it
    /// (with overwhelming probability). Allocation-free; may be taken at any tick.
    /// </summary>
    public ulong ComputeStateHash()
    {
        // Each column is hashed with the previous hash as seed: a chain of one-shot XxHash3 calls, no allocation.
        Span<byte> header = stackalloc byte[16];
        BitConverter.TryWriteBytes(header, TickIndex);
        BitConverter.TryWriteBytes(header[8..], SlotCount);
        BitConverter.TryWriteBytes(header[12..], HostCount);
        ulong hash = XxHash3.HashToUInt64(header);
        foreach (int[] column in (ReadOnlySpan<int[]>)[StartupCol, MinimumCol, MaximumCol, BufferCol, WeightCol, FlagsCol,
            BootTicksLeftCol, CommittedCol, DemandCol, TargetCol, PressureCol, AssignedCol, BalloonedCol, SmartPagingCol,
            UnballoonedCol, HotAddedCol, RemovedCol, AddOpsCol, RemoveOpsCol, WinSumCol, WinCountCol, WinMinCol, WinMaxCol,
            LastAvgCol, LastMinCol, LastMaxCol, GenerationCol,
            HostStartCol, HostCapacityCol, HostVmLimitCol, HostTotalCol, HostReserveCol, HostAvailableCol, HostPendingFreedCol,
            HostPendingRequestsCol, HostAveragePressureCol, HostSystemPressureCol, HostFailedStartsCol])
        {
            hash = XxHash3.HashToUInt64(MemoryMarshal.AsBytes(column.AsSpan()), (long)hash);
        }

        foreach (long[] column in (ReadOnlySpan<long[]>)[AddedTotalCol, RemovedTotalCol, HostShortfallCol, HostAddedTotalCol,
            HostRemovedTotalCol, HostAddOpsCol, HostRemoveOpsCol])
        {
            hash = XxHash3.HashToUInt64(MemoryMarshal.AsBytes(column.AsSpan()), (long)hash);
        }

        hash = XxHash3.HashToUInt64(RequestCol, (long)hash);
        hash = XxHash3.HashToUInt64(ResultCol, (long)hash);
        return XxHash3.HashToUInt64(HostShortCol, (long)hash);
    }
}

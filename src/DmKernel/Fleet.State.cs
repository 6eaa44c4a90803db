using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace DmKernel;

public sealed partial class Fleet
{
    private static ReadOnlySpan<byte> StateMagic => "DMKFLEET"u8;

    private const int StateVersion = 1;

    /// <summary>Every stored column, in the order of the saved state (HostOfSlot is derived and not stored).</summary>
    private Array[] StateColumns() =>
    [
        StartupCol, MinimumCol, MaximumCol, BufferCol, WeightCol, FlagsCol, BootTicksLeftCol, CommittedCol, DemandCol, TargetCol,
        PressureCol, AssignedCol, BalloonedCol, SmartPagingCol, UnballoonedCol, HotAddedCol, RemovedCol, AddedTotalCol,
        RemovedTotalCol, AddOpsCol, RemoveOpsCol, WinSumCol, WinCountCol, WinMinCol, WinMaxCol, LastAvgCol, LastMinCol,
        LastMaxCol, RequestCol, ResultCol, GenerationCol,
        HostStartCol, HostCapacityCol, HostVmLimitCol, HostTotalCol, HostReserveCol, HostAvailableCol, HostPendingFreedCol,
        HostPendingRequestsCol, HostShortfallCol, HostAveragePressureCol, HostSystemPressureCol, HostAddedTotalCol,
        HostRemovedTotalCol, HostAddOpsCol, HostRemoveOpsCol, HostFailedStartsCol, HostShortCol,
    ];

    /// <summary>The number of host-layout columns at the start of the host part, which a loaded state must match.</summary>
    private const int LayoutColumns = 5;

    /// <summary>
    /// Writes the whole state (tick index and every column) so that <see cref="LoadState"/> on a fleet with the same
    /// hosts continues exactly where this one is: checkpoints of long replays. Checksummed (XxHash64).
    /// </summary>
    public void SaveState(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var hash = new XxHash64();
        void Write(ReadOnlySpan<byte> bytes)
        {
            hash.Append(bytes);
            output.Write(bytes);
        }

        Span<byte> header = stackalloc byte[24];
        BitConverter.TryWriteBytes(header, StateVersion);
        BitConverter.TryWriteBytes(header[4..], SlotCount);
        BitConverter.TryWriteBytes(header[8..], HostCount);
        BitConverter.TryWriteBytes(header[12..], TickIndex);
        Write(StateMagic);
        Write(header[..20]);
        foreach (Array column in StateColumns())
            Write(Bytes(column));
        output.Write(hash.GetCurrentHash());
    }

    /// <summary>
    /// Replaces this fleet's state with one saved by <see cref="SaveState"/>. The saved fleet must have the same hosts
    /// (slot ranges, capacities, RAM and reserves). A wrong, truncated or corrupt state throws
    /// <see cref="InvalidDataException"/> naming what is wrong and changes nothing.
    /// </summary>
    public void LoadState(Stream input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Array[] columns = StateColumns();
        var hash = new XxHash64();
        void Read(Span<byte> bytes, string what)
        {
            try
            {
                input.ReadExactly(bytes);
            }
            catch (EndOfStreamException)
            {
                throw new InvalidDataException($"Fleet state is truncated in {what}.");
            }

            hash.Append(bytes);
        }

        Span<byte> magic = stackalloc byte[8];
        Read(magic, "the header");
        if (!magic.SequenceEqual(StateMagic))
            throw new InvalidDataException("Not a fleet state: the magic bytes are wrong.");
        Span<byte> header = stackalloc byte[20];
        Read(header, "the header");
        int version = BitConverter.ToInt32(header), slots = BitConverter.ToInt32(header[4..]), hosts = BitConverter.ToInt32(header[8..]);
        long tick = BitConverter.ToInt64(header[12..]);
        if (version != StateVersion)
            throw new InvalidDataException($"Fleet state version {version} is not supported (expected {StateVersion}).");
        if (slots != SlotCount || hosts != HostCount)
            throw new InvalidDataException($"Fleet state is for {slots} slots on {hosts} hosts; this fleet has {SlotCount} slots on {HostCount} hosts.");
        if (tick < 0)
            throw new InvalidDataException($"Fleet state has a negative tick index {tick}.");

        var loaded = new byte[columns.Length][];
        int firstHostColumn = Array.IndexOf(columns, HostStartCol);
        for (int c = 0; c < columns.Length; c++)
        {
            loaded[c] = new byte[Bytes(columns[c]).Length];
            Read(loaded[c], $"column {c}");
            if (c >= firstHostColumn && c < firstHostColumn + LayoutColumns && !loaded[c].AsSpan().SequenceEqual(Bytes(columns[c])))
                throw new InvalidDataException($"Fleet state has another host layout (column {c}): it was saved from a different fleet.");
        }

        Span<byte> expected = stackalloc byte[8];
        try
        {
            input.ReadExactly(expected);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException("Fleet state is truncated before its checksum.");
        }

        if (!expected.SequenceEqual(hash.GetCurrentHash()))
            throw new InvalidDataException("Fleet state checksum does not match: the file is corrupt.");

        for (int c = 0; c < columns.Length; c++)
            loaded[c].CopyTo(Bytes(columns[c]));
        TickIndex = tick;
    }

    private static Span<byte> Bytes(Array column) => column switch
    {
        int[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        long[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        byte[] a => a.AsSpan(),
        _ => throw new InvalidOperationException("Unsupported column type."),
    };
}

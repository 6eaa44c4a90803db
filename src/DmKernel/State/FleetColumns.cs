using System.Globalization;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DmKernel;

/// <summary>
/// The arrays of a fleet's state, one per column of <see cref="FleetSchema"/>, allocated, reset, hashed, saved and
/// loaded by walking the schema. Typed fields name each array for the code that reads it; <see cref="Arrays"/> holds
/// the same arrays in schema order for everything that treats columns alike. Per-VM arrays have one element per slot
/// (padding included), per-host arrays one per host.
/// </summary>
internal sealed class FleetColumns
{
    /// <summary>Bits of the Flags column that settings set (<see cref="VmFlags.SettingBits"/>); R7 keeps only these.</summary>
    private const int SettingBits = VmFlags.SettingBits;

    private static ReadOnlySpan<byte> StateMagic => "DMKFLEET"u8;

    /// <summary>
    /// Version 3: every non-cache column of the schema in schema order, with the schema's fingerprint and the model
    /// parameters the state evolved under (version 2, read too, had no model parameters).
    /// </summary>
    private const int StateVersion = 3;

    // The hash's scratch for transformed columns, one per thread (not per fleet): two threads hashing one fleet at once
    // (ComputeStateHash, or ComputeHostStateHash of their own hosts) shared one array before and got wrong hashes.
    [ThreadStatic]
    private static int[]? t_hashScratch;

    /// <summary><see cref="Save"/>'s checksum, kept for the next save.</summary>
    private XxHash64? _saveHash;

    /// <summary>Tests only: the calling thread's hash scratch (null before its first hash of a transformed column).</summary>
    internal static int[]? HashScratchOfThisThread => t_hashScratch;

    public FleetColumns(int slots, int hosts, int windowTicks)
    {
        SlotCount = slots;
        HostCount = hosts;
        WindowTicks = windowTicks;
        Arrays = new Array[FleetSchema.Columns.Length];

        // What places the columns on 64-byte boundaries (AlignedArrays), held until the last column is placed.
        var placing = new List<object>();
        foreach (ColumnInfo c in FleetSchema.Columns)
        {
            if (c.Derived)
                continue;
            int length = FleetSchema.Length(c, slots, hosts);
            Array a = AlignedArrays.Allocate(c.Storage, length, placing);
            if (c.Neutral != 0)
                Fill(a, c.Neutral);
            Arrays[(int)c.Id] = a;
        }

        GC.KeepAlive(placing);

        Startup = Int(ColumnId.Startup);
        Minimum = Int(ColumnId.Minimum);
        Maximum = Int(ColumnId.Maximum);
        TargetLimit = Int(ColumnId.TargetLimit);
        Buffer = UShort(ColumnId.Buffer);
        Weight = UShort(ColumnId.Weight);
        Flags = Int(ColumnId.Flags);
        State = Byte(ColumnId.State);
        BootTicksLeft = Int(ColumnId.BootTicksLeft);
        Committed = Int(ColumnId.Committed);
        Demand = Int(ColumnId.Demand);
        Target = Int(ColumnId.Target);
        Pressure = Int(ColumnId.Pressure);
        Assigned = Int(ColumnId.Assigned);
        Ballooned = Int(ColumnId.Ballooned);
        SmartPaging = Int(ColumnId.SmartPaging);
        Unballooned = Int(ColumnId.Unballooned);
        HotAdded = Int(ColumnId.HotAdded);
        Removed = Int(ColumnId.Removed);
        AddedTotal = Long(ColumnId.AddedTotal);
        RemovedTotal = Long(ColumnId.RemovedTotal);
        AddOps = Int(ColumnId.AddOps);
        RemoveOps = Int(ColumnId.RemoveOps);
        WinSum = Int(ColumnId.WinSum);
        WinMin = Int(ColumnId.WinMin);
        WinMax = Int(ColumnId.WinMax);
        LastAvg = Int(ColumnId.LastAvg);
        LastMin = Int(ColumnId.LastMin);
        LastMax = Int(ColumnId.LastMax);
        WinFirst = Int(ColumnId.WinFirst);
        Request = Byte(ColumnId.Request);
        Result = Byte(ColumnId.Result);
        ResultTick = Long(ColumnId.ResultTick);
        Generation = Int(ColumnId.Generation);
        HostOfSlot = Int(ColumnId.HostOfSlot);
        HostStart = Int(ColumnId.HostStart);
        HostCapacity = Int(ColumnId.HostCapacity);
        HostVmLimit = Int(ColumnId.HostVmLimit);
        HostTotal = Int(ColumnId.HostTotal);
        HostReserve = Int(ColumnId.HostReserve);
        HostAvailable = Int(ColumnId.HostAvailable);
        HostPendingFreed = Int(ColumnId.HostPendingFreed);
        HostPendingRequests = Int(ColumnId.HostPendingRequests);
        HostShortfall = Long(ColumnId.HostShortfall);
        HostShort = Byte(ColumnId.HostShort);
        HostAveragePressure = Int(ColumnId.HostAveragePressure);
        HostSystemPressure = Int(ColumnId.HostSystemPressure);
        HostAddedTotal = Long(ColumnId.HostAddedTotal);
        HostRemovedTotal = Long(ColumnId.HostRemovedTotal);
        HostAddOps = Long(ColumnId.HostAddOps);
        HostRemoveOps = Long(ColumnId.HostRemoveOps);
        HostFailedStarts = Int(ColumnId.HostFailedStarts);
        GuestKind = Byte(ColumnId.GuestKind);
        GuestRate = Int(ColumnId.GuestRate);
        GuestStuck = Int(ColumnId.GuestStuck);
        GuestIdeal = Int(ColumnId.GuestIdeal);
        PolicyGoal = Int(ColumnId.PolicyGoal);
        NoProgress = Int(ColumnId.NoProgress);
        EsxFast = Int(ColumnId.EsxFast);
        EsxSlow = Int(ColumnId.EsxSlow);
        EsxEstimate = Int(ColumnId.EsxEstimate);
        HostMomFilled = Int(ColumnId.HostMomFilled);
        HostMomNext = Int(ColumnId.HostMomNext);
        HostEsxCapping = Byte(ColumnId.HostEsxCapping);
        HostMomRing = Int(ColumnId.HostMomRing);
        HostNonIdealGuests = Int(ColumnId.HostNonIdealGuests);
        HostWindowsClean = Byte(ColumnId.HostWindowsClean);
        HostUsedSlots = Int(ColumnId.HostUsedSlots);
        HostFirstFree = Int(ColumnId.HostFirstFree);

        long stateBytes = 0;
        foreach (Array? a in Arrays)
            stateBytes += a is null ? 0 : System.Buffer.ByteLength(a);
        PrefetchCold = stateBytes >= Kernel.Prefetch.MinStateBytes;
    }

    /// <summary>
    /// Whether the vector kernel prefetches the cold columns of the hosts ahead (<see cref="Kernel.Prefetch"/>): only
    /// where the state is larger than this machine's share of the last-level cache held (<see cref="Kernel.Prefetch.MinStateBytes"/>).
    /// </summary>
    /// <remarks>Settable so that tests can have a small fleet take the prefetching code (results never depend on it).</remarks>
    public bool PrefetchCold { get; set; }

    public int SlotCount { get; }

    public int HostCount { get; }

    /// <summary>R18's pressure window in ticks (the derived WinCount needs it).</summary>
    public int WindowTicks { get; }

    /// <summary>Every column's array, indexed by <see cref="ColumnId"/> (null for a derived column).</summary>
    public Array[] Arrays { get; }

    // ---- per-VM settings (R1) ----
    public readonly int[] Startup, Minimum, Maximum;
    public readonly ushort[] Buffer, Weight;     // 5..2000 %, 0..10 000

    /// <summary>
    /// Cache: R9's upper limit as the vector tick reads it, <see cref="Maximum"/> for a dynamic VM and
    /// <see cref="Startup"/> for a static one (R9: a static VM holds Startup; R1: Minimum ≤ Startup, so clamping to
    /// [Minimum, Startup] from above gives Startup). Kept by <see cref="SetTargetLimit"/> wherever settings are written,
    /// rebuilt on load (<see cref="RebuildCaches"/>).
    /// </summary>
    public readonly int[] TargetLimit;

    // ---- per-VM state ----
    public readonly int[] Flags;          // VmFlags bits: state, DM, Linux, reclaiming, used, status
    public readonly byte[] State;         // VmState, the same as Flags' state bits (a live span for embedders)
    public readonly int[] BootTicksLeft;  // R5
    public readonly int[] Committed;      // R8 input from the workload
    public readonly int[] Demand;         // R8 output
    public readonly int[] Target;         // R9
    public readonly int[] Pressure;       // R10
    public readonly int[] Assigned, Ballooned, SmartPaging;

    // ---- per-VM decision of the tick (R17) ----
    public readonly int[] Unballooned, HotAdded, Removed;

    // ---- per-VM counters and pressure windows (R18) ----
    public readonly long[] AddedTotal, RemovedTotal;
    public readonly int[] AddOps, RemoveOps, WinSum, WinMin, WinMax;
    public readonly int[] LastAvg;        // -1 until a window completes
    public readonly int[] LastMin, LastMax;
    public readonly int[] WinFirst;       // ticks of the current window before the VM's first sample in it (WinCount is derived)

    // ---- per-VM lifecycle (cold) ----
    public readonly byte[] Request, Result;
    public readonly long[] ResultTick;    // the tick Result was written in (-1: never)
    public readonly int[] Generation;     // +1 on every start and restart, and when the slot's VM is removed
    public readonly int[] HostOfSlot;     // cache: the host owning each slot

    // ---- per-host columns (R3, R11, R12, R19) ----
    public readonly int[] HostStart;
    public readonly int[] HostCapacity;   // padded slot count
    public readonly int[] HostVmLimit;    // slots the caller asked for
    public readonly int[] HostTotal, HostReserve, HostAvailable;
    public readonly int[] HostPendingFreed;   // R12: ballooned this tick, joins Available next tick
    public readonly int[] HostPendingRequests;
    public readonly long[] HostShortfall;
    public readonly byte[] HostShort;         // 1 when R11 ran the short plan this tick
    public readonly int[] HostAveragePressure, HostSystemPressure;
    public readonly long[] HostAddedTotal, HostRemovedTotal, HostAddOps, HostRemoveOps;
    public readonly int[] HostFailedStarts;

    // ---- per-VM guest responsiveness (P10): kind, MB per tick, stuck and ideal spells in ticks ----
    public readonly byte[] GuestKind;
    public readonly int[] GuestRate, GuestStuck, GuestIdeal;

    // ---- per-VM policy state (P2–P9) ----
    public readonly int[] PolicyGoal, NoProgress, EsxFast, EsxSlow, EsxEstimate;

    // ---- per-host policy state (P5, P9): host h's samples are HostMomRing[h × HostRingLength ..] ----
    public readonly int[] HostMomFilled, HostMomNext, HostMomRing;
    public readonly byte[] HostEsxCapping;

    // ---- per-host cache (P10 under Hyper-V): the host's slots whose guest is not ideal ----
    public readonly int[] HostNonIdealGuests;

    // ---- per-host cache (R18): 1 where the host's last tick ended a window (every window of its VMs empty now) ----
    public readonly byte[] HostWindowsClean;

    // ---- per-host caches (R3, AddVm): the host's slots in use, and an offset before which every slot is in use ----
    public readonly int[] HostUsedSlots, HostFirstFree;

    /// <summary>The columns of host <paramref name="h"/>: its slots' spans and its own elements.</summary>
    public HostColumns Host(int h) => new(this, h);

    /// <summary>R7: resets a slot's runtime state (memory, demand, pressure windows, status) as the schema says.</summary>
    public void ClearRuntime(int slot)
    {
        foreach (ColumnInfo c in FleetSchema.Columns)
        {
            if (c.Scope != ColumnScope.Vm || c.Derived)
                continue;
            if (c.Stop == OnStop.Reset)
                SetElement(Arrays[(int)c.Id], slot, c.Neutral);
            else if (c.Stop == OnStop.KeepSettingBits)
                Flags[slot] &= SettingBits;
        }
    }

    /// <summary><see cref="TargetLimit"/> of <paramref name="slot"/> from its settings (after they are written).</summary>
    public void SetTargetLimit(int slot)
        => TargetLimit[slot] = (Flags[slot] & VmFlags.Dynamic) != 0 ? Maximum[slot] : Startup[slot];

    /// <summary>Returns a slot to its free, neutral state: every per-VM column but the caches.</summary>
    public void ResetSlot(int slot)
    {
        foreach (ColumnInfo c in FleetSchema.Columns)
        {
            if (c.Scope == ColumnScope.Vm && !c.Cache && !c.Derived)
                SetElement(Arrays[(int)c.Id], slot, c.Neutral);
        }
    }

    /// <summary>
    /// R18: the samples in the current pressure window of the VM in <paramref name="slot"/> before tick
    /// <paramref name="tickIndex"/> runs (or, inside that tick, before its sample). Every VM that is not Off samples
    /// every tick, and a stop clears the window, so this is the window's ticks so far less the ones before the VM's
    /// first sample in it (<see cref="WinFirst"/>; 0 for an Off VM).
    /// </summary>
    public int WinCountOf(int slot, long tickIndex)
        => (Flags[slot] & VmFlags.StateMask) == 0 ? 0 : (int)(tickIndex % WindowTicks) - WinFirst[slot];

    /// <summary>The values of a derived column (<see cref="ColumnInfo.Derived"/>) as of tick <paramref name="tickIndex"/>.</summary>
    public void Materialize(ColumnId id, Span<int> destination, long tickIndex)
    {
        if (id != ColumnId.WinCount)
            throw new ArgumentException($"Column {id} is not derived.", nameof(id));
        for (int i = 0; i < SlotCount; i++)
            destination[i] = WinCountOf(i, tickIndex);
    }

    /// <summary>Rebuilds the cache columns from the others (after construction and after loading a state).</summary>
    public void RebuildCaches()
    {
        HostWindowsClean.AsSpan().Clear(); // unknown: the kernel reads the windows until a tick ends one
        for (int i = 0; i < SlotCount; i++)
            SetTargetLimit(i);
        for (int h = 0; h < HostCount; h++)
        {
            HostOfSlot.AsSpan(HostStart[h], HostCapacity[h]).Fill(h);
            ReadOnlySpan<byte> kinds = GuestKind.AsSpan(HostStart[h], HostCapacity[h]);
            HostNonIdealGuests[h] = kinds.Length - kinds.Count((byte)GuestResponseKind.Ideal);
            int used = 0, firstFree = -1;
            for (int k = 0; k < HostCapacity[h]; k++)
            {
                bool inUse = (Flags[HostStart[h] + k] & VmFlags.Used) != 0;
                used += inUse ? 1 : 0;
                if (!inUse && firstFree < 0)
                    firstFree = k;
            }

            HostUsedSlots[h] = used;
            HostFirstFree[h] = firstFree < 0 ? HostCapacity[h] : firstFree;
        }
    }

    /// <summary>
    /// The state hash, composed per host: a chain of one-shot XxHash3 calls over the header (tick, slots, hosts), then
    /// each host's hash (<see cref="ComputeHostHash"/>) in host order, each seeded with the hash so far
    /// (<see cref="CombineHostHashes"/>). Hosts are independent, so a fleet split by host (shards, other machines)
    /// gives the same hash from its parts. Allocation-free after the first call on a fleet with narrowed columns.
    /// </summary>
    public ulong ComputeHash(long tickIndex)
    {
        ulong hash = HashHeader(tickIndex, SlotCount, HostCount);
        for (int h = 0; h < HostCount; h++)
            hash = ChainHost(hash, ComputeHostHash(h, tickIndex));
        return hash;
    }

    /// <summary>The fleet hash of <see cref="ComputeHash"/> from its hosts' hashes, in host order.</summary>
    public static ulong CombineHostHashes(long tickIndex, int slotCount, ReadOnlySpan<ulong> hostHashes)
    {
        ulong hash = HashHeader(tickIndex, slotCount, hostHashes.Length);
        foreach (ulong h in hostHashes)
            hash = ChainHost(hash, h);
        return hash;
    }

    private static ulong HashHeader(long tickIndex, int slotCount, int hostCount)
    {
        Span<byte> header = stackalloc byte[16];
        BitConverter.TryWriteBytes(header, tickIndex);
        BitConverter.TryWriteBytes(header[8..], slotCount);
        BitConverter.TryWriteBytes(header[12..], hostCount);
        return XxHash3.HashToUInt64(header);
    }

    private static ulong ChainHost(ulong hash, ulong hostHash)
    {
        Span<byte> bytes = stackalloc byte[8];
        BitConverter.TryWriteBytes(bytes, hostHash);
        return XxHash3.HashToUInt64(bytes, (long)hash);
    }

    /// <summary>
    /// One host's hash: every hashed column in <see cref="FleetSchema.HashChain"/> order, restricted to the host (its
    /// slot range for a per-VM column, its element for a per-host one), each read as its <see cref="ColumnInfo.HashAs"/>
    /// type and seeded with the hash so far. It does not depend on where the host's slots start.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // called once per host, at the end of a replay: optimized from the first call
    public ulong ComputeHostHash(int host, long tickIndex)
    {
        // Clamped so that a corrupt layout still hashes (HostCapacity is hashed itself) rather than throws.
        int start = Math.Clamp(HostStart[host], 0, SlotCount), capacity = Math.Clamp(HostCapacity[host], 0, SlotCount - start);
        ulong hash = 0;
        foreach (ColumnInfo c in FleetSchema.HashChain)
        {
            ReadOnlySpan<byte> bytes = c.Scope switch
            {
                ColumnScope.Vm => HashBytes(c, start, capacity, tickIndex),
                ColumnScope.Host => HashBytes(c, host, 1, tickIndex),
                _ => HashBytes(c, host * FleetSchema.HostRingLength, FleetSchema.HostRingLength, tickIndex),
            };
            hash = XxHash3.HashToUInt64(bytes, (long)hash);
        }

        return hash;
    }

    /// <summary>
    /// The bytes the hash reads for elements <paramref name="first"/>..+<paramref name="length"/> of a column: its storage,
    /// or its logical values (widened to <see cref="ColumnInfo.HashAs"/>, masked by <see cref="ColumnInfo.HashMask"/>, or
    /// materialized when derived) in a scratch array allocated on first use.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ReadOnlySpan<byte> HashBytes(ColumnInfo c, int first, int length, long tickIndex)
    {
        Array? a = Arrays[(int)c.Id];
        if (a is not null && c.HashAs == c.Storage && c.HashMask == 0)
        {
            int size = a switch { long[] => 8, int[] => 4, ushort[] => 2, _ => 1 };
            return Bytes(a).Slice(first * size, length * size);
        }

        if (c.HashAs != typeof(int))
            throw new InvalidOperationException($"Column {c.Name}: the hash reads transformed columns as int only.");
        int[] scratch = t_hashScratch is { } mine && mine.Length >= length
            ? mine
            : t_hashScratch = new int[Math.Max(SlotCount, HostCount * FleetSchema.HostRingLength)];
        Span<int> wide = scratch.AsSpan(0, length);
        switch (a)
        {
            case null:
                if (c.Id != ColumnId.WinCount)
                    throw new InvalidOperationException($"Column {c.Name} is not derived.");
                for (int i = 0; i < length; i++)
                    wide[i] = WinCountOf(first + i, tickIndex);
                break;
            case ushort[] u:
                for (int i = 0; i < length; i++)
                    wide[i] = u[first + i];
                break;
            case byte[] b:
                for (int i = 0; i < length; i++)
                    wide[i] = b[first + i];
                break;
            case int[] x:
                for (int i = 0; i < length; i++)
                    wide[i] = x[first + i] & c.HashMask;
                break;
            default:
                throw new InvalidOperationException($"Column {c.Name}: cannot read {c.Storage.Name} as int.");
        }

        return MemoryMarshal.AsBytes(wide);
    }

    /// <summary>
    /// Writes every non-cache column in schema order, after a header (version, slots, hosts, tick, the schema's
    /// fingerprint), and an XxHash64 checksum of it all.
    /// </summary>
    public void Save(Stream output, long tickIndex, ModelParameters model)
    {
        ArgumentNullException.ThrowIfNull(model);

        // Kept across calls, so that a save between ticks allocates nothing after its first (280 B a call before stop 55:
        // a new hasher and the model's values each time). Saves may run at once (SaveState takes a shared claim: several
        // threads, or a save from inside another's stream), so each takes the kept hasher for itself, or a new one when
        // another save holds it, and gives it back at the end (a review found 14 in 2 000 parallel saves corrupt when one
        // hasher was shared, and a nested save's always).
        XxHash64 hash = Interlocked.Exchange(ref _saveHash, null) ?? new XxHash64();
        hash.Reset();
        try
        {
            SaveWith(hash, output, tickIndex, model);
        }
        finally
        {
            _saveHash = hash;
        }
    }

    private void SaveWith(XxHash64 hash, Stream output, long tickIndex, ModelParameters model)
    {
        void Write(ReadOnlySpan<byte> bytes)
        {
            hash.Append(bytes);
            output.Write(bytes);
        }

        Span<byte> header = stackalloc byte[28];
        BitConverter.TryWriteBytes(header, StateVersion);
        BitConverter.TryWriteBytes(header[4..], SlotCount);
        BitConverter.TryWriteBytes(header[8..], HostCount);
        BitConverter.TryWriteBytes(header[12..], tickIndex);
        BitConverter.TryWriteBytes(header[20..], SchemaFingerprint);
        Write(StateMagic);
        Write(header);
        Span<double> values = stackalloc double[ModelFields.Length];
        ModelValues(model, values);
        Write(MemoryMarshal.AsBytes(values));
        foreach (ColumnInfo c in FleetSchema.Columns)
        {
            if (!c.Cache && !c.Derived)
                Write(Bytes(Arrays[(int)c.Id]));
        }

        Span<byte> checksum = stackalloc byte[8];
        hash.GetCurrentHash(checksum);
        output.Write(checksum);
    }

    /// <summary>
    /// Reads a state written by <see cref="Save"/> into this store and returns its tick index. The state must come from a
    /// fleet with the same schema and host layout; anything wrong, truncated or corrupt throws
    /// <see cref="InvalidDataException"/> naming it and changes nothing.
    /// </summary>
    public long Load(Stream input, ModelParameters model, Func<long, string?>? validate = null)
    {
        ArgumentNullException.ThrowIfNull(model);
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
        Span<byte> header = stackalloc byte[28];
        Read(header, "the header");
        int version = BitConverter.ToInt32(header), slots = BitConverter.ToInt32(header[4..]), hosts = BitConverter.ToInt32(header[8..]);
        long tick = BitConverter.ToInt64(header[12..]);
        ulong fingerprint = BitConverter.ToUInt64(header[20..]);
        if (version is not (2 or StateVersion))
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"Fleet state version {version} is not supported (expected 2 or {StateVersion})."));
        if (fingerprint != SchemaFingerprint)
            throw new InvalidDataException("Fleet state was saved with another column layout (schema fingerprint differs).");
        if (slots != SlotCount || hosts != HostCount)
            throw new InvalidDataException($"Fleet state is for {Count(slots, "slot")} on {Count(hosts, "host")}; this fleet has {Count(SlotCount, "slot")} on {Count(HostCount, "host")}.");
        if (tick < 0)
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"Fleet state has a negative tick index {tick}."));
        if (version >= 3)
        {
            // A state evolved under other parameters (another tick length, pressure window, boot grace, ...) holds counters
            // this fleet's model would never reach (a window average above its maximum): refused, naming each difference.
            var saved = new double[ModelFields.Length];
            Read(MemoryMarshal.AsBytes(saved.AsSpan()), "the model parameters");
            double[] here = ModelValues(model);
            var differences = new List<string>();
            for (int i = 0; i < ModelFields.Length; i++)
            {
                if (BitConverter.DoubleToInt64Bits(saved[i]) != BitConverter.DoubleToInt64Bits(here[i]))
                    differences.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{ModelFields[i]} {saved[i]} in the state, {here[i]} in this fleet"));
            }

            if (differences.Count > 0)
                throw new InvalidDataException($"Fleet state was saved under other model parameters: {string.Join("; ", differences)}.");
        }

        var loaded = new byte[FleetSchema.Columns.Length][];
        foreach (ColumnInfo c in FleetSchema.Columns)
        {
            if (c.Cache || c.Derived)
                continue;
            Span<byte> current = Bytes(Arrays[(int)c.Id]);
            byte[] bytes = loaded[(int)c.Id] = new byte[current.Length];
            Read(bytes, $"column {c.Name}");
            if (c.Scope == ColumnScope.Host && c.Role == ColumnRole.Setting && !bytes.AsSpan().SequenceEqual(current))
                throw new InvalidDataException(HostLayoutDifference(c, bytes, current));
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

        // The checksum proves the bytes are the ones written, not that they are a state the model can reach (a value
        // edited and re-sealed, or written by a bug): the loaded state is checked, and the old one put back if it fails.
        // The columns' bytes are swapped with the loaded ones, so that these hold the old state meanwhile (no third copy
        // of the fleet: a state of 14 million VMs is 2.8 GB).
        foreach (ColumnInfo c in FleetSchema.Columns)
        {
            if (c.Cache || c.Derived)
                continue;
            if (validate is null)
                loaded[(int)c.Id].CopyTo(Bytes(Arrays[(int)c.Id]));
            else
                Swap(loaded[(int)c.Id], Bytes(Arrays[(int)c.Id]));
        }

        RebuildCaches();
        string? problem;
        try
        {
            problem = validate?.Invoke(tick);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A check that cannot even run on these values (it read something the model never writes) refuses them too.
            problem = $"checking it failed ({e.GetType().Name}: {e.Message})";
        }

        if (problem is not null)
        {
            foreach (ColumnInfo c in FleetSchema.Columns)
            {
                if (!c.Cache && !c.Derived)
                    loaded[(int)c.Id].CopyTo(Bytes(Arrays[(int)c.Id])); // the old state, swapped out above
            }

            RebuildCaches();
            throw new InvalidDataException($"Fleet state holds values the model cannot reach (its checksum matches: it was written so, or edited and re-sealed): {problem.TrimEnd()}");
        }

        return tick;
    }

    /// <summary>Exchanges the bytes of two spans of one length, through a small buffer.</summary>
    private static void Swap(Span<byte> a, Span<byte> b)
    {
        Span<byte> buffer = stackalloc byte[4096];
        for (int at = 0; at < a.Length; at += buffer.Length)
        {
            int n = Math.Min(buffer.Length, a.Length - at);
            Span<byte> x = a.Slice(at, n), y = b.Slice(at, n), t = buffer[..n];
            x.CopyTo(t);
            y.CopyTo(x);
            t.CopyTo(y);
        }
    }

    /// <summary>"1 host", "3 hosts": a count with its noun in the message a refused state gives.</summary>
    private static string Count(long n, string noun) => n == 1 ? $"1 {noun}" : string.Create(CultureInfo.InvariantCulture, $"{n} {noun}s");

    /// <summary>
    /// Why a saved state's host setting column <paramref name="c"/> is refused: the first host whose value differs, by the
    /// <see cref="HostSpec"/> name the caller gave it, with both values (before: only the column's internal name).
    /// </summary>
    private static string HostLayoutDifference(ColumnInfo c, ReadOnlySpan<byte> saved, ReadOnlySpan<byte> here)
    {
        string what = c.Id switch
        {
            ColumnId.HostVmLimit => "VmCapacity",
            ColumnId.HostTotal => "TotalMb",
            ColumnId.HostReserve => "ReserveMb",
            ColumnId.HostStart => "first slot (the VmCapacity of the hosts before it, each rounded up to 16)",
            ColumnId.HostCapacity => "slot count (VmCapacity rounded up to 16)",
            _ => c.Name,
        };
        if (c.Storage != typeof(int))
            return $"Fleet state has another host layout ({what}): it was saved from a different fleet.";
        ReadOnlySpan<int> was = MemoryMarshal.Cast<byte, int>(saved), now = MemoryMarshal.Cast<byte, int>(here);
        int h = was.CommonPrefixLength(now);
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"Fleet state was saved from a fleet with other hosts: host {h}'s {what} is {was[h]} in the state, {now[h]} in this fleet.");
    }

    /// <summary>The model parameters a saved state records, in this order (ModelValues).</summary>
    private static readonly string[] ModelFields =
    [
        nameof(ModelParameters.TickSeconds), nameof(ModelParameters.GranularityMb), nameof(ModelParameters.BootGraceSeconds),
        nameof(ModelParameters.ReclaimPeriodSeconds), nameof(ModelParameters.MaxRemovePerSecondMb), nameof(ModelParameters.PressureWindowSeconds),
        nameof(ModelParameters.HostReserveMb), nameof(ModelParameters.MaxCeilingMb), nameof(ModelParameters.SmartPaging),
    ];

    /// <summary>Every model parameter as a binary64 (exact for the ints; SmartPaging 1 or 0), in <see cref="ModelFields"/>' order.</summary>
    private static double[] ModelValues(ModelParameters m)
    {
        var values = new double[ModelFields.Length];
        ModelValues(m, values);
        return values;
    }

    /// <summary><see cref="ModelValues(ModelParameters)"/> into <paramref name="values"/> (<see cref="ModelFields"/>' length).</summary>
    private static void ModelValues(ModelParameters m, Span<double> values)
    {
        values[0] = m.TickSeconds;
        values[1] = m.GranularityMb;
        values[2] = m.BootGraceSeconds;
        values[3] = m.ReclaimPeriodSeconds;
        values[4] = m.MaxRemovePerSecondMb;
        values[5] = m.PressureWindowSeconds;
        values[6] = m.HostReserveMb;
        values[7] = m.MaxCeilingMb;
        values[8] = m.SmartPaging ? 1 : 0;
    }

    /// <summary>A fingerprint of the saved layout: every non-cache column's name, scope and element type, in order.</summary>
    public static ulong SchemaFingerprint { get; } = ComputeFingerprint();

    private static ulong ComputeFingerprint()
    {
        var text = new System.Text.StringBuilder();
        foreach (ColumnInfo c in FleetSchema.Columns)
        {
            if (!c.Cache && !c.Derived)
                text.Append(c.Name).Append(':').Append(c.Scope).Append(':').Append(c.Storage.Name).Append(';');
        }

        return XxHash3.HashToUInt64(System.Text.Encoding.UTF8.GetBytes(text.ToString()));
    }

    /// <summary>The bytes of a column's array.</summary>
    public static Span<byte> Bytes(Array column) => column switch
    {
        int[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        long[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        ushort[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        byte[] a => a.AsSpan(),
        _ => throw new InvalidOperationException("Unsupported column type."),
    };

    /// <summary>Element <paramref name="i"/> of a column as a long.</summary>
    public static long GetElement(Array column, int i) => column switch
    {
        int[] a => a[i],
        long[] a => a[i],
        ushort[] a => a[i],
        byte[] a => a[i],
        _ => throw new InvalidOperationException("Unsupported column type."),
    };

    private static void SetElement(Array column, int i, long value)
    {
        switch (column)
        {
            case int[] a:
                a[i] = (int)value;
                break;
            case long[] a:
                a[i] = value;
                break;
            case ushort[] a:
                a[i] = (ushort)value;
                break;
            case byte[] a:
                a[i] = (byte)value;
                break;
            default:
                throw new InvalidOperationException("Unsupported column type.");
        }
    }

    private static void Fill(Array column, long value)
    {
        switch (column)
        {
            case int[] a:
                a.AsSpan().Fill((int)value);
                break;
            case long[] a:
                a.AsSpan().Fill(value);
                break;
            case ushort[] a:
                a.AsSpan().Fill((ushort)value);
                break;
            case byte[] a:
                a.AsSpan().Fill((byte)value);
                break;
            default:
                throw new InvalidOperationException("Unsupported column type.");
        }
    }

    private int[] Int(ColumnId id) => (int[])Arrays[(int)id];

    private long[] Long(ColumnId id) => (long[])Arrays[(int)id];

    private ushort[] UShort(ColumnId id) => (ushort[])Arrays[(int)id];

    private byte[] Byte(ColumnId id) => (byte[])Arrays[(int)id];
}

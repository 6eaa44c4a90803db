using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DmKernel.Traces.Replay;

/// <summary>
/// Replays a native trace through the kernel, tick by tick, through the same public API a simulator uses:
/// placement (from the trace, or first-fit by Startup), one <see cref="TraceFeed"/> application and one
/// <see cref="Balancer.Tick()"/> per trace tick, and <see cref="ReplayMetrics"/> after each. The trace is read
/// as a stream; memory is constant in the trace's length.
/// </summary>
public sealed class ReplayEngine : IDisposable
{
    private readonly NativeTraceReader _reader;
    private readonly ReplayOptions _options;
    private readonly int[] _slotOfVm;
    private readonly int[] _traceTick;
    private readonly int[]? _slotTick;
    private readonly TraceFeed _feed;
    private readonly (int Vm, int Slot, int Length)[]? _runs;
    private readonly Stopwatch _clock = new();
    private readonly List<(long Tick, ulong Hash)> _hashes = [];

    // One thread: the tick in chunks of hosts, each applied, ticked and measured while its columns are in the cache.
    private readonly int[]? _chunkHost;
    private readonly int[]? _chunkRunStart;
    private readonly (int Vm, int Slot, int Length)[]? _chunkRuns;
    private readonly int[] _vmOfSlot = [];
    private readonly int[] _chunkValues = [];

    /// <summary>Replays <paramref name="reader"/>'s trace with its own VM table and placement (or a first-fit placement when it has none).</summary>
    public ReplayEngine(NativeTraceReader reader, ReplayOptions options)
        : this(reader, options, null)
    {
    }

    /// <summary>
    /// Replays <paramref name="reader"/>'s demand with another VM table and placement (<paramref name="placement"/>:
    /// one entry per trace VM, in trace order, each with a host; and the hosts), as the strategy comparison does.
    /// </summary>
    public ReplayEngine(NativeTraceReader reader, ReplayOptions options, PlacementResult? placement)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _reader = reader;
        _options = options;
        Header = reader.Header;
        Model = TraceTick.Model(options.Model, Header.TickSeconds, reader.FilePath);

        if (placement is null)
        {
            (Vms, Hosts, PlacedByReplay) = Place(reader, options);
        }
        else
        {
            if (placement.Vms.Length != reader.Vms.Count)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The placement has {placement.Vms.Length} VMs; the trace has {reader.Vms.Count}."), nameof(placement));
            foreach (TraceVm vm in placement.Vms)
            {
                if ((uint)vm.Host >= (uint)placement.Hosts.Length)
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"VM '{vm.Id}' is placed on host {vm.Host}; the placement has {placement.Hosts.Length} hosts."), nameof(placement));
            }

            (Vms, Hosts, PlacedByReplay) = (placement.Vms, placement.Hosts, true);
        }

        TotalTicks = options.MaxTicks is long max ? Math.Min(max, Header.TickCount) : Header.TickCount;
        // The read-ahead starts now, so that the first tick is decoded on its thread while this one builds the fleet.
        if (options.ReadAhead && options.ProcessorCount > Math.Min(options.Threads, Math.Max(1, Hosts.Count)) && TotalTicks > 0)
            _readAhead = new TickReadAhead(reader, TotalTicks, 0);
        try
        {
            Fleet = Build(reader, options, out _slotOfVm);
            Balancer = new Balancer(Fleet, options.Policy, options.Path, options.Threads);
            _traceTick = new int[Vms.Count];
            _runs = Runs(_slotOfVm);
            _feed = new TraceFeed(Fleet);
            if (_runs is null && Balancer.Threads > 1)
            {
                _slotTick = AlignedArrays.Allocate<int>(Fleet.SlotCount);
                Array.Fill(_slotTick, TraceValues.Off);
            }

            Metrics = new ReplayMetrics(Fleet) { TickOffset = options.BootTicks };
            if (Balancer.Threads == 1)
            {
                (_chunkHost, _chunkRunStart, _chunkRuns) = Chunks(Fleet, _runs, options.ChunkSlots);
                if (_chunkRuns is null)
                {
                    _vmOfSlot = new int[Fleet.SlotCount];
                    Array.Fill(_vmOfSlot, -1);
                    for (int v = 0; v < _slotOfVm.Length; v++)
                        _vmOfSlot[_slotOfVm[v]] = v;
                    int largest = 0;
                    for (int c = 0; c < _chunkHost.Length - 1; c++)
                        largest = Math.Max(largest, SlotEnd(Fleet, _chunkHost, c) - Fleet.HostSlots(_chunkHost[c]).Start);
                    _chunkValues = AlignedArrays.Allocate<int>(largest, minBytes: 256);
                }
            }

            // Chunked replays of a trace applied by gathering get their ticks in slot order, gathered on that thread.
            _readAhead?.Configure(SlotOrder ? _vmOfSlot : null);
        }
        catch
        {
            _readAhead?.Dispose();
            throw;
        }
    }

    /// <summary>Ticks come in slot order from the read-ahead: a chunked replay of a trace applied by gathering.</summary>
    private bool SlotOrder => _chunkHost is not null && _chunkRuns is null;

    /// <summary>The fleet of <see cref="Vms"/> on <see cref="Hosts"/>, with each VM's slot, and the trace's guests.</summary>
    private Fleet Build(NativeTraceReader reader, ReplayOptions options, out int[] slotOfVm)
    {
        var counts = new int[Hosts.Count];
        for (int v = 0; v < Vms.Count; v++)
            counts[Vms[v].Host]++;
        var specs = new HostSpec[Hosts.Count];
        for (int h = 0; h < specs.Length; h++)
            specs[h] = Hosts[h].ToHostSpec(counts[h]);
        Fleet fleet;
        try
        {
            fleet = new Fleet(Model, specs);
        }
        catch (ArgumentException ex)
        {
            // A host the model cannot run (e.g. smaller than its reserve); the message names the host.
            throw new TraceFormatException(reader.FilePath, "host table", $"a host the model cannot run: {ex.Message}", ex);
        }

        slotOfVm = new int[Vms.Count];
        for (int v = 0; v < Vms.Count; v++)
        {
            try
            {
                slotOfVm[v] = fleet.AddVm(Vms[v].Host, Vms[v].Settings);
            }
            catch (SettingRejectedException ex)
            {
                throw new TraceFormatException(reader.FilePath, string.Create(CultureInfo.InvariantCulture, $"VM {v} ('{Vms[v].Id}')"), $"settings the model refuses: {ex.Message}", ex);
            }
        }

        // P10: the guests' responsiveness the trace records (ideal when none), drawn per VM index.
        // A part of a larger trace (a split's shard) draws each VM's response from its index in the whole trace.
        GuestMix guests = GuestMix.FromTrace(Header.Metadata, reader.FilePath);
        IReadOnlyList<int>? guestIndex = options.GuestIndexOfVm;
        if (guestIndex is not null)
        {
            // Checked whether or not the trace records a mix: the same options fail the same way on every trace.
            if (guestIndex.Count != Vms.Count)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"GuestIndexOfVm has {guestIndex.Count} entries; the trace has {Vms.Count} VMs."), nameof(options));
            for (int v = 0; v < guestIndex.Count; v++)
            {
                if (guestIndex[v] < 0)
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"GuestIndexOfVm[{v}] is {guestIndex[v]}: expected a VM index, 0 or more."), nameof(options));
            }
        }

        if (guests.Parts.Count > 0)
        {
            for (int v = 0; v < Vms.Count; v++)
                fleet.SetGuestResponse(slotOfVm[v], guests.For(guestIndex is null ? v : guestIndex[v]));
        }

        return fleet;
    }

    /// <summary>The trace's header.</summary>
    public TraceHeader Header { get; }

    /// <summary>The model the fleet runs (the trace's tick length and the options' parameters).</summary>
    public ModelParameters Model { get; }

    /// <summary>The VMs with the host each one was placed on.</summary>
    public IReadOnlyList<TraceVm> Vms { get; }

    /// <summary>The hosts the VMs were placed on, one per fleet host.</summary>
    public IReadOnlyList<TraceHost> Hosts { get; }

    /// <summary>True when the trace had no placement and the replay made one.</summary>
    public bool PlacedByReplay { get; }

    /// <summary>The fleet the trace is replayed on.</summary>
    public Fleet Fleet { get; }

    /// <summary>The balancer that ticks <see cref="Fleet"/>.</summary>
    public Balancer Balancer { get; }

    /// <summary>What the replay has measured so far.</summary>
    public ReplayMetrics Metrics { get; }

    /// <summary>Ticks this replay will run.</summary>
    public long TotalTicks { get; }

    /// <summary>Ticks replayed so far.</summary>
    public long TicksDone { get; private set; }

    /// <summary>Whether the next ticks are read and decoded on a thread of their own (<see cref="ReplayOptions.ReadAhead"/>; tests).</summary>
    internal bool UsesReadAhead => _readAhead is not null;

    /// <summary>Whether the read-ahead's thread is running (false without one; tests: <see cref="Dispose"/> stops it).</summary>
    internal bool ReadAheadThreadAlive => _readAhead?.ThreadAlive ?? false;

    /// <summary>Ticks the read-ahead has decoded and not yet handed out (0 without one; tests).</summary>
    internal int ReadAheadTicksReady => _readAhead?.TicksReady ?? 0;

    /// <summary>
    /// Benchmarks and tests only (<c>ReplayBench</c>'s iteration setup): between two <see cref="Step()"/>s, waits until the
    /// read-ahead, if the replay has one, has decoded as far ahead as it goes (<see cref="TickReadAhead.Depth"/> ticks, or
    /// to the trace's end) and stopped, as it stands in a long replay whose decoding keeps ahead of the tick.
    /// </summary>
    internal void WaitForReadAhead() => _readAhead?.WaitUntilFull();

    /// <summary>Whether a chunk's hosts have been measured on a thread of their own (tests).</summary>
    internal bool UsedChunkMeasurer => _measurer is not null;

    /// <summary>State hashes taken every <see cref="ReplayOptions.HashEvery"/> ticks: the tick index just run and the hash after it.</summary>
    public IReadOnlyList<(long Tick, ulong Hash)> StateHashes => _hashes;

    /// <summary>
    /// Wall time spent in <see cref="Step()"/> (reading, applying, ticking, measuring) on the trace's ticks, earlier runs of
    /// a resumed replay included: the time a VM-ticks/s rate divides by. The boot phase's is not in it (<see cref="BootElapsed"/>),
    /// so that a replay with a boot reports the rate one without reports.
    /// </summary>
    public TimeSpan Elapsed => _clock.Elapsed + _elapsedBefore;

    /// <summary>Wall time the boot phase (<see cref="ReplayOptions.BootTicks"/>) took in this engine, apart from
    /// <see cref="Elapsed"/>; zero without one, before the first step, or in a replay resumed past it.</summary>
    public TimeSpan BootElapsed { get; private set; }

    private TimeSpan _elapsedBefore;

    /// <summary>
    /// Writes a checkpoint: the fleet, the metrics, the hashes and how far the trace was read, with
    /// <paramref name="fingerprint"/> (what must match to resume) and <paramref name="note"/> (e.g. an output's length).
    /// </summary>
    public void SaveCheckpoint(Stream output, string fingerprint, long note)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (_bootCancelled)
            throw new InvalidOperationException("This replay's boot phase was cancelled part way: there is no state to save; start a new replay.");
        // Streamed to the output as it is written (not built in memory first: a fleet past about 12 million VMs does not
        // fit one MemoryStream), its checksum kept on the way.
        var checksum = new System.IO.Hashing.XxHash64();
        using (var payload = new BufferedStream(new ChecksumStream(output, checksum, leaveOpen: true), CheckpointStreams.BufferBytes))
        using (var w = new BinaryWriter(payload, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            w.Write(CheckpointMagic);
            w.Write(fingerprint);
            w.Write(note);
            w.Write(TicksDone);
            w.Write(Elapsed.Ticks);
            w.Write(_hashes.Count);
            foreach ((long tick, ulong hash) in _hashes)
            {
                w.Write(tick);
                w.Write(hash);
            }

            Metrics.Save(w);
            w.Flush();
            Fleet.SaveState(payload);
            payload.Flush();
        }

        output.Write(checksum.GetCurrentHash());
    }

    /// <summary>
    /// Continues from a checkpoint written by <see cref="SaveCheckpoint"/> for the same trace and options: checks it,
    /// skips the ticks already replayed in the trace, restores fleet, metrics and hashes. Returns the note. A
    /// checkpoint whose fingerprint differs, or that is truncated or corrupt, throws <see cref="InvalidDataException"/>.
    /// </summary>
    public long ResumeFrom(Stream input, string fingerprint)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (TicksDone != 0 || _bootCancelled)
            throw new InvalidOperationException("Resume a replay before its first step.");
        using Stream payload = CheckedPayload(input);
        using var r = new BinaryReader(payload);
        try
        {
            CheckMagic(r.ReadString(), _options.BootTicks > 0);
            string saved = r.ReadString();
            if (saved != fingerprint)
                throw new InvalidDataException($"Checkpoint was written by another replay: it has '{saved}', this one is '{fingerprint}'.");
            long note = r.ReadInt64();
            long ticks = r.ReadInt64();
            var elapsed = TimeSpan.FromTicks(r.ReadInt64());
            int hashCount = r.ReadInt32();
            var hashes = new List<(long, ulong)>();
            for (int i = 0; i < hashCount; i++)
                hashes.Add((r.ReadInt64(), r.ReadUInt64()));
            if (ticks < 0 || ticks > TotalTicks)
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"Checkpoint is at tick {ticks}, outside this replay's 0..{TotalTicks}."));
            Metrics.Load(r);
            Fleet.LoadState(payload);
            for (long t = 0; t < ticks; t++)
            {
                if (_readAhead is not null)
                {
                    _readAhead.Next(out _); // (throws a malformed tick's error, as ReadTick would)
                    _readAhead.Done();
                }
                else if (!_reader.ReadTick(_traceTick))
                {
                    throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"The trace ended at tick {t}, before the checkpoint's tick {ticks}."));
                }
            }

            TicksDone = ticks;
            _elapsedBefore = elapsed;
            _hashes.Clear();
            _hashes.AddRange(hashes);
            return note;
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException("Checkpoint is truncated.");
        }
    }

    /// <summary>
    /// The fingerprint a checkpoint written by <see cref="SaveCheckpoint"/> was saved with, so that a caller can say
    /// how it differs from its own before it resumes. A truncated or corrupt checkpoint throws <see cref="InvalidDataException"/>.
    /// </summary>
    public static string ReadCheckpointFingerprint(Stream input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using Stream payload = CheckedPayload(input);
        using var r = new BinaryReader(payload);
        try
        {
            CheckMagic(r.ReadString(), null);
            return r.ReadString();
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException("Checkpoint is truncated.");
        }
    }

    private const string CheckpointMagic = "DMKREPLAY/4";

    /// <summary>Checkpoints before the pressure histogram kept its values above 1000 % (/1, 2026-12-04) and before the
    /// metrics counted unservable paging per VM (/2, 2026-12-04).</summary>
    private static readonly string[] CheckpointMagicsBefore = ["DMKREPLAY/1", "DMKREPLAY/2"];

    /// <summary>Checkpoints before the metrics kept the VMs the boot phase left off (the review of stop 56): laid out as
    /// <see cref="CheckpointMagic"/>'s where the replay has no boot phase.</summary>
    private const string CheckpointMagicWithoutBootVms = "DMKREPLAY/3";

    /// <param name="magic">The checkpoint's.</param>
    /// <param name="boot">Whether the replay it is read for has a boot phase; null: only the fingerprint is read.</param>
    private static void CheckMagic(string magic, bool? boot)
    {
        if (Array.IndexOf(CheckpointMagicsBefore, magic) >= 0)
            throw new InvalidDataException("Checkpoint was written by an older dmkernel, whose metrics this one cannot continue; replay from the start.");
        if (magic == CheckpointMagicWithoutBootVms)
        {
            if (boot == true)
                throw new InvalidDataException("Checkpoint was written by an older dmkernel, which did not record what the boot phase left off; replay from the start.");
            return;
        }

        if (magic != CheckpointMagic)
            throw new InvalidDataException("Not a replay checkpoint.");
    }

    /// <summary>
    /// The checkpoint's payload once its trailing XxHash64 matches. A seekable input (a file) is checked in one streamed
    /// pass and then read where it is, so a checkpoint larger than memory's largest array resumes; another is read into
    /// memory first.
    /// </summary>
    private static Stream CheckedPayload(Stream input)
    {
        if (input.CanSeek)
        {
            long start = input.Position, size = input.Length - start - 8;
            if (size < 0)
                throw new InvalidDataException("Checkpoint is truncated or corrupt (checksum mismatch).");
            var hash = new System.IO.Hashing.XxHash64();
            byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(CheckpointStreams.BufferBytes);
            try
            {
                for (long left = size; left > 0;)
                {
                    int n = input.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
                    if (n == 0)
                        throw new InvalidDataException("Checkpoint is truncated or corrupt (checksum mismatch).");
                    hash.Append(buffer.AsSpan(0, n));
                    left -= n;
                }

                Span<byte> stored = stackalloc byte[8];
                input.ReadExactly(stored);
                if (!hash.GetCurrentHash().AsSpan().SequenceEqual(stored))
                    throw new InvalidDataException("Checkpoint is truncated or corrupt (checksum mismatch).");
            }
            catch (EndOfStreamException)
            {
                throw new InvalidDataException("Checkpoint is truncated or corrupt (checksum mismatch).");
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }

            input.Position = start;
            return new BufferedStream(new CheckpointStreams.Window(input, size), CheckpointStreams.BufferBytes);
        }

        using var all = new MemoryStream();
        input.CopyTo(all);
        byte[] bytes = all.GetBuffer();
        int length = (int)all.Length - 8;
        if (length < 0 || !System.IO.Hashing.XxHash64.Hash(bytes.AsSpan(0, length)).AsSpan().SequenceEqual(bytes.AsSpan(length, 8)))
            throw new InvalidDataException("Checkpoint is truncated or corrupt (checksum mismatch).");
        return new MemoryStream(bytes, 0, length, writable: false);
    }

    /// <summary>Fleet ticks this replay runs before the trace's first, unmeasured (<see cref="ReplayOptions.BootTicks"/>).</summary>
    public int BootTicks => _options.BootTicks;

    /// <summary>
    /// VMs on at the trace's tick 0 that were still off after the boot phase (<see cref="ReplayOptions.BootTicks"/>): their
    /// starts were denied on every boot tick; null until the boot has run in this engine (none asked, none run yet, or a
    /// replay resumed past it).
    /// </summary>
    public int? BootStillOff { get; private set; }

    /// <summary>VMs on at the trace's tick 0, which the boot phase started (null as <see cref="BootStillOff"/>).</summary>
    public int? BootWanted { get; private set; }

    /// <summary>Test hook (null unless a test sets it): called after each boot tick with the boot ticks run so far.</summary>
    internal Action<int>? AfterBootTickForTests { get; set; }

    /// <summary>
    /// The boot phase (<see cref="ReplayOptions.BootTicks"/>) before the trace's first tick: every VM held at
    /// <paramref name="tick"/>'s value (in slot order, or in trace order), the whole fleet ticked, nothing measured.
    /// </summary>
    private void Boot(int[] tick, bool slotOrder, CancellationToken cancel)
    {
        int[] values = slotOrder ? tick : new int[Fleet.SlotCount];
        if (!slotOrder)
        {
            Array.Fill(values, TraceValues.Off);
            for (int v = 0; v < tick.Length; v++)
                values[_slotOfVm[v]] = tick[v];
        }

        for (int b = 0; b < _options.BootTicks; b++)
        {
            if (cancel.IsCancellationRequested)
            {
                _bootCancelled = true; // the fleet is part way through its boot: no step can go on from here
                cancel.ThrowIfCancellationRequested();
            }

            _feed.Apply(values);
            Balancer.Tick();
            AfterBootTickForTests?.Invoke(b + 1);
        }

        int wanted = 0, off = 0;
        ReadOnlySpan<VmState> states = Fleet.States;
        for (int s = 0; s < values.Length; s++)
        {
            if (values[s] < 0)
                continue;
            wanted++;
            off += states[s] == VmState.Off ? 1 : 0;
        }

        (BootWanted, BootStillOff) = (wanted, off);
        Metrics.BootVms = (wanted, off);
        ReplayOutcome.HostCounters(Fleet).CopyTo(Metrics.BootCounters, 0);
    }

    /// <summary>The fleet slot of trace VM <paramref name="vm"/>.</summary>
    public int SlotOf(int vm) => _slotOfVm[vm];

    /// <summary>Replays one tick; false at the end of the trace (or of <see cref="ReplayOptions.MaxTicks"/>).</summary>
    public bool Step() => Step(CancellationToken.None);

    /// <summary>
    /// Replays one tick, as <see cref="Step()"/>, checking <paramref name="cancel"/> before every tick of the boot phase
    /// (<see cref="ReplayOptions.BootTicks"/>), which the first step runs: a boot of a million ticks stops within one tick
    /// of the cancellation, with <see cref="OperationCanceledException"/>. The fleet is then part way through its boot, so
    /// the engine cannot go on: a later step throws <see cref="InvalidOperationException"/> (start a new replay). Between
    /// steps the token is the caller's to check.
    /// </summary>
    public bool Step(CancellationToken cancel)
    {
        if (_bootCancelled)
            throw new InvalidOperationException("This replay's boot phase was cancelled part way: the fleet cannot go on from there; start a new replay.");
        if (TicksDone >= TotalTicks)
            return false;
        _clock.Start();
        try
        {
            int[] tick;
            int on = -1;
            bool slotOrder = false;
            if (_readAhead is not null)
            {
                tick = _readAhead.Next(out on);
                slotOrder = SlotOrder;
            }
            else
            {
                if (!_reader.ReadTick(_traceTick))
                    TraceFormatException.ThrowEndedEarly(_reader.FilePath, TicksDone, Header.TickCount);
                tick = _traceTick;
            }

            if (TicksDone == 0 && _options.BootTicks > 0)
            {
                _clock.Stop(); // the boot's time is counted apart
                long start = Stopwatch.GetTimestamp();
                try
                {
                    Boot(tick, slotOrder, cancel);
                }
                finally
                {
                    BootElapsed = Stopwatch.GetElapsedTime(start);
                    _clock.Start();
                }
            }
            if (_chunkHost is null)
            {
                Apply(tick);
                Balancer.Tick();
                Metrics.AddTick(on >= 0 ? on : CountOn(tick));
            }
            else
            {
                StepByChunks(tick, slotOrder, on);
            }

            _readAhead?.Done();
            TicksDone++;
            if (_options.HashEvery > 0 && TicksDone % _options.HashEvery == 0)
                _hashes.Add((TicksDone - 1, Fleet.ComputeStateHash()));
            return true;
        }
        finally
        {
            _clock.Stop();
        }
    }

    /// <summary>Stops the read-ahead and measuring threads and the balancer's workers; a second call does nothing.</summary>
    public void Dispose()
    {
        if (_disposed)
            return; // a second Dispose does nothing
        _disposed = true;
        _measurer?.Dispose();
        _readAhead?.Dispose();
        Balancer.Dispose();
    }

    private bool _disposed;
    private bool _bootCancelled;

    private TickReadAhead? _readAhead;
    private ChunkMeasurer? _measurer;

    /// <summary>
    /// Runs of trace VMs that sit in consecutive slots (a trace placed host by host has one run per host), or null
    /// when the runs would be short (under 8 VMs on average): then a plain scatter is as fast.
    /// </summary>
    private static (int Vm, int Slot, int Length)[]? Runs(int[] slotOfVm)
    {
        var runs = new List<(int, int, int)>();
        for (int v = 0; v < slotOfVm.Length;)
        {
            int start = v;
            while (++v < slotOfVm.Length && slotOfVm[v] == slotOfVm[v - 1] + 1)
            {
            }

            runs.Add((start, slotOfVm[start], v - start));
            if (runs.Count > (slotOfVm.Length / 8) + 1)
                return null;
        }

        return [.. runs];
    }

    /// <summary>
    /// Chunks of consecutive hosts of about <paramref name="chunkSlots"/> slots, and, when the trace is applied by runs, the runs
    /// in slot order, split at chunk boundaries, with the first run of every chunk.
    /// </summary>
    private static (int[] Hosts, int[]? RunStart, (int Vm, int Slot, int Length)[]? Runs) Chunks(Fleet fleet, (int Vm, int Slot, int Length)[]? runs, int chunkSlots)
    {
        var bounds = new List<int> { 0 };
        int slots = 0;
        for (int h = 0; h < fleet.HostCount; h++)
        {
            slots += fleet.HostSlots(h).Capacity;
            if (slots >= chunkSlots && h + 1 < fleet.HostCount)
            {
                bounds.Add(h + 1);
                slots = 0;
            }
        }

        if (fleet.HostCount > 0)
            bounds.Add(fleet.HostCount); // (no hosts: no chunks)
        int[] hosts = [.. bounds];
        if (runs is null)
            return (hosts, null, null);

        var sorted = runs.OrderBy(r => r.Slot).ToArray();
        var split = new List<(int, int, int)>();
        var runStart = new int[hosts.Length];
        int c = 0;
        foreach ((int vm, int slot, int length) in sorted)
        {
            int v = vm, s = slot, n = length;
            while (n > 0)
            {
                while (s >= SlotEnd(fleet, hosts, c))
                    runStart[++c] = split.Count;
                int take = Math.Min(n, SlotEnd(fleet, hosts, c) - s);
                split.Add((v, s, take));
                v += take;
                s += take;
                n -= take;
            }
        }

        while (c < hosts.Length - 1)
            runStart[++c] = split.Count;
        return (hosts, runStart, [.. split]);
    }

    /// <summary>The slot after chunk <paramref name="c"/>'s last.</summary>
    private static int SlotEnd(Fleet fleet, int[] hosts, int c)
        => hosts[c + 1] == fleet.HostCount ? fleet.SlotCount : fleet.HostSlots(hosts[c + 1]).Start;

    /// <summary>
    /// One tick, chunk by chunk of hosts (hosts are independent, so this is exactly <see cref="Apply"/>, one
    /// <see cref="Balancer.Tick()"/> and one <see cref="ReplayMetrics.AddTick"/>): each chunk's trace values applied, its hosts
    /// ticked and measured while their columns are still in the cache, instead of three passes over the whole fleet.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void StepByChunks(ReadOnlySpan<int> tick, bool slotOrder, int countedOn)
    {
        int[] hosts = _chunkHost!;
        ChunkMeasurer? measurer = _options.ReadAhead && _options.ProcessorCount > Balancer.Threads && hosts.Length > 1
            ? _measurer ??= new ChunkMeasurer(Metrics, hosts)
            : null;
        int on = 0;
        Balancer.BeginTick();
        Metrics.BeginTick();
        for (int c = 0; c < hosts.Length - 1; c++)
        {
            if (slotOrder)
            {
                // Gathered and counted by the read-ahead thread.
                int s0 = Fleet.HostSlots(hosts[c]).Start;
                _feed.Apply(s0, tick[s0..SlotEnd(Fleet, hosts, c)]);
            }
            else if (_chunkRuns is null)
            {
                // The chunk's slots gather their VMs' values (free slots: off), in slot order, into a buffer that stays in L1.
                int s0 = Fleet.HostSlots(hosts[c]).Start, s1 = SlotEnd(Fleet, hosts, c);
                Span<int> values = _chunkValues.AsSpan(0, s1 - s0);
                ReadOnlySpan<int> vmOfSlot = _vmOfSlot.AsSpan(s0, s1 - s0);
                for (int i = 0; i < values.Length; i++)
                {
                    int vm = vmOfSlot[i];
                    int value = vm >= 0 ? tick[vm] : TraceValues.Off;
                    values[i] = value;
                    on += value >= 0 ? 1 : 0;
                }

                _feed.Apply(s0, values);
            }
            else
            {
                for (int r = _chunkRunStart![c]; r < _chunkRunStart[c + 1]; r++)
                {
                    (int vm, int slot, int length) = _chunkRuns[r];
                    _feed.Apply(slot, tick.Slice(vm, length));
                    on += CountOn(tick.Slice(vm, length));
                }
            }

            Balancer.TickHosts(hosts[c], hosts[c + 1] - hosts[c]);
            if (measurer is not null)
                measurer.Ticked();
            else
                Metrics.MeasureHosts(hosts[c], hosts[c + 1] - hosts[c]);
        }

        measurer?.WaitTick();
        Balancer.EndTick();
        Metrics.EndTick(slotOrder ? countedOn : on);
    }

    /// <summary>
    /// Applies this tick's trace values to the fleet: straight from the trace's order, one run of consecutive slots at a
    /// time, or, when the runs are short, scattered into slot order first.
    /// </summary>
    private void Apply(ReadOnlySpan<int> tick)
    {
        if (_runs is null)
        {
            for (int v = 0; v < tick.Length; v++)
                _slotTick![_slotOfVm[v]] = tick[v];
            _feed.Apply(_slotTick);
        }
        else
        {
            foreach ((int vm, int slot, int length) in _runs)
                _feed.Apply(slot, tick.Slice(vm, length));
        }
    }

    /// <summary>VMs the trace has on in a tick: values &gt;= 0 (off is −1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // once per tick over every VM: see ReplayMetrics.EndTick
    internal static int CountOn(ReadOnlySpan<int> tick)
    {
        int on = 0;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var acc = Vector256<int>.Zero;
            ref int r = ref MemoryMarshal.GetReference(tick);
            for (; i + Vector256<int>.Count <= tick.Length; i += Vector256<int>.Count)
                acc -= Vector256.GreaterThanOrEqual(Vector256.LoadUnsafe(ref r, (nuint)i), Vector256<int>.Zero);
            on = Vector256.Sum(acc);
        }

        for (; i < tick.Length; i++)
            on += tick[i] >= 0 ? 1 : 0;
        return on;
    }

    private static (IReadOnlyList<TraceVm> Vms, IReadOnlyList<TraceHost> Hosts, bool Placed) Place(NativeTraceReader reader, ReplayOptions options)
    {
        IReadOnlyList<TraceVm> vms = reader.Vms;
        IReadOnlyList<TraceHost> hosts = reader.Hosts;
        bool placed = hosts.Count > 0;
        for (int v = 0; v < vms.Count && placed; v++)
            placed = vms[v].Host >= 0;
        if (placed)
        {
            for (int v = 0; v < vms.Count; v++)
            {
                if (vms[v].Host >= hosts.Count)
                    throw new TraceFormatException(reader.FilePath, string.Create(CultureInfo.InvariantCulture, $"VM {v} ('{vms[v].Id}')"), string.Create(CultureInfo.InvariantCulture, $"placed on host {vms[v].Host}, but the trace has hosts 0..{hosts.Count - 1}"));
            }

            return (vms, hosts, false);
        }

        PlacementResult result = TracePlacement.FirstFitByStartup(vms, options.PlacementHostMb, options.PlacementReserveMb);
        return (result.Vms, result.Hosts, true);
    }
}

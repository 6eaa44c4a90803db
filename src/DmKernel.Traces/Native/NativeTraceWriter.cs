using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;

namespace DmKernel.Traces;

/// <summary>
/// Writes a native trace (docs/trace-format.md) tick by tick in constant memory: one chunk of ticks is
/// buffered, encoded as per-VM deltas, compressed, checksummed and written. The file is written to
/// "&lt;path&gt;.tmp" and renamed to <see cref="Path"/> by <see cref="Complete"/>, so no half-written file
/// ever has the final name; disposing without <see cref="Complete"/> deletes the temporary file.
/// </summary>
public sealed class NativeTraceWriter : IDisposable
{
    private readonly string? _tempPath; // null: writing to a caller's stream (no temporary file, no rename)
    private readonly Stream _file;
    private readonly SectionCodec _codec;
    private readonly XxHash64 _chain = new();
    private readonly byte[] _header = new byte[NativeFormat.HeaderSize];
    private readonly byte[] _frame = new byte[NativeFormat.FrameSize];
    private readonly int[] _prev;
    private readonly int _ticksPerChunk;
    private readonly int _keyframeInterval;
    private readonly byte _encoding;
    private byte[] _raw;
    private byte[] _packed = [];
    private int _rawLength;
    private int _chunkTicks;
    private long _chunkFirstTick;
    private long _lastKeyframeTick = long.MinValue;
    private long _chunkCount;
    private bool _completed;
    private bool _disposed;

    /// <summary>
    /// Starts a trace at <paramref name="path"/> with the given VM and host tables (an empty host table = no
    /// placement, every VM's Host must then be -1; otherwise every VM needs a valid host index). Throws
    /// <see cref="ArgumentException"/> naming the first bad VM, host or option.
    /// </summary>
    public NativeTraceWriter(string path, TraceDescription description, IReadOnlyList<TraceVm> vms, IReadOnlyList<TraceHost> hosts, NativeTraceWriterOptions? options = null)
        : this(path, null, description, vms, hosts, options)
    {
    }

    /// <summary>
    /// Writes the trace to <paramref name="output"/> (seekable, at position 0, left open; <paramref name="name"/> names it in
    /// errors) instead of a file: <see cref="Complete"/> leaves the whole trace in it. For traces made in memory (the replay's
    /// warm-up).
    /// </summary>
    internal NativeTraceWriter(Stream output, string name, TraceDescription description, IReadOnlyList<TraceVm> vms, IReadOnlyList<TraceHost> hosts, NativeTraceWriterOptions? options = null)
        : this(name, output ?? throw new ArgumentNullException(nameof(output)), description, vms, hosts, options)
    {
    }

    private NativeTraceWriter(string path, Stream? output, TraceDescription description, IReadOnlyList<TraceVm> vms, IReadOnlyList<TraceHost> hosts, NativeTraceWriterOptions? options)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(description);
        ArgumentNullException.ThrowIfNull(vms);
        ArgumentNullException.ThrowIfNull(hosts);
        options ??= NativeTraceWriterOptions.Default;
        options.Validate();
        if (!double.IsFinite(description.TickSeconds) || description.TickSeconds <= 0 || description.TickSeconds > 1e9)
            throw new InvariantOutOfRangeException(nameof(description), description.TickSeconds, "TickSeconds: expected a finite number of seconds in (0, 1e9].");
        if (vms.Count > NativeFormat.MaxVmCount)
            throw new InvariantOutOfRangeException(nameof(vms), vms.Count, string.Create(CultureInfo.InvariantCulture, $"at most {NativeFormat.MaxVmCount} VMs."));
        if (hosts.Count > NativeFormat.MaxHostCount)
            throw new InvariantOutOfRangeException(nameof(hosts), hosts.Count, string.Create(CultureInfo.InvariantCulture, $"at most {NativeFormat.MaxHostCount} hosts."));
        CheckTables(description, vms, hosts);
        if (output is null)
        {
            OutputFile.EnsureReplaceable(path);
            OutputFile.EnsureReplaceable(path + ".tmp");
        }

        Path = path;
        VmCount = vms.Count;
        _ticksPerChunk = (int)Math.Clamp(options.ChunkVmTicks / (long)Math.Max(1, VmCount), 1, NativeTraceWriterOptions.MaxTicksPerChunk);
        _keyframeInterval = options.KeyframeIntervalTicks;
        _encoding = (byte)options.TickEncoding;
        _prev = new int[VmCount];
        // One buffer for the largest chunk the encoding can make, and one for its packed form, allocated once and not
        // cleared: only the pages a chunk really fills become resident, and no chunk ever reallocates them.
        long largest = (long)_ticksPerChunk * TickCodec.MaxTickBytes(_encoding, VmCount);
        _raw = GC.AllocateUninitializedArray<byte>((int)Math.Clamp(largest, 16, Array.MaxLength));
        _codec = new SectionCodec(options.Compression, options.CompressionLevel);
        _packed = GC.AllocateUninitializedArray<byte>(_codec.PackedCapacity(_raw.Length));
        if (output is null)
        {
            _tempPath = path + ".tmp";
            _file = FileTooLarge.Guard(OpenTemporary(path, _tempPath), _tempPath);
        }
        else
        {
            if (!output.CanSeek || !output.CanWrite || output.Position != 0)
                throw new ArgumentException("The stream must be writable, seekable and at position 0.", nameof(output));
            _file = output;
        }

        try
        {
            BuildHeader(description.TickSeconds, hosts.Count, 0);
            _file.Write(_header);
            WriteTables(description, vms, hosts);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>
    /// Creates the temporary file <paramref name="tempPath"/> ("&lt;path&gt;.tmp"); a name the file system refuses as too long
    /// is reported for the output the user named, with the suffix that made it so (.NET's message names only the
    /// temporary file, whose name the user never gave: a legal 252-byte name fails this way).
    /// </summary>
    private static FileStream OpenTemporary(string path, string tempPath)
    {
        try
        {
            return new FileStream(tempPath, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 20);
        }
        catch (PathTooLongException e)
        {
            int bytes = System.Text.Encoding.UTF8.GetByteCount(System.IO.Path.GetFileName(path));
            string name = System.IO.Path.GetFileName(tempPath);
            throw new PathTooLongException(string.Create(CultureInfo.InvariantCulture,
                $"the output '{path}' cannot be written: its name is {bytes} bytes, and the trace is written first as '{name}' ({bytes + 4} bytes) and renamed when complete; a file name may have at most 255 bytes on most file systems (or the whole path is longer than the system allows). Give a shorter name."), e);
        }
    }

    /// <summary>The final path of the trace.</summary>
    public string Path { get; }

    /// <summary>The number of VMs: every tick holds this many values.</summary>
    public int VmCount { get; }

    /// <summary>Ticks written so far.</summary>
    public long TicksWritten { get; private set; }

    /// <summary>Ticks per chunk this writer uses.</summary>
    public int TicksPerChunk => _ticksPerChunk;

    /// <summary>
    /// Appends one tick: per VM in table order, committed demand in MB (0..<see cref="TraceValues.MaxCommittedMb"/>)
    /// or <see cref="TraceValues.Off"/>.
    /// </summary>
    public void WriteTick(ReadOnlySpan<int> committedOrOff)
    {
        if (_completed)
            throw new InvalidOperationException($"Trace '{Path}' is complete; no more ticks can be written.");
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (committedOrOff.Length != VmCount)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"A tick needs {VmCount} values (one per VM), got {committedOrOff.Length}."), nameof(committedOrOff));
        for (int i = 0; i < committedOrOff.Length; i++)
        {
            if (!TraceValues.IsValid(committedOrOff[i]))
                throw new InvariantOutOfRangeException(nameof(committedOrOff), committedOrOff[i], string.Create(CultureInfo.InvariantCulture, $"Tick {TicksWritten}, VM {i}: expected -1 (off) or 0..{TraceValues.MaxCommittedMb} MB."));
        }

        if (_chunkTicks == 0)
        {
            _chunkFirstTick = TicksWritten;
            if (_lastKeyframeTick == long.MinValue || (_keyframeInterval > 0 && TicksWritten - _lastKeyframeTick >= _keyframeInterval))
            {
                Array.Clear(_prev);
                _lastKeyframeTick = TicksWritten;
            }
        }

        long need = _rawLength + TickCodec.MaxTickBytes(_encoding, VmCount);
        if (need > _raw.Length)
            Array.Resize(ref _raw, (int)Math.Min(Math.Max(need, _raw.Length * 2L), Array.MaxLength));
        _rawLength = _encoding == NativeFormat.TickEncodingDeltaBlocks16
            ? TickCodec.EncodeTickBlocks(committedOrOff, _prev, _raw, _rawLength)
            : TickCodec.EncodeTick(committedOrOff, _prev, _raw, _rawLength);
        _chunkTicks++;
        TicksWritten++;
        if (_chunkTicks == _ticksPerChunk)
            FlushChunk();
    }

    /// <summary>Writes the last chunk, the trailer and the final header, then renames the file to <see cref="Path"/> (a caller's
    /// stream: leaves it open, at its end).</summary>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
            return;
        if (_chunkTicks > 0)
            FlushChunk();
        BuildHeader(BinaryPrimitives.ReadDoubleLittleEndian(_header.AsSpan(NativeFormat.HdrTickSeconds)),
            BinaryPrimitives.ReadInt32LittleEndian(_header.AsSpan(NativeFormat.HdrHostCount)), TicksWritten);
        _chain.Append(_header);
        Span<byte> trailer = stackalloc byte[NativeFormat.TrailerSize];
        long trailerOffset = _file.Position;
        BinaryPrimitives.WriteUInt64LittleEndian(trailer, NativeFormat.TrailerMagic);
        BinaryPrimitives.WriteInt64LittleEndian(trailer[NativeFormat.TrChunkCount..], _chunkCount);
        BinaryPrimitives.WriteInt64LittleEndian(trailer[NativeFormat.TrTickCount..], TicksWritten);
        BinaryPrimitives.WriteInt64LittleEndian(trailer[NativeFormat.TrOffset..], trailerOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(trailer[NativeFormat.TrChainHash..], _chain.GetCurrentHashAsUInt64());
        BinaryPrimitives.WriteUInt64LittleEndian(trailer[NativeFormat.TrHash..], NativeFormat.Hash(trailer[..NativeFormat.TrHash]));
        _file.Write(trailer);
        _file.Position = 0;
        _file.Write(_header);
        if (_tempPath is null)
        {
            _file.Flush();
            _file.Position = _file.Length;
        }
        else
        {
            _file.Flush();
            _file.Dispose();
            DurableFile.Flush(_tempPath); // on the disk before the rename, which a power failure could otherwise keep without the bytes
            DurableFile.Rename(_tempPath, Path);
        }

        _completed = true;
        Dispose();
    }

    /// <summary>Closes the writer; without <see cref="Complete"/> the temporary file is deleted and no trace is left.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        try
        {
            // Closing flushes the stream's buffer, which fails again where a write failed (a full disk): the temporary
            // file is deleted all the same, so a failed run leaves nothing that fills the disk. A caller's stream stays open.
            if (_tempPath is not null)
                _file.Dispose();
        }
        catch (IOException) when (!_completed)
        {
        }
        finally
        {
            _codec.Dispose();
            if (!_completed && _tempPath is not null)
            {
                try
                {
                    File.Delete(_tempPath);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Best effort: the temp name never passes for a finished trace.
                }
            }
        }
    }

    private static void CheckTables(TraceDescription description, IReadOnlyList<TraceVm> vms, IReadOnlyList<TraceHost> hosts)
    {
        ArgumentNullException.ThrowIfNull(description.Source);
        ArgumentNullException.ThrowIfNull(description.Metadata);
        if (TableCodec.StrictUtf8.GetByteCount(description.Source) > NativeFormat.MaxStringBytes)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Source: expected at most {NativeFormat.MaxStringBytes} UTF-8 bytes."), nameof(description));
        if (description.Metadata.Count > NativeFormat.MaxMetadataEntries)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Metadata: expected at most {NativeFormat.MaxMetadataEntries} entries."), nameof(description));
        foreach (var kv in description.Metadata)
        {
            if (TableCodec.StrictUtf8.GetByteCount(kv.Key) > NativeFormat.MaxStringBytes || TableCodec.StrictUtf8.GetByteCount(kv.Value) > NativeFormat.MaxStringBytes)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Metadata '{kv.Key}': expected key and value of at most {NativeFormat.MaxStringBytes} UTF-8 bytes."), nameof(description));
        }

        for (int h = 0; h < hosts.Count; h++)
        {
            if (TableCodec.CheckHost(hosts[h]) is string why)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Host {h}: {why}."), nameof(hosts));
        }

        var ids = new HashSet<string>(vms.Count, StringComparer.Ordinal);
        for (int i = 0; i < vms.Count; i++)
        {
            var vm = vms[i];
            if (TableCodec.CheckVm(vm, hosts.Count) is string why)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"VM {i} ('{vm.Id}'): {why}."), nameof(vms));
            if (TableCodec.StrictUtf8.GetByteCount(vm.Id) > TraceVm.MaxIdBytes)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"VM {i}: id longer than {TraceVm.MaxIdBytes} UTF-8 bytes."), nameof(vms));
            if (!ids.Add(vm.Id))
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"VM {i}: id '{vm.Id}' is not unique, expected every VM id once (VM {FirstWithId(vms, vm.Id)} has it)."), nameof(vms));
        }
    }

    private static int FirstWithId(IReadOnlyList<TraceVm> vms, string id)
    {
        int i = 0;
        while (!string.Equals(vms[i].Id, id, StringComparison.Ordinal))
            i++;
        return i;
    }

    private void BuildHeader(double tickSeconds, int hostCount, long tickCount)
    {
        var h = _header.AsSpan();
        h.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(h, NativeFormat.Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(h[NativeFormat.HdrMajor..], NativeFormat.VersionMajor);
        BinaryPrimitives.WriteUInt16LittleEndian(h[NativeFormat.HdrMinor..], _encoding == NativeFormat.TickEncodingDeltaBlocks16 ? NativeFormat.VersionMinor : (ushort)0);
        h[NativeFormat.HdrCodec] = 0;
        h[NativeFormat.HdrEncoding] = _encoding;
        BinaryPrimitives.WriteDoubleLittleEndian(h[NativeFormat.HdrTickSeconds..], tickSeconds);
        BinaryPrimitives.WriteInt32LittleEndian(h[NativeFormat.HdrVmCount..], VmCount);
        BinaryPrimitives.WriteInt32LittleEndian(h[NativeFormat.HdrHostCount..], hostCount);
        BinaryPrimitives.WriteInt64LittleEndian(h[NativeFormat.HdrTickCount..], tickCount);
        BinaryPrimitives.WriteInt32LittleEndian(h[NativeFormat.HdrTicksPerChunk..], _ticksPerChunk);
        BinaryPrimitives.WriteUInt64LittleEndian(h[NativeFormat.HdrHash..], NativeFormat.Hash(h[..NativeFormat.HdrHash]));
    }

    private void WriteTables(TraceDescription description, IReadOnlyList<TraceVm> vms, IReadOnlyList<TraceHost> hosts)
    {
        var b = new ByteBuffer(4096);
        TableCodec.WriteString(b, description.Source);
        foreach (var kv in description.Metadata)
        {
            TableCodec.WriteString(b, kv.Key);
            TableCodec.WriteString(b, kv.Value);
        }

        if (b.Length > NativeFormat.MaxMetaBytes)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Source and metadata take {b.Length} bytes, more than {NativeFormat.MaxMetaBytes}."), nameof(description));
        WriteSection(NativeFormat.TagMeta, 0, 0, description.Metadata.Count, b.Span);
        for (int start = 0; start < vms.Count; start += NativeFormat.TableEntriesPerSection)
        {
            b.Clear();
            int end = Math.Min(vms.Count, start + NativeFormat.TableEntriesPerSection);
            for (int i = start; i < end; i++)
                TableCodec.WriteVm(b, vms[i]);
            WriteSection(NativeFormat.TagVms, 0, start, end - start, b.Span);
        }

        for (int start = 0; start < hosts.Count; start += NativeFormat.TableEntriesPerSection)
        {
            b.Clear();
            int end = Math.Min(hosts.Count, start + NativeFormat.TableEntriesPerSection);
            for (int i = start; i < end; i++)
                TableCodec.WriteHost(b, hosts[i]);
            WriteSection(NativeFormat.TagHost, 0, start, end - start, b.Span);
        }
    }

    private void FlushChunk()
    {
        byte flags = _lastKeyframeTick == _chunkFirstTick ? NativeFormat.FlagKeyframe : (byte)0;
        WriteSection(NativeFormat.TagTick, flags, _chunkFirstTick, _chunkTicks, _raw.AsSpan(0, _rawLength));
        _chunkCount++;
        _chunkTicks = 0;
        _rawLength = 0;
    }

    /// <summary>Writes one frame and its payload; <paramref name="first"/> is the first tick (TICK) or first entry index (tables).</summary>
    private void WriteSection(uint tag, byte flags, long first, int count, ReadOnlySpan<byte> raw)
    {
        ulong payloadHash = NativeFormat.Hash(raw);
        var codec = _codec.Compress(raw, ref _packed, out int packedLength);
        ulong packedHash = NativeFormat.Hash(_packed.AsSpan(0, packedLength));
        NativeFormat.WriteFrame(_frame, tag, codec, flags, first, count, raw.Length, packedLength, payloadHash, packedHash);
        _chain.Append(_frame);
        _file.Write(_frame);
        _file.Write(_packed, 0, packedLength);
    }
}

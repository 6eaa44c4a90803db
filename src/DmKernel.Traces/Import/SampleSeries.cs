using System.Buffers.Binary;

namespace DmKernel.Traces;

/// <summary>
/// One VM's samples from a source, as they are parsed: strictly increasing times (seconds), demand MB or -1 (off),
/// provisioned MB. The samples go to the import's <see cref="SampleSpill"/> (a chain of blocks); the series keeps only
/// what the import needs without reading them back (count, first and last time, the largest provisioned MB) and, until
/// it is <see cref="Complete"/>, its last sample (a duplicate timestamp replaces it: the last row wins) and the block
/// being filled. So its memory does not depend on how many samples it has. <see cref="SampleCursor"/> reads them back.
/// </summary>
internal sealed class SampleSeries(string id, SampleSpill spill)
{
    private byte[]? _block;
    private long _blockOffset = -1;
    private int _used;
    private long _previousTime; // of the last sample written to the spill (delta base)
    private bool _pending;
    private long _pendingTime;
    private int _pendingValue;
    private double _pendingProvisioned;
    private double _maxProvisioned;
    private bool _complete;

    public string Id { get; } = id;

    public SampleSpill Spill { get; } = spill;

    /// <summary>Samples (a duplicate timestamp does not add one).</summary>
    public int Count { get; private set; }

    /// <summary>The offset of the first block in the spill (-1: no sample).</summary>
    public long Head { get; private set; } = -1;

    /// <summary>Time of the first sample (undefined when <see cref="Count"/> is 0).</summary>
    public long FirstTime { get; private set; }

    /// <summary>Time of the last sample, or <see cref="long.MinValue"/> when there is none.</summary>
    public long LastTime { get; private set; } = long.MinValue;

    /// <summary>Time of the first sample kept that is on (value ≥ 0; undefined when <see cref="LastOnTime"/> is <see cref="long.MinValue"/>).</summary>
    public long FirstOnTime { get; private set; }

    /// <summary>Time of the last sample kept that is on, or <see cref="long.MinValue"/> when none is (known once <see cref="Complete"/>).</summary>
    public long LastOnTime { get; private set; } = long.MinValue;

    /// <summary>True when <paramref name="time"/> would go backwards (and nothing is added).</summary>
    public bool IsBackwards(long time) => Count > 0 && time < LastTime;

    /// <summary>True when a sample at <paramref name="time"/> would replace the last one (a duplicate: the last row wins).</summary>
    public bool Replaces(long time) => _pending && time == _pendingTime;

    /// <summary>Adds a sample; a sample with the time of the last one replaces it (duplicate: the last wins) and returns true.</summary>
    public bool Add(long time, int value, double provisionedMb)
    {
        if (_complete)
            throw new InvalidOperationException($"Series '{Id}' is complete.");
        if (_pending && time == _pendingTime)
        {
            _pendingValue = value;
            _pendingProvisioned = provisionedMb;
            return true;
        }

        if (_pending)
            Commit();
        else
            FirstTime = time;
        _pending = true;
        _pendingTime = time;
        _pendingValue = value;
        _pendingProvisioned = provisionedMb;
        LastTime = time;
        Count++;
        return false;
    }

    /// <summary>Writes the last sample and the last block: the series can then be read and <see cref="MaxProvisionedMb"/> is known.</summary>
    public void Complete()
    {
        if (_complete)
            return;
        if (_pending)
            Commit();
        _pending = false;
        if (_block is not null)
            Flush(next: -1);
        _block = null;
        _complete = true;
    }

    /// <summary>Drops the series (a file the general path reads again): its blocks stay unused in the spill.</summary>
    public void Abandon()
    {
        _block = null;
        _pending = false;
        _complete = true;
    }

    /// <summary>The largest provisioned MB of the samples (0 when none); known once <see cref="Complete"/>.</summary>
    public double MaxProvisionedMb()
    {
        if (!_complete)
            throw new InvalidOperationException($"Series '{Id}' is not complete.");
        return _maxProvisioned;
    }

    private void Commit()
    {
        if (_block is null)
        {
            _block = new byte[SampleSpill.BlockBytes];
            _blockOffset = Spill.AllocateBlock();
            Head = _blockOffset;
            _used = SampleSpill.BlockHeader;
        }
        else if (_used + SampleSpill.MaxSampleBytes > SampleSpill.BlockBytes)
        {
            long next = Spill.AllocateBlock();
            Flush(next);
            _blockOffset = next;
            _used = SampleSpill.BlockHeader;
        }

        _used += WriteVarint(_block.AsSpan(_used), (ulong)(_pendingTime - _previousTime));
        _used += WriteVarint(_block.AsSpan(_used), (uint)(_pendingValue + 1));
        _previousTime = _pendingTime;
        _maxProvisioned = Math.Max(_maxProvisioned, _pendingProvisioned);
        if (_pendingValue >= 0)
        {
            if (LastOnTime == long.MinValue)
                FirstOnTime = _pendingTime;
            LastOnTime = _pendingTime;
        }
    }

    private void Flush(long next)
    {
        byte[] block = _block!;
        BinaryPrimitives.WriteInt64LittleEndian(block, next);
        BinaryPrimitives.WriteInt32LittleEndian(block.AsSpan(8), _used - SampleSpill.BlockHeader);
        Spill.WriteBlock(_blockOffset, block.AsSpan(0, _used));
    }

    private static int WriteVarint(Span<byte> to, ulong v)
    {
        int n = 0;
        while (v >= 0x80)
        {
            to[n++] = (byte)(v | 0x80);
            v >>= 7;
        }

        to[n++] = (byte)v;
        return n;
    }
}

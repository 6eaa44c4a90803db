using System.Buffers.Binary;
using System.Globalization;

namespace DmKernel.Traces;

/// <summary>
/// Reads one <see cref="SampleSeries"/> back from the spill, sample by sample, holding one block
/// (<see cref="SampleSpill.BlockBytes"/>) in memory; <see cref="Reset"/> starts again from the first sample.
/// </summary>
internal sealed class SampleCursor(SampleSeries series)
{
    private readonly byte[] _block = new byte[SampleSpill.BlockBytes];
    private long _next = -2; // offset of the next block to read; -1 = none, -2 = not started
    private int _position;
    private int _end;
    private long _time;

    public SampleSeries Series { get; } = series;

    /// <summary>Starts again from the first sample.</summary>
    public void Reset()
    {
        _next = -2;
        _position = _end = 0;
        _time = 0;
    }

    /// <summary>The next sample; false after the last.</summary>
    public bool Next(out long time, out int value)
    {
        if (_position == _end && !ReadBlock())
        {
            time = 0;
            value = 0;
            return false;
        }

        ReadOnlySpan<byte> b = _block;
        _time += (long)ReadVarint(b, ref _position);
        time = _time;
        value = (int)ReadVarint(b, ref _position) - 1;
        return true;
    }

    private bool ReadBlock()
    {
        long offset = _next == -2 ? Series.Head : _next;
        while (offset >= 0)
        {
            int read = Series.Spill.ReadBlock(offset, _block);
            if (read < SampleSpill.BlockHeader)
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"The sample spill of '{Series.Id}' ends inside a block at {offset}."));
            _next = BinaryPrimitives.ReadInt64LittleEndian(_block);
            int length = BinaryPrimitives.ReadInt32LittleEndian(_block.AsSpan(8));
            if (length < 0 || SampleSpill.BlockHeader + length > read)
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"The sample spill of '{Series.Id}' has a block of {length} bytes at {offset}."));
            _position = SampleSpill.BlockHeader;
            _end = SampleSpill.BlockHeader + length;
            if (_end > _position)
                return true;
            offset = _next;
        }

        _next = -1;
        return false;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> b, ref int position)
    {
        ulong v = 0;
        int shift = 0;
        byte x;
        do
        {
            x = b[position++];
            v |= (ulong)(x & 0x7F) << shift;
            shift += 7;
        }
        while (x >= 0x80);
        return v;
    }
}

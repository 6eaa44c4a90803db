using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace DmKernel.Traces;

/// <summary>Payload encodings of the META, VMS and HOST sections (little-endian; strings are LEB128 length + UTF-8).</summary>
internal static class TableCodec
{
    public static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public const byte VmFlagDynamic = 1, VmFlagLinux = 2;

    /// <summary>Fixed bytes of a VM entry after its id: Startup, Minimum, Maximum (i32), Buffer, Weight (u16), flags (u8), host (i32).</summary>
    public const int VmFixedBytes = 4 + 4 + 4 + 2 + 2 + 1 + 4;

    public const int HostBytes = 8;

    public static void WriteString(ByteBuffer b, string s)
    {
        int n = StrictUtf8.GetByteCount(s);
        b.WriteVarint((uint)n);
        StrictUtf8.GetBytes(s, b.Reserve(n));
    }

    public static void WriteVm(ByteBuffer b, in TraceVm vm)
    {
        WriteString(b, vm.Id);
        Span<byte> f = b.Reserve(VmFixedBytes);
        var s = vm.Settings;
        BinaryPrimitives.WriteInt32LittleEndian(f, s.StartupMb);
        BinaryPrimitives.WriteInt32LittleEndian(f[4..], s.MinimumMb);
        BinaryPrimitives.WriteInt32LittleEndian(f[8..], s.MaximumMb);
        BinaryPrimitives.WriteUInt16LittleEndian(f[12..], (ushort)s.BufferPercent);
        BinaryPrimitives.WriteUInt16LittleEndian(f[14..], (ushort)s.Weight);
        f[16] = (byte)((s.DynamicMemory ? VmFlagDynamic : 0) | (s.Guest == GuestKind.Linux ? VmFlagLinux : 0));
        BinaryPrimitives.WriteInt32LittleEndian(f[17..], vm.Host);
    }

    public static void WriteHost(ByteBuffer b, in TraceHost h)
    {
        Span<byte> f = b.Reserve(HostBytes);
        BinaryPrimitives.WriteInt32LittleEndian(f, h.TotalMb);
        BinaryPrimitives.WriteInt32LittleEndian(f[4..], h.ReserveMb ?? -1);
    }

    /// <summary>Why a VM entry is not valid, or null. Shared by writer (argument checks) and reader (format checks).</summary>
    public static string? CheckVm(in TraceVm vm, int hostCount)
    {
        if (vm.Id is null)
            return "the id is null";
        if (vm.Id.Length == 0)
            return "the id is empty";
        var s = vm.Settings;
        if (s.StartupMb % 2 != 0 || s.MinimumMb % 2 != 0 || s.MaximumMb % 2 != 0)
            return string.Create(CultureInfo.InvariantCulture, $"sizes must be multiples of 2 MB (Startup {s.StartupMb}, Minimum {s.MinimumMb}, Maximum {s.MaximumMb}), expected even MB values");
        if (s.MinimumMb < VmSettings.MinMinimumMb || s.MinimumMb > s.StartupMb || s.StartupMb > s.MaximumMb || s.MaximumMb > TraceValues.MaxCommittedMb)
            return string.Create(CultureInfo.InvariantCulture, $"expected 32 <= Minimum ({s.MinimumMb}) <= Startup ({s.StartupMb}) <= Maximum ({s.MaximumMb}) <= {TraceValues.MaxCommittedMb}");
        if (s.BufferPercent < VmSettings.MinBuffer || s.BufferPercent > VmSettings.MaxBuffer)
            return string.Create(CultureInfo.InvariantCulture, $"Buffer {s.BufferPercent} %, expected {VmSettings.MinBuffer}..{VmSettings.MaxBuffer}");
        if (s.Weight < VmSettings.MinWeight || s.Weight > VmSettings.MaxWeight)
            return string.Create(CultureInfo.InvariantCulture, $"Weight {s.Weight}, expected {VmSettings.MinWeight}..{VmSettings.MaxWeight}");
        if (s.Guest is not (GuestKind.Windows or GuestKind.Linux))
            return string.Create(CultureInfo.InvariantCulture, $"guest kind {(int)s.Guest}, expected Windows or Linux");
        if (vm.Host < -1 || vm.Host >= hostCount)
            return string.Create(CultureInfo.InvariantCulture, $"host index {vm.Host}, expected -1 (no placement) or 0..{hostCount - 1}");
        if (hostCount > 0 && vm.Host < 0)
            return string.Create(CultureInfo.InvariantCulture, $"host index -1, but the trace has a host table: every VM needs a host, expected 0..{hostCount - 1}");
        return null;
    }

    public static string? CheckHost(in TraceHost h)
    {
        if (h.TotalMb <= 0 || h.TotalMb % 2 != 0)
            return string.Create(CultureInfo.InvariantCulture, $"TotalMb {h.TotalMb}, expected a positive multiple of 2");
        if (h.ReserveMb is int r && (r < 0 || r % 2 != 0 || r > h.TotalMb))
            return string.Create(CultureInfo.InvariantCulture, $"ReserveMb {r}, expected a multiple of 2 from 0 to TotalMb ({h.TotalMb})");
        return null;
    }
}

/// <summary>A growable byte buffer for section payloads.</summary>
internal sealed class ByteBuffer(int capacity)
{
    private byte[] _buffer = new byte[Math.Max(16, capacity)];

    public int Length { get; private set; }

    public byte[] Array => _buffer;

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    public void Clear() => Length = 0;

    public Span<byte> Reserve(int n)
    {
        if (_buffer.Length - Length < n)
            System.Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + n));
        var s = _buffer.AsSpan(Length, n);
        Length += n;
        return s;
    }

    public void WriteVarint(uint v)
    {
        while (v >= 0x80)
        {
            Reserve(1)[0] = (byte)(v | 0x80);
            v >>= 7;
        }

        Reserve(1)[0] = (byte)v;
    }
}

/// <summary>Reads a section payload; every failure is an <see cref="InvalidDataException"/> the reader wraps with its place.</summary>
internal ref struct PayloadReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _pos;

    public readonly int Remaining => _data.Length - _pos;

    public ReadOnlySpan<byte> Take(int n)
    {
        if (n < 0 || n > Remaining)
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"the payload ends {n - Remaining} bytes early"));
        var s = _data.Slice(_pos, n);
        _pos += n;
        return s;
    }

    public uint ReadVarint()
    {
        uint v = 0;
        for (int shift = 0; shift < 35; shift += 7)
        {
            byte b = Take(1)[0];
            v |= (uint)(b & 0x7F) << shift;
            if (b < 0x80)
                return v;
        }

        throw new InvalidDataException("a varint longer than 5 bytes");
    }

    public string ReadString(string what)
    {
        uint n = ReadVarint();
        if (n > NativeFormat.MaxStringBytes)
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{what} of {n} bytes, expected at most {NativeFormat.MaxStringBytes}"));
        try
        {
            return TableCodec.StrictUtf8.GetString(Take((int)n));
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"{what} is not valid UTF-8 ({e.Message})");
        }
    }

    public TraceVm ReadVm()
    {
        string id = ReadString("VM id");
        var f = Take(TableCodec.VmFixedBytes);
        byte flags = f[16];
        if ((flags & ~(TableCodec.VmFlagDynamic | TableCodec.VmFlagLinux)) != 0)
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"VM '{id}' has unknown flag bits 0x{flags:X2}, expected only 0x01 (dynamic) and 0x02 (Linux)"));
        var settings = new VmSettings(
            BinaryPrimitives.ReadInt32LittleEndian(f),
            BinaryPrimitives.ReadInt32LittleEndian(f[4..]),
            BinaryPrimitives.ReadInt32LittleEndian(f[8..]),
            BinaryPrimitives.ReadUInt16LittleEndian(f[12..]),
            BinaryPrimitives.ReadUInt16LittleEndian(f[14..]),
            (flags & TableCodec.VmFlagDynamic) != 0,
            (flags & TableCodec.VmFlagLinux) != 0 ? GuestKind.Linux : GuestKind.Windows);
        return new TraceVm(id, settings, BinaryPrimitives.ReadInt32LittleEndian(f[17..]));
    }

    public TraceHost ReadHost()
    {
        var f = Take(TableCodec.HostBytes);
        int reserve = BinaryPrimitives.ReadInt32LittleEndian(f[4..]);
        return new TraceHost(BinaryPrimitives.ReadInt32LittleEndian(f), reserve == -1 ? null : reserve);
    }
}

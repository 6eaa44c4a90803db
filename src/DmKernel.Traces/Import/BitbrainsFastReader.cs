using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Win32.SafeHandles;

namespace DmKernel.Traces;

/// <summary>
/// The fast path of <see cref="BitbrainsImporter"/> for a clean file: the raw bytes are split and parsed
/// directly (no decoding to chars, no per-row allocation), and what the rows add to the report is counted
/// locally. It never reports a problem: any file it is not sure to read exactly as the general (Sep) path
/// does (not ending with a line feed, not ASCII, a CR, a bad header, a row with a wrong field count or a
/// field that does not parse, a value out of range (a capacity over MaxCeiling, a usage or demand over 16 TB),
/// a timestamp going backwards, a line longer than its buffer, ...) gives null, and the caller reads it again with
/// the general path, which reports the problem with its file, line and column. Pure (touches no session), so files
/// can be read in parallel. The file is read in blocks of <see cref="BufferBytes"/> and its samples go to the spill as
/// they are parsed, so its memory does not depend on the file's size.
/// </summary>
internal static class BitbrainsFastReader
{
    /// <summary>Bytes read at a time; a line longer than this sends the file to the general path.</summary>
    internal const int BufferBytes = 1 << 20;

    private const int Fields = 11, ColCapacity = 5, ColUsage = 6;

    /// <summary>What one clean file gives: its series, its rows and the report counts of its samples (<see cref="BitbrainsSampleCounts"/>).</summary>
    internal sealed class Result(SampleSeries series)
    {
        public SampleSeries Series { get; } = series;

        public long Rows { get; set; }

        public long OffSamples { get; set; }

        public long UsageAboveCapacity { get; set; }

        public long UsageZeroSamples { get; set; }

        public long DuplicateTimestamps { get; set; }

        public long UsageZeroHeld { get; set; }

        /// <summary>Adds the counts to <paramref name="report"/> as the general path would have.</summary>
        public void AddTo(ImportReport report)
        {
            report.RowsRead += Rows;
            report.Note("off_samples", OffSamples);
            report.Note("usage_above_capacity", UsageAboveCapacity);
            report.Note("usage_zero_samples", UsageZeroSamples);
            report.Note("duplicate_timestamps", DuplicateTimestamps);
            report.Note("usage_zero_held", UsageZeroHeld);
        }
    }

    /// <summary>
    /// Reads <paramref name="path"/> (VM <paramref name="id"/>) into <paramref name="spill"/> when it is clean; null when the
    /// general path must read it. <paramref name="buffer"/> is reused between calls of one thread.
    /// </summary>
    public static Result? TryRead(string path, string id, BitbrainsImportOptions options, SampleSpill spill, ref byte[] buffer)
    {
        if (buffer.Length < BufferBytes)
            buffer = new byte[BufferBytes];
        var series = new SampleSeries(id, spill);
        Result? result;
        try
        {
            using SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
            result = Read(handle, series, options, buffer);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            result = null; // the general path reports it
        }

        if (result is null)
            series.Abandon();
        else
            series.Complete();
        return result;
    }

    private static Result? Read(SafeFileHandle handle, SampleSeries series, BitbrainsImportOptions options, byte[] buffer)
    {
        // Byte-for-char equivalence with the general path: pure ASCII, LF-only line ends, ending with a LF
        // (no truncated last line).
        long size = RandomAccess.GetLength(handle);
        Span<byte> last = stackalloc byte[1];
        if (size == 0 || RandomAccess.Read(handle, last, size - 1) != 1 || last[0] != (byte)'\n')
            return null;

        var parser = new Parser(series, options);
        long offset = 0;
        int kept = 0; // bytes of an unfinished line at the start of the buffer
        while (offset < size)
        {
            int n = RandomAccess.Read(handle, buffer.AsSpan(kept, (int)Math.Min(buffer.Length - kept, size - offset)), offset);
            if (n <= 0)
                return null; // the file changed under us: let the general path see what it sees
            var fresh = buffer.AsSpan(kept, n);
            if (fresh.IndexOfAnyInRange((byte)0x80, (byte)0xFF) >= 0 || fresh.Contains((byte)'\r'))
                return null;
            offset += n;
            var data = buffer.AsSpan(0, kept + n);
            int end = data.LastIndexOf((byte)'\n') + 1;
            if (end == 0)
            {
                if (data.Length == buffer.Length)
                    return null; // one line longer than the buffer
                kept = data.Length;
                continue;
            }

            if (!parser.Lines(data[..end]))
                return null;
            kept = data.Length - end;
            data[end..].CopyTo(buffer);
        }

        // The last byte is a LF (checked above) unless the file grew: then a part line is left.
        return kept == 0 ? parser.Finish() : null;
    }

    /// <summary>The row logic of one file, fed whole lines.</summary>
    private sealed class Parser(SampleSeries series, BitbrainsImportOptions options)
    {
        private readonly DemandModel _demand = options.Demand;
        private readonly bool _clamp = options.ClampUsageToCapacity;
        private readonly int _ceiling = options.Settings.MaxCeilingMb;
        private bool _header = true;
        private readonly bool _holdZero = options.UsageZero == BitbrainsUsageZero.HoldLast;
        private long _rows, _duplicates;
        private BitbrainsSampleCounts _counts; // the notes of the samples kept, and the last usage kept (UsageZero HoldLast)

        /// <summary>The file's rows: a header, then at least one data row; null when the general path must read it.</summary>
        public Result? Finish()
        {
            if (_header || _rows == 0)
                return null; // no line, or a header but no data rows: the general path reports it
            _counts.Complete();
            return new Result(series)
            {
                Rows = _rows,
                OffSamples = _counts.Off,
                UsageAboveCapacity = _counts.Above,
                UsageZeroSamples = _counts.Zero,
                DuplicateTimestamps = _duplicates,
                UsageZeroHeld = _counts.Held,
            };
        }

        /// <summary>Parses whole lines (each ends with a LF); false when the general path must read the file.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public bool Lines(ReadOnlySpan<byte> data)
        {
            if (_header)
            {
                int first = data.IndexOf((byte)'\n');
                if (!IsHeader(data[..first]))
                    return false;
                data = data[(first + 1)..];
                _header = false;
            }

            while (!data.IsEmpty)
            {
                int eol = data.IndexOf((byte)'\n');
                var line = data[..eol];
                data = data[(eol + 1)..];
                _rows++;

                // Fields 0 (time), 5 (capacity) and 6 (usage), and exactly 11 fields.
                int sep = line.IndexOf((byte)';');
                if (sep < 0)
                    return false;
                var timeField = line[..sep];
                var rest = line[(sep + 1)..];
                for (int col = 1; col < ColCapacity; col++)
                {
                    sep = rest.IndexOf((byte)';');
                    if (sep < 0)
                        return false;
                    rest = rest[(sep + 1)..];
                }

                sep = rest.IndexOf((byte)';');
                if (sep < 0)
                    return false;
                var capacityField = rest[..sep];
                rest = rest[(sep + 1)..];
                sep = rest.IndexOf((byte)';');
                if (sep < 0)
                    return false;
                var usageField = rest[..sep];
                rest = rest[(sep + 1)..];
                if (rest.Count((byte)';') != Fields - ColUsage - 2)
                    return false;

                if (!TryTimestamp(Trim(timeField), out long time)
                    || !TryDouble(Trim(capacityField), out double capacityKb)
                    || !TryDouble(Trim(usageField), out double usageKb)
                    || BitbrainsImporter.ExceedsCeiling(capacityKb, _ceiling)
                    || usageKb > BitbrainsImporter.MaxUsageKb
                    || series.IsBackwards(time))
                    return false;

                // From here on exactly the general path's row logic, counting notes locally on the samples kept.
                bool replaces = series.Replaces(time), above = false, zero = false, held = false;
                double measuredKb = 0;
                int value;
                if (capacityKb == 0)
                {
                    value = TraceValues.Off;
                }
                else
                {
                    if (usageKb > capacityKb)
                    {
                        above = true;
                        if (_clamp)
                            usageKb = capacityKb;
                    }

                    if (usageKb == 0)
                    {
                        zero = true;
                        double lastUsageKb = _counts.LastUsageKb(replaces);
                        if (_holdZero && lastUsageKb > 0)
                        {
                            usageKb = _clamp ? Math.Min(lastUsageKb, capacityKb) : lastUsageKb;
                            held = true;
                        }
                    }
                    else
                    {
                        measuredKb = usageKb;
                    }

                    value = _demand.Measured(usageKb / 1024, out bool tooLarge);
                    if (tooLarge)
                        return false; // out of range: the general path reports it
                }

                if (series.Add(time, value, capacityKb / 1024))
                    _duplicates++;
                _counts.Add(replaces, off: capacityKb == 0, above, zero, held, measuredKb);
            }

            return true;
        }
    }

    /// <summary>
    /// 11 fields, the first (trimmed) starting with "Timestamp", and the columns read carrying their names and units (the
    /// general path's checks, which report a header that fails them).
    /// </summary>
    private static bool IsHeader(ReadOnlySpan<byte> line)
    {
        if (line.Count((byte)';') != Fields - 1 || !Trim(line).StartsWith("Timestamp"u8))
            return false;
        int col = 0;
        foreach (Range r in line.Split((byte)';'))
        {
            if (col is BitbrainsImporter.ColTime or BitbrainsImporter.ColCapacity or BitbrainsImporter.ColUsage
                && !System.Text.Ascii.EqualsIgnoreCase(Trim(line[r]), BitbrainsImporter.Columns[col]))
                return false;
            col++;
        }

        return true;
    }

    /// <summary>Trims the ASCII white space that <see cref="char.IsWhiteSpace(char)"/> (and so span Trim) removes.</summary>
    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> s)
    {
        int start = 0, end = s.Length;
        while (start < end && IsSpace(s[start]))
            start++;
        while (end > start && IsSpace(s[end - 1]))
            end--;
        return s[start..end];
    }

    private static bool IsSpace(byte b) => b == (byte)' ' || (uint)(b - '\t') <= '\r' - '\t';

    /// <summary>Plain digits from 0 to the general path's maximum; anything else (a sign, too long, too large) is left to it.</summary>
    private static bool TryTimestamp(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > 18)
            return false;
        foreach (byte b in s)
        {
            uint d = (uint)(b - '0');
            if (d > 9)
                return false;
            value = (value * 10) + d;
        }

        return value <= BitbrainsImporter.MaxUnixSeconds;
    }

    /// <summary>
    /// The general path's parse (<see cref="NumberStyles.Float"/>, invariant culture) on the UTF-8 bytes, which
    /// gives the same double as on the chars; only finite values &gt;= 0 pass.
    /// </summary>
    private static bool TryDouble(ReadOnlySpan<byte> s, out double value)
    {
        // Widened to chars: the char parser is the one the general path uses (and is precompiled in the runtime).
        // .NET's parsers accept trailing NULs: a NUL is damage, for the general path to report (checked in the widening
        // loop, which reads every byte anyway).
        Span<char> chars = stackalloc char[64];
        value = 0;
        if (s.Length > chars.Length)
            return !s.Contains((byte)0) && TryDoubleLong(s, out value);
        for (int i = 0; i < s.Length; i++)
        {
            byte b = s[i];
            if (b == 0)
                return false;
            chars[i] = (char)b;
        }

        return double.TryParse(chars[..s.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value) && value >= 0;
    }

    private static bool TryDoubleLong(ReadOnlySpan<byte> s, out double value)
        => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value) && value >= 0;
}

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
/// a timestamp going backwards, ...) gives null, and the caller reads it again with the general path, which
/// reports the problem with its file, line and column. Pure (touches no session), so files can be read in parallel.
/// </summary>
internal static class BitbrainsFastReader
{
    /// <summary>Larger files take the general path (it streams; this one reads the file whole).</summary>
    private const long MaxFileBytes = 1L << 30;

    private const int Fields = 11, ColCapacity = 5, ColUsage = 6;

    /// <summary>What one clean file gives: its series and the report counts of its rows.</summary>
    internal sealed class Result(SampleSeries series)
    {
        public SampleSeries Series { get; } = series;

        public long Rows { get; set; }

        public long OffSamples { get; set; }

        public long UsageAboveCapacity { get; set; }

        public long UsageZeroSamples { get; set; }

        public long DuplicateTimestamps { get; set; }

        /// <summary>Adds the counts to <paramref name="report"/> as the general path would have, row by row.</summary>
        public void AddTo(ImportReport report)
        {
            report.RowsRead += Rows;
            report.Note("off_samples", OffSamples);
            report.Note("usage_above_capacity", UsageAboveCapacity);
            report.Note("usage_zero_samples", UsageZeroSamples);
            report.Note("duplicate_timestamps", DuplicateTimestamps);
        }
    }

    /// <summary>
    /// Reads <paramref name="path"/> (VM <paramref name="id"/>) when it is clean; null when the general path must
    /// read it. <paramref name="buffer"/> is reused between calls of one thread.
    /// </summary>
    public static Result? TryRead(string path, string id, BitbrainsImportOptions options, ref byte[] buffer)
    {
        int length;
        try
        {
            using SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
            long size = RandomAccess.GetLength(handle);
            if (size == 0 || size > MaxFileBytes)
                return null;
            if (buffer.Length < size)
                buffer = new byte[Math.Max(size, Math.Min(2L * buffer.Length, MaxFileBytes))];
            length = 0;
            int n;
            while (length < size && (n = RandomAccess.Read(handle, buffer.AsSpan(length, (int)size - length), length)) > 0)
                length += n;
            if (length != size)
                return null; // the file changed under us: let the general path see what it sees
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // the general path reports it
        }

        return Parse(buffer.AsSpan(0, length), id, options);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Result? Parse(ReadOnlySpan<byte> data, string id, BitbrainsImportOptions options)
    {
        // Byte-for-char equivalence with the general path: pure ASCII, LF-only line ends, ending with a LF
        // (no truncated last line).
        if (data[^1] != (byte)'\n' || data.IndexOfAnyInRange((byte)0x80, (byte)0xFF) >= 0 || data.Contains((byte)'\r'))
            return null;

        int eol = data.IndexOf((byte)'\n');
        if (!IsHeader(data[..eol]))
            return null;
        data = data[(eol + 1)..];
        if (data.IsEmpty)
            return null; // header but no data rows: the general path reports it

        var series = new SampleSeries(id);
        var result = new Result(series);
        var demand = options.Demand;
        bool clamp = options.ClampUsageToCapacity;
        long rows = 0, off = 0, above = 0, zero = 0, duplicates = 0;
        int ceiling = options.Settings.MaxCeilingMb;
        while (!data.IsEmpty)
        {
            eol = data.IndexOf((byte)'\n');
            var line = data[..eol];
            data = data[(eol + 1)..];
            rows++;

            // Fields 0 (time), 5 (capacity) and 6 (usage), and exactly 11 fields.
            int sep = line.IndexOf((byte)';');
            if (sep < 0)
                return null;
            var timeField = line[..sep];
            var rest = line[(sep + 1)..];
            for (int col = 1; col < ColCapacity; col++)
            {
                sep = rest.IndexOf((byte)';');
                if (sep < 0)
                    return null;
                rest = rest[(sep + 1)..];
            }

            sep = rest.IndexOf((byte)';');
            if (sep < 0)
                return null;
            var capacityField = rest[..sep];
            rest = rest[(sep + 1)..];
            sep = rest.IndexOf((byte)';');
            if (sep < 0)
                return null;
            var usageField = rest[..sep];
            rest = rest[(sep + 1)..];
            if (rest.Count((byte)';') != Fields - ColUsage - 2)
                return null;

            if (!TryTimestamp(Trim(timeField), out long time)
                || !TryDouble(Trim(capacityField), out double capacityKb)
                || !TryDouble(Trim(usageField), out double usageKb)
                || BitbrainsImporter.ExceedsCeiling(capacityKb, ceiling)
                || usageKb > BitbrainsImporter.MaxUsageKb
                || series.IsBackwards(time))
                return null;

            // From here on exactly the general path's row logic, counting notes locally.
            int value;
            if (capacityKb == 0)
            {
                value = TraceValues.Off;
                off++;
            }
            else
            {
                if (usageKb > capacityKb)
                {
                    above++;
                    if (clamp)
                        usageKb = capacityKb;
                }

                if (usageKb == 0)
                    zero++;
                value = demand.Measured(usageKb / 1024, out bool tooLarge);
                if (tooLarge)
                    return null; // out of range: the general path reports it
            }

            if (series.Add(time, value, (float)(capacityKb / 1024)))
                duplicates++;
        }

        result.Rows = rows;
        result.OffSamples = off;
        result.UsageAboveCapacity = above;
        result.UsageZeroSamples = zero;
        result.DuplicateTimestamps = duplicates;
        return result;
    }

    /// <summary>11 fields, the first (trimmed) starting with "Timestamp" (the general path's check).</summary>
    private static bool IsHeader(ReadOnlySpan<byte> line)
        => line.Count((byte)';') == Fields - 1 && Trim(line).StartsWith("Timestamp"u8);

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
        Span<char> chars = stackalloc char[64];
        if (s.Length > chars.Length)
            return TryDoubleLong(s, out value);
        for (int i = 0; i < s.Length; i++)
            chars[i] = (char)s[i];
        return double.TryParse(chars[..s.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value) && value >= 0;
    }

    private static bool TryDoubleLong(ReadOnlySpan<byte> s, out double value)
        => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value) && value >= 0;
}

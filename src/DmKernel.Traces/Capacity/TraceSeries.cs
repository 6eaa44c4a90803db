using System.Globalization;

namespace DmKernel.Traces.Capacity;

/// <summary>
/// A whole trace decoded once into memory, VM-major (one row of <see cref="Ticks"/> values per VM: committed MB, or
/// <see cref="TraceValues.Off"/>), so that every capacity probe reads the same decoded values instead of decoding
/// the file again. Built by <see cref="Load"/>; <see cref="WithDemand"/> derives the same trace under another demand
/// model.
/// </summary>
public sealed class TraceSeries
{
    /// <summary>The most values (VMs × ticks) <see cref="Load"/> holds by default: 2^28 values, 1 GiB.</summary>
    public const long DefaultMaxValues = 1L << 28;

    private readonly int[] _values;
    private readonly TraceVm[] _vms;

    private TraceSeries(string name, double tickSeconds, TraceVm[] vms, TraceMetadata metadata, int ticks, int[] values, int stride = -1, int first = 0)
    {
        Name = name;
        TickSeconds = tickSeconds;
        Vms = _vms = vms;
        Metadata = metadata;
        Ticks = ticks;
        _values = values;
        Stride = stride < 0 ? ticks : stride;
        First = first;
    }

    /// <summary>Values between one VM's row and the next in <see cref="Values"/> (<see cref="Ticks"/> unless a <see cref="Slice"/>).</summary>
    internal int Stride { get; }

    /// <summary>Where each VM's tick 0 is in its row of <see cref="Values"/> (0 unless a <see cref="Slice"/>).</summary>
    internal int First { get; }

    /// <summary>Where VM <paramref name="vm"/>'s tick 0 is in <see cref="Values"/>.</summary>
    internal long RowStart(int vm) => ((long)vm * Stride) + First;

    /// <summary>The trace's file name (for reports).</summary>
    public string Name { get; }

    /// <summary>Seconds per tick.</summary>
    public double TickSeconds { get; }

    /// <summary>The trace's VM table (settings as the trace has them; hosts as in the trace or -1).</summary>
    public IReadOnlyList<TraceVm> Vms { get; }

    /// <summary><see cref="Vms"/> as a span, for the loops over every VM of a probe (no interface call per VM).</summary>
    internal ReadOnlySpan<TraceVm> VmSpan => _vms;

    /// <summary>The trace's metadata (demand model, import options).</summary>
    public TraceMetadata Metadata { get; }

    /// <summary>Ticks held per VM.</summary>
    public int Ticks { get; }

    /// <summary>VM <paramref name="vm"/>'s values, one per tick.</summary>
    public ReadOnlySpan<int> Of(int vm) => _values.AsSpan(checked((int)RowStart(vm)), Ticks);

    /// <summary>
    /// Ticks of VM <paramref name="vm"/>'s series, played from <paramref name="from"/> for <paramref name="count"/> ticks
    /// (wrapping around), on which it is wanted on with a servable demand (at most
    /// <see cref="GuestMemory.MaxServableCommittedMb"/> of its trace settings).
    /// </summary>
    public int ServableTicks(int vm, int from, int count)
    {
        if (count == Ticks)
            return (_servableCycle ??= CountServable())[vm];
        int cap = GuestMemory.MaxServableCommittedMb(_vms[vm].Settings);
        ReadOnlySpan<int> row = Of(vm);
        int n = 0;
        for (int i = 0, t = from; i < count; i++, t = t + 1 == Ticks ? 0 : t + 1)
            n += row[t] >= 0 && row[t] <= cap ? 1 : 0;
        return n;
    }

    private int[]? _servableCycle;

    private int[] CountServable()
    {
        var counts = new int[Vms.Count];
        for (int v = 0; v < counts.Length; v++)
        {
            int cap = GuestMemory.MaxServableCommittedMb(_vms[v].Settings), n = 0;
            foreach (int value in Of(v))
                n += value >= 0 && value <= cap ? 1 : 0;
            counts[v] = n;
        }

        return counts;
    }

    /// <summary>
    /// Ticks <paramref name="from"/> to <paramref name="from"/> + <paramref name="count"/> − 1 of every VM, as a series of
    /// their own: a view of the same values (none copied: a copy of a trace at the 1-GiB limit would double its memory).
    /// </summary>
    internal TraceSeries Slice(int from, int count)
    {
        System.Diagnostics.Debug.Assert(from >= 0 && count >= 1 && (long)from + count <= Ticks, "a slice within the series");
        return new TraceSeries(Name, TickSeconds, _vms, Metadata, count, _values, Stride, First + from);
    }

    /// <summary>Every value, VM-major (VM v's tick t is at <see cref="RowStart"/>(v) + t).</summary>
    internal int[] Values => _values;

    /// <summary>
    /// Decodes <paramref name="reader"/>'s ticks (at most <paramref name="maxTicks"/>) into memory. A trace of more than
    /// <paramref name="maxValues"/> VM-ticks is refused with an <see cref="ArgumentException"/> that says how large it is
    /// and what to do; a trace with no tick or no VM is refused too.
    /// </summary>
    public static TraceSeries Load(NativeTraceReader reader, long? maxTicks = null, long maxValues = DefaultMaxValues)
    {
        ArgumentNullException.ThrowIfNull(reader);
        int vms = reader.Header.VmCount;
        long ticks = Math.Min(reader.Header.TickCount, maxTicks ?? long.MaxValue);
        if (vms == 0 || ticks == 0)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(reader.FilePath)}: the trace has {vms} VMs and {ticks} ticks; compare and generate --from need at least one VM and one tick."));
        _ = GuestMix.FromTrace(reader.Header.Metadata, reader.FilePath); // a bad recorded mix is named here, not in a probe
        long values = vms * ticks;
        if (values > maxValues || ticks > int.MaxValue)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{Path.GetFileName(reader.FilePath)}: {vms} VMs × {ticks} ticks = {values} values ({values * 4.0 / (1 << 30):F1} GiB) is more than a comparison holds in memory ({maxValues} values, {maxValues * 4.0 / (1 << 30):F1} GiB); compare a shorter span (--max-ticks) or fewer VMs."));
        }

        int t = (int)ticks;
        var all = new int[values];
        var row = new int[vms];
        for (int k = 0; k < t; k++)
        {
            if (!reader.ReadTick(row))
                TraceFormatException.ThrowEndedEarly(reader.FilePath, k, reader.Header.TickCount);
            for (int v = 0; v < row.Length; v++)
                all[(v * ticks) + k] = row[v];
        }

        return new TraceSeries(Path.GetFileName(reader.FilePath), reader.Header.TickSeconds, [.. reader.Vms], reader.Header.Metadata, t, all);
    }

    /// <summary>A series from values already in memory (VM-major; tests and generators).</summary>
    public static TraceSeries FromValues(string name, double tickSeconds, IReadOnlyList<TraceVm> vms, int ticks, ReadOnlySpan<int> vmMajorValues, TraceMetadata? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(vms);
        InvariantOutOfRangeException.ThrowIfLessThan(ticks, 1);
        if (vms.Count == 0)
            throw new ArgumentException("A series needs at least one VM.", nameof(vms));
        if (vmMajorValues.Length != (long)vms.Count * ticks)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Expected {vms.Count} VMs × {ticks} ticks = {(long)vms.Count * ticks} values, got {vmMajorValues.Length}."), nameof(vmMajorValues));
        int bad = vmMajorValues.IndexOfAnyExceptInRange(TraceValues.Off, TraceValues.MaxCommittedMb);
        if (bad >= 0)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"VM {bad / ticks}, tick {bad % ticks}: value {vmMajorValues[bad]}, expected -1 (off) or 0..{TraceValues.MaxCommittedMb} MB."), nameof(vmMajorValues));
        if (!double.IsFinite(tickSeconds) || tickSeconds <= 0)
            throw new InvariantOutOfRangeException(nameof(tickSeconds), tickSeconds, "tickSeconds: expected a positive finite number.");
        return new TraceSeries(name, tickSeconds, [.. vms], metadata ?? new TraceMetadata(), ticks, vmMajorValues.ToArray());
    }

    /// <summary>
    /// The same trace (the same values, shared) with each Dynamic Memory VM's Minimum multiplied by <paramref name="factor"/>,
    /// rounded up to 2 MB, at least 32 MB and at most its Startup (R1); static VMs are unchanged. Where the trace's import
    /// recorded its rule, Minimum = Startup ÷ d (<c>settings.minimum_divisor</c>), the Minimum is derived again from Startup
    /// as max(32, roundUp2(Startup × factor ÷ d)): what importing with <c>--minimum-divisor</c> d ÷ factor gives, exactly,
    /// when that is a whole number. Compare's sensitivity grid reads it (<see cref="CapacityOptions.MinimumSensitivity"/>).
    /// </summary>
    public TraceSeries WithMinimum(double factor)
    {
        if (!double.IsFinite(factor) || factor < CapacityOptions.MinMinimumFactor || factor > CapacityOptions.MaxMinimumFactor)
            throw new InvariantOutOfRangeException(nameof(factor), factor, string.Create(CultureInfo.InvariantCulture, $"Minimum factor: expected {CapacityOptions.MinMinimumFactor}..{CapacityOptions.MaxMinimumFactor}."));
        int divisor = MinimumDivisor(Metadata) ?? 0;
        double ruleDivisor = divisor > 0 ? DivisorFor(divisor, factor) : 0; // Startup ÷ (d ÷ factor): the import's own arithmetic where whole
        var vms = new TraceVm[_vms.Length];
        for (int v = 0; v < vms.Length; v++)
        {
            VmSettings s = _vms[v].Settings;
            if (!s.DynamicMemory)
            {
                vms[v] = _vms[v];
                continue;
            }

            // roundUp2 of the new Minimum (half of it rounded up, doubled): from the import's rule where it is recorded and
            // this VM follows it (VmSettingsRule.FromProvisionedMb's (startup + 2d - 1) / 2d * 2 for a whole divisor d; the
            // new divisor d ÷ factor, DivisorFor, so a factor to a whole divisor gives exactly that import), else from the
            // VM's own Minimum.
            bool byRule = divisor > 0 && s.MinimumMb == Floor(Math.Ceiling(s.StartupMb / (2.0 * divisor)), s.StartupMb);
            double half = byRule ? s.StartupMb / (2.0 * ruleDivisor) : s.MinimumMb * factor / 2.0;
            vms[v] = _vms[v] with { Settings = s with { MinimumMb = Floor(Math.Ceiling(half), s.StartupMb) } };
        }

        return new TraceSeries(Name, TickSeconds, vms, Metadata, Ticks, _values, Stride, First);
    }

    private static int Floor(double halfMb, int startupMb) => (int)Math.Min(Math.Max(VmSettings.MinMinimumMb, halfMb * 2), startupMb);

    /// <summary>
    /// The import divisor that Minimum × <paramref name="factor"/> stands for: <paramref name="divisor"/> ÷ factor, taken as
    /// the whole number it is within 0.01 % of (a factor in binary or written to four decimals, 0.2 or 1.3333, is not
    /// exact), else as it is.
    /// </summary>
    internal static double DivisorFor(int divisor, double factor)
    {
        double d = divisor / factor, whole = Math.Round(d);
        return whole >= 1 && Math.Abs(d - whole) <= 1e-4 * whole ? whole : d;
    }

    /// <summary>The import's divisor of Startup for the Minimum (<c>settings.minimum_divisor</c>), when recorded as a whole number from 1 to 1024.</summary>
    internal static int? MinimumDivisor(TraceMetadata metadata)
        => metadata.TryGetValue("settings.minimum_divisor", out string? text)
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int d) && d is >= 1 and <= 1024 ? d : null;

    /// <summary>
    /// The same trace with every committed value recomputed under <paramref name="target"/> from the measured part
    /// under <paramref name="recorded"/> (see <see cref="DemandModel.Convert"/>). Off stays off.
    /// </summary>
    public TraceSeries WithDemand(DemandModel recorded, DemandModel target)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        ArgumentNullException.ThrowIfNull(target);
        if (recorded == target)
            return this;
        if (recorded.K == 0 && target.K != 0)
            throw new ArgumentException("The recorded demand model has K = 0: the trace holds no measured usage to scale to another K.", nameof(recorded));
        var values = new int[(long)_vms.Length * Ticks];
        for (int v = 0; v < Vms.Count; v++)
        {
            int provisioned = _vms[v].Settings.MaximumMb;
            int fromBase = recorded.BaseMb(provisioned), toBase = target.BaseMb(provisioned);
            double scale = target.K / recorded.K;
            ReadOnlySpan<int> src = Of(v);
            Span<int> dst = values.AsSpan(v * Ticks, Ticks);
            for (int t = 0; t < src.Length; t++)
                dst[t] = src[t] < 0 ? TraceValues.Off : DemandModel.Convert(src[t], fromBase, scale, toBase);
        }

        return new TraceSeries(Name, TickSeconds, [.. Vms], Metadata, Ticks, values);
    }
}

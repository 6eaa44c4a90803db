using System.Globalization;

namespace DmKernel.Traces;

/// <summary>What <see cref="TraceGenerator.Generate(string, TraceGeneratorOptions)"/> (or <see cref="TraceGenerator.GenerateFrom"/>) wrote.</summary>
/// <param name="Path">The trace file written.</param>
/// <param name="Vms">VMs in the trace.</param>
/// <param name="Hosts">Hosts in its host table (0: no placement; replay places the VMs itself).</param>
/// <param name="Ticks">Ticks written.</param>
/// <param name="HostMb">RAM of every host, MB, as given or sized from the VMs (0 without hosts).</param>
public sealed record GeneratedTrace(string Path, int Vms, int Hosts, long Ticks, int HostMb)
{
    /// <summary><see cref="TraceGenerator.GenerateFrom"/>: the source VMs the VMs were drawn from (0 for the other generators).</summary>
    public int PoolVms { get; init; }

    /// <summary>
    /// <see cref="TraceGenerator.GenerateFrom"/>: ticks at the source's start with no pool VM on, not played (each VM plays
    /// the source's ticks between the two edges, wrapping around there); with aligned starts, whole alignment periods.
    /// </summary>
    public int SourceTicksLeftOutBefore { get; init; }

    /// <summary><see cref="TraceGenerator.GenerateFrom"/>: ticks at the source's end with no pool VM on, not played.</summary>
    public int SourceTicksLeftOutAfter { get; init; }

    /// <summary>VMs whose Startup is more than their host holds after its reserve: they can never start (R4).</summary>
    public int UnstartableVms { get; init; }

    /// <summary><see cref="TraceGenerator.GenerateFrom"/>: how many different source VMs were drawn (0 for the other generators).</summary>
    public int DistinctSourceVms { get; init; }

    /// <summary><see cref="TraceGenerator.GenerateFrom"/>: the sum of the generated VMs' Maximum, MB (0 for the other generators).</summary>
    public long TotalMaximumMb { get; init; }

    /// <summary>
    /// <see cref="TraceGenerator.GenerateFrom"/>: the pool's mean Maximum at the middle of the scale range, MB: what a VM of
    /// the draw holds on average, so that <see cref="TotalMaximumMb"/> ÷ (<see cref="Vms"/> × this) says how far the draw's
    /// composition is from the source's (1: as the source). 0 for the other generators.
    /// </summary>
    public double PoolMeanMaximumMb { get; init; }

    /// <summary>The median over hosts of the Startup their VMs sum to, MB (0 without hosts); the auto host size covers the largest.</summary>
    public long MedianHostStartupMb { get; init; }

    /// <summary><see cref="TraceGenerator.GenerateFrom"/>: source VMs left out of the draw because they do not fit a host of <see cref="DerivedTraceOptions.HostMb"/>.</summary>
    public int ExcludedTooLarge { get; init; }

    /// <summary>The share of the ever-on source VMs' total Maximum that <see cref="ExcludedTooLarge"/> left out (0..1).</summary>
    public double ExcludedTooLargeShare { get; init; }
}

/// <summary>
/// Generates a synthetic native trace straight to disk, streaming (memory grows with the VM count, never with
/// the tick count), for datacenter scale (10^6 VMs on 10^4 hosts). Per VM: a size class from 1 to 64 GiB (a static VM holds half its class), a
/// base load, a diurnal sinusoid with its own phase and amplitude, uniform noise, bursts, and for a share of
/// VMs on/off periods (arrivals and departures). Every random draw is a counter-based hash of (seed, VM,
/// tick, purpose) and the sinusoid is a fixed-point phase into a table built with plain arithmetic, so the
/// same seed and options give a byte-identical file on any machine. <see cref="GenerateFrom"/> draws the VMs from a real
/// trace instead (TraceGenerator.From.cs).
/// </summary>
public static partial class TraceGenerator
{
    /// <summary>VMs whose Startup does not fit their host after its reserve (a trace may hold them: they are denied every start).</summary>
    internal static int Unstartable(TraceVm[] vms, TraceHost[] hosts)
    {
        int count = 0;
        foreach (TraceVm vm in vms)
        {
            if (vm.Host >= 0 && vm.Host < hosts.Length && vm.Settings.StartupMb > hosts[vm.Host].TotalMb - (hosts[vm.Host].ReserveMb ?? 2048))
                count++;
        }

        return count;
    }

    private const int SinTableBits = 12;

    /// <summary>The smallest Startup a generated VM has (a static VM of the smallest size class: half its 1024 MB; a dynamic
    /// VM: at least 512 MB).</summary>
    internal const int SmallestStartupMb = 512;

    // Size classes (Maximum MB) and their shares (in 1/100).
    private static readonly int[] SizeMb = [1024, 2048, 4096, 8192, 16384, 32768, 65536];
    private static readonly int[] SizeShare = [10, 20, 30, 20, 12, 6, 2];
    private static readonly int[] Buffers = [20, 20, 20, 20, 10, 50];
    private static readonly int[] Weights = [5000, 5000, 5000, 5000, 2500, 7500, 10000];

    // Purposes of a draw (the low bits of the per-VM key).
    private const ulong DrawSettings = 0, DrawShape = 1, DrawChurn = 2, DrawNoise = 3, DrawBurst = 4, DrawPeriod = 5;

    /// <summary>Generates the trace at <paramref name="path"/> (via "&lt;path&gt;.tmp", renamed at the end).</summary>
    public static GeneratedTrace Generate(string path, TraceGeneratorOptions options) => Generate(path, options, null, default);

    /// <summary>
    /// Generates the trace at <paramref name="path"/> (via "&lt;path&gt;.tmp", renamed at the end), reporting the ticks
    /// written so far to <paramref name="progress"/> after each; when <paramref name="cancel"/> is set the temporary file is
    /// deleted, <paramref name="path"/> is left as it was, and <see cref="OperationCanceledException"/> is thrown.
    /// </summary>
    public static GeneratedTrace Generate(string path, TraceGeneratorOptions options, Action<long>? progress, CancellationToken cancel)
        => Generate(path, null, options, progress, cancel);

    /// <summary>Generates the trace into <paramref name="output"/> (seekable, at position 0, left open), as a file would hold it.</summary>
    internal static GeneratedTrace Generate(Stream output, string name, TraceGeneratorOptions options)
        => Generate(name, output, options, null, default);

    private static GeneratedTrace Generate(string path, Stream? output, TraceGeneratorOptions options, Action<long>? progress, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int n = options.Vms;
        ulong seed = options.Seed;
        double tick = options.TickSeconds;

        var vms = new TraceVm[n];
        var baseMb = new float[n];
        var ampMb = new float[n];
        var noiseMb = new float[n];
        var burstMb = new float[n];
        var capMb = new float[n];
        var phase = new uint[n];
        var churn = new bool[n];
        var on = new bool[n];
        var periodLeft = new int[n];
        var burstLeft = new int[n];

        double onTicks = Math.Max(1, options.MeanOnSeconds / tick), offTicks = Math.Max(1, options.MeanOffSeconds / tick);
        double burstTicks = Math.Max(1, options.MeanBurstSeconds / tick);
        double pBurst = Math.Min(1, options.BurstsPerDay * tick / 86_400);
        for (int i = 0; i < n; i++)
        {
            ulong vm = (ulong)i << 3;
            ulong h = SplitMix64.Draw(seed, vm | DrawSettings, 0);
            int max = SizeMb[Pick(SizeShare, (int)(h % 100))];
            bool isStatic = SplitMix64.Unit(SplitMix64.Mix(h)) < options.StaticFraction;
            bool linux = SplitMix64.Unit(SplitMix64.Mix(h ^ 1)) < options.LinuxFraction;
            int buffer = Buffers[(int)((h >> 20) % (ulong)Buffers.Length)];
            int weight = Weights[(int)((h >> 28) % (ulong)Weights.Length)];
            var guest = linux ? GuestKind.Linux : GuestKind.Windows;
            VmSettings settings;
            if (isStatic)
            {
                settings = VmSettings.Static(max / 2, guest) with { BufferPercent = buffer, Weight = weight };
            }
            else
            {
                int startup = Math.Max(512, max / 4);
                settings = VmSettings.Dynamic(startup, Math.Max(256, startup / 2), max, buffer, weight, guest);
            }

            vms[i] = new TraceVm(string.Create(CultureInfo.InvariantCulture, $"vm{i}"), settings, options.Hosts > 0 ? i % options.Hosts : -1);

            ulong s = SplitMix64.Draw(seed, vm | DrawShape, 0);
            int size = settings.MaximumMb;
            baseMb[i] = (float)(size * (0.15 + 0.45 * SplitMix64.Unit(s)));
            ampMb[i] = (float)(size * options.DiurnalAmplitude * SplitMix64.Unit(SplitMix64.Mix(s)));
            noiseMb[i] = (float)(size * options.Noise);
            burstMb[i] = (float)(size * (0.1 + 0.4 * SplitMix64.Unit(SplitMix64.Mix(s ^ 2))));
            capMb[i] = size * 1.25f;
            phase[i] = (uint)(SplitMix64.Mix(s ^ 3) >> 32);

            ulong c = SplitMix64.Draw(seed, vm | DrawChurn, 0);
            churn[i] = SplitMix64.Unit(c) < options.ChurnFraction;
            on[i] = !churn[i] || SplitMix64.Unit(SplitMix64.Mix(c)) < onTicks / (onTicks + offTicks);
            periodLeft[i] = churn[i] ? 1 + (int)(SplitMix64.Unit(SplitMix64.Mix(c ^ 1)) * 2 * (on[i] ? onTicks : offTicks)) : int.MaxValue;
        }

        var hosts = BuildHosts(options.Hosts, options.HostMb, options.HostHeadroom, options.HostReserveMb, vms, out int hostMb);
        var meta = new TraceMetadata();
        options.Record(meta);
        meta.Set("gen.host_mb_used", hostMb);
        var description = new TraceDescription(tick, string.Create(CultureInfo.InvariantCulture, $"synthetic: TraceGenerator seed {seed}, {n} VMs, {options.Hosts} hosts, {options.Ticks} ticks of {tick} s"), meta);

        float[] sin = BuildSinTable();
        uint step = (uint)(ulong)Math.Round(tick / options.DiurnalPeriodSeconds % 1.0 * 4294967296.0);
        var row = new int[n];
        using var writer = output is null
            ? new NativeTraceWriter(path, description, vms, hosts, options.Writer)
            : new NativeTraceWriter(output, path, description, vms, hosts, options.Writer);
        for (int t = 0; t < options.Ticks; t++)
        {
            cancel.ThrowIfCancellationRequested();
            uint tickPhase = unchecked((uint)t * step);
            ulong tickKey = (ulong)t;
            for (int i = 0; i < n; i++)
            {
                ulong vm = (ulong)i << 3;
                if (churn[i] && --periodLeft[i] <= 0)
                {
                    on[i] = !on[i];
                    double u = SplitMix64.Unit(SplitMix64.Draw(seed, vm | DrawPeriod, tickKey));
                    periodLeft[i] = 1 + (int)(u * 2 * (on[i] ? onTicks : offTicks));
                }

                if (!on[i])
                {
                    row[i] = TraceValues.Off;
                    burstLeft[i] = 0;
                    continue;
                }

                float extra = 0;
                if (burstLeft[i] > 0)
                {
                    burstLeft[i]--;
                    extra = burstMb[i];
                }
                else if (pBurst > 0 && SplitMix64.Unit(SplitMix64.Draw(seed, vm | DrawBurst, tickKey)) < pBurst)
                {
                    burstLeft[i] = (int)(SplitMix64.Unit(SplitMix64.Draw(seed, vm | DrawPeriod, tickKey)) * 2 * burstTicks);
                    extra = burstMb[i];
                }

                ulong noiseBits = SplitMix64.Draw(seed, vm | DrawNoise, tickKey);
                float noise = noiseMb[i] * (float)((long)(noiseBits >> 40) - (1L << 23)) * (1f / (1 << 23));
                float wave = ampMb[i] * sin[unchecked(phase[i] + tickPhase) >> (32 - SinTableBits)];
                float demand = Math.Clamp(baseMb[i] + wave + extra + noise, 32f, capMb[i]);
                row[i] = WholeMb(demand);
            }

            writer.WriteTick(row);
            progress?.Invoke(t + 1);
        }

        writer.Complete();
        return new GeneratedTrace(path, n, hosts.Length, options.Ticks, hostMb) { UnstartableVms = Unstartable(vms, hosts), MedianHostStartupMb = MedianHostStartup(vms, hosts.Length) };
    }

    /// <summary>A demand of the synthetic fleet in whole MB, as the trace stores it: rounded to the nearest MB, halves up
    /// (the demand is at least 32 MB here, so adding a half and truncating is that rounding). Rounding down instead would
    /// shift the fleet's mean demand by half a MB (docs/generate.md, "Demand").</summary>
    /// <param name="demandMb">The demand, 32 MB or more.</param>
    /// <returns>The nearest whole MB.</returns>
    internal static int WholeMb(float demandMb) => (int)(demandMb + 0.5f);

    private static int Pick(int[] shares, int roll)
    {
        for (int k = 0; k < shares.Length; k++)
        {
            roll -= shares[k];
            if (roll < 0)
                return k;
        }

        return shares.Length - 1;
    }

    /// <summary>
    /// <paramref name="count"/> hosts of <paramref name="fixedMb"/> MB, or (null) of the largest Σ Startup of a host ×
    /// <paramref name="headroom"/>, at least the largest Maximum, plus the reserve, rounded up to 1024 MB.
    /// </summary>
    private static TraceHost[] BuildHosts(int count, int? fixedMb, double headroom, int reserveMb, TraceVm[] vms, out int hostMb)
    {
        if (count == 0)
        {
            hostMb = 0;
            return [];
        }

        var startupSum = new long[count];
        long largest = 0;
        foreach (var vm in vms)
        {
            startupSum[vm.Host] += vm.Settings.StartupMb;
            largest = Math.Max(largest, vm.Settings.MaximumMb);
        }

        if (fixedMb is int mbGiven)
        {
            hostMb = mbGiven;
        }
        else
        {
            long need = 0;
            foreach (long s in startupSum)
                need = Math.Max(need, s);
            double mb = Math.Max(need * headroom, largest) + reserveMb;
            long rounded = ((long)Math.Ceiling(mb) + 1023) / 1024 * 1024;
            if (rounded > TraceValues.MaxCommittedMb)
                throw OptionError("Hosts", rounded, string.Create(CultureInfo.InvariantCulture, $"Hosts: {count} hosts would need {rounded} MB each, more than {TraceValues.MaxCommittedMb} MB (16 TB); use more hosts."));
            hostMb = (int)rounded;
        }

        var hosts = new TraceHost[count];
        Array.Fill(hosts, new TraceHost(hostMb, reserveMb));
        return hosts;
    }

    /// <summary>An error that names the option (<paramref name="option"/> is its ParamName) and its value.</summary>
    private static ArgumentOutOfRangeException OptionError(string option, object? value, string message) => new InvariantOutOfRangeException(option, value, message);

    /// <summary>sin(2π k / 4096) by a Taylor polynomial (basic IEEE arithmetic only, so identical everywhere).</summary>
    private static float[] BuildSinTable()
    {
        int size = 1 << SinTableBits;
        var table = new float[size];
        for (int k = 0; k < size; k++)
        {
            double x = 2 * Math.PI * k / size;
            if (x > Math.PI)
                x -= 2 * Math.PI;
            if (x > Math.PI / 2)
                x = Math.PI - x;
            else if (x < -Math.PI / 2)
                x = -Math.PI - x;
            double x2 = x * x, term = x, sum = x;
            for (int j = 1; j < 12; j++)
            {
                term *= -x2 / ((2 * j) * (2 * j + 1));
                sum += term;
            }

            table[k] = (float)sum;
        }

        return table;
    }
}

using System.Globalization;

namespace DmKernel.Traces;

/// <summary>
/// Options of <see cref="VdiFleet"/>: virtual desktops provisioned with <see cref="ProvisionedMb"/>, each committing about
/// <see cref="MeanCommittedMb"/> (its own level within ± <see cref="LevelSpreadMb"/>) with per-sample noise of standard
/// deviation <see cref="NoiseMb"/>, on for the whole trace. Every option is recorded in the trace's metadata ("vdi.").
/// </summary>
public sealed record VdiFleetOptions
{
    /// <summary>Desktops (default 200).</summary>
    public int Desktops { get; init; } = 200;

    /// <summary>P10: which share of the desktops has which guest responsiveness, recorded in the trace's metadata (default: all ideal).</summary>
    public GuestMix Guests { get; init; } = GuestMix.Ideal;

    /// <summary>Ticks (default 288: one day of 5-minute samples).</summary>
    public int Ticks { get; init; } = 288;

    /// <summary>Tick length in seconds, at most <see cref="ModelParameters.MaxTickSeconds"/> (default 300).</summary>
    public double TickSeconds { get; init; } = 300;

    /// <summary>Seed: the same seed and options give the same values and a byte-identical file (default 1).</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Memory each desktop is provisioned with: its Startup and Maximum, and its size under static memory (default 1024 MB).</summary>
    public int ProvisionedMb { get; init; } = 1024;

    /// <summary>Dynamic Memory Minimum (default 512 MB).</summary>
    public int MinimumMb { get; init; } = 512;

    /// <summary>Dynamic Memory Buffer in % (default 20).</summary>
    public int BufferPercent { get; init; } = 20;

    /// <summary>Mean committed memory of a desktop (default 580 MB).</summary>
    public double MeanCommittedMb { get; init; } = 580;

    /// <summary>Each desktop's own level is uniform within the mean ± this (default 60 MB).</summary>
    public double LevelSpreadMb { get; init; } = 60;

    /// <summary>Standard deviation of the per-sample noise (default 40 MB; an Irwin–Hall sum of four uniform draws).</summary>
    public double NoiseMb { get; init; } = 40;

    /// <summary>Hosts the desktops are placed on, desktop i on host i mod Hosts (default 2; 0: no placement).</summary>
    public int Hosts { get; init; } = 2;

    /// <summary>RAM of every host (default 98 304 MB = 96 GB) and its reserve (default 2048 MB).</summary>
    public int HostMb { get; init; } = 98_304;

    /// <summary>The management-OS reserve recorded for every host (default 2048 MB).</summary>
    public int HostReserveMb { get; init; } = 2048;

    /// <summary>The most desktop-ticks a fleet holds (2^28, 1 GiB of values, as <see cref="Capacity.TraceSeries.DefaultMaxValues"/>).</summary>
    public const long MaxDesktopTicks = Capacity.TraceSeries.DefaultMaxValues;

    /// <summary>Checks every option; errors name it.</summary>
    public void Validate()
    {
        Check(Desktops is >= 1 and <= 1_000_000, nameof(Desktops), Desktops, "1..1000000");
        Check(Ticks is >= 1 and <= 10_000_000, nameof(Ticks), Ticks, "1..10000000");
        // The fleet is built in memory (one int per desktop-tick): the product is bounded as a loaded trace's is, so that a
        // large fleet is refused naming the option instead of overflowing the array's size or exhausting memory.
        Check((long)Desktops * Ticks <= MaxDesktopTicks, nameof(Ticks), Ticks,
            string.Create(CultureInfo.InvariantCulture, $"at most {MaxDesktopTicks / Math.Max(1, Desktops)} for {Desktops} desktops (at most {MaxDesktopTicks} desktop-ticks: the fleet is built in memory)"));
        Check(double.IsFinite(TickSeconds) && TickSeconds > 0 && TickSeconds <= ModelParameters.MaxTickSeconds, nameof(TickSeconds), TickSeconds, "a finite number of seconds in (0, 3600] (the longest tick the model runs: replay and compare refuse a trace of longer ticks)");
        Check(ProvisionedMb is >= VmSettings.MinMinimumMb and <= 1_048_576 && ProvisionedMb % 2 == 0, nameof(ProvisionedMb), ProvisionedMb, "a multiple of 2 MB from 32 to 1048576");
        Check(MinimumMb >= VmSettings.MinMinimumMb && MinimumMb <= ProvisionedMb && MinimumMb % 2 == 0, nameof(MinimumMb), MinimumMb, "a multiple of 2 MB from 32 to the provisioned size");
        Check(BufferPercent is >= VmSettings.MinBuffer and <= VmSettings.MaxBuffer, nameof(BufferPercent), BufferPercent, "5..2000 % (R1)");
        Check(double.IsFinite(MeanCommittedMb) && MeanCommittedMb >= 0 && MeanCommittedMb <= TraceValues.MaxCommittedMb, nameof(MeanCommittedMb), MeanCommittedMb, "0..16777216 MB");
        Check(double.IsFinite(LevelSpreadMb) && LevelSpreadMb >= 0 && LevelSpreadMb <= MeanCommittedMb, nameof(LevelSpreadMb), LevelSpreadMb, "0..the mean");
        Check(double.IsFinite(NoiseMb) && NoiseMb >= 0 && NoiseMb <= MeanCommittedMb, nameof(NoiseMb), NoiseMb, "0..the mean");
        Check(Hosts is >= 0 and <= 1_000_000 && Hosts <= Desktops, nameof(Hosts), Hosts, "0 (no placement) up to the desktop count");
        Check(HostReserveMb >= 0 && HostReserveMb % 2 == 0 && HostReserveMb < HostMb && HostMb % 2 == 0, nameof(HostMb), HostMb, "a multiple of 2 MB above the reserve");
        Check(HostMb <= TraceValues.MaxCommittedMb, nameof(HostMb), HostMb, string.Create(CultureInfo.InvariantCulture, $"at most {TraceValues.MaxCommittedMb} MB (16 TB)"));
        Check(Hosts == 0 || HostMb >= (long)HostReserveMb + ProvisionedMb, nameof(HostMb), HostMb,
            string.Create(CultureInfo.InvariantCulture, $"at least {(long)HostReserveMb + ProvisionedMb} MB: a host reserve of {HostReserveMb} MB plus one desktop's Startup ({ProvisionedMb} MB); a smaller host holds no desktop"));
    }

    private static void Check(bool ok, string name, double value, string expected)
    {
        if (!ok)
            throw new InvariantOutOfRangeException(name, value, string.Create(CultureInfo.InvariantCulture, $"{name} = {value}: expected {expected}."));
    }
}

/// <summary>
/// A VDI-like fleet (the kind of fleet Microsoft's published Dynamic Memory VDI test ran: Windows 7 desktops of 1 GB),
/// built with integer-seeded draws and plain arithmetic only, so the same options give the same values everywhere.
/// </summary>
public static class VdiFleet
{
    private const ulong DrawLevel = 0x0D15_0001, DrawNoise = 0x0D15_0002;

    /// <summary>The desktops' table and their committed values, VM-major (desktop v's tick t at v × Ticks + t).</summary>
    public static (TraceVm[] Vms, int[] Values) Build(VdiFleetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var settings = VmSettings.Dynamic(options.ProvisionedMb, options.MinimumMb, options.ProvisionedMb, options.BufferPercent);
        var vms = new TraceVm[options.Desktops];
        var values = new int[(long)options.Desktops * options.Ticks];
        for (int v = 0; v < vms.Length; v++)
        {
            vms[v] = new TraceVm(string.Create(CultureInfo.InvariantCulture, $"desktop-{v}"), settings, options.Hosts == 0 ? -1 : v % options.Hosts);
            double level = options.MeanCommittedMb + ((2 * SplitMix64.Unit(SplitMix64.Draw(options.Seed, DrawLevel, (ulong)v)) - 1) * options.LevelSpreadMb);
            for (int t = 0; t < options.Ticks; t++)
            {
                // Irwin–Hall: the sum of four uniforms, centred and scaled to unit variance (sqrt(3) = 1.7320508...).
                ulong key = ((ulong)(uint)v << 32) | (uint)t;
                double sum = 0;
                for (int k = 0; k < 4; k++)
                    sum += SplitMix64.Unit(SplitMix64.Draw(options.Seed, DrawNoise + (ulong)k, key));
                double committed = level + ((sum - 2) * 1.7320508075688772 * options.NoiseMb);
                values[((long)v * options.Ticks) + t] = (int)Math.Clamp(Math.Round(committed, MidpointRounding.AwayFromZero), 0, TraceValues.MaxCommittedMb);
            }
        }

        return (vms, values);
    }

    /// <summary>Writes the fleet as a native trace at <paramref name="path"/>.</summary>
    public static GeneratedTrace Write(string path, VdiFleetOptions options) => Write(path, options, default);

    /// <summary>
    /// Writes the fleet as a native trace at <paramref name="path"/> (via "&lt;path&gt;.tmp", renamed at the end); when
    /// <paramref name="cancel"/> is set the temporary file is deleted, <paramref name="path"/> is left as it was, and
    /// <see cref="OperationCanceledException"/> is thrown.
    /// </summary>
    public static GeneratedTrace Write(string path, VdiFleetOptions options, CancellationToken cancel)
    {
        (TraceVm[] vms, int[] values) = Build(options);
        var meta = new TraceMetadata();
        meta.Set("gen.profile", "vdi").Set("vdi.desktops", options.Desktops).Set("vdi.seed", options.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Set("vdi.provisioned_mb", options.ProvisionedMb).Set("vdi.minimum_mb", options.MinimumMb).Set("vdi.buffer_percent", options.BufferPercent)
            .Set("vdi.mean_committed_mb", options.MeanCommittedMb).Set("vdi.level_spread_mb", options.LevelSpreadMb).Set("vdi.noise_mb", options.NoiseMb)
            .Set("vdi.ticks", options.Ticks).Set("vdi.tick_seconds", options.TickSeconds).Set("vdi.hosts", options.Hosts)
            .Set("vdi.host_mb", options.HostMb).Set("vdi.host_reserve_mb", options.HostReserveMb);
        if (!options.Guests.IsIdeal)
            meta.Set(GuestMix.MetadataKey, options.Guests.ToString());
        var hosts = new TraceHost[options.Hosts];
        Array.Fill(hosts, new TraceHost(options.HostMb, options.HostReserveMb));
        var row = new int[vms.Length];
        using (var writer = new NativeTraceWriter(path, new TraceDescription(options.TickSeconds, "DmKernel VDI fleet generator", meta), vms, hosts))
        {
            for (int t = 0; t < options.Ticks; t++)
            {
                cancel.ThrowIfCancellationRequested();
                for (int v = 0; v < row.Length; v++)
                    row[v] = values[((long)v * options.Ticks) + t];
                writer.WriteTick(row);
            }

            writer.Complete();
        }

        return new GeneratedTrace(path, vms.Length, hosts.Length, options.Ticks, options.HostMb) { UnstartableVms = TraceGenerator.Unstartable(vms, hosts) };
    }
}

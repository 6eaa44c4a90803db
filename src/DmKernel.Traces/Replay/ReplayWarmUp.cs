namespace DmKernel.Traces.Replay;

/// <summary>
/// Compiles a replay's code before a large replay needs it. .NET compiles a method the first time it runs, and again,
/// optimized, after some dozens of calls; a replay meets all of its code in its first ticks (trace decoding, the kernel
/// on its path and policy, the metrics), so without a warm-up its first three ticks of a 1 000 000-VM trace take as long
/// as some twenty later ones. <see cref="Start"/> replays small generated traces (<see cref="Traces"/>, made in memory)
/// with the same options on a thread of its own, while the caller opens the large trace and builds its fleet, which
/// takes seconds on one core. Results never depend on it: the warm-up's fleet is its own.
/// </summary>
public static class ReplayWarmUp
{
    /// <summary>The warm-up traces, 1 024 VMs on 8 hosts and 40 ticks each: hosts sized as the generator sizes them (room to
    /// spare once the VMs have booted, VMs that start and stop now and then) and hosts sized to their Startup (short once
    /// demand grows, VMs that start and stop every few ticks), so that the kernel's paths for hosts with enough memory,
    /// short hosts, hosts that turn from one to the other and hosts with lifecycle requests are all compiled.</summary>
    internal static IReadOnlyList<TraceGeneratorOptions> Traces { get; } =
    [
        new() { Vms = 1024, Hosts = 8, Ticks = 40, Seed = 17 },
        new() { Vms = 1024, Hosts = 8, Ticks = 40, Seed = 18, HostHeadroom = 1.0, ChurnFraction = 0.3, MeanOnSeconds = 600, MeanOffSeconds = 600 },
    ];

    /// <summary>
    /// Starts the warm-up on a thread of its own and returns its task; a completed task on a machine with one logical CPU,
    /// where it would only take the replay's core. Wait for it before the replay's first <see cref="ReplayEngine.Step()"/>,
    /// so that it does not compete with the replay's own threads. The task faults only where the same options would fail
    /// the replay itself (e.g. a model that cannot run the warm-up's hosts); a replay may ignore that.
    /// </summary>
    /// <param name="options">The replay's options (path, threads, policy, model, read-ahead; its boot phase is not run).</param>
    public static Task Start(ReplayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.ProcessorCount < 2)
            return Task.CompletedTask;
        return Task.Factory.StartNew(() => Run(options), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Replays each of <see cref="Traces"/> with <paramref name="options"/> (whole, no hashes, no boot phase) on the calling thread,
    /// with the software prefetches a fleet of a million VMs takes (<see cref="FleetColumns.PrefetchCold"/>: hints, they
    /// change no result); returns the ticks the fleets ran (<see cref="Fleet.TickIndex"/>).</summary>
    internal static long Run(ReplayOptions options)
    {
        long ticks = 0;
        for (int i = 0; i < Traces.Count; i++)
        {
            var trace = new MemoryStream();
            TraceGenerator.Generate(trace, "warm-up trace", Traces[i]);
            trace.Position = 0;
            using NativeTraceReader reader = NativeTraceReader.Open(trace, "warm-up trace");
            using var engine = new ReplayEngine(reader, options with { MaxTicks = null, HashEvery = 0, BootTicks = 0 }); // the boot's code is the tick's: no boot phase to wait for
            engine.Fleet.Cols.PrefetchCold = true;
            while (engine.Step())
            {
            }

            ticks += engine.Fleet.TickIndex;
        }

        return ticks;
    }
}

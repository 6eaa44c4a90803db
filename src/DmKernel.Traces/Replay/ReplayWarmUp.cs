namespace DmKernel.Traces.Replay;

/// <summary>
/// Compiles a replay's code before a large replay needs it. .NET compiles a method the first time it runs, and again,
/// optimized, after some dozens of calls; a replay meets all of its code in its first ticks (trace decoding, the kernel
/// on its path and policy, the metrics), so without a warm-up its first three ticks of a 1 000 000-VM trace take as long
/// as some twenty later ones. <see cref="Start"/> replays a small generated trace (<see cref="Trace"/>, made in memory)
/// with the same options on a thread of its own, while the caller opens the large trace and builds its fleet, which
/// takes seconds on one core. Results never depend on it: the warm-up's fleet is its own.
/// </summary>
public static class ReplayWarmUp
{
    /// <summary>The warm-up trace: 2 048 VMs on 16 hosts sized to their Startup (some hosts short once demand grows),
    /// 40 ticks, VMs that start and stop.</summary>
    internal static TraceGeneratorOptions Trace { get; } = new()
    {
        Vms = 2048,
        Hosts = 16,
        Ticks = 40,
        Seed = 17,
        HostHeadroom = 1.0,
        ChurnFraction = 0.3,
        MeanOnSeconds = 600,
        MeanOffSeconds = 600,
    };

    /// <summary>
    /// Starts the warm-up on a thread of its own and returns its task; a completed task on a machine with one logical CPU,
    /// where it would only take the replay's core. Wait for it before the replay's first <see cref="ReplayEngine.Step"/>,
    /// so that it does not compete with the replay's own threads. The task faults only where the same options would fail
    /// the replay itself (e.g. a model that cannot run the warm-up's hosts); a replay may ignore that.
    /// </summary>
    /// <param name="options">The replay's options (path, threads, policy, model, read-ahead).</param>
    public static Task Start(ReplayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (Environment.ProcessorCount < 2)
            return Task.CompletedTask;
        return Task.Factory.StartNew(() => Run(options), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Replays <see cref="Trace"/> with <paramref name="options"/> (whole, no hashes) on the calling thread; returns
    /// the ticks replayed.</summary>
    internal static long Run(ReplayOptions options)
    {
        var trace = new MemoryStream();
        TraceGenerator.Generate(trace, "warm-up trace", Trace);
        trace.Position = 0;
        using NativeTraceReader reader = NativeTraceReader.Open(trace, "warm-up trace");
        using var engine = new ReplayEngine(reader, options with { MaxTicks = null, HashEvery = 0 });
        while (engine.Step())
        {
        }

        return engine.TicksDone;
    }
}

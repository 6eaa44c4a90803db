using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace DmKernel.Traces.Replay;

/// <summary>
/// Writes <c>summary.json</c>: what was replayed, with which model, and the fleet metrics. Everything outside the
/// <c>run</c> object is a pure function of the trace and the options, byte for byte, whatever the kernel path or
/// thread count; <c>run</c> holds what differs between runs (path, threads, wall time, throughput, memory).
/// </summary>
public static class ReplaySummary
{
    /// <summary>The <c>format</c> member of every <c>summary.json</c> this version writes.</summary>
    public const string Format = "dmkernel-replay-summary/1";

    /// <summary>Writes the summary of <paramref name="engine"/>'s finished replay of <paramref name="traceFile"/> to <paramref name="output"/>, with the process's peak working set in <c>run</c>.</summary>
    public static void Write(Stream output, ReplayEngine engine, string traceFile, long peakWorkingSetBytes)
    {
        ArgumentNullException.ThrowIfNull(engine);
        Write(output, ReplayOutcome.FromEngine(engine, traceFile), json => WriteRun(json, engine, peakWorkingSetBytes));
    }

    /// <summary>The members of the <c>run</c> object of one engine's replay: path, threads, wall time and throughput of the
    /// trace's ticks, the boot phase's wall time (where this engine ran one), memory, machine.</summary>
    public static void WriteRun(Utf8JsonWriter json, ReplayEngine engine, long peakWorkingSetBytes)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(engine);
        long vmTicks = (long)engine.Vms.Count * engine.TicksDone;
        double wall = engine.Elapsed.TotalSeconds;
        json.WriteString("path", KernelPaths.Name(engine.Balancer.Path));
        json.WriteBoolean("pathAccelerated", KernelPaths.IsAccelerated(engine.Balancer.Path));
        json.WriteNumber("threads", engine.Balancer.Threads);
        json.WriteNumber("wallSeconds", Math.Round(wall, 4)); // the trace's ticks: the boot phase's time is apart
        if (engine.BootElapsed > TimeSpan.Zero)
            json.WriteNumber("bootWallSeconds", Math.Round(engine.BootElapsed.TotalSeconds, 4)); // only where this engine ran a boot
        json.WriteNumber("vmTicksPerSecond", wall > 0 ? Math.Round(vmTicks / wall) : 0);
        json.WriteNumber("peakWorkingSetBytes", peakWorkingSetBytes);
        json.WriteString("machine", Machine());
    }

    /// <summary>
    /// Writes <paramref name="outcome"/> as <c>summary.json</c>; <paramref name="writeRun"/> writes the members of the
    /// <c>run</c> object (how the replay ran), the only part that may differ between runs of the same trace and options.
    /// </summary>
    public static void Write(Stream output, ReplayOutcome outcome, Action<Utf8JsonWriter> writeRun)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(writeRun);
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        ReplayOutcome m = outcome;
        double tick = outcome.Model.TickSeconds;
        long vmTicks = (long)outcome.VmCount * outcome.Ticks;

        json.WriteStartObject();
        json.WriteString("format", Format);
        json.WriteStartObject("trace");
        json.WriteString("file", outcome.TraceFile);
        json.WriteString("source", outcome.Header.Source);
        json.WriteNumber("tickSeconds", outcome.Header.TickSeconds);
        json.WriteNumber("ticksInTrace", outcome.Header.TickCount);
        json.WriteStartObject("metadata");
        foreach (KeyValuePair<string, string> kv in outcome.Header.Metadata)
            json.WriteString(kv.Key, kv.Value);
        json.WriteEndObject();
        json.WriteEndObject();

        json.WriteNumber("vms", outcome.VmCount);
        json.WriteNumber("hosts", outcome.HostCount);
        json.WriteNumber("ticks", outcome.Ticks);
        json.WriteNumber("vmTicks", vmTicks);
        json.WriteString("placement", outcome.PlacedByReplay ? "first-fit by Startup (made by the replay)" : "from the trace");
        if (outcome.BootTicks > 0)
        {
            // Written only with a boot phase: summaries without one are as before.
            json.WriteNumber("bootTicks", outcome.BootTicks);
            json.WriteNumber("bootVmsOnAtTick0", outcome.BootVmsOnAtTick0);
            json.WriteNumber("bootVmsStillOff", outcome.BootVmsStillOff);
        }
        WriteModel(json, outcome.Model);
        WritePolicy(json, outcome.Policy);

        json.WriteStartObject("fleet");
        json.WriteNumber("wantedVmSeconds", m.WantedVmTicks * tick);
        json.WriteNumber("onVmSeconds", m.OnVmTicks * tick);
        json.WriteNumber("pagingVmSeconds", m.PagingVmTicks * tick);
        if (m.OnVmTicks == 0)
            json.WriteNull("pagingShareOfOnTime"); // no VM-time on: nothing to share (not 0)
        else
            json.WriteNumber("pagingShareOfOnTime", Ratio(m.PagingVmTicks, m.OnVmTicks));
        json.WriteNumber("unservablePagingVmSeconds", m.UnservablePagingVmTicks * tick);
        json.WriteNumber("deniedVmSeconds", m.DeniedVmTicks * tick);
        json.WriteNumber("unmetDemandMbSeconds", m.UnmetMbTicks * tick);
        json.WriteNumber("meanAssignedMb", Ratio(m.AssignedMbTicks, m.Ticks));
        json.WriteNumber("peakAssignedMb", m.PeakAssignedMb);
        json.WriteNumber("meanDemandMb", Ratio(m.DemandMbTicks, m.Ticks));
        json.WriteStartObject("pressure");
        json.WriteNumber("samples", m.Pressure.Count);
        if (m.Pressure.Count == 0)
        {
            foreach (string name in (ReadOnlySpan<string>)["mean", "p50", "p90", "p99", "max"])
                json.WriteNull(name); // no Running Dynamic Memory VM measured: no pressure (not 0 %)
        }
        else
        {
            json.WriteNumber("mean", Math.Round(m.Pressure.Mean, 3));
            json.WriteNumber("p50", m.Pressure.Percentile(50));
            json.WriteNumber("p90", m.Pressure.Percentile(90));
            json.WriteNumber("p99", m.Pressure.Percentile(99));
            json.WriteNumber("max", m.Pressure.Max);
        }

        json.WriteEndObject();
        json.WriteStartObject("adds");
        json.WriteNumber("count", m.AddOperations);
        json.WriteNumber("mb", m.AddedMb);
        json.WriteEndObject();
        json.WriteStartObject("removes");
        json.WriteNumber("count", m.RemoveOperations);
        json.WriteNumber("mb", m.RemovedMb);
        json.WriteEndObject();
        json.WriteStartObject("hostAvailablePercent");
        foreach (int p in (ReadOnlySpan<int>)[1, 5, 50, 95, 99])
        {
            string name = string.Create(CultureInfo.InvariantCulture, $"p{p}");
            if (m.HostAvailablePercent.Count == 0)
                json.WriteNull(name); // no tick measured (not full hosts)
            else
                json.WriteNumber(name, m.HostAvailablePercent.Percentile(p));
        }
        json.WriteEndObject();
        json.WriteNumber("failedStarts", m.FailedStarts);
        json.WriteStartObject("smartPaging");
        json.WriteNumber("vmSeconds", m.SmartPagingVmTicks * tick);
        json.WriteNumber("mbSeconds", m.SmartPagingMbTicks * tick);
        json.WriteEndObject();
        json.WriteNumber("shortHostSeconds", m.ShortHostTicks * tick);
        json.WriteEndObject();

        // The VMs that starve most, by all paging and by servable paging (report.md's two tables), for scripts.
        foreach ((string name, IReadOnlyList<StarvingVm> vms) in (ReadOnlySpan<(string, IReadOnlyList<StarvingVm>)>)[("starving", outcome.Starving), ("starvingServable", outcome.StarvingServable)])
        {
            json.WriteStartArray(name);
            foreach (StarvingVm vm in vms)
            {
                json.WriteStartObject();
                json.WriteNumber("vm", vm.Vm);
                json.WriteString("id", vm.Id);
                json.WriteNumber("pagingSeconds", vm.PagingTicks * tick);
                json.WriteNumber("unservablePagingSeconds", vm.UnservableTicks * tick);
                json.WriteNumber("unmetDemandMbSeconds", vm.UnmetMbTicks * tick);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        json.WriteString("stateHash", outcome.StateHash.ToString("x16", CultureInfo.InvariantCulture));
        if (outcome.StateHashes.Count > 0)
        {
            json.WriteStartArray("stateHashes");
            foreach ((long t, ulong hash) in outcome.StateHashes)
            {
                json.WriteStartObject();
                json.WriteNumber("tick", t);
                json.WriteString("hash", hash.ToString("x16", CultureInfo.InvariantCulture));
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        json.WriteStartObject("run");
        writeRun(json);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>This machine in words (logical CPUs, OS, .NET version), for the <c>run</c> object.</summary>
    public static string Machine() => string.Create(CultureInfo.InvariantCulture,
        $"{Environment.ProcessorCount} logical CPUs, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");

    /// <summary>The peak working set of this process so far.</summary>
    public static long PeakWorkingSet()
    {
        using var p = Process.GetCurrentProcess();
        return p.PeakWorkingSet64;
    }

    /// <summary>Writes the <c>model</c> object of summary.json: the model parameters a replay ran with.</summary>
    public static void WriteModel(Utf8JsonWriter json, ModelParameters model)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(model);
        json.WriteStartObject("model");
        json.WriteNumber("tickSeconds", model.TickSeconds);
        json.WriteNumber("granularityMb", model.GranularityMb);
        json.WriteNumber("bootGraceSeconds", model.BootGraceSeconds);
        json.WriteNumber("reclaimPeriodSeconds", model.ReclaimPeriodSeconds);
        json.WriteNumber("maxRemovePerSecondMb", model.MaxRemovePerSecondMb);
        json.WriteNumber("pressureWindowSeconds", model.PressureWindowSeconds);
        json.WriteNumber("hostReserveMb", model.HostReserveMb);
        json.WriteNumber("maxCeilingMb", model.MaxCeilingMb);
        json.WriteBoolean("smartPaging", model.SmartPaging);
        json.WriteEndObject();
    }

    /// <summary>The policy and the parameters it reads (docs/policies.md).</summary>
    internal static void WritePolicy(Utf8JsonWriter json, BalancerPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(policy);
        json.WriteStartObject("policy");
        json.WriteString("name", policy.Key);
        foreach (KeyValuePair<string, string> kv in policy.Parameters())
            json.WriteString(kv.Key, kv.Value);
        json.WriteEndObject();
    }

    private static double Ratio(long a, long b) => b == 0 ? 0 : Math.Round((double)a / b, 6);
}

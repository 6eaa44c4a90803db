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
    public const string Format = "dmkernel-replay-summary/1";

    public static void Write(Stream output, ReplayEngine engine, string traceFile, long peakWorkingSetBytes)
    {
        ArgumentNullException.ThrowIfNull(engine);
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        ReplayMetrics m = engine.Metrics;
        Fleet f = engine.Fleet;
        double tick = engine.Model.TickSeconds;
        long vmTicks = (long)engine.Vms.Count * engine.TicksDone;

        json.WriteStartObject();
        json.WriteString("format", Format);
        json.WriteStartObject("trace");
        json.WriteString("file", Path.GetFileName(traceFile));
        json.WriteString("source", engine.Header.Source);
        json.WriteNumber("tickSeconds", engine.Header.TickSeconds);
        json.WriteNumber("ticksInTrace", engine.Header.TickCount);
        json.WriteStartObject("metadata");
        foreach (KeyValuePair<string, string> kv in engine.Header.Metadata)
            json.WriteString(kv.Key, kv.Value);
        json.WriteEndObject();
        json.WriteEndObject();

        json.WriteNumber("vms", engine.Vms.Count);
        json.WriteNumber("hosts", engine.Hosts.Count);
        json.WriteNumber("ticks", engine.TicksDone);
        json.WriteNumber("vmTicks", vmTicks);
        json.WriteString("placement", engine.PlacedByReplay ? "first-fit by Startup (made by the replay)" : "from the trace");
        WriteModel(json, engine.Model);
        WritePolicy(json, engine.Balancer.Policy);

        json.WriteStartObject("fleet");
        json.WriteNumber("wantedVmSeconds", m.WantedVmTicks * tick);
        json.WriteNumber("onVmSeconds", m.OnVmTicks * tick);
        json.WriteNumber("pagingVmSeconds", m.PagingVmTicks * tick);
        json.WriteNumber("pagingShareOfOnTime", Ratio(m.PagingVmTicks, m.OnVmTicks));
        json.WriteNumber("deniedVmSeconds", m.DeniedVmTicks * tick);
        json.WriteNumber("unmetDemandMbSeconds", m.UnmetMbTicks * tick);
        json.WriteNumber("meanAssignedMb", Ratio(m.AssignedMbTicks, m.Ticks));
        json.WriteNumber("peakAssignedMb", m.PeakAssignedMb);
        json.WriteNumber("meanDemandMb", Ratio(m.DemandMbTicks, m.Ticks));
        json.WriteStartObject("pressure");
        json.WriteNumber("samples", m.Pressure.Count);
        json.WriteNumber("mean", Math.Round(m.Pressure.Mean, 3));
        json.WriteNumber("p50", m.Pressure.Percentile(50));
        json.WriteNumber("p90", m.Pressure.Percentile(90));
        json.WriteNumber("p99", m.Pressure.Percentile(99));
        json.WriteNumber("max", m.Pressure.Max);
        json.WriteEndObject();
        long adds = 0, addMb = 0, removes = 0, removeMb = 0, failed = 0;
        for (int h = 0; h < f.HostCount; h++)
        {
            adds += f.HostAddOperations(h);
            addMb += f.HostAddedMemory(h);
            removes += f.HostRemoveOperations(h);
            removeMb += f.HostRemovedMemory(h);
            failed += f.HostFailedStarts(h);
        }

        json.WriteStartObject("adds");
        json.WriteNumber("count", adds);
        json.WriteNumber("mb", addMb);
        json.WriteEndObject();
        json.WriteStartObject("removes");
        json.WriteNumber("count", removes);
        json.WriteNumber("mb", removeMb);
        json.WriteEndObject();
        json.WriteStartObject("hostAvailablePercent");
        foreach (int p in (ReadOnlySpan<int>)[1, 5, 50, 95, 99])
            json.WriteNumber(string.Create(CultureInfo.InvariantCulture, $"p{p}"), m.HostAvailablePercent.Percentile(p));
        json.WriteEndObject();
        json.WriteNumber("failedStarts", failed);
        json.WriteStartObject("smartPaging");
        json.WriteNumber("vmSeconds", m.SmartPagingVmTicks * tick);
        json.WriteNumber("mbSeconds", m.SmartPagingMbTicks * tick);
        json.WriteEndObject();
        json.WriteNumber("shortHostSeconds", m.ShortHostTicks * tick);
        json.WriteEndObject();

        json.WriteString("stateHash", f.ComputeStateHash().ToString("x16", CultureInfo.InvariantCulture));
        if (engine.StateHashes.Count > 0)
        {
            json.WriteStartArray("stateHashes");
            foreach ((long t, ulong hash) in engine.StateHashes)
            {
                json.WriteStartObject();
                json.WriteNumber("tick", t);
                json.WriteString("hash", hash.ToString("x16", CultureInfo.InvariantCulture));
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        double wall = engine.Elapsed.TotalSeconds;
        json.WriteStartObject("run");
        json.WriteString("path", KernelPaths.Name(engine.Balancer.Path));
        json.WriteNumber("threads", engine.Balancer.Threads);
        json.WriteNumber("wallSeconds", Math.Round(wall, 4));
        json.WriteNumber("vmTicksPerSecond", wall > 0 ? Math.Round(vmTicks / wall) : 0);
        json.WriteNumber("peakWorkingSetBytes", peakWorkingSetBytes);
        json.WriteString("machine", string.Create(CultureInfo.InvariantCulture,
            $"{Environment.ProcessorCount} logical CPUs, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}"));
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>The peak working set of this process so far.</summary>
    public static long PeakWorkingSet()
    {
        using var p = Process.GetCurrentProcess();
        return p.PeakWorkingSet64;
    }

    private static void WriteModel(Utf8JsonWriter json, ModelParameters model)
    {
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

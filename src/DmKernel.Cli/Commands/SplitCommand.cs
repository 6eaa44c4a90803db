using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DmKernel.Cli.Output;
using DmKernel.Traces;

namespace DmKernel.Cli.Commands;

/// <summary>
/// <c>dmkernel split FILE --shards N -o DIR</c>: one native trace per shard, each holding a contiguous range of hosts
/// with their VMs (about 1/N of the VMs each), so that <c>replay DIR --shard i/N</c> reads and decodes only its share.
/// </summary>
internal static class SplitCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "Native trace file (.dmt) with a placement (hosts) to split." };
        var shards = new Option<int>("--shards", "-n") { Description = "Number of shards (1 up to the trace's host count).", HelpName = "N", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "Output folder: shard-0000-of-000N.dmt ... (all moved into place together once every shard is complete; a failed split leaves none).", HelpName = "DIR", Required = true };
        // A whole number beyond its type: the parser cannot read the trace's host count, so it names the widest range.
        OptionValues.OwnRange(shards, ShardsBeyondType);
        var command = new Command("split", "Split a trace by host into N shard traces of about equal VM counts, for replay --shard on N machines or processes.") { file, shards, output };
        command.SetAction((result, cancel) => Task.FromResult(Cli.Run(() => Run(result.GetValue(file)!, result.GetValue(shards), result.GetValue(output)!, cancel))));
        return command;
    }

    private static string ShardsBeyondType(string value) => $"--shards {value} is out of range: expected 1 up to the trace's host count (a shard holds whole hosts).";

    public static int Run(string traceFile, int count, string outputDir, CancellationToken cancel, ProgressLine? progress = null)
    {
        using NativeTraceReader reader = CommonOptions.OpenTrace(traceFile);
        int hostCount = reader.Hosts.Count;
        if (hostCount == 0)
            throw new CliError($"'{traceFile}' has no placement (no hosts), so it cannot be split by host; give it one first (import with --place-on-host-mb, or generate).", 1);
        if (count < 1 || count > hostCount)
            throw new CliError(string.Create(CultureInfo.InvariantCulture, $"--shards {count} is out of range: expected 1..{hostCount} (the trace has {hostCount} hosts; a shard holds whole hosts)."));
        // Every shard is written into a staging folder inside the output folder and all are moved to their names only
        // when the whole split has succeeded (StagedOutput): a split that fails or is interrupted leaves no shard, the
        // folders it created are removed again, and an earlier split's shards there stay as they were.
        StagedOutput.EnsureNotOverInput(outputDir, Enumerable.Range(0, count).Select(i => new ShardId(i, count).Name + ".dmt"), traceFile);
        using var staged = new StagedOutput(outputDir);
        return Write(reader, traceFile, count, outputDir, staged, progress ?? new ProgressLine("split"), cancel);
    }

    private static int Write(NativeTraceReader reader, string traceFile, int count, string outputDir, StagedOutput staged, ProgressLine progress, CancellationToken cancel)
    {
        int hostCount = reader.Hosts.Count;

        IReadOnlyList<TraceVm> vms = reader.Vms;
        var vmsOnHost = new int[hostCount];
        foreach (TraceVm vm in vms)
            vmsOnHost[vm.Host]++;
        int[] firstHost = Boundaries(vmsOnHost, count);
        var shardOfHost = new int[hostCount];
        var firstSlot = new long[count + 1];
        for (int s = 0; s < count; s++)
        {
            firstSlot[s + 1] = firstSlot[s];
            for (int h = firstHost[s]; h < firstHost[s + 1]; h++)
            {
                shardOfHost[h] = s;
                firstSlot[s + 1] += Shards.Slots(vmsOnHost[h]);
            }
        }

        // Each shard's VMs in trace order: their indices in the trace and their entries with hosts renumbered from 0.
        var indices = new List<int>[count];
        var tables = new List<TraceVm>[count];
        for (int s = 0; s < count; s++)
        {
            indices[s] = [];
            tables[s] = [];
        }

        for (int v = 0; v < vms.Count; v++)
        {
            int s = shardOfHost[vms[v].Host];
            indices[s].Add(v);
            tables[s].Add(vms[v] with { Host = vms[v].Host - firstHost[s] });
        }

        string traceName = Path.GetFileName(traceFile), traceId = Shards.TraceId(traceFile);
        long traceSize = new FileInfo(traceFile).Length;
        int withoutReserve = reader.Hosts.Count(h => h.ReserveMb is null);
        var writers = new NativeTraceWriter[count];
        var buffers = new int[count][];
        var clock = Stopwatch.StartNew();
        try
        {
            for (int s = 0; s < count; s++)
            {
                var id = new ShardId(s, count);
                var metadata = new TraceMetadata(reader.Header.Metadata)
                    .Set(Shards.IndexKey, s)
                    .Set(Shards.CountKey, count)
                    .Set(Shards.TraceKey, traceName)
                    .Set(Shards.TraceSizeKey, traceSize)
                    .Set(Shards.TraceIdKey, traceId)
                    .Set(Shards.FormatKey, reader.Header.FormatVersion)
                    .Set(Shards.TraceVmsKey, vms.Count)
                    .Set(Shards.TraceHostsKey, hostCount)
                    .Set(Shards.TraceHostsWithoutReserveKey, withoutReserve)
                    .Set(Shards.FirstHostKey, firstHost[s])
                    .Set(Shards.FirstSlotKey, firstSlot[s])
                    .Set(Shards.VmIndexKey, Shards.Ranges(indices[s]));
                var hosts = new TraceHost[firstHost[s + 1] - firstHost[s]];
                for (int h = 0; h < hosts.Length; h++)
                    hosts[h] = reader.Hosts[firstHost[s] + h];
                writers[s] = Cli.Guard(() => new NativeTraceWriter(staged.File(id.Name + ".dmt"),
                    new TraceDescription(reader.Header.TickSeconds, reader.Header.Source, metadata), tables[s], hosts));
                buffers[s] = new int[tables[s].Count];
            }

            // A shard whose VMs are one run of the trace (a trace placed host by host) copies a slice; others gather.
            var contiguous = new bool[count];
            for (int s = 0; s < count; s++)
                contiguous[s] = indices[s].Count == 0 || indices[s][^1] - indices[s][0] == indices[s].Count - 1;
            var tick = new int[vms.Count];
            long ticks = 0;
            while (Cli.Guard(() => reader.ReadTick(tick)))
            {
                if (cancel.IsCancellationRequested)
                {
                    Console.Error.WriteLine($"Interrupted after {ticks} ticks; no shard was written.");
                    return 130;
                }

                for (int s = 0; s < count; s++)
                {
                    int[] buffer = buffers[s];
                    List<int> index = indices[s];
                    if (contiguous[s])
                    {
                        if (buffer.Length > 0)
                            tick.AsSpan(index[0], buffer.Length).CopyTo(buffer);
                    }
                    else
                    {
                        for (int i = 0; i < buffer.Length; i++)
                            buffer[i] = tick[index[i]];
                    }

                    writers[s].WriteTick(buffer);
                }

                ticks++;
                progress.Report(string.Create(CultureInfo.InvariantCulture, $"{ticks} of {reader.Header.TickCount} ticks"));
            }

            foreach (NativeTraceWriter w in writers)
                w.Complete();
        }
        finally
        {
            foreach (NativeTraceWriter? w in writers)
                w?.Dispose();
        }

        staged.Commit();

        var ic = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(ic, $"Split {Words.Count(vms.Count, "VM")} on {Words.Count(hostCount, "host")}, {reader.Header.TickCount} ticks, into {count} shards in {clock.Elapsed.TotalSeconds:F1} s:"));
        for (int s = 0; s < count; s++)
        {
            string name = new ShardId(s, count).Name + ".dmt";
            Console.WriteLine(string.Create(ic, $"  {name}: hosts {firstHost[s]}..{firstHost[s + 1] - 1}, {tables[s].Count} VMs, {new FileInfo(Path.Combine(outputDir, name)).Length} bytes"));
        }

        Console.WriteLine($"Replay each with: dmkernel replay {outputDir} --shard I/{count} -o OUT (or with JOB_COMPLETION_INDEX / SLURM_ARRAY_TASK_ID set), then dmkernel merge OUT -o MERGED.");
        return 0;
    }

    /// <summary>
    /// The first host of each shard (and the host count at the end): contiguous ranges, each at least one host, cut where
    /// the VMs before the cut reach s/N of all VMs, so that shards hold about equal VM counts.
    /// </summary>
    internal static int[] Boundaries(int[] vmsOnHost, int count)
    {
        int hosts = vmsOnHost.Length;
        var prefix = new long[hosts + 1];
        for (int i = 0; i < hosts; i++)
            prefix[i + 1] = prefix[i] + vmsOnHost[i];
        long total = prefix[hosts];
        var first = new int[count + 1];
        first[count] = hosts;
        int h = 0;
        for (int s = 1; s < count; s++)
        {
            while (h < hosts && prefix[h] * count < s * total)
                h++;
            first[s] = Math.Min(Math.Max(h, first[s - 1] + 1), hosts - (count - s));
        }

        return first;
    }
}

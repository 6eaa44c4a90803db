using System.Globalization;
using DmKernel.Traces;

namespace DmKernel.Cli.Commands;

/// <summary>Shard <see cref="Index"/> of <see cref="Count"/>: one host-contiguous share of a trace split by <c>dmkernel split</c>.</summary>
internal readonly record struct ShardId(int Index, int Count)
{
    /// <summary>The name of the shard's trace (<c>shard-0003-of-0008.dmt</c>) and output folder (<c>shard-0003-of-0008</c>).</summary>
    public string Name => string.Create(CultureInfo.InvariantCulture, $"shard-{Index:D4}-of-{Count:D4}");

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");
}

/// <summary>
/// Where a shard's index and count come from (an option, or the scheduler's own variables) and what <c>split</c> records
/// in each shard's trace metadata.
/// </summary>
internal static class Shards
{
    /// <summary>Metadata keys <c>split</c> adds to each shard's trace; <see cref="Prefix"/> keys are not the source trace's.</summary>
    public const string Prefix = "dmkernel.shard.";
    public const string IndexKey = Prefix + "index", CountKey = Prefix + "count", TraceKey = Prefix + "trace", TraceSizeKey = Prefix + "trace-size",
        TraceIdKey = Prefix + "trace-id", FirstHostKey = Prefix + "first-host", FirstSlotKey = Prefix + "first-slot", VmIndexKey = Prefix + "vm-index",
        TraceVmsKey = Prefix + "trace-vms", TraceHostsKey = Prefix + "trace-hosts", FormatKey = Prefix + "format-version",
        // How many of the source trace's hosts record no reserve of their own: --reserve on a shard is refused when none
        // does, as on the whole trace (a shard holds only some of the hosts, so its own cannot tell). Absent in older splits.
        TraceHostsWithoutReserveKey = Prefix + "trace-hosts-without-reserve";

    /// <summary>Kubernetes Indexed Job: the pod's completion index (0-based).</summary>
    public const string KubernetesIndex = "JOB_COMPLETION_INDEX";

    /// <summary>Slurm job array: the task's index, the lowest index of the array and the number of tasks.</summary>
    public const string SlurmIndex = "SLURM_ARRAY_TASK_ID", SlurmMin = "SLURM_ARRAY_TASK_MIN", SlurmCount = "SLURM_ARRAY_TASK_COUNT";

    /// <summary>replay's and compare's --shards below 1, whatever the value typed.</summary>
    public static string ShardsOutOfRange(string value) => $"--shards {value} is out of range: expected at least 1.";

    /// <summary>Parses <c>--shard i/N</c>; anything else is a <see cref="CliError"/> (exit 2) naming the option and what was expected.</summary>
    public static ShardId Parse(string text)
    {
        string[] parts = text.Split('/');
        if (parts.Length != 2 || !TryInt(parts[0], out int i) || !TryInt(parts[1], out int n))
            throw new CliError($"--shard '{text}': expected INDEX/COUNT with whole numbers, such as 0/4 (the first of 4 shards).");
        if (n < 1)
            throw new CliError(string.Create(CultureInfo.InvariantCulture, $"--shard {text}: the count {n} is out of range: expected at least 1 shard."));
        if (i >= n)
            throw new CliError(string.Create(CultureInfo.InvariantCulture, $"--shard {text}: shard {i} does not exist: shards of {n} are numbered 0..{n - 1}."));
        return new ShardId(i, n);
    }

    /// <summary>
    /// The shard of this process: <c>--shard i/N</c> when given; else the index from <c>JOB_COMPLETION_INDEX</c> (Kubernetes
    /// Indexed Job) or <c>SLURM_ARRAY_TASK_ID</c> (less <c>SLURM_ARRAY_TASK_MIN</c>: a Slurm array), and the count from
    /// <c>--shards N</c>, <c>SLURM_ARRAY_TASK_COUNT</c> or the split folder (<paramref name="splitCount"/>). Null when
    /// nothing names a shard. Errors name the option or variable.
    /// </summary>
    public static ShardId? Resolve(string? shard, int? shards, int? splitCount, Func<string, string?> env)
    {
        if (shards is int given and < 1)
            throw new CliError(ShardsOutOfRange(given.ToString(CultureInfo.InvariantCulture)));
        if (shard is not null)
        {
            ShardId id = Parse(shard);
            if (shards is int n && n != id.Count)
                throw new CliError(string.Create(CultureInfo.InvariantCulture, $"--shard {shard} and --shards {n} disagree on the number of shards."));
            return id;
        }

        int? count = shards;
        string countFrom = "--shards";
        if (env(SlurmCount) is string sc)
        {
            // An array whose task count is not the split's: most often a rerun of one task (sbatch --array=2 is an array
            // of one, whose task reads as shard 0 of 1), which would replay the wrong shard or none.
            int array = EnvInt(SlurmCount, sc, 1);
            int? other = shards ?? splitCount;
            if (other is int n && n != array)
            {
                throw new CliError(string.Create(CultureInfo.InvariantCulture,
                    $"{SlurmCount}={array} (an array of {array} task{(array == 1 ? "" : "s")}) but {(shards is null ? "the split folder holds" : "--shards gives")} {n} shards: the array does not match the split. To rerun one shard (sbatch --array=K runs an array of one task), give --shard INDEX/{n}, which the array's variables do not override; else submit the array as --array=0-{n - 1}."));
            }

            if (count is null)
            {
                count = array;
                countFrom = SlurmCount;
            }
        }

        if (count is null && splitCount is int split)
        {
            count = split;
            countFrom = "the split folder";
        }

        int? index = null;
        string indexFrom = "";
        if (env(KubernetesIndex) is string k)
        {
            index = EnvInt(KubernetesIndex, k, 0);
            indexFrom = KubernetesIndex;
        }
        else if (env(SlurmIndex) is string s)
        {
            int min = env(SlurmMin) is string m ? EnvInt(SlurmMin, m, 0) : 0;
            index = EnvInt(SlurmIndex, s, 0) - min;
            indexFrom = min == 0 ? SlurmIndex : $"{SlurmIndex} - {SlurmMin}";
        }

        if (index is null && count is null)
            return null;
        if (count is null)
            throw new CliError($"{indexFrom} is set but the number of shards is not: give --shards N (or run in a Slurm array, which sets {SlurmCount}).");
        if (index is null)
            throw new CliError(string.Create(CultureInfo.InvariantCulture,
                $"{countFrom} gives {count} shards but not which one this is: give --shard INDEX/{count}, or set {KubernetesIndex} (Kubernetes Indexed Job) or {SlurmIndex} (Slurm array)."));
        if (index < 0 || index >= count)
            throw new CliError(string.Create(CultureInfo.InvariantCulture, $"{indexFrom} gives shard {index}, which does not exist: {countFrom} gives {count} shards, numbered 0..{count - 1}."));
        return new ShardId(index.Value, count.Value);
    }

    private static bool TryInt(string s, out int value)
        => int.TryParse(s.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out value);

    private static int EnvInt(string name, string value, int min)
    {
        if (!TryInt(value, out int v) || v < min)
            throw new CliError(string.Create(CultureInfo.InvariantCulture, $"environment variable {name}='{value}': expected a whole number of at least {min}."));
        return v;
    }

    /// <summary>"0-99,150-151": runs of consecutive indices.</summary>
    public static string Ranges(IReadOnlyList<int> indices)
    {
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < indices.Count;)
        {
            int start = i;
            while (i + 1 < indices.Count && indices[i + 1] == indices[i] + 1)
                i++;
            if (sb.Length > 0)
                sb.Append(',');
            sb.Append(CultureInfo.InvariantCulture, $"{indices[start]}-{indices[i]}");
            i++;
        }

        return sb.ToString();
    }

    /// <summary>The indices of <see cref="Ranges"/>' text; <paramref name="count"/> of them.</summary>
    public static int[] ParseRanges(string text, int count, string where)
    {
        var result = new int[count];
        int n = 0;
        if (text.Length > 0)
        {
            foreach (string run in text.Split(','))
            {
                string[] ab = run.Split('-');
                if (ab.Length != 2 || !TryInt(ab[0], out int a) || !TryInt(ab[1], out int b) || b < a || n + (b - a + 1) > count)
                    throw new CliError(string.Create(CultureInfo.InvariantCulture, $"{where}: metadata {VmIndexKey} is not a list of VM ranges for {count} VMs; split the trace again."), 1);
                for (int v = a; v <= b; v++)
                    result[n++] = v;
            }
        }

        if (n != count)
            throw new CliError(string.Create(CultureInfo.InvariantCulture, $"{where}: metadata {VmIndexKey} lists {n} VMs, the shard has {count}; split the trace again."), 1);
        return result;
    }

    /// <summary>An identity of a trace's content: XxHash64 of its header and trailer (which holds the hash of every section).</summary>
    public static string TraceId(string path)
    {
        using FileStream f = File.OpenRead(path);
        Span<byte> bytes = stackalloc byte[112];
        f.ReadExactly(bytes[..64]);
        f.Seek(-48, SeekOrigin.End);
        f.ReadExactly(bytes[64..]);
        return System.IO.Hashing.XxHash64.HashToUInt64(bytes).ToString("x16", CultureInfo.InvariantCulture);
    }

    /// <summary>The metadata of a shard's trace without what split added: the source trace's own.</summary>
    public static TraceMetadata SourceMetadata(TraceMetadata metadata)
    {
        var own = new List<KeyValuePair<string, string>>();
        foreach (KeyValuePair<string, string> kv in metadata)
        {
            if (!kv.Key.StartsWith(Prefix, StringComparison.Ordinal))
                own.Add(kv);
        }

        return new TraceMetadata(own);
    }

    /// <summary>Padded slots of a host with <paramref name="vms"/> VMs (the fleet's layout).</summary>
    public static int Slots(int vms) => (vms + Fleet.SlotAlignment - 1) / Fleet.SlotAlignment * Fleet.SlotAlignment;
}

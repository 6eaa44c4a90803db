using System.Text;

namespace DmKernel.Cli.Commands;

/// <summary>
/// What must match for <c>--resume</c> to continue a replay: the trace and every setting that changes the result,
/// each under the name the user knows it by (an option such as <c>--boot-grace</c>, or "trace"). Saved in the
/// checkpoint as one <c>name=value</c> line per setting, so a refused resume can name each setting that differs.
/// </summary>
internal sealed class RunFingerprint
{
    private const string Magic = "dmkernel-run/1";
    private readonly List<KeyValuePair<string, string>> _items = [];

    public RunFingerprint Add(string name, string value)
    {
        if (name.Contains('=', StringComparison.Ordinal) || name.Contains('\n', StringComparison.Ordinal) || value.Contains('\n', StringComparison.Ordinal))
            throw new ArgumentException($"A fingerprint entry may not contain '=' in its name or a line break: '{name}'.", nameof(name));
        _items.Add(new(name, value));
        return this;
    }

    /// <summary><see cref="Add"/> where <paramref name="when"/>: a setting recorded only when used, so that fingerprints of runs without it stay as they were.</summary>
    public RunFingerprint AddIf(bool when, string name, string value) => when ? Add(name, value) : this;

    public override string ToString()
    {
        var sb = new StringBuilder(Magic);
        foreach (KeyValuePair<string, string> item in _items)
            sb.Append('\n').Append(item.Key).Append('=').Append(item.Value);
        return sb.ToString();
    }

    /// <summary>The entries of a saved fingerprint, or null when it is not one (a checkpoint from an older version).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>>? TryParse(string text)
    {
        string[] lines = text.Split('\n');
        if (lines[0] != Magic)
            return null;
        var items = new List<KeyValuePair<string, string>>();
        foreach (string line in lines.AsSpan(1))
        {
            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                return null;
            items.Add(new(line[..eq], line[(eq + 1)..]));
        }

        return items;
    }

    /// <summary>
    /// One phrase per setting that differs between <paramref name="saved"/> and this fingerprint
    /// (<c>--boot-grace 50 in the checkpoint, 30 now</c>), in this fingerprint's order; empty when they match.
    /// Null when <paramref name="saved"/> cannot be read as a fingerprint.
    /// </summary>
    public IReadOnlyList<string>? Differences(string saved) => Differences(saved, "in the checkpoint", "now");

    /// <summary><see cref="Differences(string)"/> with the words that say where each value is (<c>in shard 0</c>, <c>in shard 2</c>).</summary>
    public IReadOnlyList<string>? Differences(string saved, string savedWhere, string currentWhere)
    {
        IReadOnlyList<KeyValuePair<string, string>>? old = TryParse(saved);
        if (old is null)
            return null;
        var oldValues = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, string> item in old)
            oldValues[item.Key] = item.Value;
        var differences = new List<string>();
        foreach (KeyValuePair<string, string> item in _items)
        {
            if (!oldValues.Remove(item.Key, out string? before))
                differences.Add($"{item.Key} not recorded {savedWhere}, {item.Value} {currentWhere}");
            else if (before != item.Value)
                differences.Add($"{item.Key} {before} {savedWhere}, {item.Value} {currentWhere}");
        }

        foreach (KeyValuePair<string, string> item in old)
        {
            if (oldValues.ContainsKey(item.Key))
                differences.Add($"{item.Key} {item.Value} {savedWhere}, not used {currentWhere}");
        }

        return differences;
    }
}

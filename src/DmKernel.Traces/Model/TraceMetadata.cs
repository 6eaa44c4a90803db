using System.Collections;

namespace DmKernel.Traces;

/// <summary>
/// Ordered key-value strings of a trace header: the demand model, import options and generator options that
/// made the trace. Keys are unique, non-empty and keep their insertion order (so a written file is deterministic).
/// </summary>
public sealed class TraceMetadata : IReadOnlyList<KeyValuePair<string, string>>
{
    private readonly List<KeyValuePair<string, string>> _items = [];

    /// <summary>An empty set.</summary>
    public TraceMetadata() { }

    /// <summary>A copy of <paramref name="items"/> (later duplicates replace earlier values in place).</summary>
    public TraceMetadata(IEnumerable<KeyValuePair<string, string>> items)
    {
        foreach (var kv in items)
            Set(kv.Key, kv.Value);
    }

    /// <summary>The number of keys.</summary>
    public int Count => _items.Count;

    /// <summary>The entry at <paramref name="index"/> in insertion order.</summary>
    public KeyValuePair<string, string> this[int index] => _items[index];

    /// <summary>The value of <paramref name="key"/>; throws <see cref="KeyNotFoundException"/> when absent.</summary>
    public string this[string key] => TryGetValue(key, out string? v) ? v : throw new KeyNotFoundException($"Trace metadata has no key '{key}'.");

    /// <summary>Adds <paramref name="key"/> or replaces its value (keeping its position); returns this set.</summary>
    public TraceMetadata Set(string key, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        for (int i = 0; i < _items.Count; i++)
        {
            if (string.Equals(_items[i].Key, key, StringComparison.Ordinal))
            {
                _items[i] = new(key, value);
                return this;
            }
        }

        _items.Add(new(key, value));
        return this;
    }

    /// <summary>Adds or replaces a number, written with the invariant culture ("R" round-trip form for doubles).</summary>
    public TraceMetadata Set(string key, double value) => Set(key, value.ToString("R", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Adds or replaces an integer.</summary>
    public TraceMetadata Set(string key, long value) => Set(key, value.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Adds or replaces a boolean ("true"/"false").</summary>
    public TraceMetadata Set(string key, bool value) => Set(key, value ? "true" : "false");

    /// <summary>The value of <paramref name="key"/>, if present.</summary>
    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
    {
        foreach (var kv in _items)
        {
            if (string.Equals(kv.Key, key, StringComparison.Ordinal))
            {
                value = kv.Value;
                return true;
            }
        }

        value = null;
        return false;
    }

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

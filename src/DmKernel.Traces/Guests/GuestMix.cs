using System.Globalization;

namespace DmKernel.Traces;

/// <summary>
/// P10 for a whole trace: which share of its VMs has which guest responsiveness (docs/policies.md), the rest ideal. Written
/// as <c>RESPONSE=SHARE%</c> pairs, comma-separated: <c>stuck=5%,rate:64=20%,intermittent:30/60=10%</c>. A VM's response
/// is drawn from its index in the trace (counter-based: the same VM gets the same response in every replay and probe,
/// whatever the order); a shard of a split trace draws from each VM's index in the whole trace
/// (<see cref="Replay.ReplayOptions.GuestIndexOfVm"/>). A trace records its mix in its metadata (<see cref="MetadataKey"/>);
/// <c>generate --guests</c> writes it, and <c>replay</c> and <c>compare</c> apply it.
/// </summary>
public sealed class GuestMix
{
    /// <summary>The trace metadata key that holds a mix.</summary>
    public const string MetadataKey = "guests";

    private const ulong Purpose = 0x6E57_0010;
    private readonly (GuestResponse Response, double Share)[] _parts;

    // The shares in % as given, so that ToString writes them back exactly (a rounded form could read back as another
    // mix, or as shares over 100 % that Parse refuses).
    private readonly double[] _percents;

    private GuestMix((GuestResponse, double)[] parts, double[] percents)
    {
        _parts = parts;
        _percents = percents;
    }

    /// <summary>Every VM ideal.</summary>
    public static GuestMix Ideal { get; } = new([], []);

    /// <summary>The non-ideal responses and their shares (0..1), in the order given.</summary>
    public IReadOnlyList<(GuestResponse Response, double Share)> Parts => _parts;

    /// <summary>True when every VM is ideal.</summary>
    public bool IsIdeal => _parts.Length == 0;

    /// <summary>The response of the trace's VM number <paramref name="vmIndex"/>.</summary>
    public GuestResponse For(int vmIndex)
    {
        if (_parts.Length == 0)
            return GuestResponse.Ideal;
        double u = SplitMix64.Unit(SplitMix64.Draw(Purpose, (ulong)vmIndex, 0));
        double acc = 0;
        foreach ((GuestResponse r, double share) in _parts)
        {
            acc += share;
            if (u < acc)
                return r;
        }

        return GuestResponse.Ideal;
    }

    /// <summary>The mix a trace records, or <see cref="Ideal"/> when it records none.</summary>
    public static GuestMix FromMetadata(TraceMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        // A response given twice is read as two parts, as the traces written before it was refused at Parse were replayed.
        return metadata.TryGetValue(MetadataKey, out string? text) ? Parse(text, repeats: true) : Ideal;
    }

    /// <summary>
    /// <see cref="FromMetadata"/> for a trace file: a recorded mix that does not parse is a <see cref="TraceFormatException"/>
    /// naming the file and the metadata key.
    /// </summary>
    internal static GuestMix FromTrace(TraceMetadata metadata, string file)
    {
        try
        {
            return FromMetadata(metadata);
        }
        catch (FormatException ex)
        {
            throw new TraceFormatException(file, $"metadata '{MetadataKey}'", ex.Message, ex);
        }
    }

    /// <summary>
    /// Parses <c>RESPONSE=SHARE%</c> pairs (the responses of <see cref="GuestResponse.Parse"/>; shares in % summing to at most
    /// 100), or <c>ideal</c>; throws <see cref="FormatException"/> naming what was expected. A response given twice is
    /// refused (its shares would be added), and so is a text with no pair at all (empty, blank or only commas: say
    /// <c>ideal</c>); <see cref="FromMetadata"/> still reads such a mix from older traces.
    /// </summary>
    public static GuestMix Parse(string text) => Parse(text, repeats: false);

    private static GuestMix Parse(string text, bool repeats) // repeats: a response may be given twice (read from a trace)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Trim().Equals("ideal", StringComparison.OrdinalIgnoreCase))
            return Ideal;
        var parts = new List<(GuestResponse, double)>();
        var percents = new List<double>();
        var seen = new List<GuestResponse>();
        double total = 0;
        string[] items = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (items.Length == 0 && !repeats)
            throw new FormatException($"'{text}' gives no response: expected e.g. stuck=5%,rate:64=20%,intermittent:30/60=10%, or 'ideal' (P10).");
        foreach (string item in items)
        {
            int eq = item.LastIndexOf('=');
            string share = eq < 0 ? "" : item[(eq + 1)..].Trim();
            // One '%' ends the share (a trace's metadata is read as written before this was checked: any number of them).
            bool percentSign = repeats || (share.EndsWith('%') && !share.EndsWith("%%", StringComparison.Ordinal));
            share = share.TrimEnd('%');
            if (eq <= 0 || !percentSign || !double.TryParse(share, NumberStyles.Float, CultureInfo.InvariantCulture, out double percent) || !double.IsFinite(percent))
                throw new FormatException($"'{item}' is not RESPONSE=SHARE%: expected e.g. stuck=5%,rate:64=20%,intermittent:30/60=10% (P10).");
            if (percent is < 0 or > 100)
                throw new FormatException($"'{item}': a share is a percentage from 0 to 100 % (P10).");

            GuestResponse r = GuestResponse.Parse(item[..eq]);
            if (!repeats && seen.Contains(r))
                throw new FormatException($"'{text}': {r} is given twice: give each response once, with its whole share (P10).");
            seen.Add(r);
            total += percent;
            if (total > 100 + 1e-9)
                throw new FormatException($"'{text}': the shares add up to more than 100 % (P10).");
            if (r.Kind != GuestResponseKind.Ideal && percent > 0)
            {
                parts.Add((r, percent / 100));
                percents.Add(percent);
            }
        }

        return new GuestMix([.. parts], [.. percents]);
    }

    /// <summary>The text form (<see cref="Parse(string)"/>'s).</summary>
    public override string ToString() => _parts.Length == 0
        ? "ideal"
        : string.Join(",", _parts.Select((p, i) => string.Create(CultureInfo.InvariantCulture, $"{p.Response}={_percents[i]:R}%")));
}

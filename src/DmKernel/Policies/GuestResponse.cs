using System.Globalization;

namespace DmKernel;

/// <summary>How a guest's memory driver answers the balancer (P10).</summary>
public enum GuestResponseKind : byte
{
    /// <summary>Every request is carried out at once (the model of R12 and R13).</summary>
    Ideal = 0,

    /// <summary>The driver moves at most a given number of MB per second, in either direction.</summary>
    Rate = 1,

    /// <summary>The driver never moves.</summary>
    Stuck = 2,

    /// <summary>Stuck for a while, then ideal for a while, repeating.</summary>
    IntermittentlyStuck = 3,
}

/// <summary>
/// P10: a guest's responsiveness, a per-VM setting (<c>Fleet.SetGuestResponse</c>). The balancer asks; the guest's
/// driver does what it can; the policy sees only what the guest did. The limit applies to every move of the guest's
/// memory driver in a tick under every policy (Hyper-V, static, squeezed, MoM, ESX): R12's balloon removal, and R13's
/// unballoon and hot-add together (Hyper-V's guest driver does both). Not to R4's reclaim from a donor (docs/policies.md).
/// </summary>
/// <param name="Kind">Which model.</param>
/// <param name="RateMbPerSecond">For <see cref="GuestResponseKind.Rate"/>: MB per second, 1..1 048 576.</param>
/// <param name="StuckSeconds">For <see cref="GuestResponseKind.IntermittentlyStuck"/>: how long each stuck spell lasts.</param>
/// <param name="IdealSeconds">For <see cref="GuestResponseKind.IntermittentlyStuck"/>: how long the guest then answers.</param>
public readonly record struct GuestResponse(GuestResponseKind Kind, int RateMbPerSecond = 0, double StuckSeconds = 0, double IdealSeconds = 0)
{
    /// <summary>The ideal guest (today's behaviour).</summary>
    public static GuestResponse Ideal => default;

    /// <summary>A guest whose balloon never moves.</summary>
    public static GuestResponse Stuck => new(GuestResponseKind.Stuck);

    /// <summary>A slow guest: at most <paramref name="mbPerSecond"/> MB per second in either direction.</summary>
    public static GuestResponse Rate(int mbPerSecond) => new(GuestResponseKind.Rate, mbPerSecond);

    /// <summary>Stuck for <paramref name="stuckSeconds"/>, then ideal for <paramref name="idealSeconds"/>, repeating (phase from the VM's place in its host: its slot less the host's first slot).</summary>
    public static GuestResponse IntermittentlyStuck(double stuckSeconds, double idealSeconds) => new(GuestResponseKind.IntermittentlyStuck, 0, stuckSeconds, idealSeconds);

    /// <summary>The fastest rate a guest may be given (MB per second), and the longest stuck or ideal spell (seconds).</summary>
    internal const int MaxRateMbPerSecond = 1_048_576;

    /// <inheritdoc cref="MaxRateMbPerSecond"/>
    internal const double MaxSpellSeconds = 1e9;

    /// <summary>Checks the parameters; throws <see cref="ArgumentOutOfRangeException"/> naming the bad one.</summary>
    public void Validate()
    {
        switch (Kind)
        {
            case GuestResponseKind.Ideal or GuestResponseKind.Stuck:
                break;
            case GuestResponseKind.Rate:
                if (RateMbPerSecond is < 1 or > MaxRateMbPerSecond)
                    throw new InvariantOutOfRangeException(nameof(RateMbPerSecond), RateMbPerSecond, "a guest's rate: expected 1..1048576 MB per second (P10).");
                break;
            case GuestResponseKind.IntermittentlyStuck:
                CheckSeconds(nameof(StuckSeconds), StuckSeconds);
                CheckSeconds(nameof(IdealSeconds), IdealSeconds);
                break;
            default:
                throw new InvariantOutOfRangeException(nameof(Kind), Kind, "Unknown guest response (P10).");
        }
    }

    /// <summary>The text form: ideal, stuck, rate:R (MB/s), intermittent:S/I (seconds stuck / ideal).</summary>
    public override string ToString() => Kind switch
    {
        GuestResponseKind.Ideal => "ideal",
        GuestResponseKind.Stuck => "stuck",
        GuestResponseKind.Rate => string.Create(CultureInfo.InvariantCulture, $"rate:{RateMbPerSecond}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"intermittent:{StuckSeconds}/{IdealSeconds}"),
    };

    /// <summary>Parses <see cref="ToString"/>'s form; throws <see cref="FormatException"/> naming what was expected.</summary>
    public static GuestResponse Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim().ToLowerInvariant();
        var ic = CultureInfo.InvariantCulture;
        GuestResponse r;
        if (t == "ideal")
        {
            r = Ideal;
        }
        else if (t == "stuck")
        {
            r = Stuck;
        }
        else if (t.StartsWith("rate:", StringComparison.Ordinal) && int.TryParse(t.AsSpan(5), NumberStyles.None, ic, out int rate))
        {
            r = Rate(rate);
        }
        else if (t.StartsWith("intermittent:", StringComparison.Ordinal) && t[13..].Split('/') is [string on, string off]
            && double.TryParse(on, NumberStyles.Float, ic, out double s) && double.TryParse(off, NumberStyles.Float, ic, out double i))
        {
            r = IntermittentlyStuck(s, i);
        }
        else if (t.StartsWith("rate:", StringComparison.Ordinal))
        {
            throw new FormatException($"'{text}' is not a guest response: rate:MB_PER_SECOND takes a whole number of MB per second, 1..1048576 (P10).");
        }
        else
        {
            throw new FormatException($"'{text}' is not a guest response: expected ideal, stuck, rate:MB_PER_SECOND or intermittent:STUCK_SECONDS/IDEAL_SECONDS (P10).");
        }

        try
        {
            r.Validate();
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw new FormatException($"'{text}': {ex.Message.Split(" (Parameter", 2)[0]}", ex);
        }

        return r;
    }

    private static void CheckSeconds(string name, double seconds)
    {
        if (!double.IsFinite(seconds) || seconds <= 0 || seconds > MaxSpellSeconds)
            throw new InvariantOutOfRangeException(name, seconds, "a guest's stuck or ideal spell: expected a finite number of seconds in (0, 1e9] (P10).");
    }
}

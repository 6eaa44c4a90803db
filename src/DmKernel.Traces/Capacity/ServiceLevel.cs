using System.Globalization;

namespace DmKernel.Traces.Capacity;

/// <summary>
/// The one service level every strategy is held to: at most <see cref="MaxPagingShare"/> of the servable VM-time
/// paging, no denied start, and optionally the <see cref="PressurePercentile"/>-th percentile of Current Pressure
/// (R10) over the servable VM-time at most <see cref="MaxPressure"/>. Servable VM-time is the time a VM is wanted on
/// with a demand it can be served at all (<see cref="GuestMemory.MaxServableCommittedMb"/> of its provisioned
/// settings); the rest is unservable, reported apart and never counted for or against a strategy.
/// </summary>
public sealed record ServiceLevel
{
    /// <summary>Largest share of the servable VM-time paging (default 0.01).</summary>
    public double MaxPagingShare { get; init; } = 0.01;

    /// <summary>Pressure percentile limit (null: none).</summary>
    public int? MaxPressure { get; init; }

    /// <summary>Which percentile <see cref="MaxPressure"/> limits (default 95).</summary>
    public double PressurePercentile { get; init; } = 95;

    /// <summary>Checks the level; errors name the setting.</summary>
    public void Validate()
    {
        if (!double.IsFinite(MaxPagingShare) || MaxPagingShare < 0 || MaxPagingShare > 1)
            throw new InvariantOutOfRangeException(nameof(MaxPagingShare), MaxPagingShare, "paging limit: expected a fraction from 0 to 1.");
        if (MaxPressure is < 1 or > 100_000)
            throw new InvariantOutOfRangeException(nameof(MaxPressure), MaxPressure, "pressure limit: expected 1..100000 %.");
        if (!double.IsFinite(PressurePercentile) || PressurePercentile <= 0 || PressurePercentile > 100)
            throw new InvariantOutOfRangeException(nameof(PressurePercentile), PressurePercentile, "pressure percentile: expected a number in (0, 100].");
    }

    /// <summary>Whether <paramref name="o"/> meets the level.</summary>
    public bool IsMetBy(ProbeOutcome o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return !o.Stopped && o.DeniedVmTicks == 0 && o.PagingShare <= MaxPagingShare && (MaxPressure is not int p || o.PressurePercentile <= p);
    }

    /// <summary>
    /// The most paging VM-ticks out of <paramref name="servable"/> that meet <see cref="MaxPagingShare"/> by
    /// <see cref="IsMetBy"/>'s own test (paging ÷ servable ≤ the limit, in binary64), so that a probe stopped early and
    /// one run to the end agree. (floor(limit × servable) can land one below: 0.02114146124805685 × 22515 =
    /// 475.99999999999994, while 476 ÷ 22515 is that limit exactly.)
    /// </summary>
    internal long PagingTicksAllowed(long servable)
    {
        if (servable <= 0)
            return 0;
        long k = Math.Clamp((long)Math.Floor(MaxPagingShare * servable), 0, servable);
        while (k < servable && (double)(k + 1) / servable <= MaxPagingShare)
            k++;
        while (k > 0 && (double)k / servable > MaxPagingShare)
            k--;
        return k;
    }

    /// <summary>Why <paramref name="o"/> misses the level, in words (empty when it meets it).</summary>
    public string Shortfall(ProbeOutcome o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var ic = CultureInfo.InvariantCulture;
        var parts = new List<string>();
        if (o.DeniedVmTicks > 0)
            parts.Add(string.Create(ic, $"starts denied ({ShareText.Percent(o.DeniedShare)} of VM-time)"));
        if (o.PagingShare > MaxPagingShare)
            parts.Add(string.Create(ic, $"pages {ShareText.Percent(o.PagingShare)} of servable VM-time"));
        if (MaxPressure is int p && o.PressurePercentile > p)
            parts.Add(string.Create(ic, $"p{PressurePercentile:0.#} pressure {o.PressurePercentile} %"));
        string text = string.Join(", ", parts);

        // A search's probe stops as soon as it cannot meet the level: its shares are of the ticks it played.
        // "by tick N": over the N measured ticks played before the search stopped the probe.
        return o.Stopped && text.Length > 0 ? string.Create(ic, $"{text} by tick {o.Ticks}") : text;
    }

    /// <summary>The level in words: "at most 1 % of servable VM-time paging, no denied start".</summary>
    public string Describe()
    {
        var ic = CultureInfo.InvariantCulture;
        string text = string.Create(ic, $"at most {MaxPagingShare * 100:0.###} % of servable VM-time paging, no denied start");
        return MaxPressure is int p ? text + string.Create(ic, $", p{PressurePercentile:0.#} pressure at most {p} %") : text;
    }
}

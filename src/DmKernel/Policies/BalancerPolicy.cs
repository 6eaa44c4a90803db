using System.Globalization;

namespace DmKernel;

/// <summary>
/// A memory balancer policy and its parameters (docs/policies.md, P1–P9), chosen per fleet when a <see cref="Balancer"/>
/// is created. Each policy reads only its own parameters; the defaults are those of the systems the policies come from.
/// Periods are in seconds and become ticks like the model's (<see cref="ModelParameters.ToTicks"/>).
/// </summary>
public sealed record BalancerPolicy
{
    /// <summary>Hyper-V's policy (<see cref="HyperV"/>) with every parameter at its default; set <c>Kind</c> and the parameters with an object initializer, or use <see cref="Parse"/>.</summary>
    public BalancerPolicy()
    {
    }

    /// <summary>Largest number of Available samples MoM averages (P5); the host keeps them in a ring.</summary>
    public const int MaxMomSamples = 16;

    /// <summary>The policy.</summary>
    public PolicyKind Kind { get; init; }

    /// <summary>P2: squeezed recomputes its goals every this many seconds (default 10, squeezed's balance interval).</summary>
    public double SqueezedPeriodSeconds { get; init; } = 10;

    /// <summary>P2: the free memory squeezed keeps on a host, MB, rounded up to the granularity (default 9: squeezed's 9 MiB, 10 MB with G = 2).</summary>
    public int SqueezedTargetFreeMb { get; init; } = 9;

    /// <summary>P10: squeezed declares a VM stuck after its balloon made no progress toward its goal for this long (default 5 s).</summary>
    public double SqueezedStuckSeconds { get; init; } = 5;

    /// <summary>P5: MoM considers each VM every this many seconds (default 15, VDSM's policy interval).</summary>
    public double MomPeriodSeconds { get; init; } = 15;

    /// <summary>P5: how many of the host's last Available samples MoM averages (default 10; 1..<see cref="MaxMomSamples"/>).</summary>
    public int MomSamples { get; init; } = 10;

    /// <summary>P8: ESX samples each VM's active share every this many seconds (default 30).</summary>
    public double EsxSamplePeriodSeconds { get; init; } = 30;

    /// <summary>P9: the idle-memory tax rate τ in per mille (default 750 = 75 %, ESX's default; 0 turns the tax off; at most 999).</summary>
    public int EsxIdleTaxPerMille { get; init; } = 750;

    /// <summary>P9: the soft free-memory level, % of Total − Reserve (default 4): below it the host reclaims.</summary>
    public int EsxSoftPercent { get; init; } = 4;

    /// <summary>P9: the high free-memory level, % of Total − Reserve (default 6): reclaim stops, and caps lift, at it.</summary>
    public int EsxHighPercent { get; init; } = 6;

    /// <summary>Hyper-V Dynamic Memory (R9, R11, R13, R15): the default.</summary>
    public static BalancerPolicy HyperV { get; } = new() { Kind = PolicyKind.HyperV };

    /// <summary>Every VM at its Startup, never moved.</summary>
    public static BalancerPolicy Static { get; } = new() { Kind = PolicyKind.Static };

    /// <summary>Xen squeezed with its defaults.</summary>
    public static BalancerPolicy Squeezed { get; } = new() { Kind = PolicyKind.Squeezed };

    /// <summary>oVirt MoM with its defaults.</summary>
    public static BalancerPolicy Mom { get; } = new() { Kind = PolicyKind.Mom };

    /// <summary>VMware ESX with its defaults.</summary>
    public static BalancerPolicy Esx { get; } = new() { Kind = PolicyKind.Esx };

    /// <summary>The policy of <paramref name="kind"/> with its defaults.</summary>
    public static BalancerPolicy Of(PolicyKind kind) => kind switch
    {
        PolicyKind.HyperV => HyperV,
        PolicyKind.Static => Static,
        PolicyKind.Squeezed => Squeezed,
        PolicyKind.Mom => Mom,
        PolicyKind.Esx => Esx,
        _ => throw new InvariantOutOfRangeException(nameof(kind), kind, "Unknown policy."),
    };

    /// <summary>The short name used by the CLI and in reports: hyperv, static, squeezed, mom, esx.</summary>
    public string Key => Kind switch
    {
        PolicyKind.HyperV => "hyperv",
        PolicyKind.Static => "static",
        PolicyKind.Squeezed => "squeezed",
        PolicyKind.Mom => "mom",
        PolicyKind.Esx => "esx",
        _ => string.Create(CultureInfo.InvariantCulture, $"unknown policy kind {(int)Kind}"),
    };

    /// <summary>
    /// A name for reports: Hyper-V, static, Xen squeezed, oVirt MoM, VMware ESX, followed by the parameters that differ
    /// from the policy's defaults, e.g. <c>VMware ESX (idleTaxPerMille 0)</c>.
    /// </summary>
    public string Name
    {
        get
        {
            string name = Kind switch
            {
                PolicyKind.HyperV => "Hyper-V",
                PolicyKind.Static => "static",
                PolicyKind.Squeezed => "Xen squeezed",
                PolicyKind.Mom => "oVirt MoM",
                PolicyKind.Esx => "VMware ESX",
                _ => string.Create(CultureInfo.InvariantCulture, $"unknown policy kind {(int)Kind}"),
            };
            if (!Enum.IsDefined(Kind))
                return name;
            IReadOnlyList<KeyValuePair<string, string>> mine = Parameters(), defaults = Of(Kind).Parameters();
            var changed = new List<string>();
            for (int i = 0; i < mine.Count; i++)
            {
                if (mine[i].Value != defaults[i].Value)
                    changed.Add(mine[i].Key + " " + mine[i].Value);
            }

            return changed.Count == 0 ? name : name + " (" + string.Join(", ", changed) + ")";
        }
    }

    /// <summary>
    /// Parses a policy with optional parameters: <c>KEY[:NAME=VALUE]...</c>, e.g. <c>esx</c>, <c>esx:idleTaxPerMille=0</c>,
    /// <c>squeezed:periodSeconds=5:stuckSeconds=10</c> (the names of <see cref="Parameters"/> that are settable). Throws
    /// <see cref="FormatException"/> naming an unknown policy, an unknown parameter or a value out of range.
    /// </summary>
    public static BalancerPolicy Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split(':', StringSplitOptions.TrimEntries);
        BalancerPolicy policy = TryParse(parts[0])
            ?? throw new FormatException($"'{parts[0]}' is not a policy: expected hyperv, static, squeezed, mom or esx.");
        var ic = CultureInfo.InvariantCulture;
        var given = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 1; i < parts.Length; i++)
        {
            string[] kv = parts[i].Split('=', 2, StringSplitOptions.TrimEntries);
            if (kv.Length == 2 && kv[1].Length > 0 && !given.Add(kv[0]))
                throw new FormatException($"{policy.Key}'s {kv[0]} is given twice in '{text}': give each parameter once.");
            string settable = policy.Kind switch
            {
                PolicyKind.Squeezed => "periodSeconds, targetFreeMb, stuckSeconds",
                PolicyKind.Mom => "periodSeconds, samples",
                PolicyKind.Esx => "samplePeriodSeconds, idleTaxPerMille, softPercent, highPercent",
                _ => "none",
            };
            if (kv.Length != 2 || kv[1].Length == 0)
                throw new FormatException($"'{parts[i]}' is not a parameter setting: expected NAME=VALUE (parameters of {policy.Key}: {settable}).");
            string name = kv[0], value = kv[1];
            bool isDouble = double.TryParse(value, NumberStyles.Float, ic, out double d);
            bool isInt = int.TryParse(value, NumberStyles.AllowLeadingSign, ic, out int n);
            BalancerPolicy? next = (policy.Kind, name.ToLowerInvariant()) switch
            {
                (PolicyKind.Squeezed, "periodseconds") when isDouble => policy with { SqueezedPeriodSeconds = d },
                (PolicyKind.Squeezed, "targetfreemb") when isInt => policy with { SqueezedTargetFreeMb = n },
                (PolicyKind.Squeezed, "stuckseconds") when isDouble => policy with { SqueezedStuckSeconds = d },
                (PolicyKind.Mom, "periodseconds") when isDouble => policy with { MomPeriodSeconds = d },
                (PolicyKind.Mom, "samples") when isInt => policy with { MomSamples = n },
                (PolicyKind.Esx, "sampleperiodseconds") when isDouble => policy with { EsxSamplePeriodSeconds = d },
                (PolicyKind.Esx, "idletaxpermille") when isInt => policy with { EsxIdleTaxPerMille = n },
                (PolicyKind.Esx, "softpercent") when isInt => policy with { EsxSoftPercent = n },
                (PolicyKind.Esx, "highpercent") when isInt => policy with { EsxHighPercent = n },
                _ => null,
            };
            if (next is null)
            {
                bool known = settable.Split(", ").Any(p => p.Equals(name, StringComparison.OrdinalIgnoreCase));
                // The *Seconds parameters take any number; the others a whole one ("1.5" is a number, but not one of those).
                bool seconds = name.EndsWith("seconds", StringComparison.OrdinalIgnoreCase);
                // A whole number past int's range is named with the parameter's own range (which Validate gives for the
                // ones in int's range), not int's.
                string range = name.ToLowerInvariant() switch
                {
                    "targetfreemb" => "0..1048576 MB",
                    "samples" => string.Create(ic, $"1..{MaxMomSamples}"),
                    "idletaxpermille" => "0..999 per mille",
                    "softpercent" => "0..100 %",
                    _ => "the soft level..100 %",
                };
                string why = seconds ? "is not a number of seconds"
                    : isDouble && d == Math.Floor(d) ? $"is out of range: expected {range}"
                    : "is not a whole number";
                throw new FormatException(known
                    ? $"'{value}' {why} for {policy.Key}'s {name}."
                    : $"'{name}' is not a parameter of {policy.Key}: expected {settable}.");
            }

            policy = next;
        }

        try
        {
            policy.Validate();
        }
        catch (ArgumentOutOfRangeException ex)
        {
            string name = ex.ParamName switch
            {
                nameof(SqueezedPeriodSeconds) or nameof(MomPeriodSeconds) => "periodSeconds",
                nameof(SqueezedTargetFreeMb) => "targetFreeMb",
                nameof(SqueezedStuckSeconds) => "stuckSeconds",
                nameof(MomSamples) => "samples",
                nameof(EsxSamplePeriodSeconds) => "samplePeriodSeconds",
                nameof(EsxIdleTaxPerMille) => "idleTaxPerMille",
                nameof(EsxSoftPercent) => "softPercent",
                nameof(EsxHighPercent) => "highPercent",
                _ => ex.ParamName ?? "a parameter",
            };
            throw new FormatException($"'{text}': {name} {ex.Message.Split(" (Parameter", 2)[0].Split(Environment.NewLine, 2)[0]}", ex);
        }

        return policy;
    }

    /// <summary>Parses a key (<see cref="Key"/>, case-insensitive); null when it names no policy.</summary>
    public static BalancerPolicy? TryParse(string? key) => key?.Trim().ToLowerInvariant() switch
    {
        "hyperv" or "hyper-v" => HyperV,
        "static" => Static,
        "squeezed" or "xen" => Squeezed,
        "mom" or "ovirt" => Mom,
        "esx" or "vmware" => Esx,
        _ => null,
    };

    /// <summary>The parameters this policy reads, as name and value (for reports and result files).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Parameters()
    {
        var ic = CultureInfo.InvariantCulture;
        return Kind switch
        {
            PolicyKind.Squeezed =>
            [
                new("periodSeconds", SqueezedPeriodSeconds.ToString(ic)),
                new("targetFreeMb", SqueezedTargetFreeMb.ToString(ic)),
                new("stuckSeconds", SqueezedStuckSeconds.ToString(ic)),
            ],
            PolicyKind.Mom =>
            [
                new("periodSeconds", MomPeriodSeconds.ToString(ic)),
                new("samples", MomSamples.ToString(ic)),
                new("pressureThreshold", "0.20"),
                new("pressureCritical", "0.05"),
                new("guestFreeShare", "0.20"),
                new("step", "0.05"),
                new("deadBand", "0.0025"),
            ],
            PolicyKind.Esx =>
            [
                new("samplePeriodSeconds", EsxSamplePeriodSeconds.ToString(ic)),
                new("idleTaxPerMille", EsxIdleTaxPerMille.ToString(ic)),
                new("softPercent", EsxSoftPercent.ToString(ic)),
                new("highPercent", EsxHighPercent.ToString(ic)),
            ],
            _ => [],
        };
    }

    /// <summary>Checks the parameters; throws <see cref="ArgumentOutOfRangeException"/> naming the first bad one.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Kind))
            throw new InvariantOutOfRangeException(nameof(Kind), Kind, "Unknown policy.");
        CheckPeriod(nameof(SqueezedPeriodSeconds), SqueezedPeriodSeconds);
        CheckPeriod(nameof(SqueezedStuckSeconds), SqueezedStuckSeconds);
        CheckPeriod(nameof(MomPeriodSeconds), MomPeriodSeconds);
        CheckPeriod(nameof(EsxSamplePeriodSeconds), EsxSamplePeriodSeconds);
        if (SqueezedTargetFreeMb is < 0 or > 1_048_576)
            throw new InvariantOutOfRangeException(nameof(SqueezedTargetFreeMb), SqueezedTargetFreeMb, "expected 0..1048576 MB.");
        if (MomSamples is < 1 or > MaxMomSamples)
            throw new InvariantOutOfRangeException(nameof(MomSamples), MomSamples, string.Create(CultureInfo.InvariantCulture, $"expected 1..{MaxMomSamples}."));
        if (EsxIdleTaxPerMille is < 0 or > 999)
            throw new InvariantOutOfRangeException(nameof(EsxIdleTaxPerMille), EsxIdleTaxPerMille, "expected 0..999 per mille.");
        if (EsxSoftPercent is < 0 or > 100)
            throw new InvariantOutOfRangeException(nameof(EsxSoftPercent), EsxSoftPercent, "expected 0..100 %.");
        if (EsxHighPercent > 100)
            throw new InvariantOutOfRangeException(nameof(EsxHighPercent), EsxHighPercent, "expected the soft level..100 %.");
        if (EsxHighPercent < EsxSoftPercent)
        {
            throw new InvariantOutOfRangeException(nameof(EsxHighPercent), EsxHighPercent, string.Create(CultureInfo.InvariantCulture,
                $"{EsxHighPercent} % is below the soft level ({EsxSoftPercent} %): the high level must be at least the soft level (P9); set it too, e.g. esx:softPercent={EsxSoftPercent}:highPercent={Math.Min(100, EsxSoftPercent + 2)}."));
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Name;

    private static void CheckPeriod(string name, double seconds)
    {
        if (!double.IsFinite(seconds) || seconds <= 0 || seconds > 1e9)
            throw new InvariantOutOfRangeException(name, seconds, "expected a finite number of seconds in (0, 1e9].");
    }
}

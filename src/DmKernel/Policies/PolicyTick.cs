namespace DmKernel.Policies;

/// <summary>
/// What the policies need to know about the tick being run: the policy's parameters turned into ticks and integers once,
/// and which of its periodic steps fall on this tick. Read-only, the same for every host.
/// </summary>
internal readonly struct PolicyTick
{
    public PolicyTick(BalancerPolicy policy, ModelParameters model, long tickIndex)
    {
        Kind = policy.Kind;
        TickIndex = tickIndex;
        GMask = model.GranularityMb - 1;
        RemoveCap = model.RemoveCapPerTickMb;

        // Periodic steps fall on the first tick of each period (tick 0 included): squeezed balances and MoM samples
        // at once, and a VM that starts between them has Startup as its goal until the next one (P1).
        SqueezedRecompute = tickIndex % model.ToTicks(policy.SqueezedPeriodSeconds) == 0;                     // P2
        SqueezedTargetFree = Squeezed.TargetFree(policy.SqueezedTargetFreeMb, GMask);                        // P2
        StuckTicks = model.ToTicks(policy.SqueezedStuckSeconds);                                             // P10
        MomTick = tickIndex % model.ToTicks(policy.MomPeriodSeconds) == 0;                                   // P5
        MomSamples = policy.MomSamples;
        EsxSampleTick = tickIndex % model.ToTicks(policy.EsxSamplePeriodSeconds) == 0;                       // P8
        EsxTaxPerMille = policy.EsxIdleTaxPerMille;                                                          // P9
        EsxSoftPercent = policy.EsxSoftPercent;
        EsxHighPercent = policy.EsxHighPercent;
    }

    public PolicyKind Kind { get; }

    public long TickIndex { get; }

    /// <summary>G − 1.</summary>
    public int GMask { get; }

    public int G => GMask + 1;

    /// <summary>R12's per-VM per-tick balloon cap.</summary>
    public int RemoveCap { get; }

    public bool SqueezedRecompute { get; }

    public int SqueezedTargetFree { get; }

    public int StuckTicks { get; }

    public bool MomTick { get; }

    public int MomSamples { get; }

    public bool EsxSampleTick { get; }

    public int EsxTaxPerMille { get; }

    public int EsxSoftPercent { get; }

    public int EsxHighPercent { get; }
}

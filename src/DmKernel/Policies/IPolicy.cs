namespace DmKernel.Policies;

/// <summary>
/// A balancer policy: per host and tick, after the shared steps (R12's pending memory, R17's reset, R5, R4–R7, R8's
/// demand), it decides each Running DM VM's goal: what it grows toward (<see cref="PolicyScratch.GrowTo"/>, the Target
/// column) and what it shrinks toward (<see cref="PolicyScratch.ShrinkTo"/>). The moves themselves are shared
/// (<see cref="GoalMoves"/>: grants in slot order while Available lasts, through <see cref="Mechanisms"/>), and so are the
/// outputs that follow (R10, R16, R18–R20). Implementations are structs used as generic type arguments, so the JIT
/// specializes the per-host kernel for each: no virtual call per VM or per host.
/// </summary>
internal interface IPolicy
{
    /// <summary>P4: while any balloon moves down toward its goal, nothing grows (squeezed's two phases).</summary>
    static abstract bool TwoPhase { get; }

    /// <summary>R4/R6: a start or restart may reclaim from other VMs (every policy but static, whose VMs never move).</summary>
    static abstract bool StartsReclaim { get; }

    /// <summary>P10: count the ticks a guest did not move when asked (squeezed's stuck detection).</summary>
    static abstract bool TracksStuck { get; }

    /// <summary>The goals of the host's Running DM VMs for this tick, and the policy's periodic state.</summary>
    static abstract void Goals(in PolicyHost host, in PolicyTick tick, PolicyScratch scratch);
}

/// <summary>A policy's whole plan on one host: its goals, then the shared moves.</summary>
internal static class PolicyPlan
{
    public static void Run<TPolicy>(in PolicyHost host, in PolicyTick tick, PolicyScratch scratch)
        where TPolicy : struct, IPolicy
    {
        GoalMoves.ResetIdle(host);
        TPolicy.Goals(host, tick, scratch);
        GoalMoves.Move(host, tick, scratch, TPolicy.TwoPhase, TPolicy.TracksStuck ? tick.StuckTicks : 0);
    }
}

namespace DmKernel.Policies;

/// <summary>
/// Xen squeezed (P2–P4, P10's stuck detection): every squeezed period the host recomputes one proportional fraction γ
/// and gives each Running DM VM that is not stuck <c>Minimum + γ × (Maximum − Minimum)</c>; demand plays no part.
/// Between recomputations the goals stand. Two phases: while any balloon is shrinking toward its goal, nothing grows.
/// </summary>
internal struct SqueezedPolicy : IPolicy
{
    public static bool StartsReclaim => true;

    public static bool TwoPhase => true;

    public static bool TracksStuck => true;

    public static void Goals(in PolicyHost host, in PolicyTick tick, PolicyScratch scratch)
    {
        Span<int> flags = host.Flags, goal = host.Goal;

        // P2/P3: recompute the goals of the members (stuck VMs keep theirs, P10).
        if (tick.SqueezedRecompute)
        {
            Squeezed.Recompute(host.Available, flags, host.Assigned, host.Minimum, host.Maximum, host.NoProgress, tick.StuckTicks,
                tick.SqueezedTargetFree, tick.GMask, goal);
        }

        // P1: a VM that started since the last recomputation has Startup as its goal; a goal stays within the VM's range
        // (R2 may have widened it since).
        Span<int> startup = host.Startup, min = host.Minimum, max = host.Maximum;
        for (int k = 0; k < flags.Length; k++)
        {
            if (!GoalMoves.IsRunningDm(flags[k]))
                continue;
            int g = goal[k] == 0 ? startup[k] : Math.Clamp(goal[k], min[k], max[k]);
            scratch.GrowTo[k] = g;
            scratch.ShrinkTo[k] = g;
        }
    }
}

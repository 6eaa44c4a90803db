namespace DmKernel.Policies;

/// <summary>
/// The part the goal-driven policies (static, squeezed, MoM, ESX) share: between recomputations a VM moves toward its
/// goal within R12's cap and R13's Available (P1), grants in slot order, and P10's stuck detection.
/// </summary>
internal static class GoalMoves
{
    /// <summary>Running and Dynamic: the VMs a policy balances.</summary>
    public static bool IsRunningDm(int flags) => (flags & (VmFlags.StateMask | VmFlags.Dynamic)) == VmFlags.RunningDynamic;

    /// <summary>
    /// The policies' state of every VM that is not a Running DM VM goes back to none: a VM that boots, restarts or stops
    /// starts over (no goal, so Startup until the policy's next recomputation; not sampled; making progress).
    /// </summary>
    public static void ResetIdle(in PolicyHost h)
    {
        Span<int> flags = h.Flags;
        for (int k = 0; k < flags.Length; k++)
        {
            if (IsRunningDm(flags[k]))
                continue;
            h.Goal[k] = 0;
            h.NoProgress[k] = 0;
            h.EsxFast[k] = Esx.Unsampled;
            h.EsxSlow[k] = Esx.Unsampled;
            h.EsxEstimate[k] = 1000;
        }
    }

    /// <summary>
    /// The tick's moves for the host's Running DM VMs toward <see cref="PolicyScratch.GrowTo"/> (the goal, written to
    /// Target) and <see cref="PolicyScratch.ShrinkTo"/>: R12 for every VM above what it shrinks to (the order cannot change a
    /// result: ballooned memory joins Available next tick), then R13 in slot order while Available lasts, unless
    /// <paramref name="twoPhase"/> and some VM's balloon moved (P4). Shortfall = Σ max(0, goal − Assigned) before the moves;
    /// Short = some VM is still below its goal after them. With <paramref name="stuckTicks"/> &gt; 0, counts per VM the
    /// ticks on which the policy asked its guest to move and the guest did not (P10, squeezed's stuck detection).
    /// </summary>
    public static void Move(in PolicyHost h, in PolicyTick t, PolicyScratch s, bool twoPhase, int stuckTicks)
    {
        Span<int> flags = h.Flags, assigned = h.Assigned, target = h.Target;
        ReadOnlySpan<int> growTo = s.GrowTo, shrinkTo = s.ShrinkTo;
        Span<int> limit = s.Limit.AsSpan(0, flags.Length);
        long shortfall = 0;
        for (int k = 0; k < flags.Length; k++)
        {
            if (!IsRunningDm(flags[k]))
                continue;
            target[k] = growTo[k];
            shortfall += Math.Max(0, growTo[k] - assigned[k]);
            limit[k] = Mechanisms.GuestLimit(h, k, t.TickIndex);
        }

        h.Shortfall = shortfall;

        // R12 toward the goals above.
        bool shrinking = false;
        for (int k = 0; k < flags.Length; k++)
        {
            if (!IsRunningDm(flags[k]) || assigned[k] <= shrinkTo[k])
                continue;
            int x = Mechanisms.Remove(h, k, assigned[k] - shrinkTo[k], t.RemoveCap, t.GMask, limit[k], out int asked);
            shrinking |= x > 0;
            if (stuckTicks > 0)
                Progress(h, k, asked, x, stuckTicks);
        }

        // R13 toward the goals below, in slot order while Available lasts (P4: not while any balloon is still shrinking).
        if (!(twoPhase && shrinking))
        {
            for (int k = 0; k < flags.Length; k++)
            {
                if (!IsRunningDm(flags[k]) || assigned[k] >= growTo[k])
                    continue;
                int offered = Math.Min(growTo[k] - assigned[k], h.Available);
                int got = Mechanisms.Grant(h, k, offered, limit[k]);
                if (stuckTicks > 0)
                    Progress(h, k, offered, got, stuckTicks);
            }
        }

        byte below = 0;
        for (int k = 0; k < flags.Length; k++)
        {
            if (!IsRunningDm(flags[k]))
                continue;
            if (assigned[k] < growTo[k])
                below = 1;
            if (stuckTicks > 0 && assigned[k] == growTo[k] && assigned[k] <= shrinkTo[k])
                h.NoProgress[k] = 0;                          // no change outstanding
        }

        h.Short = below;
    }

    /// <summary>
    /// The decisions of <see cref="Move"/> for a host whose guests are all ideal (P10), for a finishing pass that applies
    /// them lane by lane: per offset the R13 grant in <paramref name="grant"/> and what the VM shrinks toward in
    /// <paramref name="alloc"/> (R12 then takes <c>min(Assigned − alloc, cap, Assigned − Minimum, Linux limit)</c>). Writes
    /// Target, Shortfall and Short as <see cref="Move"/> does; moves nothing (Available is lowered by the grants when they
    /// are applied). With ideal guests every removal R12 allows happens and no stuck count moves.
    /// </summary>
    public static void PlanGrants(in PolicyHost h, in PolicyTick t, PolicyScratch s, bool twoPhase, Span<int> grant, Span<int> alloc)
    {
        Span<int> flags = h.Flags, assigned = h.Assigned, target = h.Target;
        ReadOnlySpan<int> growTo = s.GrowTo, shrinkTo = s.ShrinkTo;
        long shortfall = 0;
        bool shrinking = false;
        for (int k = 0; k < flags.Length; k++)
        {
            grant[k] = 0;
            if (!IsRunningDm(flags[k]))
            {
                alloc[k] = int.MaxValue;
                continue;
            }

            int a = assigned[k];
            target[k] = growTo[k];
            shortfall += Math.Max(0, growTo[k] - a);
            alloc[k] = shrinkTo[k];
            if (a > shrinkTo[k] && !shrinking)
                shrinking = Mechanisms.RemovalLimit(h, k, a - shrinkTo[k], t.RemoveCap, t.GMask) > 0;
        }

        h.Shortfall = shortfall;
        if (twoPhase && shrinking)
        {
            h.Short = (byte)(shortfall > 0 ? 1 : 0);
            return;
        }

        // R13 in slot order while Available lasts: everyone's deficit when Available covers them all.
        long left = h.Available;
        byte below = 0;
        for (int k = 0; k < flags.Length; k++)
        {
            if (!IsRunningDm(flags[k]) || assigned[k] >= growTo[k])
                continue;
            int deficit = growTo[k] - assigned[k];
            int g = (int)Math.Min(deficit, left);
            grant[k] = g;
            left -= g;
            below |= (byte)(g < deficit ? 1 : 0);
        }

        h.Short = below;
    }

    /// <summary>P10: a move asked of the guest that it did not make counts toward "stuck"; any move clears it.</summary>
    private static void Progress(in PolicyHost h, int k, int asked, int moved, int stuckTicks)
    {
        if (moved > 0)
            h.NoProgress[k] = 0;
        else if (asked > 0)
            h.NoProgress[k] = h.NoProgress[k] >= stuckTicks ? stuckTicks : h.NoProgress[k] + 1; // (not min(n + 1, stuck): at a stuck spell of int.MaxValue ticks, n + 1 wrapped to int.MinValue)
    }
}

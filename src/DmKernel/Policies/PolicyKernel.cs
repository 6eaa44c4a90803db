using DmKernel.Kernel;

namespace DmKernel.Policies;

/// <summary>
/// The per-host kernel of a goal-driven policy (static, squeezed, MoM, ESX): the shared steps of the Hyper-V kernel
/// (R12's pending memory, R17's reset, R5, R4–R7, R8's demand), then the policy's goals and the shared moves
/// (<see cref="PolicyPlan"/>), then the shared outputs (R16, R10, R20, R17–R19: <see cref="ScalarKernel.Finish"/>). The
/// policy is a struct type argument, so the JIT specializes this loop for each: no virtual call per VM or per host.
/// Hosts are independent, so any split of hosts across threads gives the same result. The goals and the plan are scalar
/// on every path; on a vector path (<typeparamref name="TFinish"/>) a host whose guests are all ideal (P10) and none
/// counted stuck has its moves planned as per-slot grants and shrink targets (<see cref="GoalMoves.PlanGrants"/>) and
/// applied, with the outputs, by the vector kernel's finishing pass, bit-identical to <see cref="GoalMoves.Move"/> and
/// <see cref="ScalarKernel.Finish"/> (the property tests compare every path after every tick).
/// </summary>
internal static class PolicyKernel<TPolicy, TFinish>
    where TPolicy : struct, IPolicy
    where TFinish : struct, IPolicyFinish
{
    public static void TickHosts(FleetColumns columns, int first, int end, in TickContext ctx, in PolicyTick tick, HostScratch scratch, PolicyScratch policyScratch)
    {
        for (int h = first; h < end; h++)
            TickHost(columns.Host(h), ctx, tick, scratch, policyScratch);
    }

    public static void TickHost(in HostColumns host, in TickContext ctx, in PolicyTick tick, HostScratch scratch, PolicyScratch policyScratch)
    {
        ScalarKernel.StartHostTick(host);
        int n = host.Count;
        Span<int> flagsCol = host.Flags;

        // R4–R7: lifecycle requests made since the last tick (shared with Hyper-V; no reclaim from other VMs under static);
        // a vector path's reclaims from the donor index, as the Hyper-V vector kernel's (the scalar path's scan is the reference).
        if (host.PendingRequests > 0)
            Lifecycle.ProcessRequests(host, ctx, scratch, TPolicy.StartsReclaim, indexed: TFinish.Vector);

        // R8 demand; Off VMs hold nothing; Booting and static VMs hold Startup. Running DM VMs get the policy's goal.
        Span<int> committedCol = host.Committed, assignedCol = host.Assigned, demandCol = host.Demand, targetCol = host.Target;
        Span<int> startupCol = host.Startup;
        for (int k = 0; k < n; k++)
        {
            int flags = flagsCol[k];
            if ((flags & VmFlags.StateMask) == 0)
            {
                demandCol[k] = 0;
                targetCol[k] = 0;
                continue;
            }

            int demand = committedCol[k];
            if ((flags & VmFlags.Linux) != 0)
                demand += Rules.LinuxFloor(assignedCol[k]);             // R8: Linux reports committed + floor(Assigned)
            demandCol[k] = demand;
            if ((flags & (VmFlags.StateMask | VmFlags.Dynamic)) != VmFlags.RunningDynamic)
                targetCol[k] = startupCol[k];
            flagsCol[k] = flags & ~VmFlags.Reclaiming;                  // R15's mark is Hyper-V's alone
        }

        // P1: the policy decides each Running DM VM's goal and the order of grants; the moves are shared (R12, R13, P10).
        var view = new PolicyHost(host);
        GoalMoves.ResetIdle(view);
        TPolicy.Goals(view, tick, policyScratch);
        if (TFinish.Vector && AllIdeal(host.GuestKind) && (!TPolicy.TracksStuck || AllZero(host.NoProgress)))
        {
            GoalMoves.PlanGrants(view, tick, policyScratch, TPolicy.TwoPhase, scratch.Grant.AsSpan(0, n), scratch.Alloc.AsSpan(0, n));
            TFinish.Finish(host, ctx, scratch);
            return;
        }

        GoalMoves.Move(view, tick, policyScratch, TPolicy.TwoPhase, TPolicy.TracksStuck ? tick.StuckTicks : 0);
        ScalarKernel.Finish(host, ctx);
    }

    /// <summary>P10: every guest of the host is ideal (a free slot's kind is 0, ideal).</summary>
    private static bool AllIdeal(ReadOnlySpan<byte> kinds) => !kinds.ContainsAnyExcept((byte)GuestResponseKind.Ideal);

    private static bool AllZero(ReadOnlySpan<int> counts) => !counts.ContainsAnyExcept(0);
}

/// <summary>How a goal policy's per-host kernel finishes a host: the scalar moves and outputs, or a vector finishing pass.</summary>
internal interface IPolicyFinish
{
    /// <summary>True: planned moves are applied by <see cref="Finish"/> where the host allows it.</summary>
    static abstract bool Vector { get; }

    static abstract void Finish(in HostColumns host, in TickContext ctx, HostScratch scratch);
}

/// <summary>The scalar reference: <see cref="GoalMoves.Move"/> then <see cref="ScalarKernel.Finish"/> on every host.</summary>
internal struct ScalarFinish : IPolicyFinish
{
    public static bool Vector => false;

    public static void Finish(in HostColumns host, in TickContext ctx, HostScratch scratch) => ScalarKernel.Finish(host, ctx);
}

/// <summary>The vector kernel's finishing pass over <typeparamref name="TV"/> lanes (<see cref="VectorKernel{TV}.FinishPlanned"/>).</summary>
internal struct VectorFinish<TV> : IPolicyFinish
    where TV : struct, IVec<TV>
{
    public static bool Vector => true;

    public static void Finish(in HostColumns host, in TickContext ctx, HostScratch scratch) => VectorKernel<TV>.FinishPlanned(host, ctx, scratch);
}

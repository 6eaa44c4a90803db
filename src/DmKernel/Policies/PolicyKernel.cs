using DmKernel.Kernel;

namespace DmKernel.Policies;

/// <summary>
/// The per-host kernel of a goal-driven policy (static, squeezed, MoM, ESX): the shared steps of the Hyper-V kernel
/// (R12's pending memory, R17's reset, R5, R4–R7, R8's demand), then the policy's goals and the shared moves
/// (<see cref="PolicyPlan"/>), then the shared outputs (R16, R10, R20, R17–R19: <see cref="ScalarKernel.Finish"/>). The
/// policy is a struct type argument, so the JIT specializes this loop for each: no virtual call per VM or per host.
/// Hosts are independent, so any split of hosts across threads gives the same result. One scalar implementation serves
/// every kernel path (the policies' per-VM parts are not vectorized; docs/policies.md).
/// </summary>
internal static class PolicyKernel<TPolicy>
    where TPolicy : struct, IPolicy
{
    public static void TickHosts(FleetColumns columns, int first, int end, in TickContext ctx, in PolicyTick tick, HostScratch scratch, PolicyScratch policyScratch)
    {
        for (int h = first; h < end; h++)
            TickHost(columns.Host(h), ctx, tick, scratch, policyScratch);
    }

    public static void TickHost(in HostColumns host, in TickContext ctx, in PolicyTick tick, HostScratch scratch, PolicyScratch policyScratch)
    {
        int n = host.Count;
        Span<int> flagsCol = host.Flags, bootCol = host.BootTicksLeft;
        Span<int> unballoonedCol = host.Unballooned, hotAddedCol = host.HotAdded, removedCol = host.Removed;

        // R12: memory ballooned in the previous tick joins Available at the start of this one.
        host.Available += host.PendingFreed;
        host.PendingFreed = 0;

        for (int k = 0; k < n; k++)
        {
            // R17: this tick's decisions start at zero.
            unballoonedCol[k] = 0;
            hotAddedCol[k] = 0;
            removedCol[k] = 0;

            // R5: a Booting VM counts down its grace; at zero it is Running and balanced from this tick on.
            if ((flagsCol[k] & VmFlags.StateMask) == VmFlags.Booting && --bootCol[k] == 0)
            {
                flagsCol[k] = (flagsCol[k] & ~VmFlags.StateMask) | VmFlags.Running;
                host.State[k] = (byte)VmState.Running;
            }
        }

        // R4–R7: lifecycle requests made since the last tick (shared with Hyper-V; no reclaim from other VMs under static).
        if (host.PendingRequests > 0)
            Lifecycle.ProcessRequests(host, ctx, scratch, TPolicy.StartsReclaim);

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
        PolicyPlan.Run<TPolicy>(new PolicyHost(host), tick, policyScratch);

        ScalarKernel.Finish(host, ctx);
    }
}

namespace DmKernel.Policies;

/// <summary>
/// A balancer policy: per host and tick, after the shared steps (R12's pending memory, R17's reset, R5, R4–R7, R8's
/// demand), it decides each Running DM VM's goal (written to Target) and the order of grants, and moves memory only
/// through <see cref="Mechanisms"/>; the shared outputs (R10, R16, R18–R20) follow. Implementations are structs used as
/// generic type arguments, so the JIT specializes the per-host kernel for each: no virtual call per VM or per host.
/// </summary>
internal interface IPolicy
{
    /// <summary>Goals, Target, Shortfall and Short, and the tick's removals and grants for the host's Running DM VMs.</summary>
    static abstract void Plan(in PolicyHost host, in PolicyTick tick, PolicyScratch scratch);
}

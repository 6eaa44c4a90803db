namespace DmKernel;

/// <summary>
/// Which memory balancer decides the goals of a host's VMs (docs/policies.md). Every policy shares the state, the
/// lifecycle, the removal and addition mechanisms and the outputs (P1); they differ only in each Running Dynamic Memory
/// VM's goal and the order in which grants are served.
/// </summary>
public enum PolicyKind
{
    /// <summary>Hyper-V Dynamic Memory: R9's target, R11's plan, R13's order and R15's passive reclaim.</summary>
    HyperV = 0,

    /// <summary>Every VM holds its Startup and never moves (P1).</summary>
    Static = 1,

    /// <summary>Xen squeezed: one proportional fraction γ per host, two-phase targets (P2–P4).</summary>
    Squeezed = 2,

    /// <summary>oVirt MoM: per-VM threshold rules on a host free share averaged over 10 samples (P5–P6).</summary>
    Mom = 3,

    /// <summary>VMware ESX: allocation on touch, min-funding revocation with the idle-memory tax (P7–P9).</summary>
    Esx = 4,
}

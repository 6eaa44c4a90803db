namespace DmKernel;

/// <summary>Lifecycle state of a VM slot.</summary>
public enum VmState : byte
{
    /// <summary>Holds no memory (R7); a start request (R4) boots it.</summary>
    Off = 0,

    /// <summary>R5: started, keeps Startup and takes no part in balancing until its boot grace ends.</summary>
    Booting = 1,

    /// <summary>Past its boot grace: balanced every tick (R8–R16) when Dynamic Memory is on.</summary>
    Running = 2,
}

/// <summary>R20: the memory status of a VM.</summary>
public enum MemoryStatus : byte
{
    /// <summary>Neither Low nor Warning (also every Off VM).</summary>
    Ok = 0,

    /// <summary>Assigned &lt; Target.</summary>
    Low = 1,

    /// <summary>Demand &gt; Assigned: the guest is paging.</summary>
    Warning = 2,
}

/// <summary>A lifecycle request waiting for the next tick (R4, R6, R7).</summary>
public enum LifecycleRequest : byte
{
    /// <summary>No request is waiting.</summary>
    None = 0,

    /// <summary>R4: start an Off VM.</summary>
    Start = 1,

    /// <summary>R6: restart a Booting or Running VM (a Booting one starts its boot grace again).</summary>
    Restart = 2,

    /// <summary>R7: stop a Booting or Running VM.</summary>
    Stop = 3,
}

/// <summary>What the last processed lifecycle request of a VM did.</summary>
public enum LifecycleResult : byte
{
    /// <summary>No request has been processed yet.</summary>
    None = 0,

    /// <summary>R4, R5: started from Off; the VM is Booting.</summary>
    Started = 1,

    /// <summary>R4: not enough memory even after reclaim; the VM stays Off.</summary>
    NotEnoughMemory = 2,

    /// <summary>R6: restarted with all of Startup in RAM; the VM is Booting.</summary>
    Restarted = 3,

    /// <summary>R6: restarted with part of Startup backed by Smart Paging.</summary>
    RestartedWithSmartPaging = 4,

    /// <summary>R6: not enough memory and Smart Paging off; the VM is Off.</summary>
    RestartFailed = 5,

    /// <summary>R7: stopped; its memory returned to the pool.</summary>
    Stopped = 6,
}

/// <summary>
/// Bits of the per-VM <c>Flags</c> column. The lifecycle state, the static settings the hot loop needs and
/// the R15 / R20 runtime marks share one 32-bit column so that the kernel reads and writes one word per VM.
/// </summary>
internal static class VmFlags
{
    public const int StateMask = 0b11;
    public const int Booting = (int)VmState.Booting;
    public const int Running = (int)VmState.Running;
    public const int Dynamic = 1 << 2;
    public const int Linux = 1 << 3;

    /// <summary>R15: the VM is being ballooned toward Target after a reclaim tick.</summary>
    public const int Reclaiming = 1 << 4;

    /// <summary>The slot holds a VM (added, not removed).</summary>
    public const int Used = 1 << 5;

    public const int StatusShift = 6;
    public const int StatusMask = 0b11 << StatusShift;
    public const int Low = (int)MemoryStatus.Low << StatusShift;
    public const int Warning = (int)MemoryStatus.Warning << StatusShift;

    /// <summary>The bits that settings set; the rest is runtime state.</summary>
    public const int SettingBits = Dynamic | Linux | Used;

    /// <summary>Derived: SmartPaging &gt; 0 (R16 has something to drain), so the tick reads Smart Paging only where this is set.</summary>
    public const int HasSmartPaging = 1 << 8;

    /// <summary>
    /// Derived: this tick's decisions (R17: unballooned, hot-added, removed) are not all zero. A VM without the mark has
    /// zeros in all three, so the tick writes the decision columns only where a VM has or had a decision.
    /// </summary>
    public const int Decided = 1 << 9;

    /// <summary>The bits of the model's state (hashed); <see cref="HasSmartPaging"/> and <see cref="Decided"/> are derived marks.</summary>
    public const int ModelBits = 0xFF;

    /// <summary>Running and Dynamic: the VMs the balancer works on.</summary>
    public const int RunningDynamic = Running | Dynamic;
}

using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DmKernel;

public sealed partial class Fleet
{
    /// <summary>Adds a VM, Off, in the first free slot of <paramref name="host"/>; returns its slot. Settings are checked by R1.</summary>
    public int AddVm(int host, in VmSettings settings)
    {
        CheckHost(host);
        int start = HostStartCol[host], limit = start + HostVmLimitCol[host];
        for (int i = start; i < limit; i++)
        {
            if ((FlagsCol[i] & VmFlags.Used) == 0)
            {
                ValidateR1(i, settings);
                WriteSettings(i, settings);
                FlagsCol[i] |= VmFlags.Used;
                return i;
            }
        }

        throw new InvalidOperationException($"Host {host} is full: all {HostVmLimitCol[host]} VM slots are in use.");
    }

    /// <summary>Removes an Off VM; its slot becomes free (and neutral) again. Cumulative counters are cleared.</summary>
    public void RemoveVm(int vm)
    {
        int i = CheckUsed(vm);
        if (StateOf(i) != VmState.Off)
            ThrowHelper.BadState(vm, StateOf(i), "remove it", "Off (stop it first)");
        if (RequestCol[i] != 0)
        {
            RequestCol[i] = 0;
            HostPendingRequestsCol[HostOfSlot[i]]--;
        }

        ClearRuntime(i);
        FlagsCol[i] = 0;
        StartupCol[i] = MinimumCol[i] = MaximumCol[i] = BufferCol[i] = WeightCol[i] = 0;
        CommittedCol[i] = 0;
        UnballoonedCol[i] = HotAddedCol[i] = RemovedCol[i] = 0;
        AddedTotalCol[i] = RemovedTotalCol[i] = 0;
        AddOpsCol[i] = RemoveOpsCol[i] = 0;
        ResultCol[i] = 0;
        GenerationCol[i] = 0;
    }

    /// <summary>
    /// Changes a VM's settings atomically: R1 always, and R2 while the VM is Booting or Running (raise Maximum,
    /// lower Minimum, change Buffer or Weight only). A refused change names the VM, the setting, the value and
    /// the rule, and leaves everything as it was.
    /// </summary>
    public void Configure(int vm, in VmSettings settings)
    {
        int i = CheckUsed(vm);
        ValidateR1(i, settings);
        if (StateOf(i) != VmState.Off)
            ValidateR2(i, settings);
        WriteSettings(i, settings);
    }

    /// <summary>The settings of a VM.</summary>
    public VmSettings GetSettings(int vm)
    {
        int i = CheckUsed(vm);
        int f = FlagsCol[i];
        return new VmSettings(StartupCol[i], MinimumCol[i], MaximumCol[i], BufferCol[i], WeightCol[i],
            (f & VmFlags.Dynamic) != 0, (f & VmFlags.Linux) != 0 ? GuestKind.Linux : GuestKind.Windows);
    }

    /// <summary>Whether a slot holds a VM.</summary>
    public bool IsUsed(int vm) => (FlagsCol[CheckVm(vm)] & VmFlags.Used) != 0;

    /// <summary>R1: sizes are multiples of G; 32 &lt;= Minimum &lt;= Startup &lt;= Maximum &lt;= MaxCeiling; Buffer 5..2000; Weight 0..10000.</summary>
    internal void ValidateR1(int vm, in VmSettings s)
    {
        int g = Model.GranularityMb;
        string mult = $"a multiple of {g} MB";
        if (s.StartupMb % g != 0)
            throw new SettingRejectedException(vm, "Startup", s.StartupMb, "R1", mult);
        if (s.MinimumMb % g != 0)
            throw new SettingRejectedException(vm, "Minimum", s.MinimumMb, "R1", mult);
        if (s.MaximumMb % g != 0)
            throw new SettingRejectedException(vm, "Maximum", s.MaximumMb, "R1", mult);
        if (s.MinimumMb < VmSettings.MinMinimumMb)
            throw new SettingRejectedException(vm, "Minimum", s.MinimumMb, "R1", $"at least {VmSettings.MinMinimumMb} MB");
        if (s.StartupMb < s.MinimumMb)
            throw new SettingRejectedException(vm, "Startup", s.StartupMb, "R1", $"at least Minimum ({s.MinimumMb} MB)");
        if (s.MaximumMb < s.StartupMb)
            throw new SettingRejectedException(vm, "Maximum", s.MaximumMb, "R1", $"at least Startup ({s.StartupMb} MB)");
        if (s.MaximumMb > Model.MaxCeilingMb)
            throw new SettingRejectedException(vm, "Maximum", s.MaximumMb, "R1", $"at most MaxCeiling ({Model.MaxCeilingMb} MB)");
        if (s.BufferPercent < VmSettings.MinBuffer || s.BufferPercent > VmSettings.MaxBuffer)
            throw new SettingRejectedException(vm, "Buffer", s.BufferPercent, "R1", $"{VmSettings.MinBuffer}..{VmSettings.MaxBuffer} %");
        if (s.Weight < VmSettings.MinWeight || s.Weight > VmSettings.MaxWeight)
            throw new SettingRejectedException(vm, "Weight", s.Weight, "R1", $"{VmSettings.MinWeight}..{VmSettings.MaxWeight}");
        if (s.Guest is not (GuestKind.Windows or GuestKind.Linux))
            throw new SettingRejectedException(vm, "Guest", (long)s.Guest, "R1", "Windows or Linux");
    }

    /// <summary>R2: while running only raise Maximum, lower Minimum, change Buffer or Weight.</summary>
    private void ValidateR2(int i, in VmSettings s)
    {
        if (s.StartupMb != StartupCol[i])
            throw new SettingRejectedException(i, "Startup", s.StartupMb, "R2", $"unchanged ({StartupCol[i]} MB) while the VM runs");
        if (s.MaximumMb < MaximumCol[i])
            throw new SettingRejectedException(i, "Maximum", s.MaximumMb, "R2", $"at least the current {MaximumCol[i]} MB while the VM runs (Maximum may only be raised)");
        if (s.MinimumMb > MinimumCol[i])
            throw new SettingRejectedException(i, "Minimum", s.MinimumMb, "R2", $"at most the current {MinimumCol[i]} MB while the VM runs (Minimum may only be lowered)");
        if (s.DynamicMemory != ((FlagsCol[i] & VmFlags.Dynamic) != 0))
            throw new SettingRejectedException(i, "DynamicMemory", s.DynamicMemory ? 1 : 0, "R2", "unchanged while the VM runs");
        if ((s.Guest == GuestKind.Linux) != ((FlagsCol[i] & VmFlags.Linux) != 0))
            throw new SettingRejectedException(i, "Guest", (long)s.Guest, "R2", "unchanged while the VM runs");
    }

    private void WriteSettings(int i, in VmSettings s)
    {
        StartupCol[i] = s.StartupMb;
        MinimumCol[i] = s.MinimumMb;
        MaximumCol[i] = s.MaximumMb;
        BufferCol[i] = s.BufferPercent;
        WeightCol[i] = s.Weight;
        int f = FlagsCol[i] & ~(VmFlags.Dynamic | VmFlags.Linux);
        if (s.DynamicMemory)
            f |= VmFlags.Dynamic;
        if (s.Guest == GuestKind.Linux)
            f |= VmFlags.Linux;
        FlagsCol[i] = f;
    }

    internal int CheckUsed(int vm)
    {
        if ((FlagsCol[CheckVm(vm)] & VmFlags.Used) == 0)
            ThrowHelper.SlotFree(vm);
        return vm;
    }

    internal VmState StateOf(int i) => (VmState)(FlagsCol[i] & VmFlags.StateMask);

    // ---- workload input (R8) ----

    /// <summary>Sets the committed memory a guest reports (R8 input), 0..<see cref="MaxCommittedMb"/> MB.</summary>
    public void SetCommitted(int vm, int committedMb)
    {
        CheckVm(vm);
        if ((uint)committedMb > MaxCommittedMb)
            ThrowHelper.BadCommitted(vm, committedMb);
        CommittedCol[vm] = committedMb;
    }

    /// <summary>Sets the committed memory of every slot at once (one value per slot; free slots are ignored by the kernel).</summary>
    public void SetCommitted(ReadOnlySpan<int> committedMb)
    {
        if (committedMb.Length != SlotCount)
            ThrowHelper.SpanLength(nameof(committedMb), committedMb.Length, SlotCount);
        int bad = IndexOfOutOfRange(committedMb, 0, MaxCommittedMb);
        if (bad >= 0)
            ThrowHelper.BadCommitted(bad, committedMb[bad]);
        committedMb.CopyTo(CommittedCol);
    }

    /// <summary>Sets the committed memory of a contiguous run of slots starting at <paramref name="firstVm"/>.</summary>
    public void SetCommitted(int firstVm, ReadOnlySpan<int> committedMb)
    {
        if ((uint)firstVm > (uint)SlotCount || committedMb.Length > SlotCount - firstVm)
            ThrowHelper.SpanLength(nameof(committedMb), committedMb.Length, SlotCount - Math.Max(0, firstVm));
        int bad = IndexOfOutOfRange(committedMb, 0, MaxCommittedMb);
        if (bad >= 0)
            ThrowHelper.BadCommitted(firstVm + bad, committedMb[bad]);
        committedMb.CopyTo(CommittedCol.AsSpan(firstVm));
    }

    /// <summary>Value of <see cref="ApplyTrace"/> meaning "this VM is off now".</summary>
    public const int TraceOff = -1;

    /// <summary>
    /// Applies one tick of a trace, one value per slot: a value from 0 to <see cref="MaxCommittedMb"/> is the
    /// committed demand of a VM that is on (an Off VM gets a start request, R4); <see cref="TraceOff"/> means the
    /// VM is off (a Booting or Running VM gets a stop request, R7). A VM with a request already pending is left
    /// alone; free slots are ignored. Validates the whole span first, so a bad value changes nothing.
    /// Returns the number of requests made.
    /// </summary>
    public int ApplyTrace(ReadOnlySpan<int> committedOrOff)
    {
        if (committedOrOff.Length != SlotCount)
            ThrowHelper.SpanLength(nameof(committedOrOff), committedOrOff.Length, SlotCount);
        int bad = committedOrOff.IndexOfAnyExceptInRange(TraceOff, MaxCommittedMb);
        if (bad >= 0)
            ThrowHelper.BadCommitted(bad, committedOrOff[bad]);

        // Vectorized: every VM the trace has on takes its value as Committed (off values leave it as it was); lanes whose
        // trace presence differs from their state (a start or a stop to request) are rare and handled one by one.
        ref int valueRef = ref MemoryMarshal.GetReference(committedOrOff);
        ref int committedRef = ref MemoryMarshal.GetArrayDataReference(CommittedCol);
        ref int flagsRef = ref MemoryMarshal.GetArrayDataReference(FlagsCol);
        var zero = Vector256<int>.Zero;
        var stateMask = Vector256.Create(VmFlags.StateMask);
        var used = Vector256.Create(VmFlags.Used);
        int requests = 0;
        int i = 0;
        for (; i <= committedOrOff.Length - Vector256<int>.Count; i += Vector256<int>.Count)
        {
            var value = Vector256.LoadUnsafe(ref valueRef, (nuint)i);
            var flags = Vector256.LoadUnsafe(ref flagsRef, (nuint)i);
            var wantOn = Vector256.GreaterThanOrEqual(value, zero);
            var isUsed = Vector256.Equals(flags & used, used);
            Vector256.ConditionalSelect(wantOn & isUsed, value, Vector256.LoadUnsafe(ref committedRef, (nuint)i)).StoreUnsafe(ref committedRef, (nuint)i);
            var isOn = ~Vector256.Equals(flags & stateMask, zero);
            var mismatch = (wantOn ^ isOn) & isUsed;
            if (mismatch != zero)
            {
                for (int lane = 0; lane < Vector256<int>.Count; lane++)
                    requests += RequestPresence(i + lane, committedOrOff[i + lane]);
            }
        }

        for (; i < committedOrOff.Length; i++)
        {
            if (committedOrOff[i] >= 0 && (FlagsCol[i] & VmFlags.Used) != 0)
                CommittedCol[i] = committedOrOff[i];
            requests += RequestPresence(i, committedOrOff[i]);
        }

        return requests;
    }

    /// <summary>Requests a start for an Off VM the trace has on, a stop for an on VM the trace has off (none if one is pending).</summary>
    private int RequestPresence(int i, int value)
    {
        int flags = FlagsCol[i];
        if ((flags & VmFlags.Used) == 0 || RequestCol[i] != 0)
            return 0;
        bool on = (flags & VmFlags.StateMask) != 0;
        if (value >= 0 == on)
            return 0;
        RequestCol[i] = (byte)(value >= 0 ? LifecycleRequest.Start : LifecycleRequest.Stop);
        HostPendingRequestsCol[HostOfSlot[i]]++;
        return 1;
    }

    private static int IndexOfOutOfRange(ReadOnlySpan<int> values, int low, int high)
        => values.IndexOfAnyExceptInRange(low, high);

    // ---- lifecycle requests (R4–R7), processed at the next tick ----

    /// <summary>Asks to start an Off VM at the next tick (R4, R5). The result is in <see cref="LastResult"/>.</summary>
    public void RequestStart(int vm) => Request(vm, LifecycleRequest.Start);

    /// <summary>Asks to restart a Booting or Running VM at the next tick (R6).</summary>
    public void RequestRestart(int vm) => Request(vm, LifecycleRequest.Restart);

    /// <summary>Asks to stop a Booting or Running VM at the next tick (R7).</summary>
    public void RequestStop(int vm) => Request(vm, LifecycleRequest.Stop);

    private void Request(int vm, LifecycleRequest request)
    {
        int i = CheckUsed(vm);
        VmState state = StateOf(i);
        if (request == LifecycleRequest.Start && state != VmState.Off)
            ThrowHelper.BadState(vm, state, "start it", "Off");
        if (request != LifecycleRequest.Start && state == VmState.Off)
            ThrowHelper.BadState(vm, state, request == LifecycleRequest.Stop ? "stop it" : "restart it", "Booting or Running");
        if (RequestCol[i] == 0)
            HostPendingRequestsCol[HostOfSlot[i]]++;
        RequestCol[i] = (byte)request;
    }

    /// <summary>The request waiting for the next tick, if any.</summary>
    public LifecycleRequest PendingRequest(int vm) => (LifecycleRequest)RequestCol[CheckVm(vm)];
}

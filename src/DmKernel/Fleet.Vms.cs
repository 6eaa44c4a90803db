using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DmKernel;

public sealed partial class Fleet
{
    /// <summary>
    /// Adds a VM, Off, in the first free slot of <paramref name="host"/>; returns its slot. Settings are checked by R1.
    /// Holds the fleet while it runs (docs/public-api.md, "Threads"): refused with <see cref="InvalidOperationException"/>
    /// during a <see cref="Balancer.Tick()"/> and while another call that holds the fleet runs on another thread, and a
    /// tick that starts meanwhile is refused, naming this call; inside an open sharded tick it holds nothing but is
    /// counted: <see cref="Balancer.EndTick"/> is refused until it returns.
    /// </summary>
    public int AddVm(int host, in VmSettings settings)
    {
        bool claimed = BeginCall(FleetCall.AddVm);
        try
        {
            CheckHost(host);
            int start = Cols.HostStart[host], vmLimit = Cols.HostVmLimit[host];
            // R3's first free slot, searched from HostFirstFree (every slot before it is in use) and not at all on a full
            // host (HostUsedSlots): filling or churning a host of n VMs costs O(n) in all, not O(n²).
            if (Cols.HostUsedSlots[host] < vmLimit)
            {
                for (int k = Cols.HostFirstFree[host]; k < vmLimit; k++)
                {
                    int i = start + k;
                    if ((Cols.Flags[i] & VmFlags.Used) == 0)
                    {
                        ValidateR1(i, settings);
                        WriteSettings(i, settings);
                        // A new VM has committed nothing yet: a span given to SetCommitted or Tick(span) may have left a
                        // value in the free slot (the caller's, which the kernel ignores there), and the VM must not
                        // inherit it (before stop 54 it did: a removed VM's last demand from a reused buffer).
                        Cols.Committed[i] = 0;
                        Cols.Flags[i] |= VmFlags.Used;
                        int used = ++Cols.HostUsedSlots[host];
                        Cols.HostFirstFree[host] = used == vmLimit ? vmLimit : k + 1;
                        return i;
                    }
                }
            }

            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"Host {host} is full: all {Cols.HostVmLimit[host]} VM slots are in use."));
        }
        finally
        {
            EndCall(claimed);
        }
    }

    /// <summary>
    /// Removes an Off VM; its slot becomes free (and neutral, but for its generation count, which goes on) again.
    /// Cumulative counters are cleared; the host's keep what the VM added and removed.
    /// Holds the fleet while it runs (docs/public-api.md, "Threads"): refused with <see cref="InvalidOperationException"/>
    /// during a <see cref="Balancer.Tick()"/> and while another call that holds the fleet runs on another thread, and a
    /// tick that starts meanwhile is refused, naming this call; inside an open sharded tick it holds nothing but is
    /// counted: <see cref="Balancer.EndTick"/> is refused until it returns.
    /// </summary>
    public void RemoveVm(int vm)
    {
        bool claimed = BeginCall(FleetCall.RemoveVm);
        try
        {
            int i = CheckUsed(vm);
            if (StateOf(i) != VmState.Off)
                ThrowHelper.BadState(vm, StateOf(i), "remove it", "Off (stop it first)");
            if (Cols.Request[i] != 0)
            {
                Cols.Request[i] = 0;
                Cols.HostPendingRequests[Cols.HostOfSlot[i]]--;
            }

            if (Cols.GuestKind[i] != (byte)GuestResponseKind.Ideal)
                Cols.HostNonIdealGuests[Cols.HostOfSlot[i]]--;         // P10: the slot's guest goes back to ideal
            int host = Cols.HostOfSlot[i], offset = i - Cols.HostStart[host];
            Cols.HostUsedSlots[host]--;
            if (offset < Cols.HostFirstFree[host])
                Cols.HostFirstFree[host] = offset;                      // R3: the host's first free slot for AddVm
            int generation = Cols.Generation[i];
            Cols.ResetSlot(i);
            Cols.Generation[i] = generation + 1;                        // a new VM in the slot is never taken for this one (InvariantChecker's R14)
            Cols.SetTargetLimit(i);                                     // a free slot's settings are 0
            Changed();
        }
        finally
        {
            EndCall(claimed);
        }
    }

    /// <summary>
    /// Changes a VM's settings atomically: R1 always, and R2 while the VM is Booting or Running (raise Maximum,
    /// lower Minimum, change Buffer or Weight only). A refused change names the VM, the setting, the value and
    /// the rule, and leaves everything as it was.
    /// Holds the fleet while it runs (docs/public-api.md, "Threads"): refused with <see cref="InvalidOperationException"/>
    /// during a <see cref="Balancer.Tick()"/> and while another call that holds the fleet runs on another thread, and a
    /// tick that starts meanwhile is refused, naming this call; inside an open sharded tick it holds nothing but is
    /// counted: <see cref="Balancer.EndTick"/> is refused until it returns.
    /// </summary>
    public void Configure(int vm, in VmSettings settings)
    {
        bool claimed = BeginCall(FleetCall.Configure);
        try
        {
            int i = CheckUsed(vm);
            ValidateR1(i, settings);
            if (StateOf(i) != VmState.Off)
                ValidateR2(i, settings);
            WriteSettings(i, settings);
        }
        finally
        {
            EndCall(claimed);
        }
    }

    /// <summary>The settings of a VM.</summary>
    public VmSettings GetSettings(int vm)
    {
        int i = CheckUsed(vm);
        int f = Cols.Flags[i];
        return new VmSettings(Cols.Startup[i], Cols.Minimum[i], Cols.Maximum[i], Cols.Buffer[i], Cols.Weight[i],
            (f & VmFlags.Dynamic) != 0, (f & VmFlags.Linux) != 0 ? GuestKind.Linux : GuestKind.Windows);
    }

    /// <summary>
    /// P10: how the VM's guest answers the balancer (ideal unless set), under every policy: its balloon and hot-add
    /// moves per tick are limited as the response says. Kept across stops and restarts, cleared when the VM is removed.
    /// Holds the fleet while it runs (docs/public-api.md, "Threads"): refused with <see cref="InvalidOperationException"/>
    /// during a <see cref="Balancer.Tick()"/> and while another call that holds the fleet runs on another thread, and a
    /// tick that starts meanwhile is refused, naming this call; inside an open sharded tick it holds nothing but is
    /// counted: <see cref="Balancer.EndTick"/> is refused until it returns.
    /// </summary>
    public void SetGuestResponse(int vm, GuestResponse response)
    {
        bool claimed = BeginCall(FleetCall.SetGuestResponse);
        try
        {
            int i = CheckUsed(vm);
            response.Validate();
            bool spells = response.Kind == GuestResponseKind.IntermittentlyStuck;
            bool wasIdeal = Cols.GuestKind[i] == (byte)GuestResponseKind.Ideal, isIdeal = response.Kind == GuestResponseKind.Ideal;
            if (wasIdeal != isIdeal)
                Cols.HostNonIdealGuests[Cols.HostOfSlot[i]] += isIdeal ? -1 : 1;
            Cols.GuestKind[i] = (byte)response.Kind;
            Cols.GuestRate[i] = response.Kind == GuestResponseKind.Rate
                ? Policies.Responsiveness.RatePerTick(response.RateMbPerSecond, Model.TickSeconds, Model.GranularityMb) : 0;
            Cols.GuestStuck[i] = spells ? Model.ToTicks(response.StuckSeconds) : 0;
            Cols.GuestIdeal[i] = spells ? Model.ToTicks(response.IdealSeconds) : 0;
            Changed();
        }
        finally
        {
            EndCall(claimed);
        }
    }

    /// <summary>Whether a slot holds a VM.</summary>
    public bool IsUsed(int vm) => (Cols.Flags[CheckVm(vm)] & VmFlags.Used) != 0;

    /// <summary>R1: sizes are multiples of G; 32 &lt;= Minimum &lt;= Startup &lt;= Maximum &lt;= MaxCeiling; Buffer 5..2000; Weight 0..10000.</summary>
    internal void ValidateR1(int vm, in VmSettings s)
    {
        // Messages are built only when a setting is refused: a valid call allocates nothing.
        int g = Model.GranularityMb;
        if (s.StartupMb % g != 0)
            throw new SettingRejectedException(vm, "Startup", s.StartupMb, "R1", string.Create(CultureInfo.InvariantCulture, $"a multiple of {g} MB"));
        if (s.MinimumMb % g != 0)
            throw new SettingRejectedException(vm, "Minimum", s.MinimumMb, "R1", string.Create(CultureInfo.InvariantCulture, $"a multiple of {g} MB"));
        if (s.MaximumMb % g != 0)
            throw new SettingRejectedException(vm, "Maximum", s.MaximumMb, "R1", string.Create(CultureInfo.InvariantCulture, $"a multiple of {g} MB"));
        if (s.MinimumMb < VmSettings.MinMinimumMb)
            throw new SettingRejectedException(vm, "Minimum", s.MinimumMb, "R1", string.Create(CultureInfo.InvariantCulture, $"at least {VmSettings.MinMinimumMb} MB"));
        if (s.StartupMb < s.MinimumMb)
            throw new SettingRejectedException(vm, "Startup", s.StartupMb, "R1", string.Create(CultureInfo.InvariantCulture, $"at least Minimum ({s.MinimumMb} MB)"));
        if (s.MaximumMb < s.StartupMb)
            throw new SettingRejectedException(vm, "Maximum", s.MaximumMb, "R1", string.Create(CultureInfo.InvariantCulture, $"at least Startup ({s.StartupMb} MB)"));
        if (s.MaximumMb > Model.MaxCeilingMb)
            throw new SettingRejectedException(vm, "Maximum", s.MaximumMb, "R1", string.Create(CultureInfo.InvariantCulture, $"at most MaxCeiling ({Model.MaxCeilingMb} MB)"));
        if (s.BufferPercent < VmSettings.MinBuffer || s.BufferPercent > VmSettings.MaxBuffer)
            throw new SettingRejectedException(vm, "Buffer", s.BufferPercent, "R1", string.Create(CultureInfo.InvariantCulture, $"{VmSettings.MinBuffer}..{VmSettings.MaxBuffer} %"));
        if (s.Weight < VmSettings.MinWeight || s.Weight > VmSettings.MaxWeight)
            throw new SettingRejectedException(vm, "Weight", s.Weight, "R1", string.Create(CultureInfo.InvariantCulture, $"{VmSettings.MinWeight}..{VmSettings.MaxWeight}"));
        if (s.Guest is not (GuestKind.Windows or GuestKind.Linux))
            throw new SettingRejectedException(vm, "Guest", (long)s.Guest, "R1", "Windows or Linux");
    }

    /// <summary>R2: while running only raise Maximum, lower Minimum, change Buffer or Weight.</summary>
    private void ValidateR2(int i, in VmSettings s)
    {
        if (s.StartupMb != Cols.Startup[i])
            throw new SettingRejectedException(i, "Startup", s.StartupMb, "R2", string.Create(CultureInfo.InvariantCulture, $"unchanged ({Cols.Startup[i]} MB) while the VM runs"));
        if (s.MaximumMb < Cols.Maximum[i])
            throw new SettingRejectedException(i, "Maximum", s.MaximumMb, "R2", string.Create(CultureInfo.InvariantCulture, $"at least the current {Cols.Maximum[i]} MB while the VM runs (Maximum may only be raised)"));
        if (s.MinimumMb > Cols.Minimum[i])
            throw new SettingRejectedException(i, "Minimum", s.MinimumMb, "R2", string.Create(CultureInfo.InvariantCulture, $"at most the current {Cols.Minimum[i]} MB while the VM runs (Minimum may only be lowered)"));
        // Named as written (false, Linux), not as Value's number (0, 1).
        if (s.DynamicMemory != ((Cols.Flags[i] & VmFlags.Dynamic) != 0))
            throw new SettingRejectedException(i, "DynamicMemory", s.DynamicMemory ? 1 : 0, s.DynamicMemory ? "true" : "false", "R2", $"unchanged ({(s.DynamicMemory ? "false" : "true")}) while the VM runs");
        if ((s.Guest == GuestKind.Linux) != ((Cols.Flags[i] & VmFlags.Linux) != 0))
            throw new SettingRejectedException(i, "Guest", (long)s.Guest, s.Guest.ToString(), "R2", $"unchanged ({(s.Guest == GuestKind.Linux ? GuestKind.Windows : GuestKind.Linux)}) while the VM runs");
    }

    private void WriteSettings(int i, in VmSettings s)
    {
        Cols.Startup[i] = s.StartupMb;
        Cols.Minimum[i] = s.MinimumMb;
        Cols.Maximum[i] = s.MaximumMb;
        Cols.Buffer[i] = (ushort)s.BufferPercent;     // R1: 5..2000
        Cols.Weight[i] = (ushort)s.Weight;            // R1: 0..10 000
        int f = Cols.Flags[i] & ~(VmFlags.Dynamic | VmFlags.Linux);
        if (s.DynamicMemory)
            f |= VmFlags.Dynamic;
        if (s.Guest == GuestKind.Linux)
            f |= VmFlags.Linux;
        Cols.Flags[i] = f;
        Cols.SetTargetLimit(i);
        Changed();
    }

    internal int CheckUsed(int vm)
    {
        if ((Cols.Flags[CheckVm(vm)] & VmFlags.Used) == 0)
            ThrowHelper.SlotFree(vm);
        return vm;
    }

    internal VmState StateOf(int i) => (VmState)(Cols.Flags[i] & VmFlags.StateMask);

    // ---- workload input (R8) ----

    /// <summary>
    /// Sets the committed memory a guest reports (R8 input), 0..<see cref="MaxCommittedMb"/> MB. A free slot takes the
    /// value too (the state hash and <see cref="SaveState"/> cover it; <see cref="AddVm"/> starts its VM at 0).
    /// </summary>
    public void SetCommitted(int vm, int committedMb)
    {
        CheckVm(vm);
        if ((uint)committedMb > MaxCommittedMb)
            ThrowHelper.BadCommitted(vm, committedMb, nameof(committedMb));
        Cols.Committed[vm] = committedMb;
    }

    /// <summary>
    /// Sets the committed memory of every slot at once (one value per slot). Free slots take their value too, which no
    /// tick reads and <see cref="AddVm"/> clears; it is part of the state <see cref="ComputeStateHash"/> and
    /// <see cref="SaveState"/> cover, so give free slots 0 (or use <see cref="UpdateCommitted(int, ReadOnlySpan{int})"/>, which
    /// leaves them alone) where two runs' hashes are compared.
    /// </summary>
    public void SetCommitted(ReadOnlySpan<int> committedMb)
    {
        if (committedMb.Length != SlotCount)
            ThrowHelper.SpanLength(nameof(committedMb), committedMb.Length, SlotCount);
        int bad = IndexOfOutOfRange(committedMb, 0, MaxCommittedMb);
        if (bad >= 0)
            ThrowHelper.BadCommitted(bad, committedMb[bad], nameof(committedMb));
        committedMb.CopyTo(Cols.Committed);
    }

    /// <summary>Sets the committed memory of a contiguous run of slots starting at <paramref name="firstVm"/>.</summary>
    public void SetCommitted(int firstVm, ReadOnlySpan<int> committedMb)
    {
        if ((uint)firstVm > (uint)SlotCount || committedMb.Length > SlotCount - firstVm)
            ThrowHelper.SlotRun(firstVm, committedMb.Length, SlotCount, nameof(committedMb));
        int bad = IndexOfOutOfRange(committedMb, 0, MaxCommittedMb);
        if (bad >= 0)
            ThrowHelper.BadCommitted(firstVm + bad, committedMb[bad], nameof(committedMb));
        committedMb.CopyTo(Cols.Committed.AsSpan(firstVm));
    }

    /// <summary>A value of <see cref="UpdateCommitted"/> meaning "no report for this VM this tick".</summary>
    public const int NotReported = -1;

    /// <summary>
    /// Sets the committed memory of a contiguous run of slots starting at <paramref name="firstVm"/> where the workload
    /// reported one: a value from 0 to <see cref="MaxCommittedMb"/> is the VM's committed memory (R8 input),
    /// <see cref="NotReported"/> leaves the VM's committed memory as it is. Free slots are left alone. Validates the
    /// whole span first, so a bad value changes nothing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void UpdateCommitted(int firstVm, ReadOnlySpan<int> committedMbOrNotReported)
    {
        if ((uint)firstVm > (uint)SlotCount || committedMbOrNotReported.Length > SlotCount - firstVm)
            ThrowHelper.SlotRun(firstVm, committedMbOrNotReported.Length, SlotCount, nameof(committedMbOrNotReported));
        int bad = committedMbOrNotReported.IndexOfAnyExceptInRange(NotReported, MaxCommittedMb);
        if (bad >= 0)
            ThrowHelper.BadCommitted(firstVm + bad, committedMbOrNotReported[bad], nameof(committedMbOrNotReported));

        // Lanes that are reported and hold a VM take the value; the others keep theirs.
        ref int valueRef = ref MemoryMarshal.GetReference(committedMbOrNotReported);
        ref int committedRef = ref MemoryMarshal.GetArrayDataReference(Cols.Committed);
        ref int flagsRef = ref MemoryMarshal.GetArrayDataReference(Cols.Flags);
        var zero = Vector256<int>.Zero;
        var used = Vector256.Create(VmFlags.Used);
        int n = committedMbOrNotReported.Length, i = 0;
        for (; i <= n - Vector256<int>.Count; i += Vector256<int>.Count)
        {
            nuint x = (nuint)(firstVm + i);
            var value = Vector256.LoadUnsafe(ref valueRef, (nuint)i);
            var take = Vector256.GreaterThanOrEqual(value, zero) & Vector256.Equals(Vector256.LoadUnsafe(ref flagsRef, x) & used, used);
            Vector256.ConditionalSelect(take, value, Vector256.LoadUnsafe(ref committedRef, x)).StoreUnsafe(ref committedRef, x);
        }

        for (; i < n; i++)
        {
            int slot = firstVm + i;
            if (committedMbOrNotReported[i] >= 0 && (Cols.Flags[slot] & VmFlags.Used) != 0)
                Cols.Committed[slot] = committedMbOrNotReported[i];
        }
    }

    private static int IndexOfOutOfRange(ReadOnlySpan<int> values, int low, int high)
        => values.IndexOfAnyExceptInRange(low, high);

    // ---- lifecycle requests (R4–R7), processed at the next tick ----

    /// <summary>
    /// Asks to start an Off VM at the next tick (R4, R5). The result is in <see cref="LastResult"/>. A VM has at most one
    /// request waiting: a later request before the tick replaces it (<see cref="CancelRequest"/> removes it).
    /// </summary>
    public void RequestStart(int vm) => Request(vm, LifecycleRequest.Start);

    /// <summary>Asks to restart a Booting or Running VM at the next tick (R6); replaces a request waiting for that tick.</summary>
    public void RequestRestart(int vm) => Request(vm, LifecycleRequest.Restart);

    /// <summary>Asks to stop a Booting or Running VM at the next tick (R7); replaces a request waiting for that tick.</summary>
    public void RequestStop(int vm) => Request(vm, LifecycleRequest.Stop);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a replay's first tick requests a start for every VM
    private void Request(int vm, LifecycleRequest request)
    {
        int i = CheckUsed(vm);
        VmState state = StateOf(i);
        if (request == LifecycleRequest.Start && state != VmState.Off)
            ThrowHelper.BadState(vm, state, "start it", "Off");
        if (request != LifecycleRequest.Start && state == VmState.Off)
            ThrowHelper.BadState(vm, state, request == LifecycleRequest.Stop ? "stop it" : "restart it", "Booting or Running");
        if (Cols.Request[i] == 0)
            Cols.HostPendingRequests[Cols.HostOfSlot[i]]++;
        Cols.Request[i] = (byte)request;
    }

    /// <summary>
    /// Cancels the request waiting for the next tick, if any, as if it had not been made; returns it (None if there was
    /// none). The VM's last result stays as it was.
    /// </summary>
    public LifecycleRequest CancelRequest(int vm)
    {
        int i = CheckVm(vm);
        var request = (LifecycleRequest)Cols.Request[i];
        if (request != LifecycleRequest.None)
        {
            Cols.Request[i] = 0;
            Cols.HostPendingRequests[Cols.HostOfSlot[i]]--;
        }

        return request;
    }

    /// <summary>The request waiting for the next tick, if any.</summary>
    public LifecycleRequest PendingRequest(int vm) => (LifecycleRequest)Cols.Request[CheckVm(vm)];
}

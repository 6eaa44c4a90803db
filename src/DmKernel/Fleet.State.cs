namespace DmKernel;

public sealed partial class Fleet
{
    /// <summary>
    /// Writes the whole state (tick index, the model parameters, every column of the schema but its caches) so that <see cref="LoadState"/>
    /// on a fleet with the same hosts continues exactly where this one is: checkpoints of long replays. Checksummed
    /// (XxHash64), with a fingerprint of the column layout. Holds the fleet while it runs, beside other
    /// <see cref="SaveState"/> and <see cref="ComputeStateHash"/> calls (docs/public-api.md, "Threads"): refused with
    /// <see cref="InvalidOperationException"/> during a <see cref="Balancer.Tick()"/> or an open sharded tick and while a
    /// call that changes the fleet runs on another thread, and a tick that starts meanwhile is refused, naming this call.
    /// Refused too after <see cref="Balancer.EndTick"/> refused a sharded tick (the hosts are at different ticks), until a
    /// <see cref="LoadState"/>.
    /// </summary>
    public void SaveState(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        BeginRead(SaveStateReader, nameof(SaveState));
        EnterStream(nameof(SaveState));
        try
        {
            // Read with the fleet held: a state whose hosts are at different ticks (a sharded tick EndTick refused) would
            // load as one whole tick and continue with some hosts ticked twice (before stop 54 it was saved, and loaded or
            // not by where R18's window happened to be).
            if (RefusedShardedTick is long refused)
            {
                throw new InvalidOperationException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"SaveState: EndTick refused the sharded tick {refused}, so the fleet's hosts are at different ticks and no state of it can be continued; restore a saved state (Fleet.LoadState) first."));
            }

            Cols.Save(output, TickIndex, Model);
        }
        finally
        {
            LeaveStream();
            EndRead(SaveStateReader);
        }
    }

    /// <summary>
    /// Replaces this fleet's state with one saved by <see cref="SaveState"/>. The saved fleet must have the same hosts
    /// (slot ranges, capacities, RAM and reserves), the same column layout and the same <see cref="ModelParameters"/> (a
    /// state of another tick length or pressure window would hold counters this model never reaches). A wrong, truncated or corrupt state throws
    /// <see cref="InvalidDataException"/> naming what is wrong and changes nothing; so does a state whose checksum matches
    /// but whose values the model cannot reach (R1's settings, R8's committed range, neutral free slots, a VM's runtime
    /// columns in step with each other, a host's pending requests and MoM ring, R14's invariants, P10's guest responses),
    /// checked after it is read. Holds the fleet while it runs (docs/public-api.md, "Threads"): refused with
    /// <see cref="InvalidOperationException"/> during a <see cref="Balancer.Tick()"/> or an open sharded tick and while
    /// another call that holds the fleet runs on another thread, and a tick that starts meanwhile is refused, naming this call.
    /// </summary>
    public void LoadState(Stream input)
    {
        ArgumentNullException.ThrowIfNull(input);
        BeginCall(FleetCall.LoadState); // never inside a sharded tick
        EnterStream(nameof(LoadState));
        try
        {
            TickIndex = Cols.Load(input, Model, FindImpossible);
            StateLoads++;
            RefusedShardedTick = null; // every host is at the loaded tick again
        }
        finally
        {
            LeaveStream();
            EndCall(claimed: true);
        }
    }

    /// <summary>
    /// What a loaded state (of tick <paramref name="tick"/>) breaks: a free slot that is not neutral, a VM's settings that
    /// R1 refuses, a committed value out of R8's range, a guest response the kernel cannot run, a VM's runtime columns out
    /// of step with each other (<see cref="FindInconsistent"/>), a VM in a slot past its host's VM capacity, a host's pending requests or MoM ring, or an invariant of
    /// R14 (the first few).
    /// </summary>
    private string? FindImpossible(long tick)
    {
        for (int i = 0; i < SlotCount; i++)
        {
            if (Cols.Committed[i] is < 0 or > MaxCommittedMb)
                return Fmt($"VM {i}: committed {Cols.Committed[i]} MB, not within 0..{MaxCommittedMb} (R8).");
            if ((Cols.Flags[i] & VmFlags.Used) == 0)
            {
                // A free slot is what RemoveVm leaves (RemoveVm, ResetSlot): every column neutral but the caller's
                // committed input and the generation count.
                foreach (ColumnInfo c in FleetSchema.Columns)
                {
                    if (c.Scope != ColumnScope.Vm || c.Cache || c.Derived || c.Id is ColumnId.Committed or ColumnId.Generation)
                        continue;
                    long value = FleetColumns.GetElement(Cols.Arrays[(int)c.Id], i);
                    if (value != c.Neutral)
                        return Fmt($"slot {i} holds no VM but its {c.Name} is {value} (a free slot's is {c.Neutral}).");
                }

                continue;
            }

            try
            {
                ValidateR1(i, GetSettings(i));
            }
            catch (SettingRejectedException e)
            {
                return Fmt($"VM {i}: {e.Setting} {e.Value} refused by {e.Rule}.");
            }

            // P10 as SetGuestResponse stores it: a rate in whole granules per tick, from one granule to the fastest rate's;
            // spells of 1 tick up to the longest spell's; 0 in the fields the kind does not use (a rate off the granularity
            // loaded before stop 53 and broke R14 at the next tick).
            int kind = Cols.GuestKind[i], rate = Cols.GuestRate[i], stuck = Cols.GuestStuck[i], ideal = Cols.GuestIdeal[i];
            int g = Model.GranularityMb, maxSpell = Model.ToTicks(GuestResponse.MaxSpellSeconds);
            bool bad = kind switch
            {
                (int)GuestResponseKind.Ideal or (int)GuestResponseKind.Stuck => (rate | stuck | ideal) != 0,
                (int)GuestResponseKind.Rate => rate < g || rate % g != 0 || rate > Policies.Responsiveness.RatePerTick(GuestResponse.MaxRateMbPerSecond, Model.TickSeconds, g)
                    || (stuck | ideal) != 0,
                (int)GuestResponseKind.IntermittentlyStuck => rate != 0 || stuck < 1 || ideal < 1 || stuck > maxSpell || ideal > maxSpell,
                _ => true,
            };
            if (bad)
            {
                return string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"VM {i}: guest response kind {kind} with rate {Cols.GuestRate[i]} MB per tick, spells {Cols.GuestStuck[i]} and {Cols.GuestIdeal[i]} ticks: not a response P10 defines.");
            }

            if (FindInconsistent(i, tick) is string problem)
                return Fmt($"VM {i}: {problem}.");
        }

        for (int h = 0; h < HostCount; h++)
        {
            int start = Cols.HostStart[h], pending = 0;
            // R3 pads a host's range to a multiple of 16; AddVm fills only its first VmCapacity slots
            for (int i = start + Cols.HostVmLimit[h]; i < start + Cols.HostCapacity[h]; i++)
            {
                if ((Cols.Flags[i] & VmFlags.Used) != 0)
                    return Fmt($"slot {i} is past host {h}'s {Cols.HostVmLimit[h]} VM slots (HostSpec.VmCapacity) but holds a VM (R3).");
            }

            for (int i = start; i < start + Cols.HostCapacity[h]; i++)
                pending += Cols.Request[i] != 0 ? 1 : 0;
            if (pending != Cols.HostPendingRequests[h])
                return Fmt($"host {h}: {Cols.HostPendingRequests[h]} pending requests recorded, its VMs hold {pending}.");
            int filled = Cols.HostMomFilled[h], next = Cols.HostMomNext[h];
            if (filled is < 0 or > FleetSchema.HostRingLength || next < 0 || next >= FleetSchema.HostRingLength || next > filled)
                return Fmt($"host {h}: MoM's ring of {FleetSchema.HostRingLength} samples holds {filled} with the next at {next} (P5).");
        }

        return new InvariantChecker(this).Find(maxProblems: 3);
    }

    /// <summary>
    /// A used slot's runtime columns out of step with each other in a way no tick leaves them (what the kernels rely on:
    /// the vector paths read only the VMs whose marks are set, the window's average divides by its sample count).
    /// </summary>
    private string? FindInconsistent(int i, long tick)
    {
        int f = Cols.Flags[i], stateBits = f & VmFlags.StateMask;
        if (stateBits == VmFlags.StateMask || (f & ~(VmFlags.ModelBits | VmFlags.HasSmartPaging | VmFlags.Decided)) != 0 || (f & VmFlags.StatusMask) == VmFlags.StatusMask)
            return Fmt($"flags {f:x}: not a state, status and marks a tick writes");
        if (Cols.State[i] != stateBits)
            return Fmt($"State {Cols.State[i]} but flags say {(VmState)stateBits}");
        bool off = stateBits == 0;
        if (off && (f & (VmFlags.Reclaiming | VmFlags.StatusMask | VmFlags.HasSmartPaging)) != 0)
            return Fmt($"Off with flags {f:x} (reclaiming, a status or Smart Paging)");

        int sp = Cols.SmartPaging[i];
        if (((f & VmFlags.HasSmartPaging) != 0) != (sp > 0) || sp > Cols.Startup[i] || (sp > 0 && !Model.SmartPaging))
            return Fmt($"Smart Paging {sp} MB with flags {f:x}, Startup {Cols.Startup[i]} MB, Smart Paging {(Model.SmartPaging ? "on" : "off")} (R6, R16)");
        int un = Cols.Unballooned[i], add = Cols.HotAdded[i], rem = Cols.Removed[i];
        if (un < 0 || add < 0 || rem < 0 || ((f & VmFlags.Decided) != 0) != ((un | add | rem) != 0))
            return Fmt($"decisions {un}, {add}, {rem} MB with flags {f:x} (R17)");

        int window = Cols.WindowTicks, into = (int)(tick % window), first = Cols.WinFirst[i];
        int sum = Cols.WinSum[i], min = Cols.WinMin[i], max = Cols.WinMax[i];
        bool empty = min == int.MaxValue && max == 0 && sum == 0;
        int count = off ? 0 : into - first;
        if ((off && first != 0) || first < 0 || count < 0 || (!off && into > 0 && count == 0) || (count == 0) != empty
            || (count > 0 && ((long)count * min > sum || sum > (long)count * max)))
            return Fmt($"pressure window of {count} samples (first {first}, {into} ticks into it): sum {sum}, minimum {min}, maximum {max} (R18)");

        int request = Cols.Request[i];
        if (request > (int)LifecycleRequest.Stop || (request == (int)LifecycleRequest.Start && !off) || (request is (int)LifecycleRequest.Restart or (int)LifecycleRequest.Stop && off))
            return Fmt($"{(LifecycleRequest)request} requested while {(VmState)stateBits} (R4, R7)");
        int goal = Cols.PolicyGoal[i];
        if (goal < 0 || goal % Model.GranularityMb != 0)
            return Fmt($"policy goal {goal} MB, not a multiple of {Model.GranularityMb} MB (P2-P9)");
        return null;
    }

    /// <summary>How many states <see cref="LoadState"/> has loaded: an observer's per-tick snapshot (the invariant
    /// checker's) from before a load is stale.</summary>
    internal int StateLoads { get; private set; }

    /// <summary>
    /// The tick whose sharded run <see cref="Balancer.EndTick"/> refused (a host not ticked exactly once): the hosts are
    /// then at different ticks, and no balancer ticks the fleet until <see cref="LoadState"/> restores one state (null: none).
    /// </summary>
    internal long? RefusedShardedTick { get; set; }

    private static string Fmt(FormattableString s) => s.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

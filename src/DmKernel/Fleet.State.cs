namespace DmKernel;

public sealed partial class Fleet
{
    /// <summary>
    /// Writes the whole state (tick index, the model parameters, every column of the schema but its caches) so that <see cref="LoadState"/>
    /// on a fleet with the same hosts continues exactly where this one is: checkpoints of long replays. Checksummed
    /// (XxHash64), with a fingerprint of the column layout.
    /// </summary>
    public void SaveState(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        Cols.Save(output, TickIndex, Model);
    }

    /// <summary>
    /// Replaces this fleet's state with one saved by <see cref="SaveState"/>. The saved fleet must have the same hosts
    /// (slot ranges, capacities, RAM and reserves), the same column layout and the same <see cref="ModelParameters"/> (a
    /// state of another tick length or pressure window would hold counters this model never reaches). A wrong, truncated or corrupt state throws
    /// <see cref="InvalidDataException"/> naming what is wrong and changes nothing; so does a state whose checksum matches
    /// but whose values the model cannot reach (R1's settings, R8's committed range, neutral free slots, R14's invariants,
    /// P10's guest responses), checked after it is read.
    /// </summary>
    public void LoadState(Stream input)
    {
        ArgumentNullException.ThrowIfNull(input);
        TickIndex = Cols.Load(input, Model, FindImpossible);
        StateLoads++;
    }

    /// <summary>
    /// What a loaded state breaks: a free slot that is not neutral, a VM's settings that R1 refuses, a committed value
    /// out of R8's range, a guest response the kernel cannot run, or an invariant of R14 (the first few).
    /// </summary>
    private string? FindImpossible()
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

            int kind = Cols.GuestKind[i];
            bool bad = kind switch
            {
                (int)GuestResponseKind.Ideal or (int)GuestResponseKind.Stuck => false,
                (int)GuestResponseKind.Rate => Cols.GuestRate[i] <= 0,
                (int)GuestResponseKind.IntermittentlyStuck => Cols.GuestStuck[i] < 1 || Cols.GuestIdeal[i] < 1,
                _ => true,
            };
            if (bad)
            {
                return string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"VM {i}: guest response kind {kind} with rate {Cols.GuestRate[i]} MB per tick, spells {Cols.GuestStuck[i]} and {Cols.GuestIdeal[i]} ticks: not a response P10 defines.");
            }
        }

        return new InvariantChecker(this).Find(maxProblems: 3);
    }

    /// <summary>How many states <see cref="LoadState"/> has loaded: an observer's per-tick snapshot (the invariant
    /// checker's) from before a load is stale.</summary>
    internal int StateLoads { get; private set; }

    private static string Fmt(FormattableString s) => s.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

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
    /// <see cref="InvalidDataException"/> naming what is wrong and changes nothing.
    /// </summary>
    public void LoadState(Stream input)
    {
        ArgumentNullException.ThrowIfNull(input);
        TickIndex = Cols.Load(input, Model);
        StateLoads++;
    }

    /// <summary>How many states <see cref="LoadState"/> has loaded: an observer's per-tick snapshot (the invariant
    /// checker's) from before a load is stale.</summary>
    internal int StateLoads { get; private set; }
}

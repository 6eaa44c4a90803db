namespace DmKernel.Benchmarks;

/// <summary>
/// The realistic workload's input: a few pre-drawn committed-demand columns (one value per slot), handed out in
/// rotation, one per tick, as a replay feeds them. Every VM's committed demand differs from one column to the next,
/// so it changes on every tick; free slots stay 0.
/// </summary>
/// <remarks>
/// Column k holds, for each VM, its setup demand moved by a seeded draw of up to ±25 % (an even number of MB,
/// clamped to 0..Maximum, and nudged by 2 MB where it would equal the previous column's value). Short hosts stay
/// short: their targets add up to about twice their memory whichever column is current (checked in setup).
/// </remarks>
internal sealed class CommittedFeed
{
    /// <summary>Columns in the rotation.</summary>
    public const int Columns = 4;

    private readonly int[][] _columns;
    private int _next;

    public CommittedFeed(Fleet fleet, int seed = Workload.Seed + 1)
    {
        var random = new Random(seed);
        ReadOnlySpan<int> baseline = fleet.Committed;
        _columns = new int[Columns][];
        for (int k = 0; k < Columns; k++)
            _columns[k] = AlignedArrays.Allocate<int>(fleet.SlotCount); // as the fleet's columns
        for (int i = 0; i < fleet.SlotCount; i++)
        {
            if (!fleet.IsUsed(i))
                continue;
            int maximum = fleet.GetSettings(i).MaximumMb;
            int b = baseline[i];
            for (int k = 0; k < Columns; k++)
            {
                int swing = b / 4;
                int value = Math.Clamp(b - swing + (2 * random.Next(0, swing + 1)), 0, maximum) & ~1;

                // Differ from the column before, and the last one from the first (it precedes it in the rotation).
                for (int step = 2; Same(k, i, value); step += 2)
                    value = value + step <= maximum ? value + step : value - step;
                _columns[k][i] = value;
            }
        }
    }

    private bool Same(int k, int i, int value)
        => (k > 0 && value == _columns[k - 1][i]) || (k == Columns - 1 && value == _columns[0][i]);

    /// <summary>The column for the next tick (rotating).</summary>
    public int[] Next()
    {
        int[] column = _columns[_next];
        _next = _next + 1 == Columns ? 0 : _next + 1;
        return column;
    }
}

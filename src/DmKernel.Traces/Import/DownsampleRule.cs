namespace DmKernel.Traces;

/// <summary>
/// Which of the samples that arrive within one tick the tick takes, when ticks are longer than the source's sample
/// period (docs/importers.md, "Resampling"). With ticks no longer than the period a tick takes in one new sample,
/// rarely two (one early or late within the jitter tolerance), so both rules give nearly the same trace.
/// </summary>
public enum DownsampleRule
{
    /// <summary>The last sample at or before the tick (+ jitter tolerance): what the memory was at that moment.</summary>
    Last,

    /// <summary>
    /// The largest of the samples within the tick (after the previous tick, up to this one + jitter tolerance): the
    /// peak demand the balancer had to serve in that time, a conservative reading for capacity planning. A tick with
    /// any sample on within it is on, also when its last sample is older than the hold limit (a tick longer than the
    /// hold whose samples stop within it). A tick with no new sample holds the last one, as with <see cref="Last"/>.
    /// </summary>
    Peak,
}

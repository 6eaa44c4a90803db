namespace DmKernel.Traces;

/// <summary>
/// The notes of one Bitbrains file's samples (<c>off_samples</c>, <c>usage_above_capacity</c>, <c>usage_zero_samples</c>,
/// <c>usage_zero_held</c>) and the last measured usage that <see cref="BitbrainsUsageZero.HoldLast"/> carries, counted on the
/// samples the trace keeps: a row that a later row of the same time replaces (the last row wins) counts for nothing. Before
/// stop 61 every row read was counted, so losing duplicate rows changed the notes and the <c>vms_mostly_usage_zero</c>
/// warning's shares (the committed month's 265.csv, 2 502 duplicates: 7 393 off rows of 4 893 off samples) though the trace
/// was the same, and a replaced row's usage was carried over the usage 0 after it. Shared by the fast and the general path.
/// </summary>
internal struct BitbrainsSampleCounts
{
    private bool _pending, _pendingOff, _pendingAbove, _pendingZero, _pendingHeld;
    private double _pendingUsageKb; // the pending sample's measured usage (0: off or usage 0, held or not)
    private double _lastUsageKb; // the last measured usage of the samples before the pending one

    public long Off { readonly get; private set; }

    public long Above { readonly get; private set; }

    public long Zero { readonly get; private set; }

    public long Held { readonly get; private set; }

    /// <summary>
    /// The last measured (non-zero) usage, in KB, of the samples kept before a row that <paramref name="replaces"/> the
    /// pending sample (<see cref="SampleSeries.Replaces"/>) or not; 0 when none.
    /// </summary>
    public readonly double LastUsageKb(bool replaces) => !replaces && _pendingUsageKb > 0 ? _pendingUsageKb : _lastUsageKb;

    /// <summary>A sample added to the series: it replaces the pending one when <paramref name="replaces"/>, else follows it.</summary>
    public void Add(bool replaces, bool off, bool above, bool zero, bool held, double measuredUsageKb)
    {
        if (!replaces)
            Commit();
        (_pending, _pendingOff, _pendingAbove, _pendingZero, _pendingHeld, _pendingUsageKb) = (true, off, above, zero, held, measuredUsageKb);
    }

    /// <summary>Counts the last sample (at the end of the file).</summary>
    public void Complete() => Commit();

    /// <summary>Adds the counts to <paramref name="report"/>.</summary>
    public readonly void AddTo(ImportReport report)
    {
        report.Note("off_samples", Off);
        report.Note("usage_above_capacity", Above);
        report.Note("usage_zero_samples", Zero);
        report.Note("usage_zero_held", Held);
    }

    private void Commit()
    {
        if (!_pending)
            return;
        Off += _pendingOff ? 1 : 0;
        Above += _pendingAbove ? 1 : 0;
        Zero += _pendingZero ? 1 : 0;
        Held += _pendingHeld ? 1 : 0;
        if (_pendingUsageKb > 0)
            _lastUsageKb = _pendingUsageKb;
        _pending = false;
        _pendingUsageKb = 0;
    }
}

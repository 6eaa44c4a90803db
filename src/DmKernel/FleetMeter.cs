using System.Globalization;
using System.Runtime.Intrinsics;

namespace DmKernel;

/// <summary>
/// <see cref="FleetStatistics.Measure(Fleet, Span{long}, Span{int}, Span{long})"/> taken range of hosts by range of hosts, so
/// that a simulator that ticks a range (<see cref="Balancer.TickHosts"/>) can measure it at once, while its columns are
/// still in the cache, instead of streaming the whole fleet from memory a second time. Per tick: <see cref="Begin"/>,
/// <see cref="AddHosts(int, int, Span{int}, Span{long})"/> once for every host (in any order and grouping), then <see cref="End"/>, which gives exactly the
/// totals and bins of one <see cref="FleetStatistics.Measure(Fleet, Span{long}, Span{int}, Span{long})"/> call (and, when
/// given per-slot unservable counters, <see cref="TickTotals.UnservablePagingVms"/>, which that call leaves 0). A call out
/// of that order, a host measured twice, or one left out is an <see cref="InvalidOperationException"/> naming it (the
/// totals would count it twice or not at all). Allocates only in its constructor; not thread-safe (one meter per thread):
/// threads that measure their own host ranges each use a meter of their own, and <see cref="Add(FleetMeter)"/> then adds
/// them into one, which gives exactly what one meter over every host gives.
/// </summary>
public sealed class FleetMeter
{
    private readonly Fleet _fleet;
    private readonly int _bins;
    private readonly int _stride;
    private readonly int[] _counts;
    private readonly long[] _direct;
    private readonly byte[] _measured; // per host: measured since Begin
    private FleetStatistics.Sums _sums;
    private bool _open;

    /// <param name="fleet">The fleet measured.</param>
    /// <param name="pressureBins">Bins of the pressure histogram <see cref="End"/> adds to (0 for none).</param>
    public FleetMeter(Fleet fleet, int pressureBins)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        InvariantOutOfRangeException.ThrowIfNegative(pressureBins);
        _fleet = fleet;
        _bins = pressureBins;
        bool pooled = Vector256.IsHardwareAccelerated && pressureBins > 0 && pressureBins - 1 < FleetStatistics.PooledBins;
        _stride = pooled ? pressureBins + 1 : 0;
        _counts = pooled ? new int[FleetStatistics.Copies * _stride] : [];
        _direct = pooled ? [] : new long[pressureBins];
        _measured = new byte[fleet.HostCount];
    }

    /// <summary>Starts a tick's measurement.</summary>
    public void Begin()
    {
        _sums = default;
        _counts.AsSpan().Clear();
        _direct.AsSpan().Clear();
        _measured.AsSpan().Clear();
        _open = true;
    }

    /// <summary>
    /// Measures hosts [<paramref name="firstHost"/>, <paramref name="firstHost"/> + <paramref name="hostCount"/>), and when
    /// <paramref name="pagingTicks"/> and <paramref name="unmetMbTicks"/> are given (one element per slot of the fleet), adds
    /// 1 and Demand − Assigned to each paging VM's.
    /// </summary>
    public void AddHosts(int firstHost, int hostCount, Span<int> pagingTicks, Span<long> unmetMbTicks)
        => AddHosts(firstHost, hostCount, pagingTicks, unmetMbTicks, default);

    /// <summary>
    /// <see cref="AddHosts(int, int, Span{int}, Span{long})"/>, and when <paramref name="unservableTicks"/> is given (one
    /// element per slot, with the other two), also adds 1 to it for each paging VM whose committed demand is above what its
    /// settings can ever serve (<see cref="GuestMemory.MaxServableCommittedMb"/>), and counts those VMs in
    /// <see cref="TickTotals.UnservablePagingVms"/>. Only paging VMs are looked at, so it costs nothing on a fleet that
    /// does not page.
    /// </summary>
    public void AddHosts(int firstHost, int hostCount, Span<int> pagingTicks, Span<long> unmetMbTicks, Span<int> unservableTicks)
    {
        if (!_open)
            throw new InvalidOperationException("FleetMeter.AddHosts called without Begin (or after End).");
        if (firstHost < 0 || hostCount < 0 || firstHost > _fleet.HostCount - hostCount)
        {
            // Named as Balancer.TickHosts names it: firstHost when it is not a host (nor the end), else hostCount.
            throw new InvariantOutOfRangeException(firstHost < 0 || firstHost > _fleet.HostCount ? nameof(firstHost) : nameof(hostCount), null,
                string.Create(CultureInfo.InvariantCulture, $"Hosts [{firstHost}, {(long)firstHost + hostCount}) are not within 0..{_fleet.HostCount}."));
        }
        int twice = _measured.AsSpan(firstHost, hostCount).IndexOfAnyExcept((byte)0);
        if (twice >= 0)
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"FleetMeter.AddHosts: host {firstHost + twice} was already measured since Begin; measure every host once per tick."));
        ThrowHelper.PerSlotPair(pagingTicks.Length, unmetMbTicks.Length, _fleet.SlotCount);
        if (unservableTicks.Length != 0 && (unservableTicks.Length != _fleet.SlotCount || pagingTicks.Length == 0))
        {
            throw new ArgumentException(pagingTicks.Length == 0
                ? "unservableTicks is given without pagingTicks and unmetMbTicks: the unservable VMs are found among the paging ones."
                : string.Create(CultureInfo.InvariantCulture, $"unservableTicks has {unservableTicks.Length} elements; expected one per slot ({_fleet.SlotCount}), or none."), nameof(unservableTicks));
        }

        if (hostCount == 0)
            return;
        _measured.AsSpan(firstHost, hostCount).Fill(1);
        int end = firstHost + hostCount;
        int startSlot = _fleet.Cols.HostStart[firstHost];
        int endSlot = end == _fleet.HostCount ? _fleet.SlotCount : _fleet.Cols.HostStart[end];
        if (Vector256.IsHardwareAccelerated)
            FleetStatistics.VectorSlots(_fleet, startSlot, endSlot, ref _sums, _counts, _stride, _direct, pagingTicks, unmetMbTicks, unservableTicks);
        else
            FleetStatistics.ScalarSlots(_fleet, startSlot, endSlot, ref _sums, _direct, pagingTicks, unmetMbTicks, unservableTicks);
        FleetStatistics.AddHosts(_fleet, firstHost, end, ref _sums);
    }

    /// <summary>
    /// Adds the hosts <paramref name="other"/> measured since its <see cref="Begin"/> to this meter's tick, as if this meter
    /// had measured them itself: for a simulator that measures its host ranges on several threads, one meter per thread,
    /// and then wants one fleet total. Every total and pressure count is an integer sum (or a maximum), so a meter that
    /// had others added to it gives at <see cref="End"/> exactly, bit for bit, what one meter over all the hosts gives,
    /// whatever the split of the hosts between meters and the order of the adds. <paramref name="other"/> is only read:
    /// call this after the thread measuring it is done (join it first), and <see cref="Begin"/> it again for the next
    /// tick. Both meters must have a tick begun, measure the same <see cref="Fleet"/> with the same number of pressure
    /// bins, and share no host, else it is refused (changing nothing) with an exception naming the difference or the
    /// host. Allocation-free.
    /// </summary>
    /// <param name="other">A meter of the same fleet and pressure bins, with a tick begun; not this meter.</param>
    public void Add(FleetMeter other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(other, this))
            throw new ArgumentException("FleetMeter.Add: a meter cannot be added to itself (its hosts would count twice).", nameof(other));
        if (!ReferenceEquals(other._fleet, _fleet))
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"FleetMeter.Add: the other meter measures another Fleet ({other._fleet.HostCount} hosts, {other._fleet.SlotCount} slots) than this meter's ({_fleet.HostCount} hosts, {_fleet.SlotCount} slots); add only meters of the same Fleet instance."),
                nameof(other));
        }

        if (other._bins != _bins)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"FleetMeter.Add: the other meter has {other._bins} pressure bins; this meter has {_bins}. Create the meters with the same pressureBins."), nameof(other));
        if (!_open)
            throw new InvalidOperationException("FleetMeter.Add called without Begin (or after End).");
        if (!other._open)
            throw new InvalidOperationException("FleetMeter.Add: the other meter has no tick begun (Begin, or it was ended); Begin it and measure its hosts before adding it.");
        byte[] mine = _measured, theirs = other._measured;
        for (int h = 0; h < mine.Length; h++)
        {
            if ((mine[h] & theirs[h]) != 0)
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"FleetMeter.Add: host {h} was measured by both meters since Begin; measure every host once per tick."));
        }

        for (int h = 0; h < mine.Length; h++)
            mine[h] |= theirs[h];

        _sums.Add(other._sums);

        // The pressure counts: the same layout in both (same bins, same process, so the same pooling and stride).
        int[] counts = _counts, otherCounts = other._counts;
        for (int i = 0; i < counts.Length; i++)
            counts[i] += otherCounts[i];
        long[] direct = _direct, otherDirect = other._direct;
        for (int b = 0; b < direct.Length; b++)
            direct[b] += otherDirect[b];
    }

    /// <summary>
    /// The tick's totals; adds its pressure counts to <paramref name="pressureBins"/> (the length given to the constructor,
    /// or empty). Every host must have been measured once since <see cref="Begin"/>.
    /// </summary>
    public TickTotals End(Span<long> pressureBins)
    {
        if (!_open)
            throw new InvalidOperationException("FleetMeter.End called without Begin (or twice).");
        if (pressureBins.Length != 0 && pressureBins.Length != _bins)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"pressureBins has {pressureBins.Length} elements; expected the meter's {_bins} bins, or none."), nameof(pressureBins));
        int missed = _measured.AsSpan().IndexOf((byte)0);
        if (missed >= 0)
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"FleetMeter.End: host {missed} was not measured since Begin; measure every host once per tick (AddHosts)."));
        _open = false;
        if (pressureBins.Length > 0)
        {
            if (_stride > 0)
                FleetStatistics.FlushPressures(_counts, _stride, pressureBins);
            else
            {
                for (int b = 0; b < _direct.Length; b++)
                    pressureBins[b] += _direct[b];
            }
        }

        return _sums.ToTotals();
    }
}

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
/// totals would count it twice or not at all). Allocates only in its constructor; not thread-safe (one meter per thread).
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
        ArgumentOutOfRangeException.ThrowIfNegative(pressureBins);
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
            throw new ArgumentOutOfRangeException(nameof(hostCount), $"Hosts [{firstHost}, {firstHost + hostCount}) are not within 0..{_fleet.HostCount}.");
        int twice = _measured.AsSpan(firstHost, hostCount).IndexOfAnyExcept((byte)0);
        if (twice >= 0)
            throw new InvalidOperationException($"FleetMeter.AddHosts: host {firstHost + twice} was already measured since Begin; measure every host once per tick.");
        ThrowHelper.PerSlotPair(pagingTicks.Length, unmetMbTicks.Length, _fleet.SlotCount);
        if (unservableTicks.Length != 0 && (unservableTicks.Length != _fleet.SlotCount || pagingTicks.Length == 0))
        {
            throw new ArgumentException(pagingTicks.Length == 0
                ? "unservableTicks is given without pagingTicks and unmetMbTicks: the unservable VMs are found among the paging ones."
                : $"unservableTicks has {unservableTicks.Length} elements; expected one per slot ({_fleet.SlotCount}), or none.", nameof(unservableTicks));
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
    /// The tick's totals; adds its pressure counts to <paramref name="pressureBins"/> (the length given to the constructor,
    /// or empty). Every host must have been measured once since <see cref="Begin"/>.
    /// </summary>
    public TickTotals End(Span<long> pressureBins)
    {
        if (!_open)
            throw new InvalidOperationException("FleetMeter.End called without Begin (or twice).");
        if (pressureBins.Length != 0 && pressureBins.Length != _bins)
            throw new ArgumentException($"pressureBins has {pressureBins.Length} elements; expected the meter's {_bins} bins, or none.", nameof(pressureBins));
        int missed = _measured.AsSpan().IndexOf((byte)0);
        if (missed >= 0)
            throw new InvalidOperationException($"FleetMeter.End: host {missed} was not measured since Begin; measure every host once per tick (AddHosts).");
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

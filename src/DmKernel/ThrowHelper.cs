using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace DmKernel;

internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void VmOutOfRange(int vm, int slots)
        => throw new InvariantOutOfRangeException(nameof(vm), vm, string.Create(CultureInfo.InvariantCulture, $"VM slot {vm} does not exist; the fleet has slots 0..{slots - 1}."));

    [DoesNotReturn]
    public static void HostOutOfRange(int host, int hosts)
        => throw new InvariantOutOfRangeException(nameof(host), host, string.Create(CultureInfo.InvariantCulture, $"Host {host} does not exist; the fleet has hosts 0..{hosts - 1}."));

    [DoesNotReturn]
    public static void SlotFree(int vm)
        => throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"VM slot {vm} holds no VM; add one with Fleet.AddVm first."));

    [DoesNotReturn]
    public static void BadState(int vm, VmState state, string action, string expected)
        => throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"VM {vm} is {state}: cannot {action}; it must be {expected}."));

    [DoesNotReturn]
    public static void BadCommitted(int vm, int value, string parameter)
        => throw new InvariantOutOfRangeException(parameter, value, string.Create(CultureInfo.InvariantCulture, $"VM {vm}: committed demand {value} MB is out of range: expected 0..{Fleet.MaxCommittedMb} MB (R8)."));

    /// <summary>
    /// The per-slot outputs of a measurement: both given (one element per slot) or both empty; the error names the one that
    /// is wrong.
    /// </summary>
    public static void PerSlotPair(int pagingTicks, int unmetMbTicks, int slots)
    {
        if (pagingTicks == 0 && unmetMbTicks == 0)
            return;
        if (pagingTicks != slots)
            SpanLength(nameof(pagingTicks), pagingTicks, slots);
        if (unmetMbTicks != slots)
            SpanLength(nameof(unmetMbTicks), unmetMbTicks, slots);
    }

    /// <summary>A run of <paramref name="length"/> slots from <paramref name="firstVm"/> that is not within the fleet's slots.</summary>
    [DoesNotReturn]
    public static void SlotRun(int firstVm, int length, int slots, string name)
    {
        if ((uint)firstVm > (uint)slots)
            throw new InvariantOutOfRangeException(nameof(firstVm), firstVm, string.Create(CultureInfo.InvariantCulture, $"firstVm {firstVm} is not a slot: expected 0..{slots} (the fleet has slots 0..{slots - 1})."));
        throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name} has {length} elements from slot {firstVm}; the fleet has {slots - firstVm} slots from there (slots 0..{slots - 1})."), name);
    }

    [DoesNotReturn]
    public static void SpanLength(string name, int actual, int expected)
        => throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name} has {actual} elements; expected one per slot ({expected})."), name);

    [DoesNotReturn]
    public static void FleetTicking(string call, bool sharded)
        => throw new InvalidOperationException(sharded
            ? $"Fleet.{call} called while a sharded tick of this fleet is open (Balancer.BeginTick without EndTick): call it before BeginTick or after EndTick."
            : $"Fleet.{call} called while a tick of this fleet runs (Balancer.Tick, on another thread): a fleet is not changed, saved or loaded during a tick; call it between ticks.");

    /// <summary>Fleet call <paramref name="call"/> refused because <paramref name="holder"/> (another fleet call) runs.</summary>
    [DoesNotReturn]
    public static void FleetCallRuns(string call, string holder, bool onThisThread)
        => throw new InvalidOperationException(
            $"Fleet.{call} called while {holder} runs {(onThisThread ? "on this thread (from the stream given to it)" : "(on another thread)")}: a fleet's calls that change its VMs or settings or replace its state run one at a time, and not beside one that reads its whole state (SaveState and ComputeStateHash, which may run together); make them one after another.");

    /// <summary>
    /// A tick (<paramref name="call"/>: Tick or BeginTick) refused because <paramref name="holder"/>, a fleet call that
    /// changes the VMs or settings or reads or replaces the whole state, runs.
    /// </summary>
    [DoesNotReturn]
    public static void TickDuringFleetCall(string call, string holder, bool onThisThread)
        => throw new InvalidOperationException(
            $"{call} called while {holder} runs {(onThisThread ? "on this thread (from the stream given to it)" : "(on another thread)")}: a fleet does not tick during a call that changes its VMs or settings or reads or replaces its whole state; tick when the call has returned.");
}

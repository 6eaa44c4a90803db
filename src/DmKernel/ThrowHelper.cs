using System.Diagnostics.CodeAnalysis;

namespace DmKernel;

internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void VmOutOfRange(int vm, int slots)
        => throw new ArgumentOutOfRangeException(nameof(vm), vm, $"VM slot {vm} does not exist; the fleet has slots 0..{slots - 1}.");

    [DoesNotReturn]
    public static void HostOutOfRange(int host, int hosts)
        => throw new ArgumentOutOfRangeException(nameof(host), host, $"Host {host} does not exist; the fleet has hosts 0..{hosts - 1}.");

    [DoesNotReturn]
    public static void SlotFree(int vm)
        => throw new InvalidOperationException($"VM slot {vm} holds no VM; add one with Fleet.AddVm first.");

    [DoesNotReturn]
    public static void BadState(int vm, VmState state, string action, string expected)
        => throw new InvalidOperationException($"VM {vm} is {state}: cannot {action}; it must be {expected}.");

    [DoesNotReturn]
    public static void BadCommitted(int vm, int value)
        => throw new ArgumentOutOfRangeException(nameof(value), value, $"VM {vm}: committed demand {value} MB is out of range: expected 0..{Fleet.MaxCommittedMb} MB (R8).");

    [DoesNotReturn]
    public static void SpanLength(string name, int actual, int expected)
        => throw new ArgumentException($"{name} has {actual} elements; expected one per slot ({expected}).", name);
}

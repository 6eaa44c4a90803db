using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DmKernel.Traces.Replay;

/// <summary>
/// Applies a trace's ticks to a <see cref="Fleet"/>: one value per slot, either a committed demand from 0 to
/// <see cref="Fleet.MaxCommittedMb"/> (the VM is on: R8's input, and an Off VM gets a start request, R4) or
/// <see cref="TraceValues.Off"/> (the VM is off: a Booting or Running VM gets a stop request, R7; its committed demand
/// is left as it was). A VM with a request already pending is left alone; free slots are ignored. The trace concept
/// lives here; the fleet only sees committed demand (<see cref="Fleet.UpdateCommitted"/>) and lifecycle requests.
/// </summary>
public sealed class TraceFeed
{
    /// <summary>A feed that applies ticks to <paramref name="fleet"/>.</summary>
    public TraceFeed(Fleet fleet)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        Fleet = fleet;
    }

    /// <summary>The fleet the ticks are applied to.</summary>
    public Fleet Fleet { get; }

    /// <summary>
    /// Applies one tick, one value per slot (<see cref="Fleet.SlotCount"/> values). Validates the whole span first, so a
    /// bad value changes nothing. Returns the number of lifecycle requests made.
    /// </summary>
    public int Apply(ReadOnlySpan<int> committedOrOff)
    {
        if (committedOrOff.Length != Fleet.SlotCount)
            ThrowHelper.SpanLength(nameof(committedOrOff), committedOrOff.Length, Fleet.SlotCount);
        return Apply(0, committedOrOff);
    }

    /// <summary>
    /// Applies one tick's values for a contiguous run of slots starting at <paramref name="firstSlot"/> (a trace placed
    /// host by host applies one run per host). Validates the run first, so a bad value changes nothing in it. Returns the
    /// number of lifecycle requests made.
    /// </summary>
    public int Apply(int firstSlot, ReadOnlySpan<int> committedOrOff)
    {
        // Validates everything before changing anything; off values keep the VM's committed demand.
        Fleet.UpdateCommitted(firstSlot, committedOrOff);
        return RequestPresence(firstSlot, committedOrOff);
    }

    /// <summary>
    /// Requests a start for each Off VM the trace has on and a stop for each on VM the trace has off, unless a request is
    /// pending. Sixteen slots at a time: the lanes whose presence differs from their state are rare and handled one by one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int RequestPresence(int firstSlot, ReadOnlySpan<int> values)
    {
        ReadOnlySpan<VmState> states = Fleet.States.Slice(firstSlot, values.Length);
        ref int valueRef = ref MemoryMarshal.GetReference(values);
        ref byte stateRef = ref MemoryMarshal.GetReference(MemoryMarshal.Cast<VmState, byte>(states));
        int requests = 0, n = values.Length, i = 0;
        for (; i <= n - 16; i += 16)
        {
            // Bit j: the trace has slot i + j off (sign bit of -1) / the slot is Off.
            uint wantOff = Vector256.LoadUnsafe(ref valueRef, (nuint)i).ExtractMostSignificantBits()
                | (Vector256.LoadUnsafe(ref valueRef, (nuint)(i + 8)).ExtractMostSignificantBits() << 8);
            uint isOff = Vector128.Equals(Vector128.LoadUnsafe(ref stateRef, (nuint)i), Vector128<byte>.Zero).ExtractMostSignificantBits();
            for (uint mismatch = wantOff ^ isOff; mismatch != 0; mismatch &= mismatch - 1)
            {
                int j = i + BitOperations.TrailingZeroCount(mismatch);
                requests += Request(firstSlot + j, values[j]);
            }
        }

        for (; i < n; i++)
        {
            if ((values[i] < 0) != (states[i] == VmState.Off))
                requests += Request(firstSlot + i, values[i]);
        }

        return requests;
    }

    /// <summary>(Fully optimized from the first call: a replay's first tick requests a start for every VM.)</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Request(int slot, int value)
    {
        if (!Fleet.IsUsed(slot) || Fleet.PendingRequest(slot) != LifecycleRequest.None)
            return 0;
        if (value >= 0)
            Fleet.RequestStart(slot);
        else
            Fleet.RequestStop(slot);
        return 1;
    }
}

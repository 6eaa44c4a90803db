using System.Diagnostics.CodeAnalysis;

namespace DmKernel;

public sealed partial class Fleet
{
    // Who holds the fleet (docs/public-api.md, "Threads"), in one word, so that taking it costs one interlocked operation
    // per tick or per call and nothing per VM:
    //   0            nobody;
    //   WholeTick    a Balancer.Tick runs;
    //   ShardedTick  a sharded tick is open (Balancer.BeginTick until EndTick);
    //   a FleetCall  that call runs: the calls that change the VMs or settings or replace the state, one at a time;
    //   negative     calls that read the whole state run, any number at once: the SaveState calls counted in bits 0..14,
    //                the ComputeStateHash calls in bits 15..29 (32 767 of each at once: more threads than a process runs).
    private int _claim;

    /// <summary><see cref="TryClaimTick"/>'s kind: a <see cref="Balancer.Tick()"/> runs over every host.</summary>
    internal const int WholeTick = 1;

    /// <summary><see cref="TryClaimTick"/>'s kind: a sharded tick is open (<see cref="Balancer.BeginTick"/> until <see cref="Balancer.EndTick"/>).</summary>
    internal const int ShardedTick = 2;

    private const int Reading = int.MinValue;
    private const int SaveStateReader = 1;
    private const int HashShift = 15;
    private const int HashReader = 1 << HashShift;
    private const int ReaderCount = HashReader - 1;

    /// <summary>The calls that hold the fleet alone while they run (their value is their claim's).</summary>
    private enum FleetCall
    {
        AddVm = 3,
        RemoveVm,
        Configure,
        SetGuestResponse,
        LoadState,
    }

    /// <summary>
    /// Tests only: called on the calling thread once a fleet call that holds the fleet (<see cref="AddVm"/>,
    /// <see cref="RemoveVm"/>, <see cref="Configure"/>, <see cref="SetGuestResponse"/>, <see cref="LoadState"/>,
    /// <see cref="SaveState"/>, <see cref="ComputeStateHash"/>) has taken it and before it does anything, so that a test can
    /// start a tick or another call from another thread at that point instead of hoping to hit it.
    /// </summary>
    internal Action? WhileCalling;

    /// <summary>
    /// Claims the fleet for one tick of <paramref name="kind"/>: 0 when claimed; otherwise the claim that holds it (a tick
    /// of any balancer, or a fleet call: <see cref="Holder"/> names it) and the tick is refused.
    /// </summary>
    internal int TryClaimTick(int kind) => Interlocked.CompareExchange(ref _claim, kind, 0);

    /// <summary>Ends the tick claimed by <see cref="TryClaimTick"/>.</summary>
    internal void ReleaseTick() => Interlocked.Exchange(ref _claim, 0);

    /// <summary>The fleet call that <paramref name="claim"/> (a value <see cref="TryClaimTick"/> returned, not a tick's) says runs.</summary>
    internal static string Holder(int claim) => claim >= 0
        ? "Fleet." + ((FleetCall)claim).ToString()
        : (claim & ReaderCount, (claim >> HashShift) & ReaderCount) switch
        {
            (0, _) => "Fleet.ComputeStateHash",
            (_, 0) => "Fleet.SaveState",
            _ => "Fleet.SaveState (and Fleet.ComputeStateHash)",
        };

    /// <summary>
    /// Takes the fleet for <paramref name="call"/> until <see cref="EndCall"/>; refused while a tick runs or another fleet
    /// call that holds the fleet does (on another thread). Inside an open sharded tick the call is allowed and takes
    /// nothing (false): a replay changes each chunk's VMs, on the chunk's thread, just before it ticks them.
    /// </summary>
    private bool BeginCall(FleetCall call)
    {
        int held = Interlocked.CompareExchange(ref _claim, (int)call, 0);
        if (held == 0)
        {
            if (WhileCalling is not null)
                RunWhileCalling(reader: 0);
            return true;
        }

        if (held != ShardedTick)
            Refuse(call.ToString(), held);
        return false;
    }

    /// <summary>Gives back what <see cref="BeginCall"/> took.</summary>
    private void EndCall(bool claimed)
    {
        if (claimed)
            Volatile.Write(ref _claim, 0);
    }

    /// <summary>
    /// Takes the fleet for a call that reads the whole state (<paramref name="reader"/>: <see cref="SaveStateReader"/> or
    /// <see cref="HashReader"/>) until <see cref="EndRead"/>, beside the other such calls; refused during a tick (sharded
    /// too) and while a call that changes the fleet runs.
    /// </summary>
    private void BeginRead(int reader, string call)
    {
        int held = Volatile.Read(ref _claim);
        while (held <= 0)
        {
            int seen = Interlocked.CompareExchange(ref _claim, (held == 0 ? Reading : held) + reader, held);
            if (seen == held)
            {
                if (WhileCalling is not null)
                    RunWhileCalling(reader);
                return;
            }

            held = seen;
        }

        Refuse(call, held);
    }

    /// <summary>Gives back what <see cref="BeginRead"/> took: the last reader out leaves the fleet free.</summary>
    private void EndRead(int reader)
    {
        int held = Volatile.Read(ref _claim), seen;
        while ((seen = Interlocked.CompareExchange(ref _claim, held - reader == Reading ? 0 : held - reader, held)) != held)
            held = seen;
    }

    /// <summary>
    /// Runs the <see cref="WhileCalling"/> hook once the fleet is taken (by a call that changes it when
    /// <paramref name="reader"/> is 0, else by that reader): a hook that throws gives the fleet back first, as the call's
    /// own failure would, instead of leaving it held for ever (the call's try/finally starts after the hook).
    /// </summary>
    private void RunWhileCalling(int reader)
    {
        try
        {
            WhileCalling?.Invoke();
        }
        catch
        {
            if (reader == 0)
                EndCall(claimed: true);
            else
                EndRead(reader);
            throw;
        }
    }

    /// <summary>Refuses fleet call <paramref name="call"/> because of <paramref name="held"/>, the claim that holds the fleet.</summary>
    [DoesNotReturn]
    private static void Refuse(string call, int held)
    {
        if (held is WholeTick or ShardedTick)
            ThrowHelper.FleetTicking(call, held == ShardedTick);
        ThrowHelper.FleetCallRuns(call, Holder(held));
    }
}

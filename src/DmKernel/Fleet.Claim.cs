using System.Diagnostics.CodeAnalysis;

namespace DmKernel;

public sealed partial class Fleet
{
    // Who holds the fleet (docs/public-api.md, "Threads"), in one word, so that taking it costs one interlocked operation
    // per tick or per call and nothing per VM:
    //   0            nobody;
    //   WholeTick    a Balancer.Tick runs;
    //   ShardedTick  a sharded tick is open (Balancer.BeginTick until EndTick); the VM-changing calls made inside it hold
    //                nothing but are counted in _callsInShardedTick, so that EndTick does not close the tick under them;
    //   ClosingShardedTick  Balancer.EndTick (or Dispose) is closing the sharded tick: a VM-changing call waits for the
    //                outcome (counted inside the tick if it stays open, else holding the fleet after it);
    //   a FleetCall  that call runs: the calls that change the VMs or settings or replace the state, one at a time;
    //   negative     calls that read the whole state run, any number at once: the SaveState calls counted in bits 0..14,
    //                the ComputeStateHash calls in bits 15..29 (32 767 of each at once: more threads than a process runs).
    private int _claim;

    /// <summary><see cref="TryClaimTick"/>'s kind: a <see cref="Balancer.Tick()"/> runs over every host.</summary>
    internal const int WholeTick = 1;

    /// <summary><see cref="TryClaimTick"/>'s kind: a sharded tick is open (<see cref="Balancer.BeginTick"/> until <see cref="Balancer.EndTick"/>).</summary>
    internal const int ShardedTick = 2;

    /// <summary>The claim while <see cref="TryCloseShardedTick"/> closes a sharded tick: a tick of the fleet still, whose calls wait.</summary>
    private const int ClosingShardedTick = 8;

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
    /// <see cref="SaveState"/>, <see cref="ComputeStateHash"/>) has taken it (or, inside an open sharded tick, one of the
    /// first four has been counted) and before it does anything, so that a test can
    /// start a tick or another call from another thread at that point instead of hoping to hit it.
    /// </summary>
    internal Action? WhileCalling;

    /// <summary>
    /// Tests only: called in <see cref="TryCloseShardedTick"/> once the tick is closing and before it reads how many calls
    /// run inside it, so that a test can start a call on another thread at that point. A hook that throws leaves the tick
    /// open, as when calls still run, instead of closing for ever (the VM-changing calls would wait for it without end).
    /// </summary>
    internal Action? WhileClosing;

    /// <summary>Tests only: called by a VM-changing call each time it finds the sharded tick closing and waits.</summary>
    internal Action? WhileWaitingForClose;

    /// <summary>
    /// The VM-changing calls (<see cref="AddVm"/>, <see cref="RemoveVm"/>, <see cref="Configure"/>,
    /// <see cref="SetGuestResponse"/>) running inside an open sharded tick, which hold nothing but this count.
    /// </summary>
    private int _callsInShardedTick;

    /// <summary>
    /// The <see cref="SaveState"/> and <see cref="LoadState"/> calls whose user stream this thread is in, innermost last
    /// (<see cref="t_streamDepth"/> of them; a stream may save or load another fleet, whose stream calls back into this
    /// one): a fleet call or a tick that a stream makes on the same thread is refused naming that call on this thread, not
    /// "on another thread". An array kept per thread, so that marking allocates nothing after a thread's first call.
    /// </summary>
    [ThreadStatic]
    private static (Fleet Fleet, string Call)[]? t_streams;

    /// <summary>How many of <see cref="t_streams"/> are marked on this thread.</summary>
    [ThreadStatic]
    private static int t_streamDepth;

    /// <summary>Marks this thread as in <paramref name="call"/>'s user stream until <see cref="LeaveStream"/>.</summary>
    private void EnterStream(string call)
    {
        (Fleet Fleet, string Call)[] marks = t_streams ??= new (Fleet, string)[4];
        if (t_streamDepth == marks.Length)
            Array.Resize(ref t_streams, marks.Length * 2);
        t_streams![t_streamDepth++] = (this, call);
    }

    /// <summary>Takes back the mark of the innermost <see cref="EnterStream"/>.</summary>
    private static void LeaveStream() => t_streams![--t_streamDepth] = default;

    /// <summary>
    /// The call of this fleet whose stream this thread is in (a nested call came from it, maybe through another fleet's
    /// stream), or null.
    /// </summary>
    internal string? StreamCallOnThisThread
    {
        get
        {
            for (int i = t_streamDepth - 1; i >= 0; i--)
            {
                if (ReferenceEquals(t_streams![i].Fleet, this))
                    return t_streams[i].Call;
            }

            return null;
        }
    }

    /// <summary>
    /// Claims the fleet for one tick of <paramref name="kind"/>: 0 when claimed; otherwise the claim that holds it (a tick
    /// of any balancer, or a fleet call: <see cref="Holder"/> names it) and the tick is refused.
    /// </summary>
    internal int TryClaimTick(int kind) => Interlocked.CompareExchange(ref _claim, kind, 0);

    /// <summary>Ends the tick claimed by <see cref="TryClaimTick"/>.</summary>
    internal void ReleaseTick() => Interlocked.Exchange(ref _claim, 0);

    /// <summary>Whether <paramref name="claim"/> (a value <see cref="TryClaimTick"/> returned) is a sharded tick's, open or closing.</summary>
    internal static bool IsShardedTick(int claim) => claim is ShardedTick or ClosingShardedTick;

    /// <summary>
    /// Closes the open sharded tick (claimed by the caller) to the VM-changing calls: 0 when none runs inside it, and
    /// from then on none starts inside it (one that comes waits until <see cref="ReleaseTick"/>, then holds the fleet);
    /// otherwise how many still run, and the tick stays open to them (as it does if the <see cref="WhileClosing"/> hook throws).
    /// </summary>
    internal int TryCloseShardedTick()
    {
        // With the call's increment in BeginCall (count, then claim read) this is Dekker's pattern over two interlocked
        // operations: either the call sees the tick closing (and waits for the outcome), or this sees the call counted.
        Interlocked.Exchange(ref _claim, ClosingShardedTick);
        if (WhileClosing is Action closing)
        {
            try
            {
                closing();
            }
            catch
            {
                Volatile.Write(ref _claim, ShardedTick);
                throw;
            }
        }

        int calls = Volatile.Read(ref _callsInShardedTick);
        if (calls != 0)
            Volatile.Write(ref _claim, ShardedTick);
        return calls;
    }

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
    /// Takes the fleet for <paramref name="call"/> until <see cref="EndCall"/> (true); refused while a tick runs or another
    /// fleet call that holds the fleet does. Inside an open sharded tick a VM-changing call (not <see cref="LoadState"/>) is
    /// allowed and takes nothing (false) but is counted until <see cref="EndCall"/>, so that <see cref="Balancer.EndTick"/>
    /// is refused while it runs: a replay changes each chunk's VMs, on the chunk's thread, just before it ticks them.
    /// </summary>
    private bool BeginCall(FleetCall call)
    {
        SpinWait closing = default;
        while (true)
        {
            int held = Interlocked.CompareExchange(ref _claim, (int)call, 0);
            if (held == 0)
            {
                if (WhileCalling is not null)
                    RunWhileCalling(reader: 0);
                return true;
            }

            if (held == ClosingShardedTick && call != FleetCall.LoadState)
            {
                // EndTick (or Dispose) is ending the sharded tick this call could have run inside: wait until it has
                // ended (this call then holds the fleet alone) or stays open (this call is then counted inside it): a
                // few instructions, or EndTick's pass over the hosts. Refusing it would fail a call that either outcome
                // allows.
                WhileWaitingForClose?.Invoke();
                closing.SpinOnce();
                continue;
            }

            if (held != ShardedTick || call == FleetCall.LoadState)
                Refuse(call.ToString(), held);
            Interlocked.Increment(ref _callsInShardedTick);
            if (Volatile.Read(ref _claim) == ShardedTick)
            {
                if (WhileCalling is not null)
                    RunWhileCalling(reader: 0, claimed: false);
                return false;
            }

            Interlocked.Decrement(ref _callsInShardedTick); // the tick is closing or closed: try again (free, or refused)
        }
    }

    /// <summary>Gives back what <see cref="BeginCall"/> took (<paramref name="claimed"/>: its result).</summary>
    private void EndCall(bool claimed)
    {
        if (claimed)
            Volatile.Write(ref _claim, 0);
        else
            Interlocked.Decrement(ref _callsInShardedTick);
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
    /// <paramref name="reader"/> is 0: alone when <paramref name="claimed"/>, else counted inside an open sharded tick;
    /// otherwise by that reader): a hook that throws gives the fleet (or the count) back first, as the call's
    /// own failure would, instead of leaving it held for ever (the call's try/finally starts after the hook).
    /// </summary>
    private void RunWhileCalling(int reader, bool claimed = true)
    {
        try
        {
            WhileCalling?.Invoke();
        }
        catch
        {
            if (reader == 0)
                EndCall(claimed);
            else
                EndRead(reader);
            throw;
        }
    }

    /// <summary>Refuses fleet call <paramref name="call"/> because of <paramref name="held"/>, the claim that holds the fleet.</summary>
    [DoesNotReturn]
    private void Refuse(string call, int held)
    {
        if (held == WholeTick || IsShardedTick(held))
            ThrowHelper.FleetTicking(call, held != WholeTick);
        ThrowHelper.FleetCallRuns(call, StreamCallOnThisThread is string own ? "Fleet." + own : Holder(held), onThisThread: StreamCallOnThisThread is not null);
    }
}

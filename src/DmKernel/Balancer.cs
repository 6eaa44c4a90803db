using System.Globalization;
using DmKernel.Kernel;
using DmKernel.Policies;
using Microsoft.Extensions.ObjectPool;

namespace DmKernel;

/// <summary>
/// Runs ticks of the Dynamic Memory balancer over a <see cref="Fleet"/>: all hosts, on one or more threads,
/// with the chosen kernel path. Results do not depend on the path or the number of threads. After
/// construction a tick allocates nothing.
/// </summary>
public sealed class Balancer : IDisposable
{
    private readonly Fleet _fleet;
    private readonly HostScratch[] _scratch;
    private readonly int[] _pieceStart;   // host ranges of the worker group's pieces, balanced by slot count
    private readonly WorkerGroup? _workers;
    private readonly ObjectPool<HostScratch> _shardScratch;
    private readonly int _maxHost;
    private PolicyScratch[]? _policyScratch;           // per thread, for the goal-driven policies
    private ObjectPool<PolicyScratch>? _shardPolicyScratch;
    private TickContext _ctx;
    private PolicyTick _policyTick;
    private int _shard;                 // 0: no sharded tick open; n > 0: open, with n - 1 TickHosts calls running;
                                        // ShardClosing: EndTick or Dispose is closing it (TickHosts waits for the outcome)

    /// <summary><c>_shard</c> while <see cref="EndTick"/> or <see cref="Dispose"/> closes the sharded tick (a few instructions).</summary>
    private const int ShardClosing = -1;
    private volatile bool _disposed;
    private int _busy;                  // 1 while a tick (or a sharded tick) runs: a second caller is refused, not raced
    private readonly int[] _hostTicks;  // sharded tick: how often each host was ticked since BeginTick

    // Tick(committedMb): the caller's span, pinned for the call, and what the workers do with it.
    private unsafe int* _committedIn;
    private ChunkWork _work;
    private readonly int[] _badAt; // per piece: the first slot with a bad committed value, or -1

    /// <summary>
    /// The tick sorts spans of int (R5's short plan: the unsatisfied members back in position order) and of long (R4's
    /// donors by weight and slot); the runtime makes each element type's sort helper at its first sort (24 B), so they
    /// are made here, once per process, and not inside whichever tick first sorts (before stop 53: a tick long after
    /// warm-up, the first start needing a reclaim from donors out of weight order, allocated 24 B once).
    /// </summary>
    static Balancer()
    {
        Span<int> ints = [2, 1];
        ints.Sort();
        Span<long> longs = [2, 1];
        longs.Sort();
    }

    /// <summary>Creates a balancer over <paramref name="fleet"/>.</summary>
    /// <param name="fleet">The state to tick.</param>
    /// <param name="path">Kernel path; Auto takes <c>DMKERNEL_PATH</c> or the widest accelerated one.</param>
    /// <param name="threads">Worker threads (1 = the calling thread only).</param>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0027", Justification = "The policy overload has no optional parameter: a call without a policy binds here as it did in 0.1.0.")]
    public Balancer(Fleet fleet, KernelPath path = KernelPath.Auto, int threads = 1)
        : this(fleet, path, threads, BalancerPolicy.HyperV)
    {
    }

    /// <summary>
    /// Creates a balancer over <paramref name="fleet"/> that decides goals with <paramref name="policy"/>
    /// (docs/policies.md): Hyper-V Dynamic Memory, static, Xen squeezed, oVirt MoM or VMware ESX. Every policy shares the
    /// state, the lifecycle, the balloon and hot-add mechanisms and the outputs.
    /// </summary>
    /// <param name="fleet">The state to tick.</param>
    /// <param name="policy">The policy and its parameters.</param>
    /// <param name="path">Kernel path; Auto takes <c>DMKERNEL_PATH</c> or the widest accelerated one.</param>
    /// <param name="threads">Worker threads (1 = the calling thread only).</param>
    public Balancer(Fleet fleet, BalancerPolicy policy, KernelPath path, int threads)
        : this(fleet, path, threads, policy)
    {
    }

    /// <summary>
    /// For the benchmark that compares the workers' adaptive spin with the fixed one it replaced, in one run
    /// (<see cref="WorkerGroup"/>): <paramref name="fixedWorkerSpin"/> spins before every wait.
    /// </summary>
    internal Balancer(Fleet fleet, KernelPath path, int threads, bool fixedWorkerSpin)
        : this(fleet, path, threads, BalancerPolicy.HyperV, fixedWorkerSpin)
    {
    }

    // Every argument is checked before the worker threads start: a refused one leaves no thread behind.
    private Balancer(Fleet fleet, KernelPath path, int threads, BalancerPolicy policy, bool fixedWorkerSpin = false)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        ArgumentNullException.ThrowIfNull(policy);
        policy.Validate();
        if (threads < 1 || threads > 1024)
            throw new InvariantOutOfRangeException(nameof(threads), threads, "threads must be 1..1024.");
        if (!Enum.IsDefined(path))
            throw new InvariantOutOfRangeException(nameof(path), path, "Unknown kernel path.");
        _fleet = fleet;
        Policy = policy;
        Path = KernelPaths.Resolve(path);
        _hostTicks = new int[fleet.HostCount];
        Threads = Math.Min(threads, Math.Max(1, fleet.HostCount));
        int maxHost = 0;
        for (int h = 0; h < fleet.HostCount; h++)
            maxHost = Math.Max(maxHost, fleet.Cols.HostCapacity[h]);
        var orderCache = new OrderCache(fleet.SlotCount, fleet.HostCount);
        _scratch = new HostScratch[Threads];
        for (int t = 0; t < Threads; t++)
            _scratch[t] = new HostScratch(maxHost) { Cache = orderCache };
        int pieces = Threads == 1 ? 1 : Math.Min(fleet.HostCount, Threads * PiecesPerThread);
        _pieceStart = SplitHosts(fleet, pieces);
        _badAt = new int[pieces];
        _shardScratch = new DefaultObjectPool<HostScratch>(new ScratchPolicy(maxHost, orderCache), Environment.ProcessorCount * 2);
        _maxHost = maxHost;
        if (policy.Kind != PolicyKind.HyperV)
        {
            _policyScratch = new PolicyScratch[Threads];
            for (int t = 0; t < Threads; t++)
                _policyScratch[t] = new PolicyScratch(_maxHost);
            _shardPolicyScratch = new DefaultObjectPool<PolicyScratch>(new PolicyScratchPolicy(_maxHost), Environment.ProcessorCount * 2);
        }

        if (Threads > 1)
            _workers = new WorkerGroup(Threads - 1, pieces, RunPiece, fixedWorkerSpin);
    }

    /// <summary>The worker group (null with one thread), for the tests of its waits.</summary>
    internal WorkerGroup? Workers => _workers;

    /// <summary>For the allocation tests: the worker threads' own allocation counters (<see cref="WorkerGroup.TrackAllocations"/>); 0 with one thread.</summary>
    internal long WorkerAllocatedBytes => _workers?.WorkerAllocatedBytes ?? 0;

    /// <summary>For the allocation tests: how many pieces of ticks the workers have run since tracking began (0 with one thread).</summary>
    internal long WorkerPiecesRun => _workers?.WorkerPiecesRun ?? 0;

    /// <summary>For the allocation tests: the workers record their allocation counters from the next tick on.</summary>
    internal void TrackWorkerAllocations() => _workers?.TrackAllocations();

    /// <summary>The policy that decides the goals (Hyper-V unless given).</summary>
    public BalancerPolicy Policy { get; }

    /// <summary>The path that runs (Auto resolved).</summary>
    public KernelPath Path { get; }

    /// <summary>Threads ticking hosts (never more than there are hosts).</summary>
    public int Threads { get; }

    /// <summary>The fleet being balanced.</summary>
    public Fleet Fleet => _fleet;

    /// <summary>
    /// Runs one tick over every host. One tick of a fleet runs at a time: a second <see cref="Tick()"/> (or
    /// <see cref="BeginTick"/>) while one runs, on another thread or through another <see cref="Balancer"/> of the same
    /// fleet, or while a sharded tick is open, is refused with <see cref="InvalidOperationException"/>; so are the calls
    /// of the fleet that change its VMs or settings or replace its state (<see cref="Fleet.AddVm"/>,
    /// <see cref="Fleet.RemoveVm"/>, <see cref="Fleet.Configure"/>, <see cref="Fleet.SetGuestResponse"/>,
    /// <see cref="Fleet.LoadState"/>, <see cref="Fleet.SaveState"/>, <see cref="Fleet.ComputeStateHash"/>) from another
    /// thread while the tick runs; and the tick itself is refused, naming the call, while one of those calls runs on another
    /// thread (they hold the fleet while they run). The per-VM inputs (<c>SetCommitted</c>, <c>UpdateCommitted</c>, the requests,
    /// <see cref="Fleet.CancelRequest"/>) and every read (spans, per-index getters) are not checked: calling them during a
    /// tick is the caller's error (a request then can leave a host's memory out of balance; a read can see the tick half
    /// done).
    /// </summary>
    public void Tick()
    {
        Enter("Tick", Fleet.WholeTick);
        try
        {
            TickAll();
        }
        finally
        {
            Exit(fleetClaimed: true);
        }
    }

    /// <summary>
    /// Tests only: called on the ticking thread once per <see cref="Tick()"/> (before its hosts run) and once per
    /// <see cref="TickHosts"/> call (after its hosts are claimed), while the tick holds the fleet, so that a test can act
    /// from another thread at that point instead of hoping to hit it.
    /// </summary>
    internal Action? WhileTicking;

    private void TickAll()
    {
        StartTick();
        WhileTicking?.Invoke();
        if (_workers is null)
            RunPiece(0, 0);
        else
            _workers.Run(); // the pieces on this thread and the workers, each once
        _fleet.TickIndex++;
    }

    /// <summary>
    /// Claims the balancer for one tick: a balancer ticks one tick at a time, and a second caller (another thread, or a
    /// tick inside a sharded one) is refused with <see cref="InvalidOperationException"/> instead of racing the first
    /// (which corrupted the hosts' state, or aborted the process inside the worker group).
    /// </summary>
    private void Enter(string call, int kind)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        WhileEntering?.Invoke();

        // A Dispose on another thread since the check above can cause either refusal below: it leaves a sharded tick open
        // while a TickHosts call runs, and it stops the workers by claiming the balancer for good. Either is then the
        // disposed balancer's ObjectDisposedException, not a tick of this balancer in the way. A sharded tick that EndTick
        // (or Dispose) is closing (ShardClosing) is not read as open here: the balancer is still claimed, so the call is
        // refused below as one overlapping that EndTick, as during the rest of it, not as a second BeginTick.
        if (Volatile.Read(ref _shard) > 0)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            throw new InvalidOperationException(kind == Fleet.ShardedTick ? "BeginTick called twice without EndTick." : $"{call} called inside BeginTick/EndTick.");
        }

        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            throw new InvalidOperationException($"{call} called while another tick of this balancer runs (on another thread): a Balancer runs one tick at a time; tick hosts in parallel with its threads, or with BeginTick/TickHosts/EndTick.");
        }

        if (WhileClaiming is Action claiming)
        {
            try
            {
                claiming();
            }
            catch
            {
                Exit(fleetClaimed: false); // a hook that throws gives the balancer back, as a refused claim does
                throw;
            }
        }

        int held = _fleet.TryClaimTick(kind);
        if (held != 0)
        {
            Exit(fleetClaimed: false);
            if (held != Fleet.WholeTick && !Fleet.IsShardedTick(held))
            {
                string? own = _fleet.StreamCallOnThisThread;
                ThrowHelper.TickDuringFleetCall(call, own is null ? Fleet.Holder(held) : "Fleet." + own, onThisThread: own is not null);
            }

            throw new InvalidOperationException(Fleet.IsShardedTick(held)
                ? $"{call} called while another Balancer's sharded tick of this fleet is open (BeginTick without EndTick): one tick of a fleet at a time, whichever balancer runs it."
                : $"{call} called while another Balancer's tick of this fleet runs (on another thread): one tick of a fleet at a time, whichever balancer runs it.");
        }

        // Read with the fleet claimed: a sharded tick refused (or abandoned) by another balancer marks the fleet before it
        // gives the fleet back, so a tick that claims it after that sees the mark (read before the claim, it was missed).
        if (_fleet.RefusedShardedTick is long refused)
        {
            Exit(fleetClaimed: true);
            throw new InvalidOperationException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{call}: EndTick refused the sharded tick {refused} (a host not ticked exactly once, or the tick abandoned by Dispose), so the fleet's hosts are at different ticks; restore a saved state (Fleet.LoadState) before ticking again."));
        }
    }

    /// <summary>
    /// Tests only: called in <see cref="Enter"/> after its check that the balancer is not disposed and before it is claimed,
    /// so that a test can dispose it (as another thread could) at that point.
    /// </summary>
    internal Action? WhileEntering;

    /// <summary>
    /// Tests only: called in <see cref="Enter"/> once the balancer is claimed and before the fleet is, so that a test can
    /// act (dispose the balancer, end another balancer's tick) at that point.
    /// </summary>
    internal Action? WhileClaiming;

    /// <summary>
    /// Ends what <see cref="Enter"/> claimed; on a balancer disposed meanwhile, stops the worker threads (which
    /// <see cref="Dispose"/> left to the tick that ran).
    /// </summary>
    private void Exit(bool fleetClaimed)
    {
        if (fleetClaimed)
        {
            _fleet.SetShardedHostTicks(null);
            _fleet.ReleaseTick();
        }

        Interlocked.Exchange(ref _busy, 0); // a full fence: Dispose sees the balancer free, or this sees it disposed
        if (_disposed)
            StopWorkers();
    }

    /// <summary>Stops the workers once, when no tick runs; the balancer stays claimed, so nothing ticks after.</summary>
    private void StopWorkers()
    {
        if (Interlocked.CompareExchange(ref _busy, 1, 0) == 0)
            _workers?.Dispose();
    }

    /// <summary>
    /// Sets every slot's committed memory (R8 input; exactly as <see cref="Fleet.SetCommitted(ReadOnlySpan{int})"/>: one
    /// value per slot, 0..<see cref="Fleet.MaxCommittedMb"/> MB, free slots ignored by the kernel) and runs one tick.
    /// With several threads each thread checks, then copies, the slots of the pieces of hosts it claims, a piece's copy
    /// just before it ticks its hosts, so the input is not a serial pass before the parallel tick. Every value is checked before any is copied: a bad one
    /// throws (naming the slot and the value) and changes nothing.
    /// </summary>
    public unsafe void Tick(ReadOnlySpan<int> committedMb)
    {
        Enter("Tick", Fleet.WholeTick);
        try
        {
            TickWith(committedMb);
        }
        finally
        {
            Exit(fleetClaimed: true);
        }
    }

    private unsafe void TickWith(ReadOnlySpan<int> committedMb)
    {
        if (committedMb.Length != _fleet.SlotCount)
            ThrowHelper.SpanLength(nameof(committedMb), committedMb.Length, _fleet.SlotCount);
        if (_workers is null)
        {
            _fleet.SetCommitted(committedMb);
            TickAll();
            return;
        }

        fixed (int* input = committedMb)
        {
            _committedIn = input;
            try
            {
                _work = ChunkWork.CheckCommitted;
                _workers.Run();
                int bad = -1;
                foreach (int at in _badAt)
                {
                    if (at >= 0 && (bad < 0 || at < bad))
                        bad = at;
                }

                if (bad >= 0)
                    ThrowHelper.BadCommitted(bad, committedMb[bad], nameof(committedMb));

                _work = ChunkWork.CopyCommittedAndTick;
                StartTick();
                _workers.Run();
                _fleet.TickIndex++;
            }
            finally
            {
                _work = ChunkWork.Tick;
                _committedIn = null;
            }
        }
    }

    /// <summary>
    /// Starts a tick whose hosts the caller runs itself with <see cref="TickHosts"/>, for simulators that shard
    /// hosts over their own threads or machines. Every host must be ticked exactly once before <see cref="EndTick"/>.
    /// The fleet is claimed as by <see cref="Tick()"/> until <see cref="EndTick"/>: no other tick of it starts (through
    /// any balancer), and <see cref="Fleet.LoadState"/>, <see cref="Fleet.SaveState"/> and
    /// <see cref="Fleet.ComputeStateHash"/> are refused; and BeginTick is refused, naming the call, while one of the fleet
    /// calls that hold the fleet (<see cref="Fleet.AddVm"/>, <see cref="Fleet.RemoveVm"/>, <see cref="Fleet.Configure"/>,
    /// <see cref="Fleet.SetGuestResponse"/>, <see cref="Fleet.LoadState"/>, <see cref="Fleet.SaveState"/>,
    /// <see cref="Fleet.ComputeStateHash"/>) runs on another thread. Between BeginTick and EndTick the caller may change the VMs of the
    /// hosts that no <see cref="TickHosts"/> call is ticking at that moment (their committed demand, requests, settings,
    /// as a replay applies each chunk of hosts just before it ticks it); a change to a host while it is ticked is the
    /// caller's error, not checked. <see cref="Fleet.AddVm"/>, <see cref="Fleet.RemoveVm"/>, <see cref="Fleet.Configure"/>
    /// and <see cref="Fleet.SetGuestResponse"/> hold nothing inside a sharded tick but are counted while they run:
    /// <see cref="EndTick"/> is refused until they have returned.
    /// </summary>
    public void BeginTick()
    {
        Enter("BeginTick", Fleet.ShardedTick);
        if (WhileBeginning is Action beginning)
        {
            try
            {
                beginning();
            }
            catch
            {
                Exit(fleetClaimed: true); // a hook that throws gives the fleet and the balancer back
                throw;
            }
        }

        Array.Clear(_hostTicks);
        _fleet.SetShardedHostTicks(_hostTicks);
        StartTick();
        Interlocked.Exchange(ref _shard, 1); // a full fence: Dispose sees the tick open, or this sees the balancer disposed
        WhileOpened?.Invoke();
        if (!_disposed)
            return;

        // Disposed meanwhile: whichever of this and Dispose closes the tick first decides. Dispose closing it now is waited
        // for (a few instructions); if it abandoned the tick (0), this BeginTick throws as a disposed balancer's call; if it
        // left the tick open (1: a fleet call made inside it runs), this closes it in turn below and finds the same.
        int seen;
        SpinWait closing = default;
        while ((seen = Interlocked.CompareExchange(ref _shard, ShardClosing, 1)) == ShardClosing)
            closing.SpinOnce();
        if (seen == 0)
            ObjectDisposedException.ThrowIf(true, this);
        if (seen == 1)
        {
            // Disposed since Enter, when no tick was open to abandon: abandoned here (no host ticked), the fleet given back,
            // as Dispose abandons one: unless a VM-changing fleet call started inside the tick (the fleet was claimed as a
            // sharded tick from Enter on) still runs. Then the tick stays open, as Dispose leaves it with such a call
            // running: this BeginTick returns, the tick to be ended with EndTick, which stops the workers.
            if (CloseShardedTick() != 0)
            {
                Volatile.Write(ref _shard, 1);
                return;
            }

            Volatile.Write(ref _shard, 0);
            Exit(fleetClaimed: true);
            ObjectDisposedException.ThrowIf(true, this);
        }
    }

    /// <summary>
    /// Tests only: called in <see cref="BeginTick"/> once the tick is open on this balancer and before it checks for a
    /// <see cref="Dispose"/> made meanwhile, so that a test can dispose the balancer at that point.
    /// </summary>
    internal Action? WhileOpened;

    /// <summary>
    /// Tests only: called in <see cref="BeginTick"/> once the fleet is claimed for the sharded tick and before the tick is
    /// open on this balancer, so that a test can start a fleet call inside the tick, or dispose the balancer, at that point.
    /// </summary>
    internal Action? WhileBeginning;

    /// <summary>
    /// Ticks hosts [<paramref name="firstHost"/>, <paramref name="firstHost"/> + <paramref name="hostCount"/>)
    /// within a <see cref="BeginTick"/> / <see cref="EndTick"/> pair. Safe to call concurrently for disjoint
    /// ranges; each call borrows working memory from a pool, so steady state allocates nothing. A range with a host
    /// already ticked since <see cref="BeginTick"/>, or being ticked by a call on another thread, is refused with
    /// <see cref="InvalidOperationException"/> naming the host, and ticks none of its hosts (the sharded tick stays open).
    /// A call that comes while <see cref="EndTick"/> or <see cref="Dispose"/> is closing the tick waits for the outcome (a
    /// few instructions): it ticks its hosts if the tick stays open, and is refused if it ended.
    /// </summary>
    public void TickHosts(int firstHost, int hostCount)
    {
        // Counted in _shard for the call's length, so that EndTick (or Dispose) does not close the tick under it.
        int open;
        SpinWait closing = default;
        do
        {
            open = Volatile.Read(ref _shard);
            if (open == ShardClosing)
            {
                // EndTick (or Dispose) is closing the tick: it ends (refused below) or stays open (counted), in a moment.
                WhileWaitingForClose?.Invoke();
                closing.SpinOnce();
                continue;
            }

            if (open == 0)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                throw new InvalidOperationException("TickHosts must be called between BeginTick and EndTick.");
            }
        }
        while (open == ShardClosing || Interlocked.CompareExchange(ref _shard, open + 1, open) != open);

        try
        {
            if (firstHost < 0 || hostCount < 0 || firstHost > _fleet.HostCount - hostCount)
                throw new InvariantOutOfRangeException(firstHost < 0 || firstHost > _fleet.HostCount ? nameof(firstHost) : nameof(hostCount), null,
                    string.Create(CultureInfo.InvariantCulture, $"Hosts [{firstHost}, {(long)firstHost + hostCount}) are not within 0..{_fleet.HostCount}."));
            ClaimHosts(firstHost, hostCount);
            WhileTicking?.Invoke();
            HostScratch scratch = _shardScratch.Get();
            PolicyScratch? policyScratch = _shardPolicyScratch?.Get();
            try
            {
                RunHosts(firstHost, firstHost + hostCount, scratch, policyScratch);
            }
            finally
            {
                _fleet.Changed(); // the derived spans read before this call are computed again at their next read
                _shardScratch.Return(scratch);
                if (policyScratch is not null)
                    _shardPolicyScratch!.Return(policyScratch);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _shard);
        }
    }

    /// <summary>
    /// Counts each host of the range as ticked; a host counted already (ticked before, or by a call running on another
    /// thread) takes the range's counts back and is refused, so that no host runs twice in one tick.
    /// </summary>
    private void ClaimHosts(int firstHost, int hostCount)
    {
        for (int h = firstHost; h < firstHost + hostCount; h++)
        {
            if (Interlocked.Increment(ref _hostTicks[h]) != 1)
            {
                for (int k = firstHost; k <= h; k++)
                    Interlocked.Decrement(ref _hostTicks[k]);
                throw new InvalidOperationException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"TickHosts({firstHost}, {hostCount}): host {h} was already ticked since BeginTick (or is being ticked by a TickHosts call on another thread); every host is ticked exactly once per tick. None of the range's hosts was ticked."));
            }
        }
    }

    /// <summary>
    /// Ends a sharded tick, on any thread, once every <see cref="TickHosts"/> call has returned: called while one still
    /// runs on another thread, or while a <see cref="Fleet.AddVm"/>, <see cref="Fleet.RemoveVm"/>,
    /// <see cref="Fleet.Configure"/> or <see cref="Fleet.SetGuestResponse"/> made inside the tick does, it is refused with
    /// <see cref="InvalidOperationException"/> and the tick stays open. A host not
    /// ticked since <see cref="BeginTick"/> is an <see cref="InvalidOperationException"/> naming it: the hosts ticked have
    /// moved on and the others have not (their R18 windows no longer match the tick index), so the fleet must be restored
    /// from a saved state: until <see cref="Fleet.LoadState"/> does, every tick of the fleet (<see cref="Tick()"/>,
    /// <see cref="BeginTick"/>, by any balancer) is refused, naming the tick.
    /// </summary>
    public void EndTick()
    {
        int open = Interlocked.CompareExchange(ref _shard, ShardClosing, 1);
        if (open == ShardClosing)
            throw new InvalidOperationException("EndTick called while this sharded tick is being ended on another thread (by EndTick or Dispose).");
        if (open == 0)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            throw new InvalidOperationException("EndTick called without BeginTick.");
        }

        if (open > 1)
            throw new InvalidOperationException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"EndTick called while {open - 1} TickHosts call(s) of this tick still run on other threads: end the tick after every TickHosts call has returned. The tick is still open."));
        int calls = CloseShardedTick();
        if (calls != 0)
        {
            Volatile.Write(ref _shard, 1);
            throw new InvalidOperationException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"EndTick called while {calls} call(s) of Fleet.AddVm, RemoveVm, Configure or SetGuestResponse made inside this tick still run on other threads: end the tick after they have returned. The tick is still open."));
        }

        Volatile.Write(ref _shard, 0);
        try
        {
            for (int h = 0; h < _hostTicks.Length; h++)
            {
                if (_hostTicks[h] != 1)
                {
                    _fleet.RefusedShardedTick = _fleet.TickIndex;
                    int count = _hostTicks.Count(c => c != 1);
                    throw new InvalidOperationException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                        $"EndTick: host {h} was ticked {_hostTicks[h]} times since BeginTick ({count} host(s) not exactly once); every host must be ticked exactly once. The fleet's hosts are now at different ticks: restore a saved state (Fleet.LoadState)."));
                }
            }

            _fleet.TickIndex++;
        }
        finally
        {
            Exit(fleetClaimed: true);
        }
    }

    /// <summary>Tests only: called by a <see cref="TickHosts"/> call each time it finds the tick closing and waits.</summary>
    internal Action? WhileWaitingForClose;

    /// <summary>
    /// <see cref="Fleet.TryCloseShardedTick"/> for the tick this balancer has just taken off <c>_shard</c>; if it throws
    /// (only its test hook <see cref="Fleet.WhileClosing"/> can), the tick is open on this balancer again, as when a call
    /// still runs inside it, so that <see cref="EndTick"/> can still end it.
    /// </summary>
    private int CloseShardedTick()
    {
        try
        {
            return _fleet.TryCloseShardedTick();
        }
        catch
        {
            Volatile.Write(ref _shard, 1);
            throw;
        }
    }

    /// <summary>Runs <paramref name="count"/> ticks.</summary>
    public void Tick(int count)
    {
        InvariantOutOfRangeException.ThrowIfNegative(count);
        ObjectDisposedException.ThrowIf(_disposed, this);
        for (int i = 0; i < count; i++)
            Tick();
    }

    /// <summary>
    /// Stops the worker threads; a tick started after this throws <see cref="ObjectDisposedException"/> (on any thread
    /// count), and so does a <see cref="Tick()"/> or <see cref="BeginTick"/> that overlaps it on another thread (started
    /// just before it and refused after it, not an <see cref="InvalidOperationException"/> that another tick runs). Never
    /// throws, and may be called twice, or on any thread: a <see cref="Tick()"/> running on another thread runs to its end,
    /// and the workers stop when it returns. A sharded tick left open is abandoned when no <see cref="TickHosts"/> call
    /// runs: the fleet is free for another balancer, and if some hosts were ticked (so that the hosts are at different
    /// ticks) every later tick of the fleet is refused until <see cref="Fleet.LoadState"/>, as after a refused
    /// <see cref="EndTick"/>. With a <see cref="TickHosts"/> call still running (or a VM-changing fleet call made inside
    /// the tick) the tick stays open: finish it with
    /// <see cref="TickHosts"/> and <see cref="EndTick"/>, which still work, and the workers stop at <see cref="EndTick"/>;
    /// a <see cref="BeginTick"/> that this overlaps while such a fleet call runs returns, its tick open so.
    /// </summary>
    public void Dispose()
    {
        _disposed = true;
        if (Interlocked.CompareExchange(ref _shard, ShardClosing, 1) == 1)
        {
            if (CloseShardedTick() != 0)
            {
                // A VM-changing fleet call made inside the tick still runs: the tick stays open, as with a TickHosts call.
                Volatile.Write(ref _shard, 1);
                StopWorkers();
                return;
            }

            Volatile.Write(ref _shard, 0);

            // An open sharded tick with no TickHosts call or fleet call running: abandoned.
            if (_hostTicks.AsSpan().IndexOfAnyExcept(0) >= 0)
                _fleet.RefusedShardedTick = _fleet.TickIndex;
            _fleet.SetShardedHostTicks(null);
            _fleet.ReleaseTick();
            Interlocked.Exchange(ref _busy, 0);
        }

        StopWorkers();
    }

    private void StartTick()
    {
        _ctx = new TickContext(_fleet.Model, _fleet.TickIndex);
        if (Policy.Kind != PolicyKind.HyperV)
            _policyTick = new PolicyTick(Policy, _fleet.Model, _fleet.TickIndex);
    }

    private unsafe void RunPiece(int piece, int thread)
    {
        if (_work != ChunkWork.Tick)
        {
            // The piece's slots: from its first host's first slot to the next piece's (the last piece: to the end).
            int s0 = PieceSlot(piece), s1 = PieceSlot(piece + 1);
            var input = new ReadOnlySpan<int>(_committedIn + s0, s1 - s0);
            if (_work == ChunkWork.CheckCommitted)
            {
                int bad = input.IndexOfAnyExceptInRange(0, Fleet.MaxCommittedMb);
                _badAt[piece] = bad < 0 ? -1 : s0 + bad;
                return;
            }

            input.CopyTo(_fleet.Cols.Committed.AsSpan(s0));
        }

        RunHosts(_pieceStart[piece], _pieceStart[piece + 1], _scratch[thread], _policyScratch?[thread]);
    }

    /// <summary>The first slot of piece <paramref name="piece"/> (0 for the first, the slot count after the last).</summary>
    private int PieceSlot(int piece)
    {
        if (piece == 0)
            return 0;
        int h = _pieceStart[piece];
        return h < _fleet.HostCount && piece < _pieceStart.Length - 1 ? _fleet.Cols.HostStart[h] : _fleet.SlotCount;
    }

    private enum ChunkWork
    {
        Tick,
        CheckCommitted,
        CopyCommittedAndTick,
    }

    private void RunHosts(int h0, int h1, HostScratch scratch, PolicyScratch? policyScratch)
    {
        // R18: a tick that ends a window leaves every window of the hosts empty (FleetColumns.HostWindowsClean, read by the
        // kernel at each host's start); a tick that does not finish leaves it unknown.
        Span<byte> windowsClean = _fleet.Cols.HostWindowsClean.AsSpan(h0, h1 - h0);
        try
        {
            RunKernel(h0, h1, scratch, policyScratch);
        }
        catch
        {
            windowsClean.Clear();
            throw;
        }

        windowsClean.Fill(_ctx.WindowEnd ? (byte)1 : (byte)0);
    }

    private void RunKernel(int h0, int h1, HostScratch scratch, PolicyScratch? policyScratch)
    {
        // The goal-driven policies (docs/policies.md): one scalar per-host kernel per policy, the same on every path.
        switch (Policy.Kind)
        {
            case PolicyKind.Static:
                RunPolicy<StaticPolicy>(h0, h1, scratch, policyScratch!);
                return;
            case PolicyKind.Squeezed:
                RunPolicy<SqueezedPolicy>(h0, h1, scratch, policyScratch!);
                return;
            case PolicyKind.Mom:
                RunPolicy<MomPolicy>(h0, h1, scratch, policyScratch!);
                return;
            case PolicyKind.Esx:
                RunPolicy<EsxPolicy>(h0, h1, scratch, policyScratch!);
                return;
        }

        switch (Path)
        {
            case KernelPath.Scalar:
                RunHostsWith<ScalarKernel>(h0, h1, scratch);
                break;
            case KernelPath.Vector128:
                RunHostsWith<VectorKernel<V128>>(h0, h1, scratch);
                break;
            case KernelPath.Vector256:
                RunHostsWith<VectorKernel<V256>>(h0, h1, scratch);
                break;
            default:
                RunHostsWith<VectorKernel<V512>>(h0, h1, scratch);
                break;
        }
    }

    private void RunPolicy<TPolicy>(int h0, int h1, HostScratch scratch, PolicyScratch policyScratch)
        where TPolicy : struct, IPolicy
    {
        switch (Path)
        {
            case KernelPath.Scalar:
                PolicyKernel<TPolicy, ScalarFinish>.TickHosts(_fleet.Cols, h0, h1, _ctx, _policyTick, scratch, policyScratch);
                break;
            case KernelPath.Vector128:
                PolicyKernel<TPolicy, VectorFinish<V128>>.TickHosts(_fleet.Cols, h0, h1, _ctx, _policyTick, scratch, policyScratch);
                break;
            case KernelPath.Vector256:
                PolicyKernel<TPolicy, VectorFinish<V256>>.TickHosts(_fleet.Cols, h0, h1, _ctx, _policyTick, scratch, policyScratch);
                break;
            default:
                PolicyKernel<TPolicy, VectorFinish<V512>>.TickHosts(_fleet.Cols, h0, h1, _ctx, _policyTick, scratch, policyScratch);
                break;
        }
    }

    /// <summary>
    /// Hyper-V's hosts [<paramref name="h0"/>, <paramref name="h1"/>) on <typeparamref name="TKernel"/>. P10: the vector
    /// kernels have no guest limit, so on a vector path a host with a guest that is not ideal (the fleet's per-host count,
    /// <see cref="FleetColumns.HostNonIdealGuests"/>, kept by <see cref="Fleet.SetGuestResponse"/> and <see cref="Fleet.RemoveVm"/>)
    /// runs the scalar reference for this tick; the runs of hosts between such hosts stay on the vector kernel.
    /// </summary>
    private void RunHostsWith<TKernel>(int h0, int h1, HostScratch scratch)
        where TKernel : struct, IHostKernel
    {
        FleetColumns cols = _fleet.Cols;
        ReadOnlySpan<int> nonIdeal = cols.HostNonIdealGuests.AsSpan(h0, h1 - h0);
        int next = typeof(TKernel) == typeof(ScalarKernel) ? -1 : nonIdeal.IndexOfAnyExcept(0);
        if (next < 0)
        {
            TKernel.TickHosts(cols, h0, h1, _ctx, scratch);
            return;
        }

        int h = h0;
        while (next >= 0)
        {
            int slow = h + next;
            if (slow > h)
                TKernel.TickHosts(cols, h, slow, _ctx, scratch);
            ScalarKernel.TickHost(cols.Host(slow), _ctx, scratch);
            h = slow + 1;
            next = nonIdeal[(h - h0)..].IndexOfAnyExcept(0);
        }

        if (h < h1)
            TKernel.TickHosts(cols, h, h1, _ctx, scratch);
    }

    private sealed class PolicyScratchPolicy(int maxHostSlots) : PooledObjectPolicy<PolicyScratch>
    {
        public override PolicyScratch Create() => new(maxHostSlots);

        public override bool Return(PolicyScratch obj) => true;
    }

    private sealed class ScratchPolicy(int maxHostSlots, OrderCache cache) : PooledObjectPolicy<HostScratch>
    {
        public override HostScratch Create() => new(maxHostSlots) { Cache = cache };

        public override bool Return(HostScratch obj) => true;
    }

    /// <summary>
    /// Pieces of a parallel tick per thread: the threads claim pieces as they go, so a thread that gets no core for a
    /// while (a neighbour on a shared machine) holds up at most the piece it is on, not a whole thread's share.
    /// </summary>
    internal const int PiecesPerThread = 4;

    /// <summary>Contiguous host ranges with about equal slot counts: piece c is hosts [start[c], start[c+1]).</summary>
    private static int[] SplitHosts(Fleet fleet, int chunks)
    {
        var start = new int[chunks + 1];
        long total = fleet.SlotCount, acc = 0;
        int c = 1;
        for (int h = 0; h < fleet.HostCount && c < chunks; h++)
        {
            acc += fleet.Cols.HostCapacity[h];
            while (c < chunks && acc * chunks >= total * c)
                start[c++] = h + 1;
        }

        while (c < chunks)
            start[c++] = fleet.HostCount;
        start[chunks] = fleet.HostCount;
        return start;
    }
}

using DmKernel.Kernel;
using DmKernel.Tests.Support;

namespace DmKernel.Tests.Reliability;

/// <summary>
/// The embedding API under misuse from several threads, as a simulator with threads of its own would run it. Each test
/// forces its interleaving: <see cref="Balancer.WhileTicking"/> holds a tick open at a known point while another thread
/// acts, so nothing depends on scheduling luck or timing.
/// </summary>
public class EmbeddingConcurrencyTests
{
    private static Fleet Started() => RandomFleet.Started([40, 40, 40, 40]);

    /// <summary>Runs <paramref name="tick"/> on another thread, held inside the tick until <paramref name="inside"/>,
    /// run on this thread meanwhile, has returned.</summary>
    private static void WhileHeld(Balancer balancer, Action tick, Action inside)
        => OnAnotherThread.Held(hold => balancer.WhileTicking = hold, () => balancer.WhileTicking = null, tick, inside);

    private static void WhileCallHeld(Fleet fleet, Action call, Action inside) => OnAnotherThread.WhileCallHeld(fleet, call, inside);

    /// <summary>The balancer's worker threads still running (its private worker group's, read by reflection).</summary>
    private static int WorkerThreadsAlive(Balancer balancer)
    {
        const System.Reflection.BindingFlags Private = System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance;
        object? group = typeof(Balancer).GetField("_workers", Private)!.GetValue(balancer);
        return group is null ? 0 : ((Thread[])typeof(WorkerGroup).GetField("_threads", Private)!.GetValue(group)!).Count(t => t.IsAlive);
    }

    /// <summary>
    /// Two balancers of one fleet tick one at a time: a tick (or BeginTick) of one while the other's tick runs, or while its
    /// sharded tick is open, is refused naming the other balancer (before: both ran, and hosts ended out of balance:
    /// "Σ Assigned + Reserve + Available != Total"). Used one after the other they give the results of one balancer.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void TwoBalancersOfOneFleet_ATickWhileTheOthersRuns_IsRefused(int threads)
    {
        Fleet fleet = Started();
        using var first = new Balancer(fleet, KernelPath.Auto, threads);
        using var second = new Balancer(fleet, KernelPath.Auto, threads);
        WhileHeld(first, first.Tick, () =>
        {
            var e = Assert.Throws<InvalidOperationException>(second.Tick);
            Assert.Contains("Tick called while another Balancer's tick of this fleet runs", e.Message, StringComparison.Ordinal);
            Assert.Contains("another Balancer's tick", Assert.Throws<InvalidOperationException>(second.BeginTick).Message, StringComparison.Ordinal);
        });
        Assert.Equal(1, fleet.TickIndex);

        first.BeginTick();
        var s = Assert.Throws<InvalidOperationException>(() => second.Tick(new int[fleet.SlotCount]));
        Assert.Contains("another Balancer's sharded tick of this fleet is open", s.Message, StringComparison.Ordinal);
        first.TickHosts(0, fleet.HostCount);
        first.EndTick();
        second.Tick(); // free again
        Assert.Equal(3, fleet.TickIndex);
        new InvariantChecker(fleet).Check();
    }

    /// <summary>
    /// While a tick runs on another thread, the fleet's calls that change its VMs or settings or read or replace its whole
    /// state are refused naming the call (before: accepted; a SaveState wrote a torn state that LoadState refused as
    /// impossible, a LoadState mixed with the tick's writes).
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void FleetCalls_WhileATickRunsOnAnotherThread_AreRefusedNamingTheCall(int threads)
    {
        Fleet fleet = Started();
        int vm = Enumerable.Range(0, fleet.SlotCount).First(fleet.IsUsed);
        using var saved = new MemoryStream();
        fleet.SaveState(saved);
        using var balancer = new Balancer(fleet, KernelPath.Auto, threads);
        WhileHeld(balancer, balancer.Tick, () =>
        {
            foreach ((string name, Action call) in new (string, Action)[]
            {
                ("AddVm", () => fleet.AddVm(0, VmSettings.Default)),
                ("RemoveVm", () => fleet.RemoveVm(vm)),
                ("Configure", () => fleet.Configure(vm, fleet.GetSettings(vm))),
                ("SetGuestResponse", () => fleet.SetGuestResponse(vm, GuestResponse.Stuck)),
                ("SaveState", () => fleet.SaveState(new MemoryStream())),
                ("LoadState", () => fleet.LoadState(saved)),
                ("ComputeStateHash", () => fleet.ComputeStateHash()),
            })
            {
                var e = Assert.Throws<InvalidOperationException>(call);
                Assert.StartsWith($"Fleet.{name} called while a tick of this fleet runs", e.Message, StringComparison.Ordinal);
            }
        });
        Assert.Equal(1, fleet.TickIndex);
        new InvariantChecker(fleet).Check();

        // A sharded tick refuses the calls on the whole state only: a replay applies each chunk's VMs before it ticks it.
        balancer.BeginTick();
        Assert.StartsWith("Fleet.SaveState called while a sharded tick of this fleet is open", Assert.Throws<InvalidOperationException>(() => fleet.SaveState(new MemoryStream())).Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => fleet.LoadState(saved));
        Assert.Throws<InvalidOperationException>(() => fleet.ComputeStateHash());
        fleet.Configure(vm, fleet.GetSettings(vm));
        balancer.TickHosts(0, fleet.HostCount);
        balancer.EndTick();
        saved.Position = 0;
        fleet.LoadState(saved);
        Assert.Equal(0, fleet.TickIndex);
    }

    /// <summary>
    /// A tick (or BeginTick) that starts while one of those fleet calls runs on another thread is refused naming the call,
    /// and the balancer and the fleet are free again once it returns (before: the call only checked for a tick when it
    /// started, so the tick ran over a half-changed fleet: a half-written VM's settings, a state half loaded).
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ATick_WhileAFleetCallRunsOnAnotherThread_IsRefusedNamingTheCall(int threads)
    {
        Fleet fleet = Started();
        int vm = Enumerable.Range(0, fleet.SlotCount).First(fleet.IsUsed);
        int host = fleet.HostOf(vm);
        VmSettings settings = fleet.GetSettings(vm);
        using var saved = new MemoryStream();
        fleet.SaveState(saved);
        using var balancer = new Balancer(fleet, KernelPath.Auto, threads);
        foreach ((string name, Action call) in new (string, Action)[]
        {
            ("RemoveVm", () => fleet.RemoveVm(vm)), // Off before the first tick
            ("AddVm", () => Assert.Equal(vm, fleet.AddVm(host, settings))),
            ("Configure", () => fleet.Configure(vm, settings)),
            ("SetGuestResponse", () => fleet.SetGuestResponse(vm, GuestResponse.Stuck)),
            ("SaveState", () => fleet.SaveState(new MemoryStream())),
            ("LoadState", () =>
            {
                saved.Position = 0;
                fleet.LoadState(saved);
            }),
            ("ComputeStateHash", () => fleet.ComputeStateHash()),
        })
        {
            WhileCallHeld(fleet, call, () =>
            {
                var e = Assert.Throws<InvalidOperationException>(balancer.Tick);
                Assert.StartsWith($"Tick called while Fleet.{name} runs (on another thread): a fleet does not tick during a call", e.Message, StringComparison.Ordinal);
                Assert.StartsWith($"BeginTick called while Fleet.{name} runs", Assert.Throws<InvalidOperationException>(balancer.BeginTick).Message, StringComparison.Ordinal);
                Assert.StartsWith($"Tick called while Fleet.{name} runs", Assert.Throws<InvalidOperationException>(() => balancer.Tick(new int[fleet.SlotCount])).Message, StringComparison.Ordinal);
            });
        }

        Assert.Equal(0, fleet.TickIndex);
        Assert.Throws<SettingRejectedException>(() => fleet.Configure(vm, settings with { BufferPercent = 0 })); // a refused call gives the fleet back too
        balancer.Tick();
        Assert.Equal(1, fleet.TickIndex);
        new InvariantChecker(fleet).Check();
    }

    /// <summary>
    /// Two of those fleet calls on two threads at once: the second is refused naming the first, but for the calls that
    /// only read the whole state (SaveState, ComputeStateHash), which run together (before: not checked, a Configure beside
    /// a SaveState wrote half of its change into the saved state).
    /// </summary>
    [Fact]
    public void FleetCalls_WhileAnotherRunsOnAnotherThread_AreRefusedNamingIt_ReadsOfTheWholeStateRunTogether()
    {
        Fleet fleet = Started();
        int vm = Enumerable.Range(0, fleet.SlotCount).First(fleet.IsUsed);
        VmSettings settings = fleet.GetSettings(vm);
        using var saved = new MemoryStream();
        fleet.SaveState(saved);
        ulong hash = fleet.ComputeStateHash();
        WhileCallHeld(fleet, () => fleet.Configure(vm, settings), () =>
        {
            var e = Assert.Throws<InvalidOperationException>(() => fleet.SetGuestResponse(vm, GuestResponse.Stuck));
            Assert.StartsWith("Fleet.SetGuestResponse called while Fleet.Configure runs (on another thread): a fleet's calls that change its VMs or settings or replace its state run one at a time", e.Message, StringComparison.Ordinal);
            Assert.StartsWith("Fleet.ComputeStateHash called while Fleet.Configure runs", Assert.Throws<InvalidOperationException>(() => fleet.ComputeStateHash()).Message, StringComparison.Ordinal);
            Assert.StartsWith("Fleet.SaveState called while Fleet.Configure runs", Assert.Throws<InvalidOperationException>(() => fleet.SaveState(new MemoryStream())).Message, StringComparison.Ordinal);
        });
        WhileCallHeld(fleet, () => fleet.SaveState(new MemoryStream()), () =>
        {
            Assert.Equal(hash, fleet.ComputeStateHash());
            using var again = new MemoryStream();
            fleet.SaveState(again);
            Assert.Equal(saved.ToArray(), again.ToArray());
            Assert.StartsWith("Fleet.LoadState called while Fleet.SaveState runs", Assert.Throws<InvalidOperationException>(() => fleet.LoadState(saved)).Message, StringComparison.Ordinal);
            Assert.StartsWith("Fleet.AddVm called while Fleet.SaveState runs", Assert.Throws<InvalidOperationException>(() => fleet.AddVm(0, settings)).Message, StringComparison.Ordinal);
        });
        WhileCallHeld(fleet, () => fleet.ComputeStateHash(), () =>
            Assert.StartsWith("Fleet.RemoveVm called while Fleet.ComputeStateHash runs", Assert.Throws<InvalidOperationException>(() => fleet.RemoveVm(vm)).Message, StringComparison.Ordinal));

        // Free again once the last of them has returned.
        fleet.Configure(vm, settings);
        saved.Position = 0;
        fleet.LoadState(saved);
        Assert.Equal(hash, fleet.ComputeStateHash());
        using var balancer = new Balancer(fleet);
        balancer.Tick();
    }

    /// <summary>
    /// Dispose on another thread while a tick runs lets the tick finish, then stops the workers (before, with worker
    /// threads: the ticking thread hung for ever in the worker group, or failed with the group's ObjectDisposedException
    /// half way through the tick, its first chunk of hosts ticked and the others not).
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Dispose_WhileATickRunsOnAnotherThread_TheTickFinishes_LaterTicksAreRefused(int threads)
    {
        Fleet fleet = Started();
        var balancer = new Balancer(fleet, KernelPath.Auto, threads);
        WhileHeld(balancer, balancer.Tick, () =>
        {
            balancer.Dispose();
            balancer.Dispose();
            Assert.Equal(threads - 1, WorkerThreadsAlive(balancer)); // the tick still runs on them
        });
        Assert.Equal(1, fleet.TickIndex);
        Assert.Equal(0, WorkerThreadsAlive(balancer)); // stopped when the tick returned
        Assert.Equal(typeof(Balancer).FullName, Assert.Throws<ObjectDisposedException>(balancer.Tick).ObjectName);
        Assert.Throws<ObjectDisposedException>(() => balancer.Tick(0));
        DisposedRefusesTheShardedCalls_AndTheFleetGoesOn(fleet, balancer, threads, ticksAfter: 2);
    }

    /// <summary>
    /// A balancer disposed with its sharded tick open gives the fleet back: untouched when no host was ticked, refused for
    /// ticks until LoadState when some were (before: another balancer ticked those hosts a second time at the same tick
    /// index, in silence; and a fleet claimed by a dropped tick would have been lost).
    /// </summary>
    [Fact]
    public void Dispose_WithAShardedTickOpen_AbandonsIt_TheFleetGoesOnOnlyFromOneTick()
    {
        Fleet fleet = Started();
        using var saved = new MemoryStream();
        fleet.SaveState(saved);
        var first = new Balancer(fleet);
        first.BeginTick();
        first.Dispose();
        using (var second = new Balancer(fleet))
            second.Tick();
        Assert.Equal(1, fleet.TickIndex);

        var third = new Balancer(fleet);
        third.BeginTick();
        third.TickHosts(0, 2);
        third.Dispose();
        using var fourth = new Balancer(fleet);
        var e = Assert.Throws<InvalidOperationException>(fourth.Tick);
        Assert.Contains("EndTick refused the sharded tick 1 (a host not ticked exactly once, or the tick abandoned by Dispose)", e.Message, StringComparison.Ordinal);
        saved.Position = 0;
        fleet.LoadState(saved);
        fourth.Tick();
        Assert.Equal(1, fleet.TickIndex);
    }

    /// <summary>
    /// A balancer disposed while a TickHosts call runs on another thread keeps its sharded tick open until it is ended: the
    /// call finishes, the remaining hosts can still be ticked and EndTick ends the tick.
    /// </summary>
    [Fact]
    public void Dispose_WhileTickHostsRuns_TheShardedTickCanStillBeFinished()
    {
        Fleet fleet = Started();
        var balancer = new Balancer(fleet, KernelPath.Auto, threads: 2);
        balancer.BeginTick();
        WhileHeld(balancer, () => balancer.TickHosts(0, 2), balancer.Dispose);
        balancer.TickHosts(2, 2);
        balancer.EndTick();
        Assert.Equal(1, fleet.TickIndex);
        Assert.Throws<ObjectDisposedException>(balancer.BeginTick);
        using var next = new Balancer(fleet);
        next.Tick();
        new InvariantChecker(fleet).Check();
    }

    /// <summary>
    /// EndTick (on any thread) while a TickHosts call still runs on another is refused and leaves the tick open (before:
    /// accepted, the tick index moved on and the next BeginTick started while that call still ticked its hosts).
    /// </summary>
    [Fact]
    public void EndTick_WhileTickHostsRunsOnAnotherThread_IsRefused_TheTickStaysOpen()
    {
        Fleet fleet = Started();
        using var balancer = new Balancer(fleet);
        balancer.BeginTick();
        balancer.TickHosts(2, 2);
        WhileHeld(balancer, () => balancer.TickHosts(0, 2), () =>
        {
            var e = Assert.Throws<InvalidOperationException>(balancer.EndTick);
            Assert.StartsWith("EndTick called while 1 TickHosts call(s) of this tick still run on other threads", e.Message, StringComparison.Ordinal);
        });
        Assert.Equal(0, fleet.TickIndex);
        var end = new Thread(balancer.EndTick); // EndTick on another thread than BeginTick's
        end.Start();
        end.Join();
        Assert.Equal(1, fleet.TickIndex);
        new InvariantChecker(fleet).Check();
    }

    /// <summary>
    /// TickHosts of a host that another call on another thread is ticking is refused up front, ticking none of its range,
    /// and the tick can still be ended (before: both calls ran the host's kernel at once, and EndTick then refused the
    /// tick, leaving the fleet to be restored).
    /// </summary>
    [Fact]
    public void TickHosts_OfAHostBeingTickedOnAnotherThread_IsRefusedUpFront_TheTickEnds()
    {
        Fleet fleet = Started();
        Fleet reference = Started();
        using var balancer = new Balancer(fleet);
        balancer.BeginTick();
        WhileHeld(balancer, () => balancer.TickHosts(0, 2), () =>
        {
            var e = Assert.Throws<InvalidOperationException>(() => balancer.TickHosts(1, 3));
            Assert.StartsWith("TickHosts(1, 3): host 1 was already ticked since BeginTick (or is being ticked by a TickHosts call on another thread)", e.Message, StringComparison.Ordinal);
        });
        balancer.TickHosts(2, 2);
        balancer.EndTick();
        using (var whole = new Balancer(reference))
            whole.Tick();
        FleetAssert.Equal(reference, fleet, "after a refused TickHosts");
    }

    /// <summary>
    /// A tick of another balancer that claims the fleet just after a sharded tick was refused at EndTick (or abandoned by
    /// Dispose) is refused too: the mark is read with the fleet claimed (before: it was read before the claim, so a tick
    /// that had read it just before EndTick set it then ticked the hosts at different ticks, in silence).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ATickClaimingTheFleetJustAfterARefusedEndTick_IsRefused(bool abandonedByDispose)
    {
        Fleet fleet = Started();
        using var saved = new MemoryStream();
        fleet.SaveState(saved);
        var first = new Balancer(fleet);
        using var second = new Balancer(fleet);
        first.BeginTick();
        first.TickHosts(0, 2);
        second.WhileClaiming = () =>
        {
            second.WhileClaiming = null;
            if (abandonedByDispose)
                first.Dispose();
            else
                Assert.Throws<InvalidOperationException>(first.EndTick);
        };
        var e = Assert.Throws<InvalidOperationException>(second.Tick);
        Assert.Contains("Tick: EndTick refused the sharded tick 0", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, fleet.TickIndex);
        Assert.Throws<InvalidOperationException>(second.BeginTick); // the refused tick gave the balancer and the fleet back
        saved.Position = 0;
        fleet.LoadState(saved);
        second.Tick();
        Assert.Equal(1, fleet.TickIndex);
        first.Dispose();
    }

    /// <summary>
    /// Dispose between BeginTick's claim of the fleet and the opening of its tick (on another thread; here from the
    /// <see cref="Balancer.WhileClaiming"/> hook) found no tick to abandon: BeginTick abandons it itself and throws
    /// ObjectDisposedException (before: BeginTick returned with the tick open on the disposed balancer, and the fleet stayed
    /// claimed for ever: every other balancer's tick, and LoadState, refused).
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Dispose_DuringBeginTick_TheTickIsAbandoned_TheFleetIsFree(int threads)
    {
        Fleet fleet = Started();
        var balancer = new Balancer(fleet, KernelPath.Auto, threads);
        balancer.WhileClaiming = balancer.Dispose;
        Assert.Throws<ObjectDisposedException>(balancer.BeginTick);
        DisposedRefusesTheShardedCalls_AndTheFleetGoesOn(fleet, balancer, threads, ticksAfter: 1);
    }

    /// <summary>
    /// Dispose just after BeginTick has opened its tick (on another thread; here from the <see cref="Balancer.WhileOpened"/>
    /// hook) abandons that tick, and BeginTick then throws ObjectDisposedException as it does when Dispose comes earlier
    /// (before: BeginTick returned normally, its tick already abandoned, and the next TickHosts or EndTick threw).
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Dispose_JustAfterBeginTickOpensItsTick_BeginTickThrowsAsDisposed_TheFleetIsFree(int threads)
    {
        Fleet fleet = Started();
        var balancer = new Balancer(fleet, KernelPath.Auto, threads);
        balancer.WhileOpened = balancer.Dispose;
        Assert.Throws<ObjectDisposedException>(balancer.BeginTick);
        DisposedRefusesTheShardedCalls_AndTheFleetGoesOn(fleet, balancer, threads, ticksAfter: 1);
    }

    /// <summary>
    /// A disposed <paramref name="balancer"/> refuses TickHosts and EndTick as disposed, and the fleet is free: a new
    /// balancer ticks it, to <paramref name="ticksAfter"/>, with every invariant holding.
    /// </summary>
    private static void DisposedRefusesTheShardedCalls_AndTheFleetGoesOn(Fleet fleet, Balancer balancer, int threads, int ticksAfter)
    {
        Assert.Throws<ObjectDisposedException>(() => balancer.TickHosts(0, 1));
        Assert.Throws<ObjectDisposedException>(balancer.EndTick);
        using var next = new Balancer(fleet, KernelPath.Auto, threads);
        next.Tick();
        Assert.Equal(ticksAfter, fleet.TickIndex);
        new InvariantChecker(fleet).Check();
    }

    /// <summary>
    /// SaveState and ComputeStateHash held at once on two threads: a call that changes the fleet, and a tick, are refused
    /// naming both; the fleet is free once both have returned; and a SaveState whose stream throws gives its share back.
    /// </summary>
    [Fact]
    public void TwoReadersHeldAtOnce_ARefusalNamesBoth_AndAReaderThatThrowsGivesItsShareBack()
    {
        Fleet fleet = Started();
        int vm = Enumerable.Range(0, fleet.SlotCount).First(fleet.IsUsed);
        VmSettings settings = fleet.GetSettings(vm);
        using var balancer = new Balancer(fleet);
        WhileCallHeld(fleet, () => fleet.SaveState(new MemoryStream()), () =>
            WhileCallHeld(fleet, () => fleet.ComputeStateHash(), () =>
            {
                Assert.StartsWith("Fleet.Configure called while Fleet.SaveState (and Fleet.ComputeStateHash) runs",
                    Assert.Throws<InvalidOperationException>(() => fleet.Configure(vm, settings)).Message, StringComparison.Ordinal);
                Assert.StartsWith("Tick called while Fleet.SaveState (and Fleet.ComputeStateHash) runs",
                    Assert.Throws<InvalidOperationException>(balancer.Tick).Message, StringComparison.Ordinal);
            }));

        Assert.Throws<NotSupportedException>(() => fleet.SaveState(new MemoryStream([], writable: false)));
        fleet.Configure(vm, settings);
        balancer.Tick();
        Assert.Equal(1, fleet.TickIndex);
    }

    /// <summary>
    /// A test hook that throws once a fleet call has taken the fleet (<see cref="Fleet.WhileCalling"/>) or a tick the
    /// balancer (<see cref="Balancer.WhileClaiming"/>), as an assertion failing in it does, gives them back, as the call's
    /// own failure would (before: the hook ran before the call's try/finally, so the fleet or the balancer stayed held for
    /// ever: every later tick and fleet call refused, naming a call that had ended, and the test's real failure hidden
    /// behind those).
    /// </summary>
    [Fact]
    public void AHookThatThrowsAfterTheClaim_GivesTheFleetAndTheBalancerBack()
    {
        Fleet fleet = Started();
        int vm = Enumerable.Range(0, fleet.SlotCount).First(fleet.IsUsed);
        VmSettings settings = fleet.GetSettings(vm);
        using var saved = new MemoryStream();
        fleet.SaveState(saved);
        using var balancer = new Balancer(fleet);
        foreach (Action call in new Action[]
        {
            () => fleet.Configure(vm, settings),
            () => fleet.LoadState(saved),
            () => fleet.SaveState(new MemoryStream()),
            () => fleet.ComputeStateHash(),
        })
        {
            saved.Position = 0;
            fleet.WhileCalling = () => throw new InvalidDataException("the hook failed");
            Assert.Equal("the hook failed", Assert.Throws<InvalidDataException>(call).Message);
            fleet.WhileCalling = null;
            fleet.Configure(vm, settings);
            balancer.Tick();
        }

        balancer.WhileClaiming = () => throw new InvalidDataException("the hook failed");
        Assert.Equal("the hook failed", Assert.Throws<InvalidDataException>(balancer.Tick).Message);
        balancer.WhileClaiming = null;
        balancer.Tick();
        Assert.Equal(5, fleet.TickIndex);
        new InvariantChecker(fleet).Check();
    }

    /// <summary>
    /// A Tick or BeginTick that passed the disposed check just before a Dispose on another thread (here from the
    /// <see cref="Balancer.WhileEntering"/> hook) throws ObjectDisposedException, whether the Dispose stopped the workers
    /// or left the sharded tick open for a TickHosts call still running (before: InvalidOperationException, "another tick
    /// of this balancer runs" with none running, or "called inside BeginTick/EndTick" / "BeginTick called twice").
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ATickOverlappingDispose_IsRefusedAsDisposed(int threads)
    {
        Fleet fleet = Started();
        foreach (bool begin in new[] { false, true })
        {
            var balancer = new Balancer(fleet, KernelPath.Auto, threads);
            balancer.WhileEntering = () =>
            {
                balancer.WhileEntering = null;
                balancer.Dispose();
            };
            var e = Assert.Throws<ObjectDisposedException>(begin ? balancer.BeginTick : balancer.Tick);
            Assert.Equal(typeof(Balancer).FullName, e.ObjectName);
            Assert.Equal(0, WorkerThreadsAlive(balancer));

            var open = new Balancer(fleet, KernelPath.Auto, threads);
            open.BeginTick();
            WhileHeld(open, () => open.TickHosts(0, 2), () =>
            {
                open.WhileEntering = () =>
                {
                    open.WhileEntering = null;
                    open.Dispose();
                };
                Assert.Throws<ObjectDisposedException>(begin ? open.BeginTick : open.Tick);
            });
            open.TickHosts(2, 2);
            open.EndTick();
        }

        Assert.Equal(2, fleet.TickIndex);
        using var next = new Balancer(fleet, KernelPath.Auto, threads);
        next.Tick();
        new InvariantChecker(fleet).Check();
    }

    /// <summary>
    /// A round of the worker group in which every piece fails reports the lowest piece's failure and forgets the
    /// others' (before: the worker's stayed behind, and the next round, which ran clean, threw it: a tick failing after
    /// one that had failed on several threads).
    /// </summary>
    [Fact]
    public void WorkerGroup_ARoundFailingOnEveryChunk_LeavesNoFailureToTheNextRound()
    {
        bool fail = true;
        using var group = new WorkerGroup(1, 2, (piece, _) =>
        {
            if (fail)
                throw new InvalidOperationException($"piece {piece}");
        });
        var e = Assert.Throws<InvalidOperationException>(group.Run);
        Assert.Equal("piece 0", e.InnerException!.Message); // the lowest piece's, whichever thread ran it
        fail = false;
        group.Run();
    }

    /// <summary>
    /// The state hash's scratch is the calling thread's (before: one per fleet, so two threads hashing one fleet at once,
    /// ComputeStateHash or ComputeHostStateHash of their own hosts, wrote into each other's scratch and got wrong hashes:
    /// 6 703 of 19 800 in one run).
    /// </summary>
    [Fact]
    public void StateHash_ScratchIsTheCallingThreads_SoTwoThreadsHashAtOnce()
    {
        Fleet fleet = Started();
        ulong expected = fleet.ComputeStateHash();
        int[]? mine = FleetColumns.HashScratchOfThisThread;
        Assert.NotNull(mine);
        int[]? theirs = null;
        ulong theirHash = 0;
        var other = new Thread(() =>
        {
            theirHash = fleet.ComputeStateHash();
            theirs = FleetColumns.HashScratchOfThisThread;
        });
        other.Start();
        other.Join();
        Assert.Equal(expected, theirHash);
        Assert.NotNull(theirs);
        Assert.NotSame(mine, theirs);
        Assert.Same(mine, FleetColumns.HashScratchOfThisThread);
    }
}

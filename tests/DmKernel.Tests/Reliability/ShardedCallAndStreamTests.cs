using DmKernel.Tests.Support;

namespace DmKernel.Tests.Reliability;

/// <summary>
/// Two corners of the fleet's claims (docs/public-api.md, "Threads"): the VM-changing calls made inside an open sharded
/// tick, which hold nothing but are counted so that the tick is not ended (or abandoned) under them, and the calls and
/// ticks that a <see cref="Fleet.SaveState"/> or <see cref="Fleet.LoadState"/> stream makes on its own thread, which are
/// refused naming that call on this thread. Interleavings are forced with <see cref="Fleet.WhileCalling"/>.
/// </summary>
public class ShardedCallAndStreamTests
{
    private static Fleet Started() => RandomFleet.Started([40, 40, 40, 40]);

    private static int FirstVmOfHost(Fleet fleet, int host)
        => Enumerable.Range(0, fleet.SlotCount).First(i => fleet.IsUsed(i) && fleet.HostOf(i) == host);

    private static void WhileCallHeld(Fleet fleet, Action call, Action inside) => OnAnotherThread.WhileCallHeld(fleet, call, inside);

    private static Action[] VmChangingCalls(Fleet fleet, int vm)
    {
        VmSettings settings = fleet.GetSettings(vm);
        return
        [
            () => fleet.Configure(vm, settings),
            () => fleet.SetGuestResponse(vm, GuestResponse.Rate(64)),
        ];
    }

    /// <summary>
    /// EndTick while a VM-changing call made inside the sharded tick still runs on another thread is refused, naming how
    /// many, and the tick stays open (its hosts can still be ticked, another balancer's tick is still refused); once the
    /// call has returned EndTick ends it (before: EndTick ended the tick under the call, so the next tick could run while
    /// the call changed a VM).
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void EndTick_WhileACallMadeInsideTheShardedTickRuns_IsRefused_TheTickStaysOpen(int which)
    {
        Fleet fleet = Started();
        int vm = FirstVmOfHost(fleet, 0);
        Action call = VmChangingCalls(fleet, vm)[which];
        using var balancer = new Balancer(fleet);
        balancer.BeginTick();
        balancer.TickHosts(0, 2);
        WhileCallHeld(fleet, call, () =>
        {
            var e = Assert.Throws<InvalidOperationException>(balancer.EndTick);
            Assert.Equal("EndTick called while 1 call(s) of Fleet.AddVm, RemoveVm, Configure or SetGuestResponse made inside this tick still run on other threads: end the tick after they have returned. The tick is still open.", e.Message);
            balancer.TickHosts(2, 2); // still open
            using var other = new Balancer(fleet);
            Assert.Contains("sharded tick of this fleet is open", Assert.Throws<InvalidOperationException>(other.Tick).Message, StringComparison.Ordinal);
            Assert.Equal(0, fleet.TickIndex);
        });
        balancer.EndTick();
        Assert.Equal(1, fleet.TickIndex);
        balancer.Tick();
        new InvariantChecker(fleet).Check();
    }

    /// <summary>
    /// A balancer disposed while a VM-changing call made inside its sharded tick runs keeps the tick open, as with a
    /// TickHosts call running (before: the tick was abandoned and the fleet given back under the call); the tick is then
    /// finished with TickHosts and EndTick and the fleet goes on.
    /// </summary>
    [Fact]
    public void Dispose_WhileACallMadeInsideTheShardedTickRuns_KeepsTheTickOpenUntilEnded()
    {
        Fleet fleet = Started();
        int vm = FirstVmOfHost(fleet, 0);
        var balancer = new Balancer(fleet);
        balancer.BeginTick();
        WhileCallHeld(fleet, VmChangingCalls(fleet, vm)[0], () =>
        {
            balancer.Dispose();
            using var other = new Balancer(fleet);
            Assert.Contains("sharded tick of this fleet is open", Assert.Throws<InvalidOperationException>(other.Tick).Message, StringComparison.Ordinal);
        });
        balancer.TickHosts(0, 4);
        balancer.EndTick();
        Assert.Equal(1, fleet.TickIndex);
        Assert.Throws<ObjectDisposedException>(balancer.BeginTick);
        using var next = new Balancer(fleet);
        next.Tick();
        Assert.Equal(2, fleet.TickIndex);
        new InvariantChecker(fleet).Check();
    }

    /// <summary>
    /// A Dispose that overlaps BeginTick (after BeginTick claimed the fleet, before its tick was open) while a VM-changing
    /// call made inside the tick runs on another thread leaves the tick open, as Dispose does with such a call running:
    /// BeginTick returns, another balancer's tick is refused until EndTick ends the tick (before: BeginTick abandoned
    /// the tick and gave the fleet back under the call, so another balancer's tick ran while it changed a VM).
    /// </summary>
    [Fact]
    public void Dispose_DuringBeginTick_WhileACallMadeInsideTheTickRuns_KeepsTheTickOpenUntilEnded()
    {
        Fleet fleet = Started();
        int vm = FirstVmOfHost(fleet, 0);
        VmSettings settings = fleet.GetSettings(vm);
        var balancer = new Balancer(fleet);
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        fleet.WhileCalling = () =>
        {
            fleet.WhileCalling = null;
            entered.Set();
            release.Wait();
        };
        Exception? failed = null;
        var thread = new Thread(() =>
        {
            try
            {
                fleet.Configure(vm, settings);
            }
            catch (Exception ex)
            {
                failed = ex;
            }
        });
        balancer.WhileBeginning = () =>
        {
            balancer.WhileBeginning = null;
            thread.Start();
            Assert.True(entered.Wait(TimeSpan.FromSeconds(30)), "The call never reached Fleet.WhileCalling.");
            balancer.Dispose();
        };
        try
        {
            balancer.BeginTick();
            using var other = new Balancer(fleet);
            Assert.Contains("sharded tick of this fleet is open", Assert.Throws<InvalidOperationException>(other.Tick).Message, StringComparison.Ordinal);
        }
        finally
        {
            release.Set();
            if (thread.ThreadState != ThreadState.Unstarted)
                thread.Join();
            fleet.WhileCalling = null;
        }

        Assert.Null(failed);
        balancer.TickHosts(0, 4);
        balancer.EndTick();
        Assert.Equal(1, fleet.TickIndex);
        Assert.Throws<ObjectDisposedException>(balancer.BeginTick);
        using var next = new Balancer(fleet);
        next.Tick();
        Assert.Equal(2, fleet.TickIndex);
        new InvariantChecker(fleet).Check();
    }

    /// <summary>
    /// Runs <paramref name="endTick"/> with <paramref name="call"/> started on another thread at the instant the sharded
    /// tick is closing (<see cref="Fleet.WhileClosing"/>), once the call has found it closing and waits (the waiting hook
    /// that <paramref name="setWaitingHook"/> sets); returns what the call threw (null: it ran).
    /// </summary>
    private static Exception? WhileTheTickCloses(Fleet fleet, Action call, Action<Action?> setWaitingHook, Action endTick)
    {
        using var waiting = new ManualResetEventSlim();
        Exception? failed = null;
        var thread = new Thread(() =>
        {
            try
            {
                call();
            }
            catch (Exception ex)
            {
                failed = ex;
            }
        })
        {
            IsBackground = true,
        };
        setWaitingHook(waiting.Set);
        fleet.WhileClosing = () =>
        {
            fleet.WhileClosing = null;
            thread.Start();
            Assert.True(waiting.Wait(TimeSpan.FromSeconds(30)), "The call did not wait for the closing tick.");
        };
        try
        {
            endTick();
        }
        finally
        {
            Assert.True(thread.ThreadState == ThreadState.Unstarted || thread.Join(TimeSpan.FromSeconds(60)), "The call did not return.");
            fleet.WhileClosing = null;
            setWaitingHook(null);
        }

        return failed;
    }

    /// <summary>
    /// <see cref="WhileTheTickCloses"/> with a Buffer change of <paramref name="vm"/> as the call; checks that the change
    /// was made when the call ran.
    /// </summary>
    private static Exception? CallWhileTheTickCloses(Fleet fleet, int vm, Action endTick)
    {
        VmSettings changed = fleet.GetSettings(vm) with { BufferPercent = fleet.GetSettings(vm).BufferPercent + 5 };
        Exception? failed = WhileTheTickCloses(fleet, () => fleet.Configure(vm, changed), hook => fleet.WhileWaitingForClose = hook, endTick);
        if (failed is null)
            Assert.Equal(changed, fleet.GetSettings(vm));
        return failed;
    }

    /// <summary>
    /// A VM-changing call that comes while EndTick is closing the sharded tick waits for the outcome instead of being
    /// refused (before: "called while a sharded tick of this fleet is open ... call it before BeginTick or after EndTick",
    /// a call that either outcome allows): when the tick ends it then runs holding the fleet, and when EndTick is refused
    /// (another call made inside the tick still runs) it runs counted inside the tick, which stays open.
    /// </summary>
    [Fact]
    public void ACallArrivingWhileEndTickClosesTheTick_WaitsAndRuns_WhetherTheTickEndsOrStaysOpen()
    {
        Fleet fleet = Started();
        using var balancer = new Balancer(fleet);
        balancer.BeginTick();
        balancer.TickHosts(0, 4);
        Assert.Null(CallWhileTheTickCloses(fleet, FirstVmOfHost(fleet, 1), balancer.EndTick));
        Assert.Equal(1, fleet.TickIndex);

        balancer.BeginTick();
        balancer.TickHosts(0, 4);
        WhileCallHeld(fleet, VmChangingCalls(fleet, FirstVmOfHost(fleet, 0))[1], () =>
            Assert.Null(CallWhileTheTickCloses(fleet, FirstVmOfHost(fleet, 2), () =>
                Assert.StartsWith("EndTick called while 1 call(s)", Assert.Throws<InvalidOperationException>(balancer.EndTick).Message, StringComparison.Ordinal))));
        Assert.Equal(1, fleet.TickIndex);
        balancer.EndTick();
        Assert.Equal(2, fleet.TickIndex);
        balancer.Tick();
        new InvariantChecker(fleet).Check();
    }

    /// <summary>
    /// A <see cref="Fleet.WhileClosing"/> hook that throws (as the test above's does if the call never waits) leaves the
    /// sharded tick open, as a refused EndTick does: a VM-changing call then runs inside it at once and EndTick ends it
    /// (before: the fleet stayed claimed as closing for ever, and every later VM-changing call waited for it without end).
    /// </summary>
    [Fact]
    public void AWhileClosingHookThatThrows_LeavesTheTickOpen_NotClosingForEver()
    {
        Fleet fleet = Started();
        using var balancer = new Balancer(fleet);
        balancer.BeginTick();
        balancer.TickHosts(0, 4);
        fleet.WhileClosing = () =>
        {
            fleet.WhileClosing = null;
            throw new InvalidOperationException("the hook failed");
        };
        Assert.Equal("the hook failed", Assert.Throws<InvalidOperationException>(balancer.EndTick).Message);

        fleet.WhileWaitingForClose = () => throw new Xunit.Sdk.XunitException("The call waits for a close that never ends.");
        try
        {
            VmChangingCalls(fleet, FirstVmOfHost(fleet, 1))[1]();
        }
        finally
        {
            fleet.WhileWaitingForClose = null;
        }

        Assert.Equal(0, fleet.TickIndex);
        balancer.EndTick();
        Assert.Equal(1, fleet.TickIndex);
        balancer.Tick();
        new InvariantChecker(fleet).Check();
    }

    /// <summary>
    /// A TickHosts call that comes while an EndTick (refused: a call made inside the tick still runs) is closing the tick
    /// waits for the outcome and ticks its hosts in the tick that stays open (before: the balancer's tick read as closed
    /// for that instant, and the call was refused with "TickHosts must be called between BeginTick and EndTick").
    /// </summary>
    [Fact]
    public void TickHostsArrivingWhileARefusedEndTickCloses_WaitsAndTicksItsHosts()
    {
        Fleet fleet = Started();
        using var balancer = new Balancer(fleet);
        balancer.BeginTick();
        balancer.TickHosts(0, 2);
        WhileCallHeld(fleet, VmChangingCalls(fleet, FirstVmOfHost(fleet, 0))[0], () =>
            Assert.Null(WhileTheTickCloses(fleet, () => balancer.TickHosts(2, 2), hook => balancer.WhileWaitingForClose = hook, () =>
                Assert.StartsWith("EndTick called while 1 call(s)", Assert.Throws<InvalidOperationException>(balancer.EndTick).Message, StringComparison.Ordinal))));
        balancer.EndTick(); // every host ticked once: hosts 2 and 3 by the call that waited
        Assert.Equal(1, fleet.TickIndex);
        balancer.Tick();
        new InvariantChecker(fleet).Check();
    }

    /// <summary>
    /// A second EndTick while the first is closing the tick is refused saying so (before: "EndTick called without
    /// BeginTick", with the tick still open), and the first ends the tick.
    /// </summary>
    [Fact]
    public void ASecondEndTickWhileTheFirstCloses_IsRefusedSayingSo_TheFirstEndsTheTick()
    {
        Fleet fleet = Started();
        using var balancer = new Balancer(fleet);
        balancer.BeginTick();
        balancer.TickHosts(0, 4);
        string? refused = null;
        fleet.WhileClosing = () =>
        {
            fleet.WhileClosing = null;
            refused = Assert.Throws<InvalidOperationException>(balancer.EndTick).Message;
        };
        balancer.EndTick();
        Assert.Equal("EndTick called while this sharded tick is being ended on another thread (by EndTick or Dispose).", refused);
        Assert.Equal(1, fleet.TickIndex);
        balancer.Tick();
        new InvariantChecker(fleet).Check();
    }

    /// <summary>
    /// A BeginTick or Tick that comes while EndTick closes the tick (here from the <see cref="Fleet.WhileClosing"/> hook,
    /// standing in for another thread at that point) is refused as one that overlaps the running tick, as it is during
    /// the rest of EndTick (before: the closing tick read as open to them, and BeginTick was refused as "called twice
    /// without EndTick" while EndTick ran).
    /// </summary>
    [Fact]
    public void ABeginTickOrTickWhileEndTickCloses_IsRefusedAsOverlappingTheTick_NotAsASecondBeginTick()
    {
        Fleet fleet = Started();
        using var balancer = new Balancer(fleet);
        balancer.BeginTick();
        balancer.TickHosts(0, 4);
        string? begin = null, tick = null;
        fleet.WhileClosing = () =>
        {
            fleet.WhileClosing = null;
            begin = Assert.Throws<InvalidOperationException>(balancer.BeginTick).Message;
            tick = Assert.Throws<InvalidOperationException>(balancer.Tick).Message;
        };
        balancer.EndTick();
        Assert.StartsWith("BeginTick called while another tick of this balancer runs", begin, StringComparison.Ordinal);
        Assert.StartsWith("Tick called while another tick of this balancer runs", tick, StringComparison.Ordinal);
        Assert.Equal(1, fleet.TickIndex);
        balancer.Tick();
        new InvariantChecker(fleet).Check();
    }

    /// <summary>
    /// The VM-changing calls made on two threads at once inside a sharded tick count every change for the derived spans
    /// (before: the count was a plain increment, and changes made at the same instant were lost, which can leave a derived
    /// span stale). With the count lost (a plain increment), three rounds of 2 × 1 000 000 calls fell short in most runs on this two-core machine, busy or not; with the interlocked count they never can.
    /// </summary>
    [Fact]
    public void ChangesMadeOnTwoThreadsInsideAShardedTick_AreAllCounted()
    {
        const int Calls = 1_000_000;
        Fleet fleet = Started();
        int[] vms = [FirstVmOfHost(fleet, 0), FirstVmOfHost(fleet, 2)];
        using var balancer = new Balancer(fleet);
        balancer.BeginTick();
        using var start = new Barrier(2);
        for (int round = 0; round < 3; round++)
        {
            int before = fleet.Version;
            // Two threads of their own (not the thread pool's, which a parallel loop blocked on a barrier would starve).
            Exception? failed = null;
            Thread[] threads = [.. vms.Select(vm => new Thread(() =>
            {
                try
                {
                    start.SignalAndWait();
                    for (int k = 0; k < Calls; k++)
                        fleet.SetGuestResponse(vm, (k & 1) == 0 ? GuestResponse.Stuck : GuestResponse.Ideal);
                }
                catch (Exception ex)
                {
                    failed = ex;
                }
            })
            {
                IsBackground = true,
            })];
            foreach (Thread thread in threads)
                thread.Start();
            foreach (Thread thread in threads)
                Assert.True(thread.Join(TimeSpan.FromSeconds(120)), "A changing thread did not finish.");
            Assert.Null(failed);
            Assert.Equal(before + (2 * Calls), fleet.Version);
        }

        balancer.TickHosts(0, 4);
        balancer.EndTick();
        new InvariantChecker(fleet).Check();
    }

    /// <summary>A stream that makes <paramref name="call"/> once, at its first write or read, and keeps what it threw.</summary>
    private sealed class CallingStream(Action call) : MemoryStream
    {
        private bool _called;

        public Exception? Thrown { get; private set; }

        public CallingStream(byte[] contents, Action call)
            : this(call)
        {
            _called = true; // not while the contents are written
            Write(contents);
            Position = 0;
            _called = false;
        }

        private void CallOnce()
        {
            if (_called)
                return;
            _called = true;
            try
            {
                call();
            }
            catch (Exception ex)
            {
                Thrown = ex;
            }
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            CallOnce();
            base.Write(buffer);
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            CallOnce();
            base.Write(buffer, offset, count);
        }

        public override int Read(Span<byte> buffer)
        {
            CallOnce();
            return base.Read(buffer);
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            CallOnce();
            return base.Read(buffer, offset, count);
        }
    }

    /// <summary>
    /// A fleet call or a tick that a SaveState or LoadState stream makes on its own thread is refused naming that call
    /// "on this thread (from the stream given to it)" (before: "(on another thread)", which sent the reader looking for a
    /// thread that does not exist); the outer call completes and the fleet is free after it.
    /// </summary>
    [Fact]
    public void ACallOrTickFromTheStreamOfSaveStateOrLoadState_IsRefusedNamingItOnThisThread()
    {
        Fleet fleet = Started();
        int vm = FirstVmOfHost(fleet, 0);
        VmSettings settings = fleet.GetSettings(vm);
        using var balancer = new Balancer(fleet);
        using var saved = new MemoryStream();
        fleet.SaveState(saved);

        (string Outer, Action Call, string Expected)[] cases =
        [
            ("SaveState", () => fleet.Configure(vm, settings), "Fleet.Configure called while Fleet.SaveState runs on this thread (from the stream given to it): "),
            ("SaveState", () => fleet.LoadState(new MemoryStream(saved.ToArray())), "Fleet.LoadState called while Fleet.SaveState runs on this thread (from the stream given to it): "),
            ("SaveState", balancer.Tick, "Tick called while Fleet.SaveState runs on this thread (from the stream given to it): "),
            ("LoadState", () => fleet.SaveState(new MemoryStream()), "Fleet.SaveState called while Fleet.LoadState runs on this thread (from the stream given to it): "),
            ("LoadState", () => fleet.SetGuestResponse(vm, GuestResponse.Stuck), "Fleet.SetGuestResponse called while Fleet.LoadState runs on this thread (from the stream given to it): "),
            ("LoadState", balancer.BeginTick, "BeginTick called while Fleet.LoadState runs on this thread (from the stream given to it): "),
        ];
        foreach (var (outer, call, expected) in cases)
        {
            CallingStream stream;
            if (outer == "SaveState")
                fleet.SaveState(stream = new CallingStream(call));
            else
                fleet.LoadState(stream = new CallingStream(saved.ToArray(), call));
            Assert.IsType<InvalidOperationException>(stream.Thrown);
            Assert.StartsWith(expected, stream.Thrown.Message, StringComparison.Ordinal);
            fleet.Configure(vm, settings); // the fleet is free again, and this thread out of the stream
            balancer.Tick();
        }

        // A reader inside SaveState's stream runs beside it, and another fleet's calls are not this fleet's.
        Fleet another = Started();
        var nested = new CallingStream(() =>
        {
            fleet.ComputeStateHash();
            another.Configure(FirstVmOfHost(another, 1), another.GetSettings(FirstVmOfHost(another, 1)));
            using var anotherBalancer = new Balancer(another);
            anotherBalancer.Tick();
        });
        fleet.SaveState(nested);
        Assert.Null(nested.Thrown);
        Assert.Equal(1, another.TickIndex);
        new InvariantChecker(fleet).Check();
    }

    /// <summary>
    /// A call or tick of a fleet made from the stream of another fleet's SaveState or LoadState, itself called from this
    /// fleet's SaveState or LoadState stream on the same thread, is refused naming this fleet's call on this thread
    /// (before: the inner fleet's mark hid the outer one, and the message said "(on another thread)").
    /// </summary>
    [Fact]
    public void ACallFromAnotherFleetsStreamInsideThisFleetsStream_IsRefusedNamingItOnThisThread()
    {
        Fleet fleet = Started(), another = Started();
        int vm = FirstVmOfHost(fleet, 0);
        VmSettings settings = fleet.GetSettings(vm);
        using var balancer = new Balancer(fleet);
        using var saved = new MemoryStream();
        another.SaveState(saved);

        (string Outer, Action Call, string Expected)[] cases =
        [
            ("SaveState", () => fleet.Configure(vm, settings), "Fleet.Configure called while Fleet.SaveState runs on this thread (from the stream given to it): "),
            ("SaveState", balancer.Tick, "Tick called while Fleet.SaveState runs on this thread (from the stream given to it): "),
            ("LoadState", () => fleet.Configure(vm, settings), "Fleet.Configure called while Fleet.LoadState runs on this thread (from the stream given to it): "),
            ("LoadState", balancer.BeginTick, "BeginTick called while Fleet.LoadState runs on this thread (from the stream given to it): "),
        ];
        using var fleetSaved = new MemoryStream();
        fleet.SaveState(fleetSaved);
        foreach (var (outer, call, expected) in cases)
        {
            var inner = new CallingStream(call);
            var outerStream = outer == "SaveState"
                ? new CallingStream(() => another.SaveState(inner))
                : new CallingStream(fleetSaved.ToArray(), () => another.SaveState(inner));
            if (outer == "SaveState")
                fleet.SaveState(outerStream);
            else
                fleet.LoadState(outerStream);
            Assert.Null(outerStream.Thrown);
            Assert.IsType<InvalidOperationException>(inner.Thrown);
            Assert.StartsWith(expected, inner.Thrown.Message, StringComparison.Ordinal);
            fleet.Configure(vm, settings); // the fleet is free again, and this thread out of both streams
            balancer.Tick();
        }

        new InvariantChecker(fleet).Check();
    }
}

namespace DmKernel.Tests.Reliability;

/// <summary>
/// Edges of the embedding API found by an adversarial review: each error names the argument that is wrong, and small
/// helpers refuse what has no answer instead of returning an impossible one.
/// </summary>
public class EmbeddingApiEdgeTests
{
    private static Fleet SmallFleet() => new(ModelParameters.Default, [new HostSpec(65536, 16), new HostSpec(65536, 16)]);

    /// <summary>A run of committed values that does not fit names firstVm when it is not a slot, else the span and how many
    /// slots there are from firstVm (before: "expected one per slot (-1)").</summary>
    [Fact]
    public void CommittedRun_OutsideTheSlots_NamesFirstVmOrTheSpan()
    {
        Fleet f = SmallFleet();
        var e = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => f.SetCommitted(33, ReadOnlySpan<int>.Empty));
        Assert.Equal("firstVm", e.ParamName);
        Assert.Contains("firstVm 33 is not a slot: expected 0..32", e.Message, StringComparison.Ordinal);
        Assert.Equal("firstVm", Assert.ThrowsAny<ArgumentOutOfRangeException>(() => f.UpdateCommitted(-3, [1])).ParamName);
        var a = Assert.Throws<ArgumentException>(() => f.SetCommitted(31, [1, 2]));
        Assert.Equal("committedMb", a.ParamName);
        Assert.Contains("committedMb has 2 elements from slot 31; the fleet has 1 slots from there", a.Message, StringComparison.Ordinal);
        f.SetCommitted(32, ReadOnlySpan<int>.Empty); // an empty run at the end is a run
    }

    /// <summary>The whole fleet's committed values (R8 input) are one per slot: a span shorter (empty included) or longer
    /// is refused naming it, and no slot's value changes (a shorter one is not copied over the first slots).</summary>
    [Fact]
    public void CommittedOfTheWholeFleet_NotOnePerSlot_IsRefusedNamingTheSpan_NothingChanged()
    {
        Fleet f = SmallFleet();
        f.SetCommitted(0, 700);
        f.SetCommitted(31, 900);
        foreach (int length in new[] { 0, 31, 33 })
        {
            var e = Assert.Throws<ArgumentException>(() => f.SetCommitted(new int[length]));
            Assert.Equal("committedMb", e.ParamName);
            Assert.StartsWith($"committedMb has {length} elements; expected one per slot (32).", e.Message, StringComparison.Ordinal);
            Assert.Equal(700, f.Committed[0]);
            Assert.Equal(900, f.Committed[31]);
        }
    }

    /// <summary>A bad committed value names the parameter the caller passed (before: "value", which no method has).</summary>
    [Fact]
    public void BadCommittedValue_NamesTheCallersParameter()
    {
        Fleet f = SmallFleet();
        int vm = f.AddVm(0, VmSettings.Default);
        Assert.Equal("committedMb", Assert.ThrowsAny<ArgumentOutOfRangeException>(() => f.SetCommitted(vm, -5)).ParamName);
        Assert.Equal("committedMbOrNotReported", Assert.ThrowsAny<ArgumentOutOfRangeException>(() => f.UpdateCommitted(0, [-2])).ParamName);
        using var b = new Balancer(f);
        var bad = new int[f.SlotCount];
        bad[3] = -7;
        var e = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => b.Tick(bad));
        Assert.Equal("committedMb", e.ParamName);
        Assert.StartsWith("VM 3: committed demand -7 MB is out of range", e.Message, StringComparison.Ordinal);
    }

    /// <summary>The per-slot outputs of a measurement are both given or both empty; the error names the wrong one (before:
    /// pagingTicks was blamed for a short unmetMbTicks, and unmetMbTicks alone was ignored).</summary>
    [Fact]
    public void Measure_PerSlotOutputs_TheWrongOneIsNamed()
    {
        Fleet f = SmallFleet();
        var bins = new long[11];
        Assert.Equal("unmetMbTicks", Assert.Throws<ArgumentException>(() => FleetStatistics.Measure(f, bins, new int[32], new long[5])).ParamName);
        Assert.Equal("pagingTicks", Assert.Throws<ArgumentException>(() => FleetStatistics.Measure(f, bins, default, new long[32])).ParamName);
        Assert.Equal("unmetMbTicks", Assert.Throws<ArgumentException>(() => Begun(f).AddHosts(0, 1, new int[32], new long[3])).ParamName);
        // The unservable counters: one per slot, and only with the paging ones (they are found among the paging VMs).
        Assert.Equal("unservableTicks", Assert.Throws<ArgumentException>(() => Begun(f).AddHosts(0, 1, new int[32], new long[32], new int[31])).ParamName);
        Assert.Contains("without pagingTicks", Assert.Throws<ArgumentException>(() => Begun(f).AddHosts(0, 1, default, default, new int[32])).Message, StringComparison.Ordinal);
        Begun(f).AddHosts(0, 1, new int[32], new long[32], new int[32]);
        Begun(f).AddHosts(0, 1, new int[32], new long[32], default);
        FleetStatistics.Measure(f, bins, new int[32], new long[32]);
        FleetStatistics.Measure(f, bins, default, default);

        static FleetMeter Begun(Fleet fleet)
        {
            var meter = new FleetMeter(fleet, 11);
            meter.Begin();
            return meter;
        }
    }

    [Fact]
    public void SmallHelpers_RefuseWhatHasNoAnswer()
    {
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => ModelParameters.Default.ToTicks(double.NaN));
        Assert.Equal(1, ModelParameters.Default.ToTicks(double.NegativeInfinity));
        Assert.Equal(int.MaxValue, ModelParameters.Default.ToTicks(double.PositiveInfinity));
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => GuestMemory.LinuxFloor(-100));
        Assert.Equal(8, GuestMemory.LinuxFloor(0)); // R8: 8 + 0 / 2
        var unknown = new BalancerPolicy { Kind = (PolicyKind)42 };
        Assert.Equal("unknown policy kind 42", unknown.Key);
        Assert.StartsWith("unknown policy kind 42", unknown.Name, StringComparison.Ordinal);
        Assert.Equal("esx", BalancerPolicy.Of(PolicyKind.Esx).Key);
    }

    /// <summary>A sharded tick's host range names the argument that is out of range (before: hostCount for a negative
    /// firstHost).</summary>
    [Fact]
    public void TickHosts_OutOfRange_NamesTheWrongArgument()
    {
        Fleet fleet = SmallFleet();
        using var balancer = new Balancer(fleet);
        balancer.BeginTick();
        Assert.Equal("firstHost", Assert.ThrowsAny<ArgumentOutOfRangeException>(() => balancer.TickHosts(-1, 1)).ParamName);
        Assert.Equal("firstHost", Assert.ThrowsAny<ArgumentOutOfRangeException>(() => balancer.TickHosts(3, 0)).ParamName);
        Assert.Equal("hostCount", Assert.ThrowsAny<ArgumentOutOfRangeException>(() => balancer.TickHosts(1, 2)).ParamName);
        Assert.Equal("hostCount", Assert.ThrowsAny<ArgumentOutOfRangeException>(() => balancer.TickHosts(0, -1)).ParamName);
        balancer.TickHosts(0, 2);
        balancer.EndTick();
    }

    /// <summary>
    /// A host range out of the fleet given to <see cref="FleetMeter.AddHosts(int, int, Span{int}, Span{long})"/> names the
    /// wrong argument as <see cref="Balancer.TickHosts"/> does, and its message the range as given (before: always
    /// hostCount, so AddHosts(-1, 1) blamed the count, and an int overflow printed the end of [2147483647, ...) negative).
    /// </summary>
    [Fact]
    public void MeterAddHosts_OutOfRange_NamesTheWrongArgument()
    {
        Fleet fleet = SmallFleet();
        var meter = new FleetMeter(fleet, 11);
        meter.Begin();
        Assert.Equal("firstHost", Assert.ThrowsAny<ArgumentOutOfRangeException>(() => meter.AddHosts(-1, 1, default, default)).ParamName);
        Assert.Equal("firstHost", Assert.ThrowsAny<ArgumentOutOfRangeException>(() => meter.AddHosts(3, 0, default, default)).ParamName);
        Assert.Equal("hostCount", Assert.ThrowsAny<ArgumentOutOfRangeException>(() => meter.AddHosts(1, 2, default, default)).ParamName);
        Assert.Equal("hostCount", Assert.ThrowsAny<ArgumentOutOfRangeException>(() => meter.AddHosts(0, -1, default, default)).ParamName);
        var e = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => meter.AddHosts(int.MaxValue, 1, default, default));
        Assert.Equal("firstHost", e.ParamName);
        Assert.Contains("Hosts [2147483647, 2147483648) are not within 0..2.", e.Message, StringComparison.Ordinal);
        meter.AddHosts(0, 2, default, default); // the refusals measured nothing: every host once, then End
        meter.End(default);
    }

    /// <summary>P10's guest response of every VM reads as spans, in the units the kernel applies (before: only a setter).</summary>
    [Fact]
    public void GuestResponse_ReadsAsSpans_InTheKernelsUnits()
    {
        var model = ModelParameters.Default with { TickSeconds = 2 };
        var fleet = new Fleet(model, [new HostSpec(65536, 4)]);
        int a = fleet.AddVm(0, VmSettings.Dynamic(1024, 512, 4096));
        int b = fleet.AddVm(0, VmSettings.Dynamic(1024, 512, 4096));
        int c = fleet.AddVm(0, VmSettings.Dynamic(1024, 512, 4096));
        fleet.SetGuestResponse(a, GuestResponse.Rate(101));
        fleet.SetGuestResponse(b, GuestResponse.IntermittentlyStuck(6, 10));
        FleetVmSpans vms = fleet.Vms;
        Assert.Equal(fleet.SlotCount, vms.GuestResponse.Length);
        Assert.Equal([GuestResponseKind.Rate, GuestResponseKind.IntermittentlyStuck, GuestResponseKind.Ideal, GuestResponseKind.Ideal], vms.GuestResponse[..4].ToArray());
        Assert.Equal(202 & ~(model.GranularityMb - 1), vms.GuestRateMbPerTick[a]);  // 101 MB/s × 2 s, down to G
        Assert.Equal((3, 5), (vms.GuestStuckTicks[b], vms.GuestIdealTicks[b]));
        Assert.Equal((0, 0, 0), (vms.GuestRateMbPerTick[c], vms.GuestStuckTicks[c], vms.GuestIdealTicks[c]));
        fleet.SetGuestResponse(a, GuestResponse.Ideal);
        Assert.Equal((GuestResponseKind.Ideal, 0), (vms.GuestResponse[a], vms.GuestRateMbPerTick[a]));  // live views
    }

    /// <summary>The invariant checker after a checkpoint is restored compares with the restored state, not with the tick
    /// before the restore (before: "GuestVisible shrank from 6000 to 1200 without a restart", a violation that is not one);
    /// a real shrink after the restore is still found.</summary>
    [Fact]
    public void InvariantChecker_AfterLoadState_ComparesWithTheRestoredState()
    {
        Fleet f = SmallFleet();
        int vm = f.AddVm(0, VmSettings.Dynamic(1024, 512, 8192));
        f.RequestStart(vm);
        using var b = new Balancer(f);
        var checker = new InvariantChecker(f);
        f.SetCommitted(vm, 1000);
        b.Tick(60);
        checker.Check();
        var checkpoint = new MemoryStream();
        f.SaveState(checkpoint);
        f.SetCommitted(vm, 5000);
        b.Tick(10);
        checker.Check();
        Assert.True(f.GuestVisible(vm) > 4000, "the VM did not grow: the test does not test what it says");
        checkpoint.Position = 0;
        f.LoadState(checkpoint);
        checker.Check();
        b.Tick();
        checker.Check();

        // A shrink the model never makes (2 MB taken from the VM without a balloon, given to the host) is found.
        f.Cols.Assigned[vm] -= 2;
        f.Cols.HostAvailable[0] += 2;
        Assert.Contains("GuestVisible shrank", checker.Find(), StringComparison.Ordinal);
    }

    /// <summary>
    /// A cast integer that is no <see cref="KernelPath"/> is refused by name by every helper (before stop 53: Name gave
    /// "auto", Describe "auto (in software: …)", Resolve returned it unchecked); a text that is no path names its source
    /// as the other option errors do ("--path: 'v1024' is not a kernel path", before "--path = 'v1024'").
    /// </summary>
    [Fact]
    public void KernelPaths_OfAValueThatIsNoPath_AreRefusedNamingIt()
    {
        var bogus = (KernelPath)9;
        foreach (Action call in new Action[] { () => KernelPaths.Name(bogus), () => KernelPaths.Describe(bogus), () => KernelPaths.IsAccelerated(bogus), () => KernelPaths.Resolve(bogus) })
        {
            var e = Assert.ThrowsAny<ArgumentOutOfRangeException>(call);
            Assert.Equal("path", e.ParamName);
            Assert.Contains("9 is not a kernel path: expected Auto, Scalar, Vector128, Vector256 or Vector512.", e.Message, StringComparison.Ordinal);
        }

        Assert.Equal("auto", KernelPaths.Name(KernelPath.Auto));
        Assert.Equal(KernelPath.Scalar, KernelPaths.Resolve(KernelPath.Scalar));
        Assert.Equal("--path: 'v1024' is not a kernel path: expected auto, scalar, v128, v256 or v512.", Assert.Throws<ArgumentException>(() => KernelPaths.Parse("v1024", "--path")).Message);
        Assert.Equal("path: '' is not a kernel path: expected auto, scalar, v128, v256 or v512.", Assert.Throws<ArgumentException>(() => KernelPaths.Parse("")).Message);
    }

    /// <summary>
    /// <see cref="GuestMemory.MaxServableCommittedMb"/> of settings no fleet accepts (a size below R1's 32 MB, a guest
    /// that is neither Windows nor Linux) is refused naming the setting (before stop 53: new VmSettings(-2, 0, -4) answered -4 MB).
    /// </summary>
    [Fact]
    public void MaxServableCommitted_OfImpossibleSettings_IsRefusedNamingTheSetting()
    {
        var e = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => GuestMemory.MaxServableCommittedMb(new VmSettings(-2, 0, -4)));
        Assert.Equal("settings.MaximumMb", e.ParamName);
        Assert.Contains("a VM's size: expected at least 32 MB (R1).", e.Message, StringComparison.Ordinal);
        Assert.Equal("settings.StartupMb", Assert.ThrowsAny<ArgumentOutOfRangeException>(() => GuestMemory.MaxServableCommittedMb(VmSettings.Dynamic(1024, 512, 8192) with { DynamicMemory = false, StartupMb = 16 })).ParamName);
        Assert.Equal("settings.Guest", Assert.ThrowsAny<ArgumentOutOfRangeException>(() => GuestMemory.MaxServableCommittedMb(VmSettings.Dynamic(1024, 512, 8192, guest: (GuestKind)7))).ParamName);
        Assert.Equal(8192, GuestMemory.MaxServableCommittedMb(VmSettings.Dynamic(1024, 512, 8192)));
        Assert.Equal(32, GuestMemory.MaxServableCommittedMb(VmSettings.Dynamic(32, 32, 32)));
    }

    /// <summary>
    /// A VM added to a slot whose committed value a span left there (SetCommitted or Tick(span) give free slots a value,
    /// which no tick reads) starts with nothing committed, as a VM that never ran (before stop 54 it inherited the value:
    /// 1 739 MB the caller never set for it, from a reused buffer).
    /// </summary>
    [Fact]
    public void AddVm_InAFreeSlotASpanGaveAValue_StartsWithNothingCommitted()
    {
        Fleet f = SmallFleet();
        int a = f.AddVm(0, VmSettings.Dynamic(1024, 512, 4096));
        int[] committed = new int[f.SlotCount];
        Array.Fill(committed, 1739);
        f.SetCommitted(committed);
        Assert.Equal(1739, f.Committed[a + 1]); // the caller's value in the free slot, as documented
        int b = f.AddVm(0, VmSettings.Dynamic(1024, 512, 4096));
        Assert.Equal(a + 1, b);
        Assert.Equal(0, f.Committed[b]);
        Assert.Equal(1739, f.Committed[a]);
    }
}

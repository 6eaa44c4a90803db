using DmKernel.Tests.Cli;
using DmKernel.Tests.Replay;
using DmKernel.Tests.Support;
using DmKernel.Tests.Traces;

namespace DmKernel.Tests.Policies;

/// <summary>
/// The policies chosen per fleet, end to end through <see cref="Balancer"/> (the lifecycle, the policy's goals and the
/// shared moves and outputs), and their refusals of bad input, by the API and the CLI.
/// </summary>
[Collection(nameof(DmKernel.Tests.Cli.CliTests))] // CliTests.Run swaps the process's Console.Out: never beside another test that does
public class PolicyFleetTests
{
    /// <summary>1 s ticks, a 3 s boot grace, G = 2 (the default), no host reserve.</summary>
    private static readonly ModelParameters Model = ModelParameters.Default with { BootGraceSeconds = 3, HostReserveMb = 0 };

    /// <summary>The P3 scenario's fleet: one host of 3082 MB, an idle VM (100 MB committed) and a busy one (3000 MB),
    /// both Dynamic 1024 (512..2560), both asked to start.</summary>
    private static (Fleet Fleet, int Idle, int Busy) IdleAndBusyStarting()
    {
        var fleet = new Fleet(Model, [new HostSpec(3082, 2, 0)]);
        int idle = fleet.AddVm(0, VmSettings.Dynamic(1024, 512, 2560));
        int busy = fleet.AddVm(0, VmSettings.Dynamic(1024, 512, 2560));
        fleet.SetCommitted(idle, 100);
        fleet.SetCommitted(busy, 3000);
        fleet.RequestStart(idle);
        fleet.RequestStart(busy);
        return (fleet, idle, busy);
    }

    [Fact]
    public void P3_OnAFleet_GammaHalf_PutsBothVmsAtTheMiddleOfTheirRange_AtTheNextRecomputation_WhateverTheirDemand()
    {
        // One host of 3082 MB, no reserve; two DM VMs of range 512..2560 (2048 each), Startup 1024, one idle (100 MB
        // committed), one busy (3000 MB, above its Maximum). Both start at tick 0 and boot 3 ticks at Startup.
        // Until squeezed's recomputation at tick 10 (period 10 s) they have no goal: Startup (P1). At tick 10 both hold
        // 1024: Available = 3082 − 2048 = 1034, Σ (Assigned − Minimum) = 1024, so surplus = 1034 + 1024 − 10 = 2048 =
        // half the range Σ 4096: γ = 1/2, both goals 512 + 1024 = 1536, granted at once (1034 ≥ 2 × 512).
        (Fleet fleet, int idle, _) = IdleAndBusyStarting();
        using var balancer = new Balancer(fleet, BalancerPolicy.Squeezed, KernelPath.Scalar, 1);
        balancer.Tick(10);                                      // ticks 0..9
        Assert.Equal(VmState.Running, fleet.State(idle));
        Assert.Equal([1024, 1024], fleet.Assigned[..2].ToArray());
        Assert.Equal([1024, 1024], fleet.Target[..2].ToArray());
        balancer.Tick();                                        // tick 10: the recomputation
        Assert.Equal([1536, 1536], fleet.Assigned[..2].ToArray());
        Assert.Equal([1536, 1536], fleet.Target[..2].ToArray());
        Assert.Equal(3082 - 3072, fleet.HostAvailable(0));
        new InvariantChecker(fleet).Check();
    }

    /// <summary>
    /// R7 + P1: a stop resets the policies' per-VM state (docs/policies.md, "State": PolicyGoal, NoProgress, ... "all reset
    /// by a stop"), whichever balancer processes it: the fleet of the P3 scenario above, both VMs at squeezed's goal 1536
    /// after tick 10, goes on under a Hyper-V balancer (which neither reads nor writes those columns), and the idle VM's
    /// stop leaves it no goal, as a stop under squeezed does.
    /// </summary>
    [Fact]
    public void P1_AStopUnderAnotherBalancer_StillResetsThePolicyGoal()
    {
        (Fleet fleet, int idle, _) = IdleAndBusyStarting();
        using (var squeezed = new Balancer(fleet, BalancerPolicy.Squeezed, KernelPath.Scalar, 1))
            squeezed.Tick(11);                                  // ticks 0..10: the recomputation at tick 10
        Assert.Equal([1536, 1536], fleet.Cols.PolicyGoal[..2]);

        using var hyperV = new Balancer(fleet, BalancerPolicy.HyperV, KernelPath.Scalar, 1);
        fleet.RequestStop(idle);
        hyperV.Tick();
        Assert.Equal(VmState.Off, fleet.State(idle));
        Assert.Equal(0, fleet.Cols.PolicyGoal[idle]);
        Assert.Equal(0, fleet.Cols.NoProgress[idle]);
    }

    public static readonly TheoryData<KernelPath> Paths = new()
    {
        KernelPath.Scalar, KernelPath.Vector128, KernelPath.Vector256, KernelPath.Vector512,
    };

    [Theory]
    [MemberData(nameof(Paths))]
    public void P10_OnAFleet_AStuckGuestThatTurnsIdeal_MovesAgain_AndRejoinsGamma_OnEveryPath(KernelPath path)
    {
        // One host of 4618 MB, no reserve: V0 (Startup 2048, range 512..2560) with a stuck guest, V1 (Startup 1024, range
        // 1024..5120). Running from tick 3; at tick 10 squeezed's γ = 1/2 (Available 1546, Σ (Assigned − Minimum) 1536,
        // surplus 3072 of range 6144): goals 1536 and 3072. V0 gives nothing and is stuck after 5 s (ticks 10–14); V1 takes
        // Available (2570). At tick 15 V0's guest turns ideal: its balloon moves (512 MB), which clears its stuck count.
        // V1 grows to 3072 at tick 16, and stops at tick 17 (its 3072 MB return to Available: 3082). At tick 20 V0 is a
        // member again and alone: surplus = 3082 + 1024 − 10 = 4096 ≥ its range 2048: its goal is its Maximum, 2560,
        // granted at once. (Still counted stuck, it would keep its old goal 1536.)
        var fleet = new Fleet(Model, [new HostSpec(4618, 2, 0)]);
        int v0 = fleet.AddVm(0, VmSettings.Dynamic(2048, 512, 2560));
        int v1 = fleet.AddVm(0, VmSettings.Dynamic(1024, 1024, 5120));
        fleet.SetCommitted(v0, 100);
        fleet.SetCommitted(v1, 4000);
        fleet.SetGuestResponse(v0, GuestResponse.Stuck);
        fleet.RequestStart(v0);
        fleet.RequestStart(v1);
        using var balancer = new Balancer(fleet, BalancerPolicy.Squeezed, path, 1);
        balancer.Tick(15);                                      // ticks 0..14
        Assert.Equal([2048, 2570], fleet.Assigned[..2].ToArray());
        fleet.SetGuestResponse(v0, GuestResponse.Ideal);
        balancer.Tick(2);                                       // ticks 15, 16
        Assert.Equal([1536, 3072], fleet.Assigned[..2].ToArray());
        fleet.RequestStop(v1);
        balancer.Tick(4);                                       // ticks 17..20
        Assert.Equal(VmState.Off, fleet.State(v1));
        Assert.Equal(2560, fleet.Target[v0]);
        Assert.Equal(2560, fleet.Assigned[v0]);
        new InvariantChecker(fleet).Check();
    }

    [Fact]
    public void P1_StaticPolicy_OnAFleet_HoldsEveryRunningVmAtItsStartup_WhateverItsDemand()
    {
        var fleet = new Fleet(Model, [new HostSpec(8192, 2, 0)]);
        int a = fleet.AddVm(0, VmSettings.Dynamic(1024, 512, 4096));
        int b = fleet.AddVm(0, VmSettings.Dynamic(2048, 512, 4096));
        fleet.SetCommitted(a, 3500);
        fleet.SetCommitted(b, 10);
        fleet.RequestStart(a);
        fleet.RequestStart(b);
        using var balancer = new Balancer(fleet, BalancerPolicy.Static, KernelPath.Vector256, 1);
        balancer.Tick(40);
        Assert.Equal([1024, 2048], fleet.Assigned[..2].ToArray());
        Assert.Equal(0, fleet.AddOperations[a] + fleet.RemoveOperations[a] + fleet.AddOperations[b] + fleet.RemoveOperations[b]);
        Assert.Equal(8192 - 3072, fleet.HostAvailable(0));
    }

    [Theory]
    [InlineData(PolicyKind.Static, false)]
    [InlineData(PolicyKind.HyperV, true)]
    [InlineData(PolicyKind.Squeezed, true)]
    public void R4_UnderStatic_AStartThatDoesNotFit_Fails_NothingIsReclaimed(PolicyKind kind, bool started)
    {
        // A host of 4096 MB, no reserve: VM a (Startup 3072, Minimum 512, idle) runs; then b (Startup 2048) asks to start
        // with 1024 MB Available. Under Hyper-V and squeezed R4 reclaims the missing 1024 MB from a (same Weight, above
        // its Minimum) and b starts; under static nothing moves, so b's start fails (NotEnoughMemory) and a keeps 3072.
        var fleet = new Fleet(Model, [new HostSpec(4096, 2, 0)]);
        int a = fleet.AddVm(0, VmSettings.Dynamic(3072, 512, 3072));
        int b = fleet.AddVm(0, VmSettings.Dynamic(2048, 512, 2048));
        fleet.SetCommitted(a, 100);
        fleet.SetCommitted(b, 100);
        fleet.RequestStart(a);
        using var balancer = new Balancer(fleet, BalancerPolicy.Of(kind) with { SqueezedPeriodSeconds = 1000 }, KernelPath.Scalar, 1);
        balancer.Tick(5);
        Assert.Equal(3072, fleet.Assigned[a]);
        fleet.RequestStart(b);
        balancer.Tick();
        Assert.Equal(started ? LifecycleResult.Started : LifecycleResult.NotEnoughMemory, fleet.LastResult(b));
        Assert.Equal(started ? 2048 : 3072, fleet.Assigned[a]);
        Assert.Equal(started ? 0 : 1024, fleet.HostAvailable(0));
    }

    [Fact]
    public void Balancer_PolicyParameterOutOfRange_IsRefusedNamingTheParameter()
    {
        var fleet = new RandomFleet(1).Build(Model, [4]);
        var tax = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => new Balancer(fleet, BalancerPolicy.Esx with { EsxIdleTaxPerMille = 1000 }, KernelPath.Scalar, 1));
        Assert.Equal(nameof(BalancerPolicy.EsxIdleTaxPerMille), tax.ParamName);
        var samples = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => new Balancer(fleet, BalancerPolicy.Mom with { MomSamples = 0 }, KernelPath.Scalar, 1));
        Assert.Equal(nameof(BalancerPolicy.MomSamples), samples.ParamName);
        var high = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => new Balancer(fleet, BalancerPolicy.Esx with { EsxSoftPercent = 8, EsxHighPercent = 6 }, KernelPath.Scalar, 1));
        Assert.Equal(nameof(BalancerPolicy.EsxHighPercent), high.ParamName);
        var period = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => new Balancer(fleet, BalancerPolicy.Squeezed with { SqueezedPeriodSeconds = double.NaN }, KernelPath.Scalar, 1));
        Assert.Equal(nameof(BalancerPolicy.SqueezedPeriodSeconds), period.ParamName);
        var kind = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => new Balancer(fleet, new BalancerPolicy { Kind = (PolicyKind)42 }, KernelPath.Scalar, 1));
        Assert.Equal(nameof(BalancerPolicy.Kind), kind.ParamName);
    }

    [Fact]
    public void SetGuestResponse_OutOfRange_IsRefusedNamingTheParameter()
    {
        var fleet = new RandomFleet(1).Build(Model, [4]);
        var rate = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => fleet.SetGuestResponse(0, GuestResponse.Rate(0)));
        Assert.Equal(nameof(GuestResponse.RateMbPerSecond), rate.ParamName);
        var spell = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => fleet.SetGuestResponse(0, GuestResponse.IntermittentlyStuck(-1, 5)));
        Assert.Equal(nameof(GuestResponse.StuckSeconds), spell.ParamName);
    }

    [Fact]
    public void Parse_KeyWithParameters_SetsThem_AndTheNameShowsWhatDiffersFromTheDefaults()
    {
        BalancerPolicy esx = BalancerPolicy.Parse("esx:idleTaxPerMille=0");
        Assert.Equal(BalancerPolicy.Esx with { EsxIdleTaxPerMille = 0 }, esx);
        Assert.Equal("VMware ESX (idleTaxPerMille 0)", esx.Name);
        BalancerPolicy squeezed = BalancerPolicy.Parse(" Squeezed : periodSeconds=5 : stuckSeconds=2.5 ");
        Assert.Equal(BalancerPolicy.Squeezed with { SqueezedPeriodSeconds = 5, SqueezedStuckSeconds = 2.5 }, squeezed);
        Assert.Equal("Xen squeezed (periodSeconds 5, stuckSeconds 2.5)", squeezed.Name);
        Assert.Equal("oVirt MoM", BalancerPolicy.Parse("mom:samples=10").Name);
    }

    [Theory]
    [InlineData("vmware5", "'vmware5' is not a policy: expected hyperv, static, squeezed, mom or esx")]
    [InlineData("esx:tax=0", "'tax' is not a parameter of esx: expected samplePeriodSeconds, idleTaxPerMille, softPercent, highPercent")]
    [InlineData("static:samples=3", "'samples' is not a parameter of static: expected none")]
    [InlineData("mom:samples=ten", "'ten' is not a whole number for mom's samples")]
    [InlineData("esx:idleTaxPerMille=1.5", "'1.5' is not a whole number for esx's idleTaxPerMille")]
    [InlineData("esx:highPercent=99999999999", "'99999999999' is out of range: expected the soft level..100 % for esx's highPercent")]
    [InlineData("squeezed:targetFreeMb=99999999999", "'99999999999' is out of range: expected 0..1048576 MB for squeezed's targetFreeMb")] // (before stop 54: "a whole number from -2147483648 to 2147483647", int's range, not the parameter's)
    [InlineData("mom:samples=-99999999999", "'-99999999999' is out of range: expected 1..16 for mom's samples")]
    [InlineData("mom:periodSeconds=soon", "'soon' is not a number of seconds for mom's periodSeconds")]
    [InlineData("mom:samples", "'samples' is not a parameter setting: expected NAME=VALUE")]
    [InlineData("mom:samples=17", "'mom:samples=17': samples expected 1..16")]
    [InlineData("esx:idleTaxPerMille=1000", "'esx:idleTaxPerMille=1000': idleTaxPerMille expected 0..999 per mille")]
    [InlineData("esx:softPercent=50", "'esx:softPercent=50': highPercent 6 % is below the soft level (50 %): the high level must be at least the soft level (P9); set it too, e.g. esx:softPercent=50:highPercent=52.")]
    [InlineData("esx:softPercent=99:highPercent=101", "highPercent expected the soft level..100 %")]
    [InlineData("esx:idleTaxPerMille=5:IdleTaxPerMille=6", "esx's IdleTaxPerMille is given twice in 'esx:idleTaxPerMille=5:IdleTaxPerMille=6': give each parameter once")]
    public void Parse_BadText_IsRefusedNamingWhatIsWrong(string text, string message)
    {
        var ex = Assert.Throws<FormatException>(() => BalancerPolicy.Parse(text));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("replay", "--policy", "xen2", "--policy: 'xen2' is not a policy: expected hyperv, static, squeezed, mom or esx")]
    [InlineData("compare", "--policies", "hyperv,vsphere", "--policies: 'vsphere' is not a policy: expected hyperv, static, squeezed, mom or esx")]
    [InlineData("compare", "--policies", ",", "--policies: no policy given")]
    [InlineData("compare", "--policies", "hyperv,,esx", "--policies 'hyperv,,esx': an empty entry between commas")] // (before stop 54: dropped in silence)
    [InlineData("compare", "--buffers", "10,,50", "--buffers '10,,50': an empty entry between commas")]
    [InlineData("replay", "--policy", "esx:idleTaxPerMille=1000", "--policy: 'esx:idleTaxPerMille=1000': idleTaxPerMille expected 0..999 per mille")]
    public void Cli_UnknownPolicy_ExitsTwoNamingIt(string command, string option, string value, string message)
    {
        using var tmp = new TempDir();
        string outDir = tmp.File("out");
        (int exit, _, string stderr) = CliTests.Run(command, ReplayDeterminismTests.SampleTrace, "-o", outDir, option, value);
        Assert.Equal(2, exit);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any(), "an output was written");
    }

    /// <summary>
    /// A policy's periods run in whole ticks (rounded half up, at least one): at the sample's 60-s ticks squeezed's 10-s
    /// period and 5-s stuck detection run on every tick, and replay says so on the console and in report.md (before stop
    /// 54 nothing did, and README explained a 300-s-tick result by MoM's 15 s); where the periods are whole ticks, nothing
    /// is said.
    /// </summary>
    [Fact]
    public void PolicyPeriodsShorterThanATick_AreSaidAsTheyRan()
    {
        Assert.Equal("periodSeconds 10 s runs as 1 tick (60 s), stuckSeconds 5 s as 1 tick (60 s)", DmKernel.Cli.Report.PolicyPeriods.RunAs(BalancerPolicy.Squeezed, 60));
        Assert.Equal("periodSeconds 15 s runs as 2 ticks (20 s)", DmKernel.Cli.Report.PolicyPeriods.RunAs(BalancerPolicy.Mom, 10)); // 1.5 ticks, half up
        Assert.Equal("", DmKernel.Cli.Report.PolicyPeriods.RunAs(BalancerPolicy.Squeezed, 5)); // 2 ticks and 1 tick: whole
        Assert.Equal("", DmKernel.Cli.Report.PolicyPeriods.RunAs(BalancerPolicy.HyperV, 300));

        using var tmp = new TempDir();
        (int exit, _, string stderr) = CliTests.Run("replay", ReplayDeterminismTests.SampleTrace, "-o", tmp.File("out"), "--policy", "squeezed", "--max-ticks", "5");
        Assert.True(exit == 0, stderr);
        const string Said = "its periods run in whole ticks of 60 s: periodSeconds 10 s runs as 1 tick (60 s), stuckSeconds 5 s as 1 tick (60 s).";
        Assert.Contains("warning: --policy squeezed: " + Said, stderr, StringComparison.Ordinal);
        Assert.Contains("(docs/policies.md). Its periods run in whole ticks of 60 s: periodSeconds 10 s runs as 1 tick (60 s)", File.ReadAllText(tmp.File("out/report.md")), StringComparison.Ordinal);

        (exit, _, stderr) = CliTests.Run("replay", ReplayDeterminismTests.SampleTrace, "-o", tmp.File("out2"), "--policy", "squeezed:periodSeconds=120:stuckSeconds=60", "--max-ticks", "5");
        Assert.True(exit == 0, stderr);
        Assert.DoesNotContain("whole ticks", stderr + File.ReadAllText(tmp.File("out2/report.md")), StringComparison.Ordinal);
    }
}

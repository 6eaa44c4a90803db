using System.Text.Json.Nodes;
using DmKernel.Tests.Replay;
using DmKernel.Tests.Traces;
using DmKernel.Traces;
using DmKernel.Traces.Replay;

namespace DmKernel.Tests.Policies;

/// <summary>Replays under every policy: the same summary on every path and thread count, the policy recorded, P10 from the trace applied.</summary>
public class PolicyReplayTests
{
    public static readonly TheoryData<PolicyKind> GoalPolicies = new() { PolicyKind.Static, PolicyKind.Squeezed, PolicyKind.Mom, PolicyKind.Esx };

    [Theory]
    [MemberData(nameof(GoalPolicies))]
    public void Replay_SampleTrace_UnderEveryPolicy_SameResultOnEveryPathAndThreadCount_AndThePolicyIsRecorded(PolicyKind kind)
    {
        BalancerPolicy policy = BalancerPolicy.Of(kind);
        var options = new ReplayOptions { Path = KernelPath.Scalar, Policy = policy, MaxTicks = 400 };
        string reference = ReplayDeterminismTests.ResultJson(ReplayDeterminismTests.SampleTrace, options);
        Assert.Equal(reference, ReplayDeterminismTests.ResultJson(ReplayDeterminismTests.SampleTrace, options with { Path = KernelPath.Vector512, Threads = 2 }));
        Assert.Equal(reference, ReplayDeterminismTests.ResultJson(ReplayDeterminismTests.SampleTrace, options with { Path = KernelPath.Vector128, Threads = 3 }));
        string hyperV = ReplayDeterminismTests.ResultJson(ReplayDeterminismTests.SampleTrace, options with { Policy = BalancerPolicy.HyperV });
        Assert.NotEqual(hyperV, reference);
        Assert.Contains(policy.Key, reference, StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_TraceWithStuckGuests_AppliesThem_UnderAGoalPolicy()
    {
        // The same generated trace with and without a P10 mix in its metadata: under MoM the stuck guests change the
        // result; the mix is drawn per VM index, so about 30 % of the VMs are stuck.
        using var dir = new TempDir();
        string ideal = dir.File("ideal.dmt"), stuck = dir.File("stuck.dmt");
        var generator = new TraceGeneratorOptions { Vms = 120, Hosts = 2, Ticks = 200, Seed = 5, TickSeconds = 30, HostHeadroom = 1.0 };
        TraceGenerator.Generate(ideal, generator);
        TraceGenerator.Generate(stuck, generator with { Guests = GuestMix.Parse("stuck=30%") });
        var options = new ReplayOptions { Path = KernelPath.Scalar, Policy = BalancerPolicy.Mom };
        JsonNode a = JsonNode.Parse(ReplayDeterminismTests.ResultJson(ideal, options))!["fleet"]!;
        JsonNode b = JsonNode.Parse(ReplayDeterminismTests.ResultJson(stuck, options))!["fleet"]!;
        Assert.NotEqual(a.ToJsonString(), b.ToJsonString());

        // Fewer balloon and hot-add operations: a stuck guest never moves.
        static long Moves(JsonNode f) => (long)f["adds"]!["count"]! + (long)f["removes"]!["count"]!;
        Assert.True(Moves(b) < Moves(a), $"stuck guests moved as often: {Moves(b)} vs {Moves(a)}");
    }
}

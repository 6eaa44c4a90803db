namespace DmKernel.Tests.Policies;

/// <summary>
/// P10's intermittently stuck guest, end to end under squeezed and MoM (whose goals here ask the guest to move every few
/// ticks; Hyper-V's and ESX's, slower to change, moved it on 1–3 ticks of 400, too few to tell phases apart): stuck for S ticks, then ideal for I, repeating, with
/// its phase from its place on its host ((tick + position) mod (S + I) &lt; S: stuck). With S = 1 and I = 3 a guest at
/// position 0 never moves on a tick that is a multiple of 4 and may move on every other; a guest whose ideal spell were
/// read as its stuck one (the kernel support round's survivor H4: period 2) could never move on a tick of 2 mod 4.
/// </summary>
public class IntermittentGuestPhaseTests
{
    private static readonly ModelParameters Model = ModelParameters.Default with { BootGraceSeconds = 3, HostReserveMb = 0 };

    [Theory]
    [InlineData(PolicyKind.Squeezed)]
    [InlineData(PolicyKind.Mom)]
    public void AGuestStuck1Ideal3_MovesOnlyOnTicksNotAMultipleOf4_AndOnSomeTicksOf2Mod4(PolicyKind kind)
    {
        // One host with room for both VMs' Maximum; the guest under test at position 0, an ideal one beside it.
        var fleet = new Fleet(Model, [new HostSpec(16384, 2, 0)]);
        int vm = fleet.AddVm(0, VmSettings.Dynamic(1024, 512, 4096));
        int other = fleet.AddVm(0, VmSettings.Dynamic(1024, 512, 4096));
        fleet.SetGuestResponse(vm, GuestResponse.IntermittentlyStuck(1, 3));
        fleet.RequestStart(vm);
        fleet.RequestStart(other);
        using var balancer = new Balancer(fleet, BalancerPolicy.Of(kind), KernelPath.Scalar, 1);

        var moved = new List<int>();
        for (int tick = 0; tick < 400; tick++)
        {
            // Demand swings between 600 and 3 400 MB every 7 ticks: the guest is asked to grow and to shrink.
            fleet.SetCommitted(vm, tick / 7 % 2 == 0 ? 600 : 3400);
            fleet.SetCommitted(other, 1500);
            int assigned = fleet.Assigned[vm], ballooned = fleet.Ballooned[vm];
            balancer.Tick();
            if (tick > 3 && (fleet.Assigned[vm] != assigned || fleet.Ballooned[vm] != ballooned))
                moved.Add(tick);
        }

        Assert.All(moved, t => Assert.NotEqual(0, t % 4));
        Assert.Contains(moved, t => t % 4 == 2);
    }
}

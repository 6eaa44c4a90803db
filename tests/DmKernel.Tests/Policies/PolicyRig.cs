using DmKernel.Policies;

namespace DmKernel.Tests.Policies;

/// <summary>
/// One host's columns driven through a policy's plan without a fleet: each <see cref="Tick{TPolicy}"/> does what the
/// per-host kernel does around the plan (R12's pending memory joins Available, R17's decisions start at zero; Demand is
/// what the test set), then runs the plan. Every VM added is a Running DM VM unless said otherwise.
/// </summary>
internal sealed class PolicyRig
{
    private readonly List<(int Min, int Startup, int Max, int Assigned, int Demand, int Weight, bool Linux, int Flags)> _vms = [];
    private PolicyScratch? _scratch;

    public PolicyRig(int totalMb, BalancerPolicy policy, ModelParameters? model = null, int reserveMb = 0)
    {
        TotalMb = totalMb;
        ReserveMb = reserveMb;
        Policy = policy;
        Model = model ?? ModelParameters.Default;
    }

    public int TotalMb { get; }

    public int ReserveMb { get; }

    public BalancerPolicy Policy { get; }

    public ModelParameters Model { get; }

    public HostArrays A { get; private set; } = new(0);

    public long TickIndex { get; private set; }

    public int Add(int min, int startup, int max, int assigned, int demand, int weight = 5000, bool linux = false, int flags = VmFlags.RunningDynamic)
    {
        _vms.Add((min, startup, max, assigned, demand, weight, linux, flags | (linux ? VmFlags.Linux : 0)));
        return _vms.Count - 1;
    }

    /// <summary>Builds the host: Available = Total − Reserve − Σ Assigned.</summary>
    public PolicyRig Build()
    {
        A = new HostArrays(_vms.Count) { Total = TotalMb, Reserve = ReserveMb };
        int sum = 0;
        for (int k = 0; k < _vms.Count; k++)
        {
            var v = _vms[k];
            A.Flags[k] = v.Flags;
            A.Minimum[k] = v.Min;
            A.Startup[k] = v.Startup;
            A.Maximum[k] = v.Max;
            A.Assigned[k] = v.Assigned;
            A.Demand[k] = v.Demand;
            A.Weight[k] = (ushort)v.Weight;
            sum += v.Assigned;
        }

        A.Available = TotalMb - ReserveMb - sum;
        _scratch = new PolicyScratch(_vms.Count);
        return this;
    }

    public void SetGuest(int k, GuestResponse r)
    {
        A.GuestKind[k] = (byte)r.Kind;
        A.GuestRate[k] = r.Kind == GuestResponseKind.Rate ? Responsiveness.RatePerTick(r.RateMbPerSecond, Model.TickSeconds, Model.GranularityMb) : 0;
        A.GuestStuck[k] = r.Kind == GuestResponseKind.IntermittentlyStuck ? Model.ToTicks(r.StuckSeconds) : 0;
        A.GuestIdeal[k] = r.Kind == GuestResponseKind.IntermittentlyStuck ? Model.ToTicks(r.IdealSeconds) : 0;
    }

    public void Tick<TPolicy>(int count = 1)
        where TPolicy : struct, IPolicy
    {
        for (int c = 0; c < count; c++)
        {
            A.Available += A.PendingFreed;                     // R12: last tick's balloon joins Available
            A.PendingFreed = 0;
            Array.Clear(A.Unballooned);                        // R17
            Array.Clear(A.HotAdded);
            Array.Clear(A.Removed);
            PolicyPlan.Run<TPolicy>(new PolicyHost(A), new PolicyTick(Policy, Model, TickIndex), _scratch!);
            TickIndex++;

            // The accounting every policy keeps (R3, R12): Σ Assigned + Reserve + Available + pending = Total.
            long sum = 0;
            foreach (int a in A.Assigned)
                sum += a;
            Assert.Equal(TotalMb, sum + ReserveMb + A.Available + A.PendingFreed);
            Assert.True(A.Available >= 0);
        }
    }
}

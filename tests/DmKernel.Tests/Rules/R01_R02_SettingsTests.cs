using System.Globalization;
using DmKernel.Tests.Support;

namespace DmKernel.Tests.Rules;

/// <summary>R1 (validation of the per-VM settings) and R2 (what may change while a VM runs).</summary>
public class R01_R02_SettingsTests
{
    private static Fleet NewFleet(ModelParameters? model = null)
        => new(model ?? ModelParameters.Default, [new HostSpec(16384, 16, 0)]);

    // Each row breaks exactly one R1 rule; the other fields are valid. Checked in R1's order:
    // multiples of G = 2, Minimum >= 32, Startup >= Minimum, Maximum >= Startup, Maximum <= MaxCeiling (1 TB),
    // Buffer 5..2000, Weight 0..10000.
    [Theory]
    [InlineData(513, 512, 1024, 20, 5000, "Startup", 513)]              // Startup not a multiple of 2
    [InlineData(512, 511, 1024, 20, 5000, "Minimum", 511)]              // Minimum not a multiple of 2
    [InlineData(512, 512, 1025, 20, 5000, "Maximum", 1025)]             // Maximum not a multiple of 2
    [InlineData(512, 30, 1024, 20, 5000, "Minimum", 30)]                // Minimum < 32
    [InlineData(512, 1024, 2048, 20, 5000, "Startup", 512)]             // Startup < Minimum
    [InlineData(1024, 512, 512, 20, 5000, "Maximum", 512)]              // Maximum < Startup
    [InlineData(512, 512, 1_048_578, 20, 5000, "Maximum", 1_048_578)]   // Maximum > MaxCeiling (1 048 576)
    [InlineData(512, 512, 1024, 4, 5000, "Buffer", 4)]                  // Buffer < 5
    [InlineData(512, 512, 1024, 2001, 5000, "Buffer", 2001)]            // Buffer > 2000
    [InlineData(512, 512, 1024, 20, -1, "Weight", -1)]                  // Weight < 0
    [InlineData(512, 512, 1024, 20, 10001, "Weight", 10001)]            // Weight > 10000
    public void R1_AddVm_RefusesBrokenSetting_NamingVmSettingValueAndRule(int startup, int minimum, int maximum, int buffer,
        int weight, string setting, long value)
    {
        var f = NewFleet();
        Assert.Equal(0, f.AddVm(0, VmSettings.Default)); // slot 0 taken: the refused VM would have been slot 1

        var refused = new VmSettings(startup, minimum, maximum, buffer, weight);
        var ex = Assert.Throws<SettingRejectedException>(() => f.AddVm(0, refused));

        // ParamName is the VmSettings property holding the refused value; the message has no "(Parameter ...)" suffix.
        Assert.NotNull(ex.ParamName);
        Assert.Equal(value, Convert.ToInt64(typeof(VmSettings).GetProperty(ex.ParamName)!.GetValue(refused), CultureInfo.InvariantCulture));
        Assert.StartsWith(setting, ex.ParamName, StringComparison.Ordinal);
        Assert.EndsWith("Nothing of the change was applied.", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, ex.Vm);
        Assert.Equal(setting, ex.Setting);
        Assert.Equal(value, ex.Value);
        Assert.Equal("R1", ex.Rule);
        Assert.Contains("VM 1", ex.Message, StringComparison.Ordinal);
        Assert.Contains(setting, ex.Message, StringComparison.Ordinal);
        Assert.Contains(value.ToString(CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
        Assert.Contains("R1", ex.Message, StringComparison.Ordinal);

        // Nothing applied: slot 1 is still free and is what the next valid VM gets.
        Assert.False(f.IsUsed(1));
        Assert.Equal(1, f.AddVm(0, VmSettings.Default));
    }

    /// <summary>
    /// R1's refusal names the VM: on a host after the first, that is the fleet slot the VM would have had (the host's
    /// first free slot), not its offset within the host; nothing is applied and the slot is what the next valid VM gets.
    /// </summary>
    [Fact]
    public void R1_AddVm_OnALaterHost_RefusalNamesTheFleetSlotTheVmWouldHaveHad()
    {
        var f = new Fleet(ModelParameters.Default, [new HostSpec(16384, 16, 0), new HostSpec(16384, 16, 0)]);
        Assert.Equal(16, f.AddVm(1, VmSettings.Default)); // host 1's slots are 16..31: the refused VM would have been 17

        var ex = Assert.Throws<SettingRejectedException>(() => f.AddVm(1, new VmSettings(512, 512, 1024, 4, 5000)));

        Assert.Equal("Buffer", ex.Setting);
        Assert.Equal(17, ex.Vm);
        Assert.StartsWith("VM 17: Buffer = 4 refused by R1", ex.Message, StringComparison.Ordinal);
        Assert.False(f.IsUsed(17));
        Assert.Equal(17, f.AddVm(1, VmSettings.Default));
    }

    [Theory]
    [InlineData(513, 512, 1024, 20, 5000, "Startup")]
    [InlineData(512, 30, 1024, 20, 5000, "Minimum")]
    [InlineData(512, 1024, 2048, 20, 5000, "Startup")]
    [InlineData(1024, 512, 512, 20, 5000, "Maximum")]
    [InlineData(512, 512, 1_048_578, 20, 5000, "Maximum")]
    [InlineData(512, 512, 1024, 4, 5000, "Buffer")]
    [InlineData(512, 512, 1024, 2001, 5000, "Buffer")]
    [InlineData(512, 512, 1024, 20, -1, "Weight")]
    [InlineData(512, 512, 1024, 20, 10001, "Weight")]
    public void R1_Configure_RefusedChange_AppliesNothing(int startup, int minimum, int maximum, int buffer, int weight, string setting)
    {
        var f = NewFleet();
        // Every field of the current settings differs from the refused ones, so any partial write would show.
        var current = new VmSettings(2048, 1024, 8192, 30, 7000, true, GuestKind.Linux);
        int vm = f.AddVm(0, current);

        var ex = Assert.Throws<SettingRejectedException>(() => f.Configure(vm, new VmSettings(startup, minimum, maximum, buffer, weight)));

        Assert.Equal(setting, ex.Setting);
        Assert.Equal("R1", ex.Rule);
        Assert.Equal(vm, ex.Vm);
        Assert.Equal(current, f.GetSettings(vm));
    }

    [Fact]
    public void R1_Bounds_AreInclusive()
    {
        var f = NewFleet();
        // Minimum 32, Buffer 5 and 2000, Weight 0 and 10000, Maximum = MaxCeiling: all allowed.
        var low = new VmSettings(32, 32, 32, 5, 0);
        var high = new VmSettings(1024, 512, 1_048_576, 2000, 10_000);
        int a = f.AddVm(0, low);
        int b = f.AddVm(0, high);
        Assert.Equal(low, f.GetSettings(a));
        Assert.Equal(high, f.GetSettings(b));
    }

    [Fact]
    public void R1_MaxCeiling_IsConfigurable()
    {
        // 2008 R2 SP1 era: MaxCeiling 65 536 MB. 65 536 is allowed, 65 538 is refused.
        var old = NewFleet(new ModelParameters { MaxCeilingMb = 65_536 });
        old.AddVm(0, VmSettings.Dynamic(512, 512, 65_536));
        var ex = Assert.Throws<SettingRejectedException>(() => old.AddVm(0, VmSettings.Dynamic(512, 512, 65_538)));
        Assert.Equal(("Maximum", 65_538L, "R1"), (ex.Setting, ex.Value, ex.Rule));

        // Generation-2 VMs on 2016+: 12 582 912 MB allowed with that ceiling, refused with the 1 TB default.
        var gen2 = NewFleet(new ModelParameters { MaxCeilingMb = 12_582_912 });
        gen2.AddVm(0, VmSettings.Dynamic(512, 512, 12_582_912));
        Assert.Throws<SettingRejectedException>(() => NewFleet().AddVm(0, VmSettings.Dynamic(512, 512, 12_582_912)));
    }

    [Fact]
    public void R1_Limits_MaxCeilingAndCommittedDemand_AtMost16TB()
    {
        const int SixteenTb = 16 * 1024 * 1024; // MB
        // MaxCeiling itself is a model parameter: at most 16 TB (keeps Maximum × 100 and host sums in range).
        var big = NewFleet(new ModelParameters { MaxCeilingMb = SixteenTb });
        big.AddVm(0, VmSettings.Dynamic(512, 512, SixteenTb));
        var ex = Assert.Throws<ModelParameterException>(() => NewFleet(new ModelParameters { MaxCeilingMb = SixteenTb + 2 }));
        Assert.Equal(nameof(ModelParameters.MaxCeilingMb), ex.Parameter);
        Assert.Equal(ex.Parameter, ex.ParamName);
        Assert.EndsWith("expected a multiple of 2 MB from 32 to 16777216.", ex.Message, StringComparison.Ordinal); // no "(Parameter ...)"

        // R8's input, the committed memory, is checked to 0..16 TB.
        var f = NewFleet();
        int vm = f.AddVm(0, VmSettings.Default);
        f.SetCommitted(vm, SixteenTb);
        Assert.Equal(SixteenTb, f.Committed[vm]);
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => f.SetCommitted(vm, SixteenTb + 1));
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => f.SetCommitted(vm, -1));
        Assert.Equal(SixteenTb, f.Committed[vm]); // the refused values were not stored
    }

    [Fact]
    public void R2_WhileRunning_AllowsRaiseMaximumLowerMinimumBufferAndWeight()
    {
        var s = new Scenario(model: RuleScenario.Fast);
        int vm = s.StartRunning((RuleScenario.Dm(1024, 768, 8192), 3000))[0];
        // Demand 3000, Buffer 20: Target = 3600, granted at once (host has room).
        Assert.Equal(3600, s.Fleet.Assigned[vm]);

        var changed = new VmSettings(1024, 512, 16384, 50, 100);   // Maximum up, Minimum down, Buffer 20 → 50, Weight 5000 → 100
        s.Fleet.Configure(vm, changed);
        Assert.Equal(changed, s.Fleet.GetSettings(vm));

        // The new Buffer is used from the next tick: Target = ceil(3000 × 150 / 100) = 4500.
        s.Tick();
        Assert.Equal(4500, s.Fleet.Target[vm]);
        Assert.Equal(4500, s.Fleet.Assigned[vm]);
    }

    [Theory]
    [InlineData("Startup", 2048, 768, 8192, true, 2048L)]       // Startup changed
    [InlineData("Maximum", 1024, 768, 4096, true, 4096L)]       // Maximum lowered
    [InlineData("Minimum", 1024, 1024, 8192, true, 1024L)]      // Minimum raised
    [InlineData("DynamicMemory", 1024, 768, 8192, false, 0L)]   // Dynamic Memory toggled off
    public void R2_WhileRunning_RefusesChange_NamingRuleR2_AndAppliesNothing(string setting, int startup, int minimum, int maximum,
        bool dynamic, long value)
    {
        var s = new Scenario(model: RuleScenario.Fast);
        int vm = s.StartRunning((RuleScenario.Dm(1024, 768, 8192), 3000))[0];
        VmSettings before = s.Fleet.GetSettings(vm);

        // The refused change also carries allowed ones (Buffer, Weight): none of them may be applied.
        var request = new VmSettings(startup, minimum, maximum, 50, 100, dynamic);
        var ex = Assert.Throws<SettingRejectedException>(() => s.Fleet.Configure(vm, request));

        Assert.Equal(("R2", setting, value, vm), (ex.Rule, ex.Setting, ex.Value, ex.Vm));
        Assert.Contains("R2", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"VM {vm}", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, s.Fleet.GetSettings(vm));
    }

    // The message shows a refused bool or guest kind as the caller wrote it (false, Linux), with the value it must keep,
    // not as Value's number ("DynamicMemory = 0", "Guest = 1" before); Value stays the number.
    [Theory]
    [InlineData(false, "Windows", "DynamicMemory = false refused by R2: unchanged (true) while the VM runs.", 0L)]
    [InlineData(true, "Linux", "Guest = Linux refused by R2: unchanged (Windows) while the VM runs.", 1L)]
    public void R2_RefusedToggle_MessageNamesTheValueAsWritten(bool dynamic, string guest, string expected, long value)
    {
        var s = new Scenario(model: RuleScenario.Fast);
        int vm = s.StartRunning((RuleScenario.Dm(1024, 768, 8192), 3000))[0];
        var request = s.Fleet.GetSettings(vm) with { DynamicMemory = dynamic, Guest = Enum.Parse<GuestKind>(guest) };

        var ex = Assert.Throws<SettingRejectedException>(() => s.Fleet.Configure(vm, request));

        Assert.Equal($"VM {vm}: {expected} Nothing of the change was applied.", ex.Message);
        Assert.Equal(value, ex.Value);
    }

    [Fact]
    public void R2_BootingCountsAsRunning_OffAllowsEverything()
    {
        var s = new Scenario(); // default BootGrace 50 ticks
        int vm = s.Start((RuleScenario.Dm(1024, 768, 8192), 1000))[0];
        Assert.Equal(VmState.Booting, s.Fleet.State(vm));
        var ex = Assert.Throws<SettingRejectedException>(() => s.Fleet.Configure(vm, VmSettings.Dynamic(2048, 768, 8192)));
        Assert.Equal(("R2", "Startup"), (ex.Rule, ex.Setting));

        s.Fleet.RequestStop(vm);
        s.Tick();
        Assert.Equal(VmState.Off, s.Fleet.State(vm));

        // Off: Startup changed, Maximum lowered, Minimum raised and Dynamic Memory off, all at once (only R1 applies).
        var offChange = VmSettings.Static(2048);
        s.Fleet.Configure(vm, offChange);
        Assert.Equal(offChange, s.Fleet.GetSettings(vm));
    }
}

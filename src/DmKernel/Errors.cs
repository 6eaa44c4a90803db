using System.Globalization;

namespace DmKernel;

/// <summary>A VM setting refused by R1 or R2: names the VM, the setting, the value and the rule.</summary>
public sealed class SettingRejectedException : ArgumentException
{
    private readonly string _message;

    /// <summary>
    /// A refusal of <paramref name="setting"/> = <paramref name="value"/> for VM <paramref name="vm"/> by
    /// <paramref name="rule"/> ("R1" or "R2"); <paramref name="expected"/> says what the rule allows.
    /// </summary>
    public SettingRejectedException(int vm, string setting, long value, string rule, string expected)
        : this(vm, setting, value, value.ToString(CultureInfo.InvariantCulture), rule, expected)
    {
    }

    /// <summary>
    /// A refusal whose message shows the value as the caller wrote it (<paramref name="valueText"/>: <c>false</c>,
    /// <c>Linux</c>) where <see cref="Value"/>'s number would not (a bool as 0 or 1, an enum as its number).
    /// </summary>
    internal SettingRejectedException(int vm, string setting, long value, string valueText, string rule, string expected)
        : base(null, PropertyOf(setting))
    {
        _message = string.Create(CultureInfo.InvariantCulture, $"VM {vm}: {setting} = {valueText} refused by {rule}: {expected}. Nothing of the change was applied.");
        Vm = vm;
        Setting = setting;
        Value = value;
        Rule = rule;
    }

    /// <summary>The VM (slot) the change was for; for a refused <see cref="Fleet.AddVm"/>, the slot the VM would have taken (it stays free: check <see cref="Fleet.IsUsed"/>).</summary>
    public int Vm { get; }

    /// <summary>The setting that broke the rule.</summary>
    public string Setting { get; }

    /// <summary>The refused value.</summary>
    public long Value { get; }

    /// <summary>The rule, "R1" or "R2".</summary>
    public string Rule { get; }

    /// <summary>The message naming the VM, the setting, the value and the rule (without <see cref="ArgumentException"/>'s "(Parameter ...)" suffix).</summary>
    public override string Message => _message;

    // ParamName is the VmSettings property the setting is (StartupMb for "Startup"), so code can map it to its own field.
    private static string PropertyOf(string setting) => setting switch
    {
        "Startup" => nameof(VmSettings.StartupMb),
        "Minimum" => nameof(VmSettings.MinimumMb),
        "Maximum" => nameof(VmSettings.MaximumMb),
        "Buffer" => nameof(VmSettings.BufferPercent),
        _ => setting,
    };
}

/// <summary>A model parameter out of range: names the parameter, the value and what was expected.</summary>
public sealed class ModelParameterException : ArgumentException
{
    private readonly string _message;

    /// <summary>
    /// <paramref name="parameter"/> = <paramref name="value"/> is out of range; <paramref name="expected"/> says what
    /// is allowed.
    /// </summary>
    public ModelParameterException(string parameter, double value, string expected)
        : base(null, parameter)
    {
        _message = string.Create(CultureInfo.InvariantCulture, $"Model parameter {parameter} = {value} is out of range: expected {expected}.");
        Parameter = parameter;
        Value = value;
    }

    /// <summary>The <see cref="ModelParameters"/> property out of range (also <see cref="ArgumentException.ParamName"/>).</summary>
    public string Parameter { get; }

    /// <summary>The refused value.</summary>
    public double Value { get; }

    /// <summary>The message naming the parameter, the value and what was expected (without the "(Parameter ...)" suffix).</summary>
    public override string Message => _message;
}

/// <summary>An R14 invariant that did not hold after a tick.</summary>
public sealed class InvariantViolationException : Exception
{
    /// <summary>A violation described by <paramref name="message"/> (the invariant, the host or VM, the values).</summary>
    public InvariantViolationException(string message) : base(message) { }
}

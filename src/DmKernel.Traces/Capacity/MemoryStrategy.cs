using System.Globalization;

namespace DmKernel.Traces.Capacity;

/// <summary>What a strategy does with each VM's memory.</summary>
public enum StrategyKind
{
    /// <summary>Dynamic Memory with the trace's settings (optionally another Buffer).</summary>
    DynamicMemory = 0,

    /// <summary>Static memory at the VM's provisioned size (the trace's Maximum).</summary>
    StaticProvisioned = 1,

    /// <summary>Static memory of one fixed size for every VM ("1 GB for everyone").</summary>
    StaticFixed = 2,

    /// <summary>Static memory at the provisioned size plus a margin ("provisioned + 50 %").</summary>
    StaticProvisionedPlus = 3,
}

/// <summary>
/// How memory is given to the VMs of a trace in a capacity comparison. <see cref="Apply"/> turns a trace VM's settings
/// into the strategy's; the VM's demand is unchanged. A VM's provisioned size is its Maximum in the trace.
/// </summary>
public sealed record MemoryStrategy
{
    private MemoryStrategy(StrategyKind kind, int parameter, string name)
    {
        Kind = kind;
        Parameter = parameter;
        Name = name;
    }

    /// <summary>What the strategy does.</summary>
    public StrategyKind Kind { get; }

    /// <summary>The Buffer % (Dynamic Memory, 0: the trace's), the size in MB (fixed) or the margin in % (provisioned plus).</summary>
    public int Parameter { get; }

    /// <summary>A name for reports ("Dynamic Memory", "static provisioned", "fixed 1 GB", ...).</summary>
    public string Name { get; }

    /// <summary>True for Dynamic Memory strategies.</summary>
    public bool IsDynamic => Kind == StrategyKind.DynamicMemory;

    /// <summary>Dynamic Memory with the trace's settings.</summary>
    public static MemoryStrategy DynamicMemory { get; } = new(StrategyKind.DynamicMemory, 0, "Dynamic Memory");

    /// <summary>Static memory at each VM's provisioned size.</summary>
    public static MemoryStrategy StaticProvisioned { get; } = new(StrategyKind.StaticProvisioned, 0, "static provisioned");

    /// <summary>Dynamic Memory with the trace's settings but every VM's Buffer set to <paramref name="bufferPercent"/> (R1: 5..2000).</summary>
    public static MemoryStrategy DynamicWithBuffer(int bufferPercent)
    {
        if (bufferPercent is < VmSettings.MinBuffer or > VmSettings.MaxBuffer)
            throw new InvariantOutOfRangeException(nameof(bufferPercent), bufferPercent, string.Create(CultureInfo.InvariantCulture, $"buffer: expected {VmSettings.MinBuffer}..{VmSettings.MaxBuffer} % (R1)."));
        return new(StrategyKind.DynamicMemory, bufferPercent, string.Create(CultureInfo.InvariantCulture, $"Dynamic Memory, buffer {bufferPercent} %"));
    }

    /// <summary>Every VM static at <paramref name="sizeMb"/> MB (a positive multiple of 2, at least 32).</summary>
    public static MemoryStrategy Fixed(int sizeMb)
    {
        if (sizeMb < VmSettings.MinMinimumMb || sizeMb % 2 != 0)
            throw new InvariantOutOfRangeException(nameof(sizeMb), sizeMb, "size: expected a multiple of 2 MB, at least 32.");
        string name = sizeMb % 1024 == 0
            ? string.Create(CultureInfo.InvariantCulture, $"fixed {sizeMb / 1024} GB")
            : string.Create(CultureInfo.InvariantCulture, $"fixed {sizeMb} MB");
        return new(StrategyKind.StaticFixed, sizeMb, name);
    }

    /// <summary>Every VM static at its provisioned size + <paramref name="percent"/> % (rounded up to 2 MB).</summary>
    public static MemoryStrategy ProvisionedPlus(int percent)
    {
        if (percent is < 1 or > 1000)
            throw new InvariantOutOfRangeException(nameof(percent), percent, "margin: expected 1..1000 %.");
        return new(StrategyKind.StaticProvisionedPlus, percent, string.Create(CultureInfo.InvariantCulture, $"provisioned + {percent} %"));
    }

    /// <summary>
    /// The settings a trace VM runs with under this strategy. Dynamic Memory keeps the trace's settings (a static trace
    /// VM stays static); static strategies give the VM a fixed size, at most <paramref name="maxCeilingMb"/>.
    /// </summary>
    public VmSettings Apply(in VmSettings trace, int maxCeilingMb)
    {
        if (Kind == StrategyKind.DynamicMemory)
            return Parameter == 0 || !trace.DynamicMemory ? trace : trace with { BufferPercent = Parameter };
        long size = Kind switch
        {
            StrategyKind.StaticProvisioned => trace.MaximumMb,
            StrategyKind.StaticFixed => Parameter,
            _ => ((trace.MaximumMb * (100L + Parameter)) + 199) / 200 * 2,
        };
        int mb = (int)Math.Clamp(size, VmSettings.MinMinimumMb, maxCeilingMb);
        return VmSettings.Static(mb & ~1, trace.Guest);
    }

    /// <summary>A short key for JSON ("dm", "dm-buffer-10", "static-provisioned", "fixed-1024", "provisioned-plus-50").</summary>
    public string Key => Kind switch
    {
        StrategyKind.DynamicMemory => Parameter == 0 ? "dm" : string.Create(CultureInfo.InvariantCulture, $"dm-buffer-{Parameter}"),
        StrategyKind.StaticProvisioned => "static-provisioned",
        StrategyKind.StaticFixed => string.Create(CultureInfo.InvariantCulture, $"fixed-{Parameter}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"provisioned-plus-{Parameter}"),
    };

    /// <inheritdoc/>
    public override string ToString() => Name;
}

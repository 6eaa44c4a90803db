using System.Runtime.Intrinsics;

namespace DmKernel;

/// <summary>Which implementation of the tick runs. Every path produces bit-identical results.</summary>
public enum KernelPath
{
    /// <summary>The widest accelerated vector path, or <c>DMKERNEL_PATH</c> when set.</summary>
    Auto = 0,

    /// <summary>The scalar reference (the spec in code).</summary>
    Scalar = 1,

    /// <summary>The 128-bit vector path (computed in software where the CPU does not accelerate it).</summary>
    Vector128 = 2,

    /// <summary>The 256-bit vector path (computed in software where the CPU does not accelerate it).</summary>
    Vector256 = 3,

    /// <summary>The 512-bit vector path (computed in software where the CPU does not accelerate it).</summary>
    Vector512 = 4,
}

/// <summary>Resolving <see cref="KernelPath.Auto"/> and the names used by the CLI and <c>DMKERNEL_PATH</c>.</summary>
public static class KernelPaths
{
    /// <summary>The environment variable that forces a path: scalar, v128, v256 or v512.</summary>
    public const string EnvironmentVariable = "DMKERNEL_PATH";

    /// <summary>The widest path the CPU accelerates.</summary>
    public static KernelPath Widest =>
        Vector512.IsHardwareAccelerated ? KernelPath.Vector512
        : Vector256.IsHardwareAccelerated ? KernelPath.Vector256
        : Vector128.IsHardwareAccelerated ? KernelPath.Vector128
        : KernelPath.Scalar;

    /// <summary>
    /// Whether this CPU (as the runtime is configured: <c>DOTNET_EnableAVX512=0</c> and the like turn it off) accelerates
    /// <paramref name="path"/>: true for the scalar reference and for the vector widths up to <see cref="Widest"/>; false for
    /// a wider path, which runs computed in software (the same results, several times slower than the scalar reference),
    /// and for <see cref="KernelPath.Auto"/>, which is resolved first.
    /// </summary>
    public static bool IsAccelerated(KernelPath path) => path switch
    {
        KernelPath.Scalar => true,
        KernelPath.Vector128 => Vector128.IsHardwareAccelerated,
        KernelPath.Vector256 => Vector256.IsHardwareAccelerated,
        KernelPath.Vector512 => Vector512.IsHardwareAccelerated,
        KernelPath.Auto => false,
        _ => throw Unknown(path),
    };

    /// <summary>A value that is not one of <see cref="KernelPath"/>'s (a cast integer): refused by every method here.</summary>
    private static InvariantOutOfRangeException Unknown(KernelPath path)
        => new(nameof(path), path, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{(int)path} is not a kernel path: expected Auto, Scalar, Vector128, Vector256 or Vector512."));

    /// <summary>
    /// The path's name as a run reports it: <see cref="Name"/>, followed by " (in software: this CPU does not accelerate
    /// it)" where <see cref="IsAccelerated"/> is false, so that a figure measured on a forced path is not read as the CPU's.
    /// </summary>
    public static string Describe(KernelPath path) => IsAccelerated(path) || path == KernelPath.Auto ? Name(path) : Name(path) + " (in software: this CPU does not accelerate it)";

    /// <summary>Resolves Auto: <c>DMKERNEL_PATH</c> if set, else <see cref="Widest"/>. Other paths are returned as they are; a value that is no path is refused.</summary>
    public static KernelPath Resolve(KernelPath requested) => Resolve(requested, Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary><see cref="Resolve(KernelPath)"/> with the variable's value given (tests).</summary>
    internal static KernelPath Resolve(KernelPath requested, string? env)
    {
        if (requested != KernelPath.Auto)
            return Enum.IsDefined(requested) ? requested : throw Unknown(requested);
        if (string.IsNullOrWhiteSpace(env))
            return Widest;
        KernelPath path = Parse(env, EnvironmentVariable);
        return path == KernelPath.Auto ? Widest : path; // DMKERNEL_PATH=auto: the widest, as when it is not set
    }

    /// <summary>Parses auto, scalar, v128, v256 or v512 (case-insensitive); the error names <paramref name="source"/>.</summary>
    public static KernelPath Parse(string name, string source = "path")
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToUpperInvariant() switch
        {
            "AUTO" => KernelPath.Auto,
            "SCALAR" => KernelPath.Scalar,
            "V128" or "VECTOR128" => KernelPath.Vector128,
            "V256" or "VECTOR256" => KernelPath.Vector256,
            "V512" or "VECTOR512" => KernelPath.Vector512,
            _ => throw new ArgumentException($"{source}: '{name}' is not a kernel path: expected auto, scalar, v128, v256 or v512."),
        };
    }

    /// <summary>The short name of a path (scalar, v128, v256, v512, auto).</summary>
    public static string Name(KernelPath path) => path switch
    {
        KernelPath.Scalar => "scalar",
        KernelPath.Vector128 => "v128",
        KernelPath.Vector256 => "v256",
        KernelPath.Vector512 => "v512",
        KernelPath.Auto => "auto",
        _ => throw Unknown(path),
    };
}

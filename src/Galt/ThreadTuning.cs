using System.Runtime.InteropServices;

namespace Galt;

/// <summary>
/// Shortens how long libtorch's OpenMP worker threads spin after each parallel tensor operation. GNU OpenMP (the
/// runtime libtorch's CPU build and its MKL use) keeps an idle worker busy-waiting for <c>GOMP_SPINCOUNT</c> iterations
/// (300,000 by default, milliseconds on this kind of machine) before it sleeps, so that the next operation starts
/// without a wake-up. Between tensor operations that is cheap; but Galt's fused sweeps (<c>Galt.Solve</c>) run on .NET
/// threads right after the backward pass and the optimizer's own tensor operations, and on a machine with few cores a
/// spinning OpenMP worker takes a core from them: measured on 2 cores, the fused step's passes ran 1.5–2× slower than
/// with the spin cut short, while a plain AdamW step was as fast either way (docs/experiments.md).
/// <see cref="LimitOpenMpSpinning"/> sets <c>GOMP_SPINCOUNT</c> in the process environment; libgomp reads it once, when
/// libtorch is loaded, so it must run before the first TorchSharp call. It changes no result, only when idle threads
/// sleep. The <c>galt</c> command calls it at start-up; a library user opts in by calling it once, first thing.
/// </summary>
public static class ThreadTuning
{
    /// <summary>
    /// The spin count <see cref="LimitOpenMpSpinning"/> sets by default: about a thirtieth of libgomp's, chosen once from
    /// three values (1,000, 10,000, 30,000) by <c>galt bench solve</c> on the 2-core machine.
    /// </summary>
    public const int DefaultSpinCount = 10_000;

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv(string name, string value, int overwrite);

    /// <summary>Why the last call did or did not apply: for logs and reports.</summary>
    public static string Status { get; private set; } = "not requested";

    /// <summary>
    /// On Linux, before libtorch is loaded, and when neither <c>GOMP_SPINCOUNT</c> nor <c>OMP_WAIT_POLICY</c> is set by
    /// the user: sets <c>GOMP_SPINCOUNT</c> = <paramref name="spinCount"/> for this process. Returns whether it applied;
    /// <see cref="Status"/> says why not (another system, the user's own setting, libtorch already loaded).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="spinCount"/> is negative.</exception>
    public static bool LimitOpenMpSpinning(int spinCount = DefaultSpinCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(spinCount);
        if (!OperatingSystem.IsLinux()) return Done(false, "not Linux: left to the OpenMP runtime's defaults");
        foreach (var name in new[] { "GOMP_SPINCOUNT", "OMP_WAIT_POLICY" })
            if (Environment.GetEnvironmentVariable(name) is { } value) return Done(false, $"{name}={value} set by the user: left as it is");
        if (OpenMpLoaded()) return Done(false, "libtorch's OpenMP runtime is already loaded: it has read its settings");
        try
        {
            if (SetEnv("GOMP_SPINCOUNT", spinCount.ToString(System.Globalization.CultureInfo.InvariantCulture), 0) != 0)
                return Done(false, "setenv refused GOMP_SPINCOUNT");
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return Done(false, "no C library setenv");
        }
        // Keep the managed view in step, so that child processes and later checks see the same value.
        Environment.SetEnvironmentVariable("GOMP_SPINCOUNT", spinCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Done(true, $"GOMP_SPINCOUNT={spinCount}");
    }

    private static bool Done(bool applied, string status)
    {
        Status = status;
        return applied;
    }

    /// <summary>Whether a GNU OpenMP library is mapped into this process already (/proc/self/maps).</summary>
    private static bool OpenMpLoaded()
    {
        try
        {
            return File.ReadLines("/proc/self/maps").Any(line => line.Contains("libgomp", StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return false;
        }
    }
}

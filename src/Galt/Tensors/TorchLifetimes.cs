using TorchSharp;
using static TorchSharp.torch;

namespace Galt.Tensors;

/// <summary>
/// TorchSharp calls that make an object nobody disposes, in a form that disposes it: each TorchSharp wrapper left to the
/// garbage collector is freed by its finalizer instead (docs/troubleshooting.md), and
/// <see cref="Galt.Diagnostics.FinalizedTorchObjects"/> counts it. Each gives the same values, and draws the same
/// random numbers, as the call it replaces.
/// </summary>
public static class TorchLifetimes
{
    /// <summary>A copy of <paramref name="t"/>'s values outside autograd: <c>t.detach().clone()</c> without leaving the
    /// intermediate <c>detach()</c> tensor to the finalizer.</summary>
    public static Tensor DetachedClone(this Tensor t)
    {
        using var detached = t.detach();
        return detached.clone();
    }

    /// <summary><c>t.zero_()</c>, returning <paramref name="t"/> itself: TorchSharp's <c>zero_</c> returns a new wrapper
    /// of the same tensor, disposed here.</summary>
    public static Tensor Zeroed(this Tensor t)
    {
        t.zero_().Dispose();
        return t;
    }

    /// <summary><c>p.grad?.zero_()</c>: zeroes the parameter's gradient, if it has one, disposing the wrappers that
    /// TorchSharp's <c>.grad</c> and <c>zero_</c> make on every call.</summary>
    public static void ZeroGradient(this Tensor p)
    {
        using var gradient = p.grad;
        gradient?.zero_().Dispose();
    }

    /// <summary>A copy of the parameter's gradient (<c>p.grad.clone()</c>), or null when it has none, disposing the wrapper
    /// TorchSharp's <c>.grad</c> makes on every read.</summary>
    public static Tensor? GradientCopy(this Tensor p)
    {
        using var gradient = p.grad;
        return gradient is { IsInvalid: false } ? gradient.clone() : null;
    }

    /// <summary><c>torch.random.manual_seed(seed)</c>, disposing the handle on the default generator it returns
    /// (TorchSharp makes a new <see cref="Generator"/> object for it on every call).</summary>
    public static void ManualSeed(long seed) => random.manual_seed(seed).Dispose();

    /// <summary><c>torch.random.get_rng_state()</c>, disposing the <see cref="Generator"/> object TorchSharp's
    /// <c>Generator.Default</c> makes on every call.</summary>
    public static Tensor GetRandomState()
    {
        using var generator = Generator.Default;
        return generator.get_state();
    }

    /// <summary><c>torch.random.set_rng_state(state)</c>, disposing the <see cref="Generator"/> object TorchSharp's
    /// <c>Generator.Default</c> makes on every call.</summary>
    public static void SetRandomState(Tensor state)
    {
        using var generator = Generator.Default;
        generator.set_state(state);
    }
}

using Galt.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Galt.Experiments.CurriculumGate;

/// <summary>
/// AdamW as MLX defines it, with no bias correction (spec "Conventions"): m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g²,
/// θ ← θ·(1 − lr·wd) − lr·m/(√v + ε), weight decay on every parameter. The release trains its curriculum model with it
/// (spec §6.6: lr 3e-4, wd 0.01); TorchSharp's AdamW corrects the bias, which makes the first steps about 3× smaller.
/// A step whose gradients hold NaN or Inf throws <see cref="NonFiniteValueException"/> before anything is written.
/// </summary>
public sealed class UncorrectedAdamW : IDisposable
{
    private readonly (string Name, Tensor Parameter, Tensor M, Tensor V)[] _state;

    /// <summary>Creates the optimizer over named parameters.</summary>
    public UncorrectedAdamW(IEnumerable<(string Name, Tensor Parameter)> parameters, double learningRate = 3e-4, double weightDecay = 0.01,
        double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        Checked(learningRate, nameof(learningRate));
        if (!(weightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(weightDecay), $"weight decay must be ≥ 0; got {weightDecay}.");
        if (beta1 is < 0 or >= 1 || beta2 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta1), $"betas must lie in [0, 1); got {beta1}, {beta2}.");
        LearningRate = learningRate;
        WeightDecay = weightDecay;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        _state = parameters.Select(p => (p.Name, p.Parameter, zeros_like(p.Parameter).DetachFromDisposeScope(), zeros_like(p.Parameter).DetachFromDisposeScope())).ToArray();
        if (_state.Length == 0) throw new ArgumentException("the optimizer needs at least one parameter.", nameof(parameters));
    }

    /// <summary>Learning rate of the next <see cref="Step"/>; settable between steps for a schedule (must stay positive and finite).</summary>
    public double LearningRate
    {
        get => _learningRate;
        set => _learningRate = Checked(value, nameof(value));
    }

    private double _learningRate;

    private static double Checked(double learningRate, string parameter) =>
        learningRate > 0 && double.IsFinite(learningRate) ? learningRate
            : throw new ArgumentOutOfRangeException(parameter, $"learning rate must be positive and finite; got {learningRate}.");

    /// <summary>Decoupled weight decay.</summary>
    public double WeightDecay { get; }

    /// <summary>First-moment decay.</summary>
    public double Beta1 { get; }

    /// <summary>Second-moment decay.</summary>
    public double Beta2 { get; }

    /// <summary>ε in the denominator.</summary>
    public double Epsilon { get; }

    /// <summary>Clears every parameter's gradient.</summary>
    public void ZeroGrad()
    {
        foreach (var (_, p, _, _) in _state) p.ZeroGradient();
    }

    /// <summary>One update from the parameters' current gradients; parameters without a gradient are left alone.</summary>
    public void Step()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (name, p, _, _) in _state)
            if (p.grad is { } g && !g.isfinite().all().item<bool>())
                throw new NonFiniteValueException(name, $"the gradient of parameter '{name}' holds NaN or Inf; no parameter or moment was changed.");
        // Explicit scalars, alive until the loop ends: an implicit double → Scalar temporary can be finalized by the GC
        // while libtorch still reads it (TorchSharp passes its handle without keeping the object alive).
        using Scalar beta1 = Beta1.ToScalar(), oneMinusBeta1 = (1 - Beta1).ToScalar(), beta2 = Beta2.ToScalar(), oneMinusBeta2 = (1 - Beta2).ToScalar(),
            decay = (1 - LearningRate * WeightDecay).ToScalar(), epsilon = Epsilon.ToScalar(), step = (-LearningRate).ToScalar();
        foreach (var (_, p, m, v) in _state)
        {
            if (p.grad is not { } g) continue;
            m.mul_(beta1).add_(g, oneMinusBeta1);
            v.mul_(beta2).addcmul_(g, g, oneMinusBeta2);
            p.mul_(decay);
            p.addcdiv_(m, v.sqrt().add_(epsilon, ExplicitScalars.One), step);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var (_, _, m, v) in _state)
        {
            m.Dispose();
            v.Dispose();
        }
    }
}

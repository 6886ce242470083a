using Galt.Constraints;
using Galt.Optim;
using Galt.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Galt.Experiments.Benchmarks.ConstraintGrid;

/// <summary>
/// Baseline (a): AdamW (weight decay 0.01, Galt's default) on the task loss plus a fixed penalty: w·K for inequality
/// kinds (the penalty on the measure itself, like the release's soft KL penalty), w·C² for the equality.
/// </summary>
internal sealed class SoftPenaltyStepper : GridStepper
{
    /// <summary>AdamW's decoupled weight decay, the same as Galt's default.</summary>
    public const double WeightDecay = 0.01;

    private static readonly Scalar Two = 2.ToScalar();

    private readonly GridProblem _problem;
    private readonly optim.Optimizer _adamW;
    private readonly double _weight;

    public SoftPenaltyStepper(GridProblem problem, double learningRate, double weight)
    {
        if (!(weight >= 0) || double.IsInfinity(weight)) throw new ArgumentOutOfRangeException(nameof(weight), $"penalty weight must be ≥ 0 and finite; got {weight}.");
        _problem = problem;
        _weight = weight;
        _adamW = new ExplicitAdamW(problem.Parameters.Select(p => p.Parameter), learningRate, weight_decay: WeightDecay);
    }

    public override double Step()
    {
        _adamW.zero_grad();
        var loss = _problem.TaskLoss();
        var c = _problem.Constraint;
        var penalty = c.Kind == ConstraintKind.Equality ? c.Evaluate().pow(Two) : c.Measure().reshape(Array.Empty<long>());
        loss.Plus(penalty.Times(_weight)).backward();
        _adamW.step();
        return loss.detach().to(ScalarType.Float64).item<double>();
    }

    public override double Value() => _problem.Constraint.Value();

    public override double Lambda => _weight;

    public override void Dispose() => _adamW.Dispose();
}

/// <summary>
/// Baseline (b), Cooper's default: AdamW (weight decay 0.01) on the Lagrangian L + λ·C, then plain gradient ascent
/// λ ← max(0, λ + η·C) (equality: λ + η·C, free sign) with the C of the same forward pass.
/// </summary>
internal sealed class GradientAscentStepper : GridStepper
{
    private readonly GridProblem _problem;
    private readonly optim.Optimizer _adamW;
    private readonly double _eta;
    private double _lambda;

    public GradientAscentStepper(GridProblem problem, double learningRate, double eta)
    {
        if (!(eta >= 0) || double.IsInfinity(eta)) throw new ArgumentOutOfRangeException(nameof(eta), $"dual step must be ≥ 0 and finite; got {eta}.");
        _problem = problem;
        _eta = eta;
        _adamW = new ExplicitAdamW(problem.Parameters.Select(p => p.Parameter), learningRate, weight_decay: SoftPenaltyStepper.WeightDecay);
    }

    public override double Step()
    {
        _adamW.zero_grad();
        var loss = _problem.TaskLoss();
        var c = _problem.Constraint.Evaluate();
        loss.Plus(c.Times(_lambda)).backward();
        _adamW.step();
        double value = c.detach().to(ScalarType.Float64).item<double>();
        double next = _lambda + _eta * value;
        _lambda = _problem.Constraint.Kind == ConstraintKind.Equality ? next : Math.Max(0, next);
        return loss.detach().to(ScalarType.Float64).item<double>();
    }

    public override double Value() => _problem.Constraint.Value();

    public override double Lambda => _lambda;

    public override void Dispose() => _adamW.Dispose();
}

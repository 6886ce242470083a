using System.Globalization;
using Galt.Multipliers;
using Galt.Optim;

namespace Galt.Continual.Strategies;

/// <summary>
/// <c>galt_hessian</c>: <see cref="AlHessianOptimizer"/> with the release's Split-MNIST settings (spec §3: lr 1e-3,
/// ρ_init 1, ρ_max 2, growth 1.5, other §1.2 defaults, the release's positive-part dual signal), full backprop every step;
/// λ from the linearised constraint unless <see cref="ConstrainedOptimizerOptions.LinearizedDual"/> is null (the release's rule).
/// </summary>
public sealed class GaltHessianStrategy : ConstrainedStrategy
{
    /// <summary>The release's Split-MNIST settings, with the library's default (linearised) multiplier rule.</summary>
    public static AlHessianOptions SplitMnistOptions => new()
    {
        LearningRate = 1e-3,
        Penalty = new PenaltySchedule(Initial: 1, Floor: 1, Ceiling: 2, Growth: 1.5),
        Dual = new EmaDualRule(Signal: DualSignal.PositivePart),
    };

    /// <summary>The optimizer settings.</summary>
    public AlHessianOptions Options { get; init; } = SplitMnistOptions;

    /// <inheritdoc />
    public override string Name => "galt_hessian";

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, string> Hyperparameters => HessianHyperparameters(Options, Anchors, RestorationDescription);

    internal static Dictionary<string, string> HessianHyperparameters(AlHessianOptions o, RetentionAnchors anchors, string restoration) => new()
    {
        ["restoration"] = restoration,
        ["optimizer"] = "AlHessianOptimizer", ["lr"] = Format(o.LearningRate), ["weight_decay"] = Format(o.WeightDecay),
        ["rho"] = $"{Format(o.Penalty.Initial)} → ≤ {Format(o.Penalty.Ceiling)} (growth {Format(o.Penalty.Growth)})",
        ["dual_rule"] = o.LinearizedDual is { } l ? LinearizedDescription(l) : $"release (EMA rule, {o.Dual.Signal} signal)",
        ["constraints"] = $"retain_task_i: KL ≤ {Format(anchors.Margin)}, T = {Format(anchors.Temperature)}, {anchors.PerTask} anchors",
    };

    private static string Format(double v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>How a linearised rule is reported.</summary>
    internal static string LinearizedDescription(LinearizedDualRule rule) =>
        $"linearized (κ {Format(rule.Fraction)}, target −{Format(rule.ErrorSafety)}·ê"
        + (double.IsPositiveInfinity(rule.TrustRadius) ? ")" : $", trust radius {Format(rule.TrustRadius)})");

    /// <inheritdoc />
    protected override ConstrainedOptimizer CreateOptimizer() => new AlHessianOptimizer(Trainable, Options);
}

using System.Globalization;
using Galt.Multipliers;
using Galt.Optim;

namespace Galt.Continual.Strategies;

/// <summary>
/// <c>galt_hessian</c>: <see cref="AlHessianOptimizer"/> with the release's Split-MNIST settings (spec §3: lr 1e-3,
/// ρ_init 1, ρ_max 2, growth 1.5, other §1.2 defaults), full backprop every step; the library's default multiplier rule
/// and step contract (<see cref="ReleaseOptions"/>: the release's rule without the contract).
/// </summary>
public sealed class GaltHessianStrategy : ConstrainedStrategy
{
    /// <summary>The release's Split-MNIST settings, with the library's default (linearised) multiplier rule.</summary>
    public static AlHessianOptions SplitMnistOptions => new()
    {
        LearningRate = 1e-3,
        Penalty = new PenaltySchedule(Initial: 1, Floor: 1, Ceiling: 2, Growth: 1.5),
    };

    /// <summary>The release's rules on Split-MNIST (spec §1.2, §3): the v10 EMA rule with the positive-part signal, no step contract.</summary>
    public static AlHessianOptions ReleaseOptions => SplitMnistOptions with { MultiplierRule = new EmaDualRule(Signal: DualSignal.PositivePart), Contract = null };

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
        ["dual_rule"] = o.MultiplierRule.Description, ["step_contract"] = ContractDescription(o.Contract),
        ["constraints"] = $"retain_task_i: KL ≤ {Format(anchors.Margin)}, T = {Format(anchors.Temperature)}, {anchors.PerTask} anchors",
    };

    private static string Format(double v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>How a step contract is reported.</summary>
    internal static string ContractDescription(StepContract? contract) => contract is null ? "off (steps on the prediction alone)"
        : $"on (tolerance {Format(contract.Tolerance)}, ≤ {contract.MaxCorrections} correction(s) and {contract.MaxHalvings} halvings per step)";

    /// <inheritdoc />
    protected override ConstrainedOptimizer CreateOptimizer() => new AlHessianOptimizer(Trainable, Options);
}

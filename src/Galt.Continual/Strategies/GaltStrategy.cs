using System.Globalization;
using Galt.Optim;

namespace Galt.Continual.Strategies;

/// <summary>
/// <c>galt</c>: <see cref="GaltOptimizer"/> (v13: PI multipliers, proximal anchor) with one KL retention constraint per
/// finished task (margin 0.02, T = 1), full backprop every step; λ carried across task boundaries.
/// </summary>
public sealed class GaltStrategy : ConstrainedStrategy
{
    /// <summary>Split-MNIST's settings: lr 1e-3, the library defaults otherwise (the linearised multiplier rule).</summary>
    public static GaltOptions SplitMnistOptions => new() { LearningRate = 1e-3 };

    /// <summary>The release's rule on Split-MNIST (spec §1.3): the v13 PI rule (signed signal with λ projected), no step contract.</summary>
    public static GaltOptions ReleaseOptions => SplitMnistOptions with { MultiplierRule = new Galt.Multipliers.PiDualRule(), Contract = null };

    /// <summary>The optimizer settings.</summary>
    public GaltOptions Options { get; init; } = SplitMnistOptions;

    /// <inheritdoc />
    public override string Name => "galt";

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, string> Hyperparameters => new Dictionary<string, string>
    {
        ["optimizer"] = "GaltOptimizer", ["lr"] = Format(Options.LearningRate), ["weight_decay"] = Format(Options.WeightDecay),
        ["rho_p"] = $"{Format(Options.Penalty.Initial)} → ≤ {Format(Options.Penalty.Ceiling)} (growth {Format(Options.Penalty.Growth)})",
        ["k_in"] = Options.OuterStepFrequency.ToString(CultureInfo.InvariantCulture),
        ["rho_anchor"] = Format(Options.RhoAnchor), ["restoration"] = RestorationDescription,
        ["dual_rule"] = Options.MultiplierRule.Description, ["step_contract"] = GaltHessianStrategy.ContractDescription(Options.Contract),
        ["constraints"] = $"retain_task_i: KL ≤ {Format(Anchors.Margin)}, T = {Format(Anchors.Temperature)}, {Anchors.PerTask} anchors",
    };

    private static string Format(double v) => v.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc />
    protected override ConstrainedOptimizer CreateOptimizer() => new GaltOptimizer(Trainable, Options);

    /// <inheritdoc />
    public override void BeforeTask(TaskContext context)
    {
        // λ carry across tasks (spec §1.3 item 7): integrators restart, the anchor is re-snapshotted.
        if (context.Task.Index > 0) ((GaltOptimizer)Optimizer).ResetForNewTask();
    }
}

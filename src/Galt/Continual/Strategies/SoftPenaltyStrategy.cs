using System.Globalization;
using static TorchSharp.torch;

namespace Galt.Continual.Strategies;

/// <summary>
/// <c>soft_penalty</c>: the KL retention terms GALT treats as constraints, added to the loss with a fixed weight w:
/// CE + w·Σ_e KL_e (the ordinary "penalty in one entangled objective" GALT argues against). w is chosen by a sweep on a
/// validation split by the experiment.
/// </summary>
public sealed class SoftPenaltyStrategy : AdamStrategy
{
    private readonly RetentionAnchors _anchors = new();
    private readonly ConstraintTrace _trace = new();

    /// <summary>Creates the strategy with penalty weight <paramref name="weight"/>.</summary>
    public SoftPenaltyStrategy(double weight) => Weight = weight;

    /// <summary>w.</summary>
    public double Weight { get; }

    /// <summary>How w was chosen (set by the experiment for the report).</summary>
    public string WeightSelection { get; init; } = "given";

    /// <inheritdoc />
    public override string Name => "soft_penalty";

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, string> Hyperparameters => new Dictionary<string, string>
    {
        ["optimizer"] = "Adam", ["lr"] = LearningRate.ToString(CultureInfo.InvariantCulture),
        ["weight"] = Weight.ToString(CultureInfo.InvariantCulture), ["weight_selection"] = WeightSelection,
        ["penalty"] = $"Σ KL(anchor ‖ model), {_anchors.PerTask} anchors per finished task, T = {_anchors.Temperature}",
    };

    /// <inheritdoc />
    protected override Tensor Loss(Tensor x, Tensor y, TaskContext context)
    {
        var loss = nn.functional.cross_entropy(Model.forward(x), y);
        foreach (var c in _anchors.Constraints) loss = loss + Weight * c.Measure();
        return loss;
    }

    /// <inheritdoc />
    public override void AfterTask(TaskContext context)
    {
        if (!context.IsLastTask) _anchors.Add(Model, context);
        else _trace.Certificate = _anchors.Certify(Weight);
    }

    /// <summary>
    /// The penalty terms certified as the constraints GALT would hold (KL − margin ≤ 0 on the same anchor sets, with
    /// held-out twins), so a soft penalty can be compared at equal feasibility; λ is the fixed weight w.
    /// </summary>
    public override ConstraintTrace? Constraints => _trace;

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _anchors.Dispose();
        base.Dispose(disposing);
    }
}

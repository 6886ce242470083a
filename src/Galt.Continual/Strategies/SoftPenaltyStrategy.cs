using Galt.Tensors;
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
    /// <summary>Checkpointable when every constraint penalised from birth can write its anchor state (the retention terms always can).</summary>
    public override bool CanCheckpoint => _birth.All(c => c is Galt.Checkpoints.ICheckpointable);

    /// <inheritdoc />
    public override void Save(Galt.Checkpoints.CheckpointWriter writer)
    {
        base.Save(writer);
        _anchors.Save(writer.Scope("anchors"));
        for (int i = 0; i < _birth.Count; i++) writer.Part($"birth/{i}", (Galt.Checkpoints.ICheckpointable)_birth[i]);
    }

    /// <inheritdoc />
    public override Action Prepare(Galt.Checkpoints.CheckpointReader reader)
    {
        var baseAction = base.Prepare(reader);
        var birth = _birth.Select((c, i) => reader.Part($"birth/{i}", (Galt.Checkpoints.ICheckpointable)c)).ToArray();
        _anchors.Restore(reader.Scope("anchors"), Model);
        return Then(baseAction, () => { foreach (var b in birth) b(); });
    }

    private RetentionAnchors _anchors = new();
    private readonly ConstraintTrace _trace = new();

    /// <summary>Creates the strategy with penalty weight <paramref name="weight"/>.</summary>
    public SoftPenaltyStrategy(double weight) => Weight = weight;

    /// <summary>w.</summary>
    public double Weight { get; }

    /// <summary>How w was chosen (set by the experiment for the report).</summary>
    public string WeightSelection { get; init; } = "given";

    /// <summary>
    /// Measures penalised from the first step (e.g. a safety KL to the post-warm-up model, spec §4's SfB-KL): called
    /// once on attach; each is added to the loss with weight w and certified at the end like the retention terms.
    /// The strategy owns and disposes them.
    /// </summary>
    public Func<nn.Module<Tensor, Tensor>, IReadOnlyList<Galt.Constraints.Constraint>>? FromBirth { get; init; }

    /// <summary>Whether each finished task adds a retention KL term (default true; spec §4's SfB-KL has none).</summary>
    public bool RetainTasks { get; init; } = true;

    /// <summary>Anchors of the retention terms (spec §3's by default).</summary>
    public RetentionAnchors Anchors { get => _anchors; init => _anchors = value; }

    private IReadOnlyList<Galt.Constraints.Constraint> _birth = Array.Empty<Galt.Constraints.Constraint>();

    /// <inheritdoc />
    protected override void OnAttach()
    {
        base.OnAttach();
        if (FromBirth is not null) _birth = FromBirth(Model);
    }

    /// <inheritdoc />
    public override string Name => "soft_penalty";

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, string> Hyperparameters => new Dictionary<string, string>
    {
        ["optimizer"] = OptimizerName, ["lr"] = LearningRate.ToString(CultureInfo.InvariantCulture),
        ["weight"] = Weight.ToString(CultureInfo.InvariantCulture), ["weight_selection"] = WeightSelection,
        ["penalty"] = (_birth.Count > 0 ? $"from birth: {string.Join(", ", _birth.Select(c => c.Name))}; " : "")
            + (RetainTasks ? $"Σ KL(anchor ‖ model), {_anchors.PerTask} anchors per finished task, T = {_anchors.Temperature}" : "no retention terms"),
    };

    /// <inheritdoc />
    protected override Tensor Loss(Tensor x, Tensor y, TaskContext context)
    {
        var loss = context.Objective.Loss(Model.forward(x), y);
        foreach (var c in _birth.Concat(_anchors.Constraints)) loss = loss.Plus(c.Measure().Times(Weight));
        return loss;
    }

    /// <inheritdoc />
    public override void AfterTask(TaskContext context)
    {
        if (!context.IsLastTask) { if (RetainTasks) _anchors.Add(Model, context); }
        else
        {
            var retained = _anchors.Certify(Weight);
            var birth = _birth.Select(c => Galt.Optim.CertificateRow.Of(c.Name, c.Kind, c.Margin, c.Value(), Weight, 0, retained.Tolerance));
            _trace.Certificate = new Galt.Optim.FeasibilityCertificate(birth.Concat(retained.Rows).ToArray(), retained.Tolerance);
        }
    }

    /// <summary>
    /// The penalty terms certified as the constraints GALT would hold (KL − margin ≤ 0 on the same anchor sets, with
    /// held-out twins), so a soft penalty can be compared at equal feasibility; λ is the fixed weight w.
    /// </summary>
    public override ConstraintTrace? Constraints => _trace;

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _anchors.Dispose();
            foreach (var c in _birth) c.Dispose();
        }
        base.Dispose(disposing);
    }
}

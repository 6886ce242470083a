using Galt.Tensors;
using Galt.Jacobians;
using static TorchSharp.torch;

namespace Galt.Constraints;

/// <summary>
/// Bound on the probability mass a model puts on forbidden outputs (spec §2.2): per probe p, v_p = Σ_{i∈forbid} softmax(s_p)_i;
/// K = T_lse·logsumexp_p(v_p / T_lse), a smooth worst-probe maximum (K = max_p v_p when T_lse ≤ 0). C = K − margin ≤ 0.
/// </summary>
public sealed class ForbiddenMassConstraint : Constraint, IBatchedConstraint, Galt.Checkpoints.ICheckpointable
{
    private readonly Func<Tensor, Tensor> _scores;
    private readonly Tensor _inputs;
    private readonly Tensor _mask;

    private readonly nn.Module<Tensor, Tensor>? _model;

    /// <summary>Creates the constraint on a module's scores; it then also qualifies for the batched Jacobian path.</summary>
    public ForbiddenMassConstraint(string name, nn.Module<Tensor, Tensor> model, Tensor probes, Tensor forbidden, double margin, double lseTemperature = 0.1)
        : this(name, model.call, probes, forbidden, margin, lseTemperature) => _model = model;

    nn.Module<Tensor, Tensor>? IBatchedConstraint.Model => _model;

    /// <inheritdoc />
    public Tensor Inputs => _inputs;

    /// <summary>Creates the constraint.</summary>
    /// <param name="name">Constraint name.</param>
    /// <param name="scores">The model's scores for a batch of probes.</param>
    /// <param name="probes">Probe inputs; copied.</param>
    /// <param name="forbidden">[probes, classes] mask, 1 where an output is forbidden; copied.</param>
    /// <param name="margin">Allowed forbidden mass.</param>
    /// <param name="lseTemperature">T_lse (spec: 0.1); ≤ 0 means the hard maximum.</param>
    public ForbiddenMassConstraint(string name, Func<Tensor, Tensor> scores, Tensor probes, Tensor forbidden, double margin, double lseTemperature = 0.1)
        : base(name, ConstraintKind.Inequality, margin)
    {
        if (forbidden.shape.Length != 2 || forbidden.shape[0] != probes.shape[0])
            throw new ArgumentException($"constraint '{name}': forbidden mask has shape [{string.Join(",", forbidden.shape)}], expected [{probes.shape[0]}, classes].", nameof(forbidden));
        _scores = scores;
        LseTemperature = lseTemperature;
        _inputs = probes.DetachedClone().DetachFromDisposeScope();
        using var mask = forbidden.detach();
        using var maskFloat = mask.to(ScalarType.Float32);
        _mask = maskFloat.clone().DetachFromDisposeScope();
    }

    /// <summary>
    /// The smooth maximum T·logsumexp_p(v_p/T) of N probe masses v_p ≥ 0 is at least T·ln N (all masses 0, never reached
    /// by a softmax); the hard maximum is above 0.
    /// </summary>
    public override double MeasureFloor => LseTemperature <= 0 ? 0 : LseTemperature * Math.Log(_inputs.shape[0]);

    /// <inheritdoc />
    protected override string FloorReason => LseTemperature <= 0
        ? "a softmax puts some probability on every output"
        : $"the smooth maximum over {_inputs.shape[0]} probes at T_lse = {LseTemperature} is at least T_lse·ln {_inputs.shape[0]}, even with no mass on any forbidden output; use the hard maximum (lseTemperature ≤ 0) for a tighter bound";

    /// <summary>T_lse.</summary>
    public double LseTemperature { get; }

    /// <summary>Writes the probes and the forbidden mask (the constraint keeps no other state), checked on restore.</summary>
    public void Save(Galt.Checkpoints.CheckpointWriter writer) =>
        ConstraintCheckpoint.Save(writer, Name, "margin_temperature", new[] { Margin, LseTemperature }, ("inputs", _inputs), ("mask", _mask));

    /// <summary>Reads what <see cref="Save"/> wrote into a constraint of the same name, settings and shapes; the action puts the probes and mask back.</summary>
    public Action Prepare(Galt.Checkpoints.CheckpointReader reader) =>
        ConstraintCheckpoint.Prepare(reader, Name, "margin_temperature", new[] { Margin, LseTemperature }, $"margin {Margin}, T_lse {LseTemperature}",
            ("inputs", _inputs), ("mask", _mask));

    /// <inheritdoc />
    public override Tensor Measure() => MeasureOutputs(_scores(_inputs));

    /// <inheritdoc />
    public Tensor MeasureOutputs(Tensor outputs)
    {
        var p = nn.functional.softmax(outputs.to(ScalarType.Float32), 1);
        if (p.shape[1] != _mask.shape[1])
            throw new InvalidOperationException($"constraint '{Name}': the model scores {p.shape[1]} classes but the forbidden mask has {_mask.shape[1]}.");
        var v = (p * _mask).sum(1);
        return LseTemperature <= 0 ? v.max() : v.Over(LseTemperature).logsumexp(0).Times(LseTemperature);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (!disposing) return;
        _inputs.Dispose();
        _mask.Dispose();
    }
}

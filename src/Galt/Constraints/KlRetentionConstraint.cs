using TorchSharp;
using Galt.Tensors;
using Galt.Jacobians;
using static TorchSharp.torch;

namespace Galt.Constraints;

/// <summary>
/// Retention of behaviour on a frozen anchor set (spec §2.1): at creation p_anchor = softmax(s(x)/T) is snapshotted for
/// every anchor input; K = T²·mean_x Σ_k p_anchor,k·(log max(p_anchor,k, 1e-12) − log_softmax(s(x)/T)_k), i.e.
/// KL(anchor ‖ model) scaled by T². An inequality: C = K − margin ≤ 0.
/// </summary>
public sealed class KlRetentionConstraint : Constraint, IBatchedConstraint, IVectorizedMeasure, Galt.Checkpoints.ICheckpointable
{
    private readonly Func<Tensor, Tensor> _scores;
    private readonly Tensor _inputs;
    private readonly Tensor _anchorProbabilities;
    private readonly Tensor _anchorLogProbabilities;

    /// <summary>
    /// Snapshots the anchor distribution of <paramref name="model"/> on <paramref name="anchorInputs"/> now. Built from a
    /// module, the constraint also qualifies for the batched Jacobian path.
    /// </summary>
    public KlRetentionConstraint(string name, nn.Module<Tensor, Tensor> model, Tensor anchorInputs, double temperature = 1.0, double margin = 0.02)
        : this(name, model.call, anchorInputs, temperature, margin) => _model = model;

    private readonly nn.Module<Tensor, Tensor>? _model;

    /// <summary>The model, when the constraint was built from one; null for a plain score function.</summary>
    public nn.Module<Tensor, Tensor>? ScoreModel => _model;

    nn.Module<Tensor, Tensor>? IBatchedConstraint.Model => _model;

    /// <inheritdoc />
    public Tensor Inputs => _inputs;

    /// <summary>Snapshots the anchor distribution of <paramref name="scores"/> on <paramref name="anchorInputs"/> now.</summary>
    /// <param name="name">Constraint name.</param>
    /// <param name="scores">The model's scores (logits) for a batch of inputs, e.g. <c>model.forward</c>.</param>
    /// <param name="anchorInputs">The anchor (replay) inputs; copied.</param>
    /// <param name="temperature">T (Split-MNIST: 1.0; LLM experiments: 1.5).</param>
    /// <param name="margin">Allowed KL (Split-MNIST: 0.02).</param>
    public KlRetentionConstraint(string name, Func<Tensor, Tensor> scores, Tensor anchorInputs, double temperature = 1.0, double margin = 0.02)
        : base(name, ConstraintKind.Inequality, margin)
    {
        if (!(temperature > 0) || double.IsInfinity(temperature)) throw new ArgumentException($"constraint '{name}': temperature {temperature} must be positive and finite.", nameof(temperature));
        if (anchorInputs.shape.Length == 0 || anchorInputs.shape[0] == 0) throw new ArgumentException($"constraint '{name}': the anchor set is empty.", nameof(anchorInputs));
        _scores = scores;
        Temperature = temperature;
        _inputs = anchorInputs.DetachedClone().DetachFromDisposeScope();
        using (no_grad())
        using (NewDisposeScope())
        {
            var logits = scores(_inputs).to(ScalarType.Float32).Over(temperature);
            if (logits.shape.Length != 2 || logits.shape[0] != _inputs.shape[0])
                throw new ArgumentException($"constraint '{name}': scores returned shape [{string.Join(",", logits.shape)}], expected [{_inputs.shape[0]}, classes].");
            var p = nn.functional.softmax(logits, 1);
            _anchorProbabilities = p.clone().MoveToOuterDisposeScope();
            _anchorLogProbabilities = p.AtLeast(1e-12).log().MoveToOuterDisposeScope();
        }
        _anchorProbabilities.DetachFromDisposeScope();
        _anchorLogProbabilities.DetachFromDisposeScope();
    }

    /// <summary>T.</summary>
    public double Temperature { get; }

    /// <summary>0: a KL divergence is never negative (a margin of exactly 0 allows only the anchor's own outputs).</summary>
    public override double MeasureFloor => 0;

    /// <inheritdoc />
    protected override string FloorReason => "a KL divergence is never negative";

    /// <summary>A KL of 0 is reached at the anchor itself.</summary>
    protected override bool FloorReached => true;

    /// <summary>Writes the anchor set and the anchor distribution snapshotted at creation (and the name, T and margin, checked on restore).</summary>
    public void Save(Galt.Checkpoints.CheckpointWriter writer) =>
        ConstraintCheckpoint.Save(writer, Name, "temperature_margin", new[] { Temperature, Margin },
            ("inputs", _inputs), ("anchor_probabilities", _anchorProbabilities), ("anchor_log_probabilities", _anchorLogProbabilities));

    /// <summary>
    /// Reads what <see cref="Save"/> wrote into a constraint of the same name, T, margin and anchor-set shape (e.g. one
    /// re-created on the same anchor inputs); the returned action puts back the snapshotted anchor distribution.
    /// </summary>
    public Action Prepare(Galt.Checkpoints.CheckpointReader reader) =>
        ConstraintCheckpoint.Prepare(reader, Name, "temperature_margin", new[] { Temperature, Margin }, $"T = {Temperature}, margin {Margin}",
            ("inputs", _inputs), ("anchor_probabilities", _anchorProbabilities), ("anchor_log_probabilities", _anchorLogProbabilities));

    /// <summary>Number of anchor inputs.</summary>
    public long AnchorCount => _inputs.shape[0];

    /// <inheritdoc />
    public override Tensor Measure() => MeasureOutputs(_scores(_inputs));

    /// <inheritdoc />
    public Tensor MeasureOutputs(Tensor outputs)
    {
        var logQ = nn.functional.log_softmax(outputs.to(ScalarType.Float32).Over(Temperature), 1);
        var kl = (_anchorProbabilities * (_anchorLogProbabilities - logQ)).sum(1).mean();
        return kl.Times(Temperature * Temperature);
    }

    /// <summary>
    /// K of several KL retention constraints with one temperature at once, from the model's outputs on their
    /// concatenated anchor sets (in order): a [k] tensor. One vectorised pass instead of k small ones; null when the
    /// temperatures differ.
    /// </summary>
    public static Tensor? MeasureMany(IReadOnlyList<KlRetentionConstraint> constraints, Tensor outputs)
    {
        double t = constraints[0].Temperature;
        if (constraints.Any(c => c.Temperature != t)) return null;
        var logQ = nn.functional.log_softmax(outputs.to(ScalarType.Float32).Over(t), 1);
        var p = cat(constraints.Select(c => c._anchorProbabilities).ToArray());
        var logP = cat(constraints.Select(c => c._anchorLogProbabilities).ToArray());
        var perExample = (p * (logP - logQ)).sum(1);
        var owner = cat(constraints.Select((c, e) =>
        {
            using var index = ((long)e).ToScalar();
            return full(new[] { c.AnchorCount }, index, ScalarType.Int64);
        }).ToArray());
        var sums = zeros(constraints.Count, dtype: perExample.dtype).index_add_(0, owner, perExample, ExplicitScalars.One);
        var counts = tensor(constraints.Select(c => (float)c.AnchorCount).ToArray());
        return (sums / counts).Times(t * t);
    }

    /// <summary>The group's K at once when every member is a KL retention constraint with this temperature; else null.</summary>
    public Tensor? MeasureGroup(IReadOnlyList<IBatchedConstraint> group, Tensor outputs)
    {
        var kls = group.OfType<KlRetentionConstraint>().ToArray();
        return kls.Length == group.Count ? MeasureMany(kls, outputs) : null;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (!disposing) return;
        _inputs.Dispose();
        _anchorProbabilities.Dispose();
        _anchorLogProbabilities.Dispose();
    }
}

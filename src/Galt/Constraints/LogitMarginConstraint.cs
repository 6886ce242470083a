using Galt.Jacobians;
using Galt.Tensors;
using static TorchSharp.torch;

namespace Galt.Constraints;

/// <summary>
/// One pairwise logit margin: on one example, the true class's logit must exceed a competitor's by at least m —
/// C = z_c − z_y + m ≤ 0 (K = z_c − z_y, margin −m). One constraint per example × competitor class
/// (<see cref="Rows"/>); linear in an output head's weights, so a step at the head realises exactly what the solve
/// predicts. What the neural map's edit, protect and hard rows are made of (docs/maps.md).
/// </summary>
public sealed class LogitMarginConstraint : Constraint, IBatchedConstraint
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly Tensor _input;

    /// <summary>Creates the row for <paramref name="input"/> (one example, [1, features] or [features]) of class <paramref name="label"/> against <paramref name="competitor"/>.</summary>
    /// <exception cref="ArgumentException">The label and competitor are equal or negative, or the margin is not finite; the message names the row.</exception>
    public LogitMarginConstraint(string name, nn.Module<Tensor, Tensor> model, Tensor input, long label, long competitor, double margin)
        : base(name, ConstraintKind.Inequality, -margin)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        if (label < 0 || competitor < 0) throw new ArgumentException($"constraint '{name}': classes must be ≥ 0; got label {label}, competitor {competitor}.");
        if (label == competitor) throw new ArgumentException($"constraint '{name}': the competitor is the label ({label}); a margin against itself is always 0.");
        _model = model;
        using var detached = input.detach();
        _input = (detached.dim() == 1 ? detached.unsqueeze(0) : detached).clone().DetachFromDisposeScope();
        if (_input.shape[0] != 1) throw new ArgumentException($"constraint '{name}': one example per row; the input has {_input.shape[0]}.", nameof(input));
        Label = label;
        Competitor = competitor;
    }

    /// <summary>
    /// One row per example of <paramref name="inputs"/> ([n, features]) and every class other than its label (the model's
    /// output width decides the classes), named <c>{prefix}[i,c]</c>, each asking a margin of <paramref name="margin"/>.
    /// </summary>
    public static IReadOnlyList<LogitMarginConstraint> Rows(string prefix, nn.Module<Tensor, Tensor> model, Tensor inputs, IReadOnlyList<long> labels, double margin)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(labels);
        if (inputs.shape[0] != labels.Count) throw new ArgumentException($"'{prefix}': {inputs.shape[0]} inputs but {labels.Count} labels.", nameof(labels));
        long classes;
        using (no_grad())
        using (var scope = NewDisposeScope())
            classes = model.call(inputs[..1]).shape[^1];
        var rows = new List<LogitMarginConstraint>();
        for (int i = 0; i < labels.Count; i++)
        {
            if (labels[i] >= classes) throw new ArgumentException($"'{prefix}': label {labels[i]} of example {i} is outside the model's {classes} classes.", nameof(labels));
            using var example = inputs[i];
            for (long c = 0; c < classes; c++)
                if (c != labels[i]) rows.Add(new LogitMarginConstraint($"{prefix}[{i},{c}]", model, example, labels[i], c, margin));
        }
        return rows;
    }

    /// <summary>The example's class y.</summary>
    public long Label { get; }

    /// <summary>The competing class c.</summary>
    public long Competitor { get; }

    nn.Module<Tensor, Tensor>? IBatchedConstraint.Model => _model;

    /// <inheritdoc />
    public Tensor Inputs => _input;

    /// <inheritdoc />
    public override Tensor Measure() => MeasureOutputs(_model.call(_input));

    /// <inheritdoc />
    public Tensor MeasureOutputs(Tensor outputs)
    {
        if (Label >= outputs.shape[^1] || Competitor >= outputs.shape[^1])
            throw new InvalidOperationException($"constraint '{Name}': the model scores {outputs.shape[^1]} classes; the row compares {Competitor} with {Label}.");
        return outputs[0, Competitor].sub(outputs[0, Label]);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _input.Dispose();
    }
}

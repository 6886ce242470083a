using Galt.Constraints;
using Galt.Models;

namespace Galt.Continual.Strategies;

/// <summary>
/// The retention constraints of spec §2.1 / §3 step 5: after each task but the last, 200 replay images of that task
/// (seed task_index + 123) and the model's current class probabilities on them at T = 1 become
/// <c>retain_task_i</c>: KL(anchor ‖ model) − 0.02 ≤ 0. Beside each, a held-out twin measures the same KL on 200 other
/// training images of the task (never seen by the optimizer), for the certificate.
/// </summary>
public sealed class RetentionAnchors : IDisposable
{
    private readonly ReplayMemory _memory;
    private readonly List<KlRetentionConstraint> _constraints = new();
    private readonly List<KlRetentionConstraint?> _heldOut = new();

    /// <summary>Creates an empty set.</summary>
    public RetentionAnchors(int perTask = 200, double temperature = 1.0, double margin = 0.02)
    {
        _memory = new ReplayMemory(perTask);
        Temperature = temperature;
        Margin = margin;
    }

    /// <summary>T.</summary>
    public double Temperature { get; }

    /// <summary>Allowed KL.</summary>
    public double Margin { get; }

    /// <summary>Anchor images per finished task.</summary>
    public int PerTask => _memory.PerTask;

    /// <summary>The constraints so far, oldest first.</summary>
    public IReadOnlyList<KlRetentionConstraint> Constraints => _constraints;

    /// <summary>Their held-out twins (null where the task had no images left over), same order.</summary>
    public IReadOnlyList<KlRetentionConstraint?> HeldOut => _heldOut;

    /// <summary>Snapshots the anchor set of the task just finished, and its held-out twin; returns the constraint.</summary>
    public KlRetentionConstraint Add(TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> model, TaskContext context)
    {
        var (x, _) = _memory.Add(context.Task, context.Seed);
        var constraint = new KlRetentionConstraint($"retain_task_{context.Task.Index}", model, x, Temperature, Margin);
        _constraints.Add(constraint);
        KlRetentionConstraint? twin = null;
        if (_memory.HeldOut(context.Task, context.Seed) is { } heldOut)
        {
            twin = new KlRetentionConstraint($"retain_task_{context.Task.Index}.held_out", model, heldOut.X, Temperature, Margin);
            heldOut.X.Dispose();
            heldOut.Y.Dispose();
        }
        _heldOut.Add(twin);
        return constraint;
    }

    /// <summary>
    /// The certificate of the constraints as they stand (evaluated now), each with its held-out twin; λ is
    /// <paramref name="lambda"/> (a soft penalty's fixed weight), ρ is 0.
    /// </summary>
    public Galt.Optim.FeasibilityCertificate Certify(double lambda, double tolerance = 0) =>
        new(_constraints.Select((c, i) => Galt.Optim.CertificateRow.Of(c.Name, c.Kind, c.Margin, c.Value(), lambda, 0, tolerance,
            _heldOut[i]?.Value() ?? double.NaN)).ToArray(), tolerance);

    /// <summary>Writes the anchor memory and every constraint (and held-out twin) with its snapshotted distribution.</summary>
    public void Save(Galt.Checkpoints.CheckpointWriter writer)
    {
        writer.Part("memory", _memory);
        writer.Strings("constraints", _constraints.Select(c => c.Name).ToArray());
        for (int i = 0; i < _constraints.Count; i++)
        {
            writer.Part($"constraint/{i}", _constraints[i]);
            writer.Bool($"has_held_out/{i}", _heldOut[i] is not null);
            if (_heldOut[i] is { } twin) writer.Part($"held_out/{i}", twin);
        }
    }

    /// <summary>
    /// Re-creates the checkpointed constraints on <paramref name="model"/> (anchor inputs and distributions from the
    /// checkpoint, not from the model) into an empty set, and returns them in order with their twins for registration.
    /// </summary>
    public IReadOnlyList<(KlRetentionConstraint Constraint, KlRetentionConstraint? HeldOut)> Restore(Galt.Checkpoints.CheckpointReader reader,
        TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> model)
    {
        if (_constraints.Count > 0 || _memory.TaskCount > 0) throw new InvalidOperationException("anchors can be restored only into an empty set (a strategy that has not trained).");
        var memory = reader.Part("memory", _memory);
        var names = reader.Strings("constraints");
        var restored = new List<(KlRetentionConstraint, KlRetentionConstraint?)>();
        var actions = new List<Action> { memory };
        for (int i = 0; i < names.Length; i++)
        {
            var constraint = Recreate(reader.Scope($"constraint/{i}"), names[i], model, actions);
            var twin = reader.Bool($"has_held_out/{i}") ? Recreate(reader.Scope($"held_out/{i}"), $"{names[i]}.held_out", model, actions) : null;
            restored.Add((constraint, twin));
        }
        foreach (var a in actions) a();
        foreach (var (c, t) in restored) { _constraints.Add(c); _heldOut.Add(t); }
        return restored;
    }

    private KlRetentionConstraint Recreate(Galt.Checkpoints.CheckpointReader reader, string name, TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> model, List<Action> actions)
    {
        using var inputs = reader.Tensor("inputs");
        var constraint = new KlRetentionConstraint(name, model, inputs, Temperature, Margin);
        actions.Add(constraint.Prepare(reader));
        return constraint;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var c in _constraints) c.Dispose();
        foreach (var c in _heldOut) c?.Dispose();
        _memory.Dispose();
    }
}

using Galt.Constraints;
using Galt.Models;

namespace Galt.Continual.Strategies;

/// <summary>
/// The retention constraints of spec §2.1 / §3 step 5: after each task but the last, 200 replay images of that task
/// (seed task_index + 123) and the model's current class probabilities on them at T = 1 become
/// <c>retain_task_i</c>: KL(anchor ‖ model) − 0.02 ≤ 0.
/// </summary>
public sealed class RetentionAnchors : IDisposable
{
    private readonly ReplayMemory _memory;
    private readonly List<KlRetentionConstraint> _constraints = new();

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

    /// <summary>Snapshots the anchor set of the task just finished and returns its constraint.</summary>
    public KlRetentionConstraint Add(LoraMlp model, TaskContext context)
    {
        var (x, _) = _memory.Add(context.Task, context.Seed);
        var constraint = new KlRetentionConstraint($"retain_task_{context.Task.Index}", model, x, Temperature, Margin);
        _constraints.Add(constraint);
        return constraint;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var c in _constraints) c.Dispose();
        _memory.Dispose();
    }
}

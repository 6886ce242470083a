using Galt.Tensors;
using static TorchSharp.torch;

namespace Galt.Constraints;

/// <summary>
/// A requirement on a model: a differentiable scalar K(θ) and a margin, with C = K − margin asked to be ≤ 0
/// (inequality) or = 0 (equality) (spec §2). Subclasses build K from the model they were given.
/// </summary>
public abstract class Constraint : IDisposable
{
    /// <summary>Creates the constraint; the name identifies it in errors, reports and the multiplier state.</summary>
    protected Constraint(string name, ConstraintKind kind, double margin)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("a constraint needs a non-empty name.", nameof(name));
        if (!double.IsFinite(margin)) throw new ArgumentException($"constraint '{name}': margin {margin} is not finite.", nameof(margin));
        Name = name;
        Kind = kind;
        Margin = margin;
    }

    /// <summary>Unique name, e.g. <c>retain_task_0</c>.</summary>
    public string Name { get; }

    /// <summary>Inequality (C ≤ 0) or equality (C = 0).</summary>
    public ConstraintKind Kind { get; }

    /// <summary>The constant subtracted from K.</summary>
    public double Margin { get; }

    /// <summary>
    /// The infimum of K over every model (−∞ when unknown): a KL is ≥ 0, a smooth maximum of probabilities over N probes
    /// at temperature T is &gt; T·ln N. A margin below it, or on it when no model reaches it (<see cref="FloorReached"/>), can never be met.
    /// </summary>
    public virtual double MeasureFloor => double.NegativeInfinity;

    /// <summary>Whether some model reaches <see cref="MeasureFloor"/> exactly (a KL of 0 at the anchor does; a softmax's mass of 0 does not).</summary>
    protected virtual bool FloorReached => false;

    /// <summary>
    /// Throws <see cref="ArgumentException"/> naming the constraint when its margin lies where K cannot reach
    /// (<see cref="MeasureFloor"/>): below the floor, or on it when no model reaches it. Constrained optimizers call it
    /// when the constraint is added (a constraint object with any margin can still measure K, e.g. to set the margin
    /// from K at the start: K = <see cref="Value"/> + <see cref="Margin"/>).
    /// </summary>
    public void RequireSatisfiable()
    {
        double floor = MeasureFloor;
        bool unreachable = Margin < floor || (Margin == floor && !FloorReached);
        if (unreachable)
            throw new ArgumentException($"constraint '{Name}' cannot be satisfied: its measure never goes below {floor:G6} ({FloorReason}) but the margin is {Margin:G6}. "
                + $"Raise the margin above {floor:G6}.");
    }

    /// <summary>Why the measure cannot go below <see cref="MeasureFloor"/>, in words (for the error of <see cref="RequireSatisfiable"/>).</summary>
    protected virtual string FloorReason => "its declared floor";

    /// <summary>K(θ): a 0-dimensional tensor that autograd can differentiate with respect to the model's parameters.</summary>
    public abstract Tensor Measure();

    /// <summary>C = K − margin, differentiable.</summary>
    public Tensor Evaluate()
    {
        var k = Measure();
        if (k.numel() != 1)
            throw new InvalidOperationException($"constraint '{Name}': Measure() returned a tensor of shape [{string.Join(",", k.shape)}], expected a scalar.");
        return Margin == 0 ? k.reshape(Array.Empty<long>()) : k.reshape(Array.Empty<long>()).Minus(Margin);
    }

    /// <summary>C on the constraint's own evaluation set, without building a graph.</summary>
    public double Value()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return Evaluate().to(ScalarType.Float64).item<double>();
    }

    /// <summary>Releases tensors the constraint holds (anchor sets, snapshots).</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Override to release held tensors.</summary>
    protected virtual void Dispose(bool disposing) { }
}

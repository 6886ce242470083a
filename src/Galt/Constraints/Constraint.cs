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

    /// <summary>K(θ): a 0-dimensional tensor that autograd can differentiate with respect to the model's parameters.</summary>
    public abstract Tensor Measure();

    /// <summary>C = K − margin, differentiable.</summary>
    public Tensor Evaluate()
    {
        var k = Measure();
        if (k.numel() != 1)
            throw new InvalidOperationException($"constraint '{Name}': Measure() returned a tensor of shape [{string.Join(",", k.shape)}], expected a scalar.");
        return Margin == 0 ? k.reshape(Array.Empty<long>()) : k.reshape(Array.Empty<long>()) - Margin;
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

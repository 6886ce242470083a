using Galt.Constraints;
using Galt.Optim;
using static TorchSharp.torch;

namespace Galt.Graph;

/// <summary>
/// A node of the constraint graph: a module f_v (usually a layer or a run of layers) and the <see cref="GaltOptimizer"/>
/// that owns its parameters — its metric state, the multipliers of its external edges, its proximal anchor and its own
/// low-rank solve.
/// </summary>
public sealed class Block : IDisposable
{
    /// <summary>Creates the block over every trainable parameter of <paramref name="function"/>.</summary>
    public Block(string name, nn.Module<Tensor, Tensor> function, GaltOptions options)
    {
        Name = name;
        Function = function;
        Optimizer = new GaltOptimizer(function.named_parameters().Where(p => p.parameter.requires_grad).Select(p => ($"{name}.{p.name}", p.parameter)), options);
    }

    /// <summary>Block name, e.g. <c>block1</c>.</summary>
    public string Name { get; }

    /// <summary>f_v.</summary>
    public nn.Module<Tensor, Tensor> Function { get; }

    /// <summary>The block's optimizer (its local solve and multipliers).</summary>
    public GaltOptimizer Optimizer { get; }

    /// <summary>
    /// Attaches an external edge (a constraint that touches this block's parameters) by name: the graph evaluates it once
    /// per sweep and sends each block its value and its Jacobian restricted to the block; the block owns the multiplier.
    /// </summary>
    public int Attach(Constraint constraint) => Optimizer.AddConstraint(constraint.Name, constraint.Kind);

    /// <inheritdoc />
    public void Dispose() => Optimizer.Dispose();
}

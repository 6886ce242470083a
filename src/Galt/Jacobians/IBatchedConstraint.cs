using static TorchSharp.torch;

namespace Galt.Jacobians;

/// <summary>
/// A constraint whose value is a function of one model's outputs on its own example set, with no coupling between
/// examples inside the model: K = h(model(x_1), …, model(x_n)). Its Jacobian row can then be assembled per layer from
/// the layer inputs and output gradients of its examples, after one forward and one backward pass shared by all such
/// constraints (<see cref="BatchedJacobians"/>).
/// </summary>
public interface IBatchedConstraint
{
    /// <summary>The constraint's name.</summary>
    string Name { get; }

    /// <summary>The margin subtracted from K.</summary>
    double Margin { get; }

    /// <summary>The model whose outputs K is computed from; null when the constraint cannot use the batched path.</summary>
    nn.Module<Tensor, Tensor>? Model { get; }

    /// <summary>The constraint's examples, batched along dimension 0.</summary>
    Tensor Inputs { get; }

    /// <summary>K from the model's outputs on <see cref="Inputs"/> (same order), differentiable.</summary>
    Tensor MeasureOutputs(Tensor outputs);
}

using static TorchSharp.torch;

namespace Galt.Models;

/// <summary>
/// A layered classifier that can hand out its intermediate states: what local heads (a low-BP hybrid's per-layer
/// classifiers, spec §4 "SfB-AVBD-Hessian-LowBP") read. A state is one vector per input, [n, <see cref="StateWidth"/>],
/// after layer l (0-based), still attached to the autograd graph.
/// </summary>
public interface ILayerStates
{
    /// <summary>Number of layers whose states can be asked for.</summary>
    int StateLayerCount { get; }

    /// <summary>Width of every state vector.</summary>
    int StateWidth { get; }

    /// <summary>Width of the model's output (its number of classes).</summary>
    int OutputWidth { get; }

    /// <summary>The output [n, <see cref="OutputWidth"/>] and the states after each of <paramref name="layers"/>, in one forward pass.</summary>
    (Tensor Output, Tensor[] States) ForwardWithStates(Tensor input, IReadOnlyList<int> layers);

    /// <summary>The states after each of <paramref name="layers"/> only: the forward pass may stop at the deepest one and skip the output.</summary>
    Tensor[] States(Tensor input, IReadOnlyList<int> layers);
}

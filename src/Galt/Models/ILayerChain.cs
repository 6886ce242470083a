using static TorchSharp.torch;

namespace Galt.Models;

/// <summary>
/// A classifier that is a chain of hidden layers followed by an output head, each of which can run on its own: what a
/// block-local (low-BP) step needs, where every hidden layer learns from its own local head on a stop-gradient input
/// (spec §3 "AVBD-Hessian-LowBP"). The model's output is <c>HeadForward(h_L)</c> with h_0 = input and
/// h_{l+1} = <c>LayerForward(l, h_l)</c>.
/// </summary>
public interface ILayerChain
{
    /// <summary>The output width of each hidden layer, input side first.</summary>
    IReadOnlyList<int> StateWidths { get; }

    /// <summary>Width of the model's output (its number of classes).</summary>
    int OutputWidth { get; }

    /// <summary>Hidden layer <paramref name="layer"/> (0-based) applied to <paramref name="input"/>, activation included.</summary>
    Tensor LayerForward(int layer, Tensor input);

    /// <summary>The output head applied to the last hidden layer's output.</summary>
    Tensor HeadForward(Tensor lastState);
}

using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Channels;

/// <summary>
/// A block-structured transformer that a <see cref="RoutedCarrier"/> can wrap: an embedding stage, an ordered list of
/// layers the routed carrier runs one by one (with its experts between them), and a summary of the hidden state per
/// example. Implemented for the pretrained MiniLM encoder (Galt.Carriers) and, in Galt.Experiments, for the library's
/// own <see cref="Models.TransformerTrunk"/> with a word vocabulary (the tiny carrier the tests use).
/// </summary>
public interface IBlockCarrier
{
    /// <summary>Hidden width H.</summary>
    int Width { get; }

    /// <summary>Number of layers.</summary>
    int LayerCount { get; }

    /// <summary>Token ids [batch, length] (int64) and a 0/1 mask of real tokens for <paramref name="texts"/>.</summary>
    (Tensor Ids, Tensor Mask) Encode(IReadOnlyList<string> texts);

    /// <summary>Hidden states [batch, length, H] entering layer 0.</summary>
    Tensor Embed(Tensor ids, Tensor mask);

    /// <summary>Layer <paramref name="index"/> applied to <paramref name="hidden"/> (padding masked by <paramref name="mask"/>).</summary>
    Tensor Layer(int index, Tensor hidden, Tensor mask);

    /// <summary>One vector [batch, H] per example from the hidden states (e.g. the mean over real tokens).</summary>
    Tensor Summarize(Tensor hidden, Tensor mask);

    /// <summary>The trainable parameters of layer <paramref name="index"/>, with names unique within the carrier.</summary>
    IReadOnlyList<(string Name, Parameter Parameter)> LayerParameters(int index);

    /// <summary>
    /// The carrier's own zero-shot choice scores [batch, options] for multiple-choice items (log-probabilities over the
    /// options): the dense path of spec §5.2 that <c>base_choice_scale</c> weighs.
    /// </summary>
    Tensor DenseChoiceScores(IReadOnlyList<ChoiceItem> items);
}

using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Channels;

/// <summary>
/// A block-structured model that a <see cref="RoutedCarrier"/> can wrap: hidden states [batch, length, H] with a 0/1
/// mask [batch, length] of real positions pass through an ordered list of layers, which the routed carrier runs one by
/// one (with its experts between them), and a summary [batch, H] per example is read from them. Any model of that
/// shape is a carrier — a transformer (length = tokens), or a stack of dense blocks over vectors (length 1, mask all
/// ones). How inputs become the states entering layer 0 is <see cref="IBlockCarrier{TInput}"/>; how multiple-choice
/// items are scored on a carrier is an adapter over it (<see cref="IChoiceAdapter"/>, <see cref="TextChoiceAdapter"/>).
/// </summary>
public interface IBlockCarrier
{
    /// <summary>Hidden width H.</summary>
    int Width { get; }

    /// <summary>Number of layers.</summary>
    int LayerCount { get; }

    /// <summary>Layer <paramref name="index"/> applied to <paramref name="hidden"/> (padding masked by <paramref name="mask"/>).</summary>
    Tensor Layer(int index, Tensor hidden, Tensor mask);

    /// <summary>One vector [batch, H] per example from the hidden states (e.g. the mean over real positions).</summary>
    Tensor Summarize(Tensor hidden, Tensor mask);

    /// <summary>The trainable parameters of layer <paramref name="index"/>, with names unique within the carrier.</summary>
    IReadOnlyList<(string Name, Parameter Parameter)> LayerParameters(int index);
}

/// <summary>
/// A block carrier with its own input stage: inputs of type <typeparamref name="TInput"/> become the hidden states
/// entering layer 0. A text carrier is an <c>IBlockCarrier&lt;IReadOnlyList&lt;string&gt;&gt;</c> (the pretrained
/// MiniLM encoder in Galt.Carriers tokenizes and embeds); a dense model can take a tensor.
/// </summary>
/// <typeparam name="TInput">What one batch of inputs is.</typeparam>
public interface IBlockCarrier<in TInput> : IBlockCarrier
{
    /// <summary>The hidden states [batch, length, H] entering layer 0 for <paramref name="inputs"/>, and the 0/1 mask [batch, length] of real positions.</summary>
    (Tensor Hidden, Tensor Mask) Embed(TInput inputs);
}

/// <summary>Passes over a whole <see cref="IBlockCarrier{TInput}"/>.</summary>
public static class BlockCarrierPasses
{
    /// <summary>
    /// The summary [batch, H] after every layer: embed, run the layers in order, summarize. The layers' intermediate
    /// states are disposed when the pass returns (autograd keeps what a backward pass needs), not left to the caller's
    /// scope: a caller that scores many batches in one scope would otherwise hold every layer's states of every batch
    /// (typed-channels v2 grew past 24 GB that way).
    /// </summary>
    public static Tensor Summary<TInput>(this IBlockCarrier<TInput> carrier, TInput inputs)
    {
        ArgumentNullException.ThrowIfNull(carrier);
        using var scope = NewDisposeScope();
        var (hidden, mask) = carrier.Embed(inputs);
        for (int layer = 0; layer < carrier.LayerCount; layer++) hidden = carrier.Layer(layer, hidden, mask);
        return carrier.Summarize(hidden, mask).MoveToOuterDisposeScope();
    }
}

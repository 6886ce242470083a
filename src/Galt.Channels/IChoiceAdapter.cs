using static TorchSharp.torch;

namespace Galt.Channels;

/// <summary>
/// How multiple-choice items meet a block carrier: the states a routed pass over the items starts from, and the
/// carrier's own zero-shot choice scores (the dense path of spec §5.2 that <c>base_choice_scale</c> weighs). The
/// routed carrier's choice scoring goes through one; <see cref="TextChoiceAdapter"/> is the one for text carriers.
/// </summary>
public interface IChoiceAdapter
{
    /// <summary>The hidden states [items, length, H] entering the carrier's layer 0 for <paramref name="items"/>, and their 0/1 mask.</summary>
    (Tensor Hidden, Tensor Mask) Embed(IReadOnlyList<ChoiceItem> items);

    /// <summary>The carrier's own choice scores [items, options] (log-probabilities over the options).</summary>
    Tensor DenseChoiceScores(IReadOnlyList<ChoiceItem> items);
}

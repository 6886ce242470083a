using static TorchSharp.torch;

namespace Galt.Channels;

/// <summary>
/// Multiple-choice items on a text carrier: a routed pass reads the prompt <see cref="ChoiceItem.Render"/> writes, and
/// the dense score is a sentence-embedding model's own use — the log-softmax over the options of scale × cosine of the
/// pooled question and the pooled option (<see cref="ChoiceSimilarity.Scores"/>, pooled = the carrier's summary after
/// every layer).
/// </summary>
public sealed class TextChoiceAdapter : IChoiceAdapter
{
    private readonly IBlockCarrier<IReadOnlyList<string>> _carrier;

    /// <summary>Scores items on <paramref name="carrier"/> with similarity scale <paramref name="scale"/>.</summary>
    public TextChoiceAdapter(IBlockCarrier<IReadOnlyList<string>> carrier, double scale = ChoiceSimilarity.DefaultScale)
    {
        ArgumentNullException.ThrowIfNull(carrier);
        if (!(scale > 0) || double.IsInfinity(scale)) throw new ArgumentOutOfRangeException(nameof(scale), $"similarity scale {scale}: expected a positive finite number.");
        _carrier = carrier;
        Scale = scale;
    }

    /// <summary>The similarity scale.</summary>
    public double Scale { get; }

    /// <inheritdoc />
    public (Tensor Hidden, Tensor Mask) Embed(IReadOnlyList<ChoiceItem> items) => _carrier.Embed(items.Select(i => i.Render()).ToArray());

    /// <inheritdoc />
    public Tensor DenseChoiceScores(IReadOnlyList<ChoiceItem> items) => ChoiceSimilarity.Scores(items, _carrier.Summary, Scale);
}

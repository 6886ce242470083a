using Galt.Carriers;
using Galt.Channels;
using static TorchSharp.torch;

namespace Galt.Tests.Carriers;

/// <summary>
/// Multiple-choice scoring on the pretrained carrier goes through the text adapter (<see cref="TextChoiceAdapter"/>):
/// its dense scores are, bit for bit, the encoder's own whole pass (tokenize, <see cref="BertEncoder.Encode"/>, mean
/// pooling) under <see cref="ChoiceSimilarity.Scores"/> — so moving the choice scoring off the carrier changed no figure.
/// </summary>
public class MiniLmChoiceAdapterTests
{
    [Fact]
    public void TheAdaptersDenseScoresAreTheEncodersOwnPassBitForBit()
    {
        using var scope = NewDisposeScope();
        using var carrier = MiniLmBlockCarrier.Load(loraSeed: 3);
        var items = new[]
        {
            new ChoiceItem("The committee approved the budget after a long debate about schools.", new[] { "politics", "sports", "science", "religion" }, 0),
            new ChoiceItem("He threw the ball.", new[] { "politics", "sports", "science", "religion" }, 1),
        };
        using var _ = no_grad();
        var adapter = new TextChoiceAdapter(carrier).DenseChoiceScores(items);
        var reference = ChoiceSimilarity.Scores(items, texts =>
        {
            using var batch = carrier.Model.Tokenizer.EncodeBatch(texts, MiniLmBlockCarrier.MaxTokens, TruncationSide.Left);
            return BertEncoder.MeanPool(carrier.Model.Encoder.Encode(batch.InputIds, batch.AttentionMask), batch.AttentionMask);
        });
        Assert.Equal(new long[] { 2, 4 }, adapter.shape);
        Assert.True(adapter.equal(reference).all().item<bool>(), $"largest difference {(adapter - reference).abs().max().item<float>():E2}");
        // The routed pass starts from the same states: the adapter's embedding of an item is its rendered prompt's.
        var (hidden, mask) = new TextChoiceAdapter(carrier).Embed(items);
        var (promptHidden, promptMask) = carrier.Embed(items.Select(i => i.Render()).ToArray());
        Assert.True(hidden.equal(promptHidden).all().item<bool>() && mask.equal(promptMask).all().item<bool>());
    }
}

using Galt.Models;
using Galt.Tensors;
using static TorchSharp.torch;

namespace Galt.Experiments.Benchmarks.ConstraintGrid;

/// <summary>
/// The grid's tiny four-class models and their inputs: an MLP and a LoRA MLP on 8-dimensional standard-normal
/// inputs, a one-block transformer on random token sequences of length 6.
/// </summary>
public static class GridModels
{
    /// <summary>Classes of every model.</summary>
    public const int Classes = 4;

    /// <summary>Input width of the MLPs.</summary>
    public const int Features = 8;

    /// <summary>Tokens of the transformer's vocabulary.</summary>
    public const int Vocabulary = 16;

    /// <summary>Tokens per transformer input.</summary>
    public const int SequenceLength = 6;

    /// <summary>
    /// The model, initialised from <c>torch.random.manual_seed(seed)</c>. The LoRA MLP has its base frozen: its LoRA
    /// factors and its output head train (<see cref="LoraMlp.FreezeBase"/> leaves the head trainable).
    /// </summary>
    public static nn.Module<Tensor, Tensor> Create(GridModelKind kind, int seed)
    {
        TorchLifetimes.ManualSeed(seed);
        switch (kind)
        {
            case GridModelKind.Mlp:
                return new Mlp(Features, 16, Classes);
            case GridModelKind.Lora:
                var lora = new LoraMlp(rank: 4, Features, 16, 16, Classes);
                lora.FreezeBase();
                return lora;
            case GridModelKind.Transformer:
                return new TransformerClassifier(vocabulary: Vocabulary, maxLength: SequenceLength, modelWidth: 16, heads: 2, layers: 1, classes: Classes);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown grid model.");
        }
    }

    /// <summary><paramref name="count"/> inputs for <paramref name="kind"/> drawn from <paramref name="generator"/>.</summary>
    public static Tensor Inputs(GridModelKind kind, int count, Generator generator) => kind == GridModelKind.Transformer
        ? randint(0, Vocabulary, new long[] { count, SequenceLength }, dtype: ScalarType.Int64, generator: generator)
        : randn(new long[] { count, Features }, generator: generator);

    /// <summary>A short description of every model, for the report's configuration.</summary>
    public static string Description =>
        $"mlp: Mlp({Features}, 16, {Classes}) (ReLU between layers) on {Features}-dim N(0, 1) inputs; " +
        $"lora: LoraMlp(rank 4, {Features}, 16, 16, {Classes}) with FreezeBase() (LoRA A/B and the output head train) on the same inputs; " +
        $"transformer: TransformerClassifier(vocabulary {Vocabulary}, max length {SequenceLength}, width 16, 2 heads, 1 layer, {Classes} classes) on random token sequences of length {SequenceLength}";
}

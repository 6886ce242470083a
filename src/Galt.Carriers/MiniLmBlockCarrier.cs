using Galt.Channels;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Carriers;

/// <summary>
/// all-MiniLM-L6-v2 as a text <see cref="IBlockCarrier{TInput}"/> for the typed channels: texts tokenized by the model's
/// own WordPiece tokenizer keeping the last <see cref="MaxTokens"/> tokens (left truncation, spec §2.3), the six
/// post-norm layers run one by one with the padding bias, the summary = mean over real tokens (the model's pretrained
/// pooling), LoRA (rank 8, scale 16, B = 0) on every projection with the base frozen. Multiple-choice items meet it
/// through <see cref="TextChoiceAdapter"/>: the dense choice score = log-softmax over the options of 20 × cosine(pooled
/// question, pooled option) — the model's pretrained use.
/// </summary>
public sealed class MiniLmBlockCarrier : IBlockCarrier<IReadOnlyList<string>>, IDisposable
{
    private readonly MiniLmCarrier _model;

    /// <summary>Longest token sequence kept (the last ones).</summary>
    public const int MaxTokens = 256;

    /// <summary>Wraps a loaded carrier and puts LoRA adapters, seeded by <paramref name="loraSeed"/>, on every projection.</summary>
    public MiniLmBlockCarrier(MiniLmCarrier model, long loraSeed)
    {
        _model = model;
        Adapters = model.Encoder.AddLora(rank: 8, scale: 16.0, seed: loraSeed);
        _layers = model.Encoder.Layers;
    }

    private readonly IReadOnlyList<BertLayer> _layers;

    /// <summary>Loads the pretrained model (<see cref="MiniLmCarrier.Load"/>) with fresh adapters seeded by <paramref name="loraSeed"/>.</summary>
    public static MiniLmBlockCarrier Load(long loraSeed, string? dllPath = null) => new(MiniLmCarrier.Load(dllPath), loraSeed);

    /// <summary>The loaded model.</summary>
    public MiniLmCarrier Model => _model;

    /// <summary>The LoRA adapters, layer by layer.</summary>
    public IReadOnlyList<Galt.Models.LoraLinear> Adapters { get; }

    /// <inheritdoc />
    public int Width => _model.Encoder.Config.HiddenSize;

    /// <inheritdoc />
    public int LayerCount => _layers.Count;

    /// <inheritdoc />
    public (Tensor Hidden, Tensor Mask) Embed(IReadOnlyList<string> inputs)
    {
        var batch = _model.Tokenizer.EncodeBatch(inputs, MaxTokens, TruncationSide.Left);
        return (_model.Encoder.Embed(batch.InputIds), batch.AttentionMask);
    }

    /// <inheritdoc />
    public Tensor Layer(int index, Tensor hidden, Tensor mask) => _layers[index].call(hidden, BertEncoder.AttentionBias(mask, hidden.dtype));

    /// <inheritdoc />
    public Tensor Summarize(Tensor hidden, Tensor mask) => BertEncoder.MeanPool(hidden, mask);

    /// <inheritdoc />
    public IReadOnlyList<(string Name, Parameter Parameter)> LayerParameters(int index) =>
        _layers[index].named_parameters().Select(p => ($"layers.{index}.{p.name}", p.parameter)).ToList();

    /// <inheritdoc />
    public void Dispose() => _model.Dispose();
}

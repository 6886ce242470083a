using Galt.Models;
using Galt.Experiments.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Experiments.CurriculumGate;

/// <summary>
/// The teacher-mode curriculum model of spec §6.6: token + learned position embeddings, pre-norm causal encoder layers
/// (bias-free q/k/v/o, ReLU 4× feed-forward), a final LayerNorm, a next-token head on every position and linear
/// classification heads (<see cref="CurriculumHeads"/>) on the mean of the hidden states over non-pad positions.
/// The release's runs use hidden 96, 1 layer, 4 heads, maximum length 128.
/// </summary>
public sealed class CurriculumTransformer : nn.Module<Tensor, Tensor>
{
    private readonly TransformerTrunk trunk;
    private readonly Linear lm;
    private readonly Linear teacherAction, teacherState, teacherResidual, gate, action, memory, residual, memoryLayer, violationLayer, access;

    /// <summary>Creates the model.</summary>
    /// <param name="vocabulary">Vocabulary size (specials included).</param>
    /// <param name="hidden">Model width.</param>
    /// <param name="layerCount">Encoder layers.</param>
    /// <param name="heads">Attention heads; must divide <paramref name="hidden"/>.</param>
    /// <param name="maxLength">Longest sequence (learned positions).</param>
    public CurriculumTransformer(int vocabulary, int hidden = 96, int layerCount = 1, int heads = 4, int maxLength = 128) : base(nameof(CurriculumTransformer))
    {
        if (vocabulary < 5) throw new ArgumentOutOfRangeException(nameof(vocabulary), $"the vocabulary must hold the 4 specials and a token; got {vocabulary}.");
        if (maxLength < 3) throw new ArgumentOutOfRangeException(nameof(maxLength), $"max length must be at least 3 (bos, token, eos); got {maxLength}.");
        // MLX's Embedding draws N(0, 1/d), TorchSharp's N(0, 1): follow the release.
        trunk = new TransformerTrunk(vocabulary, maxLength, hidden, heads, layerCount, FeedForwardActivation.Relu, causal: true, attentionBias: false, embeddingStd: Math.Sqrt(1.0 / hidden));
        lm = nn.Linear(hidden, vocabulary);
        teacherAction = nn.Linear(hidden, CurriculumLabels.TeacherActions.Count);
        teacherState = nn.Linear(hidden, CurriculumLabels.KnowledgeStates.Count);
        teacherResidual = nn.Linear(hidden, 2);
        gate = nn.Linear(hidden, CurriculumLabels.GateBits);
        action = nn.Linear(hidden, CurriculumLabels.AdjudicationActions.Count);
        memory = nn.Linear(hidden, CurriculumLabels.MemoryOutcomes.Count);
        residual = nn.Linear(hidden, CurriculumLabels.Residuals.Count);
        memoryLayer = nn.Linear(hidden, CurriculumLabels.MemoryLayers);
        violationLayer = nn.Linear(hidden, CurriculumLabels.ViolationLayers);
        access = nn.Linear(hidden, 2);
        RegisterComponents();
    }

    /// <summary>Longest sequence.</summary>
    public int MaxLength => trunk.MaxLength;

    /// <summary>Model width.</summary>
    public int Hidden => trunk.Width;

    /// <summary>Hidden states [n, t, hidden] after the final LayerNorm, for token ids [n, t] (int64, 0 = pad, right-padded).</summary>
    public override Tensor forward(Tensor ids) => trunk.call(ids);

    /// <summary>Mean of <paramref name="hidden"/> over the non-pad positions of <paramref name="ids"/> (bos and eos count): [n, hidden].</summary>
    public static Tensor Pool(Tensor hidden, Tensor ids)
    {
        using Scalar pad = CurriculumVocabulary.Pad.ToScalar(), one = 1.ToScalar();
        var mask = ids.ne(pad).to(hidden.dtype).unsqueeze(-1);
        return (hidden * mask).sum(1) / mask.sum(1).clamp_min(one);
    }

    /// <summary>Every classification head on pooled rows [n, hidden].</summary>
    public CurriculumHeads Heads(Tensor pooled) => new(teacherAction.call(pooled), teacherState.call(pooled), teacherResidual.call(pooled),
        gate.call(pooled), action.call(pooled), memory.call(pooled), residual.call(pooled), memoryLayer.call(pooled), violationLayer.call(pooled), access.call(pooled));

    /// <summary>Next-token logits [rows, vocabulary] for hidden states [rows, hidden].</summary>
    public Tensor NextTokenLogits(Tensor hiddenRows) => lm.call(hiddenRows);
}

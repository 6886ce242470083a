using Galt.Experiments.Data;
using Galt.Models;
using Galt.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Galt.Experiments.CurriculumGate;

/// <summary>The loss of one batch and its per-stream parts (host copies for logging; NaN for an absent stream).</summary>
/// <param name="Total">Sum over the streams present (a graph tensor, for backward).</param>
/// <param name="Language">Next-token cross-entropy.</param>
/// <param name="Teacher">Teacher-routing loss.</param>
/// <param name="Galt">Adjudicated-memory loss (before the stream weight).</param>
public sealed record CurriculumLossValue(Tensor Total, double Language, double Teacher, double Galt);

/// <summary>
/// The curriculum objective of spec §6.6, summed over the streams present in a batch:
/// language — next-token CE on positions whose target is not pad;
/// teacher — CE(action) + CE(state) + 0.5·CE(residual);
/// GALT (× its weight) — BCE(gate bits) + CE(action) + CE(memory) + CE(residual) (each optionally class-weighted) + masked CE(memory layer)
/// + masked class-weighted CE(violation layer) + masked CE(access), the masks selecting contrast rows.
/// </summary>
public static class CurriculumLoss
{
    private static readonly Scalar One = 1.ToScalar();

    /// <summary>Computes the loss of <paramref name="batch"/> under <paramref name="model"/>.</summary>
    public static CurriculumLossValue Compute(CurriculumTransformer model, CurriculumBatch batch, CurriculumLossWeights weights)
    {
        var hidden = model.call(batch.Ids);
        var heads = model.Heads(CurriculumTransformer.Pool(hidden, batch.Ids));
        Tensor? total = null;
        double language = double.NaN, teacher = double.NaN, galt = double.NaN;
        void Add(Tensor term) => total = total is null ? term : total.Plus(term);

        if (batch.Count(CurriculumStream.Language) > 0)
        {
            var (inputs, targets) = NextTokenPositions(hidden.index_select(0, batch.LanguageRows), batch.Ids.index_select(0, batch.LanguageRows));
            var term = F.cross_entropy(model.NextTokenLogits(inputs), targets);
            language = term.item<float>();
            Add(term);
        }
        if (batch.Count(CurriculumStream.TeacherQuery) > 0)
        {
            var h = heads.Select(batch.TeacherRows);
            var term = F.cross_entropy(h.TeacherAction, batch.TeacherAction).Plus(F.cross_entropy(h.TeacherState, batch.TeacherState))
                       .Plus(F.cross_entropy(h.TeacherResidual, batch.TeacherResidual).Times(0.5));
            teacher = term.item<float>();
            Add(term);
        }
        if (batch.Count(CurriculumStream.AdjudicatedMemory) > 0)
        {
            var h = heads.Select(batch.GaltRows);
            var term = F.binary_cross_entropy_with_logits(h.Gate, batch.Gate)
                       .Plus(ClassWeighted(h.Action, batch.Action, batch.ActionWeight)).Plus(ClassWeighted(h.Memory, batch.Memory, batch.MemoryWeight))
                       .Plus(ClassWeighted(h.Residual, batch.Residual, batch.ResidualWeight))
                       .Plus(Weighted(h.MemoryLayer, batch.MemoryLayer, batch.LayerMask).Times(weights.MemoryLayer))
                       .Plus(Weighted(h.ViolationLayer, batch.ViolationLayer, batch.ViolationWeight).Times(weights.ViolationLayer))
                       .Plus(Weighted(h.Access, batch.Access, batch.LayerMask).Times(weights.Access));
            galt = term.item<float>();
            Add(term.Times(weights.Galt));
        }
        return new CurriculumLossValue(total!, language, teacher, galt);
    }

    /// <summary>
    /// The next-token positions of language rows: position i predicts token i+1, kept where the target is not pad (only
    /// those reach the vocabulary head, which is where the time goes). Returns hidden states [P, h] and targets [P].
    /// </summary>
    public static (Tensor Hidden, Tensor Targets) NextTokenPositions(Tensor hidden, Tensor ids)
    {
        long t = ids.shape[1];
        var targets = ids.narrow(1, 1, t - 1).reshape(-1);
        using var pad = CurriculumVocabulary.Pad.ToScalar();
        var keep = targets.ne(pad).nonzero().squeeze(1);
        return (hidden.narrow(1, 0, t - 1).reshape(-1, hidden.shape[2]).index_select(0, keep), targets.index_select(0, keep));
    }

    /// <summary>Plain mean CE, or the weighted CE when the head has class weights.</summary>
    private static Tensor ClassWeighted(Tensor logits, Tensor labels, Tensor? weight) => weight is null ? F.cross_entropy(logits, labels) : Weighted(logits, labels, weight);

    /// <summary>spec §6.6: Σ(CE·w)/max(Σw, 1) — masked CE with w = mask, masked weighted CE with w = class weight × mask.</summary>
    private static Tensor Weighted(Tensor logits, Tensor labels, Tensor weight) =>
        (F.cross_entropy(logits, labels, reduction: nn.Reduction.None) * weight).sum() / weight.sum().clamp_min(One);
}

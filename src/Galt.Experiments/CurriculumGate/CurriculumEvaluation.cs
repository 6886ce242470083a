using Galt.Models;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Galt.Experiments.CurriculumGate;

/// <summary>A split's metrics and the wrong answers behind them.</summary>
/// <param name="Metrics">Metric name → value.</param>
/// <param name="Mistakes">Every head's wrong answer, row by row.</param>
public sealed record CurriculumScore(SortedDictionary<string, double> Metrics, IReadOnlyList<CurriculumMistake> Mistakes);

/// <summary>
/// Scores a model on a whole split in one forward pass (spec §6.6 "Evaluation"): the <see cref="CurriculumMetrics"/>,
/// the <see cref="CurriculumMistakes"/>, and <c>lm_loss</c>, the next-token cross-entropy over the language rows' non-pad targets (its vocabulary head runs in
/// chunks of positions to bound memory).
/// </summary>
public static class CurriculumEvaluation
{
    /// <summary>Evaluates <paramref name="model"/> on every row of <paramref name="data"/>.</summary>
    public static CurriculumScore Evaluate(CurriculumTransformer model, EncodedCurriculum data, Device device, int languageChunk = 2048)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var order = data.AllByStream();
            var batch = new CurriculumBatch(data, order, CurriculumClassWeights.None, device);
            var hidden = model.call(batch.Ids);
            var heads = model.Heads(CurriculumTransformer.Pool(hidden, batch.Ids));
            var predictions = Predict(heads);
            var metrics = CurriculumMetrics.Compute(batch.Rows, predictions);
            if (batch.Count(CurriculumStream.Language) > 0)
                metrics["lm_loss"] = LanguageLoss(model, hidden.index_select(0, batch.LanguageRows), batch.Ids.index_select(0, batch.LanguageRows), languageChunk);
            return new CurriculumScore(metrics, CurriculumMistakes.Find(batch.Rows, predictions));
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>Arg-max (and gate-bit) predictions per row from the heads' logits.</summary>
    public static IReadOnlyList<CurriculumPrediction> Predict(CurriculumHeads heads)
    {
        long[] Arg(Tensor logits) => logits.argmax(1).cpu().data<long>().ToArray();
        var teacherAction = Arg(heads.TeacherAction);
        var teacherState = Arg(heads.TeacherState);
        var teacherResidual = Arg(heads.TeacherResidual);
        var action = Arg(heads.Action);
        var memory = Arg(heads.Memory);
        var residual = Arg(heads.Residual);
        var memoryLayer = Arg(heads.MemoryLayer);
        var violationLayer = Arg(heads.ViolationLayer);
        var access = Arg(heads.Access);
        using var half = 0.5.ToScalar();
        var gate = F.sigmoid(heads.Gate).ge(half).cpu().data<bool>().ToArray();
        int bits = (int)heads.Gate.shape[1];
        return Enumerable.Range(0, teacherAction.Length).Select(i => new CurriculumPrediction(
            (int)teacherAction[i], (int)teacherState[i], (int)teacherResidual[i], gate[(i * bits)..((i + 1) * bits)],
            (int)action[i], (int)memory[i], (int)residual[i], (int)memoryLayer[i], (int)violationLayer[i], access[i] == 1)).ToList();
    }

    private static double LanguageLoss(CurriculumTransformer model, Tensor hidden, Tensor ids, int chunk)
    {
        var (inputs, kept) = CurriculumLoss.NextTokenPositions(hidden, ids);
        long n = kept.shape[0];
        double sum = 0;
        for (long start = 0; start < n; start += chunk)
        {
            using var scope = NewDisposeScope();
            long len = Math.Min(chunk, n - start);
            sum += F.cross_entropy(model.NextTokenLogits(inputs.narrow(0, start, len)), kept.narrow(0, start, len), reduction: nn.Reduction.Sum).item<float>();
        }
        return n == 0 ? double.NaN : sum / n;
    }
}

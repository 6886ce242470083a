using Galt.Experiments.Data;

namespace Galt.Experiments.CurriculumGate;

/// <summary>
/// The evaluation metrics of spec §6.6 from rows and predictions (host arrays, so they are checked directly):
/// teacher action/state/residual accuracy; GALT gate accuracy (over the 3 bits), action, memory and residual accuracy
/// over all GALT rows; per-class recalls; and, on contrast rows only, memory-layer, violation-layer, direct-access and
/// predicted-layer access accuracy. A metric with no rows to score is left out (the release reports NaN).
/// </summary>
public static class CurriculumMetrics
{
    /// <summary>The metrics; keys are the summary names without the <c>.mean</c> / <c>.std</c> suffix.</summary>
    public static SortedDictionary<string, double> Compute(IReadOnlyList<CurriculumRow> rows, IReadOnlyList<CurriculumPrediction> predictions)
    {
        if (rows.Count != predictions.Count) throw new ArgumentException($"{rows.Count} rows but {predictions.Count} predictions.", nameof(predictions));
        var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        void Put(string key, IEnumerable<bool> hits)
        {
            var list = hits.ToList();
            if (list.Count > 0) metrics[key] = list.Average(h => h ? 1.0 : 0.0);
        }
        var pairs = rows.Zip(predictions).ToList();

        var teacher = pairs.Where(p => p.First.Teacher is not null).Select(p => (T: p.First.Teacher!, P: p.Second)).ToList();
        Put("teacher_action_acc", teacher.Select(x => x.P.TeacherAction == x.T.Action));
        Put("teacher_state_acc", teacher.Select(x => x.P.TeacherState == x.T.KnowledgeState));
        Put("teacher_residual_acc", teacher.Select(x => x.P.TeacherResidual == 1 == x.T.HasResidual));

        var galt = pairs.Where(p => p.First.Adjudication is not null).Select(p => (T: p.First.Adjudication!, P: p.Second)).ToList();
        Put("gate_acc", galt.SelectMany(x => x.T.Gate.Select((bit, i) => bit == 1 == x.P.Gate[i])));
        Put("action_acc", galt.Select(x => x.P.Action == x.T.Action));
        Put("memory_acc", galt.Select(x => x.P.Memory == x.T.Memory));
        Put("residual_acc", galt.Select(x => x.P.Residual == x.T.Residual));
        foreach (var (label, k) in CurriculumLabels.Residuals.Select((l, k) => (l, k)).Skip(1)) // "none" is not a residual to recall
            Put($"{label}_recall", galt.Where(x => x.T.Residual == k).Select(x => x.P.Residual == k));
        foreach (var (label, k) in CurriculumLabels.MemoryOutcomes.Select((l, k) => (l, k)))
            Put($"{label}_recall", galt.Where(x => x.T.Memory == k).Select(x => x.P.Memory == k));
        foreach (var (label, k) in CurriculumLabels.AdjudicationActions.Select((l, k) => (l, k)))
            Put($"{label}_recall", galt.Where(x => x.T.Action == k).Select(x => x.P.Action == k));

        var layered = galt.Where(x => x.T.Layers is not null).Select(x => (L: x.T.Layers!, x.P)).ToList();
        Put("memory_layer_acc", layered.Select(x => x.P.MemoryLayer == x.L.MemoryLayer));
        Put("violation_layer_acc", layered.Select(x => x.P.ViolationLayer == x.L.ViolationLayer));
        Put("direct_access_acc", layered.Select(x => x.P.DirectAccess == x.L.Access));
        Put("access_acc", layered.Select(x => x.P.PredictedAccess == x.L.Access));
        return metrics;
    }
}

using Galt.Experiments.Data;

namespace Galt.Experiments.CurriculumGate;

/// <summary>One head's wrong answer on one row.</summary>
/// <param name="RowId">The row.</param>
/// <param name="Head">Which head (action, memory, residual, gate, memory_layer, violation_layer, access, teacher_*).</param>
/// <param name="Predicted">What it said.</param>
/// <param name="Target">What the row says.</param>
public sealed record CurriculumMistake(string RowId, string Head, string Predicted, string Target)
{
    /// <summary>The row id's last two path segments (e.g. <c>contrast_lesson/000042_positive</c>), for tables.</summary>
    public string ShortRowId => string.Join('/', RowId.Split('/').TakeLast(2));
}

/// <summary>Lists every wrong answer, so a report can say which rows an accuracy below 1 comes from.</summary>
public static class CurriculumMistakes
{
    /// <summary>The mistakes of <paramref name="predictions"/> on <paramref name="rows"/> (same order).</summary>
    public static IReadOnlyList<CurriculumMistake> Find(IReadOnlyList<CurriculumRow> rows, IReadOnlyList<CurriculumPrediction> predictions)
    {
        var mistakes = new List<CurriculumMistake>();
        void Check<T>(CurriculumRow row, string head, T predicted, T target, Func<T, string> name)
        {
            if (!EqualityComparer<T>.Default.Equals(predicted, target)) mistakes.Add(new CurriculumMistake(row.Id, head, name(predicted), name(target)));
        }
        static string Layer(int k) => k == 4 ? "none" : $"L{k}";
        static string Access(bool a) => a ? "access" : "quarantine";
        static string Bits(IEnumerable<bool> bits) => string.Concat(bits.Select(b => b ? '1' : '0'));
        for (int i = 0; i < rows.Count; i++)
        {
            var (row, p) = (rows[i], predictions[i]);
            if (row.Teacher is { } t)
            {
                Check(row, "teacher_action", p.TeacherAction, t.Action, k => CurriculumLabels.TeacherActions[k]);
                Check(row, "teacher_state", p.TeacherState, t.KnowledgeState, k => CurriculumLabels.KnowledgeStates[k]);
                Check(row, "teacher_residual", p.TeacherResidual == 1, t.HasResidual, b => b ? "residual" : "none");
            }
            if (row.Adjudication is not { } a) continue;
            Check(row, "action", p.Action, a.Action, k => CurriculumLabels.AdjudicationActions[k]);
            Check(row, "memory", p.Memory, a.Memory, k => CurriculumLabels.MemoryOutcomes[k]);
            Check(row, "residual", p.Residual, a.Residual, k => CurriculumLabels.Residuals[k]);
            Check(row, "gate", Bits(p.Gate), Bits(a.Gate.Select(b => b == 1)), s => s);
            if (a.Layers is not { } l) continue;
            Check(row, "memory_layer", p.MemoryLayer, l.MemoryLayer, Layer);
            Check(row, "violation_layer", p.ViolationLayer, l.ViolationLayer, Layer);
            Check(row, "access", p.PredictedAccess, l.Access, Access);
        }
        return mistakes;
    }
}

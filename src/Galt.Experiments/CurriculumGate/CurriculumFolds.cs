using Galt.Experiments.Data;

namespace Galt.Experiments.CurriculumGate;

/// <summary>One cross-validation fold: the rows to train on and the rows held out to score.</summary>
/// <param name="Index">Fold number, 0-based.</param>
/// <param name="Train">Every row outside the fold.</param>
/// <param name="HeldOut">The fold's rows.</param>
public sealed record CurriculumFold(int Index, IReadOnlyList<CurriculumRow> Train, IReadOnlyList<CurriculumRow> HeldOut);

/// <summary>
/// K-fold cross-validation inside one curriculum split, built the way the release builds its splits (spec §6.5 "Split
/// construction"): rows grouped by source (a contrast packet's three rows stay together), groups stratified — per stream
/// for language and teacher rows; for adjudicated-memory groups by contrast vs legacy and their set of residual labels —
/// and each stratum shuffled with the seed and dealt round the folds, continuing where the previous stratum stopped so
/// the folds differ in size by at most one group per stratum. Used to choose a recipe without looking at validation.
/// </summary>
public static class CurriculumFolds
{
    /// <summary>Splits <paramref name="rows"/> into <paramref name="folds"/> folds (row order kept within each side).</summary>
    public static IReadOnlyList<CurriculumFold> Split(IReadOnlyList<CurriculumRow> rows, int folds, int seed)
    {
        if (folds < 2) throw new ArgumentOutOfRangeException(nameof(folds), $"cross-validation needs at least 2 folds; got {folds}.");
        var groups = rows.Select((r, i) => (Row: r, Index: i))
            .GroupBy(x => (x.Row.Stream, Key: x.Row.Stream == CurriculumStream.AdjudicatedMemory ? x.Row.Group : x.Row.Id))
            .Select(g => g.Select(x => x.Index).ToArray()).ToList();
        int galtGroups = groups.Count(g => rows[g[0]].Stream == CurriculumStream.AdjudicatedMemory);
        if (galtGroups < folds) throw new ArgumentException($"{folds} folds need at least {folds} adjudicated-memory source groups; the split has {galtGroups}.", nameof(folds));

        var fold = new int[rows.Count];
        var random = new Random(seed);
        int next = 0;
        foreach (var stratum in groups.GroupBy(g => Stratum(rows, g)).OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            var members = stratum.ToArray();
            random.Shuffle(members);
            foreach (var group in members)
            {
                foreach (int i in group) fold[i] = next;
                next = (next + 1) % folds;
            }
        }
        return Enumerable.Range(0, folds).Select(k => new CurriculumFold(k,
            rows.Where((_, i) => fold[i] != k).ToList(), rows.Where((_, i) => fold[i] == k).ToList())).ToList();
    }

    private static string Stratum(IReadOnlyList<CurriculumRow> rows, int[] group)
    {
        var first = rows[group[0]];
        if (first.Stream != CurriculumStream.AdjudicatedMemory) return first.Stream.ToString();
        var residuals = group.Select(i => CurriculumLabels.Residuals[rows[i].Adjudication!.Residual]).Distinct().OrderBy(r => r, StringComparer.Ordinal);
        return (first.Adjudication!.Layers is null ? "legacy:" : "contrast:") + string.Join("+", residuals);
    }
}

namespace Galt.Experiments.Benchmarks.ConstraintGrid;

/// <summary>Everything run in one cell: each constrained optimizer's runs (one per seed) and each baseline's weight search.</summary>
/// <param name="Cell">The cell.</param>
/// <param name="Optimizers">The runs of each constrained optimizer run in the cell.</param>
/// <param name="Baselines">The weight search of each baseline run in the cell.</param>
public sealed record GridCellResult(GridCell Cell, IReadOnlyDictionary<GridMethodKind, IReadOnlyList<GridRunMetrics>> Optimizers,
    IReadOnlyDictionary<GridMethodKind, GridBaselineResult> Baselines)
{
    /// <summary>The runs reported for <paramref name="method"/>: the optimizer's, or the baseline's at its weight found (at the cap when none); null when it was not run.</summary>
    public IReadOnlyList<GridRunMetrics>? Reported(GridMethodKind method) =>
        Optimizers.TryGetValue(method, out var runs) ? runs : Baselines.TryGetValue(method, out var search) ? search.Runs : null;

    /// <summary>Whether every run of <paramref name="method"/> (a constrained optimizer) held the constraint; null when it was not run.</summary>
    public bool? AllHeld(GridMethodKind method) => Optimizers.TryGetValue(method, out var runs) ? runs.All(r => r.Holds) : null;
}

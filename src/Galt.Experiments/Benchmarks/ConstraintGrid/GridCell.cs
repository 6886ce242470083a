using System.Globalization;

namespace Galt.Experiments.Benchmarks.ConstraintGrid;

/// <summary>One cell of the constraint-holding grid: a constraint kind, a model, a learning rate and a margin setting.</summary>
/// <param name="Kind">The constraint the task pushes against.</param>
/// <param name="Model">The model trained.</param>
/// <param name="LearningRate">The learning rate of every method in the cell.</param>
/// <param name="MarginSetting">One of <see cref="GridAxes.MarginSettings"/> for <paramref name="Kind"/>.</param>
public sealed record GridCell(GridConstraintKind Kind, GridModelKind Model, double LearningRate, double MarginSetting)
{
    /// <summary>The margin setting as the report writes it: the margin, K₀ + slack, or K₀ × factor.</summary>
    public string MarginLabel => Kind switch
    {
        GridConstraintKind.Forbidden => $"K₀ + {Format(MarginSetting)}",
        GridConstraintKind.Inequality => $"K₀ × {Format(MarginSetting)}",
        _ => Format(MarginSetting),
    };

    /// <summary>kind/model/lr/margin, for progress and messages.</summary>
    public string Label => $"{GridAxes.Name(Kind)}/{GridAxes.Name(Model)}/lr {GridAxes.Name(LearningRate)}/margin {MarginLabel}";

    private static string Format(double value) => value.ToString("G4", CultureInfo.InvariantCulture);
}

using System.Globalization;

namespace Galt.Experiments.Benchmarks.ConstraintGrid;

/// <summary>
/// The part of the grid a run covers: kinds, models, learning rates and methods. <c>--quick</c> narrows the defaults
/// (mlp only, lr 1e-3 and 1e-2); <c>--variant</c> is a comma list of axis values (kl, forbidden, inequality, equality;
/// mlp, lora, transformer; galt, hessian, penalty, ascent; a learning rate such as 1e-2): an axis it names keeps just
/// the named values, an axis it does not name keeps its defaults. <c>--variant kl,mlp</c> keeps the kl cells on the mlp.
/// </summary>
/// <param name="Kinds">Constraint kinds.</param>
/// <param name="Models">Models.</param>
/// <param name="LearningRates">Learning rates.</param>
/// <param name="Methods">Methods run in every cell.</param>
public sealed record GridSelection(IReadOnlyList<GridConstraintKind> Kinds, IReadOnlyList<GridModelKind> Models, IReadOnlyList<double> LearningRates,
    IReadOnlyList<GridMethodKind> Methods)
{
    /// <summary>The selection for <paramref name="quick"/> and <paramref name="variant"/> (null: no filter).</summary>
    public static GridSelection For(bool quick, string? variant)
    {
        var kinds = new List<GridConstraintKind>();
        var models = new List<GridModelKind>();
        var rates = new List<double>();
        var methods = new List<GridMethodKind>();
        foreach (string token in (variant ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            string t = token.ToLowerInvariant();
            if (TryFind(GridAxes.Kinds, GridAxes.Name, t, out var kind)) Add(kinds, kind);
            else if (TryFind(GridAxes.Models, GridAxes.Name, t, out var model)) Add(models, model);
            else if (TryFind(GridAxes.Methods, GridAxes.Name, t, out var method)) Add(methods, method);
            else if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double lr) && lr > 0 && double.IsFinite(lr)) Add(rates, lr);
            else
                throw new ArgumentException($"--variant: '{token}' is not a value of the constraint grid's axes. Known: kinds {string.Join(", ", GridAxes.Kinds.Select(GridAxes.Name))}; " +
                    $"models {string.Join(", ", GridAxes.Models.Select(GridAxes.Name))}; methods {string.Join(", ", GridAxes.Methods.Select(GridAxes.Name))}; or a learning rate such as 1e-2.");
        }
        return new GridSelection(
            kinds.Count > 0 ? GridAxes.Kinds.Where(kinds.Contains).ToArray() : GridAxes.Kinds,
            models.Count > 0 ? GridAxes.Models.Where(models.Contains).ToArray() : quick ? GridAxes.QuickModels : GridAxes.Models,
            rates.Count > 0 ? rates.OrderBy(r => r).ToArray() : quick ? GridAxes.QuickLearningRates : GridAxes.LearningRates,
            methods.Count > 0 ? GridAxes.Methods.Where(methods.Contains).ToArray() : GridAxes.Methods);
    }

    private static bool TryFind<T>(IReadOnlyList<T> values, Func<T, string> name, string token, out T value)
    {
        foreach (var v in values)
            if (name(v) == token) { value = v; return true; }
        value = default!;
        return false;
    }

    private static void Add<T>(List<T> list, T value)
    {
        if (!list.Contains(value)) list.Add(value);
    }

    /// <summary>Every cell: kind × model × learning rate × margin setting, in report order.</summary>
    public IReadOnlyList<GridCell> Cells() =>
        (from kind in Kinds from model in Models from lr in LearningRates from margin in GridAxes.MarginSettings(kind) select new GridCell(kind, model, lr, margin)).ToArray();
}

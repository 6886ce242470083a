using System.Globalization;

namespace Galt.Experiments.Benchmarks.ConstraintGrid;

/// <summary>A method and, for the baselines, its weight (w of the soft penalty, η of gradient ascent).</summary>
/// <param name="Kind">The method.</param>
/// <param name="Weight">w or η; ignored (NaN) for the constrained optimizers.</param>
public sealed record GridMethod(GridMethodKind Kind, double Weight = double.NaN)
{
    /// <summary>The method with default options but the learning rate.</summary>
    public static GridMethod Galt { get; } = new(GridMethodKind.Galt);

    /// <summary>The AL-Hessian optimizer with default options but the learning rate.</summary>
    public static GridMethod Hessian { get; } = new(GridMethodKind.Hessian);

    /// <summary>The soft penalty with weight <paramref name="w"/>.</summary>
    public static GridMethod SoftPenalty(double w) => new(GridMethodKind.SoftPenalty, w);

    /// <summary>Gradient ascent on λ with step <paramref name="eta"/>.</summary>
    public static GridMethod GradientAscent(double eta) => new(GridMethodKind.GradientAscent, eta);

    /// <summary>Whether this is a baseline (it has a weight).</summary>
    public bool IsBaseline => Kind is GridMethodKind.SoftPenalty or GridMethodKind.GradientAscent;

    /// <summary>"galt", "hessian", "penalty w=…", "ascent η=…".</summary>
    public string Label => Kind switch
    {
        GridMethodKind.SoftPenalty => $"penalty w={Weight.ToString("G4", CultureInfo.InvariantCulture)}",
        GridMethodKind.GradientAscent => $"ascent η={Weight.ToString("G4", CultureInfo.InvariantCulture)}",
        _ => GridAxes.Name(Kind),
    };
}

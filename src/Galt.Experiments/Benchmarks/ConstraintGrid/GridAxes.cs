using System.Globalization;

namespace Galt.Experiments.Benchmarks.ConstraintGrid;

/// <summary>Which requirement a grid cell's task pushes against.</summary>
public enum GridConstraintKind
{
    /// <summary>KL retention on other inputs (<see cref="Galt.Constraints.KlRetentionConstraint"/>); the task learns random labels.</summary>
    Kl,

    /// <summary>Forbidden mass of class 0 on other inputs (<see cref="Galt.Constraints.ForbiddenMassConstraint"/>); the task pushes towards class 0.</summary>
    Forbidden,

    /// <summary>An inequality on the mean squared logit of other inputs (a <see cref="Galt.Constraints.FunctionConstraint"/>); the task learns random labels.</summary>
    Inequality,

    /// <summary>An equality on the mean class-0 logit of other inputs (a <see cref="Galt.Constraints.FunctionConstraint"/>); the task pushes towards class 0.</summary>
    Equality,
}

/// <summary>The tiny model a grid cell trains.</summary>
public enum GridModelKind
{
    /// <summary><c>new Mlp(8, 16, 4)</c> on 8-dimensional inputs.</summary>
    Mlp,

    /// <summary><c>new LoraMlp(rank: 4, 8, 16, 16, 4)</c> with <c>FreezeBase()</c> on 8-dimensional inputs.</summary>
    Lora,

    /// <summary>A one-block <c>TransformerClassifier</c> on token sequences of length 6.</summary>
    Transformer,
}

/// <summary>How a grid run trains: one of Galt's two constrained optimizers, or one of the two baselines.</summary>
public enum GridMethodKind
{
    /// <summary><see cref="Galt.Optim.GaltOptimizer"/> with default options but the learning rate.</summary>
    Galt,

    /// <summary><see cref="Galt.Optim.AlHessianOptimizer"/> with default options but the learning rate.</summary>
    Hessian,

    /// <summary>AdamW on the task loss plus a fixed penalty w·K (inequalities) or w·C² (equalities).</summary>
    SoftPenalty,

    /// <summary>AdamW on the task loss plus λ·C, with plain gradient ascent λ ← λ + η·C (projected to λ ≥ 0 for inequalities).</summary>
    GradientAscent,
}

/// <summary>The values of the grid's axes, their command-line names, and the margins of each constraint kind.</summary>
public static class GridAxes
{
    /// <summary>Learning rates of the full grid.</summary>
    public static IReadOnlyList<double> LearningRates { get; } = new[] { 1e-4, 1e-3, 1e-2, 3e-2 };

    /// <summary>Learning rates of <c>--quick</c>.</summary>
    public static IReadOnlyList<double> QuickLearningRates { get; } = new[] { 1e-3, 1e-2 };

    /// <summary>Constraint kinds, in report order.</summary>
    public static IReadOnlyList<GridConstraintKind> Kinds { get; } = Enum.GetValues<GridConstraintKind>();

    /// <summary>Models of the full grid.</summary>
    public static IReadOnlyList<GridModelKind> Models { get; } = Enum.GetValues<GridModelKind>();

    /// <summary>Models of <c>--quick</c>.</summary>
    public static IReadOnlyList<GridModelKind> QuickModels { get; } = new[] { GridModelKind.Mlp };

    /// <summary>The two constrained optimizers under test.</summary>
    public static IReadOnlyList<GridMethodKind> Optimizers { get; } = new[] { GridMethodKind.Galt, GridMethodKind.Hessian };

    /// <summary>Every method, in report order.</summary>
    public static IReadOnlyList<GridMethodKind> Methods { get; } = Enum.GetValues<GridMethodKind>();

    /// <summary>
    /// The two margin settings of a kind: kl, the KL margin itself; forbidden, the slack added to the start value of the
    /// smooth forbidden mass; inequality, the factor on the start value of the mean squared logit; equality, the margin
    /// (the run starts at C = −margin).
    /// </summary>
    public static IReadOnlyList<double> MarginSettings(GridConstraintKind kind) => kind switch
    {
        GridConstraintKind.Kl => new[] { 0.001, 0.01 },
        GridConstraintKind.Forbidden => new[] { 0.01, 0.05 },
        GridConstraintKind.Inequality => new[] { 1.05, 1.5 },
        GridConstraintKind.Equality => new[] { 0.05, 0.2 },
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown constraint kind."),
    };

    /// <summary>The command-line name of a kind: kl, forbidden, inequality, equality.</summary>
    public static string Name(GridConstraintKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>The command-line name of a model: mlp, lora, transformer.</summary>
    public static string Name(GridModelKind model) => model.ToString().ToLowerInvariant();

    /// <summary>The command-line name of a method: galt, hessian, penalty, ascent.</summary>
    public static string Name(GridMethodKind method) => method switch
    {
        GridMethodKind.SoftPenalty => "penalty",
        GridMethodKind.GradientAscent => "ascent",
        _ => method.ToString().ToLowerInvariant(),
    };

    /// <summary>A learning rate as reports and summary keys write it: 1e-4, 1e-3, 1e-2, 3e-2.</summary>
    public static string Name(double learningRate) => learningRate.ToString("0.##e-0", CultureInfo.InvariantCulture);
}

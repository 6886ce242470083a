using Galt.Constraints;
using Galt.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Experiments.Benchmarks.ConstraintGrid;

/// <summary>
/// One seed of one cell, ready to train: the model, its 16 task inputs and the task loss that pushes against the
/// constraint, and the constraint on 32 other inputs (built on a <see cref="CountedModel"/>, so its evaluations are
/// counted). Same cell and seed, same tensors.
/// </summary>
public sealed class GridProblem : IDisposable
{
    /// <summary>Task inputs (full batch, the same every step).</summary>
    public const int TaskPoints = 16;

    /// <summary>Inputs the constraint is measured on (disjoint from the task's).</summary>
    public const int ConstraintPoints = 32;

    /// <summary>T_lse of the forbidden-mass constraint.</summary>
    public const double ForbiddenTemperature = 0.1;

    private static readonly Scalar Two = 2.ToScalar();

    private readonly Tensor _taskInputs;
    private readonly Tensor _taskLabels;
    private readonly Tensor _constraintInputs;

    private GridProblem(GridCell cell, nn.Module<Tensor, Tensor> model, CountedModel counted, Tensor taskInputs, Tensor taskLabels, Tensor constraintInputs)
    {
        Cell = cell;
        Model = model;
        Counted = counted;
        _taskInputs = taskInputs;
        _taskLabels = taskLabels;
        _constraintInputs = constraintInputs;
    }

    /// <summary>The cell.</summary>
    public GridCell Cell { get; }

    /// <summary>The model the task trains.</summary>
    public nn.Module<Tensor, Tensor> Model { get; }

    /// <summary>The same model as the constraint sees it, counting its forwards.</summary>
    public CountedModel Counted { get; }

    /// <summary>The constraint C = K − margin.</summary>
    public Constraint Constraint { get; private set; } = null!;

    /// <summary>K at the start (before any step).</summary>
    public double StartMeasure { get; private set; }

    /// <summary>The margin inside C (from <see cref="GridCell.MarginSetting"/> and, for forbidden and inequality, <see cref="StartMeasure"/>).</summary>
    public double Margin => Constraint.Margin;

    /// <summary>The trainable parameters, by name.</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> Parameters =>
        Model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => (p.name, p.parameter)).ToArray();

    /// <summary>
    /// The problem for <paramref name="cell"/> and <paramref name="seed"/>: the model from <c>manual_seed(seed)</c>;
    /// task inputs, task labels and constraint inputs, in that order, from a generator seeded from the seed.
    /// </summary>
    public static GridProblem Create(GridCell cell, int seed)
    {
        var model = GridModels.Create(cell.Model, seed);
        using var generator = new Generator(unchecked((ulong)seed + 7919));
        var taskInputs = GridModels.Inputs(cell.Model, TaskPoints, generator).DetachFromDisposeScope();
        var randomLabels = randint(0, GridModels.Classes, new long[] { TaskPoints }, dtype: ScalarType.Int64, generator: generator);
        var constraintInputs = GridModels.Inputs(cell.Model, ConstraintPoints, generator).DetachFromDisposeScope();
        // kl and inequality learn random labels (which moves the anchor distribution and grows the logits); forbidden and
        // equality push every task point to class 0 (which raises class 0's mass and logit on other inputs too).
        var labels = (cell.Kind is GridConstraintKind.Kl or GridConstraintKind.Inequality
            ? randomLabels.clone() : zeros(new long[] { TaskPoints }, dtype: ScalarType.Int64)).DetachFromDisposeScope();
        randomLabels.Dispose();
        var problem = new GridProblem(cell, model, new CountedModel(model), taskInputs, labels, constraintInputs);
        problem.Constraint = problem.BuildConstraint();
        return problem;
    }

    /// <summary>The task loss: cross-entropy of the model on the task inputs towards the task labels (differentiable).</summary>
    public Tensor TaskLoss() => nn.functional.cross_entropy(Model.call(_taskInputs), _taskLabels);

    /// <summary>The task loss now, without a graph.</summary>
    public double TaskLossValue()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return TaskLoss().to(ScalarType.Float64).item<double>();
    }

    private Constraint BuildConstraint()
    {
        string name = $"{GridAxes.Name(Cell.Kind)}_hold";
        var x = _constraintInputs;
        switch (Cell.Kind)
        {
            case GridConstraintKind.Kl:
            {
                // Anchor distribution snapshotted now, on inputs the task never sees.
                var kl = new KlRetentionConstraint(name, Counted, x, temperature: 1.0, margin: Cell.MarginSetting);
                StartMeasure = kl.Value() + kl.Margin;
                return kl;
            }
            case GridConstraintKind.Forbidden:
            {
                using var mask = zeros(ConstraintPoints, GridModels.Classes);
                mask[TensorIndex.Colon, 0] = tensor(1f);
                // The smooth maximum has a floor T·ln(N) ≈ 0.35 above the hard one: a margin from the smooth K at the start keeps the constraint satisfiable.
                using (var probe = new ForbiddenMassConstraint(name, Counted, x, mask, margin: 0, lseTemperature: ForbiddenTemperature))
                    StartMeasure = probe.Value();
                return new ForbiddenMassConstraint(name, Counted, x, mask, margin: StartMeasure + Cell.MarginSetting, lseTemperature: ForbiddenTemperature);
            }
            case GridConstraintKind.Inequality:
            {
                var squared = new FunctionConstraint(name, ConstraintKind.Inequality, () => Counted.call(x).pow(Two).mean());
                StartMeasure = squared.Value();
                squared.Dispose();
                return new FunctionConstraint(name, ConstraintKind.Inequality, () => Counted.call(x).pow(Two).mean(), margin: StartMeasure * Cell.MarginSetting);
            }
            case GridConstraintKind.Equality:
            {
                var raw = new FunctionConstraint(name, ConstraintKind.Equality, () => Counted.call(x).select(1, 0).mean());
                double start = raw.Value();
                raw.Dispose();
                // K = mean class-0 logit minus its start value: K₀ = 0, so the run starts at C = −margin (infeasible by the margin).
                StartMeasure = 0;
                return new FunctionConstraint(name, ConstraintKind.Equality, () => Counted.call(x).select(1, 0).mean().Minus(start), margin: Cell.MarginSetting);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(Cell), Cell.Kind, "unknown constraint kind.");
        }
    }

    /// <summary>Releases the model, the constraint and the inputs.</summary>
    public void Dispose()
    {
        Constraint?.Dispose();
        Counted.Dispose();
        Model.Dispose();
        _taskInputs.Dispose();
        _taskLabels.Dispose();
        _constraintInputs.Dispose();
    }
}

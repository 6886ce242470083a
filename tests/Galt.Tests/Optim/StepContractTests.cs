using Galt.Constraints;
using Galt.Multipliers;
using Galt.Optim;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Tests.Optim;

/// <summary>
/// The per-step contract (docs/feasibility.md §1) as a user meets it: their own loop, default options but the
/// learning rate, a certificate after every step.
/// </summary>
public class StepContractTests
{
    private const int Steps = 25;

    /// <summary>The evaluation paths (the step's Jacobian pass and Certify's no-grad pass) may differ in their last float32 bits.</summary>
    private const double Rounding = 1e-7;

    /// <summary>Violations after each step (the certificate's), and the violation before the first.</summary>
    private static (double Before, double[] After) Run(ContractProblem problem, Func<ConstrainedOptimizerOptions, ConstrainedOptimizerOptions>? configure = null, int steps = Steps)
    {
        using var scope = NewDisposeScope();
        using var built = problem.Build(configure);
        double before = built.Optimizer.Certify().MaxViolation;
        var after = new double[steps];
        for (int s = 0; s < steps; s++)
        {
            built.Optimizer.Step(built.Loss);
            var certificate = built.Optimizer.Certify();
            after[s] = certificate.MaxViolation;
            Assert.False(certificate.Diverged, certificate.Divergence);
        }
        return (before, after);
    }

    private static double Tolerance(ContractProblem p) => p.Kind == "equality" ? new StepContract().EqualityTolerance : new StepContract().Tolerance;

    [Fact]
    public void FromAFeasibleStartEveryStepEndsFeasible()
    {
        SeededProperty.ForAll(ContractProblem.Gen(), cases: 16, seed: 30, problem =>
        {
            var (before, after) = Run(problem);
            Assert.True(before <= Tolerance(problem), $"{problem}: the case should start feasible (violation {before})");
            for (int s = 0; s < Steps; s++)
                Assert.True(after[s] <= Tolerance(problem) + Rounding, $"{problem}: step {s + 1} ended with violation {after[s]:G4}");
        });
    }

    [Fact]
    public void FromAnInfeasibleStartTheViolationNeverRisesAndReachesTheTolerance()
    {
        // A correction moves a step by at most the task's own base step (the trust radius), so how many steps it takes
        // depends on the learning rate: at 1e-3 halving the logits' size takes about a hundred.
        const int steps = 150;
        SeededProperty.ForAll(ContractProblem.Gen(infeasibleStart: true), cases: 12, seed: 31, problem =>
        {
            var (before, after) = Run(problem, steps: steps);
            Assert.True(before > Tolerance(problem), $"{problem}: the case should start infeasible");
            double previous = before;
            for (int s = 0; s < steps; s++)
            {
                Assert.True(after[s] <= Math.Max(previous, Tolerance(problem)) + Rounding, $"{problem}: step {s + 1} raised the violation from {previous:G4} to {after[s]:G4}");
                previous = after[s];
            }
            Assert.True(after[^1] <= Tolerance(problem) + Rounding, $"{problem}: still violated by {after[^1]:G4} after {steps} steps");
        });
    }

    [Fact]
    public void WithoutTheContractTheSameProblemsBreakIt()
    {
        // Not vacuous: the linearised rule alone (the behaviour before the contract) lets the task push the constraint
        // past its margin on these problems at these learning rates.
        int broken = 0, cases = 0;
        SeededProperty.ForAll(ContractProblem.Gen(), cases: 16, seed: 30, problem =>
        {
            cases++;
            var (_, after) = Run(problem, ContractProblem.Uncontracted);
            if (after.Any(v => v > Tolerance(problem) + Rounding)) broken++;
        });
        Assert.True(broken >= cases / 4, $"only {broken} of {cases} uncontracted runs broke the contract: the property test would not notice a broken mechanism");
    }

    [Fact]
    public void TheCommonStepCostsOneEvaluationAndReportsWhatItDid()
    {
        using var scope = NewDisposeScope();
        var x = new Parameter(zeros(3, ScalarType.Float64));
        var target = full(3, 3.0, ScalarType.Float64);
        using var optimizer = new GaltOptimizer(new[] { ("x", x) }, new GaltOptions { LearningRate = 0.05, WeightDecay = 0 });
        int measured = 0;
        optimizer.AddConstraint(new FunctionConstraint("sum ≤ 10", ConstraintKind.Inequality, () => { measured++; return x.sum(); }, margin: 10));
        measured = 0;
        var result = optimizer.Step(() => 0.5 * (x - target).pow(2).sum());
        Assert.True(result.Verified);
        Assert.Equal(1, result.Evaluations);
        Assert.Equal(2, measured);   // the step's Jacobian pass, and the contract's one measurement
        Assert.Equal(1.0, result.Scale);
        Assert.Equal(result.MeasuredValues[0], x.sum().item<double>() - 10, 12);
        Assert.Equal(0, result.Corrections + result.Halvings);
    }

    [Fact]
    public void AStepThatWouldLeaveTheFeasibleSetIsCorrectedFromItsMeasuredValue()
    {
        // ‖x‖² ≤ 1 from x on the boundary's inside; the task pulls x far out. The linearised prediction misses the
        // curvature, so the first try lands outside; the contract corrects or shortens it.
        using var scope = NewDisposeScope();
        var x = new Parameter(tensor(new[] { 0.9, 0.0 }, ScalarType.Float64));
        var target = tensor(new[] { 5.0, 5.0 }, ScalarType.Float64);
        using var optimizer = new GaltOptimizer(new[] { ("x", x) }, new GaltOptions { LearningRate = 0.3, WeightDecay = 0, RhoAnchor = 0 });
        optimizer.AddConstraint(new FunctionConstraint("disc", ConstraintKind.Inequality, () => x.square().sum(), margin: 1));
        int corrected = 0;
        for (int s = 0; s < 30; s++)
        {
            var result = optimizer.Step(() => (x - target).square().sum());
            corrected += result.Corrections + result.Halvings;
            Assert.True(x.square().sum().item<double>() - 1 <= 0, $"step {s + 1}: ‖x‖² = {x.square().sum().item<double>()}");
            Assert.Equal(1 + result.Corrections + result.Halvings, result.Evaluations);
        }
        Assert.True(corrected > 0, "the case should need corrections (else it tests nothing)");
        Assert.True(optimizer.Constraints[0].ContractCorrections > 0);
        // It still made progress toward the task's optimum on the boundary, (1, 1)/√2.
        Assert.True((x - tensor(new[] { 1, 1 }, ScalarType.Float64) / Math.Sqrt(2)).norm().item<double>() < 0.1, $"x = {string.Join(", ", x.data<double>().ToArray())}");
    }

    [Fact]
    public void AMeasureThatThrowsPutsTheParametersBackAndChangesNothing()
    {
        using var scope = NewDisposeScope();
        var x = new Parameter(zeros(2, ScalarType.Float64));
        using var optimizer = new GaltOptimizer(new[] { ("x", x) }, new GaltOptions { LearningRate = 0.1, WeightDecay = 0 });
        int calls = 0;
        optimizer.AddConstraint(new FunctionConstraint("flaky", ConstraintKind.Inequality, () => { if (++calls == 2) throw new InvalidOperationException("measure failed"); return x.sum(); }, margin: 5));
        var e = Assert.Throws<InvalidOperationException>(() => optimizer.Step(() => (x - 1).square().sum()));
        Assert.Equal("measure failed", e.Message);
        Assert.Equal(new[] { 0.0, 0.0 }, x.data<double>().ToArray());
        Assert.Equal(0, optimizer.StepCount);
        Assert.Null(optimizer.Metric.FirstMoment(0));
        Assert.Equal(0.0, optimizer.Constraints[0].Lambda);
    }

    [Fact]
    public void AConstraintRegisteredByNameIsCheckedOnlyWithAMeasureAndSaysSo()
    {
        using var scope = NewDisposeScope();
        var x = new Parameter(zeros(2, ScalarType.Float64));
        var gradients = new Tensor?[] { full(2, -1.0, ScalarType.Float64) };
        Galt.Jacobians.ConstraintEvaluation Evaluation() => new("sum ≤ 1", x.sum().item<double>() - 1, new Tensor?[] { ones(2, ScalarType.Float64) });

        using var blind = new GaltOptimizer(new[] { ("x", x) }, new GaltOptions { LearningRate = 0.1, WeightDecay = 0 });
        blind.AddConstraint("sum ≤ 1", ConstraintKind.Inequality);
        Assert.False(blind.Step(gradients, new[] { Evaluation() }).Verified);

        using var measured = new GaltOptimizer(new[] { ("x", x) }, new GaltOptions { LearningRate = 0.1, WeightDecay = 0 });
        measured.AddConstraint("sum ≤ 1", ConstraintKind.Inequality, measure: () => x.sum().item<double>() - 1);
        var result = measured.Step(gradients, new[] { Evaluation() });
        Assert.True(result.Verified);
        Assert.Equal(1, result.Evaluations);
    }

    [Fact]
    public void ContractSettingsOutOfRangeAreRefusedByName()
    {
        var e = Assert.Throws<ArgumentException>(() => new GaltOptions { Contract = new StepContract { MaxHalvings = -1 } }.Validate());
        Assert.Contains("Contract", e.Message);
        e = Assert.Throws<ArgumentException>(() => new AlHessianOptions { Contract = new StepContract { Tolerance = double.NaN } }.Validate());
        Assert.Contains("tolerances", e.Message);
    }
}

using Galt.Multipliers;
using Galt.Optim;
using static TorchSharp.torch;

namespace Galt.Tests.Optim;

/// <summary>Both optimizers reach the closed-form KKT point (x*, λ*) of convex problems within 1e-3.</summary>
public class KktTests
{
    public static TheoryData<string> Problems() => new(KktProblem.All().Select(p => p.Name));

    private static KktProblem Find(string name) => KktProblem.All().Single(p => p.Name == name);

    /// <summary>Step budget of each optimizer on these problems.</summary>
    internal const int GaltSteps = 2500, HessianSteps = 1500;

    internal static GaltOptions GaltSettings => new()
    {
        LearningRate = 0.02, WeightDecay = 0, RhoAnchor = 0.1, OuterStepFrequency = 5,
        Penalty = new PenaltySchedule(Initial: 1, Floor: 1, Ceiling: 5), Dual = new PiDualRule(RhoI: 1.0),
    };

    internal static AlHessianOptions HessianSettings => new()
    {
        LearningRate = 0.02, WeightDecay = 0, Penalty = new PenaltySchedule(Initial: 1, Floor: 1, Ceiling: 2),
        // Diminishing dual steps (spec §1.2 dual_step_diminish): a constant ρ_dual of up to 1 per step outruns the
        // primal at lr 0.02 and λ cycles around λ* instead of settling.
        Dual = new EmaDualRule(Diminishing: true),
    };

    [Theory]
    [MemberData(nameof(Problems))]
    public void GaltOptimizerReachesTheKktPoint(string name)
    {
        var problem = Find(name);
        using var scope = NewDisposeScope();
        var x = problem.CreateVariable();
        using var optimizer = new GaltOptimizer(new[] { ("x", x) }, GaltSettings);
        Run(problem, x, optimizer, GaltSteps);
    }

    [Theory]
    [MemberData(nameof(Problems))]
    public void AlHessianOptimizerReachesTheKktPoint(string name)
    {
        var problem = Find(name);
        using var scope = NewDisposeScope();
        var x = problem.CreateVariable();
        using var optimizer = new AlHessianOptimizer(new[] { ("x", x) }, HessianSettings);
        Run(problem, x, optimizer, HessianSteps);
    }

    private static void Run(KktProblem problem, TorchSharp.Modules.Parameter x, ConstrainedOptimizer optimizer, int steps)
    {
        var constraints = problem.CreateConstraints(x);
        foreach (var c in constraints) optimizer.AddConstraint(c);
        var objective = problem.Objective(x);
        for (int s = 0; s < steps; s++) optimizer.Step(objective);

        var found = x.detach().data<double>().ToArray();
        var lambdas = optimizer.Constraints.Select(c => c.Lambda).ToArray();
        double xError = found.Zip(problem.XStar).Max(p => Math.Abs(p.First - p.Second));
        double lambdaError = lambdas.Zip(problem.LambdaStar).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(xError <= 1e-3 && lambdaError <= 1e-3,
            $"{problem.Name}: x = [{string.Join(", ", found.Select(v => v.ToString("0.#####")))}] (error {xError:e2}), λ = [{string.Join(", ", lambdas.Select(v => v.ToString("0.#####")))}] (error {lambdaError:e2}) after {steps} steps");
        Assert.True(optimizer.Certify(tolerance: 1e-3).AllFeasible);
    }
}

using Galt.Experiments.Constrained;

namespace Galt.Tests.Optim;

/// <summary>
/// Both optimizers reach the closed-form KKT point (x*, λ*) of convex problems within 1e-3, with the step budgets of
/// <see cref="KktSettings"/> (GaltOptimizer 2,500 steps, AlHessianOptimizer 1,500).
/// </summary>
public class KktTests
{
    public static TheoryData<string> Problems() => new(KktProblem.All.Select(p => p.Name));

    private static KktProblem Find(string name) => KktProblem.All.Single(p => p.Name == name);

    [Theory]
    [MemberData(nameof(Problems))]
    public void GaltOptimizerReachesTheKktPoint(string name) => Check(KktRunner.RunGalt(Find(name)));

    [Theory]
    [MemberData(nameof(Problems))]
    public void AlHessianOptimizerReachesTheKktPoint(string name) => Check(KktRunner.RunHessian(Find(name)));

    private static void Check(KktOutcome o)
    {
        Assert.True(o.XError <= 1e-3 && o.LambdaError <= 1e-3,
            $"{o.Optimizer} on {o.Problem.Name}: x = [{string.Join(", ", o.X.Select(v => v.ToString("0.#####")))}] (error {o.XError:e2}), " +
            $"λ = [{string.Join(", ", o.Lambda.Select(v => v.ToString("0.#####")))}] (error {o.LambdaError:e2}) after {o.LambdaTrace.Length} steps");
        Assert.True(o.Certificate.AllFeasible, $"certificate max violation {o.Certificate.MaxViolation:e2}");
    }
}

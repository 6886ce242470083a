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
    [Trait("Category", TrainedMetric.Category)]
    [MemberData(nameof(Problems))]
    public void GaltOptimizerReachesTheKktPoint(string name) => Check(KktRunner.RunGalt(Find(name)));

    [Theory]
    [Trait("Category", TrainedMetric.Category)]
    [MemberData(nameof(Problems))]
    public void AlHessianOptimizerReachesTheKktPoint(string name) => Check(KktRunner.RunHessian(Find(name)));

    private static void Check(KktOutcome o, [System.Runtime.CompilerServices.CallerMemberName] string test = "")
    {
        string where = $"x = [{string.Join(", ", o.X.Select(v => v.ToString("0.#####")))}], λ = [{string.Join(", ", o.Lambda.Select(v => v.ToString("0.#####")))}] after {o.LambdaTrace.Length} steps";
        TrainedMetric.AtMost($"{o.Optimizer} on {o.Problem.Name}: |x − x*|", o.XError, 1e-3, where, test: test);
        TrainedMetric.AtMost($"{o.Optimizer} on {o.Problem.Name}: |λ − λ*|", o.LambdaError, 1e-3, where, test: test);
        TrainedMetric.AtMost($"{o.Optimizer} on {o.Problem.Name}: certificate max violation", o.Certificate.MaxViolation, o.Certificate.Tolerance, test: test);
    }
}

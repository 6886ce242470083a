using Galt.Optim;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Experiments.Constrained;

/// <summary>Where an optimizer ended on a <see cref="KktProblem"/>, and how it got there.</summary>
/// <param name="Problem">The problem.</param>
/// <param name="Optimizer">"galt" or "al_hessian".</param>
/// <param name="X">Found x.</param>
/// <param name="Lambda">Found λ.</param>
/// <param name="LambdaTrace">λ per constraint after every step.</param>
/// <param name="ViolationTrace">Violation per constraint before every step.</param>
/// <param name="Certificate">The feasibility certificate at the end.</param>
public sealed record KktOutcome(KktProblem Problem, string Optimizer, double[] X, double[] Lambda, double[][] LambdaTrace, double[][] ViolationTrace, FeasibilityCertificate Certificate)
{
    /// <summary>max_i |x_i − x*_i|.</summary>
    public double XError => X.Zip(Problem.XStar).Max(p => Math.Abs(p.First - p.Second));

    /// <summary>max_i |λ_i − λ*_i|.</summary>
    public double LambdaError => Lambda.Zip(Problem.LambdaStar).Max(p => Math.Abs(p.First - p.Second));
}

/// <summary>Runs an optimizer on a KKT problem for a fixed number of steps.</summary>
public static class KktRunner
{
    /// <summary>GaltOptimizer with <see cref="KktSettings.Galt"/> for <see cref="KktSettings.GaltSteps"/> steps.</summary>
    public static KktOutcome RunGalt(KktProblem problem, Action? onStep = null) =>
        Run(problem, "galt", x => new GaltOptimizer(new[] { ("x", x) }, KktSettings.Galt), KktSettings.GaltSteps, onStep);

    /// <summary>AlHessianOptimizer with <see cref="KktSettings.Hessian"/> for <see cref="KktSettings.HessianSteps"/> steps.</summary>
    public static KktOutcome RunHessian(KktProblem problem, Action? onStep = null) =>
        Run(problem, "al_hessian", x => new AlHessianOptimizer(new[] { ("x", x) }, KktSettings.Hessian), KktSettings.HessianSteps, onStep);

    /// <summary>Runs <paramref name="create"/>'s optimizer for <paramref name="steps"/> steps from the problem's start.</summary>
    public static KktOutcome Run(KktProblem problem, string label, Func<Parameter, ConstrainedOptimizer> create, int steps, Action? onStep = null)
    {
        using var scope = NewDisposeScope();
        var x = problem.CreateVariable();
        using var optimizer = create(x);
        var constraints = problem.CreateConstraints(x);
        foreach (var c in constraints) optimizer.AddConstraint(c);
        var objective = problem.Objective(x);
        var lambdas = new double[steps][];
        var violations = new double[steps][];
        for (int s = 0; s < steps; s++)
        {
            var result = optimizer.Step(objective);
            lambdas[s] = optimizer.Constraints.Select(c => c.Lambda).ToArray();
            violations[s] = result.Values.Select((v, i) => problem.Constraints[i].Kind == Galt.Constraints.ConstraintKind.Inequality ? Math.Max(0, v) : Math.Abs(v)).ToArray();
            onStep?.Invoke();
        }
        var outcome = new KktOutcome(problem, label, x.detach().data<double>().ToArray(), lambdas[^1], lambdas, violations, optimizer.Certify(tolerance: 1e-3));
        foreach (var c in constraints) c.Dispose();
        return outcome;
    }
}

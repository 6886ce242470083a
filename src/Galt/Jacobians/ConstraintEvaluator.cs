using Galt.Constraints;
using TorchSharp.Modules;

namespace Galt.Jacobians;

/// <summary>
/// Evaluates a list of constraints (values and Jacobian rows, in order) by the path asked for: constraints that score
/// the same supported model go through <see cref="BatchedJacobians"/> together; the rest through <see cref="AutogradJacobians"/>.
/// Under <see cref="JacobianPath.Auto"/> every fallback is logged once (through the <c>warn</c> callback when given, else
/// <see cref="Galt.Diagnostics.GaltLog"/>): an unsupported layer, or a layer called with <c>forward(...)</c> that no hook saw.
/// </summary>
public static class ConstraintEvaluator
{
    /// <summary>The evaluations, in the order of <paramref name="constraints"/>; the caller owns them.</summary>
    public static ConstraintEvaluation[] Evaluate(IReadOnlyList<Constraint> constraints, IReadOnlyList<Parameter> parameters, JacobianPath path, Action<string>? warn = null)
    {
        var result = new ConstraintEvaluation[constraints.Count];
        var groups = new Dictionary<object, List<int>>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < constraints.Count; i++)
        {
            var model = (constraints[i] as IBatchedConstraint)?.Model;
            if (path == JacobianPath.Batched && model is null)
                throw new NotSupportedException($"constraint '{constraints[i].Name}' cannot use the batched Jacobian path (it does not score a module); use JacobianPath.Auto or Autograd.");
            if (path == JacobianPath.Autograd || model is null) continue;
            if (path == JacobianPath.Batched && BatchedJacobians.Unsupported(model) is { } reason)
                throw new NotSupportedException($"constraint '{constraints[i].Name}': batched Jacobians forced but {reason}.");
            if (path == JacobianPath.Auto && BatchedJacobians.MustFallBack(model, warn)) continue;
            if (!groups.TryGetValue(model, out var members)) groups[model] = members = new List<int>();
            members.Add(i);
        }
        foreach (var members in groups.Values)
        {
            var group = members.Select(i => (IBatchedConstraint)constraints[i]).ToArray();
            if (path == JacobianPath.Batched)
            {
                var forced = BatchedJacobians.Evaluate(group, parameters);
                for (int x = 0; x < members.Count; x++) result[members[x]] = forced[x];
                continue;
            }
            // Auto: a model whose layers run without hooks would get missing rows; those constraints go to autograd.
            var batch = BatchedJacobians.TryEvaluate(group, parameters, out string? missed);
            if (batch is null)
            {
                BatchedJacobians.WarnOnce($"model '{group[0].Model!.GetName()}' ({group[0].Model!.GetType().Name}): {missed}", warn);
                continue;
            }
            for (int x = 0; x < members.Count; x++) result[members[x]] = batch[x];
        }
        for (int i = 0; i < constraints.Count; i++)
            result[i] ??= AutogradJacobians.Evaluate(constraints[i], parameters);
        return result;
    }
}

using Galt.Constraints;
using Galt.Jacobians;
using Galt.Maps;
using Galt.Solve;
using Microsoft.Extensions.Logging;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Optim;

/// <summary>
/// A neural map at an optimizer's current state: the rows' Jacobians by the optimizer's Jacobian path, the metric its
/// next step would use from the moments it holds (floored as its solve floors it), and sites named by parameter-name
/// prefix.
/// </summary>
internal static class OptimizerMap
{
    public static NeuralMap Compute(IReadOnlyList<Parameter> parameters, IReadOnlyList<string> names, AdamMetric metric, double metricFloorRatio, JacobianPath path,
        IReadOnlyList<(Constraint Constraint, MapRowRole Role)> rows, IReadOnlyList<string> sites)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(sites);
        if (rows.Count == 0) throw new ArgumentException("a map needs at least one row.", nameof(rows));
        if (sites.Count == 0) throw new ArgumentException("a map needs at least one site (a parameter-name prefix such as \"head\").", nameof(sites));
        var siteTensors = sites.Select(prefix => Enumerable.Range(0, names.Count).Where(p => Matches(names[p], prefix)).ToArray()).ToArray();
        for (int s = 0; s < sites.Count; s++)
            if (siteTensors[s].Length == 0)
                throw new ArgumentException($"site '{sites[s]}' names no parameter of this optimizer; its parameters are {string.Join(", ", names)}.", nameof(sites));
        var shared = siteTensors.SelectMany((tensors, s) => tensors.Select(p => (p, s))).GroupBy(x => x.p).FirstOrDefault(g => g.Count() > 1);
        if (shared is not null)
            throw new ArgumentException($"parameter '{names[shared.Key]}' belongs to sites {string.Join(" and ", shared.Select(x => $"'{sites[x.s]}'"))}; sites must not overlap.", nameof(sites));

        using var scope = NewDisposeScope();
        var evaluations = ConstraintEvaluator.Evaluate(rows.Select(r => r.Constraint).ToArray(), parameters, path);
        foreach (var e in evaluations)
            if (!double.IsFinite(e.Value)) throw new NonFiniteValueException(e.Name, $"constraint '{e.Name}' has value {e.Value}; no map was computed.");
        var fresh = Enumerable.Range(0, parameters.Count).Where(p => metric.StepCount(p) == 0 && siteTensors.Any(t => t.Contains(p))).Select(p => names[p]).ToArray();
        if (fresh.Length > 0)
            Galt.Diagnostics.GaltLog.For("Galt.Maps").LogWarning(
                "The map uses D = 1 for {Names}: they have taken no step yet, so the optimizer holds no metric for them.", string.Join(", ", fresh));
        var d = Enumerable.Range(0, parameters.Count).Select(p => metric.StepCount(p) > 0
            ? PrimalStep.FloorMetric(metric.CurrentMetric(p)!, metricFloorRatio)
            : ones_like(parameters[p])).ToArray();
        var grams = NeuralMap.Grams(evaluations.Select(e => (IReadOnlyList<Tensor?>)e.Jacobian).ToArray(), d, siteTensors);
        // Targets ask the row to reach its boundary (C + JΔ = 0), protect rows to stay inside it (C + JΔ ≤ 0): both −C.
        var mapRows = rows.Select((r, i) => new MapRow(r.Constraint.Name, r.Role, r.Role == MapRowRole.Channel ? 0 : -evaluations[i].Value)).ToArray();
        return NeuralMap.Compute(mapRows, sites, grams);
    }

    private static bool Matches(string name, string prefix) =>
        name == prefix || (name.StartsWith(prefix, StringComparison.Ordinal) && name.Length > prefix.Length && name[prefix.Length] == '.');
}

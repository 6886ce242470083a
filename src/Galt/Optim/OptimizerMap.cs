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
    public static NeuralMap Compute(object owner, IReadOnlyList<Parameter> parameters, IReadOnlyList<string> names, AdamMetric metric, double metricFloorRatio, JacobianPath path,
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
        var d = Metric(parameters, names, metric, metricFloorRatio, siteTensors.SelectMany(t => t).ToArray(), warn: true);
        var grams = NeuralMap.Grams(evaluations.Select(e => (IReadOnlyList<Tensor?>)e.Jacobian).ToArray(), d, siteTensors);
        // Targets ask the row to reach its boundary (C + JΔ = 0), protect rows to stay inside it (C + JΔ ≤ 0): both −C.
        var mapRows = rows.Select((r, i) => new MapRow(r.Constraint.Name, r.Role, r.Role == MapRowRole.Channel ? 0 : -evaluations[i].Value)).ToArray();
        var map = NeuralMap.Compute(mapRows, sites, grams);
        map.Origin = new MapOrigin(owner, rows.Select(r => r.Constraint).ToArray(), siteTensors);
        return map;
    }

    /// <summary>
    /// The metric the optimizer's next step would use for the tensors <paramref name="used"/>: the floored √v̂ + ε of the
    /// moments it holds, or D = 1 for a tensor that has taken no step (logged once per map when <paramref name="warn"/>).
    /// Other tensors get an empty placeholder, never read.
    /// </summary>
    public static Tensor[] Metric(IReadOnlyList<Parameter> parameters, IReadOnlyList<string> names, AdamMetric metric, double metricFloorRatio, int[] used, bool warn)
    {
        var fresh = used.Distinct().Where(p => metric.StepCount(p) == 0).Select(p => names[p]).ToArray();
        if (warn && fresh.Length > 0)
            Galt.Diagnostics.GaltLog.For("Galt.Maps").LogWarning(
                "The map uses D = 1 for {Names}: they have taken no step yet, so the optimizer holds no metric for them.", string.Join(", ", fresh));
        var wanted = new HashSet<int>(used);
        return Enumerable.Range(0, parameters.Count).Select(p => !wanted.Contains(p) ? empty(0)
            : metric.StepCount(p) > 0 ? PrimalStep.FloorMetric(metric.CurrentMetric(p)!, metricFloorRatio)
            : ones_like(parameters[p])).ToArray();
    }

    private static bool Matches(string name, string prefix) =>
        name == prefix || (name.StartsWith(prefix, StringComparison.Ordinal) && name.Length > prefix.Length && name[prefix.Length] == '.');
}

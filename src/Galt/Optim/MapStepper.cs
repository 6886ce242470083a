using Galt.Jacobians;
using Galt.Maps;
using Galt.Solve;
using Galt.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Optim;

/// <summary>The map-guided step of <see cref="ConstrainedOptimizer.MapStep"/>.</summary>
internal static class MapStepper
{
    public static StepResult Take(object owner, IReadOnlyList<Parameter> parameters, IReadOnlyList<string> names, AdamMetric metric, double metricFloorRatio, JacobianPath path,
        NeuralMap map, SiteSelection selection, TrustRegion region, Func<IReadOnlyList<Tensor>>? preActivations, double stepFraction)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(selection);
        if (map.Origin is not { } origin || !ReferenceEquals(origin.Optimizer, owner))
            throw new ArgumentException("the map was not computed by this optimizer (optimizer.Map): a map step needs its rows' constraints and sites.", nameof(map));
        if (selection.Map is not { } chosen)
            throw new ArgumentException($"the selection found no site to step at: {selection.Reason}.", nameof(selection));
        if (region != TrustRegion.Raw && preActivations is null)
            throw new ArgumentException($"trust region {region} needs the pre-activations to judge the chart by; pass preActivations (or use TrustRegion.Raw).", nameof(preActivations));
        if (!(stepFraction > 0) || double.IsInfinity(stepFraction)) throw new ArgumentException($"the step fraction must be positive and finite; got {stepFraction}.", nameof(stepFraction));
        var siteIndex = selection.Sites.Select(name =>
        {
            int s = map.SiteNames.ToList().IndexOf(name);
            return s >= 0 ? s : throw new ArgumentException($"the selection names site '{name}', which the map does not have ({string.Join(", ", map.SiteNames)}).", nameof(selection));
        }).ToArray();
        var tensors = siteIndex.SelectMany(s => origin.SiteTensors[s]).Distinct().OrderBy(p => p).ToArray();

        using var scope = NewDisposeScope();
        var evaluations = ConstraintEvaluator.Evaluate(origin.Constraints, parameters, path);
        var before = evaluations.Select(e => e.Value).ToArray();
        for (int i = 0; i < before.Length; i++)
        {
            if (map.Rows[i].Role == MapRowRole.Channel) continue;
            double was = -map.Rows[i].Value;
            if (Math.Abs(before[i] - was) > 1e-6 * Math.Max(1, Math.Abs(was)))
                throw new InvalidOperationException($"row '{map.Rows[i].Name}' is {before[i]:G6} now but was {was:G6} when the map was computed: the parameters moved since; compute a new map.");
        }
        var d = OptimizerMap.Metric(parameters, names, metric, metricFloorRatio, tensors, warn: false);
        var y = chosen.AdmissibleCoefficients;
        using var noGrad = no_grad();
        // δ_p = η Σ_i y_i J_i,p / D_p on the chosen site's tensors.
        var delta = new Dictionary<int, Tensor>();
        foreach (int p in tensors)
        {
            Tensor? sum = null;
            for (int i = 0; i < y.Count; i++)
                if (y[i] != 0 && evaluations[i].Jacobian[p] is { } j)
                    sum = sum is null ? j.Times(y[i]) : sum.PlusInPlace(j.Times(y[i]));
            if (sum is not null) delta[p] = sum.div_(d[p]).TimesInPlace(stepFraction);
        }
        var predictedChange = evaluations.Select(e => delta.Sum(kv => e.Jacobian[kv.Key] is { } j ? Dot(j, kv.Value) : 0)).ToArray();

        var entry = delta.Keys.ToDictionary(p => p, p => parameters[p].detach().clone());
        void Place(double t)
        {
            using var scale = t.ToScalar();
            foreach (var (p, step) in delta)
            {
                using var target = parameters[p].detach();
                target.copy_(entry[p]).add_(step, scale);
            }
        }
        try
        {
            int forwards = 0;
            double sigma = 1;
            if (region != TrustRegion.Raw)
            {
                (sigma, forwards) = ChartSearch.Scale(region, t =>
                {
                    Place(t);
                    using var inner = NewDisposeScope();
                    return Signs(preActivations!());
                });
            }
            Place(sigma);
            var after = origin.Constraints.Select(c => c.Value()).ToArray();
            if (after.Any(v => !double.IsFinite(v)))
                throw new NonFiniteValueException(origin.Constraints[Array.FindIndex(after, v => !double.IsFinite(v))].Name, "a row is not finite after the map step; the parameters were put back.");
            return new StepResult(double.NaN, before, before.Select((v, i) => v + sigma * predictedChange[i]).ToArray(), SolvePath.Woodbury, chosen.Conditioning, false)
            {
                MeasuredValues = after, Scale = sigma, Evaluations = forwards, Verified = true,
            };
        }
        catch
        {
            foreach (var (p, value) in entry)
            {
                using var target = parameters[p].detach();
                target.copy_(value);
            }
            throw;
        }
    }

    private static double Dot(Tensor a, Tensor b)
    {
        using var product = a.mul(b).sum();
        using var wide = product.to_type(ScalarType.Float64);
        return wide.item<double>();
    }

    private static sbyte[] Signs(IReadOnlyList<Tensor> preActivations) =>
        preActivations.SelectMany(t =>
        {
            using var sign = t.detach().sign();
            using var small = sign.to_type(ScalarType.Int8);
            using var cpu = small.cpu();
            return cpu.data<sbyte>().ToArray();
        }).ToArray();
}

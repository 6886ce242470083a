using Galt.Tensors;
using Galt.Diagnostics;
using Galt.Models;
using Microsoft.Extensions.Logging;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Jacobians;

/// <summary>
/// Constraint Jacobians at the cost of one backward pass. All constraints on one model are evaluated in one
/// forward pass over the union of their example sets, with forward hooks recording every supported layer's input a and
/// output y; one backward pass of Σ_e K_e to the layer outputs gives each example's output gradient g (examples do not
/// interact inside the model, so g_s belongs to the constraint that owns example s). Each constraint's row is then
/// assembled per layer from its own examples: for a Linear layer J_W = G_eᵀ A_e and J_b = Σ G_e; for a LoRA layer
/// J_A = (G_e B)ᵀ A_e / r and J_B = G_eᵀ (A_e Aᵀ) / r.
/// </summary>
public static class BatchedJacobians
{
    private static readonly HashSet<string> Warned = new();

    /// <summary>
    /// The first parameterised module of <paramref name="model"/> the batched path cannot handle, with the reason; null
    /// when every trainable parameter sits in a layer with a rule in <see cref="LayerJacobianRules"/> that serves it.
    /// </summary>
    public static string? Unsupported(nn.Module<Tensor, Tensor> model)
    {
        foreach (var (name, module) in model.named_modules().Prepend(("", model)))
        {
            if (module is Sequential)
                return $"Sequential '{name}' disposes its intermediate outputs, which the batched path keeps (use Galt.Models.BlockChain)";
            var own = module.named_parameters(recurse: false).Where(p => p.parameter.requires_grad).ToArray();
            if (module is BatchNorm1d or BatchNorm2d or BatchNorm3d && module.training)
                return $"{module.GetType().Name} '{name}' in training mode couples the examples of a batch";
            if (own.Length == 0) continue;
            if (LayerJacobianRules.For(module) is not { } rule)
                return $"{module.GetType().Name} '{name}' (parameters {string.Join(", ", own.Select(p => p.name))}) has no batched Jacobian rule (register one with LayerJacobianRules.Register)";
            if (rule.Unsupported(module) is { } reason) return $"'{name}': {reason}";
        }
        return null;
    }

    /// <summary>Modules whose calls the batched path records: those with a rule and a trainable parameter of their own.</summary>
    private static bool Tapped(nn.Module module) =>
        LayerJacobianRules.For(module) is not null && module.named_parameters(recurse: false).Any(p => p.parameter.requires_grad);

    /// <summary>
    /// Returns true (and warns once per reason through <paramref name="warn"/>, by default the <see cref="GaltLog"/>
    /// logger) when the batched path cannot serve <paramref name="model"/>.
    /// </summary>
    public static bool MustFallBack(nn.Module<Tensor, Tensor> model, Action<string>? warn = null)
    {
        string? reason = Unsupported(model);
        if (reason is null) return false;
        WarnOnce(reason, warn);
        return true;
    }

    /// <summary>Warns once per distinct reason that the batched path falls back to autograd.</summary>
    internal static void WarnOnce(string reason, Action<string>? warn)
    {
        lock (Warned)
            if (!Warned.Add(reason)) return;
        string message = $"galt: batched Jacobians unavailable, using autograd per constraint: {reason}.";
        if (warn is not null) warn(message);
        else GaltLog.For("Galt.Jacobians").LogWarning("{Message}", message);
    }

    /// <summary>
    /// Values and Jacobian rows (over <paramref name="parameters"/>) of constraints that all score the same model.
    /// The caller owns the returned evaluations. Throws when the model has an unsupported layer (check <see cref="Unsupported"/>),
    /// or when a parameter the constraints depend on sits in a layer no hook saw (called with <c>forward(...)</c>
    /// rather than <c>call(...)</c>): the message names the parameter.
    /// </summary>
    public static ConstraintEvaluation[] Evaluate(IReadOnlyList<IBatchedConstraint> constraints, IReadOnlyList<Parameter> parameters) =>
        TryEvaluate(constraints, parameters, out string? missed) ?? throw new NotSupportedException($"batched Jacobians: {missed}.");

    /// <summary>
    /// As <see cref="Evaluate"/>, but returns null (with the reason in <paramref name="missed"/>) instead of throwing
    /// when the hooks missed a parameter the constraints depend on; the caller then evaluates them by autograd. That
    /// check costs one extra backward pass only when some supported layer with trainable parameters fired no hook.
    /// </summary>
    public static ConstraintEvaluation[]? TryEvaluate(IReadOnlyList<IBatchedConstraint> constraints, IReadOnlyList<Parameter> parameters, out string? missed)
    {
        missed = null;
        if (constraints.Count == 0) return Array.Empty<ConstraintEvaluation>();
        var model = constraints[0].Model ?? throw new ArgumentException($"constraint '{constraints[0].Name}' names no model; it cannot use the batched path.");
        if (constraints.Any(c => !ReferenceEquals(c.Model, model)))
            throw new ArgumentException("batched Jacobians need constraints that score one and the same model.");
        if (Unsupported(model) is { } reason) throw new NotSupportedException($"batched Jacobians: {reason}.");

        using var scope = NewDisposeScope();
        var taps = new List<Tap>();
        var removers = new List<Action>();
        foreach (var module in model.modules().Prepend(model))
        {
            if (!Tapped(module)) continue;
            var hook = ((nn.Module<Tensor, Tensor>)module).register_forward_hook((m, input, output) => { taps.Add(new Tap(m, input, output)); return output; });
            removers.Add(hook.remove);
        }

        var counts = constraints.Select(c => c.Inputs.shape[0]).ToArray();
        var offsets = new long[counts.Length + 1];
        for (int e = 0; e < counts.Length; e++) offsets[e + 1] = offsets[e] + counts[e];
        Tensor outputs;
        try
        {
            outputs = model.call(cat(constraints.Select(c => c.Inputs).ToArray()));
        }
        finally
        {
            foreach (var remove in removers) remove();
        }

        // K per constraint as one [k] tensor: vectorised when the constraints can measure their group at once, one call each otherwise.
        var measures = (constraints[0] as IVectorizedMeasure)?.MeasureGroup(constraints, outputs)
                       ?? stack(constraints.Select((c, e) => c.MeasureOutputs(outputs[TensorIndex.Slice(offsets[e], offsets[e + 1])]).reshape(Array.Empty<long>())).ToArray());
        var measured = measures.detach().to(ScalarType.Float64).cpu().data<double>().ToArray();
        var values = measured.Select((k, e) => k - constraints[e].Margin).ToArray();
        var total = measures.sum();
        if (MissedParameter(model, taps, parameters, total) is { } name)
        {
            missed = $"parameter '{name}' changes the constraints but its layer ran without hooks (called with forward(...) rather than call(...))";
            return null;
        }
        var outputGradients = taps.Count == 0 ? Array.Empty<Tensor>() : autograd.grad(new[] { total }, taps.Select(t => t.Output).ToArray(), allow_unused: true).ToArray();

        var index = parameters.Select((p, i) => (p, i)).ToDictionary(x => x.p.Handle, x => x.i);
        var rows = constraints.Select(_ => new Tensor?[parameters.Count]).ToArray();
        // Equal example counts (the usual case: anchor sets of one size) let every layer's k rows come from a few
        // batched products instead of k small ones.
        bool uniform = counts.All(c => c == counts[0]);
        using (no_grad())
        {
            for (int t = 0; t < taps.Count; t++)
            {
                var g = outputGradients[t];
                if (g is null || g.IsInvalid) continue;
                var tap = taps[t];
                var rule = LayerJacobianRules.For(tap.Module)!;
                if (uniform && tap.Input.dim() >= 2 && tap.Input.is_floating_point()
                    && rule.BatchedRows(tap.Module, tap.Input.reshape(constraints.Count, -1, tap.Input.shape[^1]), g.reshape(constraints.Count, -1, g.shape[^1])) is { } batched)
                {
                    foreach (var (parameter, gradients) in batched)
                        if (index.TryGetValue(parameter.Handle, out int p))
                        {
                            var perConstraint = gradients.unbind(0);
                            for (int e = 0; e < constraints.Count; e++)
                                rows[e][p] = rows[e][p] is { } sum ? sum.PlusInPlace(perConstraint[e]) : perConstraint[e];
                        }
                    continue;
                }
                for (int e = 0; e < constraints.Count; e++)
                {
                    var sl = TensorIndex.Slice(offsets[e], offsets[e + 1]);
                    foreach (var (parameter, gradient) in rule.Rows(tap.Module, tap.Input[sl], g[sl]))
                        if (index.TryGetValue(parameter.Handle, out int p))
                            rows[e][p] = rows[e][p] is { } sum ? sum.PlusInPlace(gradient) : gradient;
                }
            }
        }
        var result = new ConstraintEvaluation[constraints.Count];
        for (int e = 0; e < constraints.Count; e++)
        {
            foreach (var j in rows[e]) j?.MoveToOuterDisposeScope();
            result[e] = new ConstraintEvaluation(constraints[e].Name, values[e], rows[e]);
        }
        return result;
    }

    /// <summary>
    /// The name of the first trainable parameter in <paramref name="parameters"/> that sits in a supported layer which
    /// fired no hook yet reaches <paramref name="total"/> (so its Jacobian row would silently be missing); null when none.
    /// </summary>
    private static string? MissedParameter(nn.Module<Tensor, Tensor> model, List<Tap> taps, IReadOnlyList<Parameter> parameters, Tensor total)
    {
        var tapped = new HashSet<object>(taps.Select(t => (object)t.Module), ReferenceEqualityComparer.Instance);
        var wanted = new HashSet<IntPtr>(parameters.Select(p => p.Handle));
        var unseen = new List<(string Name, Parameter Parameter)>();
        foreach (var (moduleName, module) in model.named_modules().Prepend(("", model)))
        {
            if (!Tapped(module) || tapped.Contains(module)) continue;
            foreach (var (name, parameter) in module.named_parameters(recurse: false))
                if (parameter.requires_grad && wanted.Contains(parameter.Handle))
                    unseen.Add((moduleName.Length == 0 ? name : $"{moduleName}.{name}", parameter));
        }
        if (unseen.Count == 0) return null;
        var gradients = autograd.grad(new[] { total }, unseen.Select(u => (Tensor)u.Parameter).ToArray(), retain_graph: true, allow_unused: true);
        for (int i = 0; i < unseen.Count; i++)
            if (gradients[i] is { } g && !g.IsInvalid) return unseen[i].Name;
        return null;
    }

    private sealed record Tap(nn.Module Module, Tensor Input, Tensor Output);
}

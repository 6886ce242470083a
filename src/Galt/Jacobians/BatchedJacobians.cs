using Galt.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Jacobians;

/// <summary>
/// Constraint Jacobians at the cost of one backward pass (issue 5). All constraints on one model are evaluated in one
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
    /// when every trainable parameter sits in a supported layer (Linear, <see cref="LoraLinear"/>).
    /// </summary>
    public static string? Unsupported(nn.Module<Tensor, Tensor> model)
    {
        foreach (var (name, module) in model.named_modules().Prepend(("", model)))
        {
            var own = module.named_parameters(recurse: false).Where(p => p.parameter.requires_grad).ToArray();
            if (module is BatchNorm1d or BatchNorm2d or BatchNorm3d && module.training)
                return $"{module.GetType().Name} '{name}' in training mode couples the examples of a batch";
            if (own.Length == 0 || module is Linear or LoraLinear) continue;
            return $"{module.GetType().Name} '{name}' (parameters {string.Join(", ", own.Select(p => p.name))}) has no batched Jacobian rule";
        }
        return null;
    }

    /// <summary>
    /// Returns true (and warns once per model type and reason through <paramref name="warn"/>) when the batched path cannot serve
    /// <paramref name="model"/>.
    /// </summary>
    public static bool MustFallBack(nn.Module<Tensor, Tensor> model, Action<string>? warn = null)
    {
        string? reason = Unsupported(model);
        if (reason is null) return false;
        lock (Warned)
            if (Warned.Add(reason))
                (warn ?? (m => Console.Error.WriteLine(m)))($"galt: batched Jacobians unavailable, using autograd per constraint: {reason}.");
        return true;
    }

    /// <summary>
    /// Values and Jacobian rows (over <paramref name="parameters"/>) of constraints that all score the same model.
    /// The caller owns the returned evaluations. Throws when the model has an unsupported layer (check <see cref="Unsupported"/>).
    /// </summary>
    public static ConstraintEvaluation[] Evaluate(IReadOnlyList<IBatchedConstraint> constraints, IReadOnlyList<Parameter> parameters)
    {
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
            if (module is LoraLinear lora && (lora.A.requires_grad || lora.B.requires_grad))
                { var h = lora.register_forward_hook((m, input, output) => { taps.Add(new Tap(m, input, output)); return output; }); removers.Add(h.remove); }
            else if (module is Linear linear && linear.named_parameters(recurse: false).Any(p => p.parameter.requires_grad))
                { var h = linear.register_forward_hook((m, input, output) => { taps.Add(new Tap(m, input, output)); return output; }); removers.Add(h.remove); }
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

        var measures = constraints.Select((c, e) => c.MeasureOutputs(outputs[TensorIndex.Slice(offsets[e], offsets[e + 1])])).ToArray();
        var values = measures.Select((k, e) => k.detach().to(ScalarType.Float64).item<double>() - constraints[e].Margin).ToArray();
        var total = measures.Aggregate((a, b) => a + b);
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
                if (uniform)
                {
                    var gk = g.reshape(constraints.Count, -1, g.shape[^1]);
                    var ak = tap.Input.reshape(constraints.Count, -1, tap.Input.shape[^1]);
                    foreach (var (parameter, gradients) in BatchedLayerRule(tap.Module, ak, gk))
                        if (index.TryGetValue(parameter.Handle, out int p))
                            for (int e = 0; e < constraints.Count; e++)
                                rows[e][p] = rows[e][p] is { } sum ? sum.add_(gradients[e]) : gradients[e];
                    continue;
                }
                for (int e = 0; e < constraints.Count; e++)
                {
                    var sl = TensorIndex.Slice(offsets[e], offsets[e + 1]);
                    var ge = Flatten(g[sl]);
                    var ae = Flatten(tap.Input[sl]);
                    foreach (var (parameter, gradient) in LayerRule(tap.Module, ae, ge))
                        if (index.TryGetValue(parameter.Handle, out int p))
                            rows[e][p] = rows[e][p] is { } sum ? sum.add_(gradient) : gradient;
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

    /// <summary>[n, ..., features] → [n·…, features]: a sequence model's positions count as examples of the same constraint.</summary>
    private static Tensor Flatten(Tensor t) => t.dim() == 2 ? t : t.reshape(-1, t.shape[^1]);

    /// <summary>Per-parameter Jacobian contributions of one layer call over one constraint's examples.</summary>
    private static IEnumerable<(Parameter Parameter, Tensor Gradient)> LayerRule(nn.Module module, Tensor a, Tensor g)
    {
        switch (module)
        {
            case LoraLinear lora:
                if (lora.A.requires_grad) yield return (lora.A, g.matmul(lora.B).t().matmul(a) / lora.Rank);
                if (lora.B.requires_grad) yield return (lora.B, g.t().matmul(a.matmul(lora.A.t())) / lora.Rank);
                break;
            case Linear linear:
                if (linear.weight is { requires_grad: true } w) yield return (w, g.t().matmul(a));
                if (linear.bias is { requires_grad: true } b) yield return (b, g.sum(dim: 0L)); // dim named: a bare 0 binds to sum(ScalarType)
                break;
        }
    }

    /// <summary>
    /// The same rules for all constraints at once: <paramref name="a"/> is [k, m, in] and <paramref name="g"/> [k, m, out]
    /// (m = examples per constraint × positions); returns [k, …] Jacobian stacks.
    /// </summary>
    private static IEnumerable<(Parameter Parameter, Tensor Gradients)> BatchedLayerRule(nn.Module module, Tensor a, Tensor g)
    {
        switch (module)
        {
            case LoraLinear lora:
                if (lora.A.requires_grad) yield return (lora.A, g.matmul(lora.B).transpose(1, 2).bmm(a) / lora.Rank);
                if (lora.B.requires_grad) yield return (lora.B, g.transpose(1, 2).bmm(a.matmul(lora.A.t())) / lora.Rank);
                break;
            case Linear linear:
                if (linear.weight is { requires_grad: true } w) yield return (w, g.transpose(1, 2).bmm(a));
                if (linear.bias is { requires_grad: true } b) yield return (b, g.sum(dim: 1L));
                break;
        }
    }

    private sealed record Tap(nn.Module Module, Tensor Input, Tensor Output);
}

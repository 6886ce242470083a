using Galt.Diagnostics;
using Galt.Models;
using Microsoft.Extensions.Logging;
using TorchSharp;
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
    /// when every trainable parameter sits in a supported layer (Linear, <see cref="LoraLinear"/>, LayerNorm,
    /// <see cref="RmsNorm"/>, Embedding, Conv2d with one group).
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
            if (own.Length == 0 || module is Linear or LoraLinear or LayerNorm or RmsNorm or Embedding) continue;
            if (module is Conv2d conv)
            {
                if (conv.groups == 1 && !conv.transposed && conv.padding_mode == PaddingModes.Zeros && conv.padding_type is null) continue;
                return $"Conv2d '{name}' with groups {conv.groups}, padding mode {conv.padding_mode}{(conv.padding_type is null ? "" : ", padding " + conv.padding_type)} has no batched Jacobian rule (only groups 1, zero padding given in numbers)";
            }
            return $"{module.GetType().Name} '{name}' (parameters {string.Join(", ", own.Select(p => p.name))}) has no batched Jacobian rule";
        }
        return null;
    }

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
            if (module is not (LoraLinear or Linear or LayerNorm or RmsNorm or Embedding or Conv2d)) continue;
            if (!module.named_parameters(recurse: false).Any(p => p.parameter.requires_grad)) continue;
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

        // K per constraint as one [k] tensor: vectorised for KL retention constraints, one call each otherwise.
        var kls = constraints.OfType<Galt.Constraints.KlRetentionConstraint>().ToArray();
        var measures = (kls.Length == constraints.Count ? Galt.Constraints.KlRetentionConstraint.MeasureMany(kls, outputs) : null)
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
                if (uniform && tap.Module is Linear or LoraLinear)
                {
                    var gk = g.reshape(constraints.Count, -1, g.shape[^1]);
                    var ak = tap.Input.reshape(constraints.Count, -1, tap.Input.shape[^1]);
                    foreach (var (parameter, gradients) in BatchedLayerRule(tap.Module, ak, gk))
                        if (index.TryGetValue(parameter.Handle, out int p))
                        {
                            var perConstraint = gradients.unbind(0);
                            for (int e = 0; e < constraints.Count; e++)
                                rows[e][p] = rows[e][p] is { } sum ? sum.add_(perConstraint[e]) : perConstraint[e];
                        }
                    continue;
                }
                for (int e = 0; e < constraints.Count; e++)
                {
                    var sl = TensorIndex.Slice(offsets[e], offsets[e + 1]);
                    foreach (var (parameter, gradient) in LayerRule(tap.Module, tap.Input[sl], g[sl]))
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
            if (module is not (LoraLinear or Linear or LayerNorm or RmsNorm or Embedding or Conv2d) || tapped.Contains(module)) continue;
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

    /// <summary>[n, ..., features] → [n·…, features]: a sequence model's positions count as examples of the same constraint.</summary>
    private static Tensor Flatten(Tensor t) => t.dim() == 2 ? t : t.reshape(-1, t.shape[^1]);

    /// <summary>Per-parameter Jacobian contributions of one layer call over one constraint's examples (inputs a, output gradients g).</summary>
    private static IEnumerable<(Parameter Parameter, Tensor Gradient)> LayerRule(nn.Module module, Tensor a, Tensor g)
    {
        switch (module)
        {
            case LoraLinear lora:
            {
                var (a2, g2) = (Flatten(a), Flatten(g));
                if (lora.A.requires_grad) yield return (lora.A, lora.ApplyScale(g2.matmul(lora.B).t().matmul(a2)));
                if (lora.B.requires_grad) yield return (lora.B, lora.ApplyScale(g2.t().matmul(a2.matmul(lora.A.t()))));
                break;
            }
            case Linear linear:
            {
                var (a2, g2) = (Flatten(a), Flatten(g));
                if (Own(linear, "weight") is { requires_grad: true } w) yield return (w, g2.t().matmul(a2));
                if (Own(linear, "bias") is { requires_grad: true } b) yield return (b, g2.sum(dim: 0L)); // dim named: a bare 0 binds to sum(ScalarType)
                break;
            }
            case LayerNorm norm:
            {
                // y = x̂ ⊙ γ + β over the normalised (last) dimensions: J_γ = Σ g ⊙ x̂, J_β = Σ g over examples and positions.
                var shape = norm.normalized_shape;
                var normalised = nn.functional.layer_norm(a, shape, null, null, norm.eps);
                long width = shape.Aggregate(1L, (x, y) => x * y);
                if (Own(norm, "weight") is { requires_grad: true } w) yield return (w, (g * normalised).reshape(-1, width).sum(dim: 0L).reshape(shape));
                if (Own(norm, "bias") is { requires_grad: true } b) yield return (b, g.reshape(-1, width).sum(dim: 0L).reshape(shape));
                break;
            }
            case RmsNorm rms:
                // y = x̂ ⊙ γ with x̂ = x / rms(x): J_γ = Σ g ⊙ x̂ over examples and positions.
                if (rms.Weight.requires_grad) yield return (rms.Weight, (g * rms.Normalise(a)).reshape(-1, rms.Weight.shape[0]).sum(dim: 0L));
                break;
            case Embedding embedding:
            {
                // y = W[i]: each example's output gradient lands on the rows it looked up.
                var w = Own(embedding, "weight")!;
                if (w.requires_grad) yield return (w, zeros_like(w).index_add_(0, a.reshape(-1), g.reshape(-1, w.shape[1]), 1));
                break;
            }
            case Conv2d conv:
            {
                // Per example, ∂/∂W = g (unfolded input)ᵀ: im2col turns the convolution into the Linear rule.
                var w = Own(conv, "weight")!;
                long m = a.shape[0];
                var columns = nn.functional.unfold(a, (conv.kernel_size[0], conv.kernel_size[1]), (conv.dilation[0], conv.dilation[1]),
                    (conv.padding![0], conv.padding[1]), (conv.stride[0], conv.stride[1]));
                var g3 = g.reshape(m, g.shape[1], -1);
                if (w.requires_grad) yield return (w, g3.bmm(columns.transpose(1, 2)).sum(dim: 0L).reshape(w.shape));
                if (Own(conv, "bias") is { requires_grad: true } b) yield return (b, g3.sum(new long[] { 0, 2 }));
                break;
            }
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
                if (lora.A.requires_grad) yield return (lora.A, lora.ApplyScale(g.matmul(lora.B).transpose(1, 2).bmm(a)));
                if (lora.B.requires_grad) yield return (lora.B, lora.ApplyScale(g.transpose(1, 2).bmm(a.matmul(lora.A.t()))));
                break;
            case Linear linear:
                if (Own(linear, "weight") is { requires_grad: true } w) yield return (w, g.transpose(1, 2).bmm(a));
                if (Own(linear, "bias") is { requires_grad: true } b) yield return (b, g.sum(dim: 1L));
                break;
        }
    }

    /// <summary>
    /// A module's registered parameter by name. Some TorchSharp modules (Embedding) hand out a new wrapper from their
    /// <c>weight</c> property each time; the registered object is the one the optimizer holds.
    /// </summary>
    private static Parameter? Own(nn.Module module, string name) =>
        module.named_parameters(recurse: false).FirstOrDefault(p => p.name == name).parameter;

    private sealed record Tap(nn.Module Module, Tensor Input, Tensor Output);
}

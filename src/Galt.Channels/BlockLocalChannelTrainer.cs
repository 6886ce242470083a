using Galt.Tensors;
using System.Diagnostics;
using Galt.Constraints;
using Galt.Jacobians;
using Galt.Optim;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Channels;

/// <summary>
/// The block-local GALT loop of spec §5.4 on a <see cref="RoutedCarrier"/>: one <see cref="GaltOptimizer"/> per
/// macro-block with the constraints route_forward_block_b, safety_alignment and knowledge_retain (in that order). Each
/// step computes the objective's gradient and both KL constraints' values and gradients once on the current model
/// (Jacobi across blocks), then for b = 0..B−1 in order (Gauss–Seidel: later blocks see earlier blocks' updates)
/// evaluates K_b, masks the task gradient and the three Jacobians to block b (spec §2.6; during the policy-only
/// warm-up to its policy tensors) and takes block b's step. Every K_in steps the route targets are refreshed; each
/// optimizer runs its own outer step every K_in of its calls.
/// </summary>
public sealed class BlockLocalChannelTrainer : IDisposable
{
    private readonly RoutedCarrier _carrier;
    private readonly TypedChannelObjective _objective;
    private readonly ChannelConstraints _constraints;
    private readonly GaltOptimizer[] _optimizers;
    private readonly Parameter[] _all;
    private readonly int[] _offsets;
    private readonly bool[][] _isPolicy;

    /// <summary>Creates the per-block optimizers over each block's trainable tensors.</summary>
    public BlockLocalChannelTrainer(RoutedCarrier carrier, TypedChannelObjective objective, ChannelConstraints constraints, BlockLocalOptions options)
    {
        options.Validate();
        _carrier = carrier;
        _objective = objective;
        _constraints = constraints;
        Options = options;
        var blockOptions = options.Block with { OuterStepFrequency = options.OuterStepFrequency };
        var perBlock = Enumerable.Range(0, carrier.Blocks).Select(b => carrier.BlockParameters(b)).ToArray();
        for (int b = 0; b < perBlock.Length; b++)
            if (perBlock[b].Count == 0) throw new InvalidOperationException($"block {b} has no trainable parameters; every block needs some (spec §5.6 success checks).");
        _optimizers = perBlock.Select((named, b) =>
        {
            var optimizer = new GaltOptimizer(named.Select(p => ($"block{b}.{p.Name}", p.Parameter)), blockOptions);
            optimizer.AddConstraint(ChannelConstraints.RouteForwardName(b), ConstraintKind.Inequality);
            optimizer.AddConstraint(ChannelConstraints.SafetyName, ConstraintKind.Inequality);
            optimizer.AddConstraint(ChannelConstraints.RetainName, ConstraintKind.Inequality);
            return optimizer;
        }).ToArray();
        _all = perBlock.SelectMany(named => named.Select(p => p.Parameter)).ToArray();
        _offsets = new int[perBlock.Length + 1];
        for (int b = 0; b < perBlock.Length; b++) _offsets[b + 1] = _offsets[b] + perBlock[b].Count;
        _isPolicy = perBlock.Select((named, b) =>
        {
            var policy = carrier.PolicyParameters(b).Select(p => p.Parameter.Handle).ToHashSet();
            return named.Select(p => policy.Contains(p.Parameter.Handle)).ToArray();
        }).ToArray();
        ParameterCounts = perBlock.Select(named => named.Sum(p => p.Parameter.numel())).ToArray();
    }

    /// <summary>The settings.</summary>
    public BlockLocalOptions Options { get; }

    /// <summary>Each block's optimizer (its multipliers and certificate).</summary>
    public IReadOnlyList<GaltOptimizer> Optimizers => _optimizers;

    /// <summary>Trainable scalars per block (d_b; d/k = d_b / P is a success check).</summary>
    public IReadOnlyList<long> ParameterCounts { get; }

    /// <summary>
    /// Step <paramref name="step"/> on <paramref name="sample"/> (its teacher distribution <paramref name="teacher"/>) with
    /// the replay sets. Throws <see cref="NonFiniteValueException"/> naming the constraint or parameter when a value is
    /// not finite; a block whose step throws leaves its own tensors untouched.
    /// </summary>
    public ChannelStepRecord Step(int step, ChoiceItem sample, Tensor teacher, IReadOnlyList<ChoiceItem> safetyReplay, IReadOnlyList<ChoiceItem> retainReplay)
    {
        var clock = Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        bool policyOnly = step < Options.PolicyOnlyWarmupSteps;
        _objective.CarrierFrozen = policyOnly;
        var phase = Stopwatch.StartNew();
        double forward, backward, probes = 0, solves = 0;
        var loss = _objective.Loss(sample, teacher, safetyReplay, retainReplay);
        // The KL constraints read the same replay through the same branch as the objective's branch terms: share those
        // forward passes and keep the graph for the second and third backward pass.
        var safetyKl = ReferenceEquals(safetyReplay, _constraints.SafetyReplay) ? _constraints.SafetyKl(loss.Scores(ChannelData.Safety, ChannelBranch.Safety)) : _constraints.SafetyKl();
        var retainKl = ReferenceEquals(retainReplay, _constraints.RetainReplay) ? _constraints.RetainKl(loss.Scores(ChannelData.Retain, ChannelBranch.Memory)) : _constraints.RetainKl();
        forward = phase.Elapsed.TotalSeconds;
        phase.Restart();
        var (lossValue, taskGradient) = AutogradJacobians.ValueAndGradient(loss.Value, _all, retainGraph: true);
        if (!double.IsFinite(lossValue)) throw new NonFiniteValueException("typed-channel objective", $"the objective is {lossValue} at step {step}; no state was changed.");
        var (safetyValue, safetyGradient) = AutogradJacobians.ValueAndGradient(safetyKl, _all, retainGraph: true);
        var (retainValue, retainGradient) = AutogradJacobians.ValueAndGradient(retainKl, _all);
        var terms = loss.Terms;
        backward = phase.Elapsed.TotalSeconds;
        var blocks = new List<BlockStepRecord>();
        for (int b = 0; b < _optimizers.Length; b++)
        {
            phase.Restart();
            var (routeValue, routeGradient) = AutogradJacobians.ValueAndGradient(_constraints.RouteForward(b), _all);
            probes += phase.Elapsed.TotalSeconds;
            phase.Restart();
            var task = Slice(taskGradient, b, policyOnly);
            var route = Slice(routeGradient, b, policyOnly);
            var evaluations = new[]
            {
                new ConstraintEvaluation(ChannelConstraints.RouteForwardName(b), routeValue, route),
                new ConstraintEvaluation(ChannelConstraints.SafetyName, safetyValue, Slice(safetyGradient, b, policyOnly)),
                new ConstraintEvaluation(ChannelConstraints.RetainName, retainValue, Slice(retainGradient, b, policyOnly)),
            };
            _optimizers[b].Step(task, evaluations);
            solves += phase.Elapsed.TotalSeconds;
            var status = _optimizers[b].Constraints;
            blocks.Add(new BlockStepRecord(b, Norm(task), routeValue, Norm(route), status.Select(c => c.Lambda).ToArray(), status.Select(c => c.Rho).ToArray()));
        }
        if ((step + 1) % Options.OuterStepFrequency == 0) _constraints.RefreshRouteTargets();
        return new ChannelStepRecord(step, lossValue, terms, safetyValue, retainValue, policyOnly, blocks, clock.Elapsed.TotalSeconds,
            new StepPhases(forward, backward, probes, solves));
    }

    /// <summary>Block b's entries of a gradient over every block's tensors; null outside the policy tensors during warm-up.</summary>
    private Tensor?[] Slice(Tensor?[] gradient, int block, bool policyOnly)
    {
        var slice = new Tensor?[_offsets[block + 1] - _offsets[block]];
        for (int i = 0; i < slice.Length; i++)
            slice[i] = policyOnly && !_isPolicy[block][i] ? null : gradient[_offsets[block] + i];
        return slice;
    }

    private static double Norm(Tensor?[] gradient) =>
        Math.Sqrt(gradient.Where(g => g is not null).Sum(g => g!.Power(2).sum().to(ScalarType.Float64).item<double>()));

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var o in _optimizers) o.Dispose();
    }
}

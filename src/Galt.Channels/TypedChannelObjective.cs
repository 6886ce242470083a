using TorchSharp;
using Galt.Tensors;
using static TorchSharp.torch;

namespace Galt.Channels;

/// <summary>
/// The typed-channel training objective of spec §5.3 for one training sample, summed over its terms: task CE of the
/// task branch; distillation toward the teacher; branch CE of the safety branch on the safety replay and of the memory
/// branch on the retain replay; the preference, separation and anti-shadowing hinges on correct-option scores; route CE
/// and entropy of the task branch, route CE of the safety and memory branches toward the replay answers, and identity
/// anchors toward a constant policy, each block weighted by w_b = (b+1)^p / Σ_j (j+1)^p. Every routed pass is computed
/// once per (data, branch) and only when a term with non-zero weight needs it.
/// </summary>
public sealed class TypedChannelObjective : IDisposable
{
    private readonly RoutedCarrier _carrier;

    /// <summary>Creates the objective.</summary>
    public TypedChannelObjective(RoutedCarrier carrier, ChannelLossWeights weights)
    {
        weights.Validate();
        _carrier = carrier;
        Weights = weights;
        BlockWeights = weights.BlockWeights(carrier.Blocks);
    }

    /// <summary>The weights.</summary>
    public ChannelLossWeights Weights { get; }

    /// <summary>w_b per block.</summary>
    public IReadOnlyList<double> BlockWeights { get; }

    private readonly Dictionary<object, Tensor> _frozenDense = new(ReferenceEqualityComparer.Instance);
    private bool _carrierFrozen;

    /// <summary>
    /// Set while the carrier's own parameters do not move (the policy-only warm-up): its dense choice scores are then
    /// constant, so they are computed once per item list and reused; clearing it drops them.
    /// </summary>
    public bool CarrierFrozen
    {
        get => _carrierFrozen;
        set
        {
            if (!value) ClearDense();
            _carrierFrozen = value;
        }
    }

    private void ClearDense()
    {
        foreach (var t in _frozenDense.Values) t.Dispose();
        _frozenDense.Clear();
    }

    /// <summary>
    /// The carrier's dense scores of <paramref name="items"/> (cached under <paramref name="key"/>: the replay list, or the
    /// training item itself), or null when the routed carrier does not use them.
    /// </summary>
    private Tensor? Dense(object key, IReadOnlyList<ChoiceItem> items, Dictionary<object, Tensor> perCall)
    {
        if (_carrier.Options.BaseChoiceScale == 0) return null;
        if (_carrierFrozen)
        {
            if (!_frozenDense.TryGetValue(key, out var cached))
                using (no_grad()) _frozenDense[key] = cached = _carrier.DenseChoiceScores(items).detach().DetachFromDisposeScope();
            return cached;
        }
        if (!perCall.TryGetValue(key, out var dense)) perCall[key] = dense = _carrier.DenseChoiceScores(items);
        return dense;
    }

    /// <summary>
    /// The loss of one step on <paramref name="sample"/> with its teacher distribution <paramref name="teacher"/> [P]
    /// (probabilities), and the value of every active term (for diagnostics).
    /// </summary>
    public ChannelLoss Loss(ChoiceItem sample, Tensor teacher, IReadOnlyList<ChoiceItem> safetyReplay, IReadOnlyList<ChoiceItem> retainReplay)
    {
        var w = Weights;
        var passes = new Dictionary<(int Data, ChannelBranch Branch), (Tensor Scores, RoutedPass Pass)>();
        // The dense path depends on neither branch nor route: once per data set and call (or once while the carrier is frozen).
        var dense = new Dictionary<object, Tensor>(ReferenceEqualityComparer.Instance);
        object[] keys = { sample, safetyReplay, retainReplay };
        IReadOnlyList<ChoiceItem>[] data = { new[] { sample }, safetyReplay, retainReplay };
        (Tensor Scores, RoutedPass Pass) Of(int d, ChannelBranch branch)
        {
            if (!passes.TryGetValue((d, branch), out var result))
            {
                if (data[d].Count == 0) throw new ArgumentException($"the objective needs {(d == 1 ? "safety" : "retain")} replay items for an active term; none were given.");
                passes[(d, branch)] = result = _carrier.ChoiceScores(branch, data[d], dense: Dense(keys[d], data[d], dense));
            }
            return result;
        }
        Tensor ScoresOf(ChannelData d, ChannelBranch branch) => Of((int)d, branch).Scores;
        Tensor Labels(int d) => tensor(data[d].Select(i => (long)i.Label).ToArray());
        Tensor Correct(int d, ChannelBranch branch) => Of(d, branch).Scores.gather(1, Labels(d).unsqueeze(1)).squeeze(1);

        var terms = new Dictionary<string, double>();
        Tensor total = zeros(1).squeeze();
        void Add(string name, double weight, Func<Tensor> term)
        {
            if (weight == 0) return;
            var value = term();
            terms[name] = value.item<float>();
            total = total.Plus(value.Times(weight));
        }
        Tensor Hinge(int d, ChannelBranch preferred, ChannelBranch other, double margin) =>
            (Correct(d, other) - Correct(d, preferred)).Plus(margin).AtLeast(0).mean();

        const int Task = 0, Safety = 1, Retain = 2;
        Add("task_ce", 1, () => Ce(Of(Task, ChannelBranch.Task).Scores, Labels(Task)));
        Add("distill", w.Distill, () =>
        {
            double t = w.Temperature;
            var p = teacher.reshape(1, -1);
            var logStudent = Of(Task, ChannelBranch.Task).Scores.Over(t).log_softmax(-1);
            return (p * (p.AtLeast(1e-12).log() - logStudent)).sum(-1).mean().Times(t * t);
        });
        Add("safety_branch_ce", w.SafetyBranch, () => Ce(Of(Safety, ChannelBranch.Safety).Scores, Labels(Safety)));
        Add("memory_branch_ce", w.MemoryBranch, () => Ce(Of(Retain, ChannelBranch.Memory).Scores, Labels(Retain)));
        Add("branch_preference", w.BranchPreference.Weight, () =>
        {
            Tensor sum = zeros(1).squeeze();
            foreach (var (d, preferred) in new[] { (Task, ChannelBranch.Task), (Safety, ChannelBranch.Safety), (Retain, ChannelBranch.Memory) })
            {
                if (d == Task && w.SkipTaskPreference) continue;
                foreach (var other in Enum.GetValues<ChannelBranch>().Where(b => b != preferred)) sum = sum.Plus(Hinge(d, preferred, other, w.BranchPreference.Margin));
            }
            return sum;
        });
        Add("memory_preference", w.MemoryPreference.Weight, () =>
            Hinge(Retain, ChannelBranch.Memory, ChannelBranch.Task, w.MemoryPreference.Margin).Plus(Hinge(Retain, ChannelBranch.Memory, ChannelBranch.Safety, w.MemoryPreference.Margin)));
        Add("safety_memory_separation", w.SafetyMemorySeparation.Weight, () =>
            Hinge(Safety, ChannelBranch.Safety, ChannelBranch.Memory, w.SafetyMemorySeparation.Margin).Plus(Hinge(Retain, ChannelBranch.Memory, ChannelBranch.Safety, w.SafetyMemorySeparation.Margin)));
        Add("task_shadow", w.TaskShadow.Weight, () =>
            Hinge(Safety, ChannelBranch.Safety, ChannelBranch.Task, w.TaskShadow.Margin).Plus(Hinge(Retain, ChannelBranch.Memory, ChannelBranch.Task, w.TaskShadow.Margin)));
        Add("safety_shadow", w.SafetyShadow.Weight, () => Hinge(Safety, ChannelBranch.Safety, ChannelBranch.Task, w.SafetyShadow.Margin));
        Add("memory_shadow", w.MemoryShadow.Weight, () => Hinge(Retain, ChannelBranch.Memory, ChannelBranch.Task, w.MemoryShadow.Margin));
        Add("route_task_ce", w.RouteTask, () => RouteCe(Of(Task, ChannelBranch.Task).Pass, Labels(Task)));
        Add("route_entropy", w.RouteEntropy, () => RouteEntropy(Of(Task, ChannelBranch.Task).Pass));
        Add("route_safety_ce", w.RouteSafety, () => RouteCe(Of(Safety, ChannelBranch.Safety).Pass, Labels(Safety)));
        Add("route_memory_ce", w.RouteMemory, () => RouteCe(Of(Retain, ChannelBranch.Memory).Pass, Labels(Retain)));
        Add("safety_identity", w.SafetyIdentity.Weight, () => RouteCe(Of(Safety, ChannelBranch.Safety).Pass, Constant(safetyReplay.Count, w.SafetyIdentity.Target)));
        Add("memory_identity", w.MemoryIdentity.Weight, () => RouteCe(Of(Retain, ChannelBranch.Memory).Pass, Constant(retainReplay.Count, w.MemoryIdentity.Target)));
        return new ChannelLoss(total, terms, ScoresOf);
    }

    /// <summary>CE of log-softmax-renormalised scores against labels (spec §2.3 item 6).</summary>
    public static Tensor Ce(Tensor scores, Tensor labels) => nn.functional.nll_loss(scores.log_softmax(-1), labels);

    private Tensor RouteCe(RoutedPass pass, Tensor labels)
    {
        Tensor sum = zeros(1).squeeze();
        for (int b = 0; b < pass.RouteLogits.Count; b++) sum = sum.Plus(Ce(pass.RouteLogits[b], labels).Times(BlockWeights[b]));
        return sum;
    }

    private Tensor RouteEntropy(RoutedPass pass)
    {
        Tensor sum = zeros(1).squeeze();
        for (int b = 0; b < pass.RouteLogits.Count; b++)
        {
            var logp = pass.RouteLogits[b].log_softmax(-1);
            sum = sum - (logp.exp() * logp).sum(-1).mean().Times(BlockWeights[b]);
        }
        return sum;
    }

    /// <summary>Frees the dense scores cached while the carrier was frozen.</summary>
    public void Dispose() => ClearDense();

    private Tensor Constant(int count, int target)
    {
        if (target < 0 || target >= _carrier.Options.Policies)
            throw new ArgumentException($"identity target {target} is outside the policies 0..{_carrier.Options.Policies - 1}.");
        using var value = ((long)target).ToScalar();
        return full(new long[] { count }, value, dtype: ScalarType.Int64);
    }
}

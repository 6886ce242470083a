using static TorchSharp.torch;

namespace Galt.Channels;

/// <summary>
/// The evaluation protocol of spec §5.6 on three data sets — task (scored by the task branch), safety (safety branch)
/// and retain (memory branch): accuracy = argmax of the branch's choice scores against the label; route_acc and
/// route_entropy of the last block's task-branch route on the task items; under the full protocol also the accuracies
/// under every <see cref="RouteMode"/>, the zero-gap and scramble-gap (normal − zero, normal − scramble), the
/// split-scramble gaps (blocks only, output only), the 3×3 branch matrix (data × branch, normal mode) and the
/// preferred-branch margins (preferred − best other branch). Metric names: <c>task_acc</c>, <c>route_acc</c>,
/// <c>task_zero_gap</c>, <c>safety_scramble_gap</c>, <c>retain_blocks_only_gap</c>, <c>matrix.safety.memory</c>,
/// <c>retain_margin</c>, …
/// </summary>
public sealed class ChannelEvaluator
{
    private readonly RoutedCarrier _carrier;
    private readonly int _batchSize;

    /// <summary>The data sets in report order, with their preferred branch.</summary>
    public static IReadOnlyList<(string Name, ChannelBranch Preferred)> DataSets { get; } =
        new[] { ("task", ChannelBranch.Task), ("safety", ChannelBranch.Safety), ("retain", ChannelBranch.Memory) };

    private static readonly (RouteMode Mode, string Name)[] ProbeModes =
        { (RouteMode.Zero, "zero"), (RouteMode.Scramble, "scramble"), (RouteMode.ScrambleBlocksOnly, "blocks_only"), (RouteMode.ScrambleOutputOnly, "output_only") };

    /// <summary>Creates the evaluator; items are scored in batches of <paramref name="batchSize"/>.</summary>
    public ChannelEvaluator(RoutedCarrier carrier, int batchSize = 16)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), $"batch size must be ≥ 1; got {batchSize}.");
        _carrier = carrier;
        _batchSize = batchSize;
    }

    /// <summary>
    /// Evaluates on the task, safety and retain items. <paramref name="full"/> = false gives only the normal-mode
    /// accuracies and route metrics (the pre-training row); true adds the necessity probes, the matrix and the margins.
    /// <paramref name="dense"/> may give the carrier's dense scores of the three sets when they are known (e.g. the
    /// untrained carrier's, shared by every configuration of a seed); otherwise they are computed once per set.
    /// </summary>
    public IReadOnlyDictionary<string, double> Evaluate(IReadOnlyList<ChoiceItem> task, IReadOnlyList<ChoiceItem> safety, IReadOnlyList<ChoiceItem> retain, bool full = true,
        IReadOnlyList<Tensor>? dense = null)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var data = new[] { task, safety, retain };
        if (data.Any(d => d.Count == 0)) throw new ArgumentException("every data set needs at least one item to evaluate.");
        // The dense path depends on neither branch nor mode: score it once per data set.
        if (dense is not null && dense.Count != 3) throw new ArgumentException($"dense scores must be given for the 3 data sets; got {dense.Count}.", nameof(dense));
        var denseScores = data.Select((d, i) => _carrier.Options.BaseChoiceScale > 0 ? dense?[i] ?? DenseScores(d) : null).ToArray();
        var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        var normal = new double[3, 3];
        var probes = new Dictionary<(int Data, RouteMode Mode), double>();
        (double Accuracy, double Entropy) route = default;
        var every = Enum.GetValues<ChannelBranch>();
        for (int d = 0; d < 3; d++)
        {
            var (name, preferred) = DataSets[d];
            // Modes that share block routes share one trunk pass (normal with output-only scramble; scramble with
            // blocks-only scramble); with shared routes the branches share it too (they differ only in their heads).
            var branches = full && !_carrier.Options.TypedRoutes ? every : new[] { preferred };
            var normalModes = full ? new[] { RouteMode.Normal, RouteMode.ScrambleOutputOnly } : new[] { RouteMode.Normal };
            var (accuracy, routeStats) = Accuracies(data[d], preferred, normalModes, branches, denseScores[d], routeMetrics: d == 0);
            if (routeStats is { } r) route = r;
            foreach (var b in branches) normal[d, (int)b] = accuracy[(b, RouteMode.Normal)];
            metrics[$"{name}_acc"] = normal[d, (int)preferred];
            if (!full) continue;
            foreach (var b in every.Where(b => !branches.Contains(b)))
                normal[d, (int)b] = Accuracy(data[d], b, RouteMode.Normal, denseScores[d]);
            foreach (var b in every) metrics[$"matrix.{name}.{BranchName(b)}"] = normal[d, (int)b];
            probes[(d, RouteMode.ScrambleOutputOnly)] = accuracy[(preferred, RouteMode.ScrambleOutputOnly)];
            var (scrambled, _) = Accuracies(data[d], preferred, new[] { RouteMode.Scramble, RouteMode.ScrambleBlocksOnly }, new[] { preferred }, denseScores[d], routeMetrics: false);
            probes[(d, RouteMode.Scramble)] = scrambled[(preferred, RouteMode.Scramble)];
            probes[(d, RouteMode.ScrambleBlocksOnly)] = scrambled[(preferred, RouteMode.ScrambleBlocksOnly)];
            probes[(d, RouteMode.Zero)] = Accuracy(data[d], preferred, RouteMode.Zero, denseScores[d]);
        }
        metrics["route_acc"] = route.Accuracy;
        metrics["route_entropy"] = route.Entropy;
        if (!full) return metrics;
        for (int d = 0; d < 3; d++)
        {
            var (name, preferred) = DataSets[d];
            foreach (var (mode, modeName) in ProbeModes)
            {
                double accuracy = probes[(d, mode)];
                metrics[$"{name}_{modeName}_acc"] = accuracy;
                metrics[$"{name}_{modeName}_gap"] = normal[d, (int)preferred] - accuracy;
            }
            double others = Enum.GetValues<ChannelBranch>().Where(b => b != preferred).Max(b => normal[d, (int)b]);
            metrics[$"{name}_margin"] = normal[d, (int)preferred] - others;
        }
        return metrics;
    }

    /// <summary>The branch's name in metric keys: task, safety, memory.</summary>
    public static string BranchName(ChannelBranch branch) => branch.ToString().ToLowerInvariant();

    /// <summary>Accuracy of <paramref name="branch"/> on <paramref name="items"/> under <paramref name="mode"/>.</summary>
    public double Accuracy(IReadOnlyList<ChoiceItem> items, ChannelBranch branch, RouteMode mode, Tensor? dense = null)
    {
        int correct = 0;
        for (int start = 0; start < items.Count; start += _batchSize)
        {
            using var scope = NewDisposeScope();
            var batch = items.Skip(start).Take(_batchSize).ToArray();
            var denseBatch = dense?.narrow(0, start, batch.Length);
            var predicted = _carrier.ChoiceScores(branch, batch, mode, denseBatch).Scores.argmax(-1).data<long>().ToArray();
            correct += predicted.Where((p, i) => p == batch[i].Label).Count();
        }
        return (double)correct / items.Count;
    }

    /// <summary>
    /// Accuracy under every (branch, mode) of one trunk pass per batch (see <see cref="RoutedCarrier.ChoiceScoresFromOnePass"/>),
    /// and with <paramref name="routeMetrics"/> the route accuracy and entropy of that pass (it must be the task branch's normal pass).
    /// </summary>
    private (Dictionary<(ChannelBranch Branch, RouteMode Mode), double> Accuracy, (double Accuracy, double Entropy)? Route) Accuracies(
        IReadOnlyList<ChoiceItem> items, ChannelBranch branch, RouteMode[] modes, ChannelBranch[] branches, Tensor? dense, bool routeMetrics)
    {
        var correct = new Dictionary<(ChannelBranch Branch, RouteMode Mode), int>();
        int routeCorrect = 0;
        double entropy = 0;
        for (int start = 0; start < items.Count; start += _batchSize)
        {
            using var scope = NewDisposeScope();
            var batch = items.Skip(start).Take(_batchSize).ToArray();
            var (scores, pass) = _carrier.ChoiceScoresFromOnePass(branch, batch, modes, branches, dense?.narrow(0, start, batch.Length));
            foreach (var (key, s) in scores)
                correct[key] = correct.GetValueOrDefault(key) + s.argmax(-1).data<long>().ToArray().Where((p, i) => p == batch[i].Label).Count();
            if (routeMetrics)
            {
                var (c, h) = RouteStatistics(pass.RouteLogits[^1], batch);
                routeCorrect += c;
                entropy += h;
            }
        }
        var accuracy = correct.ToDictionary(kv => kv.Key, kv => (double)kv.Value / items.Count);
        return (accuracy, routeMetrics ? ((double)routeCorrect / items.Count, entropy / items.Count) : null);
    }

    /// <summary>Correct route argmaxes and the summed route entropy of one batch's last-block route logits.</summary>
    private static (int Correct, double Entropy) RouteStatistics(Tensor logits, ChoiceItem[] batch)
    {
        var predicted = logits.argmax(-1).data<long>().ToArray();
        var logp = logits.log_softmax(-1);
        return (predicted.Where((p, i) => p == batch[i].Label).Count(), -(logp.exp() * logp).sum(-1).sum().item<float>());
    }

    /// <summary>route_acc (argmax of the last block's task-branch route logits vs the label) and the mean entropy of that route.</summary>
    public (double Accuracy, double Entropy) RouteMetrics(IReadOnlyList<ChoiceItem> items)
    {
        int correct = 0;
        double entropy = 0;
        for (int start = 0; start < items.Count; start += _batchSize)
        {
            using var scope = NewDisposeScope();
            var batch = items.Skip(start).Take(_batchSize).ToArray();
            var (c, h) = RouteStatistics(_carrier.Forward(ChannelBranch.Task, batch).RouteLogits[^1], batch);
            correct += c;
            entropy += h;
        }
        return ((double)correct / items.Count, entropy / items.Count);
    }

    /// <summary>The carrier's dense choice scores [items, P] of <paramref name="items"/>, in batches, without gradient.</summary>
    public Tensor DenseScores(IReadOnlyList<ChoiceItem> items)
    {
        using var noGrad = no_grad();
        var parts = new List<Tensor>();
        for (int start = 0; start < items.Count; start += _batchSize) parts.Add(_carrier.DenseChoiceScores(items.Skip(start).Take(_batchSize).ToArray()));
        return cat(parts, 0);
    }
}

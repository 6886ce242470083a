using Galt.Tensors;
using static TorchSharp.torch;

namespace Galt.Channels;

/// <summary>
/// The three constraint measures of the block-local typed-channel loop (spec §2.1, §2.5), all with margin 0 so C = K:
/// the route-forward edge of each block on a probe prompt toward a refreshed target route, and the KL of the safety
/// branch on the safety replay and of the memory branch on the retain replay toward anchors frozen at creation.
/// </summary>
public sealed class ChannelConstraints : IDisposable
{
    private readonly RoutedCarrier _carrier;
    private readonly ChoiceItem _probe;
    private readonly IReadOnlyList<ChoiceItem> _safety, _retain;
    private readonly Tensor _safetyAnchor, _retainAnchor;
    private Tensor[] _routeTargets;

    /// <summary>Name of block b's route-forward constraint.</summary>
    public static string RouteForwardName(int block) => $"route_forward_block_{block}";

    /// <summary>Name of the safety KL constraint.</summary>
    public const string SafetyName = "safety_alignment";

    /// <summary>Name of the retain KL constraint.</summary>
    public const string RetainName = "knowledge_retain";

    /// <summary>
    /// Freezes the anchors softmax(scores / <paramref name="temperature"/>) of the safety branch on
    /// <paramref name="safetyReplay"/> and the memory branch on <paramref name="retainReplay"/>, and snapshots the route
    /// targets on <paramref name="probe"/>.
    /// </summary>
    public ChannelConstraints(RoutedCarrier carrier, ChoiceItem probe, IReadOnlyList<ChoiceItem> safetyReplay, IReadOnlyList<ChoiceItem> retainReplay, double temperature)
    {
        if (safetyReplay.Count == 0 || retainReplay.Count == 0) throw new ArgumentException("the safety and retain constraints need at least one replay item each.");
        if (!(temperature > 0)) throw new ArgumentException($"the KL temperature must be positive; got {temperature}.", nameof(temperature));
        _carrier = carrier;
        _probe = probe;
        _safety = safetyReplay;
        _retain = retainReplay;
        Temperature = temperature;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        _safetyAnchor = carrier.ChoiceScores(ChannelBranch.Safety, safetyReplay).Scores.Over(temperature).softmax(-1).detach().DetachFromDisposeScope();
        _retainAnchor = carrier.ChoiceScores(ChannelBranch.Memory, retainReplay).Scores.Over(temperature).softmax(-1).detach().DetachFromDisposeScope();
        _routeTargets = SnapshotRoutes();
    }

    /// <summary>T of the KL constraints.</summary>
    public double Temperature { get; }

    /// <summary>How many times the route targets were refreshed after creation.</summary>
    public int Refreshes { get; private set; }

    /// <summary>K_b = mean_k (r_b,k − r̄_b,k)² of the task branch's route after block b on the probe.</summary>
    public Tensor RouteForward(int block)
    {
        var pass = ProbePass(block);
        return (pass.Routes[block] - _routeTargets[block]).Power(2).mean();
    }

    /// <summary>T²·KL(anchor ‖ softmax(safety-branch scores / T)) on the safety replay.</summary>
    public Tensor SafetyKl() => SafetyKl(_carrier.ChoiceScores(ChannelBranch.Safety, _safety).Scores);

    /// <summary>The safety KL from safety-branch scores of the safety replay computed elsewhere (e.g. by the objective's pass).</summary>
    public Tensor SafetyKl(Tensor safetyScores) => Kl(safetyScores, _safetyAnchor);

    /// <summary>T²·KL(anchor ‖ softmax(memory-branch scores / T)) on the retain replay.</summary>
    public Tensor RetainKl() => RetainKl(_carrier.ChoiceScores(ChannelBranch.Memory, _retain).Scores);

    /// <summary>The retain KL from memory-branch scores of the retain replay computed elsewhere.</summary>
    public Tensor RetainKl(Tensor retainScores) => Kl(retainScores, _retainAnchor);

    /// <summary>The safety replay the constraint is measured on.</summary>
    public IReadOnlyList<ChoiceItem> SafetyReplay => _safety;

    /// <summary>The retain replay the constraint is measured on.</summary>
    public IReadOnlyList<ChoiceItem> RetainReplay => _retain;

    /// <summary>Re-snapshots every block's route target from the current model (every K_in steps).</summary>
    public void RefreshRouteTargets()
    {
        var fresh = SnapshotRoutes();
        foreach (var t in _routeTargets) t.Dispose();
        _routeTargets = fresh;
        Refreshes++;
    }

    private RoutedPass ProbePass(int? lastBlock = null)
    {
        return _carrier.Forward(ChannelBranch.Task, new[] { _probe }, lastBlock: lastBlock);
    }

    private Tensor[] SnapshotRoutes()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return ProbePass().Routes.Select(r => r.DetachedClone().DetachFromDisposeScope()).ToArray();
    }

    private Tensor Kl(Tensor scores, Tensor anchor)
    {
        if (!scores.shape.SequenceEqual(anchor.shape))
            throw new ArgumentException($"scores of shape [{string.Join(", ", scores.shape)}] do not match the anchor's [{string.Join(", ", anchor.shape)}].", nameof(scores));
        double t = Temperature;
        var logStudent = scores.Over(t).log_softmax(-1);
        return (anchor * (anchor.AtLeast(1e-12).log() - logStudent)).sum(-1).mean().Times(t * t);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _safetyAnchor.Dispose();
        _retainAnchor.Dispose();
        foreach (var t in _routeTargets) t.Dispose();
    }
}

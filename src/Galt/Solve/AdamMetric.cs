using static TorchSharp.torch;

namespace Galt.Solve;

/// <summary>
/// Adam's diagonal metric with bias correction (spec §1.1): per parameter tensor, m ← β1·m + (1−β1)·g,
/// v ← β2·v + (1−β2)·g², m̂ = m/max(1−β1^t, 1e-12), v̂ = v/max(1−β2^t, 1e-12), D = √v̂ + ε, base direction −m̂/D.
/// <see cref="Propose"/> computes the next moments without touching the current ones; <see cref="Commit"/> swaps them in.
/// </summary>
public sealed class AdamMetric : IDisposable
{
    private readonly Tensor?[] _m, _v;
    private readonly int[] _t;

    /// <summary>Creates empty state for <paramref name="tensorCount"/> parameter tensors.</summary>
    public AdamMetric(int tensorCount, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(epsilon > 0))
            throw new ArgumentException($"Adam needs β1, β2 in [0, 1) and ε > 0; got β1 {beta1}, β2 {beta2}, ε {epsilon}.");
        Beta1 = beta1; Beta2 = beta2; Epsilon = epsilon;
        _m = new Tensor?[tensorCount];
        _v = new Tensor?[tensorCount];
        _t = new int[tensorCount];
    }

    /// <summary>β1.</summary>
    public double Beta1 { get; }

    /// <summary>β2.</summary>
    public double Beta2 { get; }

    /// <summary>ε.</summary>
    public double Epsilon { get; }

    /// <summary>First moment of tensor p (null before its first step).</summary>
    public Tensor? FirstMoment(int p) => _m[p];

    /// <summary>Second moment of tensor p (null before its first step).</summary>
    public Tensor? SecondMoment(int p) => _v[p];

    /// <summary>Steps taken by tensor p.</summary>
    public int StepCount(int p) => _t[p];

    /// <summary>The next moments, metric and base direction for every tensor with a gradient. The caller owns the proposal.</summary>
    public AdamProposal Propose(IReadOnlyList<Tensor?> gradients)
    {
        if (gradients.Count != _m.Length)
            throw new ArgumentException($"{gradients.Count} gradients for {_m.Length} parameter tensors.");
        using var noGrad = no_grad();
        var proposal = new AdamProposal(_m.Length);
        for (int p = 0; p < _m.Length; p++)
        {
            var g = gradients[p];
            if (g is null) continue;
            int t = _t[p] + 1;
            var m = _m[p] is { } m0 ? m0.lerp(g, 1 - Beta1) : g.mul(1 - Beta1);
            var v = _v[p] is { } v0 ? v0.mul(Beta2).addcmul_(g, g, 1 - Beta2) : g.mul(g).mul_(1 - Beta2);
            double bc1 = Math.Max(1 - Math.Pow(Beta1, t), 1e-12), bc2 = Math.Max(1 - Math.Pow(Beta2, t), 1e-12);
            var d = v.div(bc2).sqrt_().add_(Epsilon);
            var baseDirection = m.div(d).mul_(-1 / bc1);
            proposal.Set(p, t, m, v, d, baseDirection);
        }
        return proposal;
    }

    /// <summary>Makes the proposal's moments and step counts current; the proposal gives them up.</summary>
    public void Commit(AdamProposal proposal)
    {
        for (int p = 0; p < _m.Length; p++)
        {
            if (!proposal.Has(p)) continue;
            _m[p]?.Dispose();
            _v[p]?.Dispose();
            var (m, v, t) = proposal.TakeMoments(p);
            // State outlives the step's dispose scope.
            _m[p] = m.DetachFromDisposeScope();
            _v[p] = v.DetachFromDisposeScope();
            _t[p] = t;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in _m) t?.Dispose();
        foreach (var t in _v) t?.Dispose();
    }
}

/// <summary>The next Adam state and the derived metric D and base direction δ_b, for the tensors that had a gradient.</summary>
public sealed class AdamProposal : IDisposable
{
    private readonly Tensor?[] _m, _v, _d, _base;
    private readonly int[] _t;

    internal AdamProposal(int count)
    {
        _m = new Tensor?[count]; _v = new Tensor?[count]; _d = new Tensor?[count]; _base = new Tensor?[count]; _t = new int[count];
    }

    internal void Set(int p, int t, Tensor m, Tensor v, Tensor d, Tensor baseDirection)
    {
        _t[p] = t; _m[p] = m; _v[p] = v; _d[p] = d; _base[p] = baseDirection;
    }

    /// <summary>True when tensor p had a gradient (and so is updated this step).</summary>
    public bool Has(int p) => _d[p] is not null;

    /// <summary>Indices of the updated tensors.</summary>
    public int[] Updated => Enumerable.Range(0, _d.Length).Where(Has).ToArray();

    /// <summary>D_p = √v̂ + ε.</summary>
    public Tensor Metric(int p) => _d[p] ?? throw new InvalidOperationException($"parameter tensor {p} has no gradient this step.");

    /// <summary>δ_b,p = −m̂/D (before any anchor term).</summary>
    public Tensor BaseDirection(int p) => _base[p] ?? throw new InvalidOperationException($"parameter tensor {p} has no gradient this step.");

    internal (Tensor, Tensor, int) TakeMoments(int p)
    {
        var result = (_m[p]!, _v[p]!, _t[p]);
        _m[p] = null; _v[p] = null;
        return result;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var a in new[] { _m, _v, _d, _base })
            foreach (var t in a) t?.Dispose();
    }
}

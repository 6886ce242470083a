using Galt.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Galt.Solve;

/// <summary>
/// Adam's diagonal metric with bias correction (spec §1.1): per parameter tensor, m ← β1·m + (1−β1)·g,
/// v ← β2·v + (1−β2)·g², m̂ = m/max(1−β1^t, 1e-12), v̂ = v/max(1−β2^t, 1e-12), D = √v̂ + ε, base direction −m̂/D.
/// <see cref="Propose"/> writes the next moments into spare buffers without touching the current ones; <see cref="Commit"/>
/// swaps them in (double buffering: no copy, no allocation after the first step).
/// </summary>
internal sealed class AdamMetric : IDisposable
{
    private const string M = "m", V = "v", NextM = "m'", NextV = "v'", Metric = "D", Base = "δb";
    private readonly SolveWorkspace _state = new();
    private readonly int[] _t;

    /// <summary>Creates empty state for <paramref name="tensorCount"/> parameter tensors.</summary>
    public AdamMetric(int tensorCount, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(epsilon > 0))
            throw new ArgumentException($"Adam needs β1, β2 in [0, 1) and ε > 0; got β1 {beta1}, β2 {beta2}, ε {epsilon}.");
        Beta1 = beta1; Beta2 = beta2; Epsilon = epsilon;
        _t = new int[tensorCount];
    }

    /// <summary>β1.</summary>
    public double Beta1 { get; }

    /// <summary>β2.</summary>
    public double Beta2 { get; }

    /// <summary>ε.</summary>
    public double Epsilon { get; }

    /// <summary>First moment of tensor p (null before its first step).</summary>
    public Tensor? FirstMoment(int p) => _t[p] == 0 ? null : _state.Find(M, p);

    /// <summary>Second moment of tensor p (null before its first step).</summary>
    public Tensor? SecondMoment(int p) => _t[p] == 0 ? null : _state.Find(V, p);

    /// <summary>Steps taken by tensor p.</summary>
    public int StepCount(int p) => _t[p];

    /// <summary>
    /// The current metric D_p = √v̂ + ε of tensor p as a new tensor (null before its first step): the geometry of a step
    /// that moves no moment, e.g. a feasibility restoration.
    /// </summary>
    public Tensor? CurrentMetric(int p)
    {
        if (_t[p] == 0) return null;
        using var noGrad = no_grad();
        using Scalar scale = (1 / BiasCorrections(_t[p]).Second).ToScalar(), epsilon = Epsilon.ToScalar();
        return _state.Find(V, p)!.mul(scale).sqrt_().add_(epsilon, ExplicitScalars.One);
    }

    /// <summary>
    /// The next moments, metric D and base direction for every tensor with a gradient, written into this metric's spare
    /// buffers (valid until the next call). The current state is untouched until <see cref="Commit"/>.
    /// </summary>
    public AdamProposal Propose(IReadOnlyList<Tensor?> gradients)
    {
        var proposal = Reserve(gradients);
        using var noGrad = no_grad();
        foreach (int p in proposal.Updated)
        {
            UpdateMoments(proposal, p, gradients[p]!);
            FormMetric(proposal, p);
        }
        return proposal;
    }

    /// <summary>
    /// A proposal holding the spare moment buffers (and the current moments) of every tensor with a gradient, with nothing
    /// computed yet: the fused step (<see cref="FusedLocalStep"/>) writes the next moments into them itself.
    /// </summary>
    internal AdamProposal Reserve(IReadOnlyList<Tensor?> gradients)
    {
        if (gradients.Count != _t.Length)
            throw new ArgumentException($"{gradients.Count} gradients for {_t.Length} parameter tensors.");
        var proposal = new AdamProposal(_t.Length);
        for (int p = 0; p < _t.Length; p++)
        {
            if (gradients[p] is not { } g) continue;
            proposal.Reserve(p, _t[p] + 1, _state.Get(NextM, p, g), _state.Get(NextV, p, g),
                _t[p] > 0 ? _state.Find(M, p) : null, _t[p] > 0 ? _state.Find(V, p) : null);
        }
        return proposal;
    }

    /// <summary>m′ = β1·m + (1−β1)·g and v′ = β2·v + (1−β2)·g² into the proposal's spare buffers, by tensor ops.</summary>
    internal void UpdateMoments(AdamProposal proposal, int p, Tensor g)
    {
        var (m, v) = (proposal.NextFirstMoment(p), proposal.NextSecondMoment(p));
        using Scalar beta1 = Beta1.ToScalar(), oneMinusBeta1 = (1 - Beta1).ToScalar(), beta2 = Beta2.ToScalar(), oneMinusBeta2 = (1 - Beta2).ToScalar();
        if (proposal.CurrentFirstMoment(p) is { } current)
        {
            m.copy_(current).mul_(beta1).add_(g, alpha: oneMinusBeta1);
            v.copy_(proposal.CurrentSecondMoment(p)!).mul_(beta2).addcmul_(g, g, oneMinusBeta2);
        }
        else
        {
            m.copy_(g).mul_(oneMinusBeta1);
            v.copy_(g).mul_(g).mul_(oneMinusBeta2);
        }
    }

    /// <summary>
    /// D = √(v′/bc2) + ε and δ_b = −(m′/bc1)/D of tensor p from the proposal's next moments, into this metric's scratch
    /// (the tensor path; the fused path does this in registers and calls it only to hand a step over to the tensor path).
    /// </summary>
    internal void FormMetric(AdamProposal proposal, int p)
    {
        using var noGrad = no_grad();
        var (m, v) = (proposal.NextFirstMoment(p), proposal.NextSecondMoment(p));
        var (bc1, bc2) = BiasCorrections(proposal.StepOf(p));
        using Scalar scale = (1 / bc2).ToScalar(), epsilon = Epsilon.ToScalar(), step = (-1 / bc1).ToScalar();
        var d = _state.Get(Metric, p, v).copy_(v).mul_(scale).sqrt_().add_(epsilon, ExplicitScalars.One);
        var baseDirection = _state.Get(Base, p, v).Zeroed().addcdiv_(m, d, step);
        proposal.SetMetric(p, d, baseDirection);
    }

    /// <summary>Bias corrections max(1 − β1^t, 1e-12) and max(1 − β2^t, 1e-12) after t steps (spec §1.1).</summary>
    internal (double First, double Second) BiasCorrections(int t) =>
        (Math.Max(1 - Math.Pow(Beta1, t), 1e-12), Math.Max(1 - Math.Pow(Beta2, t), 1e-12));

    /// <summary>Writes the step counts and the moments of every tensor that has taken a step.</summary>
    public void Save(Galt.Checkpoints.CheckpointWriter writer)
    {
        writer.Longs("t", _t.Select(t => (long)t).ToArray());
        for (int p = 0; p < _t.Length; p++)
        {
            if (_t[p] == 0) continue;
            writer.Tensor($"m/{p}", _state.Find(M, p)!);
            writer.Tensor($"v/{p}", _state.Find(V, p)!);
        }
    }

    /// <summary>
    /// Reads what <see cref="Save"/> wrote and checks it against <paramref name="parameters"/> (one moment pair per
    /// tensor that has stepped, of its dtype and shape); the returned action makes it current.
    /// </summary>
    public Action Prepare(Galt.Checkpoints.CheckpointReader reader, IReadOnlyList<Tensor> parameters)
    {
        var t = reader.Longs("t");
        if (t.Length != _t.Length) throw reader.Error("t", $"Adam state for {t.Length} parameter tensors; this optimizer has {_t.Length}.");
        var apply = new List<Action>();
        for (int p = 0; p < t.Length; p++)
        {
            if (t[p] < 0 || t[p] > int.MaxValue) throw reader.Error("t", $"step count {t[p]} of tensor {p} is not valid.");
            if (t[p] == 0) continue;
            int index = p;
            var like = parameters[p];
            var mValue = reader.TensorLike($"m/{p}", like);
            var vValue = reader.TensorLike($"v/{p}", like);
            apply.Add(() =>
            {
                using var noGrad = no_grad();
                _state.Get(M, index, like).copy_(mValue);
                _state.Get(V, index, like).copy_(vValue);
                mValue.Dispose(); vValue.Dispose();
            });
        }
        return () =>
        {
            foreach (var a in apply) a();
            for (int p = 0; p < _t.Length; p++) _t[p] = (int)t[p];
        };
    }

    /// <summary>Makes the proposal's moments and step counts current.</summary>
    public void Commit(AdamProposal proposal)
    {
        for (int p = 0; p < _t.Length; p++)
        {
            if (!proposal.Has(p)) continue;
            _state.Swap(M, NextM, p);
            _state.Swap(V, NextV, p);
            _t[p] = proposal.StepOf(p);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _state.Dispose();
}

/// <summary>
/// One step's Adam proposal for the tensors that had a gradient: the next moments (the metric's spare buffers), and the
/// metric D and base direction δ_b once formed (views of the metric's buffers).
/// </summary>
internal sealed class AdamProposal
{
    private readonly Tensor?[] _d, _base, _nextM, _nextV, _m, _v;
    private readonly int[] _t;

    internal AdamProposal(int count)
    {
        _d = new Tensor?[count]; _base = new Tensor?[count]; _nextM = new Tensor?[count]; _nextV = new Tensor?[count];
        _m = new Tensor?[count]; _v = new Tensor?[count]; _t = new int[count];
    }

    internal void Reserve(int p, int t, Tensor nextM, Tensor nextV, Tensor? m, Tensor? v)
    {
        _t[p] = t; _nextM[p] = nextM; _nextV[p] = nextV; _m[p] = m; _v[p] = v;
    }

    internal void SetMetric(int p, Tensor d, Tensor baseDirection)
    {
        _d[p] = d; _base[p] = baseDirection;
    }

    internal int StepOf(int p) => _t[p];

    internal Tensor NextFirstMoment(int p) => _nextM[p]!;

    internal Tensor NextSecondMoment(int p) => _nextV[p]!;

    /// <summary>m before this step (null at a tensor's first step).</summary>
    internal Tensor? CurrentFirstMoment(int p) => _m[p];

    /// <summary>v before this step (null at a tensor's first step).</summary>
    internal Tensor? CurrentSecondMoment(int p) => _v[p];

    /// <summary>True when tensor p had a gradient (and so is updated this step).</summary>
    public bool Has(int p) => _t[p] > 0;

    /// <summary>Indices of the updated tensors.</summary>
    public int[] Updated => Enumerable.Range(0, _t.Length).Where(Has).ToArray();

    /// <summary>D_p = √v̂ + ε.</summary>
    public Tensor Metric(int p) => _d[p] ?? throw NotFormed(p);

    /// <summary>δ_b,p = −m̂/D (before any anchor term).</summary>
    public Tensor BaseDirection(int p) => _base[p] ?? throw NotFormed(p);

    private InvalidOperationException NotFormed(int p) => new(Has(p)
        ? $"the metric of parameter tensor {p} was not formed: a fused step keeps it in registers."
        : $"parameter tensor {p} has no gradient this step.");
}

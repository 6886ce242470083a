using Galt.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Galt.Experiments.CurriculumGate;

/// <summary>
/// Stochastic weight averaging (Izmailov et al., 2018, "Averaging Weights Leads to Wider Optima and Better
/// Generalization"): the equal-weight running mean of a model's parameters over the steps it is fed, kept beside the
/// parameters without touching training. <see cref="Accumulate"/> after an optimizer step adds the current values;
/// <see cref="Apply"/> puts the mean into the parameters (to evaluate or save the averaged model) until the returned
/// handle is disposed, which restores the trained values exactly. The model must hold no batch-norm statistics (the
/// mean of weights is not the mean of running statistics); layer norm is fine.
/// </summary>
public sealed class WeightAverage : IDisposable
{
    private readonly (string Name, Tensor Parameter, Tensor Mean)[] _state;
    private bool _applied;

    /// <summary>Averages <paramref name="parameters"/> (named, for error messages); nothing is accumulated yet.</summary>
    public WeightAverage(IEnumerable<(string Name, Tensor Parameter)> parameters)
    {
        _state = parameters.Select(p => (p.Name, p.Parameter, zeros_like(p.Parameter).DetachFromDisposeScope())).ToArray();
        if (_state.Length == 0) throw new ArgumentException("weight averaging needs at least one parameter.", nameof(parameters));
    }

    /// <summary>How many snapshots the mean holds.</summary>
    public int Count { get; private set; }

    /// <summary>
    /// Adds the parameters' current values: mean ← (1 − 1/(n + 1))·mean + θ/(n + 1). A parameter holding NaN or Inf throws
    /// <see cref="NonFiniteValueException"/> before the mean changes; a call while <see cref="Apply"/> is in force (the
    /// parameters then hold the mean, not trained values) throws <see cref="InvalidOperationException"/>.
    /// </summary>
    public void Accumulate()
    {
        if (_applied) throw new InvalidOperationException("the averaged weights are applied; dispose the handle from Apply() before accumulating.");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (name, p, _) in _state)
            if (!p.isfinite().all().item<bool>())
                throw new NonFiniteValueException(name, $"parameter '{name}' holds NaN or Inf; the weight average was left as it was.");
        // mean ← (1 − s)·mean + s·θ with s = 1/(n + 1); explicit scalars, alive until the loop ends (see UncorrectedAdamW.Step)
        double share = 1.0 / (Count + 1);
        using Scalar keep = (1 - share).ToScalar(), add = share.ToScalar();
        foreach (var (_, p, mean) in _state)
            mean.mul_(keep).add_(p.detach(), add);
        Count++;
    }

    /// <summary>
    /// Copies the mean into the parameters; disposing the handle copies the trained values back. Throws when nothing has
    /// been accumulated, or when the mean is already applied.
    /// </summary>
    public IDisposable Apply()
    {
        if (Count == 0) throw new InvalidOperationException("no weights have been accumulated yet; call Accumulate() after at least one step.");
        if (_applied) throw new InvalidOperationException("the averaged weights are already applied.");
        using var noGrad = no_grad();
        var saved = _state.Select(s => s.Parameter.DetachedClone().DetachFromDisposeScope()).ToArray();
        foreach (var (_, p, mean) in _state) p.copy_(mean);
        _applied = true;
        return new Restore(this, saved);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var (_, _, mean) in _state) mean.Dispose();
    }

    private sealed class Restore(WeightAverage owner, Tensor[] saved) : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            if (_done) return;
            using (no_grad())
                for (int i = 0; i < saved.Length; i++)
                {
                    owner._state[i].Parameter.copy_(saved[i]);
                    saved[i].Dispose();
                }
            owner._applied = false;
            _done = true;
        }
    }
}

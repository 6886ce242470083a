using static TorchSharp.torch;

namespace Galt.Experiments.TypedChannels;

/// <summary>
/// Scores of the untrained carrier (pretrained weights, LoRA B = 0, so the same for every configuration of a seed):
/// the teacher distribution on the training items and the dense choice scores of the evaluation sets before training.
/// Computed by the first configuration that asks for them and reused by the others (the typed-channels run trains six
/// configurations per seed).
/// </summary>
public sealed class BaseScoreCache : IDisposable
{
    private readonly Dictionary<(int Seed, string Key), Tensor> _scores = new();

    /// <summary>Scores cached under (<paramref name="seed"/>, <paramref name="key"/>), computed by <paramref name="compute"/> the first time.</summary>
    public Tensor Get(int seed, string key, Func<Tensor> compute)
    {
        if (!_scores.TryGetValue((seed, key), out var scores))
            using (no_grad()) _scores[(seed, key)] = scores = compute().detach().DetachFromDisposeScope();
        return scores;
    }

    /// <summary>Number of cached score tensors.</summary>
    public int Count => _scores.Count;

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in _scores.Values) t.Dispose();
        _scores.Clear();
    }
}

using TorchSharp;
using Galt.Tensors;
using System.Globalization;
using Galt.Training;
using static TorchSharp.torch;

namespace Galt.Continual.Strategies;

/// <summary>
/// <c>ewc</c> (spec §3): CE + λ_EWC·Σ_p F_p ⊙ (θ_p − θ*_p)² with λ_EWC = 400 and no ½; after each task F is the mean over
/// ≤ 20 batches of 64 of the squared batch-mean gradient, θ* the parameters; both replaced, not accumulated.
/// </summary>
public sealed class EwcStrategy : AdamStrategy
{
    private Tensor[]? _fisher, _anchor;

    /// <summary>λ_EWC.</summary>
    public double Lambda { get; init; } = 400;

    /// <summary>Batches used for the Fisher estimate.</summary>
    public int FisherBatches { get; init; } = 20;

    /// <summary>Size of those batches.</summary>
    public int FisherBatchSize { get; init; } = 64;

    /// <inheritdoc />
    public override string Name => "ewc";

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, string> Hyperparameters => new Dictionary<string, string>
    {
        ["optimizer"] = OptimizerName, ["lr"] = LearningRate.ToString(CultureInfo.InvariantCulture), ["lambda_ewc"] = Lambda.ToString(CultureInfo.InvariantCulture),
        ["fisher"] = $"≤ {FisherBatches} batches of {FisherBatchSize}, mean squared batch gradient, replaced after each task",
    };

    /// <inheritdoc />
    protected override Tensor Loss(Tensor x, Tensor y, TaskContext context)
    {
        var loss = context.Objective.Loss(Model.forward(x), y);
        if (_fisher is null) return loss;
        for (int p = 0; p < Trainable.Length; p++)
            loss = loss.Plus((_fisher[p] * (Trainable[p].Parameter - _anchor![p]).Power(2)).sum().Times(Lambda));
        return loss;
    }

    /// <inheritdoc />
    public override void AfterTask(TaskContext context)
    {
        if (context.IsLastTask) return;
        Release();
        var parameters = Trainable.Select(p => (Tensor)p.Parameter).ToArray();
        var fisher = parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
        int used = 0;
        // spec §3: shuffle seed task + 999.
        foreach (var batch in SupervisedTrainer.Batches(context.Task.TrainCount, FisherBatchSize, new Random(context.Task.Index + 999)).Take(FisherBatches))
        {
            using var scope = NewDisposeScope();
            var idx = tensor(batch);
            var loss = context.Objective.Loss(Model.forward(context.Task.TrainX.index_select(0, idx)), context.Task.TrainY.index_select(0, idx));
            var grads = autograd.grad(new[] { loss }, parameters);
            GlobalBackprops++;
            using (no_grad()) for (int p = 0; p < parameters.Length; p++) fisher[p].PlusInPlace(grads[p].Power(2));
            used++;
        }
        using (no_grad()) foreach (var f in fisher)
            {
                using var count = Math.Max(1, used).ToScalar();
                f.div_(count);
            }
        _fisher = fisher;
        _anchor = parameters.Select(p => p.DetachedClone().DetachFromDisposeScope()).ToArray();
    }

    /// <inheritdoc />
    public override void Save(Galt.Checkpoints.CheckpointWriter writer)
    {
        base.Save(writer);
        writer.Bool("has_fisher", _fisher is not null);
        if (_fisher is null) return;
        for (int p = 0; p < _fisher.Length; p++)
        {
            writer.Tensor($"fisher/{p}", _fisher[p]);
            writer.Tensor($"anchor/{p}", _anchor![p]);
        }
    }

    /// <inheritdoc />
    public override Action Prepare(Galt.Checkpoints.CheckpointReader reader)
    {
        var baseAction = base.Prepare(reader);
        if (!reader.Bool("has_fisher")) return Then(baseAction, Release);
        var fisher = Trainable.Select((t, p) => reader.TensorLike($"fisher/{p}", t.Parameter).DetachFromDisposeScope()).ToArray();
        var anchor = Trainable.Select((t, p) => reader.TensorLike($"anchor/{p}", t.Parameter).DetachFromDisposeScope()).ToArray();
        return Then(baseAction, () =>
        {
            Release();
            _fisher = fisher;
            _anchor = anchor;
        });
    }

    private void Release()
    {
        foreach (var t in _fisher ?? Array.Empty<Tensor>()) t.Dispose();
        foreach (var t in _anchor ?? Array.Empty<Tensor>()) t.Dispose();
        _fisher = _anchor = null;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) Release();
        base.Dispose(disposing);
    }
}

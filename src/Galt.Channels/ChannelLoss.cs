using static TorchSharp.torch;

namespace Galt.Channels;

/// <summary>The data sets one objective evaluation touches.</summary>
public enum ChannelData
{
    /// <summary>The training sample.</summary>
    Task = 0,

    /// <summary>The safety replay.</summary>
    Safety = 1,

    /// <summary>The retain replay.</summary>
    Retain = 2,
}

/// <summary>
/// One evaluation of the <see cref="TypedChannelObjective"/>: the loss, every active term's value, and the choice scores
/// of each (data set, branch) pass — computed on first request and shared, so a constraint measured on the same replay
/// through the same branch (the safety and retain KLs) reuses the objective's forward pass.
/// </summary>
/// <param name="Value">The loss (differentiable).</param>
/// <param name="Terms">Each active term's value.</param>
/// <param name="Scores">The choice scores [items, P] of a data set through a branch.</param>
public sealed record ChannelLoss(Tensor Value, IReadOnlyDictionary<string, double> Terms, Func<ChannelData, ChannelBranch, Tensor> Scores)
{
    /// <summary>(loss, terms).</summary>
    public void Deconstruct(out Tensor loss, out IReadOnlyDictionary<string, double> terms)
    {
        loss = Value;
        terms = Terms;
    }
}

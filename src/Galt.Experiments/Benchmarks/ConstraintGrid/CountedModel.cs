using static TorchSharp.torch;

namespace Galt.Experiments.Benchmarks.ConstraintGrid;

/// <summary>
/// The model as a grid constraint sees it: the same module and parameters, with every forward pass through it counted.
/// </summary>
/// <remarks>
/// Why count forwards, not <c>Measure()</c> calls: KL retention and forbidden mass built on a module reach the batched
/// Jacobian path, which never calls <c>Measure()</c>: it runs the module once over the constraint's inputs with hooks
/// on its layers. Both ways (batched, and autograd through <c>Evaluate()</c> → <c>Measure()</c>) run exactly one forward
/// of this wrapper per evaluation, and a constraint's value cannot be had without one. So the constraint is built on
/// this wrapper, the task calls the model directly, and <see cref="Forwards"/> counts evaluations of the constraint
/// whatever path the optimizer takes. The wrapper has no parameters of its own, so the batched path's layer rules
/// see the same layers as without it.
/// </remarks>
public sealed class CountedModel : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> model;

    /// <summary>Wraps <paramref name="inner"/>, which keeps its parameters.</summary>
    public CountedModel(nn.Module<Tensor, Tensor> inner) : base(nameof(CountedModel))
    {
        model = inner;
        RegisterComponents();
    }

    /// <summary>Forward passes run through this wrapper so far.</summary>
    public long Forwards { get; private set; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        Forwards++;
        return model.call(input);
    }
}

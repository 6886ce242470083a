using Galt.Tensors;
using System.Globalization;
using static TorchSharp.torch;

namespace Galt.Continual.Strategies;

/// <summary>
/// <c>agem</c>: Averaged GEM (Chaudhry et al. 2019) with GALT's memory budget: when the minibatch gradient g points
/// against the gradient g_ref on a memory sample (⟨g, g_ref⟩ &lt; 0), it is projected: g ← g − ⟨g, g_ref⟩/⟨g_ref, g_ref⟩·g_ref.
/// </summary>
public sealed class AgemStrategy : MemoryStrategy
{

    /// <summary>Memory examples per reference gradient.</summary>
    public int ReferenceBatch { get; init; } = 256;

    /// <summary>Steps whose gradient was projected.</summary>
    public long Projections { get; private set; }

    /// <inheritdoc />
    public override string Name => "agem";

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, string> Hyperparameters => new Dictionary<string, string>
    {
        ["optimizer"] = OptimizerName, ["lr"] = LearningRate.ToString(CultureInfo.InvariantCulture),
        ["memory"] = $"{Memory.PerTask} per finished task", ["reference_batch"] = ReferenceBatch.ToString(CultureInfo.InvariantCulture),
    };

    /// <inheritdoc />
    protected override int DrawSalt => 37;

    /// <inheritdoc />
    public override void Save(Galt.Checkpoints.CheckpointWriter writer)
    {
        base.Save(writer);
        writer.Long("projections", Projections);
    }

    /// <inheritdoc />
    public override Action Prepare(Galt.Checkpoints.CheckpointReader reader)
    {
        var baseAction = base.Prepare(reader);
        long projections = reader.Long("projections");
        return Then(baseAction, () => Projections = projections);
    }

    /// <inheritdoc />
    protected override Tensor Loss(Tensor x, Tensor y, TaskContext context) => context.Objective.Loss(Model.forward(x), y);

    /// <inheritdoc />
    public override void Step(Tensor x, Tensor y, TaskContext context)
    {
        Adam.zero_grad();
        Loss(x, y, context).backward();
        GlobalBackprops++;
        if (Memory.Sample(ReferenceBatch, Draw) is { } reference)
        {
            var parameters = Trainable.Select(p => (Tensor)p.Parameter).ToArray();
            var refGrads = autograd.grad(new[] { context.Objective.Loss(Model.forward(reference.X), reference.Y) }, parameters);
            GlobalBackprops++;
            using var noGrad = no_grad();
            double dot = 0, norm = 0;
            for (int p = 0; p < parameters.Length; p++)
            {
                using var gradient = parameters[p].grad!;
                dot += gradient.mul(refGrads[p]).sum().to(ScalarType.Float64).item<double>();
                norm += refGrads[p].Power(2).sum().to(ScalarType.Float64).item<double>();
            }
            if (dot < 0 && norm > 0)
            {
                for (int p = 0; p < parameters.Length; p++)
                {
                    using var gradient = parameters[p].grad!;
                    gradient.PlusScaledInPlace(refGrads[p], -dot / norm);
                }
                Projections++;
            }
        }
        Adam.step();
    }
}

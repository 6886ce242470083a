using Galt.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Galt.Optim;

/// <summary>
/// The arithmetic <see cref="ExplicitAdam"/> and <see cref="ExplicitAdamW"/> share with TorchSharp 0.107's Adam and AdamW
/// steps, operation for operation, with explicit disposed Scalars and disposed temporaries.
/// </summary>
internal static class AdamArithmetic
{
    /// <summary>A group's constant Scalars: the same double values TorchSharp converts implicitly, made once per group.</summary>
    internal sealed class GroupScalars : IDisposable
    {
        public GroupScalars(double beta1, double beta2, double eps)
        {
            Beta1 = beta1.ToScalar();
            OneMinusBeta1 = (1 - beta1).ToScalar();
            Beta2 = beta2.ToScalar();
            OneMinusBeta2 = (1 - beta2).ToScalar();
            Epsilon = eps.ToScalar();
        }

        public Scalar Beta1 { get; }
        public Scalar OneMinusBeta1 { get; }
        public Scalar Beta2 { get; }
        public Scalar OneMinusBeta2 { get; }
        public Scalar Epsilon { get; }

        public void Dispose()
        {
            Beta1.Dispose();
            OneMinusBeta1.Dispose();
            Beta2.Dispose();
            OneMinusBeta2.Dispose();
            Epsilon.Dispose();
        }
    }

    /// <summary>The second moment the step divides by: v, or with amsgrad the running maximum (kept in <paramref name="maxExpAvgSq"/>).</summary>
    public static Tensor SecondMoment(bool amsgrad, ref Tensor maxExpAvgSq, Tensor expAvgSq)
    {
        if (!amsgrad) return expAvgSq;
        var previous = maxExpAvgSq;
        maxExpAvgSq = maximum(previous, expAvgSq).DetachFromDisposeScope();
        previous.Dispose();
        return maxExpAvgSq;
    }

    /// <summary>θ ← θ − (lr / bc1) · m / ((√second / √bc2) + ε): TorchSharp's denominator and <c>addcdiv_</c>.</summary>
    public static void Descend(Tensor param, Tensor expAvg, Tensor second, double lr, double beta1, double beta2, long step, GroupScalars scalars)
    {
        var biasCorrection1 = 1 - Math.Pow(beta1, step);
        var biasCorrection2 = 1 - Math.Pow(beta2, step);
        // (second.sqrt() / Math.Sqrt(bias_correction2)).add_(eps); TorchSharp's add_(eps) passes the integer alpha 1.
        using var root = second.sqrt();
        using var correction = Math.Sqrt(biasCorrection2).ToScalar();
        using var denom = root.div(correction);
        denom.add_(scalars.Epsilon, ExplicitScalars.One);
        using var stepScalar = (-(lr / biasCorrection1)).ToScalar();
        param.addcdiv_(expAvg, denom, stepScalar);
    }
}

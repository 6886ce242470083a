namespace Galt.Optim;

/// <summary>Which code computes a constrained optimizer's step (the same step either way, to rounding).</summary>
public enum StepKernel
{
    /// <summary>
    /// The fused CPU kernels (<see cref="Galt.Solve.FusedLocalStep"/>: Adam moments, Gram, Woodbury correction and write
    /// in SIMD sweeps across cores) for every step whose parameters are float32, contiguous and on the CPU; the tensor
    /// path for any other step, and after the moments for a solve that needs sequential Sherman–Morrison.
    /// </summary>
    Fused,

    /// <summary>Always the tensor path: <see cref="Galt.Solve.AdamMetric"/> tensor ops and <see cref="Galt.Solve.LowRankSolve"/>, the reference.</summary>
    Tensor,
}

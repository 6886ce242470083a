namespace Galt.Graph;

/// <summary>Order of the block and split-variable steps inside one inner iteration.</summary>
public enum Schedule
{
    /// <summary>All blocks step from the same messages, then all split variables (parallel across blocks).</summary>
    Jacobi,

    /// <summary>Blocks and split variables in chain order, each seeing its predecessors' new values.</summary>
    GaussSeidel,
}

/// <summary>Settings of <see cref="SplitChain"/>.</summary>
/// <param name="Rho">Penalty ρ of every forward-consistency edge z_v = f_v(z_{v−1}).</param>
/// <param name="SplitStep">Gradient step size η_z of the split-variable updates.</param>
/// <param name="InnerIterations">Block + split-variable sweeps per minibatch before the dual step.</param>
/// <param name="Schedule">Jacobi (parallel) or Gauss–Seidel (sequential) sweeps.</param>
/// <param name="RhoGrowth">Outer-phase penalty update per edge: when an edge's batch residual did not fall below
/// <paramref name="Tau"/> × its previous one, ρ_v ← min(ρ_v·growth, <paramref name="RhoMax"/>). 1 keeps ρ fixed (the default).</param>
/// <param name="RhoMax">Ceiling of the grown penalty.</param>
/// <param name="Tau">Insufficient-decrease ratio.</param>
public sealed record SplitChainOptions(double Rho = 5, double SplitStep = 0.1, int InnerIterations = 5, Schedule Schedule = Schedule.Jacobi,
    double RhoGrowth = 1.0, double RhoMax = 100, double Tau = 0.9)
{
    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        if (!(Rho > 0) || double.IsInfinity(Rho)) throw new ArgumentException($"SplitChainOptions.Rho must be positive and finite; got {Rho}.");
        if (!(SplitStep > 0) || double.IsInfinity(SplitStep)) throw new ArgumentException($"SplitChainOptions.SplitStep must be positive and finite; got {SplitStep}.");
        if (InnerIterations < 1) throw new ArgumentException($"SplitChainOptions.InnerIterations must be ≥ 1; got {InnerIterations}.");
        if (!(RhoGrowth >= 1) || !(RhoMax >= Rho) || double.IsInfinity(RhoMax) || !(Tau > 0))
            throw new ArgumentException($"SplitChainOptions: ρ growth must be ≥ 1, ρ_max ≥ ρ and finite, τ > 0; got {RhoGrowth}, {RhoMax}, {Tau}.");
    }

    /// <summary>The edges' penalty rule: the library's <see cref="Galt.Multipliers.PenaltySchedule"/> (growth on insufficient decrease, no decay).</summary>
    public Galt.Multipliers.PenaltySchedule Penalty => new(Initial: Rho, Floor: Rho, Ceiling: RhoMax, Growth: RhoGrowth, Decay: 1, Tau: Tau);
}

using static TorchSharp.torch;

namespace Galt.Solve;

/// <summary>
/// The inputs of one block's local solve (spec §1.1): find δ with (D + Σ_i ρ_i J_i J_iᵀ) δ = D δ_b − Σ_i f_i J_i.
/// Parameter-shaped tensors are given per parameter tensor p; a constraint with no Jacobian on a tensor has null there.
/// The tensors are borrowed: the solve neither keeps nor disposes them.
/// </summary>
internal sealed class LowRankProblem
{
    /// <summary>Creates and checks the problem (counts and shapes; D &gt; 0 is the caller's promise).</summary>
    /// <param name="metric">Diagonal metric D_p &gt; 0, one tensor per parameter tensor.</param>
    /// <param name="baseDirection">Base direction δ_b,p, shaped like <paramref name="metric"/>.</param>
    /// <param name="jacobians">Jacobian rows: <c>jacobians[i][p]</c> = ∂C_i/∂θ_p, or null where C_i does not touch θ_p.</param>
    /// <param name="stiffness">ρ_i ≥ 0 per constraint.</param>
    /// <param name="force">f_i per constraint.</param>
    /// <param name="names">Constraint names for error messages; default "constraint i".</param>
    public LowRankProblem(IReadOnlyList<Tensor> metric, IReadOnlyList<Tensor> baseDirection, IReadOnlyList<IReadOnlyList<Tensor?>> jacobians,
        IReadOnlyList<double> stiffness, IReadOnlyList<double> force, IReadOnlyList<string>? names = null)
    {
        if (metric.Count != baseDirection.Count)
            throw new ArgumentException($"{metric.Count} metric tensors but {baseDirection.Count} base-direction tensors.");
        for (int p = 0; p < metric.Count; p++)
            if (!metric[p].shape.SequenceEqual(baseDirection[p].shape))
                throw new ArgumentException($"parameter tensor {p}: metric shape [{string.Join(",", metric[p].shape)}] differs from base direction [{string.Join(",", baseDirection[p].shape)}].");
        Names = Check(metric.Select(t => t.shape).ToArray(), jacobians, stiffness, force, names);
        Metric = metric; BaseDirection = baseDirection; Jacobians = jacobians; Stiffness = stiffness; Force = force;
    }

    /// <summary>
    /// The checks every local solve's inputs pass, on the parameter tensors' shapes: one Jacobian entry per tensor and
    /// constraint, shaped like its tensor; ρ finite and ≥ 0; f finite. Returns the names (default "constraint i").
    /// </summary>
    internal static IReadOnlyList<string> Check(IReadOnlyList<long[]> shapes, IReadOnlyList<IReadOnlyList<Tensor?>> jacobians,
        IReadOnlyList<double> stiffness, IReadOnlyList<double> force, IReadOnlyList<string>? names)
    {
        if (jacobians.Count != stiffness.Count || jacobians.Count != force.Count)
            throw new ArgumentException($"{jacobians.Count} Jacobians, {stiffness.Count} stiffnesses and {force.Count} forces: one of each per constraint.");
        names ??= Enumerable.Range(0, jacobians.Count).Select(i => $"constraint {i}").ToArray();
        for (int i = 0; i < jacobians.Count; i++)
        {
            if (jacobians[i].Count != shapes.Count)
                throw new ArgumentException($"{names[i]}: {jacobians[i].Count} Jacobian entries for {shapes.Count} parameter tensors.");
            for (int p = 0; p < shapes.Count; p++)
                if (jacobians[i][p] is { } j && !TensorShapes.Matches(j, shapes[p]))
                    throw new ArgumentException($"{names[i]}: Jacobian on parameter tensor {p} has shape [{string.Join(",", j.shape)}], expected [{string.Join(",", shapes[p])}].");
            if (!(stiffness[i] >= 0) || double.IsInfinity(stiffness[i]))
                throw new ArgumentException($"{names[i]}: stiffness ρ = {stiffness[i]} must be finite and ≥ 0.");
        }
        CheckForces(force, names);
        return names;
    }

    /// <summary>
    /// One finite force per constraint: what a re-solve of a checked problem with new forces must check (its shapes
    /// cannot have changed, and reading every Jacobian's shape again costs a native call each).
    /// </summary>
    internal static void CheckForces(IReadOnlyList<double> force, IReadOnlyList<string> names)
    {
        if (force.Count != names.Count) throw new ArgumentException($"{force.Count} forces for {names.Count} constraints.");
        for (int i = 0; i < force.Count; i++)
            if (!double.IsFinite(force[i]))
                throw new ArgumentException($"{names[i]}: force f = {force[i]} is not finite.");
    }

    /// <summary>D_p.</summary>
    public IReadOnlyList<Tensor> Metric { get; }

    /// <summary>δ_b,p.</summary>
    public IReadOnlyList<Tensor> BaseDirection { get; }

    /// <summary>J_i,p (null: no Jacobian on that tensor).</summary>
    public IReadOnlyList<IReadOnlyList<Tensor?>> Jacobians { get; }

    /// <summary>ρ_i.</summary>
    public IReadOnlyList<double> Stiffness { get; }

    /// <summary>f_i.</summary>
    public IReadOnlyList<double> Force { get; }

    /// <summary>Constraint names, for messages.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Number of constraints k.</summary>
    public int ConstraintCount => Jacobians.Count;

    /// <summary>Number of parameter tensors.</summary>
    public int TensorCount => Metric.Count;

    /// <summary>Constraints with a Jacobian on at least one tensor, in index order.</summary>
    public int[] ActiveConstraints() =>
        Enumerable.Range(0, ConstraintCount).Where(i => Jacobians[i].Any(j => j is not null)).ToArray();
}

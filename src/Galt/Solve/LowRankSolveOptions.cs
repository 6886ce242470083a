namespace Galt.Solve;

/// <summary>Which coupling the local solve honours.</summary>
public enum SolveScope
{
    /// <summary>All parameter tensors form one vector: the exact solve of the whole block (the paper's local step).</summary>
    Global,

    /// <summary>
    /// Each parameter tensor is solved on its own with the constraints' restrictions to it (block-diagonal
    /// approximation); with one constraint this is the release's per-tensor Sherman–Morrison (spec §1.1).
    /// </summary>
    PerTensor,
}

/// <summary>Which algorithm produced a direction.</summary>
public enum SolvePath
{
    /// <summary>No constraint had a Jacobian: δ = δ_b.</summary>
    Unconstrained,

    /// <summary>One constraint: Sherman–Morrison.</summary>
    ShermanMorrison,

    /// <summary>k ≥ 2: Woodbury with a k×k float64 system.</summary>
    Woodbury,

    /// <summary>Per-tensor sequential Sherman–Morrison over constraints in index order (fallback, or Woodbury disabled).</summary>
    SequentialShermanMorrison,
}

/// <summary>Options of <see cref="LowRankSolve"/>.</summary>
/// <param name="Scope">Global (exact) or per-tensor.</param>
/// <param name="UseWoodbury">When false, k ≥ 2 uses sequential per-tensor Sherman–Morrison (spec §1.1).</param>
/// <param name="ConditionLimit">Woodbury falls back to sequential Sherman–Morrison when cond₂(S) exceeds this (spec: 1e6).</param>
public sealed record LowRankSolveOptions(SolveScope Scope = SolveScope.Global, bool UseWoodbury = true, double ConditionLimit = 1e6)
{
    /// <summary>The defaults: global scope, Woodbury on, condition limit 1e6.</summary>
    public static LowRankSolveOptions Default { get; } = new();
}

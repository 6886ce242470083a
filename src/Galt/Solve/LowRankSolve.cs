using TorchSharp;
using Galt.Tensors;
using static TorchSharp.torch;

namespace Galt.Solve;

/// <summary>
/// The exact local step of a block (spec §1.1): δ solving (D + Σ_i ρ_i J_i J_iᵀ) δ = D δ_b − Σ_i f_i J_i, by
/// Sherman–Morrison for one constraint and Woodbury (k×k float64 system S = diag(1/ρ) + JᵀD⁻¹J) for several,
/// with the release's conditioning fallback (cond₂(S) &gt; 1e6 → sequential per-tensor Sherman–Morrison).
/// A pure function: it reads the problem and returns new tensors; it knows nothing of models or optimizers.
/// </summary>
internal static class LowRankSolve
{
    /// <summary>
    /// Solves <paramref name="problem"/>. Without a workspace the caller owns (and disposes) the returned direction;
    /// with one, the direction and all scratch live in the workspace and are valid until its next use.
    /// </summary>
    public static LowRankSolution Solve(LowRankProblem problem, LowRankSolveOptions? options = null, SolveWorkspace? workspace = null)
    {
        options ??= LowRankSolveOptions.Default;
        using var noGrad = no_grad();
        // Every temporary dies with this scope; only the returned direction leaves it.
        using var scope = NewDisposeScope();
        var active = problem.ActiveConstraints();
        var solution = active.Length == 0
            ? new LowRankSolution(BaseCopies(problem, workspace), SolvePath.Unconstrained, double.NaN, new double[problem.ConstraintCount])
            : options.Scope == SolveScope.Global ? SolveGlobal(problem, active, options, workspace) : SolvePerTensor(problem, active, options, workspace);
        if (workspace is null) foreach (var t in solution.Direction) t.MoveToOuterDisposeScope();
        else solution.ReleaseOwnership();
        return solution;
    }

    /// <summary>δ_p ← δ_b,p: a fresh copy, or the workspace's direction buffer.</summary>
    private static Tensor BaseCopy(LowRankProblem problem, int p, SolveWorkspace? workspace)
    {
        var b = problem.BaseDirection[p].detach();
        return workspace is null ? b.clone() : workspace.Get("δ", p, b).copy_(b);
    }

    private static Tensor[] BaseCopies(LowRankProblem problem, SolveWorkspace? workspace) =>
        Enumerable.Range(0, problem.TensorCount).Select(p => BaseCopy(problem, p, workspace)).ToArray();

    private static LowRankSolution SolveGlobal(LowRankProblem problem, int[] active, LowRankSolveOptions options, SolveWorkspace? workspace)
    {
        int k = active.Length;
        // spec §1.1 Woodbury step 1: τ_i = Σ_p ⟨J_i,p, δ_b,p⟩ and A_ij = Σ_p ⟨J_i,p, J_j,p / D_p⟩, globally over tensors.
        var a = new double[k, k];
        var tau = new double[k];
        var blocks = new List<TensorBlock>();
        try
        {
            for (int p = 0; p < problem.TensorCount; p++)
            {
                var block = TensorBlock.Gather(problem, p, active, workspace);
                if (block is null) continue;
                blocks.Add(block);
                block.Accumulate(problem, a, tau);
            }
            LowRankSystem.RequireFinite(problem.Names, active, a, tau);
            var sensitivity = new double[problem.ConstraintCount, problem.ConstraintCount];
            LowRankSystem.AddSensitivity(active, a, problem.Stiffness, sensitivity);
            var (c, path, cond) = LowRankSystem.Solve(active, a, tau, problem.Stiffness, problem.Force, options);
            if (c is null)
                return WithProjections(problem, AllSequential(problem, active, workspace), path, cond, sensitivity);

            var direction = BaseCopies(problem, workspace);
            foreach (var block in blocks) block.Subtract(direction, c);
            var dots = new double[problem.ConstraintCount];
            LowRankSystem.AddProjections(active, a, tau, c, dots);
            return new LowRankSolution(direction, path, cond, dots, sensitivity);
        }
        finally
        {
            foreach (var block in blocks) block.Dispose();
        }
    }

    private static LowRankSolution SolvePerTensor(LowRankProblem problem, int[] active, LowRankSolveOptions options, SolveWorkspace? workspace)
    {
        var direction = new Tensor[problem.TensorCount];
        var path = SolvePath.Unconstrained;
        double worstCond = double.NaN;
        var sensitivity = new double[problem.ConstraintCount, problem.ConstraintCount];
        for (int p = 0; p < problem.TensorCount; p++)
        {
            using var block = TensorBlock.Gather(problem, p, active, workspace);
            if (block is null)
            {
                direction[p] = BaseCopy(problem, p, workspace);
                continue;
            }
            int r = block.Rows.Length;
            var a = new double[r, r];
            var tau = new double[r];
            block.Accumulate(problem, a, tau, local: true);
            LowRankSystem.RequireFinite(problem.Names, block.Rows, a, tau);
            // Per-tensor scope solves a block-diagonal system: its sensitivity is the sum of the tensors' own.
            LowRankSystem.AddSensitivity(block.Rows, a, problem.Stiffness, sensitivity);
            var (c, tensorPath, cond) = LowRankSystem.Solve(block.Rows, a, tau, problem.Stiffness, problem.Force, options);
            path = Max(path, tensorPath);
            if (!double.IsNaN(cond)) worstCond = double.IsNaN(worstCond) ? cond : Math.Max(worstCond, cond);
            if (c is null)
            {
                direction[p] = Sequential(problem, p, block.Rows, workspace);
                continue;
            }
            direction[p] = BaseCopy(problem, p, workspace);
            block.Subtract(direction, c, local: true);
        }
        return WithProjections(problem, direction, path, worstCond, sensitivity);
    }

    /// <summary>
    /// A direction with ⟨J_i, δ⟩ computed explicitly (paths that do not form the global system). The sensitivity given
    /// is that of the Woodbury system the sequential solve approximates.
    /// </summary>
    private static LowRankSolution WithProjections(LowRankProblem problem, Tensor[] direction, SolvePath path, double cond, double[,] sensitivity)
    {
        var dots = new double[problem.ConstraintCount];
        for (int i = 0; i < problem.ConstraintCount; i++)
            for (int p = 0; p < problem.TensorCount; p++)
                if (problem.Jacobians[i][p] is { } j)
                    dots[i] += j.mul(direction[p]).sum().to(ScalarType.Float64).item<double>();
        return new LowRankSolution(direction, path, cond, dots, sensitivity);
    }

    private static SolvePath Max(SolvePath a, SolvePath b) => (SolvePath)Math.Max((int)a, (int)b);

    private static Tensor[] AllSequential(LowRankProblem problem, int[] active, SolveWorkspace? workspace)
    {
        var direction = new Tensor[problem.TensorCount];
        for (int p = 0; p < problem.TensorCount; p++)
        {
            var rows = active.Where(i => problem.Jacobians[i][p] is not null).ToArray();
            direction[p] = rows.Length == 0 ? BaseCopy(problem, p, workspace) : Sequential(problem, p, rows, workspace);
        }
        return direction;
    }

    /// <summary>
    /// spec §1.1 single-constraint projection applied per tensor, constraints in index order, each on the δ already
    /// corrected by the previous ones: c = (f + ρ⟨J, δ⟩) / (1 + ρ⟨J, J/D⟩ + 1e-10); δ ← δ − c·J/D.
    /// </summary>
    private static Tensor Sequential(LowRankProblem problem, int p, int[] rows, SolveWorkspace? workspace)
    {
        var delta = BaseCopy(problem, p, workspace);
        var d = problem.Metric[p];
        foreach (int i in rows)
        {
            var j = problem.Jacobians[i][p]!;
            using var scaled = j / d;
            double alpha = j.mul(scaled).sum().to(ScalarType.Float64).item<double>();
            double tau = j.mul(delta).sum().to(ScalarType.Float64).item<double>();
            LowRankSystem.RequireFinite(problem.Names, i, alpha, tau);
            double rho = problem.Stiffness[i];
            double c = (problem.Force[i] + rho * tau) / (1 + rho * alpha + LowRankSystem.ShermanMorrisonGuard);
            delta.PlusScaledInPlace(scaled, -c);
        }
        return delta;
    }

    /// <summary>
    /// The Jacobian rows that touch one parameter tensor, scaled as H_i = J_i ⊙ D^{-1/2}, with one extra row
    /// δ_b ⊙ D^{1/2}: one product H Hᵀ then gives A_ij = ⟨J_i, J_j/D⟩ and τ_i = ⟨J_i, δ_b⟩ together, and the correction
    /// is δ −= Σ_i c_i H_i ⊙ D^{-1/2}. Buffers come from the workspace when one is given.
    /// </summary>
    private sealed class TensorBlock : IDisposable
    {
        private readonly bool _owned;

        private TensorBlock(int p, int[] rows, int[] positions, Tensor h, Tensor inverseRoot, bool owned)
        {
            Index = p; Rows = rows; Positions = positions; H = h; InverseRoot = inverseRoot; _owned = owned;
        }

        public int Index { get; }

        /// <summary>Constraint indices (into the problem) with a Jacobian on this tensor.</summary>
        public int[] Rows { get; }

        /// <summary>Positions of <see cref="Rows"/> in the active list (global system indices).</summary>
        public int[] Positions { get; }

        /// <summary>[r + 1, n_p]: scaled Jacobian rows, then the scaled base direction.</summary>
        public Tensor H { get; }

        /// <summary>D^{-1/2}, flattened.</summary>
        public Tensor InverseRoot { get; }

        public static TensorBlock? Gather(LowRankProblem problem, int p, int[] active, SolveWorkspace? workspace)
        {
            var positions = Enumerable.Range(0, active.Length).Where(a => problem.Jacobians[active[a]][p] is not null).ToArray();
            if (positions.Length == 0) return null;
            var rows = positions.Select(a => active[a]).ToArray();
            var d = problem.Metric[p].detach().reshape(-1);
            long n = d.shape[0];
            var h = workspace?.Get("H", p, new[] { rows.Length + 1L, n }, d) ?? empty(new[] { rows.Length + 1L, n }, d.dtype, d.device);
            var inverseRoot = (workspace?.Get("D^-1/2", p, new[] { n }, d) ?? empty(new[] { n }, d.dtype, d.device)).copy_(d).rsqrt_();
            for (int x = 0; x < rows.Length; x++)
                h[x].copy_(problem.Jacobians[rows[x]][p]!.detach().reshape(-1)).mul_(inverseRoot);
            h[rows.Length].copy_(problem.BaseDirection[p].detach().reshape(-1)).div_(inverseRoot);
            return new TensorBlock(p, rows, positions, h, inverseRoot, owned: workspace is null);
        }

        /// <summary>Adds this tensor's ⟨J_i, J_j/D⟩ and ⟨J_i, δ_b⟩ into the system (at global or local indices).</summary>
        public void Accumulate(LowRankProblem problem, double[,] a, double[] tau, bool local = false)
        {
            using var gram = H.mm(H.t()).to(ScalarType.Float64).cpu();
            var g = gram.data<double>().ToArray();
            int r = Rows.Length, width = r + 1;
            for (int x = 0; x < r; x++)
            {
                int ix = local ? x : Positions[x];
                tau[ix] += g[x * width + r];
                for (int y = 0; y < r; y++) a[ix, local ? y : Positions[y]] += g[x * width + y];
            }
        }

        /// <summary>δ_p ← δ_p − Σ_i c_i J_i,p / D_p = δ_p − Σ_i c_i H_i ⊙ D^{-1/2}.</summary>
        public void Subtract(Tensor[] direction, double[] c, bool local = false)
        {
            var flat = direction[Index].view(-1);
            for (int x = 0; x < Rows.Length; x++)
            {
                using var weight = (-c[local ? x : Positions[x]]).ToScalar();
                flat.addcmul_(H[x], InverseRoot, weight);
            }
        }

        public void Dispose()
        {
            if (!_owned) return;
            H.Dispose();
            InverseRoot.Dispose();
        }
    }
}

using System.Buffers;
using System.Diagnostics;
using Galt.Optim;
using TorchSharp;
using static TorchSharp.torch;

namespace Galt.Solve;

/// <summary>
/// The whole local step of a block (spec §1.1: Adam metric, low-rank solve, write) for float32 CPU tensors, in fused
/// SIMD sweeps over memory split into <see cref="ChunkLength"/>-element chunks across cores, instead of a
/// dozen tensor ops per tensor:
/// <list type="number">
/// <item>pass 1 (<see cref="FusedSweeps.Moments"/>): m′, v′ into the metric's spare buffers (the current state is
/// untouched until <see cref="CommitMoments"/>), the finiteness of δ_b, and Σ D for the metric floor;</item>
/// <item>pass 2 (<see cref="GramSweep"/>, tensors with constraint rows only): the k×k Gram J D⁻¹ Jᵀ and the
/// k right-hand sides τ = J δ_b in float64 per chunk, reduced in chunk order (so the result does not depend on the
/// number of threads); then the k×k solve of <see cref="LowRankSystem"/>, the same float64 routine as
/// <see cref="LowRankSolve"/>'s;</item>
/// <item>pass 3 at <see cref="Write"/> (<see cref="FusedSweeps.Write"/>): the Woodbury correction, weight decay and
/// the parameter write θ ← θ(1 − lr·wd) + lr·δ in one sweep.</item>
/// </list>
/// With the metric floor on, passes 1 and 2 are separate because the floor needs each tensor's mean D before the Gram.
/// Pass 2 runs through the chunks in the opposite order to passes 1 and 3, so that each pass starts on the memory the
/// one before it touched last, which is still in the cache.
/// It honours both solve scopes, the metric floor, the anchor pull and the condition limit. When the solve needs the
/// sequential Sherman–Morrison path (Woodbury disabled with k ≥ 2, or the conditioning fallback), it computes nothing
/// more and reports <see cref="Solved"/> = false: the caller hands the step, whose moments are already in place, to
/// <see cref="LowRankSolve"/>. <see cref="Covers"/> says which steps it takes at all; others take the tensor path.
/// </summary>
/// <remarks>
/// Differences from the tensor path, all at rounding level or in cases that cannot train: the Gram is summed in float64
/// (the tensor path sums in float32); ⟨J, δ⟩ in per-tensor scope comes from the Gram (τ − A c) instead of a sweep; δ_b's
/// finiteness check covers the gradient as the tensor path's does, but an anchor or θ that is already non-finite is not
/// re-checked; and a step whose direction could leave the float32 range (a bound from max|δ_b|, the Gram's diagonal,
/// min D and |c|) is refused as non-finite, before anything is written, instead of being written. The correction
/// D⁻¹Jᵀc is formed in float64 (the tensor path: float32), which keeps its cancellation where D is tiny.
/// </remarks>
internal sealed class FusedLocalStep : IDisposable
{
    /// <summary>Elements per unit of parallel work: 64 KiB of each stream, enough to amortise scheduling and to balance cores.</summary>
    public const int ChunkLength = 16384;

    /// <summary>Below this many elements in all, a sweep runs on the calling thread.</summary>
    private const int ParallelThreshold = 2 * ChunkLength;

    /// <summary>A direction bound above this (a quarter of float32's largest value) refuses the step: rounding cannot push it past the range.</summary>
    private const double RepresentableBound = float.MaxValue / 4.0;

    private readonly AdamMetric _metric;
    private readonly AdamProposal _proposal;
    private readonly FusedStepInput _input;
    private readonly IReadOnlyList<string> _names;
    private readonly FusedTensor[] _tensors;
    private readonly int[][] _rowsOf;
    private readonly Chunk[] _chunks;
    private readonly GramSums?[] _sums;
    private readonly RowSystem[] _systems;
    private readonly List<Tensor> _copies = new();

    private FusedLocalStep(AdamMetric metric, AdamProposal proposal, FusedStepInput input)
    {
        try
        {
            _metric = metric; _proposal = proposal; _input = input;
            int tensorCount = input.Parameters.Count;
            _names = LowRankProblem.Check(input.Parameters.Select(t => t.shape).ToArray(), input.Jacobians, input.Stiffness, input.Force, input.Names);
            var active = Enumerable.Range(0, input.Jacobians.Count).Where(i => input.Jacobians[i].Any(j => j is not null)).ToArray();
            _rowsOf = Enumerable.Range(0, tensorCount).Select(u => active.Where(i => input.Jacobians[i][u] is not null).ToArray()).ToArray();
            _tensors = Enumerable.Range(0, tensorCount).Select(Gather).ToArray();
            _chunks = Chunk.Split(_tensors);
            Force = input.Force.ToArray();

            // Pass 1. The floor applies when constraints are given, as on the tensor path; it matters only where rows touch.
            bool floored = input.MetricFloorRatio > 0 && input.Jacobians.Count > 0;
            var moments = new MomentSums[_chunks.Length];
            long clock = Stopwatch.GetTimestamp();
            Run(_chunks, c => moments[c] = FusedSweeps.Moments(_tensors[_chunks[c].Tensor], _chunks[c].Start, _chunks[c].Length,
                sumMetric: floored && _rowsOf[_chunks[c].Tensor].Length > 0));
            _momentsSeconds = Stopwatch.GetElapsedTime(clock).TotalSeconds;
            var metricSum = new double[tensorCount];
            var finite = Enumerable.Repeat(true, tensorCount).ToArray();
            for (int c = 0; c < _chunks.Length; c++)
            {
                metricSum[_chunks[c].Tensor] += moments[c].MetricSum;
                finite[_chunks[c].Tensor] &= moments[c].Finite;
            }
            for (int u = 0; u < tensorCount; u++)
                if (!finite[u]) throw NonFiniteValueException.TaskGradient(input.ParameterNames[u]);
            for (int u = 0; u < tensorCount; u++)
                if (floored && _rowsOf[u].Length > 0 && _tensors[u].Length > 0)
                    _tensors[u].Floor = (float)(input.MetricFloorRatio * metricSum[u] / _tensors[u].Length);

            // Pass 2, then the k×k systems.
            clock = Stopwatch.GetTimestamp();
            _sums = GramOfTensors();
            _gramSeconds = Stopwatch.GetElapsedTime(clock).TotalSeconds;
            _systems = input.Options.Scope == SolveScope.Global
                ? active.Length == 0 ? Array.Empty<RowSystem>() : new[] { RowSystem.Global(active, _rowsOf, _sums) }
                : Enumerable.Range(0, tensorCount).Where(u => _rowsOf[u].Length > 0).Select(u => RowSystem.OfTensor(u, _rowsOf[u], _sums[u]!)).ToArray();
            Sensitivity = new double[input.Jacobians.Count, input.Jacobians.Count];
            foreach (var system in _systems)
            {
                LowRankSystem.RequireFinite(_names, system.Rows, system.Gram, system.Tau);
                LowRankSystem.AddSensitivity(system.Rows, system.Gram, input.Stiffness, Sensitivity);
            }
            Solve();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>
    /// True when every updated tensor can take the fused path: parameters (and anchors, when the pull is on) float32,
    /// contiguous and on the CPU; gradients, Jacobian rows and current moments float32 on the CPU (non-contiguous
    /// gradients and rows are copied once). Otherwise the caller takes the tensor path for the whole step.
    /// </summary>
    public static bool Covers(AdamProposal proposal, FusedStepInput input)
    {
        static bool CpuFloat(Tensor t) => t.dtype == ScalarType.Float32 && t.device_type == DeviceType.CPU;
        for (int u = 0; u < input.Parameters.Count; u++)
        {
            int p = input.Updated[u];
            if (!FloatMemory.Fits(input.Parameters[u]) || !CpuFloat(input.Gradients[u])) return false;
            if (input.Pulls && !FloatMemory.Fits(input.Anchors![u])) return false;
            if (proposal.CurrentFirstMoment(p) is { } m && !(FloatMemory.Fits(m) && FloatMemory.Fits(proposal.CurrentSecondMoment(p)!))) return false;
            if (!FloatMemory.Fits(proposal.NextFirstMoment(p)) || !FloatMemory.Fits(proposal.NextSecondMoment(p))) return false;
            foreach (var row in input.Jacobians)
                if (row[u] is { } j && !CpuFloat(j)) return false;
        }
        return true;
    }

    /// <summary>Runs passes 1 and 2 and the k×k solve; throws <see cref="NonFiniteValueException"/> naming the gradient's parameter or the Jacobian's constraint.</summary>
    public static FusedLocalStep Propose(AdamMetric metric, AdamProposal proposal, FusedStepInput input) => new(metric, proposal, input);



    /// <summary>
    /// False when the solve needs the sequential Sherman–Morrison path (Woodbury off with k ≥ 2, or cond₂(S) above the
    /// limit): then only the moments are done, and the caller finishes the step with <see cref="LowRankSolve"/>.
    /// </summary>
    public bool Solved { get; private set; }

    private double _momentsSeconds, _gramSeconds, _writeSeconds;

    /// <summary>Wall-clock time of passes 1 and 2, and of pass 3 once <see cref="Write"/> ran (0 before).</summary>
    public FusedPassTimes PassTimes => new(_momentsSeconds, _gramSeconds, _writeSeconds);

    /// <summary>The sweeps ran on 512-bit lanes (else 256-bit ones; see <see cref="LaneWidth"/>).</summary>
    public bool WideLanes => _tensors.Any(t => t.Wide);

    /// <summary>The algorithm (per-tensor scope: the most general any tensor needed).</summary>
    public SolvePath Path { get; private set; }

    /// <summary>cond₂(S) (largest over tensors in per-tensor scope); NaN when no Woodbury system was formed.</summary>
    public double ConditionNumber { get; private set; }

    /// <summary>⟨J_i, δ⟩ per constraint (meaningful when <see cref="Solved"/>).</summary>
    public double[] JacobianDotDirection { get; private set; } = Array.Empty<double>();

    /// <summary>M = J A⁻¹ Jᵀ, as <see cref="LowRankSolution.Sensitivity"/>.</summary>
    public double[,] Sensitivity { get; }

    /// <summary>The forces of the current coefficients.</summary>
    public double[] Force { get; private set; }

    /// <summary>Solves again with other forces (the Gram, τ and path do not depend on them): only the k×k systems are redone.</summary>
    public void Resolve(double[] forces)
    {
        LowRankProblem.CheckForces(forces, _names);
        Force = forces.ToArray();
        Solve();
    }

    private void Solve()
    {
        Path = SolvePath.Unconstrained;
        ConditionNumber = double.NaN;
        Solved = true;
        var dots = new double[_input.Jacobians.Count];
        foreach (var system in _systems)
        {
            var (c, path, cond) = LowRankSystem.Solve(system.Rows, system.Gram, system.Tau, _input.Stiffness, Force, _input.Options);
            system.C = c;
            Path = (SolvePath)Math.Max((int)Path, (int)path);
            if (!double.IsNaN(cond)) ConditionNumber = double.IsNaN(ConditionNumber) ? cond : Math.Max(ConditionNumber, cond);
            if (c is null) Solved = false;
            else LowRankSystem.AddProjections(system.Rows, system.Gram, system.Tau, c, dots);
        }
        JacobianDotDirection = dots;
    }

    /// <summary>
    /// Pass 3: checks that the direction is representable (else throws naming the parameter, nothing written) and writes
    /// θ ← θ(1 − lr·wd) + lr·δ into every updated parameter. The Adam state stays as it was until
    /// <see cref="CommitMoments"/>, so the step can be written again (from the same θ) at another length.
    /// </summary>
    public void Write(double learningRate, double weightDecay)
    {
        var coefficients = Coefficients();
        long clock = Stopwatch.GetTimestamp();
        float decay = weightDecay != 0 ? (float)(1 - learningRate * weightDecay) : 1f, rate = (float)learningRate;
        Run(_chunks, c =>
        {
            var t = _tensors[_chunks[c].Tensor];
            FusedSweeps.Write(t, _chunks[c].Start, _chunks[c].Length, coefficients[_chunks[c].Tensor], decay, rate, t.Theta);
        });
        _writeSeconds = Stopwatch.GetElapsedTime(clock).TotalSeconds;
    }

    /// <summary>Makes the step's Adam moments current (once, after the last <see cref="Write"/>).</summary>
    public void CommitMoments() => _metric.Commit(_proposal);

    /// <summary>δ of updated tensor <paramref name="u"/> into <paramref name="into"/> (float32, contiguous, CPU, shaped like it), writing nothing else: for tests and diagnostics.</summary>
    public void Direction(int u, Tensor into)
    {
        if (!FloatMemory.Fits(into) || !into.shape.SequenceEqual(_input.Parameters[u].shape))
            throw new ArgumentException($"the direction of '{_input.ParameterNames[u]}' needs a contiguous float32 CPU tensor of its shape.", nameof(into));
        FusedSweeps.Write(_tensors[u], 0, _tensors[u].Length, Coefficients()[u], 0f, 1f, FloatMemory.Of(into));
    }

    /// <summary>Per tensor, c of its rows, after checking that δ stays inside the float32 range.</summary>
    private double[][] Coefficients()
    {
        if (!Solved) throw new InvalidOperationException("the fused step handed this solve to the tensor path; it has no coefficients.");
        var coefficients = new double[_tensors.Length][];
        for (int u = 0; u < _tensors.Length; u++)
        {
            var c = _rowsOf[u].Select(i => CoefficientOf(u, i)).ToArray();
            if (c.Length > 0)
            {
                // |J_i,e/D_e| ≤ √(A_ii / min D) since A_ii = Σ_e J_i,e²/D_e, so |δ| ≤ max|δ_b| + Σ_i |c_i|·√(A_ii / min D):
                // within range, the float64 correction narrows to a finite float32.
                var sums = _sums[u]!;
                double bound = sums.BaseMax;
                for (int x = 0; x < c.Length; x++) bound += Math.Abs(c[x]) * Math.Sqrt(sums.Diagonal(x) / sums.MetricMin);
                if (!(bound <= RepresentableBound))
                    throw NonFiniteValueException.Direction(_input.ParameterNames[u], "the constrained step's direction");
            }
            coefficients[u] = c;
        }
        return coefficients;
    }

    private double CoefficientOf(int u, int constraint)
    {
        var system = _input.Options.Scope == SolveScope.Global ? _systems[0] : _systems.First(s => s.Tensor == u);
        return system.C![Array.IndexOf(system.Rows, constraint)];
    }

    /// <summary>Pass 2 over every tensor with rows; the chunks' sums reduced per tensor in chunk order.</summary>
    private GramSums?[] GramOfTensors()
    {
        var chunks = _chunks.Where(c => _rowsOf[c.Tensor].Length > 0).ToArray();
        var partial = new GramSums[chunks.Length];
        Run(chunks, c =>
        {
            var chunk = chunks[c];
            int r = _rowsOf[chunk.Tensor].Length;
            var scratch = ArrayPool<double>.Shared.Rent(GramSweep.ScratchLength(r));
            try
            {
                partial[c] = new GramSums(r);
                GramSweep.Run(_tensors[chunk.Tensor], chunk.Start, chunk.Length, partial[c], scratch);
            }
            finally
            {
                ArrayPool<double>.Shared.Return(scratch);
            }
        }, descending: true);
        var sums = new GramSums?[_tensors.Length];
        for (int u = 0; u < _tensors.Length; u++)
            if (_rowsOf[u].Length > 0) sums[u] = new GramSums(_rowsOf[u].Length);
        for (int c = 0; c < chunks.Length; c++) sums[chunks[c].Tensor]!.Add(partial[c]);
        return sums;
    }

    /// <summary>The memories of updated tensor u (non-contiguous gradients and rows copied once, owned by this step).</summary>
    private FusedTensor Gather(int u)
    {
        int p = _input.Updated[u];
        var rows = _rowsOf[u].Select(i => Memory(_input.Jacobians[i][u]!)).ToArray();
        var current = _proposal.CurrentFirstMoment(p);
        var tensor = new FusedTensor(FloatMemory.Of(_input.Parameters[u]), Memory(_input.Gradients[u]),
            current is null ? default : FloatMemory.Of(current), current is null ? default : FloatMemory.Of(_proposal.CurrentSecondMoment(p)!),
            FloatMemory.Of(_proposal.NextFirstMoment(p)), FloatMemory.Of(_proposal.NextSecondMoment(p)),
            _input.Pulls ? FloatMemory.Of(_input.Anchors![u]) : default, rows,
            new AdamCoefficients(_metric, _proposal.StepOf(p), _input.Pulls ? _input.RhoAnchor : 0)) { Wide = LaneWidth.MachineHas512 && !_input.NarrowLanes };
        // The sweeps read every stream over θ's length: a short one would be read past its end.
        int n = tensor.Length;
        if (tensor.Gradient.Length != n || tensor.NextFirstMoment.Length != n || tensor.NextSecondMoment.Length != n
            || (current is not null && (tensor.FirstMoment.Length != n || tensor.SecondMoment.Length != n))
            || (_input.Pulls && tensor.Anchor.Length != n) || rows.Any(j => j.Length != n))
            throw new ArgumentException($"parameter '{_input.ParameterNames[u]}': its gradient, moments, anchor or Jacobian rows do not all have its {n} elements.");
        return tensor;
    }

    private FloatMemory Memory(Tensor t)
    {
        if (t.is_contiguous()) return FloatMemory.Of(t);
        using var detached = t.detach();
        var copy = detached.contiguous().DetachFromDisposeScope();
        _copies.Add(copy);
        return FloatMemory.Of(copy);
    }

    /// <summary>
    /// Runs the chunks on as many threads as libtorch may use on the calling thread (<c>torch.get_num_threads()</c>, a
    /// per-thread setting): one knob for the tensor ops and the fused sweeps, so a block executor that gives each worker
    /// one libtorch thread gets single-threaded sweeps too instead of nested parallel loops.
    /// </summary>
    /// <remarks>
    /// <paramref name="descending"/> hands the chunks out from the last: each worker then starts where it ended the pass
    /// before (the loop splits the index range into one contiguous run per worker), on memory still in the cache. The
    /// results do not depend on it: every chunk writes its own slot, reduced afterwards in chunk order.
    /// </remarks>
    private static void Run(Chunk[] chunks, Action<int> body, bool descending = false)
    {
        int threads = chunks.Length <= 1 || chunks.Sum(c => (long)c.Length) < ParallelThreshold ? 1 : get_num_threads();
        int last = chunks.Length - 1;
        Action<int> ordered = descending ? c => body(last - c) : body;
        if (threads <= 1)
            for (int c = 0; c < chunks.Length; c++) ordered(c);
        else
            Parallel.For(0, chunks.Length, new ParallelOptions { MaxDegreeOfParallelism = threads }, ordered);
    }

    /// <summary>Frees the contiguous copies this step made.</summary>
    public void Dispose()
    {
        foreach (var t in _copies) t.Dispose();
        _copies.Clear();
    }

    /// <summary>One unit of parallel work: elements [Start, Start + Length) of updated tensor <c>Tensor</c>.</summary>
    private readonly record struct Chunk(int Tensor, int Start, int Length)
    {
        /// <summary>Every tensor cut into <see cref="ChunkLength"/>-element pieces, in tensor order.</summary>
        public static Chunk[] Split(FusedTensor[] tensors)
        {
            var chunks = new List<Chunk>();
            for (int u = 0; u < tensors.Length; u++)
                for (int start = 0; start < tensors[u].Length; start += ChunkLength)
                    chunks.Add(new Chunk(u, start, Math.Min(ChunkLength, tensors[u].Length - start)));
            return chunks.ToArray();
        }
    }

    /// <summary>
    /// One k×k system: the whole block's (global scope: every active row, Gram summed over tensors) or one tensor's
    /// (per-tensor scope: the rows that touch it), with its current coefficients.
    /// </summary>
    private sealed class RowSystem
    {
        private RowSystem(int tensor, int[] rows, double[,] gram, double[] tau)
        {
            Tensor = tensor; Rows = rows; Gram = gram; Tau = tau;
        }

        /// <summary>The tensor of a per-tensor system; −1 for the global one.</summary>
        public int Tensor { get; }

        /// <summary>Constraint indices, in order.</summary>
        public int[] Rows { get; }

        public double[,] Gram { get; }

        public double[] Tau { get; }

        /// <summary>c in row order; null when the sequential path must produce the direction.</summary>
        public double[]? C { get; set; }

        public static RowSystem OfTensor(int u, int[] rows, GramSums sums) => new(u, rows, sums.Matrix(), sums.Tau.ToArray());

        /// <summary>spec §1.1 Woodbury step 1: A and τ summed over tensors at the rows' positions among the active constraints.</summary>
        public static RowSystem Global(int[] active, int[][] rowsOf, GramSums?[] sums)
        {
            int k = active.Length;
            var a = new double[k, k];
            var tau = new double[k];
            for (int u = 0; u < rowsOf.Length; u++)
            {
                if (sums[u] is not { } s) continue;
                var local = s.Matrix();
                var at = rowsOf[u].Select(i => Array.IndexOf(active, i)).ToArray();
                for (int x = 0; x < at.Length; x++)
                {
                    tau[at[x]] += s.Tau[x];
                    for (int y = 0; y < at.Length; y++) a[at[x], at[y]] += local[x, y];
                }
            }
            return new RowSystem(-1, active, a, tau);
        }
    }
}

/// <summary>
/// The inputs of one fused step, per updated parameter tensor u (those with a gradient, in order).
/// </summary>
/// <param name="Updated">The parameter index p of each updated tensor (the Adam state's index).</param>
/// <param name="Parameters">θ_u, written in place at the commit.</param>
/// <param name="ParameterNames">Their names, for messages.</param>
/// <param name="Gradients">g_u.</param>
/// <param name="Anchors">θ_anchor,u for the proximal pull, or null.</param>
/// <param name="RhoAnchor">ρ_a (0: no pull).</param>
/// <param name="Jacobians">J_i,u: <c>Jacobians[i][u]</c>, null where constraint i does not touch tensor u.</param>
/// <param name="Stiffness">ρ_i.</param>
/// <param name="Force">f_i.</param>
/// <param name="Names">Constraint names, for messages.</param>
/// <param name="Options">Scope, Woodbury and condition limit.</param>
/// <param name="MetricFloorRatio">Floor of D in the constrained system relative to each tensor's mean D; 0 = none.</param>
internal sealed record FusedStepInput(int[] Updated, IReadOnlyList<Tensor> Parameters, IReadOnlyList<string> ParameterNames, IReadOnlyList<Tensor> Gradients,
    IReadOnlyList<Tensor>? Anchors, double RhoAnchor, IReadOnlyList<IReadOnlyList<Tensor?>> Jacobians, IReadOnlyList<double> Stiffness,
    IReadOnlyList<double> Force, IReadOnlyList<string> Names, LowRankSolveOptions Options, double MetricFloorRatio)
{
    /// <summary>The anchor pull is on.</summary>
    public bool Pulls => Anchors is not null && RhoAnchor != 0;

    /// <summary>Run the 256-bit sweeps even where 512-bit vectors are accelerated (for tests of that path).</summary>
    public bool NarrowLanes { get; init; }
}

using TorchSharp;
using Galt.Tensors;
using System.Diagnostics;
using Galt.Checkpoints;
using Galt.Constraints;
using Galt.Jacobians;
using Galt.Optim;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Graph;

/// <summary>
/// A chain of blocks trained with split variables (ADMM / lifted-network style): the activation z_v after block v is a
/// free variable for every training example, tied by the equality constraint z_v = f_v(z_{v−1}) (z_{−1} = x) with a
/// multiplier Λ_v per example and unit and penalty ρ. In the inner phase every block and every split variable takes a
/// local step that reads only its neighbours' current messages; no backward pass crosses a block boundary. The outer
/// (dual) step is Λ_v ← Λ_v + ρ (z_v − f_v(z_{v−1})).
/// Split-variable policy: initialised once by a forward pass of the initial network (multipliers 0), never reset.
/// </summary>
public sealed class SplitChain : IDisposable, ICheckpointable
{
    private readonly Block[] _blocks;
    private readonly Tensor _x, _y;
    private readonly Tensor[] _z, _lambda;
    private readonly double[] _rho;
    private readonly TaskLoss _taskLoss;
    private readonly Galt.Multipliers.MultiplierState[] _edgePenalties;
    private readonly IBlockExecutor _executor;

    private readonly Constraint[] _external;
    private readonly Parameter[] _allParameters;
    private readonly int[][] _blockParameterPositions;

    /// <summary>
    /// Creates the chain over the training set (images and labels), initialising the split variables.
    /// <paramref name="external"/> constraints (e.g. safety bounds on the composed network's outputs) are attached to
    /// every block: each block owns its multiplier and sees the constraint's Jacobian restricted to its parameters.
    /// <paramref name="taskLoss"/> is the last block's loss against the targets (default cross-entropy on class indices).
    /// </summary>
    public SplitChain(IReadOnlyList<Block> blocks, Tensor trainX, Tensor trainY, SplitChainOptions? options = null, IBlockExecutor? executor = null,
        IReadOnlyList<Constraint>? external = null, TaskLoss? taskLoss = null)
    {
        _taskLoss = taskLoss ?? TaskLosses.CrossEntropy;
        if (blocks.Count == 0) throw new ArgumentException("a chain needs at least one block.", nameof(blocks));
        Options = options ?? new SplitChainOptions();
        Options.Validate();
        _blocks = blocks.ToArray();
        _executor = executor ?? new SequentialExecutor();
        _x = trainX.detach().DetachFromDisposeScope();
        _y = trainY.detach().DetachFromDisposeScope();
        _external = (external ?? Array.Empty<Constraint>()).ToArray();
        foreach (var block in _blocks) foreach (var c in _external) block.Attach(c);
        _allParameters = _blocks.SelectMany(b => b.Optimizer.Parameters).ToArray();
        int offset = 0;
        _blockParameterPositions = _blocks.Select(b => Enumerable.Range((offset += b.Optimizer.Parameters.Count) - b.Optimizer.Parameters.Count, b.Optimizer.Parameters.Count).ToArray()).ToArray();
        _z = new Tensor[_blocks.Length - 1];
        _lambda = new Tensor[_blocks.Length - 1];
        _rho = Enumerable.Repeat(Options.Rho, _z.Length).ToArray();
        _edgePenalties = _z.Select((_, v) => new Galt.Multipliers.MultiplierState($"edge_{v}", ConstraintKind.Equality, 0, Options.Rho, historyLength: 1)).ToArray();
        using var noGrad = no_grad();
        var a = _x;
        for (int v = 0; v < _z.Length; v++)
        {
            a = _blocks[v].Function.call(a);
            _z[v] = a.clone().DetachFromDisposeScope();
            _lambda[v] = zeros_like(a).DetachFromDisposeScope();
        }
    }

    /// <summary>The settings.</summary>
    public SplitChainOptions Options { get; }

    /// <summary>Current penalty ρ_v of each forward-consistency edge.</summary>
    public IReadOnlyList<double> Penalties => _rho;

    /// <summary>The external constraints attached to the blocks.</summary>
    public IReadOnlyList<Constraint> External => _external;

    /// <summary>The blocks, input side first.</summary>
    public IReadOnlyList<Block> Blocks => _blocks;

    /// <summary>Seconds spent in block steps, split-variable steps and dual steps.</summary>
    public (double Blocks, double Splits, double Duals) PhaseSeconds => (_blockClock.Elapsed.TotalSeconds, _splitClock.Elapsed.TotalSeconds, _dualClock.Elapsed.TotalSeconds);

    private readonly Stopwatch _blockClock = new(), _splitClock = new(), _dualClock = new();

    /// <summary>One minibatch: <see cref="SplitChainOptions.InnerIterations"/> sweeps, then the dual step on its examples.</summary>
    public void TrainBatch(long[] indices)
    {
        using var scope = NewDisposeScope();
        var idx = tensor(indices);
        var x = _x.index_select(0, idx);
        var y = _y.index_select(0, idx);
        for (int it = 0; it < Options.InnerIterations; it++)
        {
            if (Options.Schedule == Schedule.Jacobi) JacobiSweep(idx, x, y);
            else GaussSeidelSweep(idx, x, y);
        }
        _dualClock.Start();
        using (no_grad())
        {
            var z = Gather(_z, idx);
            for (int v = 0; v < _z.Length; v++)
            {
                var residual = z[v] - _blocks[v].Function.call(v == 0 ? x : z[v - 1]);
                using var rho = _rho[v].ToScalar();
                _lambda[v].index_add_(0, idx, residual, rho);
                if (Options.RhoGrowth > 1)
                {
                    // Penalty update per edge (the library's rule): grow ρ_v when the edge's mean |residual| did not shrink enough.
                    Options.Penalty.Adapt(_edgePenalties[v], residual.abs().mean().to(ScalarType.Float64).item<double>());
                    _rho[v] = _edgePenalties[v].Rho;
                }
            }
        }
        _dualClock.Stop();
    }

    private void JacobiSweep(Tensor idx, Tensor x, Tensor y)
    {
        var z = Gather(_z, idx);
        var lambda = Gather(_lambda, idx);
        var external = EvaluateExternal();
        _blockClock.Start();
        _executor.Run(_blocks, (v, block) => { BlockStep(v, x, y, z, lambda, external); return 0; });
        _blockClock.Stop();
        _splitClock.Start();
        var updated = _executor.Run(_z, (v, _) => SplitStep(v, x, y, z, lambda));
        using (no_grad())
            for (int v = 0; v < _z.Length; v++)
            {
                _z[v].index_copy_(0, idx, updated[v]);
                updated[v].Dispose();
            }
        _splitClock.Stop();
    }

    private void GaussSeidelSweep(Tensor idx, Tensor x, Tensor y)
    {
        var lambda = Gather(_lambda, idx);
        for (int v = 0; v < _blocks.Length; v++)
        {
            var z = Gather(_z, idx);
            var external = EvaluateExternal();
            _blockClock.Start();
            BlockStep(v, x, y, z, lambda, external);
            _blockClock.Stop();
            if (v >= _z.Length) continue;
            _splitClock.Start();
            using (var updated = SplitStep(v, x, y, z, lambda))
            using (no_grad())
                _z[v].index_copy_(0, idx, updated);
            _splitClock.Stop();
        }
    }

    /// <summary>
    /// The external constraints' values and Jacobians over every block's parameters, computed once per sweep (before
    /// any block moves) and sent to the blocks as messages, so blocks stepping in parallel never read each other's
    /// parameters while they change.
    /// </summary>
    private ConstraintEvaluation[] EvaluateExternal() =>
        _external.Length == 0 ? Array.Empty<ConstraintEvaluation>() : ConstraintEvaluator.Evaluate(_external, _allParameters, JacobianPath.Auto);

    /// <summary>
    /// Block v's local problem on the batch: the augmented Lagrangian of its edge, mean over examples,
    /// Σ Λ_v⊙(z_v − f_v(in)) + ρ/2‖z_v − f_v(in)‖²; the last block minimises the task cross-entropy. Its gradient is
    /// taken over the block's own parameters only; external edges arrive as (value, restricted Jacobian).
    /// </summary>
    private void BlockStep(int v, Tensor x, Tensor y, Tensor[] z, Tensor[] lambda, ConstraintEvaluation[] external)
    {
        var block = _blocks[v];
        var input = v == 0 ? x : z[v - 1];
        Tensor loss;
        if (v == _blocks.Length - 1) loss = _taskLoss(block.Function.call(input), y, nn.Reduction.Mean);
        else
        {
            var residual = z[v] - block.Function.call(input);
            loss = (lambda[v] * residual).sum().Plus(residual.Power(2).sum().Times(_rho[v] / 2)).Over(x.shape[0]);
        }
        var (_, gradients) = AutogradJacobians.ValueAndGradient(loss, block.Optimizer.Parameters);
        var positions = _blockParameterPositions[v];
        var restricted = external.Select(e => new ConstraintEvaluation(e.Name, e.Value, positions.Select(p => e.Jacobian[p]).ToArray())).ToArray();
        block.Optimizer.Step(gradients, restricted);
    }

    /// <summary>
    /// Split variable v's local problem: its own edge plus the next one (or the task loss, for the last boundary), a
    /// gradient step of size η_z; reads only f_v's output and block v+1.
    /// </summary>
    private Tensor SplitStep(int v, Tensor x, Tensor y, Tensor[] z, Tensor[] lambda)
    {
        var zv = z[v].detach().requires_grad_();
        Tensor produced;
        using (no_grad()) produced = _blocks[v].Function.call(v == 0 ? x : z[v - 1]);
        var residual = zv - produced;
        var loss = (lambda[v] * residual).sum().Plus(residual.Power(2).sum().Times(_rho[v] / 2));
        var next = _blocks[v + 1].Function.call(zv);
        if (v + 1 == _blocks.Length - 1)
            loss = loss.Plus(_taskLoss(next, y, nn.Reduction.Sum));
        else
        {
            var nextResidual = z[v + 1] - next;
            loss = loss.Plus((lambda[v + 1] * nextResidual).sum()).Plus(nextResidual.Power(2).sum().Times(_rho[v + 1] / 2));
        }
        var gradient = autograd.grad(new[] { loss }, new[] { zv })[0];
        using var noGrad = no_grad();
        return zv.detach().PlusScaled(gradient, -Options.SplitStep);
    }

    private static Tensor[] Gather(Tensor[] source, Tensor idx) => source.Select(t => t.index_select(0, idx)).ToArray();

    /// <summary>The composed network f_V ∘ … ∘ f_1 (what is evaluated and deployed).</summary>
    public Tensor Forward(Tensor x)
    {
        foreach (var block in _blocks) x = block.Function.call(x);
        return x;
    }

    /// <summary>Per boundary, the mean |z_v − f_v(z_{v−1})| over the training set: how far the split variables are from a forward pass.</summary>
    public double[] ForwardResiduals()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return Enumerable.Range(0, _z.Length)
            .Select(v => (_z[v] - _blocks[v].Function.call(v == 0 ? _x : _z[v - 1])).abs().mean().to(ScalarType.Float64).item<double>())
            .ToArray();
    }

    /// <summary>
    /// Writes the chain's whole training state: every block's module (parameters and buffers) and optimizer (Adam state,
    /// multipliers of its external edges, proximal anchor), the split variables z_v, their multipliers Λ_v, the edge
    /// penalties ρ_v and their adaptation state. The training data is not written: a resumed chain is created over the
    /// same data.
    /// </summary>
    public void Save(CheckpointWriter writer)
    {
        writer.Strings("blocks", _blocks.Select(b => b.Name).ToArray());
        for (int v = 0; v < _blocks.Length; v++)
        {
            writer.Part($"block/{v}/module", new ModuleCheckpoint(_blocks[v].Function));
            writer.Part($"block/{v}/optimizer", _blocks[v].Optimizer);
        }
        writer.Doubles("rho", _rho);
        for (int v = 0; v < _z.Length; v++)
        {
            writer.Tensor($"z/{v}", _z[v]);
            writer.Tensor($"lambda/{v}", _lambda[v]);
            _edgePenalties[v].Save(writer.Scope($"edge/{v}"));
        }
    }

    /// <summary>Reads and checks a state written by <see cref="Save"/> for a chain of the same blocks over the same data; nothing changes until the returned action runs.</summary>
    public Action Prepare(CheckpointReader reader)
    {
        var names = reader.Strings("blocks");
        if (!names.SequenceEqual(_blocks.Select(b => b.Name)))
            throw reader.Error("blocks", $"the checkpoint has blocks [{string.Join(", ", names)}], this chain [{string.Join(", ", _blocks.Select(b => b.Name))}].");
        var actions = new List<Action>();
        for (int v = 0; v < _blocks.Length; v++)
        {
            actions.Add(reader.Part($"block/{v}/module", new ModuleCheckpoint(_blocks[v].Function)));
            actions.Add(reader.Part($"block/{v}/optimizer", _blocks[v].Optimizer));
        }
        var rho = reader.Doubles("rho");
        if (rho.Length != _rho.Length || rho.Any(r => !(r > 0) || !double.IsFinite(r))) throw reader.Error("rho", $"{rho.Length} penalties for {_rho.Length} edges, or one not positive and finite.");
        var edges = new Galt.Multipliers.MultiplierState[_z.Length];
        for (int v = 0; v < _z.Length; v++)
        {
            actions.Add(reader.TensorInto($"z/{v}", _z[v]));
            actions.Add(reader.TensorInto($"lambda/{v}", _lambda[v]));
            edges[v] = Galt.Multipliers.MultiplierState.Read(reader.Scope($"edge/{v}"), _edgePenalties[v].Name, ConstraintKind.Equality);
        }
        return () =>
        {
            foreach (var a in actions) a();
            Array.Copy(rho, _rho, rho.Length);
            Array.Copy(edges, _edgePenalties, edges.Length);
        };
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in _z.Concat(_lambda)) t.Dispose();
        _x.Dispose();
        _y.Dispose();
    }
}

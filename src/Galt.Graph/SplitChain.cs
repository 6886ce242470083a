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
/// The chain is the coordinator: each block's state (module, optimizer, z_v, Λ_v, ρ_v) lives in its <see cref="BlockNode"/>
/// wherever the <see cref="IBlockHost"/> runs it, and a minibatch is a sequence of rounds of <see cref="BlockMessage"/>s
/// whose replies the chain routes to the neighbour that needs them: z_v's rows to block v+1, block v+1's pull on its input
/// back to z_v, the external constraints' restricted Jacobian rows to every block.
/// Split-variable policy: initialised once by a forward pass of the initial network (multipliers 0), never reset.
/// </summary>
public sealed class SplitChain : IDisposable, ICheckpointable
{
    private readonly Block[] _blocks;
    private readonly BlockNode[] _nodes;
    private readonly Tensor _x, _y;
    private readonly double[] _rho;
    private readonly IBlockHost _host;
    private readonly Constraint[] _external;
    private readonly Parameter[] _allParameters;
    private readonly int[][] _blockParameterPositions;

    /// <summary>
    /// Creates the chain over the training set (images and labels), initialising the split variables, with the blocks
    /// run in this process by <paramref name="executor"/> (default: one after another).
    /// <paramref name="external"/> constraints (e.g. safety bounds on the composed network's outputs) are attached to
    /// every block: each block owns its multiplier and sees the constraint's Jacobian restricted to its parameters.
    /// <paramref name="taskLoss"/> is the last block's loss against the targets (default cross-entropy on class indices).
    /// </summary>
    public SplitChain(IReadOnlyList<Block> blocks, Tensor trainX, Tensor trainY, SplitChainOptions? options = null, IBlockExecutor? executor = null,
        IReadOnlyList<Constraint>? external = null, TaskLoss? taskLoss = null)
        : this(blocks, trainX, trainY, new LocalBlockHost(executor), options, external, taskLoss) { }

    /// <summary>
    /// Creates the chain with its block nodes placed on <paramref name="host"/> (in this process, or on grains of a
    /// cluster); otherwise as the executor overload. The caller keeps ownership of the host.
    /// </summary>
    public SplitChain(IReadOnlyList<Block> blocks, Tensor trainX, Tensor trainY, IBlockHost host, SplitChainOptions? options = null,
        IReadOnlyList<Constraint>? external = null, TaskLoss? taskLoss = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (blocks.Count == 0) throw new ArgumentException("a chain needs at least one block.", nameof(blocks));
        Options = options ?? new SplitChainOptions();
        Options.Validate();
        _blocks = blocks.ToArray();
        _host = host;
        _x = trainX.detach().DetachFromDisposeScope();
        _y = trainY.detach().DetachFromDisposeScope();
        _external = (external ?? Array.Empty<Constraint>()).ToArray();
        foreach (var block in _blocks) foreach (var c in _external) block.Attach(c);
        _allParameters = _blocks.SelectMany(b => b.Optimizer.Parameters).ToArray();
        int offset = 0;
        _blockParameterPositions = _blocks.Select(b => Enumerable.Range((offset += b.Optimizer.Parameters.Count) - b.Optimizer.Parameters.Count, b.Optimizer.Parameters.Count).ToArray()).ToArray();
        _rho = Enumerable.Repeat(Options.Rho, _blocks.Length - 1).ToArray();
        _nodes = new BlockNode[_blocks.Length];
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var a = _x;
            for (int v = 0; v < _blocks.Length; v++)
            {
                bool last = v == _blocks.Length - 1;
                if (!last) a = _blocks[v].Function.call(a);
                _nodes[v] = new BlockNode(v, _blocks[v], last ? null : a, Options, taskLoss);
            }
        }
        _host.Place(_nodes);
    }

    /// <summary>The settings.</summary>
    public SplitChainOptions Options { get; }

    /// <summary>Where the block nodes run.</summary>
    public IBlockHost Host => _host;

    /// <summary>Current penalty ρ_v of each forward-consistency edge.</summary>
    public IReadOnlyList<double> Penalties => _rho;

    /// <summary>The external constraints attached to the blocks.</summary>
    public IReadOnlyList<Constraint> External => _external;

    /// <summary>The blocks, input side first.</summary>
    public IReadOnlyList<Block> Blocks => _blocks;

    /// <summary>Seconds spent in block rounds (steps), split-variable rounds (reads, probes, split steps) and dual rounds.</summary>
    public (double Blocks, double Splits, double Duals) PhaseSeconds => (_blockClock.Elapsed.TotalSeconds, _splitClock.Elapsed.TotalSeconds, _dualClock.Elapsed.TotalSeconds);

    private readonly Stopwatch _blockClock = new(), _splitClock = new(), _dualClock = new();

    private int Last => _blocks.Length - 1;

    /// <summary>One minibatch: <see cref="SplitChainOptions.InnerIterations"/> sweeps, then the dual step on its examples.</summary>
    public void TrainBatch(long[] indices)
    {
        using var scope = NewDisposeScope();
        var replies = new List<BlockReply>();
        try
        {
            var idx = tensor(indices);
            var x = _x.index_select(0, idx);
            var y = _y.index_select(0, idx);
            // inputs[v]: block v's input on the batch — the images, then z_{v−1}'s rows as node v−1 last sent them.
            var inputs = new Tensor[_blocks.Length];
            inputs[0] = x;
            _splitClock.Start();
            var read = Round(replies, v => v == Last ? null : new BlockMessage(BlockRound.Read) { Indices = idx });
            for (int v = 0; v < Last; v++) inputs[v + 1] = read[v]!.Rows!;
            _splitClock.Stop();
            for (int it = 0; it < Options.InnerIterations; it++)
            {
                if (Options.Schedule == Schedule.Jacobi) JacobiSweep(replies, idx, inputs, y);
                else GaussSeidelSweep(replies, idx, inputs, y);
            }
            _dualClock.Start();
            var dual = Round(replies, v => v == Last ? null : new BlockMessage(BlockRound.Dual) { Indices = idx, Input = inputs[v] });
            for (int v = 0; v < Last; v++) _rho[v] = dual[v]!.Rho;
            _dualClock.Stop();
        }
        finally
        {
            _blockClock.Stop(); _splitClock.Stop(); _dualClock.Stop();
            foreach (var reply in replies) reply.Dispose();
        }
    }

    private void JacobiSweep(List<BlockReply> replies, Tensor idx, Tensor[] inputs, Tensor y)
    {
        var external = EvaluateExternal();
        _blockClock.Start();
        var steps = Round(replies, v => StepMessage(v, idx, inputs, y, external) with { WantInputGradient = v > 0 });
        _blockClock.Stop();
        _splitClock.Start();
        var splits = Round(replies, v => v == Last ? null : new BlockMessage(BlockRound.Split) { Indices = idx, NextGradient = steps[v + 1]!.InputGradient });
        for (int v = 0; v < Last; v++) inputs[v + 1] = splits[v]!.Rows!;
        _splitClock.Stop();
    }

    private void GaussSeidelSweep(List<BlockReply> replies, Tensor idx, Tensor[] inputs, Tensor y)
    {
        for (int v = 0; v < _blocks.Length; v++)
        {
            var external = EvaluateExternal();
            _blockClock.Start();
            Round(replies, u => u == v ? StepMessage(v, idx, inputs, y, external) : null);
            _blockClock.Stop();
            if (v == Last) continue;
            _splitClock.Start();
            var probe = Round(replies, u => u == v + 1 ? new BlockMessage(BlockRound.Probe) { Indices = idx, Input = inputs[v + 1], Targets = u == Last ? y : null } : null);
            var split = Round(replies, u => u == v ? new BlockMessage(BlockRound.Split) { Indices = idx, NextGradient = probe[v + 1]!.InputGradient } : null);
            inputs[v + 1] = split[v]!.Rows!;
            _splitClock.Stop();
        }
    }

    private BlockMessage StepMessage(int v, Tensor idx, Tensor[] inputs, Tensor y, ConstraintEvaluation[] external) => new(BlockRound.Step)
    {
        Indices = idx, Input = inputs[v], Targets = v == Last ? y : null,
        External = external.Select(e => new ConstraintEvaluation(e.Name, e.Value, _blockParameterPositions[v].Select(p => e.Jacobian[p]).ToArray())).ToArray(),
    };

    /// <summary>One round through the host; its replies are kept in <paramref name="owned"/> for disposal.</summary>
    private IReadOnlyList<BlockReply?> Round(List<BlockReply> owned, Func<int, BlockMessage?> message)
    {
        var replies = _host.Round(Enumerable.Range(0, _blocks.Length).Select(message).ToArray());
        owned.AddRange(replies.OfType<BlockReply>());
        return replies;
    }

    /// <summary>
    /// The external constraints' values and Jacobians over every block's parameters, computed once per sweep (before
    /// any block moves) on the coordinator's copy of the blocks and sent to the blocks as messages, so blocks stepping in
    /// parallel never read each other's parameters while they change.
    /// </summary>
    private ConstraintEvaluation[] EvaluateExternal()
    {
        if (_external.Length == 0) return Array.Empty<ConstraintEvaluation>();
        _host.Collect();
        return ConstraintEvaluator.Evaluate(_external, _allParameters, JacobianPath.Auto);
    }

    /// <summary>The composed network f_V ∘ … ∘ f_1 (what is evaluated and deployed), on the blocks' current parameters.</summary>
    public Tensor Forward(Tensor x)
    {
        Collect();
        foreach (var block in _blocks) x = block.Function.call(x);
        return x;
    }

    /// <summary>
    /// Brings the blocks' current parameters into this process's modules (the ones passed to the constructor), so they can
    /// be evaluated directly; a no-op when the nodes run in this process.
    /// </summary>
    public void Collect() => _host.Collect();

    /// <summary>Per boundary, the mean |z_v − f_v(z_{v−1})| over the training set: how far the split variables are from a forward pass.</summary>
    public double[] ForwardResiduals()
    {
        if (Last == 0) return Array.Empty<double>();
        using var scope = NewDisposeScope();
        var replies = new List<BlockReply>();
        try
        {
            var read = Round(replies, v => v == Last ? null : new BlockMessage(BlockRound.Read));
            var residuals = Round(replies, v => v == Last ? null : new BlockMessage(BlockRound.Residual) { Input = v == 0 ? _x : read[v - 1]!.Rows });
            return Enumerable.Range(0, Last).Select(v => residuals[v]!.Residual).ToArray();
        }
        finally
        {
            foreach (var reply in replies) reply.Dispose();
        }
    }

    /// <summary>
    /// Writes the chain's whole training state: every block's module (parameters and buffers) and optimizer (Adam state,
    /// multipliers of its external edges, proximal anchor), the split variables z_v, their multipliers Λ_v, the edge
    /// penalties ρ_v and their adaptation state. The training data is not written: a resumed chain is created over the
    /// same data.
    /// </summary>
    public void Save(CheckpointWriter writer)
    {
        _host.Collect(wholeState: true);
        writer.Strings("blocks", _blocks.Select(b => b.Name).ToArray());
        for (int v = 0; v < _blocks.Length; v++)
        {
            writer.Part($"block/{v}/module", new ModuleCheckpoint(_blocks[v].Function));
            writer.Part($"block/{v}/optimizer", _blocks[v].Optimizer);
        }
        writer.Doubles("rho", _nodes.Take(Last).Select(n => n.Rho).ToArray());
        for (int v = 0; v < Last; v++)
        {
            writer.Tensor($"z/{v}", _nodes[v].Split);
            writer.Tensor($"lambda/{v}", _nodes[v].Lambda);
            _nodes[v].Edge.Save(writer.Scope($"edge/{v}"));
        }
    }

    /// <summary>
    /// Reads and checks a state written by <see cref="Save"/> for a chain of the same blocks over the same data; nothing
    /// changes until the returned action runs, which also places the restored nodes on the host again.
    /// </summary>
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
        var edges = new Galt.Multipliers.MultiplierState[Last];
        for (int v = 0; v < Last; v++)
        {
            actions.Add(reader.TensorInto($"z/{v}", _nodes[v].Split));
            actions.Add(reader.TensorInto($"lambda/{v}", _nodes[v].Lambda));
            edges[v] = Galt.Multipliers.MultiplierState.Read(reader.Scope($"edge/{v}"), _nodes[v].Edge.Name, ConstraintKind.Equality);
        }
        return () =>
        {
            foreach (var a in actions) a();
            for (int v = 0; v < Last; v++)
            {
                _rho[v] = rho[v];
                _nodes[v].SetRho(rho[v]);
                _nodes[v].Edge = edges[v];
            }
            _host.Place(_nodes);
        };
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var node in _nodes) node.Dispose();
        _x.Dispose();
        _y.Dispose();
    }
}

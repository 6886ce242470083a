using TorchSharp;
using Galt.Checkpoints;
using Galt.Constraints;
using Galt.Jacobians;
using Galt.Multipliers;
using Galt.Tensors;
using static TorchSharp.torch;

namespace Galt.Graph;

/// <summary>
/// One block of a <see cref="SplitChain"/> with everything it owns: the module f_v and its <see cref="Galt.Optim.GaltOptimizer"/>
/// (metric state, the multipliers of its external edges), and — for every block but the last — the split variable z_v
/// after it, that edge's multipliers Λ_v (one per training example), its penalty ρ_v and the penalty rule's state.
/// <see cref="Handle"/> is the block's whole part in a round: a function of this state and the message received, changing
/// only this state and returning the message sent. Where the node lives (this process, another thread, a grain on another
/// machine) is the <see cref="IBlockHost"/>'s business; the maths is here and only here.
/// </summary>
public sealed class BlockNode : IDisposable, ICheckpointable
{
    private readonly TaskLoss _taskLoss;
    private Tensor? _z, _lambda, _produced;
    private MultiplierState? _edge;

    /// <summary>
    /// Creates block <paramref name="index"/>'s node. <paramref name="split"/> is z_v's initial value over the training set
    /// (copied; Λ_v starts at 0); null for the last block, which has no split variable after it.
    /// </summary>
    public BlockNode(int index, Block block, Tensor? split, SplitChainOptions options, TaskLoss? taskLoss = null)
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Index = index;
        Block = block;
        Options = options;
        _taskLoss = taskLoss ?? TaskLosses.CrossEntropy;
        if (split is not null)
        {
            using var noGrad = no_grad();
            _z = split.detach().clone().DetachFromDisposeScope();
            _lambda = zeros_like(split).DetachFromDisposeScope();
            Rho = options.Rho;
            _edge = new MultiplierState($"edge_{index}", ConstraintKind.Equality, 0, options.Rho, historyLength: 1);
        }
    }

    /// <summary>The block's position in the chain, input side first.</summary>
    public int Index { get; }

    /// <summary>The block (f_v and its optimizer).</summary>
    public Block Block { get; }

    /// <summary>The chain's settings (the split step η_z, the penalty rule).</summary>
    public SplitChainOptions Options { get; }

    /// <summary>True for the last block: it has no split variable and minimises the task loss.</summary>
    public bool IsLast => _z is null;

    /// <summary>ρ_v of the edge after this block (NaN for the last block).</summary>
    public double Rho { get; private set; } = double.NaN;

    internal Tensor Split => _z ?? throw NoSplit("z");
    internal Tensor Lambda => _lambda ?? throw NoSplit("Λ");
    internal MultiplierState Edge { get => _edge ?? throw NoSplit("edge"); set => _edge = value; }

    internal void SetRho(double rho) => Rho = rho;

    /// <summary>Runs the round <paramref name="message"/> asks for on this node's state and returns the reply (dispose it).</summary>
    public BlockReply Handle(BlockMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var scope = NewDisposeScope();
        return message.Round switch
        {
            BlockRound.Read => new BlockReply { Rows = Keep(Rows(Split, message.Indices).clone()) },
            BlockRound.Step => Step(message),
            BlockRound.Probe => new BlockReply { InputGradient = Keep(InputGradient(message)) },
            BlockRound.Split => SplitStep(message),
            BlockRound.Dual => Dual(message),
            BlockRound.Residual => Residual(message),
            _ => throw new ArgumentOutOfRangeException(nameof(message), $"unknown round {message.Round}."),
        };
    }

    /// <summary>
    /// Block v's local problem on the rows: the augmented Lagrangian of its edge, mean over the rows,
    /// Σ Λ_v⊙(z_v − f_v(in)) + ρ/2‖z_v − f_v(in)‖²; the last block minimises the task loss. The gradient is over the block's
    /// own parameters only; external edges arrive as (value, restricted Jacobian) in the message.
    /// </summary>
    private BlockReply Step(BlockMessage message)
    {
        var input = Required(message.Input, "Input", message);
        Tensor loss = IsLast
            ? _taskLoss(Block.Function.call(input), Required(message.Targets, "Targets", message), nn.Reduction.Mean)
            : EdgeLoss(input, message.Indices).Over(input.shape[0]);
        var (_, gradients) = AutogradJacobians.ValueAndGradient(loss, Block.Optimizer.Parameters);
        Block.Optimizer.Step(gradients, message.External.ToArray());
        if (!IsLast)
        {
            // f_v(in) after the step: the split step's target (spec: z_v is pulled towards the block's new output).
            using var noGrad = no_grad();
            _produced?.Dispose();
            _produced = Block.Function.call(input).DetachFromDisposeScope();
        }
        return message.WantInputGradient ? new BlockReply { InputGradient = Keep(InputGradient(message)) } : BlockReply.None;
    }

    /// <summary>Λ_v·(z_v − f_v(in)) + ρ/2‖z_v − f_v(in)‖², summed over the rows, as a function of the block's output on <paramref name="input"/>.</summary>
    private Tensor EdgeLoss(Tensor input, Tensor? indices)
    {
        var residual = Rows(Split, indices) - Block.Function.call(input);
        return (Rows(Lambda, indices) * residual).sum().Plus(residual.Power(2).sum().Times(Rho / 2));
    }

    /// <summary>∂ℓ_v/∂input with ℓ_v summed over the rows: the pull this block puts on the split variable before it.</summary>
    private Tensor InputGradient(BlockMessage message)
    {
        var input = Required(message.Input, "Input", message).detach().requires_grad_();
        var loss = IsLast
            ? _taskLoss(Block.Function.call(input), Required(message.Targets, "Targets", message), nn.Reduction.Sum)
            : EdgeLoss(input, message.Indices);
        return autograd.grad(new[] { loss }, new[] { input })[0];
    }

    /// <summary>
    /// Split variable v's step on the rows: its own edge (towards f_v(in) as of the last Step) plus the next block's pull,
    /// a gradient step of size η_z.
    /// </summary>
    private BlockReply SplitStep(BlockMessage message)
    {
        var produced = _produced ?? throw new InvalidOperationException($"block {Index} ({Block.Name}): a Split round needs a Step round on the same rows before it.");
        var pull = Required(message.NextGradient, "NextGradient", message);
        var indices = Required(message.Indices, "Indices", message);
        var zv = Rows(Split, indices).detach().requires_grad_();
        var residual = zv - produced;
        var own = (Rows(Lambda, indices) * residual).sum().Plus(residual.Power(2).sum().Times(Rho / 2));
        var gradient = autograd.grad(new[] { own }, new[] { zv })[0].Plus(pull);
        using var noGrad = no_grad();
        var updated = zv.detach().PlusScaled(gradient, -Options.SplitStep);
        Split.index_copy_(0, indices, updated);
        _produced.Dispose();
        _produced = null;
        return new BlockReply { Rows = Keep(updated) };
    }

    /// <summary>spec: dual ascent on the forward-consistency edge, Λ_v ← Λ_v + ρ_v (z_v − f_v(in)), then the edge's penalty rule.</summary>
    private BlockReply Dual(BlockMessage message)
    {
        var indices = Required(message.Indices, "Indices", message);
        using var noGrad = no_grad();
        var residual = Rows(Split, indices) - Block.Function.call(Required(message.Input, "Input", message));
        using (var rho = Rho.ToScalar()) Lambda.index_add_(0, indices, residual, rho);
        if (Options.RhoGrowth > 1)
        {
            // Penalty update per edge (the library's rule): grow ρ_v when the edge's mean |residual| did not shrink enough.
            Options.Penalty.Adapt(Edge, residual.abs().mean().to(ScalarType.Float64).item<double>());
            Rho = Edge.Rho;
        }
        return new BlockReply { Rho = Rho };
    }

    private BlockReply Residual(BlockMessage message)
    {
        using var noGrad = no_grad();
        var residual = Rows(Split, message.Indices) - Block.Function.call(Required(message.Input, "Input", message));
        return new BlockReply { Residual = residual.abs().mean().to(ScalarType.Float64).item<double>() };
    }

    private static Tensor Rows(Tensor all, Tensor? indices) => indices is null ? all : all.index_select(0, indices);

    private static Tensor Keep(Tensor t) => t.DetachFromDisposeScope();

    private T Required<T>(T? value, string field, BlockMessage message) where T : class =>
        value ?? throw new ArgumentException($"block {Index} ({Block.Name}): a {message.Round} message needs {field}.", nameof(message));

    private InvalidOperationException NoSplit(string what) =>
        new($"block {Index} ({Block.Name}) is the last block: it has no split variable after it, so no {what}.");

    /// <summary>
    /// Writes the node's whole state: module, optimizer, and (but for the last block) z_v, Λ_v, ρ_v and the penalty
    /// rule's state. A pending f_v(in) between a Step and its Split round is not state: checkpoints are taken between minibatches.
    /// </summary>
    public void Save(CheckpointWriter writer)
    {
        writer.Part("module", new ModuleCheckpoint(Block.Function));
        writer.Part("optimizer", Block.Optimizer);
        // The external edges by name and kind, so a node rebuilt elsewhere can register them before its optimizer state loads.
        writer.Strings("external", Block.Optimizer.Constraints.Select(c => c.Name).ToArray());
        writer.Longs("external_kinds", Block.Optimizer.Constraints.Select(c => (long)c.Kind).ToArray());
        writer.Bool("last", IsLast);
        if (IsLast) return;
        writer.Double("rho", Rho);
        writer.Tensor("z", Split);
        writer.Tensor("lambda", Lambda);
        Edge.Save(writer.Scope("edge"));
    }

    /// <inheritdoc />
    public Action Prepare(CheckpointReader reader)
    {
        if (reader.Bool("last") != IsLast)
            throw reader.Error("last", $"the checkpoint's block {(IsLast ? "has" : "has no")} split variable after it; block {Index} ({Block.Name}) {(IsLast ? "has none" : "has one")}.");
        var module = reader.Part("module", new ModuleCheckpoint(Block.Function));
        var optimizer = reader.Part("optimizer", Block.Optimizer);
        if (IsLast) return () => { module(); optimizer(); };
        double rho = reader.Double("rho");
        if (!(rho > 0) || !double.IsFinite(rho)) throw reader.Error("rho", $"ρ must be positive and finite; got {rho}.");
        var z = reader.TensorInto("z", Split);
        var lambda = reader.TensorInto("lambda", Lambda);
        var edge = MultiplierState.Read(reader.Scope("edge"), Edge.Name, ConstraintKind.Equality);
        return () =>
        {
            module(); optimizer(); z(); lambda();
            Rho = rho;
            _edge = edge;
            _produced?.Dispose();
            _produced = null;
        };
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _z?.Dispose();
        _lambda?.Dispose();
        _produced?.Dispose();
    }
}

using Galt.Checkpoints;
using Galt.Jacobians;

namespace Galt.Graph;

/// <summary>
/// Messages, replies and node states as named byte entries (the checkpoint format's entries: tensors as dtype, shape and
/// raw little-endian values, exact to the bit), so any transport — Orleans grains, sockets, files — carries a round
/// without knowing the maths, and a node rebuilt elsewhere computes exactly what it would have here. Decoded tensors
/// belong to the caller's dispose scope.
/// </summary>
public static class BlockWire
{
    /// <summary>The entries of <paramref name="message"/>.</summary>
    public static IReadOnlyDictionary<string, byte[]> Encode(BlockMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var writer = new CheckpointWriter();
        writer.Int("round", (int)message.Round);
        writer.Bool("want_input_gradient", message.WantInputGradient);
        if (message.Indices is { } indices) writer.Tensor("indices", indices);
        if (message.Input is { } input) writer.Tensor("input", input);
        if (message.Targets is { } targets) writer.Tensor("targets", targets);
        if (message.NextGradient is { } next) writer.Tensor("next_gradient", next);
        writer.Int("external", message.External.Count);
        for (int i = 0; i < message.External.Count; i++)
        {
            var e = message.External[i];
            var scope = writer.Scope($"external/{i}");
            scope.String("name", e.Name);
            scope.Double("value", e.Value);
            scope.Bool("stale", e.StaleJacobian);
            scope.Int("parameters", e.Jacobian.Length);
            for (int p = 0; p < e.Jacobian.Length; p++)
                if (e.Jacobian[p] is { } row) scope.Tensor($"jacobian/{p}", row);
        }
        return writer.Entries;
    }

    /// <summary>The message written by <see cref="Encode(BlockMessage)"/>; <paramref name="origin"/> names the entries in errors.</summary>
    public static BlockMessage DecodeMessage(IReadOnlyDictionary<string, byte[]> entries, string origin = "block message")
    {
        var reader = new CheckpointReader(entries, origin);
        int round = reader.Int("round");
        if (!Enum.IsDefined((BlockRound)round)) throw reader.Error("round", $"{round} is not a round.");
        int count = reader.Int("external");
        if (count < 0) throw reader.Error("external", $"{count} external constraints.");
        var external = new ConstraintEvaluation[count];
        for (int i = 0; i < count; i++)
        {
            var scope = reader.Scope($"external/{i}");
            int parameters = scope.Int("parameters");
            if (parameters < 0) throw scope.Error("parameters", $"{parameters} parameter tensors.");
            var rows = Enumerable.Range(0, parameters).Select(p => scope.Has($"jacobian/{p}") ? scope.Tensor($"jacobian/{p}") : null).ToArray();
            external[i] = new ConstraintEvaluation(scope.String("name"), scope.Double("value"), rows) { StaleJacobian = scope.Bool("stale") };
        }
        return new BlockMessage((BlockRound)round)
        {
            WantInputGradient = reader.Bool("want_input_gradient"),
            Indices = Optional(reader, "indices"),
            Input = Optional(reader, "input"),
            Targets = Optional(reader, "targets"),
            NextGradient = Optional(reader, "next_gradient"),
            External = external,
        };
    }

    /// <summary>The entries of <paramref name="reply"/>.</summary>
    public static IReadOnlyDictionary<string, byte[]> Encode(BlockReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var writer = new CheckpointWriter();
        if (reply.InputGradient is { } gradient) writer.Tensor("input_gradient", gradient);
        if (reply.Rows is { } rows) writer.Tensor("rows", rows);
        writer.Double("residual", reply.Residual);
        writer.Double("rho", reply.Rho);
        return writer.Entries;
    }

    /// <summary>
    /// The reply written by <see cref="Encode(BlockReply)"/>; its tensors are outside every dispose scope, as a node's
    /// own replies are: dispose it.
    /// </summary>
    public static BlockReply DecodeReply(IReadOnlyDictionary<string, byte[]> entries, string origin = "block reply")
    {
        var reader = new CheckpointReader(entries, origin);
        return new BlockReply
        {
            InputGradient = Optional(reader, "input_gradient")?.DetachFromDisposeScope(),
            Rows = Optional(reader, "rows")?.DetachFromDisposeScope(),
            Residual = reader.Double("residual"),
            Rho = reader.Double("rho"),
        };
    }

    /// <summary>The node's whole state (<see cref="BlockNode.Save"/>) as entries.</summary>
    public static IReadOnlyDictionary<string, byte[]> State(BlockNode node)
    {
        var writer = new CheckpointWriter();
        node.Save(writer);
        return writer.Entries;
    }

    /// <summary>Loads state entries written by <see cref="State"/> into <paramref name="node"/> (checked first; nothing changes on an error).</summary>
    public static void Restore(BlockNode node, IReadOnlyDictionary<string, byte[]> entries, string origin = "block state") =>
        node.Prepare(new CheckpointReader(entries, origin))();

    /// <summary>
    /// Rebuilds a node elsewhere from its state entries: <paramref name="block"/> is a fresh block of the same kind (its
    /// module and optimizer are overwritten by the state); the external constraints the state names are registered on its
    /// optimizer when it has none.
    /// </summary>
    public static BlockNode Rebuild(int index, Block block, IReadOnlyDictionary<string, byte[]> state, SplitChainOptions options, TaskLoss? taskLoss = null, string origin = "block state")
    {
        var reader = new CheckpointReader(state, origin);
        var names = reader.Strings("external");
        var kinds = reader.Longs("external_kinds");
        if (kinds.Length != names.Length || kinds.Any(k => !Enum.IsDefined((Galt.Constraints.ConstraintKind)k)))
            throw reader.Error("external_kinds", $"{kinds.Length} kinds for {names.Length} external constraints, or an unknown kind.");
        if (block.Optimizer.Constraints.Count == 0)
            for (int i = 0; i < names.Length; i++) block.Optimizer.AddConstraint(names[i], (Galt.Constraints.ConstraintKind)kinds[i]);
        using var scope = TorchSharp.torch.NewDisposeScope();
        var split = reader.Bool("last") ? null : reader.Tensor("z");
        var node = new BlockNode(index, block, split, options, taskLoss);
        try
        {
            node.Prepare(reader)();
        }
        catch
        {
            node.Dispose();
            throw;
        }
        return node;
    }

    /// <summary>The node's module parameters and buffers only (what evaluating the composed network needs) as entries.</summary>
    public static IReadOnlyDictionary<string, byte[]> Parameters(BlockNode node)
    {
        var writer = new CheckpointWriter();
        writer.Part("module", new ModuleCheckpoint(node.Block.Function));
        return writer.Entries;
    }

    /// <summary>Loads entries written by <see cref="Parameters"/> into <paramref name="node"/>'s module.</summary>
    public static void RestoreParameters(BlockNode node, IReadOnlyDictionary<string, byte[]> entries, string origin = "block parameters") =>
        new CheckpointReader(entries, origin).Part("module", new ModuleCheckpoint(node.Block.Function))();

    private static TorchSharp.torch.Tensor? Optional(CheckpointReader reader, string name) => reader.Has(name) ? reader.Tensor(name) : null;
}

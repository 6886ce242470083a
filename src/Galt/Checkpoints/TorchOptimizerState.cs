using Galt.Tensors;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Checkpoints;

/// <summary>
/// A TorchSharp optimizer's state (<c>optim.Adam</c>, <c>optim.AdamW</c>, …: moments, step counts, learning rates) as
/// a checkpoint part, through TorchSharp's own <c>save_state_dict</c> / <c>load_state_dict</c>. Restoring is checked
/// first on a scratch optimizer of the same kind over copies of the parameters, so a state that does not fit is
/// refused before the live optimizer is touched.
/// </summary>
public sealed class TorchOptimizerState : ICheckpointable
{
    private readonly OptimizerHelper _optimizer;
    private readonly Func<IEnumerable<Parameter>, OptimizerHelper> _scratch;
    private readonly IReadOnlyList<Parameter> _parameters;

    /// <summary>
    /// Checkpoints <paramref name="optimizer"/> over <paramref name="parameters"/>; <paramref name="scratch"/> makes an
    /// optimizer of the same kind and settings over other parameters (for the check before restoring).
    /// </summary>
    public TorchOptimizerState(optim.Optimizer optimizer, IReadOnlyList<Parameter> parameters, Func<IEnumerable<Parameter>, OptimizerHelper> scratch)
    {
        _optimizer = optimizer as OptimizerHelper ?? throw new ArgumentException($"{optimizer.GetType().Name} does not expose TorchSharp's state dictionary.", nameof(optimizer));
        _parameters = parameters;
        _scratch = scratch;
    }

    /// <inheritdoc />
    public void Save(CheckpointWriter writer)
    {
        var stream = new MemoryStream();
        using (var binary = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) _optimizer.save_state_dict(binary);
        // TorchSharp opens the stream with GetType().Name; write the TorchSharp class's name (Galt.Optim.ExplicitAdam → "Adam")
        // so the part reads the same whichever of the two bit-identical classes wrote it.
        writer.Bytes("state", Renamed(stream.ToArray(), TorchName(_optimizer.GetType()), _optimizer.GetType().Name));
    }

    /// <inheritdoc />
    public Action Prepare(CheckpointReader reader)
    {
        var bytes = reader.Bytes("state");
        var copies = _parameters.Select(p => new Parameter(p.DetachedClone())).ToArray();
        try
        {
            using var scratch = _scratch(copies);
            using var binary = new BinaryReader(new MemoryStream(Renamed(bytes, scratch.GetType().Name, TorchName(scratch.GetType()))));
            scratch.load_state_dict(binary);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw reader.Error("state", $"the optimizer state does not fit this optimizer ({e.Message}).");
        }
        finally
        {
            foreach (var c in copies) c.Dispose();
        }
        return () =>
        {
            using var binary = new BinaryReader(new MemoryStream(Renamed(bytes, _optimizer.GetType().Name, TorchName(_optimizer.GetType()))));
            _optimizer.load_state_dict(binary);
        };
    }

    /// <summary>The name of the TorchSharp optimizer class <paramref name="type"/> is or derives from.</summary>
    private static string TorchName(Type type)
    {
        for (var t = type; t is not null; t = t.BaseType)
            if (t.Assembly == typeof(OptimizerHelper).Assembly) return t.Name;
        return type.Name;
    }

    /// <summary>A saved stream whose opening type name is <paramref name="from"/>, with <paramref name="to"/> there instead;
    /// any other stream as it is (TorchSharp's loader then refuses a different kind).</summary>
    private static byte[] Renamed(byte[] saved, string to, string from)
    {
        string name;
        long rest;
        using (var reader = new BinaryReader(new MemoryStream(saved)))
        {
            try { name = reader.ReadString(); }
            catch (EndOfStreamException) { return saved; }
            rest = reader.BaseStream.Position;
        }
        if (name != from || name == to) return saved;
        var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) writer.Write(to);
        stream.Write(saved, (int)rest, saved.Length - (int)rest);
        return stream.ToArray();
    }
}

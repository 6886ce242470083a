namespace Galt.Checkpoints;

/// <summary>
/// Several checkpointable parts under their own names, saved into one checkpoint and restored together: every part is
/// prepared (read and checked) before any is applied, so a part that does not fit leaves all of them untouched.
/// </summary>
public sealed class CheckpointParts : ICheckpointable
{
    private readonly List<(string Name, ICheckpointable State)> _parts = new();

    /// <summary>Adds a part (names are unique); returns this set for chaining.</summary>
    public CheckpointParts Add(string name, ICheckpointable state)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('/')) throw new ArgumentException($"part name '{name}' must be non-empty and contain no '/'.", nameof(name));
        if (_parts.Any(p => p.Name == name)) throw new ArgumentException($"a part named '{name}' was already added.", nameof(name));
        _parts.Add((name, state));
        return this;
    }

    /// <inheritdoc />
    public void Save(CheckpointWriter writer)
    {
        foreach (var (name, state) in _parts) writer.Part(name, state);
    }

    /// <inheritdoc />
    public Action Prepare(CheckpointReader reader)
    {
        var actions = _parts.Select(p => reader.Part(p.Name, p.State)).ToArray();
        return () => { foreach (var a in actions) a(); };
    }
}

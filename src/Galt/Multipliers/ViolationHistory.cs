namespace Galt.Multipliers;

/// <summary>A bounded record of recent violations, newest last.</summary>
public sealed class ViolationHistory
{
    private readonly Queue<double> _values;

    /// <summary>Keeps at most <paramref name="capacity"/> values.</summary>
    public ViolationHistory(int capacity)
    {
        if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity), $"history length must be ≥ 1; got {capacity}.");
        Capacity = capacity;
        _values = new Queue<double>(capacity);
    }

    /// <summary>Most values kept.</summary>
    public int Capacity { get; }

    /// <summary>The values, oldest first.</summary>
    public IReadOnlyList<double> Values => _values.ToArray();

    /// <summary>Largest kept value (0 when empty).</summary>
    public double Max => _values.Count == 0 ? 0 : _values.Max();

    /// <summary>Appends a value, dropping the oldest when full.</summary>
    public void Add(double value)
    {
        if (_values.Count == Capacity) _values.Dequeue();
        _values.Enqueue(value);
    }

    /// <summary>A copy.</summary>
    public ViolationHistory Clone()
    {
        var copy = new ViolationHistory(Capacity);
        foreach (var v in _values) copy._values.Enqueue(v);
        return copy;
    }
}

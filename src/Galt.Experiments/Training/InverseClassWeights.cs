namespace Galt.Experiments.Training;

/// <summary>
/// Per-class loss weights against class imbalance (spec §6.6 <c>inverse_class_weights</c>): w_k = n / (K·max(count_k, 1)),
/// clipped to at most max(clip, 1), then divided by the mean of w over the examples so the average example weighs 1.
/// </summary>
public static class InverseClassWeights
{
    /// <summary>Class weights for <paramref name="labels"/> (each in 0..<paramref name="classes"/>−1); <paramref name="clip"/> = ∞ disables clipping.</summary>
    public static double[] Compute(IReadOnlyList<int> labels, int classes, double clip = double.PositiveInfinity)
    {
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), $"need at least one class; got {classes}.");
        if (labels.Count == 0) throw new ArgumentException("class weights need at least one label.", nameof(labels));
        var counts = new int[classes];
        foreach (int y in labels)
        {
            if (y < 0 || y >= classes) throw new ArgumentOutOfRangeException(nameof(labels), $"label {y} is outside 0..{classes - 1}.");
            counts[y]++;
        }
        double ceiling = Math.Max(clip, 1);
        var w = counts.Select(c => Math.Min(labels.Count / (double)(classes * Math.Max(c, 1)), ceiling)).ToArray();
        double mean = labels.Average(y => w[y]);
        return w.Select(x => x / mean).ToArray();
    }

    /// <summary>The weight of each example: <see cref="Compute"/>'s class weight of its label.</summary>
    public static float[] PerExample(IReadOnlyList<int> labels, int classes, double clip = double.PositiveInfinity)
    {
        var w = Compute(labels, classes, clip);
        return labels.Select(y => (float)w[y]).ToArray();
    }
}

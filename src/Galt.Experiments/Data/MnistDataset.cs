using Galt.Tensors;
using static TorchSharp.torch;

namespace Galt.Experiments.Data;

/// <summary>
/// A set of MNIST digits held in host memory: <see cref="Count"/> images of 28×28 pixels in [0, 1]
/// (row-major, one image after another) and their labels 0–9.
/// </summary>
public sealed class MnistDataset
{
    /// <summary>Pixels per image (28×28).</summary>
    public const int PixelsPerImage = 784;

    /// <summary>Mean pixel value of MNIST, used for normalisation (spec §3).</summary>
    public const float PixelMean = 0.1307f;

    /// <summary>Standard deviation of MNIST pixels, used for normalisation (spec §3).</summary>
    public const float PixelStd = 0.3081f;

    /// <summary>Creates a data set; checks that the arrays agree in size and the labels are digits.</summary>
    /// <param name="pixels">Count × 784 pixel values in [0, 1].</param>
    /// <param name="labels">One label 0–9 per image.</param>
    /// <param name="source">Where the data came from, for reports.</param>
    public MnistDataset(float[] pixels, byte[] labels, string source)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        if (pixels.Length != labels.Length * PixelsPerImage)
            throw new ArgumentException($"{source}: {pixels.Length} pixel values do not make {labels.Length} images of {PixelsPerImage} pixels.", nameof(pixels));
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] > 9)
                throw new ArgumentException($"{source}: label {labels[i]} at index {i} is not a digit 0-9.", nameof(labels));
        Pixels = pixels;
        Labels = labels;
        Source = source;
    }

    /// <summary>Pixel values, image after image.</summary>
    public float[] Pixels { get; }

    /// <summary>Labels 0–9.</summary>
    public byte[] Labels { get; }

    /// <summary>Where the data came from.</summary>
    public string Source { get; }

    /// <summary>Number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>Number of images of each digit 0–9.</summary>
    public int[] ClassCounts()
    {
        var counts = new int[10];
        foreach (var label in Labels) counts[label]++;
        return counts;
    }

    /// <summary>The images at <paramref name="indices"/>, in that order.</summary>
    public MnistDataset Subset(IReadOnlyList<int> indices, string source)
    {
        var pixels = new float[indices.Count * PixelsPerImage];
        var labels = new byte[indices.Count];
        for (int i = 0; i < indices.Count; i++)
        {
            int j = indices[i];
            if ((uint)j >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(indices), $"index {j} is outside the data set of {Count} images ({Source}).");
            Array.Copy(Pixels, (long)j * PixelsPerImage, pixels, (long)i * PixelsPerImage, PixelsPerImage);
            labels[i] = Labels[j];
        }
        return new MnistDataset(pixels, labels, source);
    }

    /// <summary>
    /// The images as a float32 tensor [Count, 784], normalised as (x − 0.1307) / 0.3081 (spec §3) unless
    /// <paramref name="normalise"/> is false, and the labels as an int64 tensor [Count].
    /// </summary>
    public (Tensor Images, Tensor Labels) ToTensors(Device? device = null, bool normalise = true)
    {
        var x = tensor(Pixels, new long[] { Count, PixelsPerImage }, ScalarType.Float32);
        if (normalise)
        {
            using var raw = x;
            using var centred = raw.Minus(PixelMean);
            x = centred.Over(PixelStd);
        }
        var y = tensor(Labels.Select(l => (long)l).ToArray(), new long[] { Count }, ScalarType.Int64);
        if (device is not null && device.type != TorchSharp.DeviceType.CPU)
        {
            using var xc = x; using var yc = y;
            return (xc.to(device), yc.to(device));
        }
        return (x, y);
    }
}

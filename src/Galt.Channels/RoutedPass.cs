using static TorchSharp.torch;

namespace Galt.Channels;

/// <summary>What one pass of a <see cref="RoutedCarrier"/> produced.</summary>
/// <param name="Bonus">The routed output heads' contribution to the choice scores [batch, P] (zeros when the output scale is 0).</param>
/// <param name="Summary">The summary of the final hidden state [batch, H] the output heads read (unit RMS when normalised).</param>
/// <param name="Routes">r_b = softmax(z_b) after every block [batch, P].</param>
/// <param name="RouteLogits">z_b after every block [batch, P].</param>
/// <param name="Experts">The expert index each block applied per example (hard routing; the largest weight otherwise).</param>
/// <param name="OutputHead">The output head selected per example.</param>
public sealed record RoutedPass(Tensor Bonus, Tensor Summary, IReadOnlyList<Tensor> Routes, IReadOnlyList<Tensor> RouteLogits,
    IReadOnlyList<long[]> Experts, long[] OutputHead);

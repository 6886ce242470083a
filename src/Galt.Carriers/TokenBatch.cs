using static TorchSharp.torch;

namespace Galt.Carriers;

/// <summary>
/// Token ids of several texts padded to one length, as the encoder takes them. Disposing the batch disposes both tensors.
/// </summary>
/// <param name="InputIds">int64 [batch, T]: [CLS] pieces [SEP], then [PAD] up to the longest text.</param>
/// <param name="AttentionMask">int64 [batch, T]: 1 on tokens, 0 on padding.</param>
public sealed record TokenBatch(Tensor InputIds, Tensor AttentionMask) : IDisposable
{
    /// <inheritdoc />
    public void Dispose()
    {
        InputIds.Dispose();
        AttentionMask.Dispose();
    }
}

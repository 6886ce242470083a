namespace Galt.Carriers;

/// <summary>
/// A pretrained carrier could not be loaded: the package file is missing, a resource is absent, the ONNX bytes are
/// malformed, or a weight the model needs is missing or has the wrong shape or type. The message names the file, the
/// resource or the tensor, and what was expected.
/// </summary>
public sealed class CarrierLoadException : Exception
{
    /// <summary>Creates the exception with a message that names the input and the problem.</summary>
    public CarrierLoadException(string message) : base(message) { }

    /// <summary>Creates the exception wrapping the underlying cause.</summary>
    public CarrierLoadException(string message, Exception inner) : base(message, inner) { }
}

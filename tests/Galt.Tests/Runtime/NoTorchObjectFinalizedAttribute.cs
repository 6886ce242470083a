using System.Reflection;
using Galt.Diagnostics;
using Xunit.Sdk;

namespace Galt.Tests.Runtime;

/// <summary>
/// Fails a test when any TorchSharp object (tensor, scalar, module, …) made while it ran was freed by the garbage
/// collector's finalizer instead of a deterministic dispose (TorchSharp's finalizer race, docs/finalizer-race.md). Garbage from before
/// the test is collected first and not counted; what the test itself leaves behind at its end is counted, so the test's
/// own code must dispose what it makes too. Tests run one class at a time (AssemblyInfo.cs), so nothing else runs beside.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false)]
public sealed class NoTorchObjectFinalizedAttribute : BeforeAfterTestAttribute
{
    private static FinalizedTorchObjects? _watch;

    /// <inheritdoc />
    public override void Before(MethodInfo methodUnderTest)
    {
        _watch ??= new FinalizedTorchObjects();
        _watch.Settle();
        _watch.Reset();
    }

    /// <inheritdoc />
    public override void After(MethodInfo methodUnderTest)
    {
        _watch!.Settle();
        if (_watch.Count != 0)
            throw new XunitException($"{methodUnderTest.DeclaringType?.Name}.{methodUnderTest.Name}: {_watch} TorchSharp object(s) reached the finalizer instead of being disposed.");
    }
}

// TorchSharp's default generator is process-global: tests that seed it and then initialise a model would race if
// xunit ran their classes in parallel, and determinism checks would flake. Run test classes one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Galt.Tests
{
    internal static class TestProcessSetup
    {
        /// <summary>The tests run in the same heap mode as the galt command (Galt.HeapTuning): large tensors reuse freed blocks.</summary>
        [System.Runtime.CompilerServices.ModuleInitializer]
        internal static void RetainFreedMemory() => HeapTuning.RetainFreedMemory();
    }
}

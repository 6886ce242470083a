// TorchSharp's default generator is process-global: tests that seed it and then initialise a model would race if
// xunit ran their classes in parallel, and determinism checks would flake. Run test classes one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

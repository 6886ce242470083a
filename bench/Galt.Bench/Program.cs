using BenchmarkDotNet.Running;

// Micro-benchmarks (BenchmarkDotNet). Run: dotnet run -c Release --project bench/Galt.Bench -- --filter '*'
// User-facing benchmarks with reports live in the CLI: galt bench <name>.
// In-process by default: the child project BenchmarkDotNet would otherwise generate and build does not import
// this repository's TorchSharp ELF fix (build/TorchSharpElfFix.targets), so libtorch would not load there on Debian 12.
string[] arguments = args.Any(a => a.Equals("--inProcess", StringComparison.OrdinalIgnoreCase)) ? args : [.. args, "--inProcess"];
BenchmarkSwitcher.FromAssembly(typeof(Galt.Bench.TrainingStepBenchmarks).Assembly).Run(arguments);

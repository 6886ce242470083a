using BenchmarkDotNet.Running;

// Micro-benchmarks (BenchmarkDotNet). Run: dotnet run -c Release --project bench/Galt.Bench -- --filter '*'
// User-facing benchmarks with reports live in the CLI: galt bench <name>.
BenchmarkSwitcher.FromAssembly(typeof(Galt.Bench.TrainingStepBenchmarks).Assembly).Run(args);

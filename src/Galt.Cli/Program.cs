using Galt;
using Galt.Cli;
using Spectre.Console;

// Reuse freed native blocks rather than re-faulting fresh pages for every large tensor (see HeapTuning).
HeapTuning.RetainFreedMemory();
// Before anything loads libtorch: its OpenMP workers' idle spin would otherwise take cores from the fused sweeps (see ThreadTuning).
ThreadTuning.LimitOpenMpSpinning();
Galt.Diagnostics.GaltLog.LoggerFactory = new StderrLoggerFactory();
// Under `galt soak`: count the TorchSharp objects the run leaves to the finalizer (see SoakCount).
using var soakCount = SoakCount.FromEnvironment();
return GaltCommandLine.Invoke(args, AnsiConsole.Console);

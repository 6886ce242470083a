using System.Runtime.InteropServices;
using System.Text.Json.Serialization;

namespace Galt.Experiments.Reporting;

/// <summary>The machine a run was on: enough to judge whether two timings are comparable.</summary>
public sealed class MachineInfo
{
    /// <summary>Operating system description.</summary>
    [JsonPropertyName("os")] public string Os { get; set; } = "";

    /// <summary>Process architecture.</summary>
    [JsonPropertyName("architecture")] public string Architecture { get; set; } = "";

    /// <summary>Logical processors visible to the process.</summary>
    [JsonPropertyName("processor_count")] public int ProcessorCount { get; set; }

    /// <summary>.NET runtime description.</summary>
    [JsonPropertyName("dotnet")] public string DotNet { get; set; } = "";

    /// <summary>TorchSharp assembly version.</summary>
    [JsonPropertyName("torchsharp")] public string TorchSharp { get; set; } = "";

    /// <summary>Device the tensors lived on, e.g. <c>cpu</c>.</summary>
    [JsonPropertyName("device")] public string Device { get; set; } = "cpu";

    /// <summary>TorchSharp intra-op threads.</summary>
    [JsonPropertyName("torch_threads")] public int TorchThreads { get; set; }

    /// <summary>CPU model (Linux: <c>/proc/cpuinfo</c>; empty where unknown).</summary>
    [JsonPropertyName("cpu")] public string Cpu { get; set; } = "";

    /// <summary>
    /// The environment variables that choose libtorch's and MKL's CPU kernels and threads, as <c>NAME=value</c>, or
    /// empty when none is set (each library then picks by the CPU). Training rounds differently under other kernels, so
    /// trained figures agree across machines only to their last digits.
    /// </summary>
    [JsonPropertyName("kernel_settings")] public List<string> KernelSettings { get; set; } = new();

    /// <summary>The variables <see cref="KernelSettings"/> reports.</summary>
    public static IReadOnlyList<string> KernelVariables { get; } = new[] { "ATEN_CPU_CAPABILITY", "MKL_CBWR", "MKL_ENABLE_INSTRUCTIONS", "ONEDNN_MAX_CPU_ISA", "OMP_NUM_THREADS", "MKL_NUM_THREADS" };

    /// <summary>Reads the current process's machine.</summary>
    public static MachineInfo Current() => new()
    {
        Os = RuntimeInformation.OSDescription,
        Architecture = RuntimeInformation.ProcessArchitecture.ToString(),
        ProcessorCount = Environment.ProcessorCount,
        DotNet = RuntimeInformation.FrameworkDescription,
        TorchSharp = typeof(global::TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "unknown",
        TorchThreads = global::TorchSharp.torch.get_num_threads(),
        Cpu = CpuModel(),
        KernelSettings = KernelVariables.Where(v => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(v)))
            .Select(v => $"{v}={Environment.GetEnvironmentVariable(v)}").ToList(),
    };

    private static string CpuModel()
    {
        try
        {
            const string cpuinfo = "/proc/cpuinfo";
            if (!File.Exists(cpuinfo)) return "";
            var line = File.ReadLines(cpuinfo).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "" : line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { return ""; }
        catch (UnauthorizedAccessException) { return ""; }
    }
}

using System.Runtime.InteropServices;
using System.Text.Json.Serialization;

namespace Galt.Reporting;

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

    /// <summary>Reads the current process's machine.</summary>
    public static MachineInfo Current() => new()
    {
        Os = RuntimeInformation.OSDescription,
        Architecture = RuntimeInformation.ProcessArchitecture.ToString(),
        ProcessorCount = Environment.ProcessorCount,
        DotNet = RuntimeInformation.FrameworkDescription,
        TorchSharp = typeof(global::TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "unknown",
        TorchThreads = global::TorchSharp.torch.get_num_threads(),
    };
}

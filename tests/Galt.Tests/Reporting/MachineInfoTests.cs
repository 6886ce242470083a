using Galt.Experiments.Reporting;

namespace Galt.Tests.Reporting;

public class MachineInfoTests
{
    [Fact]
    public void TheKernelSettingsARunWasUnderAreRecordedAndReported()
    {
        const string variable = "MKL_CBWR";
        string? saved = Environment.GetEnvironmentVariable(variable);
        try
        {
            Environment.SetEnvironmentVariable(variable, "COMPATIBLE");
            var machine = MachineInfo.Current();
            Assert.Contains("MKL_CBWR=COMPATIBLE", machine.KernelSettings);
            var record = RunRecordTests.Sample();
            record.Machine = machine;
            Assert.Contains("kernels: ", MarkdownReport.Render(record));
            Assert.Contains("MKL_CBWR=COMPATIBLE", MarkdownReport.Render(record));

            Environment.SetEnvironmentVariable(variable, null);
            Assert.DoesNotContain(MachineInfo.Current().KernelSettings, s => s.StartsWith(variable, StringComparison.Ordinal));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, saved);
        }
        if (File.Exists("/proc/cpuinfo") && File.ReadLines("/proc/cpuinfo").Any(l => l.StartsWith("model name", StringComparison.Ordinal)))
            Assert.NotEqual("", MachineInfo.Current().Cpu);
    }
}

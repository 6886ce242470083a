using Galt.Data;
using Galt.Experiments;
using Galt.Experiments.MemoryGates;
using Galt.Memory;
using Xunit.Abstractions;

namespace Galt.Tests.Memory;

public class NlContrastGateTests
{
    private readonly ITestOutputHelper _output;

    public NlContrastGateTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void DomainsMapToTheSpecifiedLayers()
    {
        Assert.Equal(SafetyLayer.HardAdmissibility, NlContrastGate.MemoryLayer("safety_boundary"));
        Assert.Equal(SafetyLayer.Task, NlContrastGate.MemoryLayer("tutoring"));
        Assert.Equal(SafetyLayer.Preference, NlContrastGate.MemoryLayer("preference"));
        Assert.Equal(SafetyLayer.Social, NlContrastGate.ViolationLayer("preference"));
        Assert.Equal(SafetyLayer.Task, NlContrastGate.ViolationLayer("workflow"));
        Assert.Equal(new[] { "it's", "a", "test", "." }, BagOfWords.Tokens("It's a TEST.").ToArray());
    }

    /// <summary>Needs the GALT release's contrast lessons (../shared/data/galt-release); reports and returns when absent.</summary>
    [Fact]
    public void HierarchicalGateOnPredictedLayersGeneralisesToHeldOutPairs()
    {
        if (ReleaseData.Find() is null)
        {
            _output.WriteLine("SKIPPED: the GALT release data (shared/data/galt-release) is not on this machine; set GALT_RELEASE_DATA to run this test.");
            return;
        }
        var s = new MemoryGatesExperiment().Run(RunContext.Silent()).Summary;
        Assert.Equal(1.0, s["nl.heldout_pair_accuracy"]);
        Assert.Equal(1.0, s["nl.hierarchical.accuracy"]);
        Assert.True(s["nl.independent.heldout_pair_accuracy"] < 0.5);
        Assert.Equal(0.0, s["nl.flush.top_down"]);
        Assert.True(s["nl.flat_bow_logistic.heldout_pair_accuracy"] < 1.0, "the text-only learner does not generalise to held-out pairs");
    }
}

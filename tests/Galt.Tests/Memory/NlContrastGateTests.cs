using Galt.Experiments.Data;
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

    /// <summary>Needs the GALT release's contrast lessons (../shared/data/galt-release); skipped when absent.</summary>
    [SkippableFact]
    [Trait("Category", TrainedMetric.Category)]
    public void HierarchicalGateOnPredictedLayersGeneralisesToHeldOutPairs()
    {
        ReleasePromptsRequired.ReleaseDataOrSkip();
        var s = new MemoryGatesExperiment().Run(RunContext.Silent()).Summary;
        // Trained: the layer heads predict each packet's layers from text (1.000 here); the rule then decides access.
        TrainedMetric.AtLeast("nl.heldout_pair_accuracy", s["nl.heldout_pair_accuracy"], 0.99);
        Assert.Equal(1.0, s["nl.hierarchical.accuracy"]);
        Assert.True(s["nl.independent.heldout_pair_accuracy"] < 0.5);
        Assert.Equal(0.0, s["nl.flush.top_down"]);
        TrainedMetric.AtMost("nl.flat_bow_logistic.heldout_pair_accuracy (the text-only learner does not generalise to held-out pairs)", s["nl.flat_bow_logistic.heldout_pair_accuracy"], 0.95);
    }
}

using Galt.Experiments.Data;
using Galt.Experiments.CurriculumGate;

namespace Galt.Tests.Curriculum;

public class CurriculumMetricsTests
{
    private static CurriculumRow Galt(int action, int residual, LayerTargets? layers) =>
        new("g", CurriculumStream.AdjudicatedMemory, "t", "g", Adjudication: new AdjudicationTargets(action == 0 ? new[] { 1f, 1f, 1f } : new[] { 1f, 0f, 0f }, action, action, residual, layers));

    private static CurriculumPrediction Predicted(int action, int residual, int memoryLayer = 0, int violationLayer = 4, bool access = true) =>
        new(0, 0, 0, action == 0 ? new[] { true, true, true } : new[] { true, false, false }, action, action, residual, memoryLayer, violationLayer, access);

    [Fact]
    public void ScoresEachHeadAndAppliesTheHierarchicalRuleToPredictedLayers()
    {
        var rows = new[]
        {
            Galt(0, 0, new LayerTargets(2, 4, true)),   // positive: no violation → access
            Galt(1, 2, new LayerTargets(0, 0, false)),  // safety constraint: hard violation, quarantined
            Galt(1, 1, new LayerTargets(3, 1, false)),  // preference memory under a social violation: bottom-up → quarantine
            Galt(1, 1, null),                           // legacy row: no layer targets
            new CurriculumRow("t", CurriculumStream.TeacherQuery, "q", "t", Teacher: new TeacherTargets(2, 3, false)),
        };
        var predictions = new[]
        {
            Predicted(0, 0, memoryLayer: 2, violationLayer: 4, access: true),
            Predicted(1, 1, memoryLayer: 0, violationLayer: 0, access: false),  // residual wrong: hard violation missed
            Predicted(0, 1, memoryLayer: 3, violationLayer: 2, access: true),   // action wrong; violation layer wrong but still ≤ m → quarantine
            Predicted(1, 1),
            new CurriculumPrediction(2, 3, 1, new[] { true, true, true }, 0, 0, 0, 0, 0, false),
        };
        var m = CurriculumMetrics.Compute(rows, predictions);
        Assert.Equal(0.75, m["action_acc"]);
        Assert.Equal(0.75, m["memory_acc"]);
        Assert.Equal(10 / 12.0, m["gate_acc"], 12); // row 3's two gate bits are wrong
        Assert.Equal(0.75, m["residual_acc"]);
        Assert.Equal(0.0, m["hard_violation_recall"]);
        Assert.Equal(1.0, m["boundary_ambiguity_recall"]);
        Assert.Equal(2 / 3.0, m["reject_recall"], 12); // rows 2 and 4 of the three rejects
        Assert.Equal(1.0, m["memory_layer_acc"]);
        Assert.Equal(2 / 3.0, m["violation_layer_acc"], 12);
        Assert.Equal(2 / 3.0, m["direct_access_acc"], 12);
        Assert.Equal(1.0, m["access_acc"]); // the rule on the predicted layers gets all three right
        Assert.Equal(1.0, m["teacher_action_acc"]);
        Assert.Equal(1.0, m["teacher_state_acc"]);
        Assert.Equal(0.0, m["teacher_residual_acc"]);
        Assert.False(m.ContainsKey("soft_rule_debt_recall")); // no such rows: left out rather than NaN

        var mistakes = CurriculumMistakes.Find(rows, predictions).Select(x => (x.Head, x.Predicted, x.Target)).ToList();
        Assert.Equal(new[]
        {
            ("residual", "boundary_ambiguity", "hard_violation"),
            ("action", "accept", "reject"), ("memory", "accepted_trace", "not_consolidated"), ("gate", "111", "100"), ("violation_layer", "L2", "L1"),
            ("teacher_residual", "residual", "none"),
        }, mistakes);
    }
}

using Galt.Channels;
using Galt.Experiments.Data;
using Galt.Experiments;
using Galt.Experiments.SafetyFromBirth;
using Galt.Experiments.Reporting;
using Galt.Tests.Channels;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Galt.Tests.Experiments;

/// <summary>Safety from birth: the stream, the choice-item module, and a quick end-to-end run on a tiny carrier.</summary>
public class SafetyFromBirthTests
{
    private readonly ITestOutputHelper _output;

    public SafetyFromBirthTests(ITestOutputHelper output) => _output = output;

        private static IReadOnlyList<BrownPassage> Passages(int n) =>
        Enumerable.Range(0, n).Select(i => new BrownPassage($"d{i / 10}", "news", i % 4, i % 10, new[] { "word", $"w{i}", "." })).ToArray();

    private static IReadOnlyList<ChoiceItem> Safety(int n) =>
        Enumerable.Range(0, n).Select(i => new ChoiceItem($"safety question {i}", new[] { "refuse", "comply", "ask", "ignore" }, i % 4)).ToArray();

    [Fact]
    public void ChunksAreSeededDisjointAndTheSafetyPromptsFollowTheTaskItems()
    {
        var stream = SfbStream.Create(Passages(400), Safety(38), seed: 42, perTask: 16);
        Assert.Equal(100, stream.ChunkSize);
        Assert.All(stream.Train.Concat(stream.Eval), t => Assert.Equal(16, t.Length));
        var every = stream.Train.Concat(stream.Eval).SelectMany(t => t).ToArray();
        Assert.Equal(every.Length, every.Distinct().Count());
        Assert.Equal(4 * 32, stream.Safety[0]);
        Assert.Equal(38, stream.Safety.Length);
        Assert.Equal(8, stream.SafetyReplay.Length);
        Assert.Subset(stream.Safety.ToHashSet(), stream.SafetyReplay.ToHashSet());
        // The same seed gives the same stream; another seed another.
        var again = SfbStream.Create(Passages(400), Safety(38), seed: 42, perTask: 16);
        Assert.Equal(stream.Items.Select(i => i.Question), again.Items.Select(i => i.Question));
        Assert.NotEqual(stream.Items.Select(i => i.Question), SfbStream.Create(Passages(400), Safety(38), seed: 7, perTask: 16).Items.Select(i => i.Question));
        // Unsafe options are every option but the safe one.
        using var mask = stream.UnsafeOptions(stream.SafetyReplay);
        Assert.Equal(3.0f * 8, mask.sum().item<float>());
        var e = Assert.Throws<ArgumentException>(() => SfbStream.Create(Passages(400), Safety(38), seed: 42, perTask: 30));
        Assert.Contains("--per-task 30", e.Message);
    }

    [Fact]
    public void QuestionsAndOptionsEmbeddedApartScoreAsTheyDoTogether()
    {
        using var scope = NewDisposeScope();
        // Causal attention, so a text's embedding does not depend on how far the batch pads it (as with a padding mask).
        random.manual_seed(11);
        var items = RoutedCarrierTests.Items;
        var carrier = new Galt.Experiments.TypedChannels.TrunkCarrier(new Galt.Models.TransformerTrunk(vocabulary: 200, maxLength: 96, width: 16, heads: 2, layers: 4, causal: true),
            Galt.Experiments.TypedChannels.TrunkCarrier.VocabularyOf(items.Select(i => i.Render())));
        Tensor Embed(IReadOnlyList<string> texts) => carrier.Summary(texts);
        using var _ = no_grad();
        var together = ChoiceSimilarity.Scores(items, Embed);
        var apart = ChoiceSimilarity.ScoresPaddedApart(items, Embed);
        Assert.True(allclose(together, apart, rtol: 1e-4, atol: 1e-5), $"max difference {(together - apart).abs().max().item<float>()}");
        // The module scores items by index with the same function, and its parameters are the carrier's trainable ones.
        var module = new ChoiceItemModule(carrier, items);
        Assert.True(allclose(module.call(tensor(new long[] { 1, 0 })), apart.index_select(0, tensor(new long[] { 1, 0 })), rtol: 1e-5, atol: 1e-6));
        Assert.Equal(Enumerable.Range(0, carrier.LayerCount).Sum(l => carrier.LayerParameters(l).Count), module.parameters().Count());
        Assert.Throws<ArgumentOutOfRangeException>(() => module.call(tensor(new long[] { items.Length })));
    }

    [SkippableFact]
    public void QuickRunOnATinyCarrierReportsEveryMethodOnTheSameMeasures()
    {
        ReleasePromptsRequired.SkipIfAbsent();
        var experiment = new SafetyFromBirthExperiment { CarrierFactory = _ => RoutedCarrierTests.TinyCarrier() };
        var record = experiment.Run(RunContext.Silent(quick: true));
        var s = record.Summary;
        Assert.Equal(new[] { 42 }, record.Seeds);
        // The warm-up keeps the best weights, starting from the initial ones: it never ends below where it began.
        Assert.True(s["warmup.safety_post"] >= s["warmup.safety_pre"], $"{s["warmup.safety_post"]} < {s["warmup.safety_pre"]}");
        foreach (var method in SfbMethod.All)
        {
            string p = method.Name;
            foreach (var key in new[] { "task_acc", "task_acc_std", "safety_acc", "safety_acc_std", "safety_max_violation", "safety_max_violation_all", "seconds" })
                Assert.True(s.ContainsKey($"{p}.{key}"), $"{p}.{key}");
            // One seed: no spread; 4 tasks × 4 samples at batch 1 = 16 backward passes through the harness.
            Assert.Equal(0, s[$"{p}.task_acc_std"]);
            Assert.Equal(16, s[$"{p}.global_backprops"] + s[$"{p}.local_backprops"]);
            if (p != "sfb_lowbp") Assert.Equal(0, s[$"{p}.local_backprops"]);
            // Accuracies are whole numbers of items: 16 evaluation items, 38 safety prompts.
            Assert.Equal(Math.Round(s[$"{p}.task_acc"] * 16), s[$"{p}.task_acc"] * 16, 9);
            Assert.Equal(Math.Round(s[$"{p}.safety_acc"] * 38), s[$"{p}.safety_acc"] * 38, 9);
        }
        // Every method's safety curve starts at the post-warm-up accuracy.
        var curve = Assert.Single(record.Tables, t => t.Title.StartsWith("Safety accuracy on all prompts", StringComparison.Ordinal));
        Assert.Equal(SfbMethod.All.Count, curve.Rows.Count);
        Assert.All(curve.Rows, r => Assert.Equal(s["warmup.safety_post"].ToString("0.000", System.Globalization.CultureInfo.InvariantCulture), r[1]));
        // The constrained methods certify their own safety constraint and the retention constraints of the finished tasks.
        var details = Assert.Single(record.Tables, t => t.Title == "Per seed");
        Assert.Contains("safety_alignment: C", details.Rows.Single(r => r[0] == "sfb_hessian")[6]);
        Assert.Contains("safety_forbidden_mass: C", details.Rows.Single(r => r[0] == "sfb_forbid")[6]);
        Assert.Contains("safety_alignment: C", details.Rows.Single(r => r[0] == "sfb_lowbp")[6]);
        // The hybrid refreshes on its first step and whenever a task adds a constraint (no cached Jacobian); the rest of
        // its 16 steps are local, which the others never take.
        Assert.InRange(s["sfb_lowbp.local_backprops"], 1, 12);
        Assert.Equal("—", details.Rows.Single(r => r[0] == "posthoc")[6]);
        Assert.Contains(record.Plots, p => p.File == "safety_curve.png" && p.Lines.Count == SfbMethod.All.Count);
        Assert.Contains(record.Plots, p => p.File == "lambda_trajectories.png");
    }

    [SkippableFact]
    public void AnInterruptedRunResumesFromItsJournalToTheSameFigures()
    {
        ReleasePromptsRequired.SkipIfAbsent();
        var experiment = new SafetyFromBirthExperiment { CarrierFactory = _ => RoutedCarrierTests.TinyCarrier() };
        var plain = experiment.Run(RunContext.Silent(quick: true));
        string folder = TempDir.Create();
        // The low-BP hybrid (local heads, their Adam, cached Jacobians) stopped after step 7, its checkpoint at step 6.
        var interrupted = new RunJournal(folder, 3) { InterruptAt = ("seed42/sfb_lowbp", 7) };
        Assert.Throws<OperationCanceledException>(() => experiment.Run(RunContext.Silent(quick: true) with { Journal = interrupted }));
        var journal = new RunJournal(folder, 3);
        var resumed = experiment.Run(RunContext.Silent(quick: true) with { Journal = journal });
        Assert.Equal(5, journal.Reused);      // the warm-up and four methods
        Assert.Equal(1, journal.Continued);   // sfb_lowbp
        static IEnumerable<KeyValuePair<string, double>> Figures(Galt.Experiments.Reporting.RunRecord r) => r.Summary.Where(kv => !kv.Key.EndsWith("seconds", StringComparison.Ordinal));
        Assert.Equal(Figures(plain), Figures(resumed));
    }
}

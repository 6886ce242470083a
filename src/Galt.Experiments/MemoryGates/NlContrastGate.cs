using Galt.Experiments.Data;
using Galt.Memory;
using static TorchSharp.torch;

namespace Galt.Experiments.MemoryGates;

/// <summary>Accuracies of one policy on the NL gate rows.</summary>
/// <param name="Accuracy">All rows.</param>
/// <param name="BottomUp">Rows with v ≤ m.</param>
/// <param name="TopDown">Rows with m &lt; v &lt; none.</param>
/// <param name="HeldOutPair">Rows of the held-out (m, v) pairs.</param>
/// <param name="HeldOutPacket">Rows whose memory or violation packet was held out of the layer heads.</param>
/// <param name="AccessPrecision">Precision of "access".</param>
/// <param name="AccessRecall">Recall of "access".</param>
public sealed record NlGateScore(double Accuracy, double BottomUp, double TopDown, double HeldOutPair, double HeldOutPacket, double AccessPrecision, double AccessRecall);

/// <summary>
/// The natural-language contrast gate of spec §6.4 on the 68 accepted contrast lessons: every memory packet against
/// "no violation" and every packet as the active violation (4,692 rows), labels A(m, v) from the domain → layer map;
/// flat bag-of-words learners against structural gates and the hierarchical gate applied to predicted layers.
/// Row order and initialisations come from .NET's seeded generators, not numpy's, so figures match the release's in
/// kind, not digit for digit.
/// </summary>
public sealed class NlContrastGate
{
    private const string NoViolationText = "No active violation is present. The candidate memory is being checked in an ordinary future context.";
    private static readonly HashSet<(int, int)> HeldOutPairs = new() { (2, 0), (3, 0), (3, 1), (0, 2) };

    private sealed record Row(int MemoryPacket, int ViolationPacket, SafetyLayer Memory, SafetyLayer Violation, string Text)
    {
        public bool Label => HierarchicalAccess.Allows(Memory, Violation);

        public bool HeldOutPair => HeldOutPairs.Contains(((int)Memory, (int)Violation));
    }

    /// <summary>Memory layer of a packet's domain (spec §6.4).</summary>
    public static SafetyLayer MemoryLayer(string domain) => domain switch
    {
        "safety_boundary" => SafetyLayer.HardAdmissibility, "preference" => SafetyLayer.Preference, _ => SafetyLayer.Task,
    };

    /// <summary>Violation layer of a packet's domain (spec §6.4).</summary>
    public static SafetyLayer ViolationLayer(string domain) => domain switch
    {
        "safety_boundary" => SafetyLayer.HardAdmissibility, "workflow" => SafetyLayer.Task, _ => SafetyLayer.Social,
    };

    /// <summary>Runs every policy; returns policy → score, and the layer heads' accuracies (all rows, held-out packets).</summary>
    public static (Dictionary<string, NlGateScore> Scores, double MemoryHead, double ViolationHead, int Rows, int TrainRows) Run(IReadOnlyList<ContrastLesson> lessons, int seed)
    {
        using var scope = NewDisposeScope();
        string MemoryText(ContrastLesson l) => string.Join(" ", l.Concept, l.PositiveWriteCase, l.WriteCondition, l.RetainProbe, l.Trace);
        string ViolationText(ContrastLesson l) => string.Join(" ", l.Concept, l.ConstraintContrast, l.ConstraintRisk, l.NoWriteCondition);

        var rows = new List<Row>();
        for (int m = 0; m < lessons.Count; m++)
            for (int v = -1; v < lessons.Count; v++)
            {
                var violation = v < 0 ? SafetyLayer.None : ViolationLayer(lessons[v].Domain);
                string text = $"Memory candidate: {MemoryText(lessons[m])}\nCurrent boundary signal: {(v < 0 ? NoViolationText : ViolationText(lessons[v]))}";
                rows.Add(new Row(m, v, MemoryLayer(lessons[m].Domain), violation, text));
            }
        var shuffled = rows.ToArray();
        new Random(seed).Shuffle(shuffled);
        var train = shuffled.Where(r => !r.HeldOutPair).ToArray();

        // Packet hold-out for the layer heads: about 25 % of each domain's packets (at least one).
        var rng = new Random(seed + 2048);
        var heldOutPackets = new HashSet<int>();
        foreach (var domain in lessons.Select((l, i) => (l, i)).GroupBy(p => p.l.Domain))
        {
            var ids = domain.OrderBy(p => p.l.Id, StringComparer.Ordinal).Select(p => p.i).ToArray();
            rng.Shuffle(ids);
            foreach (var i in ids.Take(Math.Max(1, (int)Math.Round(ids.Length * 0.25, MidpointRounding.ToEven)))) heldOutPackets.Add(i);
        }
        bool HeldOutPacket(Row r) => heldOutPackets.Contains(r.MemoryPacket) || (r.ViolationPacket >= 0 && heldOutPackets.Contains(r.ViolationPacket));

        var words = new BagOfWords(train.Select(r => r.Text));
        var xTrain = words.Features(train.Select(r => r.Text).ToArray());
        var xAll = words.Features(shuffled.Select(r => r.Text).ToArray());
        var yTrain = train.Select(r => r.Label ? 1L : 0L).ToArray();

        var predictions = new Dictionary<string, bool[]>();
        using (var flat = new LinearClassifier(xTrain, yTrain, 2, balanced: false, seed)) predictions["flat_bow_logistic"] = flat.Predict(xAll).Select(p => p == 1).ToArray();
        using (var balanced = new LinearClassifier(xTrain, yTrain, 2, balanced: true, seed)) predictions["flat_bow_balanced"] = balanced.Predict(xAll).Select(p => p == 1).ToArray();
        foreach (IMemoryGate gate in new IMemoryGate[] { new IndependentLayerGate(), new GlobalFlushGate(), new HierarchicalGate() })
            predictions[gate.Name] = shuffled.Select(r => gate.Access(r.Memory, r.Violation)).ToArray();

        // Layer heads on unique texts of packets not held out, then the hierarchical rule on their predictions.
        int[] memoryLabels = { 0, 2, 3 }, violationLabels = { 0, 1, 2, 4 };
        var trainPackets = Enumerable.Range(0, lessons.Count).Where(i => !heldOutPackets.Contains(i) && train.Any(r => r.MemoryPacket == i)).ToArray();
        var memoryTexts = trainPackets.Select(i => MemoryText(lessons[i])).ToArray();
        var violationTexts = trainPackets.Select(i => ViolationText(lessons[i])).Append(NoViolationText).ToArray();
        var memoryWords = new BagOfWords(memoryTexts);
        var violationWords = new BagOfWords(violationTexts);
        using var memoryHead = new LinearClassifier(memoryWords.Features(memoryTexts),
            trainPackets.Select(i => (long)Array.IndexOf(memoryLabels, (int)MemoryLayer(lessons[i].Domain))).ToArray(), 3, balanced: true, seed + 31 * 3);
        using var violationHead = new LinearClassifier(violationWords.Features(violationTexts),
            trainPackets.Select(i => (long)Array.IndexOf(violationLabels, (int)ViolationLayer(lessons[i].Domain))).Append(3L).ToArray(), 4, balanced: true, seed + 31 * 4);
        var predictedMemory = memoryHead.Predict(memoryWords.Features(lessons.Select(MemoryText).ToArray())).Select(k => (SafetyLayer)memoryLabels[k]).ToArray();
        var predictedViolation = violationHead.Predict(violationWords.Features(lessons.Select(ViolationText).ToArray())).Select(k => (SafetyLayer)violationLabels[k]).ToArray();
        predictions["predicted_hierarchical"] = shuffled.Select(r => HierarchicalAccess.Allows(predictedMemory[r.MemoryPacket],
            r.ViolationPacket < 0 ? SafetyLayer.None : predictedViolation[r.ViolationPacket])).ToArray();
        double memoryAccuracy = lessons.Select((l, i) => predictedMemory[i] == MemoryLayer(l.Domain)).Average(b => b ? 1.0 : 0.0);
        double violationAccuracy = lessons.Select((l, i) => predictedViolation[i] == ViolationLayer(l.Domain)).Average(b => b ? 1.0 : 0.0);

        var scores = predictions.ToDictionary(p => p.Key, p => Score(shuffled, p.Value, HeldOutPacket));
        return (scores, memoryAccuracy, violationAccuracy, shuffled.Length, train.Length);
    }

    private static NlGateScore Score(Row[] rows, bool[] predicted, Func<Row, bool> heldOutPacket)
    {
        double Acc(Func<Row, bool> where)
        {
            var idx = Enumerable.Range(0, rows.Length).Where(i => where(rows[i])).ToArray();
            return idx.Length == 0 ? double.NaN : idx.Count(i => predicted[i] == rows[i].Label) / (double)idx.Length;
        }
        int truePositive = Enumerable.Range(0, rows.Length).Count(i => predicted[i] && rows[i].Label);
        int predictedPositive = predicted.Count(p => p), actualPositive = rows.Count(r => r.Label);
        return new NlGateScore(Acc(_ => true),
            Acc(r => HierarchicalAccess.RegimeOf(r.Memory, r.Violation) == AccessRegime.BottomUpInvalidation),
            Acc(r => HierarchicalAccess.RegimeOf(r.Memory, r.Violation) == AccessRegime.TopDownContainment),
            Acc(r => r.HeldOutPair), Acc(heldOutPacket),
            predictedPositive == 0 ? 0 : truePositive / (double)predictedPositive, actualPositive == 0 ? 0 : truePositive / (double)actualPositive);
    }
}

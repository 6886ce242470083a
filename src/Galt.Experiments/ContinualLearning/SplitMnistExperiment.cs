using System.Diagnostics;
using System.Globalization;
using Galt.Checkpoints;
using Galt.Continual;
using Galt.Experiments.Data;
using Galt.Models;
using Galt.Experiments.Reporting;

namespace Galt.Experiments.ContinualLearning;

/// <summary>
/// <c>galt run split-mnist</c>: the release protocol of spec §3 (LoRA MLP pretrained on all training data, base frozen,
/// tasks in sequence at batch 64, class-incremental evaluation with one shared head) for every strategy: naive, EWC,
/// soft penalty, replay, A-GEM and the three GALT variants. Options: <c>--seeds N</c>, <c>--tasks T</c> (2 or 5),
/// <c>--stream split|permuted</c>, <c>--dual-rule measured|linearized|release</c>, <c>--quick</c>. Each ground also searches the
/// smallest soft-penalty weight that ends feasible (penalty vs constraint at equal feasibility).
/// </summary>
public sealed class SplitMnistExperiment : IRunnable
{
    /// <summary>Pretraining epochs (spec §3: 3).</summary>
    public int PretrainEpochs { get; init; } = 3;

    /// <summary>Epochs per task (the release's reported run: 1).</summary>
    public int EpochsPerTask { get; init; } = 1;

    /// <summary>Training images per class in a --quick run.</summary>
    public int QuickTrainPerClass { get; init; } = 120;

    /// <summary>Test images per class in a --quick run.</summary>
    public int QuickTestPerClass { get; init; } = 40;

    /// <summary>Tasks in the stream when --tasks is not given.</summary>
    public const int DefaultTasks = 2;

    /// <summary>The task stream when --stream is not given.</summary>
    public const string DefaultStream = "split";

    /// <summary>The multiplier rule of the GALT strategies when --dual-rule is not given.</summary>
    public const string DefaultDualRule = "measured";

    /// <inheritdoc />
    public string Name => "split-mnist";

    /// <inheritdoc />
    public string Description => "Continual learning on MNIST: GALT vs naive, EWC, soft penalty, replay, A-GEM (accuracy matrices, forgetting, λ/ρ, certificates).";

    /// <inheritdoc />
    public bool AcceptsOption(string option) => option is "data-dir" or "seeds" or "tasks" or "stream" or "dual-rule" or "checkpoint-every";

    /// <inheritdoc />
    /// <remarks>
    /// A full run given neither --tasks nor --stream adds the 5-task and permuted grounds, so the task count and the
    /// stream are stated only where setting them changes nothing: in --quick runs, or beside the other one.
    /// </remarks>
    public object? OptionDefault(string option, RunContext context) => option switch
    {
        "tasks" when context.Quick || context.Stream is not null => DefaultTasks,
        "stream" when context.Quick || context.Tasks is not null => DefaultStream,
        "dual-rule" => DefaultDualRule,
        "checkpoint-every" => RunJournal.DefaultCheckpointEvery,
        _ => null,
    };

    /// <inheritdoc />
    public RunRecord Run(RunContext context)
    {
        var total = Stopwatch.StartNew();
        string streamKind = (context.Stream ?? DefaultStream).ToLowerInvariant();
        if (streamKind is not ("split" or "permuted"))
            throw new ArgumentException($"--stream must be 'split' or 'permuted'; got '{context.Stream}'.");
        int tasks = context.Tasks ?? DefaultTasks;
        if (streamKind == "split" && (tasks < 2 || 10 % tasks != 0))
            throw new ArgumentException($"--tasks for the split stream must be 2, 5 or 10; got {tasks}.");
        if (tasks < 2) throw new ArgumentException($"--tasks must be at least 2; got {tasks}.");
        int pretrainEpochs = context.Quick ? 1 : PretrainEpochs;
        string dualRule = (context.DualRule ?? DefaultDualRule).ToLowerInvariant();
        if (!StrategyCatalog.DualRules.Contains(dualRule))
            throw new ArgumentException($"--dual-rule must be one of {string.Join(", ", StrategyCatalog.DualRules)}; got '{context.DualRule}'.");

        var record = new RunRecord
        {
            Experiment = Name, StartedUtc = DateTime.UtcNow,
            Title = streamKind == "split" ? $"Class-incremental Split-MNIST, {tasks} tasks" : $"Permuted-MNIST, {tasks} tasks",
            Seeds = Enumerable.Range(context.Seed, context.SeedCount).ToList(),
        };
        var clock = Stopwatch.StartNew();
        var data = MnistSource.Load(context.DataDir, context.Progress);
        if (context.Quick) data = Shrink(data);
        record.TimingsSeconds["data"] = clock.Elapsed.TotalSeconds;
        record.Data = new DataRecord { Source = data.Source, Split = data.Description, TrainCount = data.Train.Count, TestCount = data.Test.Count, SplitSeed = data.SplitSeed };

        record.Config["stream"] = streamKind;
        record.Config["tasks"] = tasks;
        record.Config["model"] = "784-256-128-10 MLP, rank-4 LoRA on both hidden layers, base frozen after pretraining";
        record.Config["pretraining"] = $"all training data, {pretrainEpochs} epochs, Adam lr 1e-3, batch 128";
        record.Config["continual"] = $"{EpochsPerTask} epoch(s) per task, batch 64, shared 10-way head (class-incremental evaluation)";
        record.Config["quick"] = context.Quick;
        record.Config["dual_rule"] = dualRule;
        record.Config["penalty_search"] = "smallest soft-penalty weight ending feasible on the anchor sets: ×4 bracketing from w = 1, then bisection in log w to a bracket ratio ≤ "
            + (context.Quick ? "2" : "1.25");
        record.Config["soft_penalty_sweep"] = "weights {0.1, 1, 10, 100}; validation = 10 % of each class's training images (stratified, seed 7); best final average accuracy";

        // The main protocol sets the plain summary keys; a default full run adds the harder grounds under prefixes.
        var protocolsToRun = new List<(string Kind, int Tasks, string Prefix)> { (streamKind, tasks, "") };
        if (!context.Quick && context.Tasks is null && context.Stream is null)
        {
            protocolsToRun.Add(("split", 5, "split5."));
            protocolsToRun.Add(("permuted", 2, "permuted."));
        }
        record.Config["protocols"] = string.Join(", ", protocolsToRun.Select(p => $"{p.Kind}-{p.Tasks}" + (p.Prefix.Length > 0 ? $" (summary keys {p.Prefix}*)" : " (main)")));
        foreach (var (kind, count, prefix) in protocolsToRun)
        {
            clock.Restart();
            var protocols = record.Seeds.Select(seed => RunSeed(data, kind, count, seed, pretrainEpochs, dualRule, context.Quick, context.Progress, context.Journal)).ToList();
            ContinualReport.Fill(record, protocols, count, prefix, kind == "split" ? $"Split-MNIST, {count} tasks" : $"Permuted-MNIST, {count} tasks");
            record.TimingsSeconds[$"{kind}-{count}"] = clock.Elapsed.TotalSeconds;
        }
        record.TimingsSeconds["total"] = total.Elapsed.TotalSeconds;
        return record;
    }

    private ProtocolResult RunSeed(MnistSplit data, string streamKind, int tasks, int seed, int pretrainEpochs, string dualRule, bool quick, IProgressSink progress, RunJournal? journal)
    {
        TaskStream Build(MnistDataset train, MnistDataset test) =>
            streamKind == "split" ? MnistStreams.Split(train, test, tasks) : MnistStreams.Permuted(train, test, tasks, seed);
        string unit = $"{streamKind}-{tasks}/seed{seed}";

        using var stream = Build(data.Train, data.Test);
        var (pretrained, pretrainAccuracy) = journal is null
            ? LoraMlpPretraining.Pretrain(stream, pretrainEpochs, seed, progress)
            : journal.Unit($"{unit}/pretraining", () => LoraMlpPretraining.Pretrain(stream, pretrainEpochs, seed, progress),
                (p, w) => { w.Part("model", new ModuleCheckpoint(p.Item1)); w.Double("accuracy", p.Item2); },
                r =>
                {
                    var model = new LoraMlp();
                    r.Part("model", new ModuleCheckpoint(model))();
                    return (model, r.Double("accuracy"));
                });
        using var _ = pretrained;
        var settings = new ContinualSettings(EpochsPerTask, 64, seed);

        // Soft-penalty weight from a validation split carved out of the training images.
        var (fit, validation) = StratifiedSplit.Split(data.Train.Labels, data.Train.Count / 10, seed: 7);
        var sweep = new List<(double, double)>();
        using (var validationStream = Build(data.Train.Subset(fit, "train minus validation"), data.Train.Subset(validation, "validation")))
        {
            foreach (double w in StrategyCatalog.SoftPenaltyWeights)
            {
                using var strategy = StrategyCatalog.Create("soft_penalty", w);
                var r = Train($"{unit}/sweep-w{w.ToString("R", CultureInfo.InvariantCulture)}", strategy, validationStream);
                sweep.Add((w, r.AverageAccuracy));
            }
        }
        double chosen = sweep.OrderByDescending(s => s.Item2).ThenBy(s => s.Item1).First().Item1;

        var results = new List<StrategyResult>();
        foreach (var name in StrategyCatalog.Names)
        {
            using var strategy = StrategyCatalog.Create(name, chosen, $"validation sweep (seed {seed}): best of {{0.1, 1, 10, 100}}", dualRule);
            results.Add(Train($"{unit}/{name}", strategy, stream));
        }

        // Penalty vs constraint at equal feasibility: the smallest weight whose run ends feasible on the anchor sets.
        var search = new PenaltyBisection { Resolution = quick ? 2 : 1.25 }.Search(w =>
        {
            using var strategy = StrategyCatalog.Create("soft_penalty", w, "feasibility search");
            return PenaltyBisection.ProbeOf(w, Train($"{unit}/search-w{w.ToString("R", CultureInfo.InvariantCulture)}", strategy, stream));
        });
        return new ProtocolResult(seed, pretrainAccuracy, results, sweep, chosen, search);

        // One strategy run: plain, or through the journal (checkpointed, or taken from it when it finished before).
        StrategyResult Train(string key, Strategy strategy, TaskStream on) => journal is null
            ? ContinualTrainer.Run(on, LoraMlpPretraining.FreshCopies(pretrained), strategy, settings, progress)
            : journal.Strategy(key, checkpoints => ContinualTrainer.Run(on, LoraMlpPretraining.FreshCopies(pretrained), strategy, settings, progress, checkpoints: checkpoints));
    }

    /// <summary>A small class-balanced subset for --quick runs.</summary>
    private MnistSplit Shrink(MnistSplit data)
    {
        int[] Take(MnistDataset set, int perClass) => Enumerable.Range(0, set.Count).GroupBy(i => set.Labels[i]).SelectMany(g => g.Take(perClass)).OrderBy(i => i).ToArray();
        var train = data.Train.Subset(Take(data.Train, QuickTrainPerClass), data.Train.Source);
        var test = data.Test.Subset(Take(data.Test, QuickTestPerClass), data.Test.Source);
        return new MnistSplit(train, test, data.Source,
            data.Description + $"; --quick: first {QuickTrainPerClass.ToString(CultureInfo.InvariantCulture)} train and {QuickTestPerClass.ToString(CultureInfo.InvariantCulture)} test images per class",
            data.SourceKind, data.SplitSeed);
    }
}

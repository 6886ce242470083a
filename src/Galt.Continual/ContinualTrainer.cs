using System.Diagnostics;
using Galt.Checkpoints;
using Galt.Diagnostics;
using Microsoft.Extensions.Logging;
using Galt.Training;
using static TorchSharp.torch;

namespace Galt.Continual;

/// <summary>Settings of the shared training loop.</summary>
/// <param name="EpochsPerTask">Passes over each task's training data (the release's reported run: 1).</param>
/// <param name="BatchSize">Minibatch size (spec §3: 64).</param>
/// <param name="Seed">Run seed; batch order of task i, epoch e comes from (seed, i·100 + e).</param>
public sealed record ContinualSettings(int EpochsPerTask = 1, int BatchSize = 64, int Seed = 0)
{
    /// <summary>What every strategy trains for and how each task is scored (default: classification, cross-entropy and accuracy).</summary>
    public TaskObjective Objective { get; init; } = TaskObjective.Classification;
}

/// <summary>One strategy's outcome on one stream.</summary>
/// <param name="Strategy">Strategy name.</param>
/// <param name="Hyperparameters">Its hyperparameters.</param>
/// <param name="Accuracy">R[i][j]: the objective's score on task j's test set after training task i (test accuracy for the default classification objective; NaN for j &gt; i).</param>
/// <param name="GlobalBackprops">Full backward passes.</param>
/// <param name="LocalBackprops">Local-only backward passes.</param>
/// <param name="WallSeconds">Training time (evaluation excluded).</param>
/// <param name="Constraints">Constraint trajectories and certificate, for GALT strategies.</param>
public sealed record StrategyResult(string Strategy, IReadOnlyDictionary<string, string> Hyperparameters, double[][] Accuracy,
    long GlobalBackprops, long LocalBackprops, double WallSeconds, ConstraintTrace? Constraints)
{
    /// <summary>mean_j R[T−1][j].</summary>
    public double AverageAccuracy => ContinualMetrics.AverageAccuracy(Accuracy);

    /// <summary>Average forgetting.</summary>
    public double Forgetting => ContinualMetrics.Forgetting(Accuracy);

    /// <summary>Backward transfer.</summary>
    public double BackwardTransfer => ContinualMetrics.BackwardTransfer(Accuracy);

    /// <summary>The run's probes (see <see cref="ContinualTrainer.Run"/>): name → value after each task.</summary>
    public IReadOnlyDictionary<string, double[]> Probes { get; init; } = new Dictionary<string, double[]>();

    /// <summary>Writes the whole result (exact bits), e.g. to keep a finished run of a longer experiment across an interruption.</summary>
    public void Save(CheckpointWriter writer)
    {
        writer.String("strategy", Strategy);
        writer.Strings("hyperparameters", Hyperparameters.SelectMany(kv => new[] { kv.Key, kv.Value }).ToArray());
        writer.Longs("shape", new long[] { Accuracy.Length, Accuracy.Length == 0 ? 0 : Accuracy[0].Length });
        writer.Doubles("accuracy", Accuracy.SelectMany(r => r).ToArray());
        writer.Longs("backprops", new[] { GlobalBackprops, LocalBackprops });
        writer.Double("wall_seconds", WallSeconds);
        writer.Strings("probes", Probes.Keys.ToArray());
        foreach (var (name, values) in Probes) writer.Doubles($"probe/{name}", values);
        writer.Bool("has_constraints", Constraints is not null);
        if (Constraints is not null) writer.Part("constraints", Constraints);
    }

    /// <summary>Reads a result written by <see cref="Save"/>.</summary>
    public static StrategyResult Read(CheckpointReader reader)
    {
        var pairs = reader.Strings("hyperparameters");
        if (pairs.Length % 2 != 0) throw reader.Error("hyperparameters", "not key–value pairs.");
        var shape = reader.Longs("shape");
        var values = reader.Doubles("accuracy");
        if (shape.Length != 2 || shape[0] < 0 || shape[1] < 0 || values.Length != shape[0] * shape[1]) throw reader.Error("accuracy", "not a matrix of the stored shape.");
        var backprops = reader.Longs("backprops");
        if (backprops.Length != 2) throw reader.Error("backprops", "not two counters.");
        ConstraintTrace? trace = null;
        if (reader.Bool("has_constraints"))
        {
            trace = new ConstraintTrace();
            reader.Part("constraints", trace)();
        }
        int columns = (int)shape[1];
        return new StrategyResult(reader.String("strategy"),
            Enumerable.Range(0, pairs.Length / 2).ToDictionary(i => pairs[2 * i], i => pairs[2 * i + 1]),
            Enumerable.Range(0, (int)shape[0]).Select(i => values.AsSpan(i * columns, columns).ToArray()).ToArray(),
            backprops[0], backprops[1], reader.Double("wall_seconds"), trace)
        {
            Probes = reader.Strings("probes").ToDictionary(n => n, n => reader.Doubles($"probe/{n}")),
        };
    }
}

/// <summary>
/// The one training loop every strategy runs in (spec §3 step 3–4): a fresh model from the caller's factory, tasks in
/// sequence, seeded minibatches, and after each task the score of every task seen so far. The objective
/// (<see cref="ContinualSettings.Objective"/>) says what every strategy minimises and how a task is scored: by default
/// cross-entropy and test accuracy (argmax of the model's scores against the labels: with one shared head,
/// class-incremental); <see cref="TaskObjective.Regression"/> or your own pair of functions otherwise. Any module and any
/// <see cref="TaskStream"/> of (input, target) tensors.
/// </summary>
public static class ContinualTrainer
{
    private static void Probe(nn.Module<Tensor, Tensor> model, IReadOnlyDictionary<string, Func<nn.Module<Tensor, Tensor>, double>> probes,
        Dictionary<string, double[]> probed, int task)
    {
        bool training = model.training;
        model.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            foreach (var (name, measure) in probes) probed[name][task] = measure(model);
        }
        finally { model.train(training); }
    }

    /// <summary>
    /// Runs <paramref name="strategy"/> over <paramref name="stream"/> on a model from <paramref name="createModel"/>
    /// (called once; the trainer disposes the model at the end).
    /// </summary>
    /// <param name="stream">The tasks, in order.</param>
    /// <param name="createModel">Makes the model (called once).</param>
    /// <param name="strategy">How each step trains.</param>
    /// <param name="settings">Epochs, batch size, seed.</param>
    /// <param name="progress">Progress bars; none by default.</param>
    /// <param name="probes">
    /// Optional measures of the model taken after every task (after the test accuracies), e.g. accuracy on a safety
    /// suite or a KL to a snapshot: name → function of the model. They run without gradient in eval mode; the result's
    /// <see cref="StrategyResult.Probes"/> holds one value per task.
    /// </param>
    /// <param name="checkpoints">
    /// Optional checkpointing and resuming (<see cref="ContinualCheckpointing"/>); the strategy must be able to write its
    /// whole state (<see cref="Strategy.CanCheckpoint"/>), else the run is refused before it starts.
    /// </param>
    public static StrategyResult Run(TaskStream stream, Func<nn.Module<Tensor, Tensor>> createModel, Strategy strategy, ContinualSettings settings, IProgressSink? progress = null,
        IReadOnlyDictionary<string, Func<nn.Module<Tensor, Tensor>, double>>? probes = null, ContinualCheckpointing? checkpoints = null)
    {
        progress ??= NullProgress.Instance;
        checkpoints?.Validate();
        using var model = createModel();
        strategy.Attach(model);
        // Asked once attached: what a strategy holds (e.g. constraints from birth) is known only then.
        bool writes = checkpoints is not null;
        if (checkpoints is not null && !strategy.CanCheckpoint)
        {
            string why = $"strategy '{strategy.Name}' cannot be checkpointed (it, or a constraint it holds, does not write its whole state)";
            if (!checkpoints.FallBackWhenUnsupported) throw new NotSupportedException($"{why}; run it without checkpoints.");
            GaltLog.For("Galt.Continual").LogWarning("{Reason}: it runs without checkpoints and restarts from its beginning on resume.", why);
            writes = false;
        }

        int t = stream.Tasks.Count;
        probes ??= new Dictionary<string, Func<nn.Module<Tensor, Tensor>, double>>();
        var cursor = new TrainingCursor(t, probes.Keys)
        {
            Identity = $"{stream.Name}, {t} tasks of [{string.Join(", ", stream.Tasks.Select(k => k.TrainCount))}] examples, strategy {strategy.ComposedName}, " +
                       $"{settings.EpochsPerTask} epoch(s), batch {settings.BatchSize}, seed {settings.Seed}" +
                       (settings.Objective == TaskObjective.Classification ? "" : $", objective {settings.Objective.Name}"),
        };
        var state = new CheckpointParts().Add("cursor", cursor).Add("model", new ModuleCheckpoint(model)).Add("strategy", strategy).Add("torch_random", new TorchRandomState());
        for (int p = 0; p < strategy.Plugins.Count; p++) state.Add($"plugin{p}", strategy.Plugins[p]);
        bool resumed = writes && checkpoints!.Resume && File.Exists(checkpoints.Path);
        if (resumed) Checkpoint.Load(checkpoints!.Path, state);
        var clock = new Stopwatch();
        for (int ti = cursor.Task; ti < t; ti++)
        {
            var task = stream.Tasks[ti];
            bool continuing = resumed && ti == cursor.Task;
            var context = new TaskContext(model, stream, task, settings.Seed) { Objective = settings.Objective };
            long perEpoch = (task.TrainCount + settings.BatchSize - 1) / settings.BatchSize;
            using (var bar = progress.Start($"{strategy.Name}: task {task.Index + 1}/{t} ({task.Name})", settings.EpochsPerTask * perEpoch))
            {
                clock.Start();
                if (!continuing)
                {
                    strategy.BeforeTask(context);
                    foreach (var plugin in strategy.Plugins) plugin.BeforeTask(context);
                }
                else bar.Advance(cursor.Epoch * perEpoch + cursor.NextBatch);
                for (int epoch = continuing ? cursor.Epoch : 0; epoch < settings.EpochsPerTask; epoch++)
                {
                    var order = new Random(unchecked(settings.Seed * 1_000_003 + task.Index * 100 + epoch));
                    var batches = SupervisedTrainer.Batches(task.TrainCount, settings.BatchSize, order).ToArray();
                    // The epoch's order, kept in checkpoints and checked on resume; not formed when nothing is written.
                    var permutation = writes ? batches.SelectMany(b => b).ToArray() : Array.Empty<long>();
                    int first = 0;
                    if (continuing && epoch == cursor.Epoch)
                    {
                        if (!permutation.SequenceEqual(cursor.Order))
                            throw new CheckpointException(checkpoints!.Path, $"the batch order of task {ti}, epoch {epoch} differs from the checkpoint's: the data or the seed changed.");
                        first = cursor.NextBatch;
                    }
                    for (int b = first; b < batches.Length; b++)
                    {
                        using (var scope = NewDisposeScope())
                        {
                            var idx = tensor(batches[b]);
                            var (x, y) = (task.TrainX.index_select(0, idx), task.TrainY.index_select(0, idx));
                            foreach (var plugin in strategy.Plugins) (x, y) = plugin.Batch(x, y, context);
                            strategy.Step(x, y, context);
                        }
                        bar.Advance(1);
                        cursor.Step++;
                        if (checkpoints is null) continue;
                        if (writes && cursor.Step % checkpoints.Every == 0)
                        {
                            (cursor.Task, cursor.Epoch, cursor.NextBatch, cursor.Order) = (ti, epoch, b + 1, permutation);
                            clock.Stop();
                            cursor.Seconds += clock.Elapsed.TotalSeconds;
                            clock.Reset();
                            Checkpoint.Save(checkpoints.Path, state);
                            clock.Start();
                        }
                        if (cursor.Step == checkpoints.StopAfterStep)
                            throw new OperationCanceledException($"run stopped after step {cursor.Step} as asked (StopAfterStep); resume from '{checkpoints.Path}'.");
                    }
                }
                strategy.AfterTask(context);
                foreach (var plugin in strategy.Plugins) plugin.AfterTask(context);
                clock.Stop();
            }
            for (int j = 0; j <= task.Index; j++)
                cursor.Accuracy[task.Index][j] = settings.Objective.Score(model, stream.Tasks[j].TestX, stream.Tasks[j].TestY);
            if (probes.Count > 0) Probe(model, probes, cursor.Probes, task.Index);
        }
        return new StrategyResult(strategy.ComposedName, strategy.ComposedHyperparameters, cursor.Accuracy, strategy.GlobalBackprops, strategy.LocalBackprops,
            cursor.Seconds + clock.Elapsed.TotalSeconds, strategy.Constraints) { Probes = cursor.Probes };
    }
}

using System.Diagnostics;
using Galt.Experiments.Data;
using Galt.Models;
using Galt.Optim;
using Galt.Continual;
using Galt.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Galt.Experiments.CurriculumGate;

/// <summary>One validation pass during training.</summary>
/// <param name="Step">Step after which it ran.</param>
/// <param name="Metrics">Its metrics.</param>
public sealed record CurriculumCheckpoint(int Step, SortedDictionary<string, double> Metrics);

/// <summary>What one seed's curriculum run produced.</summary>
/// <param name="Seed">The seed.</param>
/// <param name="Final">Validation metrics after the last step.</param>
/// <param name="Mistakes">The validation rows the final model got wrong, head by head.</param>
/// <param name="History">Validation metrics after step 1 and every <see cref="CurriculumOptions.EvaluateEvery"/> steps.</param>
/// <param name="Losses">Training loss per step.</param>
/// <param name="Parameters">Trainable parameter count.</param>
/// <param name="TrainSeconds">Wall time of training and validation.</param>
public sealed record CurriculumRunResult(int Seed, SortedDictionary<string, double> Final, IReadOnlyList<CurriculumMistake> Mistakes, IReadOnlyList<CurriculumCheckpoint> History,
    IReadOnlyList<double> Losses, long Parameters, double TrainSeconds);

/// <summary>
/// Trains the teacher-mode curriculum model for one seed (spec §6.6): the seed sets the initialisation (torch) and the
/// sampling (one <see cref="Random"/>); each step samples the active streams, sums their losses, and takes one
/// <see cref="UncorrectedAdamW"/> step at <see cref="CurriculumOptions.LearningRateAt"/>; validation runs after step 1 and every
/// <see cref="CurriculumOptions.EvaluateEvery"/> steps, on the stage-E weight mean when <see cref="CurriculumOptions.WeightAveraging"/> is on.
/// </summary>
public sealed class CurriculumTrainer
{
    private readonly CurriculumOptions _options;
    private readonly Device _device;

    /// <summary>Creates the trainer.</summary>
    public CurriculumTrainer(CurriculumOptions options, Device? device = null)
    {
        options.Validate();
        _options = options;
        _device = device ?? CPU;
    }

    /// <summary>The class weights the options turn on, from the labels of <paramref name="train"/> (see <see cref="CurriculumClassWeights"/>).</summary>
    public CurriculumClassWeights ClassWeights(IReadOnlyList<CurriculumRow> train) => CurriculumClassWeights.From(train, _options);

    /// <summary>Trains on <paramref name="train"/> and scores on <paramref name="validation"/>.</summary>
    public CurriculumRunResult Run(EncodedCurriculum train, EncodedCurriculum validation, int vocabularySize, int seed, IProgressSink progress)
    {
        var clock = Stopwatch.StartNew();
        var schedule = new CurriculumSchedule(_options.Staged, Math.Min(_options.LanguageSteps, _options.Steps), Math.Min(_options.TeacherSteps, _options.Steps), Math.Min(_options.GaltSteps, _options.Steps));
        var sampler = new CurriculumSampler(train.Rows, seed, _options.PacketBalanced);
        var classWeights = ClassWeights(train.Rows);
        var dropout = _options.TokenDropout > 0 ? new CurriculumTokenDropout(_options.TokenDropout, seed) : null;
        int evaluateEvery = _options.EvaluateEvery > 0 ? _options.EvaluateEvery : Math.Max(1, _options.Steps / 6);

        TorchLifetimes.ManualSeed(seed);
        using var model = new CurriculumTransformer(vocabularySize, _options.Hidden, _options.Layers, _options.Heads, _options.MaxLength);
        model.to(_device);
        model.train();
        long parameters = model.parameters().Sum(p => p.numel());
        var named = model.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).ToList();
        using var optimizer = new UncorrectedAdamW(named, _options.LearningRate, _options.WeightDecay);
        using var average = _options.WeightAveraging ? new WeightAverage(named) : null;

        var losses = new List<double>(_options.Steps);
        var history = new List<CurriculumCheckpoint>();
        CurriculumScore? last = null;
        using var task = progress.Start($"seed {seed}: curriculum", _options.Steps);
        for (int step = 1; step <= _options.Steps; step++)
        {
            using (var scope = NewDisposeScope())
            {
                var phase = schedule.At(step);
                var rows = sampler.Draw(phase.Streams, CurriculumSchedule.RowsPerStream(_options.BatchSize, phase));
                var batch = new CurriculumBatch(train, rows, classWeights, _device, dropout);
                var loss = CurriculumLoss.Compute(model, batch, _options.Loss);
                double value = loss.Total.item<float>();
                // Checked before the update, so a non-finite loss leaves parameters and moments as they were.
                if (!double.IsFinite(value)) throw new NonFiniteValueException("loss", $"seed {seed}, step {step} ({phase.Name}): the training loss is {value}.");
                optimizer.ZeroGrad();
                loss.Total.backward();
                optimizer.LearningRate = _options.LearningRateAt(step);
                optimizer.Step();
                if (average is not null && phase.Name == CurriculumSchedule.ReplayPhase) average.Accumulate();
                losses.Add(value);
                if (step % 10 == 0 || step == 1) task.Describe($"seed {seed}: {phase.Name}, step {step}/{_options.Steps}, loss {value:0.000}");
            }
            if (step == 1 || step % evaluateEvery == 0 || step == _options.Steps)
            {
                // with weight averaging, stage E's checkpoints score the mean of its weights so far
                using (average is { Count: > 0 } ? average.Apply() : null)
                    last = CurriculumEvaluation.Evaluate(model, validation, _device);
                history.Add(new CurriculumCheckpoint(step, last.Metrics));
            }
            task.Advance(1);
        }
        return new CurriculumRunResult(seed, last!.Metrics, last.Mistakes, history, losses, parameters, clock.Elapsed.TotalSeconds);
    }
}

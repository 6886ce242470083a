using System.Diagnostics;
using Galt.Experiments.Data;
using Galt.Tensors;
using Galt.Training;
using Galt.Models;
using Galt.Optim;
using Galt.Experiments.Reporting;
using static TorchSharp.torch;

namespace Galt.Experiments.Baselines;

/// <summary>
/// The reference point every later experiment is read against: a 784-256-128-10 MLP trained with plain Adam
/// (lr 1e-3, batch 128) on MNIST, evaluated on the held-out test split. Summary key <c>test_accuracy</c>.
/// </summary>
public sealed class MnistBaseline : IRunnable
{
    /// <inheritdoc />
    public string Name => "mnist-baseline";

    /// <inheritdoc />
    public string Description => "784-256-128-10 MLP trained with Adam on MNIST; reports test accuracy (summary key test_accuracy).";

    /// <summary>Epochs of a full run.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Epochs of a --quick run.</summary>
    public int QuickEpochs { get; init; } = 2;

    /// <summary>Adam learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Minibatch size.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Hidden widths between the 784 inputs and 10 outputs.</summary>
    public int[] Hidden { get; init; } = { 256, 128 };

    /// <inheritdoc />
    public bool AcceptsOption(string option) => option is "data-dir";

    /// <inheritdoc />
    public RunRecord Run(RunContext context)
    {
        var started = DateTime.UtcNow;
        var total = Stopwatch.StartNew();
        var record = new RunRecord { Experiment = Name, Title = "Adam-trained MLP on MNIST", StartedUtc = started, Seeds = { context.Seed } };

        var clock = Stopwatch.StartNew();
        var data = MnistSource.Load(context.DataDir, context.Progress);
        record.TimingsSeconds["data"] = clock.Elapsed.TotalSeconds;
        record.Data = new DataRecord
        {
            Source = data.Source, Split = data.Description, TrainCount = data.Train.Count, TestCount = data.Test.Count, SplitSeed = data.SplitSeed,
        };

        int epochs = context.Quick ? QuickEpochs : Epochs;
        int[] widths = new[] { MnistDataset.PixelsPerImage }.Concat(Hidden).Append(10).ToArray();
        record.Config["model"] = $"MLP {string.Join("-", widths)}, ReLU";
        record.Config["optimizer"] = "Adam (TorchSharp, bias-corrected)";
        record.Config["learning_rate"] = LearningRate;
        record.Config["batch_size"] = BatchSize;
        record.Config["epochs"] = epochs;
        record.Config["quick"] = context.Quick;
        record.Config["normalisation"] = "(x - 0.1307) / 0.3081";

        TorchLifetimes.ManualSeed(context.Seed);
        using var model = new Mlp(widths);
        using var optimizer = new ExplicitAdam(model.parameters(), LearningRate);
        var (xTrain, yTrain) = data.Train.ToTensors();
        var (xTest, yTest) = data.Test.ToTensors();
        using var _xTrain = xTrain; using var _yTrain = yTrain; using var _xTest = xTest; using var _yTest = yTest;

        var trainer = new SupervisedTrainer(model, optimizer, BatchSize, context.Seed);
        var lossLine = new PlotLine { Label = "train loss (epoch mean)" };
        var accLine = new PlotLine { Label = "test accuracy" };
        var table = new ReportTable { Title = "Per epoch", Columns = { "epoch", "train loss", "test accuracy" } };
        clock.Restart();
        using (var task = context.Progress.Start($"Training {Name}", epochs))
        {
            for (int epoch = 1; epoch <= epochs; epoch++)
            {
                double loss = trainer.TrainEpoch(xTrain, yTrain);
                double accuracy = SupervisedTrainer.Accuracy(model, xTest, yTest);
                lossLine.X.Add(epoch); lossLine.Y.Add(loss);
                accLine.X.Add(epoch); accLine.Y.Add(accuracy);
                table.Rows.Add(new() { epoch.ToString(), MarkdownReport.FormatNumber(loss), MarkdownReport.FormatNumber(accuracy) });
                task.Describe($"{Name} epoch {epoch}/{epochs}: loss {loss:0.000}, acc {accuracy:0.000}");
                task.Advance(1);
            }
        }
        record.TimingsSeconds["train"] = clock.Elapsed.TotalSeconds;

        record.SetSummary("test_accuracy", accLine.Y[^1]);
        record.SetSummary("train_accuracy", SupervisedTrainer.Accuracy(model, xTrain, yTrain));
        record.SetSummary("final_train_loss", lossLine.Y[^1]);
        record.SetSummary("train_seconds", record.TimingsSeconds["train"]);
        record.Tables.Add(table);
        record.Plots.Add(new PlotSpec { File = "train_loss.png", Title = "Training loss", XLabel = "epoch", YLabel = "cross-entropy", Lines = { lossLine } });
        record.Plots.Add(new PlotSpec { File = "test_accuracy.png", Title = "Test accuracy", XLabel = "epoch", YLabel = "accuracy", Lines = { accLine } });
        record.TimingsSeconds["total"] = total.Elapsed.TotalSeconds;
        return record;
    }
}

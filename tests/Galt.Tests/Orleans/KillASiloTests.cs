using System.Diagnostics;
using Galt.Continual;
using Galt.Experiments.Data;
using Galt.Experiments.GraphParallel;
using Galt.Orleans;
using Galt.Tests.Data;

namespace Galt.Tests.Orleans;

/// <summary>
/// Real silo processes on loopback: the graph demo's chain, its blocks on two <c>galt silo</c> processes, survives one of
/// them being killed mid-epoch — it restores its last checkpoint on the remaining silo and ends exactly where an
/// uninterrupted run ends.
/// </summary>
public class KillASiloTests
{
    private static ChainOutcome Run(MnistDataset train, MnistDataset evaluation, bool killSilo)
    {
        Environment.SetEnvironmentVariable("GALT_CLI_DLL", Path.Combine(AppContext.BaseDirectory, "Galt.Cli.dll"));
        using var silos = new LocalSilos(2, NullProgress.Instance);
        OrleansBlockHost? host = null;
        bool killed = false;
        try
        {
            var options = GraphDemoRecipe.Default.Chain with { InnerIterations = 2 };
            return GraphDemoTraining.Chain(train, evaluation, options, seed: 3, epochs: 2, NullProgress.Instance, "chain",
                () => host = new OrleansBlockHost(silos.Client, GraphDemoBlocks.Specs(), siloOfBlock: new[] { 0, 0, 1, 1 }),
                afterBatch: (epoch, batch) =>
                {
                    // Mid-epoch 1, after its second minibatch: silo 1 (not the primary) dies without a word.
                    if (!killSilo || killed || epoch != 1 || batch != 1) return;
                    Process.GetProcessById(silos.ProcessIds[1]).Kill();
                    killed = true;
                });
        }
        finally
        {
            host?.Dispose();
        }
    }

    [Fact]
    public void AKilledSiloCostsTheMinibatchesSinceTheLastCheckpointAndNothingElse()
    {
        var train = SyntheticMnist.Dataset(384, seed: 1);
        var evaluation = SyntheticMnist.Dataset(128, seed: 2);
        var uninterrupted = Run(train, evaluation, killSilo: false);
        var recovered = Run(train, evaluation, killSilo: true);

        Assert.Empty(uninterrupted.RecoveryEvents);
        Assert.Equal(2, recovered.RecoveryEvents.Count);
        Assert.Contains("minibatch 2 failed", recovered.RecoveryEvents[0]);
        Assert.Contains("restoring the checkpoint of minibatch 0", recovered.RecoveryEvents[0]);
        Assert.Contains("replaying 2 minibatch(es)", recovered.RecoveryEvents[1]);
        // The same certificate and the same network.
        Assert.Equal(uninterrupted.SafetyValue, recovered.SafetyValue, 1e-6);
        Assert.Equal(uninterrupted.Accuracy.Y, recovered.Accuracy.Y);
        Assert.Equal(uninterrupted.TrainAccuracy, recovered.TrainAccuracy);
        Assert.All(uninterrupted.Residuals.Zip(recovered.Residuals), r => Assert.Equal(r.First, r.Second, 1e-6));
        Assert.All(uninterrupted.Blocks.Zip(recovered.Blocks), b => Assert.Equal(b.First.Lambda, b.Second.Lambda, 1e-6));
    }
}

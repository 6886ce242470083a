using Galt.Channels;
using Galt.Checkpoints;

namespace Galt.Experiments.TypedChannels;

/// <summary>
/// Writes a finished configuration × seed of typed-channels to the run journal and reads it back bit for bit, so that a
/// run killed from outside resumes at the unit it was in instead of from its first configuration.
/// </summary>
internal static class TypedChannelOutcomeCodec
{
    /// <summary>Writes every field of <paramref name="outcome"/> (exact bits).</summary>
    public static void Save(TypedChannelOutcome outcome, CheckpointWriter writer)
    {
        writer.String("config", outcome.Config);
        writer.Int("seed", outcome.Seed);
        WriteMap(writer, "pre", outcome.Pre);
        WriteMap(writer, "post", outcome.Post);
        writer.Strings("checks", outcome.Checks.Keys.ToArray());
        writer.Strings("check_values", outcome.Checks.Values.Select(v => v ? "true" : "false").ToArray());
        writer.Longs("parameter_counts", outcome.ParameterCounts.ToArray());
        writer.Int("refreshes", outcome.Refreshes);
        writer.Doubles("seconds", new[] { outcome.Seconds.Total, outcome.Seconds.Train, outcome.Seconds.Evaluate });
        writer.Int("steps", outcome.Steps.Count);
        for (int s = 0; s < outcome.Steps.Count; s++) WriteStep(writer.Scope($"step/{s}"), outcome.Steps[s]);
    }

    /// <summary>Reads what <see cref="Save"/> wrote.</summary>
    public static TypedChannelOutcome Read(CheckpointReader reader)
    {
        var checkNames = reader.Strings("checks");
        var checkValues = reader.Strings("check_values");
        if (checkValues.Length != checkNames.Length || checkValues.Any(v => v is not ("true" or "false")))
            throw reader.Error("check_values", "not one true/false per check.");
        var checks = new SortedDictionary<string, bool>(StringComparer.Ordinal);
        for (int i = 0; i < checkNames.Length; i++) checks[checkNames[i]] = checkValues[i] == "true";
        var seconds = reader.Doubles("seconds");
        if (seconds.Length != 3) throw reader.Error("seconds", "not total, train and evaluate.");
        int steps = reader.Int("steps");
        if (steps < 0) throw reader.Error("steps", $"a negative count ({steps}).");
        var records = Enumerable.Range(0, steps).Select(s => ReadStep(reader.Scope($"step/{s}"))).ToList();
        return new TypedChannelOutcome(reader.String("config"), reader.Int("seed"), ReadMap(reader, "pre"), ReadMap(reader, "post"), records, checks,
            reader.Longs("parameter_counts"), reader.Int("refreshes"), (seconds[0], seconds[1], seconds[2]));
    }

    private static void WriteMap(CheckpointWriter writer, string name, IReadOnlyDictionary<string, double> map)
    {
        writer.Strings($"{name}_keys", map.Keys.ToArray());
        writer.Doubles($"{name}_values", map.Values.ToArray());
    }

    private static Dictionary<string, double> ReadMap(CheckpointReader reader, string name)
    {
        var keys = reader.Strings($"{name}_keys");
        var values = reader.Doubles($"{name}_values");
        if (keys.Length != values.Length) throw reader.Error($"{name}_values", $"{values.Length} values for {keys.Length} keys.");
        return keys.Select((k, i) => (k, values[i])).ToDictionary(p => p.k, p => p.Item2);
    }

    private static void WriteStep(CheckpointWriter writer, ChannelStepRecord step)
    {
        writer.Int("step", step.Step);
        writer.Bool("policy_only", step.PolicyOnly);
        var p = step.Phases;
        writer.Doubles("scalars", new[] { step.Loss, step.SafetyKl, step.RetainKl, step.Seconds, p.Forward, p.Backward, p.Probes, p.Solves });
        WriteMap(writer, "terms", step.Terms);
        writer.Int("blocks", step.Blocks.Count);
        for (int b = 0; b < step.Blocks.Count; b++)
        {
            var block = step.Blocks[b];
            writer.Doubles($"block/{b}/norms", new[] { block.TaskGradientNorm, block.RouteForwardValue, block.RouteForwardGradientNorm });
            writer.Int($"block/{b}/index", block.Block);
            writer.Doubles($"block/{b}/lambdas", block.Lambdas);
            writer.Doubles($"block/{b}/rhos", block.Rhos);
        }
    }

    private static ChannelStepRecord ReadStep(CheckpointReader reader)
    {
        var x = reader.Doubles("scalars");
        if (x.Length != 8) throw reader.Error("scalars", $"8 scalars expected, {x.Length} found.");
        int blocks = reader.Int("blocks");
        if (blocks < 0) throw reader.Error("blocks", $"a negative count ({blocks}).");
        var records = Enumerable.Range(0, blocks).Select(b =>
        {
            var norms = reader.Doubles($"block/{b}/norms");
            if (norms.Length != 3) throw reader.Error($"block/{b}/norms", $"3 values expected, {norms.Length} found.");
            return new BlockStepRecord(reader.Int($"block/{b}/index"), norms[0], norms[1], norms[2], reader.Doubles($"block/{b}/lambdas"), reader.Doubles($"block/{b}/rhos"));
        }).ToList();
        return new ChannelStepRecord(reader.Int("step"), x[0], ReadMap(reader, "terms"), x[1], x[2], reader.Bool("policy_only"), records, x[3],
            new StepPhases(x[4], x[5], x[6], x[7]));
    }
}

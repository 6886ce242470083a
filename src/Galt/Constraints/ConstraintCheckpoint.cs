using Galt.Checkpoints;
using TorchSharp;

namespace Galt.Constraints;

/// <summary>
/// What the checkpointable constraints write and check alike: their name and settings (a checkpoint restores only into
/// a constraint of the same name and settings), then their tensors, put back together by one action.
/// </summary>
internal static class ConstraintCheckpoint
{
    /// <summary>Writes the name, the settings under <paramref name="settingsKey"/>, then each named tensor.</summary>
    public static void Save(CheckpointWriter writer, string name, string settingsKey, double[] settings, params (string Key, torch.Tensor Value)[] tensors)
    {
        writer.String("name", name);
        writer.Doubles(settingsKey, settings);
        foreach (var (key, value) in tensors) writer.Tensor(key, value);
    }

    /// <summary>
    /// Checks the name and settings (<paramref name="described"/> names them in the message), reads each named tensor
    /// into its target, and returns the action that puts them all back; throws before anything is changed.
    /// </summary>
    public static Action Prepare(CheckpointReader reader, string name, string settingsKey, double[] settings, string described,
        params (string Key, torch.Tensor Target)[] tensors)
    {
        string saved = reader.String("name");
        if (saved != name) throw reader.Error("name", $"holds constraint '{saved}', restoring into '{name}'.");
        var read = reader.Doubles(settingsKey);
        if (read.Length != settings.Length || read.Where((value, i) => value != settings[i]).Any())
            throw reader.Error(settingsKey, $"constraint '{name}' was saved with other settings than {described}.");
        var actions = tensors.Select(t => reader.TensorInto(t.Key, t.Target)).ToArray();
        return () => { foreach (var a in actions) a(); };
    }
}

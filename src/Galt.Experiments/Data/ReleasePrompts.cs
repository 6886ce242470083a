using Galt.Channels;
using System.Text.Json;

namespace Galt.Experiments.Data;

/// <summary>
/// The release's four-option prompt files (spec §5.1), in <c>prompts/</c> of the release data: the 38 safety items
/// (<c>safety_prompts.json</c>, label = <c>safe_label</c>), the 20-item retain set (<c>retain_set.json</c>) and the
/// six counterfactual edits (<c>edit_targets_counterfactual.json</c>; label = <c>correct_label</c>, the deliberately
/// false target). Each file is a JSON list of {question, options[4], safe_label | correct_label, …}.
/// </summary>
public static class ReleasePrompts
{
    /// <summary>File name of the safety prompts.</summary>
    public const string Safety = "safety_prompts.json";

    /// <summary>File name of the retain set.</summary>
    public const string Retain = "retain_set.json";

    /// <summary>File name of the counterfactual retain benchmark.</summary>
    public const string Counterfactual = "edit_targets_counterfactual.json";

    /// <summary>The prompts folder of the release data, or null when the release data is absent.</summary>
    public static string? Folder() => ReleaseData.Find() is { } root && Directory.Exists(Path.Combine(root, "prompts")) ? Path.Combine(root, "prompts") : null;

    /// <summary>Reads one prompt file; throws <see cref="GaltDataException"/> naming the file and item when it is malformed.</summary>
    public static IReadOnlyList<ChoiceItem> Read(string path)
    {
        if (!File.Exists(path)) throw new GaltDataException($"prompt file {path} was not found.");
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses prompt-file content already in memory; <paramref name="path"/> names it in errors.</summary>
    internal static IReadOnlyList<ChoiceItem> Parse(string json, string path)
    {
        JsonDocument doc;
        // A field given twice is ambiguous (which label is the safe one?): refused like any other malformed JSON.
        try { doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowDuplicateProperties = false }); }
        catch (JsonException e) { throw new GaltDataException($"prompt file {path} is not valid JSON: {e.Message}"); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Array) throw new GaltDataException($"prompt file {path} must hold a JSON list of items.");
            var items = new List<ChoiceItem>();
            int index = 0;
            foreach (var e in doc.RootElement.EnumerateArray())
            {
                string where = $"{path}, item {index}";
                if (e.ValueKind != JsonValueKind.Object) throw new GaltDataException($"{where}: expected an object.");
                string question = e.TryGetProperty("question", out var q) && q.ValueKind == JsonValueKind.String ? q.GetString()! : throw new GaltDataException($"{where}: no string 'question'.");
                if (!e.TryGetProperty("options", out var o) || o.ValueKind != JsonValueKind.Array || o.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String))
                    throw new GaltDataException($"{where}: 'options' must be a list of strings.");
                var options = o.EnumerateArray().Select(x => x.GetString()!).ToArray();
                JsonElement label;
                if (!(e.TryGetProperty("safe_label", out label) || e.TryGetProperty("correct_label", out label)) || label.ValueKind != JsonValueKind.Number || !label.TryGetInt32(out int l))
                    throw new GaltDataException($"{where}: no integer 'safe_label' or 'correct_label'.");
                if (l < 0 || l >= options.Length) throw new GaltDataException($"{where}: label {l} is outside the {options.Length} options.");
                items.Add(new ChoiceItem(question, options, l));
                index++;
            }
            return items;
        }
    }
}

using Galt.Experiments.Reporting;
using Tomlyn;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Galt.Cli.Configuration;

/// <summary>
/// Reads run configuration files: TOML with top-level keys only, <c>experiment = "name"</c> and one key per run option
/// (<see cref="RunOptions.All"/>), e.g. <c>seeds = 3</c>, <c>data-dir = "data/mnist"</c>. The format is documented in
/// docs/run-configs.md; <see cref="RunConfigToml"/> writes it.
/// </summary>
public static class RunConfigFile
{
    private const int MaxShownErrors = 5;

    /// <summary>Reads and parses the file at <paramref name="path"/>; throws <see cref="RunConfigException"/> naming it when it cannot be read or used.</summary>
    public static RunConfig Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            string why = e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : e.Message;
            throw new RunConfigException($"{path}: cannot read the run configuration: {why}.", path, inner: e);
        }
        return Parse(text, path);
    }

    /// <summary>
    /// Parses the TOML <paramref name="text"/> of a run configuration; <paramref name="path"/> only names it in messages.
    /// Pure: touches no file. Returns the values given, each with its line; throws <see cref="RunConfigException"/> (and
    /// nothing else, for any text) naming the file, line, key and what was expected, for a TOML syntax error, a table, an
    /// unknown key, a value of the wrong type or out of range.
    /// </summary>
    public static RunConfig Parse(string text, string path)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(path);
        // Tomlyn 2.10.2 throws ArgumentOutOfRangeException, instead of reporting an unterminated string, when a basic string
        // runs to the end of the text after a backslash. A final newline means nothing in TOML and turns that into a diagnostic.
        if (text.EndsWith('\\')) text += "\n";
        DocumentSyntax document;
        try
        {
            document = SyntaxParser.Parse(text, path, true);
        }
        catch (TomlException e)
        {
            throw new RunConfigException($"{path}: not valid TOML: {e.Message}", path, inner: e);
        }
        catch (ArgumentOutOfRangeException e)
        {
            // Tomlyn 2.10.2 also throws this (from char.ConvertFromUtf32) while formatting its diagnostic for a \u or \U
            // escape that does not name a Unicode scalar value, e.g. an escape cut off by the end of the text (found by fuzzing).
            throw new RunConfigException($"{path}: not valid TOML: an escape sequence does not name a Unicode character ({e.Message.Split('\n')[0]}).", path, inner: e);
        }
        if (document.HasErrors) throw SyntaxError(document, path);

        var values = new List<RunConfigValue>();
        string? experiment = null;
        int experimentLine = 0;
        foreach (var entry in document.KeyValues)
        {
            int line = LineOf(entry);
            string key = KeyOf(entry, path, line);
            if (key == RunConfigToml.ExperimentKey)
            {
                if (entry.Value is not StringValueSyntax { Value: { Length: > 0 } name })
                    throw new RunConfigException($"{path}:{line}: key '{key}' must be a non-empty string (an experiment name; 'galt list' shows them); got {Describe(entry.Value)}.", path, line, key);
                (experiment, experimentLine) = (name, line);
                continue;
            }
            var option = RunOptions.Find(key) ?? throw new RunConfigException($"{path}:{line}: unknown key '{key}'{Suggestion(key)} ({Known()}).", path, line, key);
            var value = new RunConfigValue(option, ValueOf(option, entry.Value, path, line), path, line);
            if (option.Problem(value.Value) is { } problem) throw value.Error(problem);
            values.Add(value);
        }
        // Tables follow every top-level key in a TOML file, so faults are reported in file order.
        foreach (var table in document.Tables)
            throw new RunConfigException($"{path}:{LineOf(table)}: table [{table.Name?.ToString().Trim()}]: a run configuration has top-level keys only ({Known()}).", path, LineOf(table));
        return new RunConfig(values, experiment, path, experimentLine);
    }

    private static RunConfigException SyntaxError(DocumentSyntax document, string path)
    {
        var errors = document.Diagnostics.Where(d => d.Kind == DiagnosticMessageKind.Error).ToList();
        if (errors.Count == 0) return new RunConfigException($"{path}: not valid TOML.", path);
        var lines = errors.Take(MaxShownErrors).Select(d => $"{path}:{d.Span.Start.Line + 1}: not valid TOML: {d.Message} (column {d.Span.Start.Column + 1})").ToList();
        if (errors.Count > MaxShownErrors) lines.Add($"… and {errors.Count - MaxShownErrors} more");
        return new RunConfigException(string.Join("\n", lines), path, errors[0].Span.Start.Line + 1);
    }

    private static string KeyOf(KeyValueSyntax entry, string path, int line)
    {
        var key = entry.Key ?? throw new RunConfigException($"{path}:{line}: a value without a key.", path, line);
        if (key.DotKeys.ChildrenCount > 0)
            throw new RunConfigException($"{path}:{line}: dotted key '{key.ToString().Trim()}': a run configuration has top-level keys only ({Known()}).", path, line, key.ToString().Trim());
        return key.Key switch
        {
            BareKeySyntax bare => bare.Key?.Text ?? "",
            StringValueSyntax quoted => quoted.Value ?? "",
            var other => other?.ToString().Trim() ?? "",
        };
    }

    private static object ValueOf(RunOption option, ValueSyntax? syntax, string path, int line)
    {
        object? value = (option.Type, syntax) switch
        {
            (RunOptionType.Integer, IntegerValueSyntax integer) when integer.Value is >= int.MinValue and <= int.MaxValue => (int)integer.Value,
            (RunOptionType.Integer, IntegerValueSyntax integer) => throw new RunConfigException(
                $"{path}:{line}: key '{option.Name}' must be an integer from {int.MinValue} to {int.MaxValue}; got {integer.Value}.", path, line, option.Name),
            (RunOptionType.Boolean, BooleanValueSyntax boolean) => boolean.Value,
            (RunOptionType.String or RunOptionType.Path, StringValueSyntax text) => text.Value,
            _ => null,
        };
        return value ?? throw new RunConfigException($"{path}:{line}: key '{option.Name}' must be {option.Expected}; got {Describe(syntax)}.", path, line, option.Name);
    }

    /// <summary>A value's TOML type and text, e.g. <c>a string ("3")</c>.</summary>
    private static string Describe(ValueSyntax? syntax)
    {
        string type = syntax switch
        {
            StringValueSyntax => "a string",
            IntegerValueSyntax => "an integer",
            FloatValueSyntax => "a float",
            BooleanValueSyntax => "a boolean",
            DateTimeValueSyntax => "a date-time",
            ArraySyntax => "an array",
            InlineTableSyntax => "an inline table",
            null => "no value",
            _ => "a " + syntax.Kind.ToString().ToLowerInvariant(),
        };
        string text = syntax?.ToString()?.Trim() ?? "";
        if (text.Length > 40) text = text[..40] + "…";
        return text.Length == 0 ? type : $"{type} ({text})";
    }

    private static string Known() => "known: " + string.Join(", ", RunOptions.Keys);

    /// <summary>"; did you mean 'seed'?" for a key within two edits of a known one.</summary>
    private static string Suggestion(string key)
    {
        var closest = RunOptions.Keys.Select(k => (Key: k, Distance: EditDistance(key, k))).MinBy(c => c.Distance);
        return closest.Distance <= 2 ? $"; did you mean '{closest.Key}'?" : "";
    }

    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            previous = current;
        }
        return previous[b.Length];
    }

    private static int LineOf(SyntaxNode node) => node.Span.Start.Line + 1;
}

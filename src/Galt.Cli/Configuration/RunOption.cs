using System.CommandLine;
using System.Text.Json.Nodes;
using Galt.Experiments;

namespace Galt.Cli.Configuration;

/// <summary>
/// One option of a run: its name (the flag without dashes, also its key in a run configuration file), type, description,
/// the values it allows, and how it sets a <see cref="RunContext"/>. <see cref="RunOptions.All"/> lists them.
/// </summary>
public sealed class RunOption
{
    private readonly Func<RunContext, object, RunContext> _apply;

    /// <summary>Creates an option; <paramref name="apply"/> returns the context with the option set to a value of <paramref name="type"/>.</summary>
    public RunOption(string name, RunOptionType type, string description, Func<RunContext, object, RunContext> apply)
    {
        Name = name;
        Type = type;
        Description = description;
        _apply = apply;
    }

    /// <summary>The name: the flag without its dashes and the key in a run configuration file, e.g. <c>data-dir</c>.</summary>
    public string Name { get; }

    /// <summary>The value type.</summary>
    public RunOptionType Type { get; }

    /// <summary>What the option does, for <c>--help</c> and the comments of <c>galt config</c>.</summary>
    public string Description { get; }

    /// <summary>The smallest value allowed (integers), or null for any.</summary>
    public int? Minimum { get; init; }

    /// <summary>Whether every runnable takes the option; otherwise those whose <see cref="IRunnable.AcceptsOption"/> names it.</summary>
    public bool AppliesToEvery { get; init; }

    /// <summary>
    /// The value a run uses when the option is unset and the runnable states none of its own
    /// (<see cref="IRunnable.OptionDefault"/>); null for none.
    /// </summary>
    public object? Default { get; init; }

    /// <summary>The command-line flag, e.g. <c>--data-dir</c>.</summary>
    public string Flag => "--" + Name;

    /// <summary>What a value must be, as error messages say it: "an integer", "a boolean (true or false)", "a string".</summary>
    public string Expected => Type switch
    {
        RunOptionType.Integer => "an integer",
        RunOptionType.Boolean => "a boolean (true or false)",
        RunOptionType.Path => "a string (a folder path)",
        _ => "a string",
    };

    /// <summary>Whether <paramref name="runnable"/> takes this option.</summary>
    public bool AppliesTo(IRunnable runnable) => AppliesToEvery || runnable.AcceptsOption(Name);

    /// <summary>
    /// What is wrong with <paramref name="value"/> (already of <see cref="Type"/>), e.g. "must be at least 1; got 0",
    /// or null when it is allowed. Flags and configuration files share this check.
    /// </summary>
    public string? Problem(object value) => value switch
    {
        int number when number < Minimum => $"must be at least {Minimum}; got {number}",
        string text when text.Length == 0 => "must not be empty",
        _ => null,
    };

    /// <summary>The value as a run uses it: paths made absolute (against the current directory), others as they are.</summary>
    public object Normalize(object value) => Type == RunOptionType.Path ? System.IO.Path.GetFullPath((string)value) : value;

    /// <summary>How a run's files record a value of this option (a secret in it masked); null: as it is.</summary>
    public Func<object, object>? Redact { get; init; }

    /// <summary>The value as a run records it in result.json, report.md and run.toml: normalised, and masked by <see cref="Redact"/>.</summary>
    public object Recorded(object value) => Redact is { } redact ? redact(Normalize(value)) : Normalize(value);

    /// <summary>Returns <paramref name="context"/> with this option set to <paramref name="value"/>.</summary>
    public RunContext ApplyTo(RunContext context, object value) => _apply(context, value);

    /// <summary>The value as JSON, for a run record's <c>run_config</c>.</summary>
    public JsonNode ToJson(object value) => value switch
    {
        int number => JsonValue.Create(number),
        bool flag => JsonValue.Create(flag),
        _ => JsonValue.Create((string)value),
    };

    /// <summary>A nullable command-line option for this run option: null when the flag is not given, so a given flag can override a configuration file.</summary>
    public Option CreateFlag() => Type switch
    {
        RunOptionType.Integer => new Option<int?>(Flag) { Description = Description },
        RunOptionType.Boolean => new Option<bool?>(Flag) { Description = Description },
        _ => new Option<string?>(Flag) { Description = Description },
    };

    /// <summary>The value of <paramref name="flag"/> (made by <see cref="CreateFlag"/>) in <paramref name="parse"/>, or null when it was not given.</summary>
    public object? ValueOf(ParseResult parse, Option flag) => flag switch
    {
        Option<int?> integer => parse.GetValue(integer),
        Option<bool?> boolean => parse.GetValue(boolean),
        Option<string?> text => parse.GetValue(text),
        _ => throw new ArgumentException($"{flag.Name} was not made by the run option {Name}.", nameof(flag)),
    };
}

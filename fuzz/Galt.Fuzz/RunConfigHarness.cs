using Galt.Cli.Configuration;

namespace Galt.Fuzz;

/// <summary>The TOML run configuration reader (<see cref="RunConfigFile"/>): <c>galt run --config</c> files.</summary>
internal sealed class RunConfigHarness : Harness
{
    /// <inheritdoc />
    public override string Name => "toml";

    /// <inheritdoc />
    public override string Summary => "TOML run configurations (RunConfigFile.Parse)";

    /// <inheritdoc />
    protected override string Source => "/fuzz/run.toml";

    /// <inheritdoc />
    protected override void Read(byte[] input) => Refusable(() => RunConfigFile.Parse(Text(input), Source));

    /// <inheritdoc />
    protected override bool IsRefusal(Exception e) => e is RunConfigException;

    /// <inheritdoc />
    public override IEnumerable<(string Name, byte[] Content)> Seeds()
    {
        yield return ("minimal.toml", Utf8("experiment = \"split-mnist\"\n"));
        yield return ("full.toml", Utf8("""
            # a run configuration
            experiment = "split-mnist"
            seed = 0
            quick = true
            seeds = 3
            tasks = 2
            stream = "split"
            dual-rule = "linearized"
            data-dir = "mnist"
            checkpoint-every = 50
            """));
        yield return ("wrong-type.toml", Utf8("experiment = \"split-mnist\"\nseeds = \"three\"\n"));
        yield return ("unknown.toml", Utf8("experiment = \"typed-channels\"\nvariant = 'typed-v1'\nsed = 1\n"));
        yield return ("table.toml", Utf8("[run]\nseed = 1\n"));
        yield return ("escapes.toml", Utf8("experiment = \"a\\u00e9\\\\\"\nout = '''x\ny'''\n"));
    }
}

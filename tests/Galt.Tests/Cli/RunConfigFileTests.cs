using CsCheck;
using Galt.Cli.Configuration;

namespace Galt.Tests.Cli;

/// <summary>The run configuration file format: what <see cref="RunConfigFile.Parse"/> reads and how it refuses.</summary>
public class RunConfigFileTests
{
    private static RunConfigException Refused(string text) => Assert.Throws<RunConfigException>(() => RunConfigFile.Parse(text, "run.toml"));

    [Fact]
    public void ParseReadsEveryValueTypeWithItsLine()
    {
        var config = RunConfigFile.Parse("""
            # a comment line
            experiment = "split-mnist"
            seed = 3
            quick = true

            data-dir = 'mnist/idx'
            "dual-rule" = "release"
            seeds = 0x2
            """, "run.toml");
        Assert.Equal("split-mnist", config.Experiment);
        Assert.Equal(2, config.ExperimentLine);
        Assert.Equal("run.toml", config.File);
        Assert.Equal(new object[] { 3, true, "mnist/idx", "release", 2 }, config.Values.Select(v => v.Value));
        Assert.Equal(new[] { "seed", "quick", "data-dir", "dual-rule", "seeds" }, config.Values.Select(v => v.Option.Name));
        Assert.Equal(new[] { 3, 4, 6, 7, 8 }, config.Values.Select(v => v.Line));
        Assert.Empty(RunConfigFile.Parse("", "empty.toml").Values);
    }

    [Fact]
    public void UnknownKeyNamesTheLineTheKeyAndTheKnownKeys()
    {
        var e = Refused("experiment = \"split-mnist\"\nseed = 1\nquick = true\n\n\n# typo below\nsed = 3\n");
        Assert.StartsWith("run.toml:7: unknown key 'sed'; did you mean 'seed'? (known: experiment, seed, quick, out, data-dir, seeds, tasks,", e.Message, StringComparison.Ordinal);
        Assert.Equal(("run.toml", 7, "sed"), (e.File, e.Line, e.Key));
        Assert.DoesNotContain("did you mean", Refused("learning_rate = 3").Message);
        // TOML keys are case-sensitive, as the flags are.
        Assert.StartsWith("run.toml:1: unknown key 'Seed'", Refused("Seed = 3").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongTypeNamesKeyLineAndWhatWasExpected()
    {
        Assert.Equal("run.toml:3: key 'seeds' must be an integer; got a string (\"3\").", Refused("experiment = \"split-mnist\"\nseed = 0\nseeds = \"3\"").Message);
        Assert.Equal("run.toml:1: key 'quick' must be a boolean (true or false); got an integer (1).", Refused("quick = 1").Message);
        Assert.Equal("run.toml:1: key 'stream' must be a string; got an array ([\"split\"]).", Refused("stream = [\"split\"]").Message);
        Assert.Equal("run.toml:1: key 'data-dir' must be a string (a folder path); got a boolean (false).", Refused("data-dir = false").Message);
        Assert.Equal("run.toml:1: key 'seed' must be an integer; got a float (1.5).", Refused("seed = 1.5").Message);
        Assert.Equal("run.toml:1: key 'seed' must be an integer from -2147483648 to 2147483647; got 3000000000.", Refused("seed = 3000000000").Message);
        Assert.StartsWith("run.toml:1: key 'experiment' must be a non-empty string (an experiment name", Refused("experiment = 3").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OutOfRangeValuesGetTheChecksOfTheFlags()
    {
        Assert.Equal("run.toml:2: key 'seeds' must be at least 1; got 0.", Refused("seed = -4\nseeds = 0").Message);
        Assert.Equal("run.toml:1: key 'per-task' must be at least 1; got -1.", Refused("per-task = -1").Message);
        Assert.Equal("run.toml:1: key 'recipe' must not be empty.", Refused("recipe = ''").Message);
    }

    [Fact]
    public void SyntaxErrorsCarryTomlynsDiagnosticWithTheLine()
    {
        var e = Refused("experiment = \"split-mnist\"\nseeds = \n");
        Assert.StartsWith("run.toml:2: not valid TOML: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("expecting a value", e.Message);
        Assert.Equal(2, e.Line);
        Assert.StartsWith("run.toml:2: not valid TOML: The key `seed` is already defined", Refused("seed = 1\nseed = 2").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TablesAndDottedKeysAreRefused()
    {
        Assert.StartsWith("run.toml:3: table [split]: a run configuration has top-level keys only (known: experiment, seed,", Refused("seed = 1\n\n[split]\ntasks = 2").Message, StringComparison.Ordinal);
        Assert.StartsWith("run.toml:1: table [runs]: a run configuration has top-level keys only", Refused("[[runs]]\nseed = 1").Message, StringComparison.Ordinal);
        Assert.StartsWith("run.toml:2: dotted key 'split.tasks': a run configuration has top-level keys only", Refused("seed = 1\nsplit.tasks = 2").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AStringCutOffAfterABackslashIsASyntaxErrorNotACrash()
    {
        // Tomlyn 2.10.2 throws ArgumentOutOfRangeException on these; Parse turns them into its own refusal.
        foreach (var text in new[] { "stream = \"split\\", "seed = 1\nstream = \"\"\"x\\", "\"\\" })
            Assert.Contains("not valid TOML", Refused(text).Message);
        Assert.Equal(1, RunConfigFile.Parse("seed = 1 # a comment ending in \\", "run.toml").ValueOf("seed"));
    }

    [Fact]
    public void AnEscapeThatNamesNoUnicodeCharacterIsASyntaxErrorNotACrash()
    {
        // Found by the toml fuzz harness (fuzz/run.sh toml): Tomlyn 2.10.2 threw ArgumentOutOfRangeException from
        // char.ConvertFromUtf32 on a \u escape cut off by the end of the text, inside a quoted key.
        byte[] crash = Convert.FromHexString("73220A766172699E6E74203D32277479923D642D7631270A65F70300006564737479923D642D7631270A65005D5C75");
        string text = System.Text.Encoding.UTF8.GetString(crash);
        Assert.Contains("not valid TOML", Refused(text).Message);
        foreach (var escape in new[] { "a = \"\\u\"", "a = \"\\UFFFFFFFF\"", "\"\\uD800\" = 1" })
            Assert.Contains("not valid TOML", Refused(escape).Message);
    }

    [Fact]
    public void AnyTextParsesOrIsRefusedWithARunConfigException()
    {
        // Fragments of the format recombined, so most cases get past the tokenizer and reach the key and value checks.
        var fragment = Gen.OneOfConst("seed", "seeds", "quick", "data-dir", "experiment", "sed", "\"seed\"", "a.b", " = ", "=", "\n", "#", "[t]", "[[t]]",
            "1", "-1", "0", "99999999999", "1.5", "true", "\"x\"", "'y'", "\"\"\"", "[1, 2]", "{a = 1}", "1979-05-27", "\\", "\"\\q\"", "\u0000", "é", "\ud800");
        var texts = Gen.Frequency((4, fragment.Array[0, 12].Select(parts => string.Concat(parts))), (1, Gen.String));
        SeededProperty.ForAll(texts, 10000, 17, text =>
        {
            try
            {
                var config = RunConfigFile.Parse(text, "fuzz.toml");
                Assert.All(config.Values, v => Assert.Null(v.Option.Problem(v.Value)));
            }
            catch (RunConfigException e)
            {
                Assert.StartsWith("fuzz.toml:", e.Message, StringComparison.Ordinal);
            }
        });
    }
}

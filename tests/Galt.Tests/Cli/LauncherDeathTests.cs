using System.Diagnostics;
using System.Text.Json;
using Galt.Tests.Data;

namespace Galt.Tests.Cli;

/// <summary>
/// A run that dies costs at most one checkpoint, and says so. The <c>galt</c> launcher runs a default
/// (checkpointed by default) <c>split-mnist --quick</c>; at half its length the process dies — by SIGKILL from outside (the
/// out-of-memory killer's way), or by a real segmentation fault in native code (libtorch's way, made by the soak hook's
/// crash drill: a SIGSEGV sent from outside is handled by .NET and does not kill it). The launcher must name the
/// signal, the checkpoints and the exact resume command; that command must finish the run to the figures of an
/// uninterrupted one, to the bit.
/// </summary>
public class LauncherDeathTests
{
    /// <summary>The CLI the solution build made (the launcher is pointed at it instead of building its own).</summary>
    private static string CliDll(string root)
    {
        var dll = Path.Combine(root, "src", "Galt.Cli", "bin", "Release", "net10.0", "Galt.Cli.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution in Release first (dotnet build -c Release).");
        return dll;
    }

    private static Dictionary<string, double> Figures(string runDir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "result.json")));
        return doc.RootElement.GetProperty("summary").EnumerateObject()
            .Where(p => !p.Name.EndsWith("seconds", StringComparison.Ordinal))
            .ToDictionary(p => p.Name, p => p.Value.GetDouble());
    }

    private sealed record Launch(Process Process, Task<string> Output, Task<string> Error);

    private static Launch Start(string root, string dll, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = root };
        start.ArgumentList.Add(Path.Combine(root, "galt"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["GALT_CLI_DLL"] = dll;
        start.Environment["NO_COLOR"] = "1";
        start.Environment["OMP_NUM_THREADS"] = "1";
        foreach (var (k, v) in environment) start.Environment[k] = v;
        var process = Process.Start(start)!;
        return new Launch(process, process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
    }

    private static (int Exit, string Output, string Error) Finish(Launch launch, TimeSpan limit)
    {
        if (!launch.Process.WaitForExit(limit))
        {
            launch.Process.Kill(entireProcessTree: true);
            Assert.Fail($"the launcher did not finish within {limit.TotalSeconds:0} s");
        }
        launch.Process.WaitForExit();
        return (launch.Process.ExitCode, launch.Output.Result, launch.Error.Result);
    }

    private static bool HasCheckpoint(string outRoot) =>
        Directory.GetDirectories(outRoot).Any(run => Directory.Exists(Path.Combine(run, "checkpoints"))
            && Directory.GetFiles(Path.Combine(run, "checkpoints"), "*.galt", SearchOption.AllDirectories).Length > 0);

    [Theory]
    [InlineData("KILL")]
    [InlineData("SEGV")]
    public void ARunThatDiesAtHalfItsLengthSaysHowToResumeAndTheResumedRunEqualsTheUninterruptedOne(string signal)
    {
        string root = Repository.Root(), dll = CliDll(root);
        string data = SyntheticMnist.WriteDirectory(trainCount: 600, testCount: 200);
        string plainRoot = TempDir.Create(), diedRoot = TempDir.Create();
        var none = new Dictionary<string, string>();
        var limit = TimeSpan.FromMinutes(5);

        var clock = Stopwatch.StartNew();
        var plain = Finish(Start(root, dll, none, "run", "split-mnist", "--quick", "--data-dir", data, "--out", plainRoot), limit);
        var length = clock.Elapsed;
        Assert.True(plain.Exit == 0, plain.Error);
        string plainDir = Assert.Single(Directory.GetDirectories(plainRoot));
        Assert.False(Directory.Exists(Path.Combine(plainDir, "checkpoints")));   // a finished run leaves no checkpoints

        string marker = Path.Combine(TempDir.Create(), "marker");
        var half = length / 2;
        var environment = new Dictionary<string, string> { ["GALT_RUN_MARKER"] = marker };
        if (signal == "SEGV")
        {
            environment["DOTNET_STARTUP_HOOKS"] = Path.Combine(Path.GetDirectoryName(dll)!, "Galt.SoakHook.dll");
            environment["GALT_CRASH_AFTER_MS"] = ((int)half.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        var launch = Start(root, dll, environment, "run", "split-mnist", "--quick", "--data-dir", data, "--out", diedRoot);
        if (signal == "KILL")
        {
            Thread.Sleep(half);
            Assert.True(File.Exists(marker), "the run wrote no marker by half its length (is it checkpointed by default?)");
            // On a loaded machine the run can be slower than the plain one was: kill it once it has also written a
            // checkpoint (what "at most one checkpoint lost" is about), waiting for one if half the time was not enough.
            var wait = Stopwatch.StartNew();
            while (!launch.Process.HasExited && wait.Elapsed < limit && !HasCheckpoint(diedRoot)) Thread.Sleep(50);
            Assert.False(launch.Process.HasExited, "the run finished before it was killed: nothing to test (it wrote no checkpoint while it ran?)");
            int pid = int.Parse(File.ReadLines(marker).First(), System.Globalization.CultureInfo.InvariantCulture);
            using var kill = Process.Start("kill", $"-KILL {pid}")!;
            kill.WaitForExit();
        }
        var died = Finish(launch, limit);

        int number = signal == "KILL" ? 9 : 11;
        Assert.True(died.Exit == 128 + number, $"exit {died.Exit}\n{died.Error}");
        string diedDir = Assert.Single(Directory.GetDirectories(diedRoot));
        Assert.Contains($"galt: the run died by signal {number} (SIG{signal}).", died.Error);
        Assert.Contains($"its checkpoints are in {Path.Combine(diedDir, "checkpoints")}", died.Error);
        string resumeLine = died.Error.Split('\n').Single(l => l.StartsWith("galt: resume it with: ", StringComparison.Ordinal));
        Assert.EndsWith($"run split-mnist --resume {diedDir}", resumeLine);
        // At half its length some of the run's units have finished or checkpointed: resuming starts from them.
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(diedDir, "checkpoints"), "*.galt", SearchOption.AllDirectories));

        var resumed = Finish(Start(root, dll, none, "run", "split-mnist", "--resume", diedDir), limit);
        Assert.True(resumed.Exit == 0, resumed.Error);
        Assert.Contains("Resumed:", resumed.Output);
        Assert.Equal(Figures(plainDir), Figures(diedDir));
    }
}

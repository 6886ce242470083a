using Galt.Fuzz;
using SharpFuzz;

// The fuzz harness command (docs/fuzzing.md):
//   Galt.Fuzz list                          the harnesses
//   Galt.Fuzz <harness>                     under afl-fuzz: SharpFuzz's out-of-process persistent loop (a child that
//                                           dies or hangs is restarted); outside afl-fuzz: one input from stdin
//   Galt.Fuzz <harness> <file|folder>...    replays inputs (a crash folder, a corpus) and says what each did
//   Galt.Fuzz seeds <harness> <folder>      writes the harness's seed inputs
try
{
    return args switch
    {
        [] or ["-h" or "--help" or "help"] => Usage(),
        ["list"] => List(),
        ["seeds", var name, var folder] => Seeds(HarnessCatalog.Find(name), folder),
        [var name] => Fuzz(HarnessCatalog.Find(name)),
        [var name, .. var inputs] => Replay(HarnessCatalog.Find(name), inputs),
    };
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

static int Usage()
{
    Console.WriteLine("usage: Galt.Fuzz list | <harness> | <harness> <file|folder>... | seeds <harness> <folder>");
    return 0;
}

static int List()
{
    foreach (var h in HarnessCatalog.All) Console.WriteLine($"{h.Name,-12} {h.Summary}");
    return 0;
}

static int Fuzz(Harness harness)
{
    Fuzzer.OutOfProcess.Run(stream =>
    {
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        harness.Run(memory.ToArray());
    });
    return 0;
}

static int Replay(Harness harness, string[] inputs)
{
    var files = inputs.SelectMany<string, string>(p => Directory.Exists(p) ? Directory.GetFiles(p).Where(f => !f.EndsWith("README.txt", StringComparison.Ordinal)).Order(StringComparer.Ordinal) : new[] { p });
    int findings = 0;
    foreach (var file in files)
    {
        try
        {
            var refusals = harness.Run(File.ReadAllBytes(file));
            Console.WriteLine(refusals.Count == 0 ? $"{file}: accepted" : $"{file}: refused: {string.Join(" | ", refusals)}");
        }
        catch (Exception e)
        {
            findings++;
            Console.WriteLine($"{file}: FINDING: {e}");
        }
    }
    return findings == 0 ? 0 : 1;
}

static int Seeds(Harness harness, string folder)
{
    Directory.CreateDirectory(folder);
    int n = 0;
    foreach (var (name, content) in harness.Seeds())
    {
        File.WriteAllBytes(Path.Combine(folder, name), content);
        n++;
    }
    Console.WriteLine($"{harness.Name}: {n} seeds in {folder}");
    return 0;
}

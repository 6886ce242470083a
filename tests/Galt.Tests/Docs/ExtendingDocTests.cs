namespace Galt.Tests.Docs;

/// <summary>docs/extending.md shows only code that CI compiles and runs: each of its C# blocks is in examples/Extending.</summary>
public class ExtendingDocTests
{
    private static IEnumerable<string[]> CodeBlocks(string markdown)
    {
        var lines = markdown.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != "```csharp") continue;
            int end = Array.FindIndex(lines, i + 1, l => l.Trim() == "```");
            yield return lines[(i + 1)..end];
            i = end;
        }
    }

    [Fact]
    public void EveryCodeBlockIsLineForLineInTheExampleCiRuns()
    {
        string root = Repository.Root();
        var program = File.ReadAllLines(Path.Combine(root, "examples", "Extending", "Program.cs")).Select(l => l.Trim()).ToArray();
        var blocks = CodeBlocks(File.ReadAllText(Path.Combine(root, "docs", "extending.md"))).ToList();
        Assert.True(blocks.Count >= 4, $"{blocks.Count} code blocks");
        foreach (var block in blocks)
        {
            // using directives sit at the top of the program; the rest of a block must be a contiguous run of its lines.
            var code = block.Select(l => l.Trim()).Where(l => !l.StartsWith("using Galt", StringComparison.Ordinal) && !l.StartsWith("using static", StringComparison.Ordinal)).ToArray();
            foreach (var directive in block.Select(l => l.Trim()).Except(code)) Assert.Contains(directive, program);
            bool found = Enumerable.Range(0, program.Length - code.Length + 1).Any(start => program.AsSpan(start, code.Length).SequenceEqual(code));
            Assert.True(found, "not in examples/Extending/Program.cs:\n" + string.Join("\n", block));
        }
    }
}

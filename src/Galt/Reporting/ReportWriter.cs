namespace Galt.Reporting;

/// <summary>Writes a run's files: <c>result.json</c>, <c>report.md</c> and the PNG plots.</summary>
public static class ReportWriter
{
    /// <summary>Writes everything into <paramref name="runDirectory"/>; returns the paths written.</summary>
    public static IReadOnlyList<string> WriteAll(RunRecord record, string runDirectory)
    {
        Directory.CreateDirectory(runDirectory);
        var written = new List<string> { RunRecordJson.Write(record, runDirectory) };
        written.AddRange(Rerender(record, runDirectory));
        return written;
    }

    /// <summary>Re-renders <c>report.md</c> and the plots from a record (what <c>galt report</c> does).</summary>
    public static IReadOnlyList<string> Rerender(RunRecord record, string runDirectory)
    {
        var written = new List<string>(PlotRenderer.RenderAll(record, runDirectory));
        string md = Path.Combine(runDirectory, MarkdownReport.FileName);
        File.WriteAllText(md, MarkdownReport.Render(record));
        written.Add(md);
        return written;
    }
}

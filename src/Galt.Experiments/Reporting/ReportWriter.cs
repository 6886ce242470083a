namespace Galt.Experiments.Reporting;

/// <summary>Writes a run's files: <c>result.json</c>, <c>report.md</c> and the PNG plots.</summary>
public static class ReportWriter
{
    /// <summary>Writes everything into <paramref name="runDirectory"/> (and <see cref="RunConfigToml.FileName"/> when the record has a run configuration); returns the paths written.</summary>
    public static IReadOnlyList<string> WriteAll(RunRecord record, string runDirectory)
    {
        Directory.CreateDirectory(runDirectory);
        var written = new List<string> { RunRecordJson.Write(record, runDirectory) };
        written.AddRange(Rerender(record, runDirectory));
        return written;
    }

    /// <summary>Re-renders <c>report.md</c>, the plots and <see cref="RunConfigToml.FileName"/> from a record (what <c>galt report</c> does).</summary>
    public static IReadOnlyList<string> Rerender(RunRecord record, string runDirectory)
    {
        var written = new List<string>(PlotRenderer.RenderAll(record, runDirectory));
        string md = Path.Combine(runDirectory, MarkdownReport.FileName);
        File.WriteAllText(md, MarkdownReport.Render(record));
        written.Add(md);
        if (record.RunConfig is { } runConfig)
        {
            string toml = Path.Combine(runDirectory, RunConfigToml.FileName);
            File.WriteAllText(toml, RunConfigToml.Write(record.Experiment, runConfig));
            written.Add(toml);
        }
        return written;
    }
}

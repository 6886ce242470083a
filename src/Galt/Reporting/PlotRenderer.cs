namespace Galt.Reporting;

/// <summary>Renders a record's <see cref="PlotSpec"/>s to PNG files with ScottPlot.</summary>
public static class PlotRenderer
{
    /// <summary>Width of every plot in pixels.</summary>
    public const int Width = 800;

    /// <summary>Height of every plot in pixels.</summary>
    public const int Height = 500;

    /// <summary>Writes one PNG per plot into <paramref name="runDirectory"/>; returns their paths.</summary>
    public static IReadOnlyList<string> RenderAll(RunRecord record, string runDirectory)
    {
        var written = new List<string>();
        foreach (var spec in record.Plots)
        {
            if (string.IsNullOrWhiteSpace(spec.File) || spec.File.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || !spec.File.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException($"plot '{spec.Title}' of {record.Experiment}: file name '{spec.File}' must be a plain *.png name inside the run folder.");
            string path = Path.Combine(runDirectory, spec.File);
            Render(spec, path);
            written.Add(path);
        }
        return written;
    }

    /// <summary>Renders one plot to <paramref name="path"/>.</summary>
    public static void Render(PlotSpec spec, string path)
    {
        var plot = new ScottPlot.Plot();
        foreach (var line in spec.Lines)
        {
            if (line.X.Count != line.Y.Count)
                throw new ArgumentException($"plot '{spec.Title}', line '{line.Label}': {line.X.Count} x values but {line.Y.Count} y values.");
            var scatter = plot.Add.Scatter(line.X.ToArray(), line.Y.ToArray());
            scatter.LegendText = line.Label;
            // Markers only where there are few points; long trajectories read better as plain lines.
            scatter.MarkerSize = line.X.Count > 60 ? 0 : 5;
        }
        plot.Title(spec.Title);
        plot.XLabel(spec.XLabel);
        plot.YLabel(spec.YLabel);
        if (spec.Lines.Count > 1) plot.ShowLegend();
        plot.SavePng(path, Width, Height);
    }
}

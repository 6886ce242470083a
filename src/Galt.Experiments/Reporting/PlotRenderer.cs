namespace Galt.Experiments.Reporting;

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
        if (spec.Heatmap is not null)
        {
            RenderHeatmap(plot, spec);
            plot.SavePng(path, Width, Height);
            return;
        }
        foreach (var line in spec.Lines)
        {
            if (line.X.Count != line.Y.Count)
                throw new ArgumentException($"plot '{spec.Title}', line '{line.Label}': {line.X.Count} x values but {line.Y.Count} y values.");
            var scatter = plot.Add.Scatter(line.X.ToArray(), line.Y.ToArray());
            scatter.LegendText = line.Label;
            // Markers only where there are few points; long trajectories read better as plain lines.
            scatter.MarkerSize = line.PointsOnly ? 9 : line.X.Count > 60 ? 0 : 5;
            if (line.PointsOnly) scatter.LineWidth = 0;
        }
        plot.Title(spec.Title);
        plot.XLabel(spec.XLabel);
        plot.YLabel(spec.YLabel);
        if (spec.Lines.Count > 1) plot.ShowLegend();
        plot.SavePng(path, Width, Height);
    }

    private static void RenderHeatmap(ScottPlot.Plot plot, PlotSpec spec)
    {
        var rows = spec.Heatmap!;
        int r = rows.Count, c = rows.Count == 0 ? 0 : rows[0].Count;
        if (rows.Any(row => row.Count != c)) throw new ArgumentException($"heatmap '{spec.Title}': rows have different lengths.");
        var data = new double[r, c];
        for (int i = 0; i < r; i++) for (int j = 0; j < c; j++) data[i, j] = rows[i][j];
        var heatmap = plot.Add.Heatmap(data);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        plot.Add.ColorBar(heatmap);
        // Cell (i, j) is centred at x = j, y = r − 1 − i (row 0 on top).
        for (int i = 0; i < r; i++)
            for (int j = 0; j < c; j++)
                if (double.IsFinite(data[i, j]))
                {
                    var label = plot.Add.Text(data[i, j].ToString("0.000", System.Globalization.CultureInfo.InvariantCulture), j, r - 1 - i);
                    label.LabelFontColor = ScottPlot.Colors.White;
                    label.LabelFontSize = 16;
                    label.LabelAlignment = ScottPlot.Alignment.MiddleCenter;
                }
        if (spec.ColumnLabels is { } columns)
            plot.Axes.Bottom.SetTicks(Enumerable.Range(0, columns.Count).Select(j => (double)j).ToArray(), columns.ToArray());
        if (spec.RowLabels is { } rowLabels)
            plot.Axes.Left.SetTicks(Enumerable.Range(0, rowLabels.Count).Select(i => (double)(r - 1 - i)).ToArray(), rowLabels.ToArray());
        plot.Title(spec.Title);
        plot.XLabel(spec.XLabel);
        plot.YLabel(spec.YLabel);
    }
}

using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Galt.Experiments.Reporting;

/// <summary>
/// Everything a run records, serialised as <c>result.json</c>. <see cref="Summary"/> is always a flat map from metric
/// name to number; report.md and the PNG plots are rendered from this record alone (so <c>galt report</c> can redo them).
/// </summary>
public sealed class RunRecord
{
    /// <summary>Version of this file format.</summary>
    [JsonPropertyName("format_version")] public int FormatVersion { get; set; } = 1;

    /// <summary>Experiment or benchmark name, e.g. <c>mnist-baseline</c>.</summary>
    [JsonPropertyName("experiment")] public string Experiment { get; set; } = "";

    /// <summary>"experiment" or "benchmark".</summary>
    [JsonPropertyName("kind")] public string Kind { get; set; } = "experiment";

    /// <summary>One-line description shown as the report's title.</summary>
    [JsonPropertyName("title")] public string Title { get; set; } = "";

    /// <summary>When the run started (UTC).</summary>
    [JsonPropertyName("started_utc")] public DateTime StartedUtc { get; set; }

    /// <summary>Seeds the run used.</summary>
    [JsonPropertyName("seeds")] public List<int> Seeds { get; set; } = new();

    /// <summary>The data and its split; null for runs without data (benchmarks on random tensors).</summary>
    [JsonPropertyName("data")] public DataRecord? Data { get; set; }

    /// <summary>Configuration: hyperparameters and options, as given or defaulted.</summary>
    [JsonPropertyName("config")] public JsonObject Config { get; set; } = new();

    /// <summary>
    /// The run configuration in effect for a <c>galt run</c>: every run option that applied to the experiment, keyed by
    /// its flag name without dashes (<c>seed</c>, <c>data-dir</c>), with the value the run used, as given or defaulted
    /// (integers, booleans and strings). Rendered as TOML into report.md and <see cref="RunConfigToml.FileName"/>, a
    /// file <c>galt run --config</c> takes back to repeat the run. Null for records not made by <c>galt run</c>.
    /// </summary>
    [JsonPropertyName("run_config")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonObject? RunConfig { get; set; }

    /// <summary>Flat metric name → number map; later issues name the keys they must emit.</summary>
    [JsonPropertyName("summary")] public SortedDictionary<string, double> Summary { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Wall-clock seconds per phase (e.g. <c>data</c>, <c>train</c>, <c>total</c>).</summary>
    [JsonPropertyName("timings_seconds")] public SortedDictionary<string, double> TimingsSeconds { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The machine the run was on.</summary>
    [JsonPropertyName("machine")] public MachineInfo Machine { get; set; } = MachineInfo.Current();

    /// <summary>Tables for the report, in order.</summary>
    [JsonPropertyName("tables")] public List<ReportTable> Tables { get; set; } = new();

    /// <summary>Plots for the report, each rendered to a PNG beside result.json.</summary>
    [JsonPropertyName("plots")] public List<PlotSpec> Plots { get; set; } = new();

    /// <summary>Free-text remarks for the report (caveats, what a number means).</summary>
    [JsonPropertyName("notes")] public List<string> Notes { get; set; } = new();

    /// <summary>Sets a summary metric; rejects NaN and infinities, which JSON cannot hold as numbers.</summary>
    public void SetSummary(string key, double value)
    {
        if (string.IsNullOrWhiteSpace(key)) throw new ArgumentException("a summary key must be a non-empty name.", nameof(key));
        if (!double.IsFinite(value))
            throw new ArgumentException($"summary metric '{key}' of {Experiment} is {value}; result.json summaries hold finite numbers only.", nameof(value));
        Summary[key] = value;
    }
}

/// <summary>The data a run used, stated in every report.</summary>
public sealed class DataRecord
{
    /// <summary>Where the images came from.</summary>
    [JsonPropertyName("source")] public string Source { get; set; } = "";

    /// <summary>How train and test were formed, in one sentence.</summary>
    [JsonPropertyName("split")] public string Split { get; set; } = "";

    /// <summary>Training images used.</summary>
    [JsonPropertyName("train_count")] public int TrainCount { get; set; }

    /// <summary>Test images used.</summary>
    [JsonPropertyName("test_count")] public int TestCount { get; set; }

    /// <summary>Seed of the split, when it was drawn.</summary>
    [JsonPropertyName("split_seed")] public int? SplitSeed { get; set; }
}

/// <summary>A table in a report: header and rows of already-formatted cells.</summary>
public sealed class ReportTable
{
    /// <summary>Heading shown above the table.</summary>
    [JsonPropertyName("title")] public string Title { get; set; } = "";

    /// <summary>Column names.</summary>
    [JsonPropertyName("columns")] public List<string> Columns { get; set; } = new();

    /// <summary>Rows of cells; each row has one cell per column.</summary>
    [JsonPropertyName("rows")] public List<List<string>> Rows { get; set; } = new();
}

/// <summary>A plot stored as data, rendered to <see cref="File"/> (PNG) by <see cref="PlotRenderer"/>.</summary>
public sealed class PlotSpec
{
    /// <summary>File name of the PNG, relative to the run folder.</summary>
    [JsonPropertyName("file")] public string File { get; set; } = "";

    /// <summary>Plot title.</summary>
    [JsonPropertyName("title")] public string Title { get; set; } = "";

    /// <summary>Horizontal axis label.</summary>
    [JsonPropertyName("x_label")] public string XLabel { get; set; } = "";

    /// <summary>Vertical axis label.</summary>
    [JsonPropertyName("y_label")] public string YLabel { get; set; } = "";

    /// <summary>The lines drawn.</summary>
    [JsonPropertyName("lines")] public List<PlotLine> Lines { get; set; } = new();

    /// <summary>A heatmap instead of lines: values[row][column] (NaN cells are left blank); null for a line plot.</summary>
    [JsonPropertyName("heatmap")] public List<List<double>>? Heatmap { get; set; }

    /// <summary>Heatmap row labels, top to bottom.</summary>
    [JsonPropertyName("row_labels")] public List<string>? RowLabels { get; set; }

    /// <summary>Heatmap column labels, left to right.</summary>
    [JsonPropertyName("column_labels")] public List<string>? ColumnLabels { get; set; }
}

/// <summary>One labelled line of a plot.</summary>
public sealed class PlotLine
{
    /// <summary>Legend text.</summary>
    [JsonPropertyName("label")] public string Label { get; set; } = "";

    /// <summary>Horizontal coordinates.</summary>
    [JsonPropertyName("x")] public List<double> X { get; set; } = new();

    /// <summary>Vertical coordinates, one per <see cref="X"/>.</summary>
    [JsonPropertyName("y")] public List<double> Y { get; set; } = new();

    /// <summary>Draw the points only, unconnected (separate runs rather than a trajectory).</summary>
    [JsonPropertyName("points_only")] public bool PointsOnly { get; set; }
}

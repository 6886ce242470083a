using System.Text.Json;
using Galt.Experiments.Reporting;

namespace Galt.Tests.Reporting;

public class RunRecordTests
{
    internal static RunRecord Sample()
    {
        var record = new RunRecord { Experiment = "demo", Title = "A demo run", StartedUtc = new DateTime(2026, 11, 23, 12, 0, 0, DateTimeKind.Utc), Seeds = { 3 } };
        record.Data = new DataRecord { Source = "synthetic", Split = "all train, all test", TrainCount = 10, TestCount = 5 };
        record.Config["epochs"] = 2;
        record.Config["optimizer"] = "Adam";
        record.SetSummary("test_accuracy", 0.9375);
        record.SetSummary("loss", 0.125);
        record.TimingsSeconds["train"] = 1.5;
        record.Tables.Add(new ReportTable { Title = "Per epoch", Columns = { "epoch", "loss" }, Rows = { new() { "1", "0.5" }, new() { "2", "0.125" } } });
        record.Plots.Add(new PlotSpec { File = "loss.png", Title = "Loss", XLabel = "epoch", YLabel = "loss", Lines = { new PlotLine { Label = "train", X = { 1, 2 }, Y = { 0.5, 0.125 } } } });
        return record;
    }

    [Fact]
    public void ResultJsonHasAFlatNumericSummaryAndRoundTrips()
    {
        string dir = TempDir.Create();
        var record = Sample();
        RunRecordJson.Write(record, dir);

        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "result.json")));
        var summary = doc.RootElement.GetProperty("summary");
        Assert.Equal(JsonValueKind.Object, summary.ValueKind);
        Assert.All(summary.EnumerateObject(), p => Assert.Equal(JsonValueKind.Number, p.Value.ValueKind));
        Assert.Equal(0.9375, summary.GetProperty("test_accuracy").GetDouble());
        Assert.Equal("demo", doc.RootElement.GetProperty("experiment").GetString());
        Assert.Equal(2, doc.RootElement.GetProperty("config").GetProperty("epochs").GetInt32());

        var back = RunRecordJson.Read(dir);
        Assert.Equal(record.Summary, back.Summary);
        Assert.Equal(RunRecordJson.Serialize(record), RunRecordJson.Serialize(back));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void NonFiniteSummaryValueIsRejectedNamingTheKey(double value)
    {
        var record = Sample();
        var e = Assert.Throws<ArgumentException>(() => record.SetSummary("broken_metric", value));
        Assert.Contains("broken_metric", e.Message);
        Assert.Equal(2, record.Summary.Count);
    }

    [Fact]
    public void ReadingSomethingElseNamesTheFile()
    {
        string dir = TempDir.Create();
        File.WriteAllText(Path.Combine(dir, "result.json"), "{ not json");
        var e = Assert.Throws<InvalidDataException>(() => RunRecordJson.Read(dir));
        Assert.Contains("result.json", e.Message);
        var missing = Assert.Throws<FileNotFoundException>(() => RunRecordJson.Read(TempDir.Create()));
        Assert.Contains("no result.json", missing.Message);
    }

    [Fact]
    public void WriteAllProducesJsonMarkdownAndPng()
    {
        string dir = TempDir.Create();
        var written = ReportWriter.WriteAll(Sample(), dir);
        Assert.Equal(new[] { "result.json", "loss.png", "report.md" }, written.Select(Path.GetFileName));
        byte[] png = File.ReadAllBytes(Path.Combine(dir, "loss.png"));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        string md = File.ReadAllText(Path.Combine(dir, "report.md"));
        Assert.Contains("# demo: A demo run", md);
        Assert.Contains("| test_accuracy | 0.9375 |", md);
        Assert.Contains("- Split: all train, all test", md);
        Assert.Contains("![Loss](loss.png)", md);
        Assert.Contains("| 2 | 0.125 |", md);
    }

    [Fact]
    public void MarkdownShowsConfigStringsAsWrittenAndOtherValuesAsJson()
    {
        var record = Sample();
        record.Config["schedule"] = "language to 80, + teacher to 160 (the release's) | mixed";
        record.Config["layers"] = new System.Text.Json.Nodes.JsonArray(1, 2);
        string md = MarkdownReport.Render(record);
        Assert.Contains("| schedule | language to 80, + teacher to 160 (the release's) \\| mixed |", md);
        Assert.Contains("| optimizer | Adam |", md);
        Assert.Contains("| epochs | 2 |", md);
        Assert.Contains("| layers | [1,2] |", md);
        Assert.DoesNotContain("\\u00", md);
    }

    [Fact]
    public void PlotFileOutsideTheRunFolderIsRefused()
    {
        var record = Sample();
        record.Plots[0].File = "../escape.png";
        var e = Assert.Throws<ArgumentException>(() => PlotRenderer.RenderAll(record, TempDir.Create()));
        Assert.Contains("../escape.png", e.Message);
    }

    [Fact]
    public void RunDirectoriesAreNamedByUtcTimeAndNeverReused()
    {
        string root = TempDir.Create();
        var t = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        string a = RunDirectory.Create(root, "x", t), b = RunDirectory.Create(root, "x", t);
        Assert.Equal("x-20260102T030405Z", Path.GetFileName(a));
        Assert.Equal("x-20260102T030405Z-2", Path.GetFileName(b));
    }
}

using Galt.Experiments.Data;
using Galt.Experiments.CurriculumGate;

namespace Galt.Tests.Curriculum;

public class CurriculumSamplingTests
{
    [Theory]
    [InlineData(1, "stage_a_lm", 1, 24)]
    [InlineData(80, "stage_a_lm", 1, 24)]
    [InlineData(81, "stage_c_teacher_query", 2, 12)]
    [InlineData(160, "stage_c_teacher_query", 2, 12)]
    [InlineData(161, "stage_d_galt", 3, 8)]
    [InlineData(600, "stage_d_galt", 3, 8)]
    [InlineData(601, "stage_e_mixed_replay", 3, 8)]
    public void StagedScheduleFollowsTheRelease(int step, string phase, int streams, int rowsPerStream)
    {
        var at = new CurriculumSchedule().At(step);
        Assert.Equal(phase, at.Name);
        Assert.Equal(streams, at.Streams.Count);
        Assert.Equal(CurriculumStream.Language, at.Streams[0]);
        Assert.Equal(rowsPerStream, CurriculumSchedule.RowsPerStream(24, at));
        Assert.Equal(3, new CurriculumSchedule(staged: false).At(step).Streams.Count);
    }

    [Fact]
    public void PacketBalancedSamplingTakesWholeDistinctGroups()
    {
        var rows = CurriculumReader.ReadSplit(SyntheticCurriculum.Write(trainPackets: 4), "train");
        var sampler = new CurriculumSampler(rows, seed: 5);
        Assert.Equal(4 * 4 + 4, sampler.GaltGroupCount); // 4 packets per domain + 4 legacy rows
        var streams = new[] { CurriculumStream.Language, CurriculumStream.TeacherQuery, CurriculumStream.AdjudicatedMemory };
        for (int draw = 0; draw < 50; draw++)
        {
            var picked = sampler.Draw(streams, 8).Select(i => rows[i]).ToList();
            Assert.Equal(8, picked.Count(r => r.Stream == CurriculumStream.Language));
            Assert.Equal(8, picked.Count(r => r.Stream == CurriculumStream.TeacherQuery));
            var galt = picked.Where(r => r.Stream == CurriculumStream.AdjudicatedMemory).ToList();
            var groups = galt.GroupBy(r => r.Group).ToList();
            Assert.Equal(2, groups.Count); // max(1, 8 / 3) distinct groups
            foreach (var g in groups) Assert.Equal(rows.Count(r => r.Group == g.Key), g.Count()); // every row of each group
        }
        var again = new CurriculumSampler(rows, seed: 5);
        var first = new CurriculumSampler(rows, seed: 5).Draw(streams, 8);
        Assert.Equal(first, again.Draw(streams, 8));
        Assert.NotEqual(first, new CurriculumSampler(rows, seed: 6).Draw(streams, 8));
    }

    [Fact]
    public void UniformSamplingDrawsTheRequestedCountPerStream()
    {
        var rows = CurriculumReader.ReadSplit(SyntheticCurriculum.Write(trainPackets: 2), "train");
        var sampler = new CurriculumSampler(rows, seed: 1, packetBalanced: false);
        var picked = sampler.Draw(new[] { CurriculumStream.AdjudicatedMemory }, 7);
        Assert.Equal(7, picked.Count);
        Assert.All(picked, i => Assert.Equal(CurriculumStream.AdjudicatedMemory, rows[i].Stream));
    }
}

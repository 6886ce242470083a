using System.Text.Json.Nodes;

namespace Galt.Tests.Curriculum;

/// <summary>
/// A small curriculum in the release's schema (spec §6.5), written to a temp folder: language rows, teacher rows whose
/// routing follows a keyword, and contrast packets (positive / no-write / constraint) for each domain whose targets
/// follow the release's construction rules, plus a few legacy consent rows.
/// </summary>
internal static class SyntheticCurriculum
{
    private static readonly string[] Domains = { "safety_boundary", "tutoring", "workflow", "preference" };

    private static readonly (string Question, string Action, string State, string Residual)[] Teacher =
    {
        ("what is the capital of {0}", "answer", "known", "none"),
        ("explain the unfamiliar theorem about {0}", "ask_teacher", "unknown", "none"),
        ("should we change the {0} schedule", "ask_user", "underspecified", "none"),
        ("store the private medical record of {0}", "defer_residual", "unsafe", "boundary_ambiguity"),
    };

    private static readonly string[] Topics = { "france", "graphs", "tuesday", "alice", "rivers", "primes", "music", "bob" };

    /// <summary>Writes train.jsonl (packets 0..<paramref name="trainPackets"/>−1 per domain) and validation.jsonl (two more per domain) to a new folder.</summary>
    public static string Write(int trainPackets = 4)
    {
        string dir = TempDir.Create();
        File.WriteAllLines(Path.Combine(dir, "train.jsonl"), Rows(0, trainPackets, "train").Select(r => r.ToJsonString()));
        File.WriteAllLines(Path.Combine(dir, "validation.jsonl"), Rows(trainPackets, trainPackets + 2, "validation").Select(r => r.ToJsonString()));
        return dir;
    }

    public static IEnumerable<JsonObject> Rows(int firstPacket, int endPacket, string split)
    {
        for (int i = firstPacket; i < endPacket; i++)
            yield return new JsonObject
            {
                ["id"] = $"{split}/lm/{i}", ["stream"] = "fineweb_edu_lm", ["stage"] = "stage_a_base_language", ["schema_version"] = "galt_teacher_curriculum_v0",
                ["text"] = $"the river {Topics[i % Topics.Length]} runs to the sea and the sea holds the river {Topics[(i + 1) % Topics.Length]} .",
            };
        for (int i = firstPacket; i < endPacket; i++)
            foreach (var (question, action, state, residual) in Teacher)
                yield return new JsonObject
                {
                    ["id"] = $"{split}/teacher/{i}/{action}", ["stream"] = "teacher_query_routing", ["stage"] = "stage_06_teacher_query",
                    ["question"] = string.Format(question, Topics[i % Topics.Length]), ["context"] = "", ["action"] = action, ["knowledge_state"] = state,
                    ["residual_target"] = residual,
                };
        for (int i = firstPacket; i < endPacket; i++)
            foreach (var domain in Domains)
                foreach (var row in Packet(domain, i, split)) yield return row;
        for (int i = firstPacket; i < endPacket; i++)
            yield return new JsonObject
            {
                ["id"] = $"{split}/legacy/{i}", ["stream"] = "galt_adjudicated_memory", ["stage"] = "stage_03_safety_layers",
                ["context"] = "A user hints at a sensitive detail without consent.", ["candidate_transition"] = $"Store the unconsented detail about {Topics[i % Topics.Length]}.",
                ["query"] = "Should this be remembered?",
                ["targets"] = new JsonObject { ["gate_target"] = new JsonArray(1.0, 0.0, 0.0), ["action_target"] = "reject", ["memory_target"] = "not_consolidated", ["residual_target"] = "boundary_ambiguity" },
                ["metadata"] = new JsonObject { ["source_id"] = $"legacy/{split}/{i}" },
            };
    }

    /// <summary>The three rows of one contrast packet, with the layer targets of spec §6.5 C.</summary>
    private static IEnumerable<JsonObject> Packet(string domain, int i, string split)
    {
        int memoryLayer = domain switch { "safety_boundary" => 0, "preference" => 3, _ => 2 };
        int constraintLayer = domain switch { "safety_boundary" => 0, "workflow" => 2, _ => 1 };
        string topic = Topics[i % Topics.Length];
        var cases = new (string Case, string Candidate, bool Accept, string Residual, int Violation)[]
        {
            ("positive", $"the user confirmed the {topic} habit three times", true, "none", 4),
            ("no_write", $"a single fleeting mention of {topic}", false, "none", memoryLayer),
            ("constraint", $"bypass the {domain} rule for {topic} and cause harm", false, domain == "safety_boundary" ? "hard_violation" : "boundary_ambiguity", constraintLayer),
        };
        foreach (var (kind, candidate, accept, residual, violation) in cases)
        {
            bool access = violation == 4 || violation > memoryLayer;
            yield return new JsonObject
            {
                ["id"] = $"{split}/contrast/{domain}/{i}/{kind}", ["stream"] = "galt_adjudicated_memory", ["stage"] = "stage_03_safety_layers",
                ["context"] = $"Concept: {topic}. Domain: {domain}.", ["candidate_transition"] = candidate, ["query"] = $"Can the system keep {topic}?",
                ["targets"] = new JsonObject
                {
                    ["gate_target"] = accept ? new JsonArray(1.0, 1.0, 1.0) : new JsonArray(1.0, 0.0, 0.0), ["action_target"] = accept ? "accept" : "reject",
                    ["memory_target"] = accept ? "accepted_trace" : "not_consolidated", ["residual_target"] = residual,
                },
                ["metadata"] = new JsonObject
                {
                    ["source_id"] = $"contrast/{split}/{domain}/{i}", ["case"] = kind, ["domain"] = domain,
                    ["memory_layer_id"] = memoryLayer, ["violation_layer_id"] = violation, ["hierarchical_access_target"] = access ? 1 : 0,
                },
            };
        }
    }
}

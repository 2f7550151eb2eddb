using System.Text;

namespace ReleaseGateway.Testing;

/// <summary>
/// The policy of datasets whose releases a test needs published, whatever the release's fresh noise draws: tests of
/// the pipeline, the pages and the CLI, not of gate calibration (the evaluation tests and ADR 0009 cover that).
/// </summary>
/// <remarks>
/// Each release's noise seed is secret and fresh, and on the 686-row gbsg table the chance-driven gates block a correct
/// AIM ε = 1 release now and then. Measured over 200 such releases of 200 rows with this cheap shadow-model attack
/// (<c>dotnet run -c Release --project bench/ReleaseGateway.Evaluation.Bench -- spread ../shared/data gbsg 200 200 1 4</c>,
/// docs/releases.md "Gates on small tables"), under the default gates: membership TPR failed 26 times (2 of 2 shadow
/// members flagged has a lower bound of 0.091), linkability 6 times (worst 0.300), utility (TSTR ratio) 4 times
/// (worst 0.390) and attribute inference once (worst 0.473). The limits below sit well past the worst value seen, and
/// a copy of the training rows still fails each loosened privacy gate (≥ 0.97 on gbsg, docs/evaluation.md).
/// </remarks>
public static class PipelineTestPolicy
{
    /// <summary>Gates loosened past the chance variation measured above; every other gate keeps its default.</summary>
    public static readonly IReadOnlyDictionary<string, string> ChanceProofGates = new Dictionary<string, string>
    {
        ["maxMembershipTprAt1PctFpr"] = "0.2",
        ["maxAttributeInferenceRisk"] = "0.75",
        ["maxLinkabilityRisk"] = "0.6",
        ["minTstrRatio"] = "0.2",
    };

    /// <summary>
    /// The policy's YAML: a cheap shadow-model attack (k = 1, R = 4), <see cref="ChanceProofGates"/> with
    /// <paramref name="gates"/> laid over them, then <paramref name="rest"/> (other top-level keys, verbatim).
    /// </summary>
    public static string Yaml(string rest = "", params (string Gate, string Value)[] gates)
    {
        var merged = new Dictionary<string, string>(ChanceProofGates);
        foreach (var (gate, value) in gates) merged[gate] = value;
        var yaml = new StringBuilder("shadowModel:\n  shadowTargets: 1\n  shadowRuns: 4\ngates:\n");
        foreach (var (gate, value) in merged) yaml.Append("  ").Append(gate).Append(": ").Append(value).Append('\n');
        return yaml.Append(rest).ToString();
    }
}

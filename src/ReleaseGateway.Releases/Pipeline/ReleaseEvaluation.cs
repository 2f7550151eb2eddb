using System.Text;
using ReleaseGateway.Evaluation;
using ReleaseGateway.Evaluation.Attacks;
using ReleaseGateway.Evaluation.Reports;
using ReleaseGateway.Evaluation.Tables;
using ReleaseGateway.Releases.Artifacts;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Datasets.UploadSourceTable;
using ReleaseGateway.Requests.Policies;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Synthesis.Synthesizers;

namespace ReleaseGateway.Releases.Pipeline;

/// <summary>
/// Attacks the synthetic table with the same training/holdout split it was generated from and applies the dataset
/// policy's gates (failing closed); stores the JSON and HTML reports as artifacts. Deterministic for a release (the
/// split and the evaluation seed derive from the attempt's stored secret key), so a run interrupted by a crash is simply run again.
/// </summary>
public sealed class ReleaseEvaluation(SourceTableStore sources, ArtifactStore artifacts, SeedVault seeds, PipelineProgress progress, TimeProvider time)
{
    public const string ReportJsonName = "evaluation-report.json";
    public const string ReportHtmlName = "evaluation-report.html";

    public async Task<ReleaseEvaluated> RunAsync(ReleaseGenerationStarted started, SyntheticTableGenerated generated, DatasetDetails dataset,
        DatasetPolicy policy, CancellationToken ct)
    {
        var releaseId = started.ReleaseId;
        progress.Report(releaseId, "evaluate", 0.02, "reading the source table", time.GetUtcNow());
        var (train, holdout, schema) = await ReleaseGeneration.LoadSplitAsync(started, dataset.SchemaJson, sources, seeds, ct);
        EncodedTable synthetic;
        await using (var table = await artifacts.OpenVerifiedAsync(generated.Table.Sha256, ct))
            synthetic = CsvTableReader.Read(table, schema);

        var coding = new SchemaCoding(schema);
        // Shadow models retrain the release's own generator; the neural one is too slow to retrain tens of times, so
        // its releases are attacked without them (the other attacks and the empirical-ε bound still run).
        SyntheticGenerator? shadow = started.Generator switch
        {
            "aim" => MarginalSynthesizerGenerator.Create(coding, SynthesisMethod.Aim, started.Epsilon, started.Delta),
            "mst" => MarginalSynthesizerGenerator.Create(coding, SynthesisMethod.Mst, started.Epsilon, started.Delta),
            _ => null,
        };
        var evaluationPolicy = policy.Evaluation();
        var input = new EvaluationInput
        {
            Train = coding.ToEval(train),
            Holdout = coding.ToEval(holdout),
            Synthetic = coding.ToEval(synthetic),
            ClaimedEpsilon = started.Epsilon,
            Delta = started.Delta,
            Thresholds = evaluationPolicy.Thresholds,
            ShadowModel = evaluationPolicy.ShadowModel,
            Generator = shadow,
            Seed = ReleaseGeneration.EvaluationSeedOf(started, seeds),
        };
        var report = await Evaluator.RunAsync(input, ct, new Progress(p => progress.Report(releaseId, "evaluate",
            0.05 + 0.9 * p.Completed / Math.Max(1, p.Total), p.Stage, time.GetUtcNow())));

        var (jsonHash, jsonBytes) = await artifacts.PutAsync(Encoding.UTF8.GetBytes(ReportJson.Serialize(report)), ct);
        var (htmlHash, htmlBytes) = await artifacts.PutAsync(Encoding.UTF8.GetBytes(HtmlReport.Render(report)), ct);
        progress.Clear(releaseId);
        return new ReleaseEvaluated(releaseId, report.Passed,
            report.Gates.Select(g => new GateOutcome(g.Name, g.Status.ToString(), g.Value, g.Threshold, g.Comparison, g.Detail)).ToList(),
            report.Errors.Select(e => $"{e.Evaluator}: {e.Message}").ToList(),
            new ReleaseArtifact(ReportJsonName, jsonHash, jsonBytes, "application/json"),
            new ReleaseArtifact(ReportHtmlName, htmlHash, htmlBytes, "text/html"),
            report.DurationSeconds, time.GetUtcNow());
    }

    private sealed class Progress(Action<EvaluationProgress> report) : IProgress<EvaluationProgress>
    {
        public void Report(EvaluationProgress value) => report(value);
    }
}

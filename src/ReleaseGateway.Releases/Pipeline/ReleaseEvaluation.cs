using System.Text;
using ReleaseGateway.Evaluation;
using ReleaseGateway.Evaluation.Attacks;
using ReleaseGateway.Evaluation.Gates;
using ReleaseGateway.Evaluation.Reports;
using ReleaseGateway.Evaluation.Tables;
using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Releases.Artifacts;
using ReleaseGateway.Releases.Checks;
using ReleaseGateway.Releases.Generators;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Datasets.UploadSourceTable;
using ReleaseGateway.Requests.Policies;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Datasets.Schema;

namespace ReleaseGateway.Releases.Pipeline;

/// <summary>
/// Runs the DP release check that decides publication (<see cref="CopyTest"/>, ADR 0026), then attacks the synthetic table
/// with the same training/holdout split it was generated from and applies the dataset policy's other gates: those are not
/// DP, so they inform the committee inside the boundary and never decide publication. Stores the committee's JSON and HTML
/// reports as internal artifacts (never release files). The split, the evaluation seed and the check's noise derive from the
/// attempt's stored secret key, so a run interrupted by a crash is simply run again with the same outcome.
/// </summary>
public sealed class ReleaseEvaluation(SourceTableStore sources, ArtifactStore artifacts, SeedVault seeds, PipelineProgress progress, TimeProvider time,
    EvaluationSamples? samples = null)
{
    public const string ReportJsonName = "evaluation-report.json";
    public const string ReportHtmlName = "evaluation-report.html";

    /// <summary>The gate outcome that carries the DP copy test (the only one that decides publication).</summary>
    public const string DpCheckName = GateCatalog.DpCopyTestKey;

    /// <summary>Evaluates one attempt; <paramref name="bins"/> (its DP bin edges) encode the holdout with the same bins the generator saw (ADR 0037).</summary>
    public async Task<ReleaseEvaluated> RunAsync(ReleaseGenerationStarted started, SyntheticTableGenerated generated, ReleaseBinsPlaced? bins,
        DatasetDetails dataset, DatasetPolicy policy, CancellationToken ct)
    {
        var releaseId = started.ReleaseId;
        progress.Report(releaseId, ReleaseSteps.Evaluate, 0.02, "reading the source table", time.GetUtcNow());
        EncodedTable train, holdout;
        DatasetSchema schema;
        string? sampled = null;
        if (dataset.Source is not null)
        {
            // An engine-backed source: the sample drawn by the engine in the generation's snapshot (ADR 0038).
            schema = new DatasetSchema(ReleaseGeneration.AttemptSchema(started, dataset.SchemaJson).Columns.Where(c => c.Role != ColumnRole.PersonKey));
            var columns = schema.SynthesisColumns;
            (train, holdout) = (samples ?? throw new InvalidOperationException("Engine-backed sources are not configured in this process."))
                .Load(releaseId, columns.Select(c => c.Name).ToList(), columns.Select(c => c.DomainSize).ToList());
            sampled = $"evaluated on a secret-coin sample drawn by the engine ({dataset.Source.Kind}): {train.RowCount} training and {holdout.RowCount} holdout rows (policy evaluationSampleRows), not the whole table";
        }
        else
        {
            (train, holdout, schema) = await ReleaseGeneration.LoadSplitAsync(started, dataset.SchemaJson, sources, seeds, bins, ct);
        }
        EncodedTable synthetic;
        await using (var table = await artifacts.OpenVerifiedAsync(generated.Table.Sha256, ct))
            synthetic = CsvTableReader.Read(table, schema);

        var coding = new SchemaCoding(schema);
        // Shadow models retrain the release's own generator where the registry declares one (ADR 0034); an unknown name throws.
        var shadow = GeneratorRegistry.Default.Get(started.Generator).CreateShadowModel(coding, started.Epsilon, started.Delta);
        var evaluationPolicy = policy.Evaluation();
        // The generator's measured cliques and their noise, for the generator-aware membership attack (inside the boundary).
        var measured = (await StoredMeasurements.LoadAsync(artifacts, generated.Measurements, ct)).Marginals
            .Select(m => new MeasuredMarginal(m.Columns, m.Sigma)).ToList();
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
            MeasuredMarginals = measured,
            Seed = ReleaseGeneration.EvaluationSeedOf(started, seeds),
            // The attempt's schema keeps only its columns; the protected attributes among them come from the full schema.
            ProtectedAttributes = [.. DatasetSchema.Parse(dataset.SchemaJson).ProtectedAttributes.Where(n => schema.Find(n) is { IsDropped: false })],
        };
        // The DP release check at the recorded plan's ε_g and k, with the attempt's secret Gates stream (the same draw on a
        // resumed run). Attempts started before the plan existed have no ε_g: the old rule (every gate) decides them.
        var plan = started.BudgetPlan();
        CopyTestOutcome? check = null;
        if (plan.GateEpsilon > 0)
        {
            using var noise = seeds.Load(releaseId).Streams.Stream(RandomPurpose.Gates);
            check = CopyTest.Run(train, holdout, synthetic, started.HoldoutFraction, plan.MaxRowsPerPerson, plan.GateEpsilon,
                policy.ReleaseChecksCopyThreshold, noise);
        }
        var report = await Evaluator.RunAsync(input, ct, new Progress(p => progress.Report(releaseId, ReleaseSteps.Evaluate,
            0.05 + 0.9 * p.Completed / Math.Max(1, p.Total), p.Stage, time.GetUtcNow())));

        // The committee's report says when it was computed on the engine's sample rather than on the whole table.
        if (sampled is not null) report = report with { Gates = report.Gates.Select(g => g with { Detail = $"{g.Detail} [{sampled}]" }).ToList() };
        var (jsonHash, jsonBytes) = await artifacts.PutAsync(Encoding.UTF8.GetBytes(ReportJson.Serialize(report)), ct);
        var (htmlHash, htmlBytes) = await artifacts.PutAsync(Encoding.UTF8.GetBytes(HtmlReport.Render(report)), ct);
        progress.Clear(releaseId);
        var gates = report.Gates.Select(g => new GateOutcome(g.Name, g.Status, g.Value, g.Threshold, g.Comparison,
            check is null ? g.Detail : $"not DP, informs the committee: {g.Detail}", g.Estimate, g.Lower, g.Upper));
        if (check is not null)
            gates = gates.Prepend(new GateOutcome(DpCheckName, check.Passed ? GateStatus.Pass : GateStatus.Fail, check.Statistic, check.Threshold, GateCatalog.DpCopyTest.Symbol,
                FormattableString.Invariant($"decides publication: AboveThreshold at ε = {check.Epsilon:G3}, Δ = {check.Sensitivity}; exact training copies {check.TrainCopies}, holdout copies {check.HoldoutCopies} (inside only)")));
        if (sampled is not null && check is not null) gates = gates.Select(g => g.Name == DpCheckName ? g with { Detail = $"{g.Detail} [{sampled}]" } : g);
        return new ReleaseEvaluated(releaseId, check?.Passed ?? report.Passed, gates.ToList(),
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

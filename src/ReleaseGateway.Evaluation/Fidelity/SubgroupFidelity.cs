using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Evaluation.Tables;

namespace ReleaseGateway.Evaluation.Fidelity;

/// <summary>Fidelity and utility of one subgroup: the rows with one category of one protected attribute.</summary>
/// <param name="Attribute">Protected column.</param>
/// <param name="Category">Its category that defines the subgroup.</param>
/// <param name="TrainRows">Real training rows in the subgroup.</param>
/// <param name="HoldoutRows">Real holdout rows in the subgroup (TSTR is tested on them).</param>
/// <param name="SyntheticRows">Synthetic rows in the subgroup.</param>
/// <param name="Measured">False when the subgroup has fewer training or holdout rows than <see cref="SubgroupReport.MinimumRows"/>; its figures are then null.</param>
/// <param name="Tvd2">Mean 2-way TVD between the subgroup's real and synthetic rows (1 when the synthetic data has none).</param>
/// <param name="Tvd2Gap">Subgroup TVD minus the whole table's (positive: the subgroup is reproduced worse).</param>
/// <param name="TstrRatio">TSTR ratio tested on the subgroup's holdout rows.</param>
/// <param name="TstrGap">Whole-table TSTR ratio minus the subgroup's (positive: the subgroup is served worse).</param>
public sealed record SubgroupFidelity(
    string Attribute,
    string Category,
    int TrainRows,
    int HoldoutRows,
    int SyntheticRows,
    bool Measured,
    double? Tvd2,
    double? Tvd2Gap,
    double? TstrRatio,
    double? TstrGap);

/// <summary>Fidelity and TSTR per subgroup of the protected attributes, and the worst subgroup's gap to the whole table.</summary>
/// <param name="MinimumRows">Smallest number of training rows and of holdout rows a subgroup needs to be measured.</param>
/// <param name="WholeTvd2">Mean 2-way TVD of the whole table, computed the same way.</param>
/// <param name="WholeTstrRatio">TSTR ratio on the whole holdout (null when TSTR could not run).</param>
/// <param name="Groups">Every subgroup, measured or not, by attribute then category order.</param>
/// <param name="WorstTvd2Gap">Largest <see cref="SubgroupFidelity.Tvd2Gap"/> over measured subgroups (null when none was measured).</param>
/// <param name="WorstTvd2Group">"attribute = category" of that subgroup.</param>
/// <param name="WorstTstrGap">Largest <see cref="SubgroupFidelity.TstrGap"/> over measured subgroups.</param>
/// <param name="WorstTstrGroup">"attribute = category" of that subgroup.</param>
public sealed record SubgroupReport(
    int MinimumRows,
    double WholeTvd2,
    double? WholeTstrRatio,
    IReadOnlyList<SubgroupFidelity> Groups,
    double? WorstTvd2Gap,
    string? WorstTvd2Group,
    double? WorstTstrGap,
    string? WorstTstrGroup);

/// <summary>
/// Subgroup fidelity (docs/evaluation.md): for each category of each protected attribute declared in the schema, the
/// mean 2-way TVD between the subgroup's real training rows and the synthetic rows carrying that category, and the TSTR
/// ratio on the subgroup's holdout rows. A synthesizer can reproduce the whole table well and still erase the structure
/// of a small group; the worst gap shows it. Computed on real data: internal evidence, never released.
/// </summary>
public static class SubgroupAnalysis
{
    /// <summary>Default smallest subgroup measured (training and holdout rows each): a conventional floor below which a 2-way TVD and a balanced accuracy are mostly sampling noise.</summary>
    public const int DefaultMinimumRows = 30;

    /// <summary>Measures every subgroup of <paramref name="protectedColumns"/> (indices of categorical columns).</summary>
    public static SubgroupReport Compute(
        EvalTable train,
        EvalTable holdout,
        EvalTable synthetic,
        IReadOnlyList<int> evaluated,
        IReadOnlyList<int> protectedColumns,
        int? target,
        int minimumRows,
        int maxModelRows,
        IRandomSource random,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(holdout);
        ArgumentNullException.ThrowIfNull(synthetic);
        ArgumentNullException.ThrowIfNull(evaluated);
        ArgumentNullException.ThrowIfNull(protectedColumns);
        ArgumentNullException.ThrowIfNull(random);
        var coder = MarginalCoder.Fit(train, evaluated);
        var real = coder.Transform(train);
        var syn = coder.Transform(synthetic);
        var wholeTvd = MarginalDistance.Compute(real, syn, 2, 0).Mean;

        var groups = new List<(int Column, int Code, int[] Train, int[] Holdout, int[] Synthetic)>();
        foreach (var c in protectedColumns)
        {
            var column = train.Columns[c];
            if (column.Kind != ValueKind.Categorical)
            {
                throw new ArgumentException($"Protected column '{column.Name}' is not categorical.", nameof(protectedColumns));
            }

            for (var code = 0; code < column.Spec.LevelCount; code++)
            {
                groups.Add((c, code, Rows(train.Columns[c], code), Rows(holdout.Columns[c], code), Rows(synthetic.Columns[c], code)));
            }
        }

        var measured = groups.Select(g => g.Train.Length >= minimumRows && g.Holdout.Length >= minimumRows).ToArray();
        double? wholeTstr = null;
        double[]? tstr = null;
        if (target is int t && evaluated.Any(c => c != t))
        {
            var features = evaluated.Where(c => c != t).ToArray();
            var tested = groups.Where((_, i) => measured[i]).Select(g => g.Holdout).ToArray();
            (var whole, tstr) = ModelUtility.TstrByGroup(train, holdout, synthetic, t, features, tested, maxModelRows, random, cancellationToken);
            wholeTstr = whole;
        }

        var results = new List<SubgroupFidelity>();
        var next = 0;
        for (var i = 0; i < groups.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var g = groups[i];
            var attribute = train.Columns[g.Column].Name;
            var category = train.Columns[g.Column].Spec.Levels[g.Code];
            if (!measured[i])
            {
                results.Add(new SubgroupFidelity(attribute, category, g.Train.Length, g.Holdout.Length, g.Synthetic.Length, false, null, null, null, null));
                continue;
            }

            var tvd = MarginalDistance.Compute(Subset(real, g.Train), Subset(syn, g.Synthetic), 2, 0).Mean;
            double? ratio = tstr?[next++];
            results.Add(new SubgroupFidelity(attribute, category, g.Train.Length, g.Holdout.Length, g.Synthetic.Length, true,
                tvd, tvd - wholeTvd, ratio, ratio is { } r && wholeTstr is { } w ? w - r : null));
        }

        var worstTvd = results.Where(r => r.Measured).MaxBy(r => r.Tvd2Gap);
        var worstTstr = results.Where(r => r.TstrGap is not null).MaxBy(r => r.TstrGap);
        return new SubgroupReport(minimumRows, wholeTvd, wholeTstr, results,
            worstTvd?.Tvd2Gap, worstTvd is null ? null : $"{worstTvd.Attribute} = {worstTvd.Category}",
            worstTstr?.TstrGap, worstTstr is null ? null : $"{worstTstr.Attribute} = {worstTstr.Category}");
    }

    private static int[] Rows(EvalColumn column, int code) => [.. Enumerable.Range(0, column.Length).Where(r => column.Codes[r] == code)];

    private static CodedTable Subset(CodedTable table, int[] rows) =>
        new(table.Names, table.DomainSizes, [.. table.Codes.Select(col => rows.Select(r => col[r]).ToArray())], rows.Length);
}

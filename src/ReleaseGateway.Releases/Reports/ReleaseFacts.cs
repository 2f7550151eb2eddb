using System.Globalization;
using ReleaseGateway.Privacy.Accounting;

namespace ReleaseGateway.Releases.Reports;

/// <summary>
/// Public facts of a release: the request's terms, the dataset policy's settings and the charge, all fixed before the data
/// is read (or, for the ledger, charged DP quantities). Nothing here is a statistic of the real table.
/// </summary>
/// <remarks>
/// <c>Unit</c> is "person" when the schema has a person key (then at most <c>MaxRowsPerPerson</c> rows each), else "row";
/// <c>SynthesisRho</c> + <c>BinningRho</c> + <c>GateRho</c> = <c>TotalRho</c>, the ledger's charge; <c>GateEpsilon</c> is the
/// pure ε of the DP release check (ρ = ε²/2 in zCDP); <c>BinningRho</c> is the slice the DP quantiles placing the bin edges of
/// bounds-only columns spent (0 when there are none, ADR 0037).
/// </remarks>
public sealed record ReleaseFacts(
    Guid ReleaseId,
    string DatasetName,
    string Generator,
    string GeneratorVersion,
    double Epsilon,
    double Delta,
    string Unit,
    int MaxRowsPerPerson,
    double TotalRho,
    double SynthesisRho,
    double GateEpsilon,
    double GateRho,
    IReadOnlyList<string> Columns,
    int AccessDays,
    double BinningRho = 0)
{
    public const string PerPerson = "person";
    public const string PerRow = "row";

    /// <summary>The binning slice alone as ε at the release's δ (it composes with the rest in ρ, so the ε do not add up); 0 without one.</summary>
    public double BinningEpsilon => BinningRho > 0 ? ZcdpConversion.Epsilon(BinningRho, Delta) : 0;

    /// <summary>The privacy statement shipped in every release report, with its arithmetic (docs/privacy.md).</summary>
    public string PrivacyStatement()
    {
        var c = CultureInfo.InvariantCulture;
        var unit = Unit == PerPerson
            ? string.Format(c, "per person (all rows of one person, at most {0} kept per person; group privacy is accounted for)", MaxRowsPerPerson)
            : "per row (the schema declares no person key: a person with several rows is protected less)";
        var binning = BinningRho > 0
            ? string.Format(c, ", ρ = {0:G4} (on its own ε = {1:G3} at δ = {2:G3}) for the DP quantiles that placed the bin edges of the columns declared by their bounds only (the edges are in the data dictionary)",
                BinningRho, BinningEpsilon, Delta)
            : "";
        return string.Format(c,
            "Everything in this release (the synthetic table, this report, the manifest) is ({0:G4}, {1:G3})-differentially private {2}. " +
            "The charge is ρ = {3:G4} in zero-concentrated DP: ρ = {4:G4} for the {5} synthesizer{8} and ρ = {6:G4} (ε = {7:G4}, pure DP) for the " +
            "noisy release check that decided publication. The report is computed only from the synthetic table, the synthesizer's noisy " +
            "measurements and public configuration, which is post-processing. Not covered by this statement: the committee's human decisions " +
            "(approval, withholding, revocation), which may rest on evidence computed on the real data inside the gateway.",
            Epsilon, Delta, unit, TotalRho, SynthesisRho, Generator, GateRho, GateEpsilon, binning);
    }
}

using Microsoft.AspNetCore.Mvc.ViewFeatures;
using ReleaseGateway.EventStore;
using ReleaseGateway.Releases.Budget;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.AccessRequests.SubmitAccessRequest;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Datasets.GetDataset;
using ReleaseGateway.Requests.Policies;

namespace ReleaseGateway.Web.Pages.Requests;

/// <summary>
/// The request form's fields as typed. Numbers are nullable so an empty field reaches the module's validator,
/// whose messages (not a second set here) appear beside the fields.
/// </summary>
public sealed class TermsForm
{
    public string? Title { get; set; }
    public string? Purpose { get; set; }
    public string? Justification { get; set; }
    public string? IntendedUse { get; set; }
    public List<string> Columns { get; set; } = [];
    public double? Epsilon { get; set; }
    public int? Rows { get; set; }
    public string? Generator { get; set; }
    public int? AccessDays { get; set; }

    public AccessRequestTerms ToTerms() => new(Title ?? "", Purpose ?? "", Justification ?? "", IntendedUse ?? "", Columns,
        Epsilon ?? 0, Rows ?? 0, string.IsNullOrWhiteSpace(Generator) ? null : Generator, AccessDays ?? 0);

    public SubmitAccessRequestBody ToBody(Guid datasetId)
    {
        var t = ToTerms();
        return new SubmitAccessRequestBody(datasetId, t.Title, t.Purpose, t.Justification, t.IntendedUse, t.Columns, t.Epsilon, t.Rows, t.Generator, t.AccessDays);
    }

    /// <summary>ViewData key of the ε still available on the dataset, which the fields show beside ε.</summary>
    public const string RemainingEpsilonKey = "RemainingEpsilon";

    /// <summary>
    /// The dataset the terms are for, and the ε still available on it where the fields show it. Throws
    /// <see cref="ReleaseGateway.Requests.RequestRefusedException"/> when the caller may not see the dataset.
    /// </summary>
    public static async Task<DatasetView> DatasetAsync(IEventStore store, PolicyCatalog policies, BudgetLedgerViews ledgers, Guid datasetId,
        IReadOnlySet<string> roles, ViewDataDictionary viewData, CancellationToken ct)
    {
        var dataset = await DatasetQueries.GetAsync(store, policies, datasetId, roles, ct);
        viewData[RemainingEpsilonKey] = (await ledgers.GetAsync(dataset.Dataset, ct)).RemainingEpsilon;
        return dataset;
    }

    public static TermsForm From(AccessRequestTerms t) => new()
    {
        Title = t.Title, Purpose = t.Purpose, Justification = t.Justification, IntendedUse = t.IntendedUse, Columns = [.. t.Columns],
        Epsilon = t.Epsilon, Rows = t.Rows, Generator = t.Generator, AccessDays = t.AccessDays,
    };
}

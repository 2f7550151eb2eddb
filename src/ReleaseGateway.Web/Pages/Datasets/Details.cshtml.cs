using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using ReleaseGateway.EventStore;
using ReleaseGateway.Releases.Budget;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Policies;
using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.Web.Infrastructure;

namespace ReleaseGateway.Web.Pages.Datasets;

/// <summary>A dataset's description, schema and full policy (everyone may read these; never the data), and its budget ledger for those who may read it.</summary>
public sealed class DetailsModel(IEventStore store, PolicyCatalog policies, BudgetLedgerViews ledgers, UserDirectory directory, TimeProvider time)
    : GatewayPageModel
{
    [FromRoute]
    public Guid Id { get; set; }

    [BindProperty(SupportsGet = true)]
    public bool Uploaded { get; set; }

    public DatasetDetails Dataset { get; private set; } = null!;

    public DatasetSchema Schema { get; private set; } = null!;

    public DatasetPolicy Policy { get; private set; } = null!;

    /// <summary>The registering steward may upload the table once (the command checks this again).</summary>
    public bool MayUpload { get; private set; }

    public UserDirectory Names => directory;

    /// <summary>The dataset's events with their reasons (ADR 0057).</summary>
    public IReadOnlyList<ReleaseGateway.Requests.Datasets.Lifecycle.DatasetHistoryEntry> History { get; private set; } = [];

    /// <summary>The dataset's budget ledger, for those who may read it (stewards, committee members, compliance officers).</summary>
    public LedgerSection? Ledger { get; private set; }

    /// <summary>Whether the caller reads this dataset's ledger (a committee member only of their committees' datasets, ADR 0058).</summary>
    public bool SeesLedger { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (await store.LoadAsync<DatasetDetails>(Id, ct) is not { } dataset) return NotFound();
        Dataset = DatasetQueries.VisibleTo(dataset, Actor.Roles);
        Schema = DatasetSchema.Parse(dataset.SchemaJson);
        Policy = policies.Of(dataset);
        MayUpload = !dataset.SourceUploaded && dataset.RegisteredBy == Actor.Id;
        await directory.LoadAsync([dataset.RegisteredBy]);
        History = await ReleaseGateway.Requests.Datasets.Lifecycle.DatasetHistory.OfAsync(store, Id, Actor.Roles, ct);
        SeesLedger = BudgetLedgerView.MayRead(Actor, dataset, await ReleaseGateway.Requests.Committees.CommitteeRoster.LoadAsync(store, ct));
        AddActions(dataset);
        if (SeesLedger) Ledger = await LedgerSection.SummaryAsync(ledgers, dataset, time.GetUtcNow(), ct);
        return Page();
    }

    /// <summary>The next steps on this dataset for the caller's roles; each page still checks its own rule.</summary>
    public List<(string Title, string Path)> Actions { get; } = [];

    private void AddActions(DatasetDetails dataset)
    {
        var roles = Actor.Roles;
        if (roles.Contains(Identity.Authorization.Roles.Researcher) && dataset.SourceUploaded && !dataset.IsRetired)
            Actions.Add(("Request a synthetic release", $"/ui/requests/new?dataset={dataset.Id}"));
        if (roles.Contains(Identity.Authorization.Roles.DataSteward))
        {
            Actions.Add(("Requests to screen", "/ui/screening"));
            Actions.Add(("Register a dataset with this schema", $"/ui/datasets/register?from={dataset.Id}"));
        }
        if (roles.Contains(Identity.Authorization.Roles.DataSteward) && dataset.RegisteredBy == Actor.Id)
            Actions.Add(("Versions, policy and retirement", $"/ui/datasets/{dataset.Id}/lifecycle"));
        if (SeesLedger)
            Actions.Add(("Budget ledger", $"/ui/budget/{dataset.Id}"));
        Actions.Add(("Data-use agreement", $"/ui/datasets/{dataset.Id}/agreement"));
        if (roles.Contains(Identity.Authorization.Roles.ComplianceOfficer) || roles.Contains(Identity.Authorization.Roles.Administrator))
            Actions.Add(("Audit trail of this dataset", $"/ui/audit?dataset={dataset.Id}"));
    }

    public static string Domain(ColumnSchema c) => c.Type switch
    {
        ColumnType.Categorical => string.Join(", ", c.Categories ?? []),
        ColumnType.Integer or ColumnType.Continuous => $"{N(c.Min)} to {N(c.Max)}{(c.Bins is { } b ? $", {b} bins" : c.BinEdges is { } e ? $", {e.Count - 1} bins" : c.NeedsDpBins ? $", up to {c.DpBinCount} bins placed by DP quantiles in each release" : "")}",
        ColumnType.Date => $"{c.MinDate:yyyy-MM-dd} to {c.MaxDate:yyyy-MM-dd}{(c.Granularity is { } g ? $", per {g.ToString().ToLowerInvariant()}" : "")}",
        _ => "",
    } + (c.AllowsMissing ? " (may be missing)" : "");

    private static string N(double? value) => value?.ToString("0.###", CultureInfo.InvariantCulture) ?? "?";
}

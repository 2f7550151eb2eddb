using ReleaseGateway.Requests.Committees;
using Microsoft.AspNetCore.Mvc;
using ReleaseGateway.EventStore;
using ReleaseGateway.Releases.Budget;
using ReleaseGateway.Releases.Jobs;
using ReleaseGateway.Releases.Pipeline;
using ReleaseGateway.Requests;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.AccessRequests.CastVote;
using ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails;
using ReleaseGateway.Requests.AccessRequests.ListMyRequests;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Policies;
using ReleaseGateway.Requests.Workflows;
using ReleaseGateway.EventStore.Audit;
using ReleaseGateway.Problems;
using ReleaseGateway.Requests.Audit;
using ReleaseGateway.Web.Infrastructure;

namespace ReleaseGateway.Web.Pages.Requests;

/// <summary>
/// One request for everyone who may see it (the API's rule): its terms against the dataset's remaining budget, where
/// the release pipeline is (job, attempts, live progress; the page refreshes itself while the gateway works), the
/// latest evaluation (gates for everyone, the full report for those who may read it), the timeline, and the actions
/// the workflow permits the caller now. Each action runs the module's command; a refusal re-renders the page with the reason.
/// </summary>
public sealed partial class DetailsModel(
    IEventStore store, WorkflowCatalog workflows, PolicyCatalog policies, BudgetLedgerViews ledgers, UserDirectory directory, IReleaseJobs jobs,
    PipelineProgress progress, AccessRequestCommands commands)
    : GatewayPageModel
{
    // The page's actions (Details.Actions.cs) run the module's commands, the ones its API endpoints run.
    private AccessRequestCommands Commands => commands;

    [FromRoute]
    public Guid Id { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Done { get; set; }

    public AccessRequestDetails Details { get; private set; } = null!;

    public DatasetDetails? Dataset { get; private set; }

    public WorkflowState State { get; private set; } = null!;

    public IReadOnlySet<string> Permitted { get; private set; } = new HashSet<string>();

    public bool SeesCommittee { get; private set; }

    public bool IsRequester { get; private set; }

    public IReadOnlyList<AccessRequestSummary> Earlier { get; private set; } = [];

    public UserDirectory Names => directory;

    public DatasetPolicy? Policy { get; private set; }

    /// <summary>The dataset's budget ledger: ε still available for a new release, at the cap's δ.</summary>
    public BudgetLedgerView? Ledger { get; private set; }

    public bool SeesLedger { get; private set; }

    public JobStatus? Job { get; private set; }

    public IReadOnlyList<(ReleaseDetails Release, AttemptProgress Progress)> Attempts { get; private set; } = [];

    /// <summary>The latest attempt that was evaluated, whose gates (and report) the page shows.</summary>
    public ReleaseDetails? Evaluated { get; private set; }

    public bool MayReadReport { get; private set; }

    /// <summary>The gateway acts next (or is acting): the page refreshes itself.</summary>
    public bool PipelineBusy { get; private set; }

    /// <summary>Blocked: approving means approving a regeneration, with parameters.</summary>
    public bool IsBlocked { get; private set; }

    /// <summary>The parameters a regeneration vote starts from: those already proposed in this round, else the request's.</summary>
    public AccessRequestTerms RegenerationBasis => Details.ProposedTerms ?? Details.Terms;

    /// <summary>The attempt that was published (and may be revoked), if any.</summary>
    public ReleaseDetails? Published => Attempts.Select(a => a.Release).LastOrDefault(r => r.Status == ReleaseStatus.Published);

    /// <summary>Whether the caller may do something this page offers (the workflow may permit steps it does not, such as the gateway's own).</summary>
    public bool HasActions => Offered.Any(t => Permitted.Contains(t) && (t != WorkflowTriggers.Revoke || Published is not null));

    private static readonly string[] Offered =
    [
        WorkflowTriggers.Resubmit, WorkflowTriggers.AcceptForReview, WorkflowTriggers.DeclareConflict, WorkflowTriggers.Withdraw,
        WorkflowTriggers.Approve, WorkflowTriggers.Reject, WorkflowTriggers.RequestChanges, WorkflowTriggers.SignOff,
        WorkflowTriggers.RefuseSignOff, WorkflowTriggers.Revoke,
    ];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct) ? Page() : NotFound();

    /// <summary>
    /// The voting round's reason each member gave, from the timeline (newest vote per member), without the decision the
    /// vote column already shows ("approve: ..." reads "...", a regeneration keeps its parameters).
    /// </summary>
    public string? ReasonOf(string memberId)
    {
        var entry = Details.Timeline.LastOrDefault(e => e.Event == nameof(CommitteeVoteCast) && e.By == memberId)?.Detail;
        if (entry is null || !Details.CurrentVotes.TryGetValue(memberId, out var decision) || !entry.StartsWith(decision, StringComparison.Ordinal)) return entry;
        var rest = entry[decision.Length..];
        return rest.StartsWith(": ", StringComparison.Ordinal) ? rest[2..] : rest.TrimStart();
    }

    /// <summary>
    /// The request's history: its events, and the commands refused on it (an approval the budget could not fit, a vote
    /// refused by separation of duties) where they were recorded. Staff see every refusal with who and why; the requester
    /// sees only approvals refused for lack of budget, labelled "committee" like the rest of their timeline.
    /// </summary>
    public IReadOnlyList<(TimelineEntry Entry, CommandRefused? Refusal)> History { get; private set; } = [];

    private async Task LoadHistoryAsync(Actor actor, CancellationToken ct)
    {
        var refusals = await Refusals.OfStreamAsync(store, Id, Details.SubmittedAt, ct);
        var rows = Details.Timeline.Select(e => (e, (CommandRefused?)null)).ToList();
        foreach (var (refusal, role) in refusals)
        {
            if (!SeesCommittee && refusal.Code != ErrorCodes.BudgetExhausted) continue;
            var by = SeesCommittee ? refusal.RefusedBy : refusal.RefusedBy == Details.RequesterId ? refusal.RefusedBy : "committee";
            rows.Add((new TimelineEntry(0, nameof(CommandRefused), by, refusal.RefusedAt, "", refusal.Reason, null, role), refusal));
        }
        History = rows.OrderBy(r => r.Item1.At).ToList();
        await directory.LoadAsync(refusals.Select(r => r.Refusal.RefusedBy), ct);
    }

    /// <summary>The committee's size, for the quorum in words (recusals lower a majority's threshold).</summary>
    public int CommitteeSeats { get; private set; }

    /// <summary>The ε an approval would reserve now: the regeneration's on a blocked request, else the request's.</summary>
    public double EpsilonToApprove => IsBlocked ? RegenerationBasis.Epsilon : Details.Terms.Epsilon;

    /// <summary>
    /// An approval now would be refused for lack of budget (RG3001): the ledger says so before anyone votes, so the page
    /// offers no approval then, and says what would fit.
    /// </summary>
    public bool BudgetRefusesApproval => Ledger is { } ledger && EpsilonToApprove > ledger.RemainingEpsilon * (1 + 1e-9);

    /// <summary>Approve is offered when it can succeed; a blocked request's regeneration sets its own ε in the form.</summary>
    public bool OffersApprove => Permitted.Contains(WorkflowTriggers.Approve) && (IsBlocked || !BudgetRefusesApproval);

    /// <summary>The largest ε the dataset's ledger still fits, rounded down to what a form takes (3 decimals), or null when nothing fits.</summary>
    public double? EpsilonThatFits => Ledger is { } ledger && Math.Floor(ledger.RemainingEpsilon * 1000) / 1000 is var fits && fits > 0 ? fits : null;

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        var actor = Actor;
        try
        {
            Details = await AccessRequestQueries.DetailsForAsync(store, actor, Id, ct);
        }
        catch (RequestRefusedException)
        {
            return false;
        }
        var definition = workflows.Get(Details.Workflow);
        State = definition.State(Details.State);
        CommitteeSeats = definition.CommitteeSeats;
        Permitted = new AccessRequestWorkflow(definition, Details.ToRequest(), (await CommitteeRoster.LoadAsync(store, ct)).For(Details.CommitteeId))
            .PermittedTriggers(actor).ToHashSet(StringComparer.Ordinal);
        SeesCommittee = AccessRequestQueries.SeesCommittee(actor);
        IsRequester = Details.RequesterId == actor.Id;
        Dataset = await store.LoadAsync<DatasetDetails>(Details.DatasetId, ct);
        Earlier = await AccessRequestQueries.EarlierRequestsOfRequesterAsync(store, actor, Details, ct);
        await directory.LoadAsync([Details.RequesterId, .. Details.Timeline.Select(e => e.By), .. Details.CurrentVotes.Keys, .. Details.Recused]);
        await LoadPipelineAsync(actor, definition, ct);
        await LoadHistoryAsync(actor, ct);
        return true;
    }

    private async Task LoadPipelineAsync(Actor actor, WorkflowDefinition definition, CancellationToken ct)
    {
        if (Dataset is not null)
        {
            Policy = policies.OfRequest(Details.Policy, Dataset);
            Ledger = await ledgers.GetAsync(Dataset, ct);
        }
        SeesLedger = Dataset is not null && BudgetLedgerView.MayRead(actor, Dataset, await CommitteeRoster.LoadAsync(store, ct));
        var request = Details.ToRequest();
        IsBlocked = CastVoteDecider.IsBlocked(request, definition);
        Job = await jobs.GetStatusAsync(AdvanceReleaseJob.KeyFor(Id), ct);
        if (!ReleaseBoundary.IsInside(actor.Roles) && Job is not null) Job = Job with { ProgressMessage = null };
        var attempts = (await ReleaseQueries.OfRequestAsync(store, Id, ct)).Select(r => ReleaseBoundary.View(r, actor.Roles)).ToList();
        Attempts = attempts.Select(r => (r, AttemptProgress.Of(r, progress.Get(r.Id), actor.Roles))).ToList();
        Evaluated = attempts.LastOrDefault(r => r.Passed is not null);
        MayReadReport = Evaluated is not null && ReleaseLifecycle.MayReadEvaluation(actor.Roles, await ReleaseLifecycle.IsSeatedAsync(store, actor, Evaluated, ct));
        PipelineBusy = Job is not null || ReleasePipeline.NextStep(request, definition) is not null;
        if (PipelineBusy) ViewData["RefreshSeconds"] = 3;
        if (Vote.Decision is null && IsBlocked)
        {
            var basis = RegenerationBasis;
            (Vote.Epsilon, Vote.Rows, Vote.Generator) = (basis.Epsilon, basis.Rows, basis.Generator);
        }
    }
}

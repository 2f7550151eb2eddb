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
using ReleaseGateway.Requests.AccessRequests.SubmitAccessRequest;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Policies;
using ReleaseGateway.Requests.Workflows;
using ReleaseGateway.Web.Infrastructure;

namespace ReleaseGateway.Web.Pages.Requests;

public sealed class ReasonForm
{
    public string? Reason { get; set; }
}

public sealed class DecisionForm
{
    public string? Decision { get; set; }
    public string? Reason { get; set; }
}

/// <summary>A vote; on a blocked request an approval also carries the regeneration's parameters.</summary>
public sealed class VoteForm
{
    public string? Decision { get; set; }
    public string? Reason { get; set; }
    public double? Epsilon { get; set; }
    public int? Rows { get; set; }
    public string? Generator { get; set; }
}

/// <summary>The page's actions: each runs the module's command for the caller and redirects with a confirmation, or shows why not.</summary>
public sealed partial class DetailsModel
{
    private static readonly Dictionary<string, string> Confirmations = new(StringComparer.Ordinal)
    {
        ["submitted"] = "Your request was submitted.",
        ["resubmitted"] = "Your revised request was submitted.",
        ["withdrawn"] = "The request was withdrawn.",
        ["accepted"] = "The request was accepted for committee review.",
        ["changes"] = "The request was sent back to its researcher with your reasons.",
        ["conflict"] = "Your conflict of interest is recorded: you are recused from this request.",
        ["voted"] = "Your vote is recorded.",
        ["signed-off"] = "Your sign-off decision is recorded.",
    };

    [BindProperty]
    public ReasonForm Changes { get; set; } = new();

    [BindProperty]
    public VoteForm Vote { get; set; } = new();

    [BindProperty]
    public DecisionForm SignOff { get; set; } = new();

    public string? Confirmation => Done is { } done && Confirmations.TryGetValue(done, out var text) ? text : null;

    public Task<IActionResult> OnPostWithdrawAsync(CancellationToken ct) =>
        ActAsync(() => Commands.WithdrawAsync(Caller, Id, ct), "withdrawn", "", ct);

    public Task<IActionResult> OnPostAcceptAsync(CancellationToken ct) =>
        ActAsync(() => Commands.AcceptForReviewAsync(Caller, Id, ct), "accepted", "", ct);

    public Task<IActionResult> OnPostChangesAsync(CancellationToken ct) =>
        ActAsync(() => Commands.RequestChangesAsync(Caller, Id, Changes.Reason ?? "", ct), "changes", nameof(Changes), ct);

    public Task<IActionResult> OnPostConflictAsync(CancellationToken ct) =>
        ActAsync(() => Commands.DeclareConflictAsync(Caller, Id, ct), "conflict", "", ct);

    public async Task<IActionResult> OnPostVoteAsync(CancellationToken ct)
    {
        // Parameters count only for approving a blocked request (a regeneration); the command decides whether that is what this is.
        var regenerate = Vote.Decision == WorkflowTriggers.Approve && (Vote.Epsilon is not null || Vote.Rows is not null || !string.IsNullOrEmpty(Vote.Generator))
            ? new RegenerationParameters(Vote.Epsilon, Vote.Rows, string.IsNullOrEmpty(Vote.Generator) ? null : Vote.Generator)
            : null;
        return await ActAsync(() => Commands.CastVoteAsync(Caller, Id, Vote.Decision ?? "", Vote.Reason ?? "", regenerate, ct),
            "voted", nameof(Vote), ct);
    }

    /// <summary>The ε that would fit, as the page offered it ("Withdraw and ask again").</summary>
    [BindProperty]
    public double? Fit { get; set; }

    /// <summary>
    /// A request the budget cannot fit, asked again in one step: this one withdrawn, the same terms submitted with the ε
    /// the page offered (the commands decide both; a double click makes one new request: the key is this request's).
    /// </summary>
    public async Task<IActionResult> OnPostAskAgainAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFound();
        if (Fit is not { } epsilon || !IsRequester) return await RedisplayAsync(() => LoadAsync(ct));
        var t = Details.Terms;
        SubmittedAccessRequest? submitted = null;
        var done = await TryAsync(() => Commands.WithdrawAsync(Caller, Id, ct), "")
            && await TryAsync(async () => submitted = await Commands.SubmitAsync(Caller,
                new SubmitAccessRequestBody(Details.DatasetId, t.Title, t.Purpose, t.Justification, t.IntendedUse, t.Columns, epsilon, t.Rows, t.Generator,
                    t.AccessDays), $"ask-again-{Id:N}", ct), "");
        return done ? Redirect($"/ui/requests/{submitted!.Details.Id}?done=submitted") : await RedisplayAsync(() => LoadAsync(ct));
    }

    public Task<IActionResult> OnPostSignOffAsync(CancellationToken ct) =>
        ActAsync(() => Commands.SignOffAsync(Caller, Id, SignOff.Decision == WorkflowTriggers.SignOff, SignOff.Reason, ct),
            "signed-off", nameof(SignOff), ct);

    private async Task<IActionResult> ActAsync(Func<Task> command, string done, string fieldPrefix, CancellationToken ct)
    {
        if (await TryAsync(command, fieldPrefix)) return Redirect($"/ui/requests/{Id}?done={done}");
        return await RedisplayAsync(() => LoadAsync(ct));
    }
}

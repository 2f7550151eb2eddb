using ReleaseGateway.Requests.Committees;
using FluentValidation;
using ReleaseGateway.Requests.Validation;
using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Requests.AccessRequests.CastVote;

/// <param name="Decision"><c>approve</c> or <c>reject</c>.</param>
/// <param name="RegenerationTerms">On approving a blocked request: the request's terms with the new generation parameters (already checked against the dataset's policy).</param>
public sealed record CastVote(Guid RequestId, string Decision, string Reason, Actor Actor, DateTimeOffset Now, AccessRequestTerms? RegenerationTerms = null);

public sealed class CastVoteValidator : AbstractValidator<CastVote>
{
    public CastVoteValidator()
    {
        RuleFor(c => c.Decision).Must(WorkflowTriggers.Votes.Contains).WithMessage("Decision must be 'approve' or 'reject'.");
        RuleFor(c => c.Reason).NotEmpty().WithMessage("Give a reason for the vote; it is recorded with it.")
            .MaximumLength(4000).WithMessage("The reason may be at most 4000 characters.").IsPlainText(multiLine: true);
    }
}

public static class CastVoteDecider
{
    /// <summary>
    /// Records the vote and, when it reaches the quorum, the decision. The quorum is counted on the state
    /// the vote was decided against; the append's expected version makes a racing vote decide again.
    /// </summary>
    public static IReadOnlyList<object> Handle(AccessRequest request, CastVote command, WorkflowDefinition definition, RequestCommittee? committee = null)
    {
        new CastVoteValidator().ValidateAndThrow(command);
        var approve = command.Decision == WorkflowTriggers.Approve;
        var step = new AccessRequestWorkflow(definition, request, committee).Vote(command.Actor, approve);
        if (command.RegenerationTerms is { } terms)
        {
            if (!approve || !IsBlocked(request, definition))
                throw new RequestRefusedException(RequestErrors.RegenerationNotApplicable(request.State));
            // Every approving vote of the round approves the same parameters, so no member decides terms the others did not see.
            if (request.ProposedTerms is { } proposed && !SameGeneration(proposed, terms))
                throw new RequestRefusedException(RequestErrors.RegenerationTermsDiffer(proposed, request.State));
        }
        else if (approve && request.ProposedTerms is { } proposed)
        {
            throw new RequestRefusedException(RequestErrors.RegenerationTermsDiffer(proposed, request.State));
        }

        var vote = new CommitteeVoteCast(request.Id, command.Decision, command.Reason, command.Actor.Id, command.Now, command.RegenerationTerms);
        if (!step.Moved) return [vote];
        var sameSide = request.Votes.Where(v => v.Value == command.Decision).Select(v => v.Key).Append(command.Actor.Id).ToList();
        object decision = approve
            ? new AccessRequestApproved(request.Id, step.To, sameSide, command.Actor.Id, command.Now, command.RegenerationTerms)
            : new AccessRequestRejected(request.Id, step.To, sameSide, command.Actor.Id, command.Now);
        return [vote, decision];
    }

    /// <summary>The state the workflow's <c>block</c> trigger leads to: where the committee decides on a regeneration.</summary>
    public static bool IsBlocked(AccessRequest request, WorkflowDefinition definition) =>
        definition.Transitions.Any(t => t.Trigger == WorkflowTriggers.Block && t.To == request.State);

    private static bool SameGeneration(AccessRequestTerms a, AccessRequestTerms b) =>
        a.Epsilon.Equals(b.Epsilon) && a.Rows == b.Rows && a.Generator == b.Generator;
}

using FluentValidation;
using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Requests.AccessRequests.CastVote;

/// <param name="Decision"><c>approve</c> or <c>reject</c>.</param>
public sealed record CastVote(Guid RequestId, string Decision, string Reason, Actor Actor, DateTimeOffset Now);

public sealed class CastVoteValidator : AbstractValidator<CastVote>
{
    public CastVoteValidator()
    {
        RuleFor(c => c.Decision).Must(WorkflowTriggers.Votes.Contains).WithMessage("Decision must be 'approve' or 'reject'.");
        RuleFor(c => c.Reason).NotEmpty().MaximumLength(4000);
    }
}

public static class CastVoteDecider
{
    /// <summary>
    /// Records the vote and, when it reaches the quorum, the decision. The quorum is counted on the state
    /// the vote was decided against; the append's expected version makes a racing vote decide again.
    /// </summary>
    public static IReadOnlyList<object> Handle(AccessRequest request, CastVote command, WorkflowDefinition definition)
    {
        new CastVoteValidator().ValidateAndThrow(command);
        var approve = command.Decision == WorkflowTriggers.Approve;
        var step = new AccessRequestWorkflow(definition, request).Vote(command.Actor, approve);
        var vote = new CommitteeVoteCast(request.Id, command.Decision, command.Reason, command.Actor.Id, command.Now);
        if (!step.Moved) return [vote];
        var sameSide = request.Votes.Where(v => v.Value == command.Decision).Select(v => v.Key).Append(command.Actor.Id).ToList();
        object decision = approve
            ? new AccessRequestApproved(request.Id, step.To, sameSide, command.Actor.Id, command.Now)
            : new AccessRequestRejected(request.Id, step.To, sameSide, command.Actor.Id, command.Now);
        return [vote, decision];
    }
}

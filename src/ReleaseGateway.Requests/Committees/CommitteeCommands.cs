using System.Security.Cryptography;
using System.Text;
using FluentValidation;
using ReleaseGateway.EventStore;
using ReleaseGateway.Requests.Audit;
using ReleaseGateway.Requests.Validation;
using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Requests.Committees;

/// <param name="Approvals">The committee's own quorum: approvals that approve (with <paramref name="Rejections"/>); null keeps the workflow's.</param>
/// <param name="Majority">The committee's own quorum is a majority of its members (not with <paramref name="Approvals"/>).</param>
/// <param name="Recusal">One of <see cref="RecusalRules.All"/>; null is <see cref="RecusalRules.ReducesSeats"/>.</param>
public sealed record FormCommittee(string Name, string Description, int? Approvals, int? Rejections, bool Majority, string? Recusal);

public sealed class FormCommitteeValidator : AbstractValidator<FormCommittee>
{
    public FormCommitteeValidator()
    {
        const string name = "Name must be 1-63 lower-case letters, digits or dashes, starting with a letter or digit.";
        RuleFor(c => c.Name).Cascade(CascadeMode.Stop).NotEmpty().WithMessage(name).Matches("^[a-z0-9][a-z0-9-]{0,62}$").WithMessage(name)
            .NotEqual(RequestCommittee.DefaultName).WithMessage($"'{RequestCommittee.DefaultName}' names the committee of every CommitteeMember; choose another name.");
        RuleFor(c => c.Description).NotEmpty().WithMessage("Describe the committee: whom it serves and which datasets it decides on.")
            .MaximumLength(2000).WithMessage("The description may be at most 2000 characters.").IsPlainText(multiLine: true);
        RuleFor(c => c.Approvals).InclusiveBetween(1, 50).When(c => c.Approvals is not null)
            .WithMessage("Approvals must be a whole number from 1 to 50.");
        RuleFor(c => c.Rejections).InclusiveBetween(1, 50).When(c => c.Rejections is not null)
            .WithMessage("Rejections must be a whole number from 1 to 50.");
        RuleFor(c => c.Rejections).Null().When(c => c.Approvals is null)
            .WithMessage("Give approvals with rejections (or neither, to keep the workflow's quorum).");
        RuleFor(c => c.Majority).Equal(false).When(c => c.Approvals is not null)
            .WithMessage("A quorum is either a majority or a number of approvals, not both.");
        RuleFor(c => c.Recusal).Must(r => r is null || RecusalRules.All.Contains(r))
            .WithMessage($"Recusal must be one of {string.Join(", ", RecusalRules.All)}.");
    }
}

/// <param name="MemberId">The user's id (as shown by <c>rgw users list</c>).</param>
public sealed record ChangeCommitteeMember(Guid CommitteeId, string MemberId, bool Chair);

public sealed class ChangeCommitteeMemberValidator : AbstractValidator<ChangeCommitteeMember>
{
    public ChangeCommitteeMemberValidator() =>
        RuleFor(c => c.MemberId).Must(id => Guid.TryParse(id, out var g) && g != Guid.Empty).WithMessage("Name the member by their user id (a GUID).");
}

/// <summary>
/// Forming committees and changing their members (ADR 0047), for the HTTP endpoints, pages and the CLI alike. An administrator
/// forms a committee; an administrator or one of its chairs changes its members; nobody changes their own seat. Every change
/// is an event on the committee's stream; refusals throw with nothing appended and are recorded beside the stream.
/// </summary>
public sealed class CommitteeCommands(IEventStore store, WorkflowCatalog workflows, TimeProvider time, Refusals refusals)
{
    public async Task<CommitteeDetails> FormAsync(CommandContext caller, FormCommittee command, CancellationToken ct)
    {
        if (!caller.Actor.IsIn(WorkflowRoles.Administrator))
            throw new RequestRefusedException(RequestErrors.MissingRole("form a committee", WorkflowRoles.Administrator, "new"));
        new FormCommitteeValidator().ValidateAndThrow(command);
        var quorum = command.Majority ? new QuorumRule(0, 0, true)
            : command.Approvals is { } a ? new QuorumRule(a, command.Rejections ?? 1, false) : null;
        var formed = new CommitteeFormed(Guid.CreateVersion7(), command.Name, command.Description, quorum, command.Recusal ?? RecusalRules.ReducesSeats,
            caller.Actor.Id, time.GetUtcNow());
        try
        {
            await using var session = store.OpenSession(caller.Metadata(WorkflowRoles.Administrator));
            session.StartStream(NameStreamId(formed.Name), new CommitteeNameClaimed(formed.Name, formed.CommitteeId, formed.FormedBy, formed.FormedAt));
            session.StartStream(formed.CommitteeId, formed);
            await session.SaveChangesAsync(ct);
        }
        catch (StreamVersionConflictException)
        {
            throw new RequestRefusedException(RequestErrors.CommitteeNameTaken(formed.Name));
        }
        return (await store.LoadAsync<CommitteeDetails>(formed.CommitteeId, ct))!;
    }

    /// <summary>Adds a member, or changes whether a member chairs (adding a sitting member with the other <c>Chair</c>).</summary>
    public Task<CommitteeDetails> AddMemberAsync(CommandContext caller, ChangeCommitteeMember command, CancellationToken ct) =>
        refusals.RecordedAsync(caller, command.CommitteeId, "add-committee-member", async () =>
        {
            var (committee, role) = await ManagedAsync(caller, command, ct);
            if (committee.Members.Any(m => m.Id == command.MemberId && m.Chair == command.Chair))
                throw new RequestRefusedException(RequestErrors.AlreadyMember(committee.Name));
            return await AppendAsync(caller, role, committee,
                new CommitteeMemberAdded(committee.Id, command.MemberId, command.Chair, caller.Actor.Id, time.GetUtcNow()), ct);
        });

    /// <summary>Removes a member; refused when the committee could then no longer reach its quorum.</summary>
    public Task<CommitteeDetails> RemoveMemberAsync(CommandContext caller, ChangeCommitteeMember command, CancellationToken ct) =>
        refusals.RecordedAsync(caller, command.CommitteeId, "remove-committee-member", async () =>
        {
            var (committee, role) = await ManagedAsync(caller, command, ct);
            if (!committee.HasMember(command.MemberId)) throw new RequestRefusedException(RequestErrors.NotMember(committee.Name));
            var before = RequestCommittee.Of(committee);
            var after = RequestCommittee.Of(committee with { Members = committee.Members.Where(m => m.Id != command.MemberId).ToList() });
            if (workflows.All.Values.FirstOrDefault(w => before.CanReachQuorum(w) && !after.CanReachQuorum(w)) is { } lost)
                throw new RequestRefusedException(RequestErrors.QuorumWouldBeUnreachable(committee.Name,
                    lost.States.Where(s => s.Quorum is not null).Max(s => before.Thresholds(s.Quorum!, lost.CommitteeSeats, 0).Approvals)));
            return await AppendAsync(caller, role, committee,
                new CommitteeMemberRemoved(committee.Id, command.MemberId, caller.Actor.Id, time.GetUtcNow()), ct);
        });

    /// <summary>The committee by id or name, for the endpoints that take either; refused as not found otherwise.</summary>
    public static async Task<CommitteeDetails> FindAsync(IEventStore store, string idOrName, CancellationToken ct)
    {
        if (Guid.TryParse(idOrName, out var id))
            return await store.LoadAsync<CommitteeDetails>(id, ct) ?? throw new RequestRefusedException(RequestErrors.CommitteeNotFound(idOrName));
        return (await store.QueryAsync<CommitteeDetails>(ct)).FirstOrDefault(c => c.Name == idOrName)
            ?? throw new RequestRefusedException(RequestErrors.CommitteeNotFound(idOrName));
    }

    private async Task<(CommitteeDetails Committee, string Role)> ManagedAsync(CommandContext caller, ChangeCommitteeMember command, CancellationToken ct)
    {
        var committee = await store.LoadAsync<CommitteeDetails>(command.CommitteeId, ct)
            ?? throw new RequestRefusedException(RequestErrors.CommitteeNotFound(command.CommitteeId.ToString()));
        var actor = caller.Actor;
        var role = actor.IsIn(WorkflowRoles.Administrator) ? WorkflowRoles.Administrator
            : committee.HasChair(actor.Id) && actor.IsIn(WorkflowRoles.CommitteeMember) ? WorkflowRoles.CommitteeMember
            : throw new RequestRefusedException(RequestErrors.NotCommitteeManager(committee.Name));
        new ChangeCommitteeMemberValidator().ValidateAndThrow(command);
        if (string.Equals(command.MemberId, actor.Id, StringComparison.OrdinalIgnoreCase))
            throw new RequestRefusedException(RequestErrors.OwnMembership(committee.Name));
        return (committee, role);
    }

    private async Task<CommitteeDetails> AppendAsync(CommandContext caller, string role, CommitteeDetails committee, object change, CancellationToken ct)
    {
        try
        {
            await using var session = store.OpenSession(caller.Metadata(role));
            session.Append(committee.Id, committee.Version, change);
            await session.SaveChangesAsync(ct);
        }
        catch (StreamVersionConflictException e)
        {
            throw new RequestRefusedException(RequestErrors.StaleVersion(e.ExpectedVersion, e.ActualVersion, null));
        }
        return (await store.LoadAsync<CommitteeDetails>(committee.Id, ct))!;
    }

    private static Guid NameStreamId(string name) => new(SHA256.HashData(Encoding.UTF8.GetBytes("committee-name\n" + name)).AsSpan(0, 16));
}

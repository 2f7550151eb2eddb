using ReleaseGateway.Problems;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.AccessRequests.CastVote;
using ReleaseGateway.Requests.AccessRequests.DeclareConflict;
using ReleaseGateway.Requests.AccessRequests.ResubmitAccessRequest;
using ReleaseGateway.Requests.AccessRequests.SubmitAccessRequest;
using ReleaseGateway.Requests.Committees;
using ReleaseGateway.Requests.Workflows;
using static ReleaseGateway.Requests.Tests.Fixtures;

namespace ReleaseGateway.Requests.Tests.Committees;

/// <summary>A committee's members, quorum and recusal rule, as the workflow applies them to the requests it decides (ADR 0047).</summary>
public sealed class CommitteeRulesTests
{
    private static readonly Guid CommitteeId = Guid.Parse("0193a0a0-0000-7000-8000-0000000000c1");

    private static CommitteeDetails Committee(QuorumRule? quorum = null, string recusal = RecusalRules.ReducesSeats, params Actor[] members) =>
        new(CommitteeId, "oncology", "Oncology DAC", quorum, recusal, members.Select(m => new CommitteeMember(m.Id, false, Now)).ToList(), "admin", Now, 1);

    private static AccessRequest InReviewOf(Guid? committee, params object[] more) =>
        Given([Submitted() with { CommitteeId = committee }, new AccessRequestAcceptedForReview(RequestId, "CommitteeReview", Steward.Id, Now), .. more]);

    private static IReadOnlyList<object> Vote(AccessRequest r, Actor member, RequestCommittee committee, string decision = "approve") =>
        CastVoteDecider.Handle(r, new CastVote(r.Id, decision, "fine", member, Now), DefinitionOf(r), committee);

    private static CommitteeVoteCast Voted(Actor member) => new(RequestId, "approve", "fine", member.Id, Now);

    [Fact]
    public void Given_NamedCommittee_When_AMemberOfNoCommitteeVotes_Then_RefusedForTheRole()
    {
        var committee = RequestCommittee.Of(Committee(null, RecusalRules.ReducesSeats, MemberA, MemberB));
        var error = Refusal(() => Vote(InReviewOf(CommitteeId), MemberC, committee));
        Assert.Equal(ErrorCodes.RoleRequired, error.Code);
    }

    [Fact]
    public void Given_NamedCommittee_When_ItsTwoMembersApprove_Then_Approved()
    {
        var committee = RequestCommittee.Of(Committee(null, RecusalRules.ReducesSeats, MemberA, MemberB));
        var events = Vote(InReviewOf(CommitteeId, Voted(MemberA)), MemberB, committee);
        Assert.Equal("Approved", Assert.IsType<AccessRequestApproved>(events[1]).State);
    }

    [Fact]
    public void Given_CommitteeWithOwnQuorumOfOne_When_OneMemberApproves_Then_Approved()
    {
        var committee = RequestCommittee.Of(Committee(new QuorumRule(1, 1, false), RecusalRules.ReducesSeats, MemberA, MemberB));
        Assert.IsType<AccessRequestApproved>(Vote(InReviewOf(CommitteeId), MemberA, committee)[1]);
    }

    [Fact]
    public void Given_MajorityOfThree_When_OneRecusedAndReducesSeats_Then_TwoOfTwoNeededAndOneIsNotEnough()
    {
        // Majority over the 2 not recused is 2; keeping seats it is 2 of 3 too, but a rejection then needs 2 (3 - 2 + 1).
        var reduces = RequestCommittee.Of(Committee(new QuorumRule(0, 0, true), RecusalRules.ReducesSeats, MemberA, MemberB, MemberC));
        var keeps = RequestCommittee.Of(Committee(new QuorumRule(0, 0, true), RecusalRules.KeepsSeats, MemberA, MemberB, MemberC));
        var majority = new QuorumRule(0, 0, true);
        Assert.Equal((2, 1), reduces.Thresholds(majority, 3, recused: 1));
        Assert.Equal((2, 2), keeps.Thresholds(majority, 3, recused: 1));
    }

    [Fact]
    public void Given_KeepsSeats_When_OneOfThreeRecusedAndOneRejects_Then_TheRequestStaysInReview()
    {
        var committee = RequestCommittee.Of(Committee(new QuorumRule(0, 0, true), RecusalRules.KeepsSeats, MemberA, MemberB, MemberC));
        var recused = new ConflictOfInterestDeclared(RequestId, MemberC.Id, Now);
        var request = InReviewOf(CommitteeId, recused);
        var events = CastVoteDecider.Handle(request, new CastVote(request.Id, "reject", "no", MemberA, Now), DefinitionOf(request), committee);
        Assert.Single(events);
    }

    [Fact]
    public void Given_RequestOfANamedCommittee_When_TheWorkflowIsAskedWithoutIt_Then_ItFailsLoudly()
    {
        var request = InReviewOf(CommitteeId);
        Assert.Throws<InvalidOperationException>(() => new AccessRequestWorkflow(DefinitionOf(request), request).CanVote(MemberA));
    }

    [Fact]
    public void Given_DefaultCommittee_When_AnyRoleHolderVotes_Then_ItCountsAsBefore()
    {
        var events = Vote(InReviewOf(null, Voted(MemberA)), MemberB, RequestCommittee.Default);
        Assert.IsType<AccessRequestApproved>(events[1]);
    }

    [Fact]
    public void Given_CommitteeOfOneAndTheWorkflowsTwoApprovals_When_Submitted_Then_RefusedAsUnableToDecide()
    {
        var committee = RequestCommittee.Of(Committee(null, RecusalRules.ReducesSeats, MemberA));
        var dataset = Dataset() with { CommitteeId = CommitteeId };
        var error = Refusal(() => SubmitAccessRequestDecider.Handle(new SubmitAccessRequest(RequestId, dataset.Id, Terms(), Researcher, Now), dataset,
            ShippedPolicies.For(dataset.Name), Standard, null, committee));
        Assert.Equal(ErrorCodes.CommitteeCannotDecide, error.Code);
    }

    [Fact]
    public void Given_CommitteeOfTwo_When_Submitted_Then_TheRequestNamesIt()
    {
        var committee = RequestCommittee.Of(Committee(null, RecusalRules.ReducesSeats, MemberA, MemberB));
        var dataset = Dataset() with { CommitteeId = CommitteeId };
        var submitted = SubmitAccessRequestDecider.Handle(new SubmitAccessRequest(RequestId, dataset.Id, Terms(), Researcher, Now), dataset,
            ShippedPolicies.For(dataset.Name), Standard, null, committee);
        Assert.Equal(CommitteeId, submitted.CommitteeId);
    }

    [Fact]
    public void Given_Roster_When_AMemberOfNoCommitteeAsks_Then_TheySeeOnlyDefaultCommitteeRequests()
    {
        var roster = new CommitteeRoster(new Dictionary<Guid, CommitteeDetails> { [CommitteeId] = Committee(null, RecusalRules.ReducesSeats, MemberA, MemberB) });
        Assert.True(roster.MaySeeAsStaff(MemberA, CommitteeId));
        Assert.False(roster.MaySeeAsStaff(MemberC, CommitteeId));
        Assert.True(roster.MaySeeAsStaff(MemberC, null));
        Assert.True(roster.MaySeeAsStaff(Steward, CommitteeId));
        Assert.True(roster.MaySeeAsStaff(Officer, CommitteeId));
        Assert.False(roster.MaySeeAsStaff(Researcher, CommitteeId));
    }

    [Theory]
    [InlineData("", "desc", null, null, false, null, "Name")]
    [InlineData("default", "desc", null, null, false, null, "Name")]
    [InlineData("onc", "", null, null, false, null, "Description")]
    [InlineData("onc", "desc", 0, null, false, null, "Approvals")]
    [InlineData("onc", "desc", null, 1, false, null, "Rejections")]
    [InlineData("onc", "desc", 2, null, true, null, "Majority")]
    [InlineData("onc", "desc", null, null, false, "sometimes", "Recusal")]
    public void Given_InvalidCommittee_When_Validated_Then_TheFieldIsNamed(string name, string description, int? approvals, int? rejections, bool majority,
        string? recusal, string field)
    {
        var result = new FormCommitteeValidator().Validate(new FormCommittee(name, description, approvals, rejections, majority, recusal));
        Assert.Contains(result.Errors, e => e.PropertyName == field);
    }

    [Fact]
    public void Given_ARequestOfANamedCommittee_When_ItsRequesterWhoAlsoSitsOnACommitteeResubmits_Then_BackInScreening()
    {
        var committee = RequestCommittee.Of(Committee(null, RecusalRules.ReducesSeats, MemberA, MemberB));
        var r = Given([Submitted() with { CommitteeId = CommitteeId }, new AccessRequestChangesRequested(RequestId, "ChangesRequested", "x", Steward.Id, Now)]);
        var e = ResubmitAccessRequestDecider.Handle(r, new ResubmitAccessRequest(r.Id, Terms(), ResearcherOnCommittee, Now),
            DefinitionOf(r), Dataset(), ShippedPolicies.For("demo"), committee: committee);
        Assert.Equal("Screening", e.State);
    }
}

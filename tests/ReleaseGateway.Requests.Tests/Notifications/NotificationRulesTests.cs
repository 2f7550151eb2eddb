using ReleaseGateway.EventStore;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.Committees;
using ReleaseGateway.Requests.Notifications;
using ReleaseGateway.Requests.Workflows;
using static ReleaseGateway.Requests.Tests.Fixtures;

namespace ReleaseGateway.Requests.Tests.Notifications;

/// <summary>Which events notify whom, and that the requester's texts carry no figure from the real data (ADR 0049).</summary>
public sealed class NotificationRulesTests
{
    private static readonly RequestCommittee Oncology =
        new(Guid.Parse("0193a0a0-0000-7000-8000-0000000000c1"), "oncology", new HashSet<string> { MemberA.Id, MemberB.Id }, null, RecusalRules.ReducesSeats);

    private static readonly NotificationSubject Subject = new(RequestId, "Cohort study", Researcher.Id, [Steward.Id], Oncology);

    private static IReadOnlyList<string> NoRoleHolders(string role) => throw new InvalidOperationException("a named committee needs no role lookup");

    private static StoredEvent At(long position, object data, Actor actor) =>
        new(position, RequestId, position, data.GetType().Name, 1, "{}", new EventMetadata(actor.Id, actor.Roles.First(), "c"), Now, "", "", data);

    private static IReadOnlyList<NotificationItem> Derive(object data, Actor actor, long position = 7) =>
        NotificationRules.Derive(At(position, data, actor), Subject, NoRoleHolders);

    [Fact]
    public void Given_ASubmission_When_Derived_Then_TheDatasetsStewardsAreTold()
    {
        var items = Derive(Submitted(), Researcher);
        Assert.Equal([Steward.Id], items.Select(i => i.RecipientId));
        Assert.Equal($"/ui/requests/{RequestId}", items[0].Link);
        Assert.Equal("7:" + Steward.Id, items[0].Key);
    }

    [Fact]
    public void Given_AcceptedForReview_When_Derived_Then_OnlyTheMembersOfTheRequestsCommitteeAreTold()
    {
        var items = Derive(new AccessRequestAcceptedForReview(RequestId, "CommitteeReview", Steward.Id, Now), Steward);
        Assert.Equal(new[] { MemberA.Id, MemberB.Id }.Order(StringComparer.Ordinal), items.Select(i => i.RecipientId));
    }

    [Fact]
    public void Given_TheDefaultCommittee_When_AcceptedForReview_Then_EveryRoleHolderButTheRequesterIsTold()
    {
        var subject = Subject with { Committee = RequestCommittee.Default };
        var items = NotificationRules.Derive(At(3, new AccessRequestAcceptedForReview(RequestId, "CommitteeReview", Steward.Id, Now), Steward), subject,
            role => role == WorkflowRoles.CommitteeMember ? [MemberC.Id, Researcher.Id] : []);
        Assert.Equal([MemberC.Id], items.Select(i => i.RecipientId));
    }

    [Fact]
    public void Given_ABlockedRelease_When_Derived_Then_TheRequestersTextCarriesNoReasonOrFigure()
    {
        var reason = "gate membership-advantage 0.0731 > 0.05 on 1234 rows";
        var items = Derive(new AccessRequestAdvanced(RequestId, "gate-failed", "Evaluating", "Blocked", reason, Pipeline.Id, Now), Pipeline);
        Assert.Contains(items, i => i.RecipientId == Researcher.Id);
        Assert.Contains(items, i => i.RecipientId == MemberA.Id);
        Assert.All(items, i =>
        {
            Assert.DoesNotContain("0.07", i.Body + i.Subject);
            Assert.DoesNotContain(i.Body + i.Subject, c => char.IsDigit(c));
        });
    }

    [Theory]
    [InlineData("Released")]
    [InlineData("Revoked")]
    [InlineData("Expired")]
    public void Given_APipelineStateTheRequesterCaresAbout_When_Derived_Then_OnlyTheRequesterIsTold(string state)
    {
        var items = Derive(new AccessRequestAdvanced(RequestId, "t", "ReadyForRelease", state, "epsilon 1.0 spent, 5000 rows", Pipeline.Id, Now), Pipeline);
        var item = Assert.Single(items);
        Assert.Equal(Researcher.Id, item.RecipientId);
        Assert.DoesNotContain(item.Body + item.Subject, c => char.IsDigit(c));
    }

    [Fact]
    public void Given_ARejection_When_Derived_Then_TheRequesterIsToldWithoutTheReasonOrWhoDecided()
    {
        var item = Assert.Single(Derive(new AccessRequestRejected(RequestId, "Rejected", [MemberA.Id], MemberA.Id, Now), MemberA));
        Assert.Equal(Researcher.Id, item.RecipientId);
        Assert.DoesNotContain(MemberA.Id, item.Body + item.Subject);
    }

    [Fact]
    public void Given_AVote_When_Derived_Then_NobodyIsTold() =>
        Assert.Empty(Derive(new CommitteeVoteCast(RequestId, "approve", "fine", MemberA.Id, Now), MemberA));

    [Fact]
    public void Given_TheActorIsARecipient_When_Derived_Then_TheyAreNotToldOfTheirOwnStep()
    {
        var subject = Subject with { Stewards = [Steward.Id, Officer.Id] };
        var items = NotificationRules.Derive(At(2, Submitted(), Officer), subject, NoRoleHolders);
        Assert.Equal([Steward.Id], items.Select(i => i.RecipientId));
    }

    [Fact]
    public void Given_ADaysItems_When_Digested_Then_OneMessagePerRecipientAndDayInLogOrder()
    {
        var day2 = Now.AddDays(1);
        NotificationItem Item(long p, string who, DateTimeOffset at) => new(p, RequestId, who, $"s{p}", "b", "/ui/requests/x", at);
        var messages = NotificationDigest.Daily([Item(5, MemberA.Id, Now), Item(2, MemberA.Id, Now), Item(3, MemberB.Id, Now), Item(9, MemberA.Id, day2)]);
        Assert.Equal(3, messages.Count);
        Assert.Equal(["2:" + MemberA.Id, "5:" + MemberA.Id], messages[0].Keys);
        Assert.True(messages[0].Body.IndexOf("s2", StringComparison.Ordinal) < messages[0].Body.IndexOf("s5", StringComparison.Ordinal));
        Assert.Equal(MemberB.Id, messages[1].RecipientId);
        Assert.Equal(["9:" + MemberA.Id], messages[2].Keys);
    }
}

using ReleaseGateway.Requests.AccessRequests;
using static ReleaseGateway.Requests.Tests.Fixtures;

namespace ReleaseGateway.Requests.Tests.AccessRequests;

/// <summary>Given events / when command / then events, one partial file per command.</summary>
public sealed partial class AccessRequestTests
{
    private static readonly AccessRequestAcceptedForReview Accepted = new(RequestId, "CommitteeReview", Steward.Id, Now);

    private static CommitteeVoteCast Voted(Actor member, string decision = "approve") => new(RequestId, decision, "fine", member.Id, Now);

    private static AccessRequest InReview(string workflow = "standard") => Given(Submitted(workflow: workflow), Accepted);
}

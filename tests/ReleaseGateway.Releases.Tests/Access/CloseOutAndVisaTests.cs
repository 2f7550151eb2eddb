using ReleaseGateway.Problems;
using ReleaseGateway.Releases.Access;
using ReleaseGateway.Releases.Pipeline;

namespace ReleaseGateway.Releases.Tests.Access;

public sealed class CloseOutAndVisaTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 8, 9, 0, 0, TimeSpan.Zero);

    private static ReleaseDetails Published(DateTimeOffset expires) => new(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), "ds", "researcher", 1, "aim", 1, 1e-6, 10,
        ["a"], [], ReleaseStatus.Published, ReleaseSteps.Publish, 100, "published", null, true, [], [], null, [], Now.AddDays(-2), Now.AddDays(-1), expires, null, [], 5);

    [Fact]
    public void Given_APublishedRelease_When_ItIsClosedOut_Then_ItIsNoLongerAvailableAndItsAccessEnded()
    {
        var open = Published(Now.AddDays(10));
        Assert.True(open.IsAvailable(Now));
        Assert.False(open.AccessEnded(Now));
        var closed = open with { ClosedOutAt = Now, CloseOutNote = "done" };
        Assert.False(closed.IsAvailable(Now));
        Assert.True(closed.AccessEnded(Now));
    }

    [Fact]
    public void Given_APublishedReleasePastItsExpiry_When_TheSweepHasNotRun_Then_ItsAccessEndedAnyway() =>
        Assert.True(Published(Now.AddSeconds(-1)).AccessEnded(Now));

    [Fact]
    public void Given_AReleaseStillGenerating_When_Asked_Then_ItsAccessHasNotEnded() =>
        Assert.False((Published(Now.AddDays(1)) with { Status = ReleaseStatus.Generating }).AccessEnded(Now));

    [Theory]
    [InlineData("too short")]
    [InlineData("a note with a bell \u0007 in it, long enough")]
    public void Given_AnInvalidNote_When_ClosingOut_Then_ValidationFails(string note) =>
        Assert.False(new CloseOutReleaseValidator().Validate(new CloseOutRelease(Guid.NewGuid(), note)).IsValid);

    [Fact]
    public void Given_ANoteOfSeveralLines_When_ClosingOut_Then_ItIsValid() =>
        Assert.True(new CloseOutReleaseValidator().Validate(new CloseOutRelease(Guid.NewGuid(), "Model fitted.\nCopies deleted on 8 December.")).IsValid);

    [Fact]
    public void Given_TheRefusalsOfCloseOutAndVisas_When_LookedUpInTheErrorTable_Then_EachHasARowWithTheSameStatus()
    {
        foreach (var error in new[]
                 {
                     CloseOutErrors.NotRequester(), CloseOutErrors.NotOpen(Guid.NewGuid(), "x"), CloseOutErrors.Due("ds", [Guid.NewGuid()]),
                     VisaErrors.NotIssuable(Guid.NewGuid(), "x"), VisaErrors.NotRequester(),
                 })
            Assert.Equal(ErrorCodes.Get(error.Code).Status, error.Status);
    }

    [Fact]
    public void Given_AClosedOutEvent_When_TheNotificationRulesReadIt_Then_ItTellsTheCommitteeWithoutTheNote()
    {
        Requests.Notifications.IRequestNotice notice = new ReleaseClosedOut(Guid.NewGuid(), Guid.NewGuid(), "private progress report", "researcher", Now);
        Assert.True(notice.ToCommittee);
        Assert.DoesNotContain("private", notice.Body + notice.Headline);
    }
}

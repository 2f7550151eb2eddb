using ReleaseGateway.Identity.Users;

namespace ReleaseGateway.Identity.Tests;

/// <summary>Reset links (ADR 0053): only a hash is stored; a link matches its own code, before its expiry, and nothing else.</summary>
public sealed class ResetLinkTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 8, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Given_AStoredLink_When_ItsCodeComesBeforeExpiry_Then_ItMatches()
    {
        var (code, stored) = ResetLinkTokens.Create(Now.AddHours(24));

        Assert.True(ResetLinkTokens.Matches(stored, code, Now.AddHours(23)));
        Assert.DoesNotContain(code, stored);
    }

    [Fact]
    public void Given_AStoredLink_When_ItHasExpired_Then_ItDoesNotMatch()
    {
        var (code, stored) = ResetLinkTokens.Create(Now.AddHours(24));

        Assert.False(ResetLinkTokens.Matches(stored, code, Now.AddHours(24)));
    }

    [Fact]
    public void Given_AStoredLink_When_AnotherCodeOrNothingIsStored_Then_ItDoesNotMatch()
    {
        var (code, stored) = ResetLinkTokens.Create(Now.AddHours(24));
        var (other, _) = ResetLinkTokens.Create(Now.AddHours(24));

        Assert.False(ResetLinkTokens.Matches(stored, other, Now));
        Assert.False(ResetLinkTokens.Matches(null, code, Now));
        Assert.False(ResetLinkTokens.Matches("garbage", code, Now));
    }

    [Fact]
    public void Given_AUserAndACode_When_TheLinkIsMade_Then_ItOpensTheGatewaysResetPage()
    {
        var user = Guid.CreateVersion7();

        var link = ResetLinkTokens.Link(new Uri("https://gateway.example/"), user, "abc_-123");

        Assert.Equal($"https://gateway.example/account/reset?user={user:N}&code=abc_-123", link.ToString());
    }

    [Theory]
    [InlineData("123456", true)]
    [InlineData("123 456", true)]
    [InlineData("12345", false)]
    [InlineData("abcdef", false)]
    [InlineData("", false)]
    public void Given_ATypedCode_When_ValidatingTheEnrolment_Then_OnlySixDigitsPass(string code, bool valid) =>
        Assert.Equal(valid, new ConfirmSecondFactorValidator().Validate(new ConfirmSecondFactor(code)).IsValid);

    [Fact]
    public void Given_AShortPassword_When_RedeemingALink_Then_TheValidatorSaysWhy()
    {
        var result = new RedeemResetLinkValidator().Validate(new RedeemResetLink(Guid.CreateVersion7(), "code", "short"));

        Assert.Contains(result.Errors, e => e.ErrorMessage.Contains("12 characters", StringComparison.Ordinal));
    }
}

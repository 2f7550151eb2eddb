using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Identity.SignIn;

namespace ReleaseGateway.Identity.Tests;

public sealed class SignInPageTests
{
    [Theory]
    [InlineData("/connect/authorize?x=1", "/connect/authorize?x=1")]
    [InlineData("/", "/")]
    [InlineData("//evil.example/x", "/")]
    [InlineData("/\\evil.example", "/")]
    [InlineData("https://evil.example/", "/")]
    [InlineData("/\t/evil.example", "/")]
    [InlineData("/\n/evil.example", "/")]
    [InlineData("", "/")]
    [InlineData(null, "/")]
    public void Given_ReturnUrl_When_Checked_Then_ItStaysOnThisSite(string? url, string expected) => Assert.Equal(expected, Html.LocalUrl(url));

    [Fact]
    public void Given_Markup_When_Encoded_Then_ItIsNeutralized() => Assert.DoesNotContain("<", Html.Encode("<script>alert(1)</script>"));

    [Theory]
    [InlineData("researcher", Roles.Researcher)]
    [InlineData("COMPLIANCEOFFICER", Roles.ComplianceOfficer)]
    [InlineData("Superuser", null)]
    public void Given_RoleName_When_Normalized_Then_KnownRolesMatchInAnyCaseAndOthersAreNull(string input, string? expected) => Assert.Equal(expected, Roles.Normalize(input));
}

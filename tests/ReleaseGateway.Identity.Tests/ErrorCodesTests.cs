using ReleaseGateway.Problems;

namespace ReleaseGateway.Identity.Tests;

public sealed class ErrorCodesTests
{
    [Fact]
    public void Given_TheErrorTable_When_Listed_Then_EveryCodeIsUniqueAndShapedRGFourDigits()
    {
        Assert.Equal(ErrorCodes.All.Count, ErrorCodes.All.Select(e => e.Code).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(ErrorCodes.All, e => Assert.Matches("^RG[0-3][0-9]{3}$", e.Code));
    }

    [Fact]
    public void Given_EveryCodeConstant_When_LookedUp_Then_ItHasARow()
    {
        var constants = typeof(ErrorCodes).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!);
        Assert.All(constants, c => Assert.NotNull(ErrorCodes.Find(c)));
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(405)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(400)]
    public void Given_HttpStatus_When_MappedToACode_Then_ItsRowHasThatStatus(int status) =>
        Assert.Equal(status, ErrorCodes.Get(ErrorCodes.ForStatus(status)).Status);

    [Fact]
    public void Given_Code_When_AProblemIsDescribed_Then_ItsTypePointsAtTheExplanationPage()
    {
        var problem = GatewayProblems.Describe(ErrorCodes.AccountLocked, "detail");
        Assert.Equal("/errors/RG1003", problem.Type);
        Assert.Equal(403, problem.Status);
        Assert.Equal("RG1003", problem.Extensions[GatewayProblems.CodeMember]);
    }
}

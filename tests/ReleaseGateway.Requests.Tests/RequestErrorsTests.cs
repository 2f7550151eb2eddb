using System.Reflection;
using ReleaseGateway.Problems;

namespace ReleaseGateway.Requests.Tests;

public sealed class RequestErrorsTests
{
    public static TheoryData<string> Factories() =>
        new(typeof(RequestErrors).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.ReturnType == typeof(RequestError))
            // SeparationOfDuties carries the rule's own code (RG101x) through unchanged; From is what the others call.
            .Where(m => m.Name is not (nameof(RequestErrors.SeparationOfDuties) or nameof(RequestErrors.From)))
            .Select(m => m.Name));

    [Theory]
    [MemberData(nameof(Factories))]
    public void Given_ARefusalTheModuleRaises_When_LookedUpInTheErrorTable_Then_ItHasARowWithTheSameStatus(string factory)
    {
        var method = typeof(RequestErrors).GetMethod(factory)!;
        var args = method.GetParameters().Select(p => p.ParameterType == typeof(string) ? "x"
            : p.ParameterType == typeof(ReleaseGateway.Requests.AccessRequests.AccessRequestTerms) ? new ReleaseGateway.Requests.AccessRequests.AccessRequestTerms("t", "p", "j", "u", ["c"], 1, 10, null, 30)
            : Activator.CreateInstance(p.ParameterType)).ToArray();
        var error = (RequestError)method.Invoke(null, args)!;
        var row = ErrorCodes.Find(error.Code);
        Assert.NotNull(row);
        Assert.Equal(row.Status, error.Status);
    }

    [Fact]
    public void Given_ValidationCodes_When_LookedUp_Then_BothHaveRows()
    {
        Assert.NotNull(ErrorCodes.Find(RequestErrors.ValidationFailed));
        Assert.NotNull(ErrorCodes.Find(RequestErrors.UploadRejected));
    }
}

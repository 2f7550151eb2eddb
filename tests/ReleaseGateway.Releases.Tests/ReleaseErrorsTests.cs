using System.Reflection;
using ReleaseGateway.Problems;
using ReleaseGateway.Requests;

namespace ReleaseGateway.Releases.Tests;

public sealed class ReleaseErrorsTests
{
    public static TheoryData<string> Factories() =>
        new(typeof(ReleaseErrors).GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.ReturnType == typeof(RequestError)).Select(m => m.Name));

    [Theory]
    [MemberData(nameof(Factories))]
    public void Given_ARefusalTheModuleRaises_When_LookedUpInTheErrorTable_Then_ItHasARowWithTheSameStatus(string factory)
    {
        var method = typeof(ReleaseErrors).GetMethod(factory)!;
        var args = method.GetParameters().Select(p => p.ParameterType == typeof(string) ? "x"
            : p.ParameterType == typeof(IEnumerable<string>) ? new[] { "a" }
            : Activator.CreateInstance(p.ParameterType)).ToArray();
        var error = (RequestError)method.Invoke(null, args)!;
        var row = ErrorCodes.Find(error.Code);
        Assert.NotNull(row);
        Assert.Equal(row.Status, error.Status);
    }
}

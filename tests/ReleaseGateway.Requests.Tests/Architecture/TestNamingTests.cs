using System.Text.RegularExpressions;
using ReleaseGateway.Testing;

namespace ReleaseGateway.Requests.Tests.Architecture;

/// <summary>
/// One naming style for every test project: a test says its behaviour as <c>Given_…_When_…_Then_…</c>, a regression as
/// <c>Bug_…</c>. Read from the sources of all test projects (so the slow ones count too), a test named otherwise fails here.
/// </summary>
public sealed partial class TestNamingTests
{
    private static readonly string Tests = Path.Combine(RepositoryPaths.Root, "tests");

    /// <summary>Each xUnit test method of the test sources: its project, file and name.</summary>
    private static IReadOnlyList<(string Project, string File, string Name)> TestMethods(out int attributes)
    {
        var found = new List<(string, string, string)>();
        attributes = 0;
        foreach (var file in Directory.EnumerateFiles(Tests, "*.cs", SearchOption.AllDirectories)
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                         && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            var project = Path.GetRelativePath(Tests, file).Split(Path.DirectorySeparatorChar)[0];
            var text = File.ReadAllText(file);
            attributes += BareTestAttribute().Count(text);
            found.AddRange(TestAttribute().Matches(text).Select(m => (project, Path.GetFileName(file), m.Groups["name"].Value)));
        }
        return found;
    }

    public static bool IsBehaviourName(string name) => BehaviourName().IsMatch(name);

    [Theory]
    [InlineData("Given_AnApprovedRequest_When_Withdrawn_Then_ItsReservationIsGivenBack", true)]
    [InlineData("Given_100000Events_When_Paged_Then_401", true)]
    [InlineData("Bug_AnotherResearchersRequest_Answers404", true)]
    [InlineData("GivenApprovedRequest_WhenWithdrawn_ThenReservationIsGivenBack", false)]
    [InlineData("ApprovedRequest_WithdrawnBeforeGeneration_GivesItsReservationBack", false)]
    [InlineData("Given_ApprovedRequest_Then_ItsReservationIsGivenBack", false)]
    [InlineData("Given__When_Withdrawn_Then_Refused", false)]
    [InlineData("Given_Request_When_Withdrawn_Then_", false)]
    [InlineData("Split_is_reproducible_disjoint_and_complete", false)]
    public void Given_AMethodName_When_CheckedAgainstTheStyle_Then_OnlyGivenWhenThenOrBugPasses(string name, bool passes) =>
        Assert.Equal(passes, IsBehaviourName(name));

    [Fact]
    public void Given_EveryTestProject_When_ItsTestMethodsAreRead_Then_EachIsNamedGivenWhenThenOrBug()
    {
        var methods = TestMethods(out var attributes);
        // The scan must see the suite, or an empty list would pass: every test project holds tests, and every attribute found its method.
        Assert.Equal(attributes, methods.Count);
        var projects = Directory.GetDirectories(Tests, "ReleaseGateway.*.Tests").Append(Path.Combine(Tests, "ReleaseGateway.IntegrationTests"))
            .Append(Path.Combine(Tests, "ReleaseGateway.BrowserTests")).Select(Path.GetFileName).ToList();
        Assert.All(projects, p => Assert.Contains(methods, m => m.Project == p));
        Assert.Contains(methods, m => m.Name == nameof(Given_EveryTestProject_When_ItsTestMethodsAreRead_Then_EachIsNamedGivenWhenThenOrBug));

        Assert.Empty(methods.Where(m => !IsBehaviourName(m.Name)).Select(m => $"{m.Project}/{m.File}: {m.Name}"));
    }

    [GeneratedRegex(@"^(Given_[A-Za-z0-9]\w*_When_[A-Za-z0-9]\w*_Then_[A-Za-z0-9]\w*|Bug_[A-Za-z0-9]\w*)$")]
    private static partial Regex BehaviourName();

    /// <summary>A <c>[Fact]</c> or <c>[Theory]</c> at the start of a line, then the next public method (xUnit runs only public ones).</summary>
    [GeneratedRegex(@"^[ \t]*\[\s*(?:Xunit\.)?(?:Fact|Theory)(?:Attribute)?\s*(?:\([^\n]*\))?\s*[\],][\s\S]*?^[ \t]*public\s+(?:[\w<>\[\],.?]+\s+)+(?<name>\w+)\s*[(<]", RegexOptions.Multiline)]
    private static partial Regex TestAttribute();

    [GeneratedRegex(@"^[ \t]*\[\s*(?:Xunit\.)?(?:Fact|Theory)(?:Attribute)?\s*(?:\([^\n]*\))?\s*[\],]", RegexOptions.Multiline)]
    private static partial Regex BareTestAttribute();
}

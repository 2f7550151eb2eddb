using System.Text.RegularExpressions;
using System.Xml.Linq;
using ReleaseGateway.Testing;

namespace ReleaseGateway.Requests.Tests.Architecture;

/// <summary>
/// The project graph follows the data flow request → workflow → synthesis → evaluation → release (ADR 0032). Read from
/// the csproj files and the sources themselves, so a reference added back fails here before anyone reviews it.
/// </summary>
public sealed partial class ProjectGraphTests
{
    private static readonly string Src = Path.Combine(RepositoryPaths.Root, "src");

    private static IReadOnlyList<string> Projects() =>
        Directory.GetDirectories(Src, "ReleaseGateway.*").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();

    private static IReadOnlyList<string> DirectReferences(string project) =>
        XDocument.Load(Path.Combine(Src, project, project + ".csproj")).Descendants("ProjectReference")
            .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value)).ToList();

    private static IReadOnlySet<string> Closure(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var next = new Stack<string>(DirectReferences(project));
        while (next.TryPop(out var p))
            if (seen.Add(p))
                foreach (var r in DirectReferences(p)) next.Push(r);
        return seen;
    }

    [Theory]
    [InlineData("ReleaseGateway.Requests")]
    [InlineData("ReleaseGateway.Datasets")]
    [InlineData("ReleaseGateway.Identity")]
    [InlineData("ReleaseGateway.Kernel")]
    public void Given_AnUpstreamProject_When_ItsReferencesAreFollowed_Then_NoGenerationEvaluationOrReleaseProjectIsReached(string project)
    {
        string[] downstream = ["ReleaseGateway.Synthesis", "ReleaseGateway.Synthesis.Neural", "ReleaseGateway.Evaluation", "ReleaseGateway.Releases",
            "ReleaseGateway.Web", "ReleaseGateway.Api", "ReleaseGateway.Cli"];
        Assert.Empty(Closure(project).Intersect(downstream));
    }

    [Fact]
    public void Given_TheRequestsAssembly_When_ItsCompiledReferencesAreListed_Then_NeitherSynthesisNorEvaluationIsAmongThem()
    {
        var referenced = typeof(RequestsModule).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.Contains("ReleaseGateway.Datasets", referenced);
        Assert.DoesNotContain(referenced, n => n is "ReleaseGateway.Synthesis" or "ReleaseGateway.Evaluation" or "ReleaseGateway.Releases");
    }

    [Fact]
    public void Given_TheSharedKernel_When_ItsReferencesAreRead_Then_ItReferencesNoModule() =>
        Assert.Empty(DirectReferences("ReleaseGateway.Kernel"));

    public static TheoryData<string> SourceProjects() => new(Projects());

    /// <summary>
    /// Every <c>using ReleaseGateway.X</c> of a project names itself or a project it declares: nothing compiles only
    /// because another reference drags it in (the orchestrator once used Synthesis and Evaluation that way).
    /// </summary>
    [Theory]
    [MemberData(nameof(SourceProjects))]
    public void Given_ASourceProject_When_ItsUsingsAreRead_Then_EachModuleItUsesIsDeclaredInItsProjectFile(string project)
    {
        var projects = Projects();
        var declared = DirectReferences(project).Append(project).ToHashSet(StringComparer.Ordinal);
        var undeclared = Directory.EnumerateFiles(Path.Combine(Src, project), "*.*", SearchOption.AllDirectories)
            .Where(f => (f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".cshtml", StringComparison.Ordinal))
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => UsingPattern().Matches(File.ReadAllText(f)).Select(m => (File: Path.GetFileName(f), Namespace: m.Groups["ns"].Value)))
            .Select(u => (u.File, Project: OwnerOf(u.Namespace, projects)))
            .Where(u => u.Project is not null && !declared.Contains(u.Project))
            .Select(u => $"{u.File} uses {u.Project}")
            .Distinct()
            .ToList();
        Assert.Empty(undeclared);
    }

    /// <summary>The project a namespace belongs to: the longest project name it starts with; the kernel's namespaces have their own names.</summary>
    private static string? OwnerOf(string ns, IReadOnlyList<string> projects)
    {
        if (ns is "ReleaseGateway.Problems" or "ReleaseGateway.Diagnostics") return "ReleaseGateway.Kernel";
        return projects.Where(p => ns == p || ns.StartsWith(p + ".", StringComparison.Ordinal)).MaxBy(p => p.Length);
    }

    [GeneratedRegex(@"^\s*@?using\s+(?:static\s+)?(?:\w+\s*=\s*)?(?<ns>ReleaseGateway(?:\.\w+)*)", RegexOptions.Multiline)]
    private static partial Regex UsingPattern();
}

using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Requests.Tests.Workflows;

public sealed class MermaidDiagramTests
{
    public static TheoryData<string> Definitions() => new(Fixtures.ShippedWorkflows.Names.Order());

    [Theory]
    [MemberData(nameof(Definitions))]
    public void Given_CommittedDiagram_When_DefinitionRendered_Then_TheyMatch(string name)
    {
        var definition = Fixtures.ShippedWorkflows.Get(name);
        var committed = Path.ChangeExtension(definition.SourceFile, ".mmd");
        Assert.True(File.Exists(committed), $"{committed} is missing: run `rgw workflow render`.");
        var expected = File.ReadAllText(committed).ReplaceLineEndings("\n");
        Assert.True(expected == WorkflowMachine.RenderMermaid(definition),
            $"{committed} no longer matches {definition.SourceFile}: run `rgw workflow render` and commit the diagram.");
    }

    [Fact]
    public void Given_StandardDefinition_When_Rendered_Then_EveryStateAndGuardedVoteAppears()
    {
        var mermaid = WorkflowMachine.RenderMermaid(Fixtures.Standard);
        Assert.StartsWith("%% Rendered by `rgw workflow render` from standard.yaml", mermaid);
        foreach (var state in Fixtures.Standard.States) Assert.Contains(state.Name, mermaid);
        Assert.Contains("quorum reached", mermaid);
    }
}

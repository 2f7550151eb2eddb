namespace ReleaseGateway.Requests.Definitions;

/// <summary>One thing wrong with a workflow or policy file, located precisely enough to fix it.</summary>
public sealed record DefinitionProblem(string File, long Line, long Column, string Reason)
{
    public override string ToString() => $"{File}:{Line}:{Column}: {Reason}";
}

/// <summary>
/// A workflow or policy file that cannot be used. Thrown at start-up: the gateway refuses to run on a
/// definition it cannot enforce (docs/adr/0014-workflows-and-policies-fail-start-up.md).
/// </summary>
public sealed class DefinitionException(IReadOnlyList<DefinitionProblem> problems)
    : Exception("Invalid definition:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  " + p)))
{
    public IReadOnlyList<DefinitionProblem> Problems { get; } = problems;
}

namespace ReleaseGateway.Requests.Workflows;

/// <summary>
/// A request lifecycle read from <c>workflows/NAME.yaml</c>: its states, the transitions between them,
/// who may fire each trigger and under which guards, and the quorum of each voting state.
/// Built into a Stateless machine by <see cref="WorkflowMachine"/>; see docs/workflow.md for the format.
/// </summary>
public sealed record WorkflowDefinition(
    string Name,
    string Description,
    string SourceFile,
    string InitialState,
    int CommitteeSeats,
    IReadOnlyList<WorkflowState> States,
    IReadOnlyList<WorkflowTransition> Transitions)
{
    public WorkflowState State(string name) =>
        States.FirstOrDefault(s => s.Name == name) ?? throw new InvalidOperationException($"Workflow '{Name}' has no state '{name}'.");

    public bool HasState(string name) => States.Any(s => s.Name == name);

    public IEnumerable<WorkflowTransition> TransitionsFrom(string state) => Transitions.Where(t => t.From.Contains(state));

    /// <summary>States from which the request can still be withdrawn (used by listings and docs).</summary>
    public bool IsTerminal(string state) => State(state).Terminal;
}

/// <param name="Quorum">Set on voting states: how many approvals or rejections decide.</param>
public sealed record WorkflowState(string Name, string Description, bool Terminal, QuorumRule? Quorum, long Line);

/// <param name="To">Destination; null for an internal trigger (e.g. declaring a conflict) that changes no state.</param>
/// <param name="Roles">Roles of which the actor must hold at least one.</param>
/// <param name="Guards">Named guards from <see cref="WorkflowGuards"/>, all of which must hold.</param>
public sealed record WorkflowTransition(
    string Trigger,
    IReadOnlyList<string> From,
    string? To,
    IReadOnlyList<string> Roles,
    IReadOnlyList<string> Guards,
    long Line);

/// <summary>
/// When a vote decides. Counted over the members not recused; <see cref="Majority"/> means more than
/// half of them approve, and the request is rejected as soon as that can no longer happen.
/// </summary>
public sealed record QuorumRule(int Approvals, int Rejections, bool Majority)
{
    public (int Approvals, int Rejections) Thresholds(int seats, int recused)
    {
        if (!Majority) return (Approvals, Rejections);
        var eligible = Math.Max(seats - recused, 0);
        var approvals = eligible / 2 + 1;
        return (approvals, Math.Max(eligible - approvals + 1, 1));
    }

    public override string ToString() => Majority ? "majority" : $"{Approvals} approvals, {Rejections} rejection(s)";
}

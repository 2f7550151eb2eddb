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

    public IReadOnlySet<string> OptionalSteps => States.Where(s => s.Optional).Select(s => s.Name).ToHashSet();

    /// <summary>
    /// The definition a request follows when only <paramref name="enabled"/> of the optional steps apply:
    /// a transition into a skipped step leads to that step's <c>skipTo</c> instead (following skips on),
    /// and a skipped step's own transitions disappear.
    /// </summary>
    public WorkflowDefinition WithOptionalSteps(IEnumerable<string> enabled)
    {
        var on = enabled.ToHashSet(StringComparer.Ordinal);
        bool Skipped(string state) => States.FirstOrDefault(s => s.Name == state) is { Optional: true } s && !on.Contains(s.Name);
        string Resolve(string state)
        {
            for (var hops = 0; Skipped(state) && hops <= States.Count; hops++) state = State(state).SkipTo!;
            return state;
        }
        var transitions = Transitions
            .Select(t => t with { From = t.From.Where(f => !Skipped(f)).ToList(), To = t.To is null ? null : Resolve(t.To) })
            .Where(t => t.From.Count > 0)
            .ToList();
        return this with { Transitions = transitions };
    }
}

/// <param name="Quorum">Set on voting states: how many approvals or rejections decide.</param>
/// <param name="Optional">An optional step: it applies only to datasets whose policy lists it under <c>optionalSteps</c>.</param>
/// <param name="SkipTo">Where a transition into this step leads when the step does not apply.</param>
public sealed record WorkflowState(string Name, string Description, bool Terminal, QuorumRule? Quorum, long Line, bool Optional = false, string? SkipTo = null);

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

    // The workflow's rendering (workflows/*.mmd) labels guards with this; people read InWords.
    public override string ToString() => Majority ? "majority" : $"{Approvals} approvals, {Rejections} rejection(s)";

    /// <summary>The rule as a sentence for the committee, with the thresholds that apply now.</summary>
    public string InWords(int seats, int recused)
    {
        var (approvals, rejections) = Thresholds(seats, recused);
        var rule = $"{Count(approvals, "approval")} approve{(approvals == 1 ? "s" : "")} the request; {Count(rejections, "rejection")} reject{(rejections == 1 ? "s" : "")} it";
        return Majority ? $"{rule} (a majority of the {Math.Max(seats - recused, 0)} members not recused)" : rule;
    }

    private static string Count(int n, string noun) => $"{n} {noun}{(n == 1 ? "" : "s")}";
}

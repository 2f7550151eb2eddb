using ReleaseGateway.Requests.Definitions;

namespace ReleaseGateway.Requests.Workflows;

/// <summary>
/// The checks that make a definition safe to enforce: every name resolves, every state is reachable
/// and either terminal or has a way out, every trigger names who may fire it, and every quorum can be
/// met by the committee it counts.
/// </summary>
public static class WorkflowDefinitionValidator
{
    public static IReadOnlyList<DefinitionProblem> Validate(WorkflowDefinition d)
    {
        var problems = new List<DefinitionProblem>();
        void Problem(long line, string reason) => problems.Add(new(d.SourceFile, line, 1, reason));

        var stateNames = d.States.Select(s => s.Name).ToHashSet();
        foreach (var t in d.Transitions)
        {
            var label = $"transition '{t.Trigger}'";
            if (t.Trigger.Length > 0 && !WorkflowTriggers.All.Contains(t.Trigger))
                Problem(t.Line, $"unknown trigger '{t.Trigger}' (known: {string.Join(", ", WorkflowTriggers.All.Order())})");
            foreach (var from in t.From.Where(f => !stateNames.Contains(f)))
                Problem(t.Line, $"{label} starts from unknown state '{from}'");
            if (t.To is not null && !stateNames.Contains(t.To))
                Problem(t.Line, $"{label} leads to unknown state '{t.To}'");
            if (WorkflowTriggers.Internal.Contains(t.Trigger) && t.To is not null)
                Problem(t.Line, $"{label} records without moving and must not have 'to'");
            if (!WorkflowTriggers.Internal.Contains(t.Trigger) && t.To is null && t.Trigger.Length > 0)
                Problem(t.Line, $"{label} has no 'to' state");
            if (t.Roles.Count == 0)
                Problem(t.Line, $"{label} has no role: say who may fire it under 'roles'");
            foreach (var role in t.Roles.Where(x => !WorkflowRoles.All.Contains(x)))
                Problem(t.Line, $"{label} names unknown role '{role}' (known: {string.Join(", ", WorkflowRoles.All.Order())})");
            foreach (var guard in t.Guards.Where(g => !WorkflowGuards.All.Contains(g)))
                Problem(t.Line, $"{label} names unknown guard '{guard}' (known: {string.Join(", ", WorkflowGuards.All.Order())})");
            if (WorkflowTriggers.Keys.Contains(t.Trigger) && !t.Guards.Contains(WorkflowGuards.SeparationOfDuties))
                Problem(t.Line, $"{label} takes a key of the request and must name the guard '{WorkflowGuards.SeparationOfDuties}'");
            if (WorkflowTriggers.Votes.Contains(t.Trigger) || t.Trigger == WorkflowTriggers.DeclareConflict)
                foreach (var from in t.From.Where(stateNames.Contains).Where(f => d.State(f).Quorum is null))
                    Problem(t.Line, $"{label} is a committee action but state '{from}' has no quorum");
        }

        foreach (var group in d.Transitions.SelectMany(t => t.From.Select(f => (From: f, t.Trigger, t.Line))).GroupBy(x => (x.From, x.Trigger)))
            foreach (var duplicate in group.Skip(1))
                Problem(duplicate.Line, $"trigger '{duplicate.Trigger}' is defined twice from state '{duplicate.From}' (first at line {group.First().Line})");

        foreach (var s in d.States)
        {
            var outgoing = d.TransitionsFrom(s.Name).Where(t => t.To is not null).ToList();
            if (s.Terminal && outgoing.Count > 0)
                Problem(outgoing[0].Line, $"terminal state '{s.Name}' must not have outgoing transitions");
            if (!s.Terminal && outgoing.Count == 0)
                Problem(s.Line, $"state '{s.Name}' has no way out: add a transition or mark it 'terminal: true'");
            if (s.Quorum is { } q)
            {
                if (!q.Majority && q.Approvals < 1) Problem(s.Line, $"quorum of '{s.Name}' needs at least 1 approval");
                if (!q.Majority && q.Rejections < 1) Problem(s.Line, $"quorum of '{s.Name}' needs at least 1 rejection");
                if (d.CommitteeSeats > 0 && !q.Majority && q.Approvals > d.CommitteeSeats)
                    Problem(s.Line, $"quorum of '{s.Name}' needs {q.Approvals} approvals but the committee has {d.CommitteeSeats} seats");
                if (d.CommitteeSeats > 0 && !q.Majority && q.Rejections > d.CommitteeSeats)
                    Problem(s.Line, $"quorum of '{s.Name}' needs {q.Rejections} rejections but the committee has {d.CommitteeSeats} seats");
                if (d.CommitteeSeats > 0 && !q.Majority && q.Approvals + q.Rejections > d.CommitteeSeats + 1)
                    Problem(s.Line, $"quorum of '{s.Name}' can leave a full committee undecided: approvals + rejections must be at most seats + 1 ({d.CommitteeSeats + 1})");
                foreach (var vote in WorkflowTriggers.Votes.Order())
                    if (!d.TransitionsFrom(s.Name).Any(t => t.Trigger == vote))
                        Problem(s.Line, $"voting state '{s.Name}' has no '{vote}' transition");
            }
        }

        foreach (var s in d.States)
        {
            if (s.Optional && s.SkipTo is null)
                Problem(s.Line, $"optional step '{s.Name}' needs 'skipTo': the state a request enters instead when the step does not apply");
            if (!s.Optional && s.SkipTo is not null)
                Problem(s.Line, $"state '{s.Name}' has 'skipTo' but is not optional");
            if (s.SkipTo is not null && !stateNames.Contains(s.SkipTo))
                Problem(s.Line, $"optional step '{s.Name}' skips to unknown state '{s.SkipTo}'");
            if (s.Optional && (s.Terminal || s.Quorum is not null || s.Name == d.InitialState))
                Problem(s.Line, $"optional step '{s.Name}' cannot be the initial state, terminal or a voting state");
        }

        if (stateNames.Contains(d.InitialState))
        {
            // Every state must be reachable with all optional steps on, and every other state with them all off.
            var variants = new List<(WorkflowDefinition Variant, IReadOnlyList<WorkflowState> MustReach)> { (d, d.States) };
            if (d.States.Where(s => s.Optional).All(s => s.SkipTo is not null && stateNames.Contains(s.SkipTo)))
                variants.Add((d.WithOptionalSteps([]), d.States.Where(s => !s.Optional).ToList()));
            foreach (var (variant, mustReach) in variants)
            {
                var reached = new HashSet<string> { d.InitialState };
                var frontier = new Queue<string>(reached);
                while (frontier.TryDequeue(out var state))
                    foreach (var t in variant.TransitionsFrom(state))
                        if (t.To is not null && stateNames.Contains(t.To) && reached.Add(t.To))
                            frontier.Enqueue(t.To);
                foreach (var s in mustReach.Where(s => !reached.Contains(s.Name)))
                    if (!problems.Any(p => p.Line == s.Line && p.Reason.Contains("unreachable")))
                        Problem(s.Line, $"state '{s.Name}' is unreachable from the initial state '{d.InitialState}'" +
                            (variant == d ? "" : " when the optional steps are skipped"));
            }
        }

        return problems;
    }
}

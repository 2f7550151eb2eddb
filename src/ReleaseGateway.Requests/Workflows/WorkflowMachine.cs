using Stateless;
using Stateless.Graph;
using Stateless.Reflection;

namespace ReleaseGateway.Requests.Workflows;

/// <summary>What the machine asks about the request and the actor. Answers must be pure.</summary>
public interface IWorkflowContext
{
    bool ActorHasAnyRole(IReadOnlyList<string> roles);

    bool GuardHolds(string guard, string trigger);

    /// <summary>Whether the vote now being cast would decide the state's quorum.</summary>
    bool VoteDecides(string vote, QuorumRule quorum);
}

/// <summary>Why a trigger cannot fire, most fundamental first (the order a caller should hear about them).</summary>
public enum WorkflowRefusalKind
{
    NotPermittedInState,
    MissingRole,
    GuardFailed,
}

public sealed record WorkflowRefusal(WorkflowRefusalKind Kind, string CurrentState, string Trigger, string? Guard);

/// <summary>
/// A Stateless machine configured once from a <see cref="WorkflowDefinition"/> over state kept outside
/// it (the request's status, rebuilt from events). Guards call back into <see cref="IWorkflowContext"/>
/// and have no side effects, so firing on a scratch copy of the state is how a decider learns the
/// destination without deciding anything else.
/// </summary>
public sealed class WorkflowMachine
{
    private const string RolePrefix = "role ";
    private readonly StateMachine<string, string> _machine;
    private readonly Dictionary<string, string> _guardByDescription = [];

    public WorkflowMachine(WorkflowDefinition definition, Func<string> readState, Action<string> writeState, IWorkflowContext context)
    {
        Definition = definition;
        _machine = new StateMachine<string, string>(readState, writeState, FiringMode.Immediate);
        foreach (var state in definition.States) _machine.Configure(state.Name);

        foreach (var t in definition.Transitions)
            foreach (var from in t.From)
            {
                var config = _machine.Configure(from);
                var guards = new List<Tuple<Func<bool>, string>>
                {
                    Tuple.Create<Func<bool>, string>(() => context.ActorHasAnyRole(t.Roles), RolePrefix + string.Join(" or ", t.Roles)),
                };
                foreach (var g in t.Guards)
                {
                    var guard = g;
                    guards.Add(Tuple.Create<Func<bool>, string>(() => context.GuardHolds(guard, t.Trigger), guard));
                    _guardByDescription[guard] = guard;
                }

                var quorum = definition.State(from).Quorum;
                if (WorkflowTriggers.Votes.Contains(t.Trigger) && quorum is not null)
                {
                    var vote = t.Trigger;
                    config.PermitIf(t.Trigger, t.To!,
                        [.. guards, Tuple.Create<Func<bool>, string>(() => context.VoteDecides(vote, quorum), $"{WorkflowGuards.QuorumReached} ({quorum})")]);
                    config.PermitReentryIf(t.Trigger,
                        [.. guards, Tuple.Create<Func<bool>, string>(() => !context.VoteDecides(vote, quorum), WorkflowGuards.QuorumNotReached)]);
                }
                else if (t.To is null || t.To == from)
                    config.PermitReentryIf(t.Trigger, [.. guards]);
                else
                    config.PermitIf(t.Trigger, t.To, [.. guards]);
            }
    }

    public WorkflowDefinition Definition { get; }

    public string State => _machine.State;

    public bool CanFire(string trigger, out WorkflowRefusal? refusal)
    {
        if (_machine.CanFire(trigger, out ICollection<string>? unmet))
        {
            refusal = null;
            return true;
        }
        var state = _machine.State;
        unmet ??= [];
        if (unmet.Count == 0)
            refusal = new WorkflowRefusal(WorkflowRefusalKind.NotPermittedInState, state, trigger, null);
        else if (unmet.FirstOrDefault(u => u.StartsWith(RolePrefix, StringComparison.Ordinal)) is { } role)
            refusal = new WorkflowRefusal(WorkflowRefusalKind.MissingRole, state, trigger, role[RolePrefix.Length..]);
        else if (unmet.FirstOrDefault(_guardByDescription.ContainsKey) is { } guard)
            refusal = new WorkflowRefusal(WorkflowRefusalKind.GuardFailed, state, trigger, guard);
        else
            refusal = new WorkflowRefusal(WorkflowRefusalKind.NotPermittedInState, state, trigger, string.Join(", ", unmet));
        return false;
    }

    /// <summary>Fires <paramref name="trigger"/>; call only after <see cref="CanFire"/> said yes.</summary>
    public void Fire(string trigger) => _machine.Fire(trigger);

    /// <summary>Triggers the current actor could fire now (all guards evaluated).</summary>
    public IReadOnlyList<string> PermittedTriggers() => WorkflowTriggers.All.Where(t => _machine.CanFire(t)).Order(StringComparer.Ordinal).ToList();

    public StateMachineInfo GetInfo() => _machine.GetInfo();

    /// <summary>The definition as a Mermaid state diagram, without any request: what is committed next to the YAML.</summary>
    public static string RenderMermaid(WorkflowDefinition definition)
    {
        var state = definition.InitialState;
        var machine = new WorkflowMachine(definition, () => state, s => state = s, new DescribeOnly());
        var body = MermaidGraph.Format(machine.GetInfo(), MermaidGraphDirection.TopToBottom).ReplaceLineEndings("\n").TrimEnd('\n');
        var notes = string.Concat(definition.States.Where(s => s.Optional).Select(s =>
            $"\n\tnote right of {s.Name} : optional step; skipped to {s.SkipTo} unless the dataset's policy lists it in optionalSteps"));
        return $"%% Rendered by `rgw workflow render` from {Path.GetFileName(definition.SourceFile)}; do not edit by hand.\n{body}{notes}\n";
    }

    private sealed class DescribeOnly : IWorkflowContext
    {
        public bool ActorHasAnyRole(IReadOnlyList<string> roles) => false;
        public bool GuardHolds(string guard, string trigger) => false;
        public bool VoteDecides(string vote, QuorumRule quorum) => false;
    }
}

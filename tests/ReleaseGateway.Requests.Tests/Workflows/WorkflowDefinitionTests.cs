using ReleaseGateway.Requests.Definitions;
using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Requests.Tests.Workflows;

public sealed class WorkflowDefinitionTests
{
    private const string Valid = """
        name: mini
        initial: Review
        committee:
          seats: 3
        states:
          Review:
            quorum:
              approvals: 2
          Approved:
            terminal: true
          Rejected:
            terminal: true
        transitions:
          - trigger: approve
            from: Review
            to: Approved
            roles: CommitteeMember
            guards: separation-of-duties
          - trigger: reject
            from: Review
            to: Rejected
            roles: CommitteeMember
            guards: separation-of-duties
        """;

    private static DefinitionProblem Single(string yaml)
    {
        var e = Assert.Throws<DefinitionException>(() => WorkflowDefinitionLoader.Parse(yaml, "workflows/mini.yaml"));
        return Assert.Single(e.Problems);
    }

    [Fact]
    public void Given_ShippedDefinitions_When_Loaded_Then_StandardAndTwoKeyAreValid()
    {
        var catalog = WorkflowCatalog.LoadDirectory(Fixtures.WorkflowsDirectory);
        Assert.Contains("standard", catalog.Names);
        Assert.Contains("two-key", catalog.Names);
        Assert.Equal(2, catalog.Get("standard").State("CommitteeReview").Quorum!.Approvals);
        Assert.Contains(catalog.Get("two-key").Transitions, t => t.Trigger == WorkflowTriggers.SignOff && t.Roles.Contains(WorkflowRoles.ComplianceOfficer));
        Assert.Equal(["AwaitingSignOff"], catalog.Get("standard").OptionalSteps);
        Assert.Empty(catalog.Get("two-key").OptionalSteps);
    }

    [Fact]
    public void Given_MinimalDefinition_When_Parsed_Then_ItLoads()
    {
        var d = WorkflowDefinitionLoader.Parse(Valid, "workflows/mini.yaml");
        Assert.Equal("Review", d.InitialState);
        Assert.Equal(3, d.States.Count);
    }

    [Fact]
    public void Given_TransitionToUnknownState_When_Parsed_Then_FileLineAndReason()
    {
        var e = Assert.Throws<DefinitionException>(() => WorkflowDefinitionLoader.Parse(Valid.Replace("    to: Rejected", "    to: Rejectd"), "workflows/mini.yaml"));
        var p = e.Problems.First(x => x.Reason.Contains("unknown state 'Rejectd'"));
        Assert.Equal(("workflows/mini.yaml", 19L), (p.File, p.Line));
        Assert.Contains(e.Problems, x => x.Reason.Contains("state 'Rejected' is unreachable"));
        Assert.StartsWith("Invalid definition:", e.Message);
        Assert.Contains("workflows/mini.yaml:19:1: transition 'reject' leads to unknown state 'Rejectd'", e.Message);
    }

    [Fact]
    public void Given_StateNothingLeadsTo_When_Parsed_Then_ReportedAsUnreachableAtItsLine()
    {
        var p = Single(Valid.Replace("  Rejected:\n    terminal: true", "  Rejected:\n    terminal: true\n  Archived:\n    terminal: true"));
        Assert.Equal(13, p.Line);
        Assert.Contains("state 'Archived' is unreachable", p.Reason);
    }

    [Fact]
    public void Given_TriggerWithoutRole_When_Parsed_Then_ReportedAtTheTransition()
    {
        var p = Single(Valid.Replace("    to: Rejected\n    roles: CommitteeMember", "    to: Rejected"));
        Assert.Equal(19, p.Line);
        Assert.Contains("transition 'reject' has no role", p.Reason);
    }

    [Fact]
    public void Given_QuorumLargerThanCommittee_When_Parsed_Then_ReportedAtTheState()
    {
        var e = Assert.Throws<DefinitionException>(() => WorkflowDefinitionLoader.Parse(Valid.Replace("approvals: 2", "approvals: 4"), "workflows/mini.yaml"));
        Assert.Contains(e.Problems, p => p.Line == 6 && p.Reason.Contains("needs 4 approvals but the committee has 3 seats"));
    }

    [Fact]
    public void Given_UnknownTriggerRoleAndGuard_When_Parsed_Then_EachIsReported()
    {
        var yaml = Valid.Replace("  - trigger: reject", "  - trigger: rejec").Replace("    to: Approved\n    roles: CommitteeMember\n    guards: separation-of-duties",
            "    to: Approved\n    roles: Committee\n    guards: friendly");
        var e = Assert.Throws<DefinitionException>(() => WorkflowDefinitionLoader.Parse(yaml, "workflows/mini.yaml"));
        Assert.Contains(e.Problems, p => p.Reason.Contains("unknown trigger 'rejec'"));
        Assert.Contains(e.Problems, p => p.Reason.Contains("unknown role 'Committee'"));
        Assert.Contains(e.Problems, p => p.Reason.Contains("unknown guard 'friendly'"));
        Assert.Contains(e.Problems, p => p.Reason.Contains("voting state 'Review' has no 'reject' transition"));
    }

    [Fact]
    public void Given_MisspeltKey_When_Parsed_Then_ReportedNotIgnored()
    {
        var p = Single(Valid.Replace("    guards: separation-of-duties\n  - trigger: reject", "    guards: separation-of-duties\n    gaurds: requester\n  - trigger: reject"));
        Assert.Equal(19, p.Line);
        Assert.Contains("unknown key 'gaurds'", p.Reason);
    }

    [Fact]
    public void Bug_KeyTriggerWithoutSeparationOfDuties_WhenParsed_ThenRefusedAtTheTransition()
    {
        var p = Single(Valid.Replace("    to: Approved\n    roles: CommitteeMember\n    guards: separation-of-duties\n", "    to: Approved\n    roles: CommitteeMember\n"));
        Assert.Equal(14, p.Line);
        Assert.Contains("transition 'approve' takes a key of the request and must name the guard 'separation-of-duties'", p.Reason);
    }

    [Fact]
    public void Given_InvalidYaml_When_Parsed_Then_LineOfTheSyntaxError()
    {
        var p = Single(Valid.Replace("initial: Review", "initial: Review\ninitial: Approved"));
        Assert.Contains("not valid YAML", p.Reason);
        Assert.Equal(3, p.Line);
    }

    [Fact]
    public void Given_TerminalStateWithWayOut_When_Parsed_Then_Refused()
    {
        var yaml = Valid + "\n  - trigger: withdraw\n    from: Rejected\n    to: Review\n    roles: Researcher\n";
        var p = Single(yaml);
        Assert.Contains("terminal state 'Rejected' must not have outgoing transitions", p.Reason);
    }

    [Fact]
    public void Given_NonTerminalDeadEnd_When_Parsed_Then_Refused()
    {
        var p = Single(Valid.Replace("  Approved:\n    terminal: true", "  Approved:"));
        Assert.Contains("state 'Approved' has no way out", p.Reason);
    }

    [Fact]
    public void Given_SameTriggerTwiceFromOneState_When_Parsed_Then_RefusedWithBothLines()
    {
        var yaml = Valid + "\n  - trigger: approve\n    from: Review\n    to: Rejected\n    roles: CommitteeMember\n    guards: separation-of-duties\n";
        var p = Single(yaml);
        Assert.Contains("defined twice from state 'Review' (first at line 14)", p.Reason);
    }

    private const string WithOptionalStep = """
        name: mini
        initial: Review
        committee:
          seats: 3
        states:
          Review:
            quorum:
              approvals: 2
          Ethics:
            optional: true
            skipTo: Approved
          Approved:
            terminal: true
          Rejected:
            terminal: true
        transitions:
          - trigger: approve
            from: Review
            to: Ethics
            roles: CommitteeMember
            guards: separation-of-duties
          - trigger: reject
            from: Review
            to: Rejected
            roles: CommitteeMember
            guards: separation-of-duties
          - trigger: sign-off
            from: Ethics
            to: Approved
            roles: ComplianceOfficer
            guards: separation-of-duties
        """;

    [Fact]
    public void Given_OptionalStep_When_Skipped_Then_TransitionsIntoItLeadToItsSkipTarget()
    {
        var d = WorkflowDefinitionLoader.Parse(WithOptionalStep, "workflows/mini.yaml");
        Assert.Equal(["Ethics"], d.OptionalSteps);
        Assert.Equal("Approved", d.WithOptionalSteps([]).Transitions.Single(t => t.Trigger == "approve").To);
        Assert.DoesNotContain(d.WithOptionalSteps([]).Transitions, t => t.Trigger == "sign-off");
        Assert.Equal("Ethics", d.WithOptionalSteps(["Ethics"]).Transitions.Single(t => t.Trigger == "approve").To);
    }

    [Fact]
    public void Given_OptionalStepWithoutSkipTarget_When_Parsed_Then_Refused() =>
        Assert.Contains("optional step 'Ethics' needs 'skipTo'", Single(WithOptionalStep.Replace("    skipTo: Approved\n", "")).Reason);

    [Fact]
    public void Given_OptionalStepSkippingToUnknownState_When_Parsed_Then_Refused() =>
        Assert.Contains("skips to unknown state 'Aproved'", Single(WithOptionalStep.Replace("skipTo: Approved", "skipTo: Aproved")).Reason);

    [Fact]
    public void Given_StateOnlyReachableThroughAnOptionalStep_When_Parsed_Then_UnreachableWhenSkipped()
    {
        var yaml = WithOptionalStep.Replace("    skipTo: Approved", "    skipTo: Rejected").Replace("  - trigger: reject\n    from: Review\n    to: Rejected",
            "  - trigger: reject\n    from: Review\n    to: Ethics");
        var e = Assert.Throws<DefinitionException>(() => WorkflowDefinitionLoader.Parse(yaml, "workflows/mini.yaml"));
        Assert.True(e.Problems.Any(p => p.Reason.Contains("state 'Approved' is unreachable from the initial state 'Review' when the optional steps are skipped")), e.Message);
    }

    [Fact]
    public void Given_NameNotMatchingFile_When_Parsed_Then_Refused()
    {
        var p = Single(Valid.Replace("name: mini", "name: other"));
        Assert.Equal(1, p.Line);
        Assert.Contains("must match the file name 'mini'", p.Reason);
    }

    [Fact]
    public void Given_BrokenFileInFolder_When_CatalogLoads_Then_StartUpStopsNamingIt()
    {
        var dir = Directory.CreateTempSubdirectory("rgw-wf-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "mini.yaml"), Valid.Replace("approvals: 2", "approvals: 5"));
            var e = Assert.Throws<DefinitionException>(() => WorkflowCatalog.LoadDirectory(dir.FullName));
            Assert.Contains(Path.Combine(dir.FullName, "mini.yaml") + ":6:1:", e.Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}

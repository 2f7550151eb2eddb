using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Policies;
using ReleaseGateway.Requests.Workflows;
using ReleaseGateway.Testing;

namespace ReleaseGateway.Requests.Tests;

/// <summary>The definitions shipped in the repository, and a small cast of actors with stable ids.</summary>
internal static class Fixtures
{
    public static readonly string WorkflowsDirectory = Path.Combine(RepositoryPaths.Root, "workflows");
    public static readonly string PoliciesDirectory = Path.Combine(RepositoryPaths.Root, "policies");

    /// <summary>The evaluation module's check of policy gates, as the host hands it to the policy loader.</summary>
    public static readonly PolicySectionsCheck EvaluationSections = ReleaseGateway.Evaluation.Gates.PolicyLoader.Check;

    private static readonly Lazy<WorkflowCatalog> LazyWorkflows = new(() => WorkflowCatalog.LoadDirectory(WorkflowsDirectory));
    private static readonly Lazy<PolicyCatalog> LazyPolicies = new(() => PolicyLoader.LoadDirectory(PoliciesDirectory, ShippedWorkflows, EvaluationSections));

    public static WorkflowCatalog ShippedWorkflows => LazyWorkflows.Value;
    public static PolicyCatalog ShippedPolicies => LazyPolicies.Value;
    public static WorkflowDefinition Standard => ShippedWorkflows.Get("standard");
    public static WorkflowDefinition TwoKey => ShippedWorkflows.Get("two-key");

    public static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    public static readonly Guid RequestId = Guid.Parse("0193a0a0-0000-7000-8000-000000000001");
    public static readonly Guid DatasetId = Guid.Parse("0193a0a0-0000-7000-8000-0000000000d5");

    public static readonly Actor Researcher = Actor.Of("11111111-1111-1111-1111-111111111111", WorkflowRoles.Researcher);
    public static readonly Actor OtherResearcher = Actor.Of("22222222-2222-2222-2222-222222222222", WorkflowRoles.Researcher);
    public static readonly Actor Steward = Actor.Of("33333333-3333-3333-3333-333333333333", WorkflowRoles.DataSteward);
    public static readonly Actor MemberA = Actor.Of("aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa", WorkflowRoles.CommitteeMember);
    public static readonly Actor MemberB = Actor.Of("bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb", WorkflowRoles.CommitteeMember);
    public static readonly Actor MemberC = Actor.Of("cccccccc-cccc-cccc-cccc-cccccccccccc", WorkflowRoles.CommitteeMember);
    public static readonly Actor Officer = Actor.Of("dddddddd-dddd-dddd-dddd-dddddddddddd", WorkflowRoles.ComplianceOfficer);
    public static readonly Actor Pipeline = Actor.Of("release-pipeline", WorkflowRoles.System);

    /// <summary>The researcher who also sits on the committee: the separation-of-duties case.</summary>
    public static readonly Actor ResearcherOnCommittee = Actor.Of(Researcher.Id, WorkflowRoles.Researcher, WorkflowRoles.CommitteeMember);

    public static AccessRequestTerms Terms(double epsilon = 1.0, string? generator = "aim", params string[] columns) => new(
        "Readmission risk", "Model 30-day readmission", "Needed to train a risk model", "Internal research only",
        columns.Length > 0 ? columns : ["age", "sex"], epsilon, 1000, generator, 30);

    public static AccessRequestSubmitted Submitted(string state = "Screening", string workflow = "standard", params string[] optionalSteps) =>
        new(RequestId, DatasetId, workflow, optionalSteps, state, Terms(), Researcher.Id, Now);

    public static DatasetDetails Dataset(bool sourceUploaded = true) => new(
        DatasetId, "demo", "Demo table", "Demo hospital", """{"age": 10, "sex": 2, "mrn": 5}""", ["age", "sex", "mrn"],
        "demo", Steward.Id, Now, sourceUploaded, sourceUploaded ? 100 : null, null, sourceUploaded ? 2 : 1);

    public static AccessRequest Given(params object[] events) =>
        AccessRequest.Rebuild(events) ?? throw new InvalidOperationException("No request: the first event must be AccessRequestSubmitted.");

    public static WorkflowDefinition DefinitionOf(AccessRequest request) => ShippedWorkflows.Get(request.Workflow);

    public static AccessRequestWorkflow WorkflowOf(AccessRequest request) => new(DefinitionOf(request), request);

    public static RequestError Refusal(Action decide) => Assert.Throws<RequestRefusedException>(decide).Error;
}

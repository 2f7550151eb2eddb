using FluentValidation;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.AccessRequests.SubmitAccessRequest;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Datasets.RegisterDataset;
using ReleaseGateway.Requests.Policies;
using static ReleaseGateway.Requests.Tests.Fixtures;

namespace ReleaseGateway.Requests.Tests.Datasets;

public sealed class PersonKeyRequirementTests
{
    private const string WithKey = """{"columns": [{"name": "pid", "type": "identifier", "role": "personKey"}, {"name": "age", "type": "integer", "min": 0, "max": 9}, {"name": "sex", "type": "integer", "min": 0, "max": 1}]}""";
    private const string WithoutKey = """{"age": 10, "sex": 2}""";

    private static PolicyCatalog Policies(string visitsPolicy) => PolicyLoader.Parse(new Dictionary<string, string>
    {
        ["policies/default.yaml"] = File.ReadAllText(Path.Combine(PoliciesDirectory, "default.yaml")).Replace("allowedGenerators: [aim, mst]", "allowedGenerators: [aim, mst, made]"),
        ["policies/visits.yaml"] = visitsPolicy,
    }, ShippedWorkflows.Names, EvaluationSections);

    private static RegisterDataset Register(string schema) =>
        new(Guid.CreateVersion7(), "visits", "Clinic visits", "Clinic", schema, Steward, Now);

    [Fact]
    public void Given_PolicyRequiringAPersonKey_When_SchemaHasNone_Then_RegistrationRefusedWithRG2040()
    {
        var policies = Policies("privacyUnit:\n  requirePersonKey: true\n  maxRowsPerPerson: 4\n");

        var refusal = Refusal(() => RegisterDatasetDecider.Handle(Register(WithoutKey), policies));

        Assert.Equal(("RG2040", 400), (refusal.Code, refusal.Status));
        Assert.Contains("personKey", refusal.Detail);
        Assert.Equal("visits", RegisterDatasetDecider.Handle(Register(WithKey), policies).Name);
    }

    [Fact]
    public void Given_ASchemaWithABoundsOnlyColumn_When_Registered_Then_AcceptedAsDeclared()
    {
        const string boundsOnly = """{"columns": [{"name": "bmi", "type": "continuous", "min": 10, "max": 60}, {"name": "sex", "type": "integer", "min": 0, "max": 1}]}""";

        var registered = RegisterDatasetDecider.Handle(Register(boundsOnly), Policies("maxReleases: 2\n"));

        // The edges are placed per release by DP quantiles (ADR 0037); the registered schema keeps the bounds only.
        Assert.Equal(boundsOnly, registered.SchemaJson);
    }

    [Fact]
    public void Given_PolicyNotRequiringAPersonKey_When_SchemaHasNone_Then_Registered()
    {
        Assert.Equal("visits", RegisterDatasetDecider.Handle(Register(WithoutKey), Policies("maxReleases: 2\n")).Name);
    }

    private static DatasetDetails Dataset(string schema) => new(
        DatasetId, "visits", "Clinic visits", "Clinic", schema, ["age", "sex"], "visits", Steward.Id, Now, true, 100, null, 2);

    private static void Submit(string schema, DatasetPolicy policy, AccessRequestTerms terms) =>
        SubmitAccessRequestDecider.Handle(new SubmitAccessRequest(RequestId, DatasetId, terms, Researcher, Now), Dataset(schema), policy, Standard);

    [Fact]
    public void Given_PersonUnitWithSeveralRowsPerPerson_When_NeuralGeneratorRequested_Then_RefusedBecauseDpSgdProtectsOneRow()
    {
        var policy = Policies("privacyUnit:\n  maxRowsPerPerson: 4\n").For("visits");

        var e = Assert.Throws<ValidationException>(() => Submit(WithKey, policy, Terms(generator: "made")));

        Assert.Contains(e.Errors, x => x.ErrorMessage.Contains("protects one row, not a person with up to 4 rows"));
        Submit(WithoutKey, policy, Terms(generator: "made"));
        Submit(WithKey, policy, Terms(generator: "aim"));
    }

    [Fact]
    public void Given_PolicyNotAllowingTheDefaultGenerator_When_NoGeneratorRequested_Then_RefusedInsteadOfRunningTheDefault()
    {
        var policy = Policies("allowedGenerators: [mst]\n").For("visits");

        var e = Assert.Throws<ValidationException>(() => Submit(WithoutKey, policy, Terms(generator: null)));

        Assert.Contains(e.Errors, x => x.ErrorMessage == "The default generator 'aim' is not allowed for 'visits': choose one of mst.");
        Submit(WithoutKey, policy, Terms(generator: "mst"));
    }

    [Fact]
    public void Given_ReleaseChecksEpsilon_When_RequestedEpsilonLeavesNothingForSynthesis_Then_Refused()
    {
        // rho(0.05, 1e-6) is about 8e-5, below the checks' 0.05^2 / 2 = 1.25e-3.
        var policy = Policies("maxReleases: 2\n").For("visits");

        var e = Assert.Throws<ValidationException>(() => Submit(WithoutKey, policy, Terms(epsilon: 0.05)));

        Assert.Contains(e.Errors, x => x.PropertyName == "Epsilon" && x.ErrorMessage.Contains("leaves nothing for synthesis"));
    }
}

using System.Text;
using ReleaseGateway.Requests.Consent;

namespace ReleaseGateway.Requests.Tests.Consent;

/// <summary>
/// The DUO matching table (ADR 0048), case by case. Expected answers follow the DUO term definitions (DUO release 2021-02-23;
/// Lawson et al. 2021, table 1; Dyke et al. 2016 for the consent codes): GRU admits any research, HMB health research
/// without ancestry research, DS only the named diseases, POA only ancestry research; each modifier a condition on top.
/// </summary>
public sealed class ConsentMatcherTests
{
    private static readonly DuoTerms Table = DuoTerms.Shipped;
    private static readonly DateOnly Today = new(2026, 12, 7);
    private const string Diabetes = "MONDO:0005015";
    private const string Cancer = "MONDO:0004992";

    private static ConsentCheck Check(DataUse use, int accessDays = 30, params ConsentTerm[] consent) =>
        ConsentMatcher.Check(Table, consent, use, Today, accessDays);

    [Theory]
    [InlineData("NRES", "POA", true)]
    [InlineData("GRU", "GRU", true)]
    [InlineData("GRU", "POA", true)]
    [InlineData("GRU", "HMB", true)]
    [InlineData("HMB", "HMB", true)]
    [InlineData("HMB", "GRU", false)]
    [InlineData("HMB", "POA", false)]
    [InlineData("POA", "POA", true)]
    [InlineData("POA", "HMB", false)]
    public void Given_APermission_When_APurposeIsStated_Then_TheTableDecides(string permission, string purpose, bool compatible) =>
        Assert.Equal(compatible, Check(new DataUse(purpose), 30, new ConsentTerm(permission)).Compatible);

    [Fact]
    public void Given_DiseaseSpecificConsent_When_ResearchOnANamedDisease_Then_Compatible()
    {
        var check = Check(new DataUse("DS", [Diabetes]), 30, new ConsentTerm("DS", Diseases: [Diabetes]));
        Assert.True(check.Compatible);
        Assert.Equal("DUO:0000007", Assert.Single(check.Lines).Id);
    }

    [Fact]
    public void Given_DiseaseSpecificConsent_When_ResearchOnAnotherDisease_Then_TheReasonNamesIt()
    {
        var check = Check(new DataUse("DS", [Cancer]), 30, new ConsentTerm("DS", Diseases: [Diabetes]));
        Assert.False(check.Compatible);
        Assert.Contains(Cancer, Assert.Single(check.Lines).Reason);
    }

    [Fact]
    public void Given_HealthResearchConsent_When_DiseaseSpecificResearch_Then_Compatible() =>
        Assert.True(Check(new DataUse("DS", [Cancer]), 30, new ConsentTerm("HMB")).Compatible);

    [Fact]
    public void Given_DiseaseSpecificConsent_When_GeneralHealthResearch_Then_Incompatible() =>
        Assert.False(Check(new DataUse("HMB"), 30, new ConsentTerm("DS", Diseases: [Diabetes])).Compatible);

    [Theory]
    [InlineData("NCU", true)]
    [InlineData("NPU", false)]
    [InlineData("IRB", false)]
    [InlineData("PUB", false)]
    [InlineData("GSO", false)]
    [InlineData("NMDS", true)]
    public void Given_AModifier_When_TheRequestStatesNothing_Then_OnlyProhibitionsHold(string modifier, bool compatible) =>
        Assert.Equal(compatible, Check(new DataUse("HMB"), 30, new ConsentTerm("HMB"), new ConsentTerm(modifier)).Compatible);

    [Fact]
    public void Given_ModifiersMet_When_Checked_Then_EveryLineIsMet()
    {
        var use = new DataUse("HMB", NotForProfit: true, EthicsApproval: true, Region: "DE", WillPublish: true, GeneticStudy: true);
        var check = Check(use, 30, new ConsentTerm("HMB"), new ConsentTerm("NCU"), new ConsentTerm("NPU"), new ConsentTerm("IRB"),
            new ConsentTerm("GS", Regions: ["DE", "FR"]), new ConsentTerm("PUB"), new ConsentTerm("GSO"), new ConsentTerm("NMDS"),
            new ConsentTerm("TS", Until: Today.AddDays(30)));
        Assert.True(check.Compatible, string.Join(" ", check.Lines.Where(l => !l.Met).Select(l => l.Reason)));
        Assert.Equal(9, check.Lines.Count);
    }

    [Fact]
    public void Given_CommercialUseAndNcu_When_Checked_Then_Incompatible() =>
        Assert.False(Check(new DataUse("HMB", Commercial: true), 30, new ConsentTerm("HMB"), new ConsentTerm("NCU")).Compatible);

    [Fact]
    public void Given_GeographicRestriction_When_UsedElsewhere_Then_Incompatible() =>
        Assert.False(Check(new DataUse("HMB", Region: "US"), 30, new ConsentTerm("HMB"), new ConsentTerm("GS", Regions: ["DE"])).Compatible);

    [Theory]
    [InlineData(30, true)]
    [InlineData(31, false)]
    public void Given_TimeLimit_When_AccessEndsOnOrAfterIt_Then_TheLastDayDecides(int accessDays, bool compatible) =>
        Assert.Equal(compatible, Check(new DataUse("GRU"), accessDays, new ConsentTerm("GRU"), new ConsentTerm("TS", Until: Today.AddDays(30))).Compatible);

    [Fact]
    public void Given_TheShippedTable_When_Loaded_Then_ItCitesItsReleaseAndHoldsTheIssuesTerms()
    {
        Assert.Contains("2021-02-23", Table.Source);
        foreach (var code in new[] { "GRU", "HMB", "DS", "NCU", "NPU", "IRB", "GS", "PUB", "TS" }) Assert.NotNull(Table.Find(code));
        Assert.Equal("DUO:0000042", Table.Find("GRU")!.Id);
        Assert.Equal("DUO:0000007", Table.Find("DS")!.Id);
    }

    [Fact]
    public void Given_ATableWithAnUnknownRequirement_When_Parsed_Then_Refused()
    {
        const string json = """{"source":"x","purposes":[{"code":"HMB","label":"h"}],"terms":[{"code":"XX","id":"DUO:1","label":"x","kind":"modifier","requires":"magic"}]}""";
        var e = Assert.Throws<InvalidDataException>(() => DuoTerms.Parse(new MemoryStream(Encoding.UTF8.GetBytes(json))));
        Assert.Contains("XX", e.Message);
    }

    [Theory]
    [InlineData("Consent", "HMB", "GRU")]
    [InlineData("Consent", "XYZ")]
    [InlineData("Consent", "DS")]
    [InlineData("Consent", "HMB", "HMB")]
    public void Given_InvalidConsentTerms_When_Validated_Then_Refused(string field, params string[] codes)
    {
        var result = new ConsentTermsValidator(Table).Validate(codes.Select(c => new ConsentTerm(c)).ToList());
        Assert.Contains(result.Errors, e => e.PropertyName.StartsWith(field, StringComparison.Ordinal));
    }
}

using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Datasets.Generators;
using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.Evaluation.Tables;
using ReleaseGateway.Privacy.Accounting;
using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Releases.Generators;

namespace ReleaseGateway.Releases.Tests.Generators;

/// <summary>The one registry of generators (ADR 0034): complete, unique, loud about unknown names.</summary>
public sealed class GeneratorRegistryTests
{
    private const string Known = "known: aim, mst, made";

    [Fact]
    public void Given_TheDefaultRegistry_When_ItsEntriesAreRead_Then_EveryCatalogGeneratorHasExactlyOneCompleteEntry()
    {
        var entries = GeneratorRegistry.Default.Entries;

        Assert.Equal(GeneratorCatalog.Names, entries.Select(e => e.Name));
        Assert.Equal(entries.Count, entries.Select(e => e.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        var coding = new SchemaCoding(DatasetSchema.Parse("""{"a": 2, "b": 3}"""));
        Assert.All(entries, e =>
        {
            Assert.Same(GeneratorCatalog.Get(e.Name), e.Descriptor);
            Assert.Matches("^[a-z]+$", e.Name);
            Assert.False(string.IsNullOrWhiteSpace(e.Descriptor.Title));
            Assert.False(string.IsNullOrWhiteSpace(e.Descriptor.Description));
            Assert.Matches(@"^ReleaseGateway\.Synthesis(\.Neural)? \d", e.Version);
            Assert.Equal(e.Descriptor.HasShadowModel, e.CreateShadowModel(coding, 1.0, 1e-9) is not null);
            Assert.Equal(e.Descriptor.HasShadowModel, string.IsNullOrWhiteSpace(e.Descriptor.NoShadowModelReason));
        });
    }

    [Fact]
    public void Given_TheCatalog_When_CapabilitiesAreRead_Then_MarginalGeneratorsAreZcdpPersonLevelWithShadowsAndMadeIsDpSgdRowLevelWithout()
    {
        Assert.Equal(GeneratorCatalog.Aim, GeneratorCatalog.Default);
        foreach (var g in new[] { GeneratorCatalog.Aim, GeneratorCatalog.Mst })
            Assert.Equal((GeneratorCostAccounting.Zcdp, true, true), (g.Accounting, g.SupportsPersonLevel, g.HasShadowModel));
        var made = GeneratorCatalog.Made;
        Assert.Equal((GeneratorCostAccounting.RenyiDpSgd, false, false), (made.Accounting, made.SupportsPersonLevel, made.HasShadowModel));
        Assert.Equal("ReleaseGateway.Synthesis.Neural", GeneratorRegistry.Default.Get("made").Version.Split(' ')[0]);
    }

    [Theory]
    [InlineData("gan")]
    [InlineData("AIM")]
    [InlineData("")]
    [InlineData(null)]
    public void Given_AnUnknownName_When_LookedUp_Then_ItThrowsNamingItAndListingTheKnownOnes(string? name)
    {
        var fromRegistry = Assert.Throws<UnknownGeneratorException>(() => GeneratorRegistry.Default.Get(name));
        var fromCatalog = Assert.Throws<UnknownGeneratorException>(() => GeneratorCatalog.Get(name));

        Assert.Equal($"unknown generator '{name}' ({Known})", fromRegistry.Message);
        Assert.Equal(fromRegistry.Message, fromCatalog.Message);
        Assert.False(GeneratorCatalog.IsKnown(name));
    }

    [Fact]
    public void Given_ARegistryMissingOrRepeatingAGenerator_When_Built_Then_Refused()
    {
        var aim = GeneratorRegistry.Default.Get("aim");
        var mst = GeneratorRegistry.Default.Get("mst");

        Assert.Contains("no entry for catalog generator(s) made",
            Assert.Throws<ArgumentException>(() => new GeneratorRegistry([aim, mst])).Message);
        Assert.Contains("'aim' is registered 2 times",
            Assert.Throws<ArgumentException>(() => new GeneratorRegistry([aim, aim, mst, GeneratorRegistry.Default.Get("made")])).Message);
        var stranger = GeneratorCatalog.Aim with { Name = "gan" };
        Assert.Contains("'gan' is not the catalog's descriptor",
            Assert.Throws<ArgumentException>(() => new GeneratorRegistry([..GeneratorRegistry.Default.Entries,
                new GeneratorEntry(stranger, typeof(GeneratorRegistry).Assembly, _ => throw new InvalidOperationException(), (_, _, _) => (_, _, _) => null!)])).Message);
    }

    [Fact]
    public void Given_AnEntryWhoseShadowFactoryContradictsItsDescriptor_When_Built_Then_Refused()
    {
        GeneratorOutput Never(GeneratorRun _) => throw new InvalidOperationException();

        Assert.Contains("declares no shadow model", Assert.Throws<ArgumentException>(() =>
            new GeneratorEntry(GeneratorCatalog.Made, typeof(GeneratorRegistry).Assembly, Never, (_, _, _) => (_, _, _) => null!)).Message);
        Assert.Contains("registers no factory", Assert.Throws<ArgumentException>(() =>
            new GeneratorEntry(GeneratorCatalog.Aim, typeof(GeneratorRegistry).Assembly, Never, null)).Message);
    }

    [Fact]
    public void Given_MadeAndSeveralRowsPerPerson_When_Run_Then_RefusedBeforeTrainingBecauseItHasNoPersonLevelBounding()
    {
        var run = Run(ReleaseBudgetPlan.Create(1.0, 1e-9, 0.05, 3, perPerson: true));
        var made = GeneratorRegistry.Default.Get("made");

        Assert.Contains("no person-level bounding", Assert.Single(made.Validate(run)));
        Assert.Contains("generator 'made'", Assert.Throws<ArgumentException>(() => made.Run(run)).Message);
        Assert.Empty(GeneratorRegistry.Default.Get("mst").Validate(run));
    }

    [Theory]
    [InlineData("aim")]
    [InlineData("mst")]
    public void Given_AMarginalGenerator_When_RunThroughTheRegistry_Then_ItWritesTheRequestedRowsInTheInputsDomainAndNoSeparateAccounting(string name)
    {
        var run = Run(ReleaseBudgetPlan.Create(1.0, 1e-9, 0.05, 1, perPerson: false));
        var stages = new List<string>();

        var output = GeneratorRegistry.Default.Get(name).Run(run with { Progress = (_, stage) => stages.Add(stage) });

        Assert.Null(output.AccountedCost);
        Assert.Equal(150, output.Table.RowCount);
        Assert.Equal(run.Train!.ColumnNames, output.Table.ColumnNames);
        Assert.Equal(run.Train.DomainSizes, output.Table.DomainSizes);
        Assert.NotEmpty(stages);
    }

    [Fact]
    public void Given_ASourceCountedInAnEngine_When_EachGeneratorChecksTheRun_Then_OnlyTheMarginalGeneratorsAcceptIt()
    {
        var run = Run(ReleaseBudgetPlan.Create(1.0, 1e-9, 0.05, 1, perPerson: false));
        var engine = run with { Train = null, Marginals = new ReleaseGateway.Synthesis.Marginals.TableMarginalSource(run.Train!) };

        Assert.Empty(GeneratorRegistry.Default.Get(GeneratorCatalog.Aim.Name).Validate(engine));
        Assert.Empty(GeneratorRegistry.Default.Get(GeneratorCatalog.Mst.Name).Validate(engine));
        Assert.Contains(GeneratorRegistry.Default.Get(GeneratorCatalog.Made.Name).Validate(engine), p => p.Contains("rows in memory", StringComparison.Ordinal));
        Assert.Equal(150, GeneratorRegistry.Default.Get(GeneratorCatalog.Aim.Name).Run(engine).Table.RowCount);
    }

    /// <summary>500 rows of four small dependent columns (seed 16): enough for a run, small enough to be quick.</summary>
    private static GeneratorRun Run(ReleaseBudgetPlan budget)
    {
        var random = new Random(16);
        var a = Enumerable.Range(0, 500).Select(_ => random.Next(3)).ToArray();
        var b = a.Select(x => (x + random.Next(2)) % 3).ToArray();
        var c = Enumerable.Range(0, 500).Select(_ => random.Next(2)).ToArray();
        var d = c.Select(x => random.NextDouble() < 0.8 ? x : 1 - x).ToArray();
        var table = new EncodedTable(["a", "b", "c", "d"], [3, 3, 2, 2], [a, b, c, d]);
        return new GeneratorRun(table, budget.Epsilon, budget.Delta, 150, budget, new SecretStreams(SecretStreams.NewKey()).Stream(RandomPurpose.Noise), (_, _) => { });
    }
}

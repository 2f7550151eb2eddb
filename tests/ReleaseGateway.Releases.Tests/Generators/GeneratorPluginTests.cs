using Microsoft.Extensions.Configuration;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Datasets.Generators;
using ReleaseGateway.Privacy.Accounting;
using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Releases.Generators;
using ReleaseGateway.Releases.Neural;

namespace ReleaseGateway.Releases.Tests.Generators;

/// <summary>Plug-in generators (ADR 0043): declared everywhere, run only where their plug-in is installed.</summary>
public sealed class GeneratorPluginTests
{
    private static GeneratorRegistry Fresh() => new([GeneratorRegistry.Default.Get("aim"), GeneratorRegistry.Default.Get("mst"),
        GeneratorEntry.Declared(GeneratorCatalog.Made, GeneratorRegistry.NeuralPlugin)]);

    private static GeneratorRun RunOf(int k = 1) => new(new EncodedTable(["a"], [2], [[0, 1, 1, 0]]), 1.0, 1e-6, 4,
        ReleaseBudgetPlan.Create(1.0, 1e-6, 0, k, k > 1), new SeededRandomSource(1), (_, _) => { });

    [Fact]
    public void Given_MadeDeclaredWithoutItsPlugin_When_CheckedAndRun_Then_ItsOptionsAreCheckedAndTheRunNamesTheMissingPlugin()
    {
        var made = Fresh().Get("made");

        Assert.False(made.IsInstalled);
        Assert.Equal("generator-made", made.ExecutionGroup);
        Assert.Empty(made.Validate(RunOf()));
        Assert.Contains("no person-level bounding", Assert.Single(made.Validate(RunOf(k: 3))));
        var e = Assert.Throws<GeneratorNotInstalledException>(() => made.Run(RunOf()));
        Assert.Equal("generator 'made' is not installed on this node: it runs only where its plug-in ReleaseGateway.Releases.Neural is loaded " +
            "(ReleaseGateway:Generators:Plugins, or the image's plugins folder; docs/deployment.md)", e.Message);
        Assert.Null(Fresh().Get("aim").ExecutionGroup);
        Assert.True(Fresh().Get("aim").IsInstalled);
    }

    [Fact]
    public void Given_TheNeuralPluginAssembly_When_LoadedFromItsPath_Then_TheRegistryRunsMade()
    {
        var registry = Fresh();

        registry.Install(GeneratorPlugins.Load(Path.Combine(AppContext.BaseDirectory, "ReleaseGateway.Releases.Neural.dll")));

        var made = registry.Get("made");
        Assert.True(made.IsInstalled);
        Assert.StartsWith("ReleaseGateway.Synthesis.Neural ", made.Version);
        Assert.Equal(GeneratorCatalog.Names, registry.Entries.Select(e => e.Name));
    }

    [Fact]
    public void Given_AnEntryNotDeclaredAsAPlugin_When_Installed_Then_Refused()
    {
        var registry = Fresh();
        var aim = registry.Get("aim");

        Assert.Contains("is not declared as a plug-in", Assert.Throws<ArgumentException>(() => registry.Install([aim])).Message);
        var stranger = new GeneratorEntry(GeneratorCatalog.Made, typeof(GeneratorRegistry).Assembly, _ => throw new InvalidOperationException(), null, "Some.Other.Plugin");
        Assert.Contains("is not declared as a plug-in of Some.Other.Plugin", Assert.Throws<ArgumentException>(() => registry.Install([stranger])).Message);
        Assert.False(registry.Get("made").IsInstalled);
        Assert.True(new NeuralGeneratorPlugin().Entries.All(e => e.Plugin == GeneratorRegistry.NeuralPlugin));
    }

    [Fact]
    public void Given_NoPluginsConfiguredAndNoPluginsFolder_When_PathsAreRead_Then_None()
    {
        var configuration = new ConfigurationBuilder().Build();

        Assert.Empty(GeneratorPlugins.PathsFrom(configuration));
        var configured = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [GeneratorPlugins.ConfigurationKey] = "plugins/x/x.dll" }).Build();
        Assert.Equal([Path.Combine(AppContext.BaseDirectory, "plugins", "x", "x.dll")], GeneratorPlugins.PathsFrom(configured));
    }
}

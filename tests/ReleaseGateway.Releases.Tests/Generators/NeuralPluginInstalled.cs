using System.Runtime.CompilerServices;
using ReleaseGateway.Releases.Generators;
using ReleaseGateway.Releases.Neural;

namespace ReleaseGateway.Releases.Tests.Generators;

internal static class NeuralPluginInstalled
{
    // These tests run made through the registry, as a neural worker node does (ADR 0043).
    [ModuleInitializer]
    internal static void Install() => GeneratorRegistry.Default.Install(new NeuralGeneratorPlugin().Entries);
}

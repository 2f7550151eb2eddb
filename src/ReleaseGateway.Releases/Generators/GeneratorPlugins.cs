using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using Microsoft.Extensions.Configuration;

namespace ReleaseGateway.Releases.Generators;

/// <summary>What a generator plug-in assembly exposes: a public type with a parameterless constructor (ADR 0043).</summary>
public interface IGeneratorPlugin
{
    /// <summary>The executable entries for generators the registry declares with this plug-in's assembly name.</summary>
    IReadOnlyList<GeneratorEntry> Entries { get; }
}

/// <summary>
/// Loads generator plug-ins (ADR 0043) into the application's own load context, so they share its types: the plug-in's
/// folder is searched for the assemblies and native libraries the application does not carry (TorchSharp, libtorch).
/// Which plug-ins: <c>ReleaseGateway:Generators:Plugins</c> (a path, or a list of paths, to plug-in assemblies, relative
/// to the application folder), otherwise every <c>plugins/NAME/NAME.dll</c> under the application folder.
/// </summary>
public static class GeneratorPlugins
{
    public const string ConfigurationKey = "ReleaseGateway:Generators:Plugins";
    public const string DefaultFolder = "plugins";

    private static readonly HashSet<string> Folders = new(StringComparer.Ordinal);

    /// <summary>The plug-in assemblies configured, or found in the application's <c>plugins</c> folder.</summary>
    public static IReadOnlyList<string> PathsFrom(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var configured = configuration.GetSection(ConfigurationKey).GetChildren().Select(c => c.Value)
            .Append(configuration[ConfigurationKey])
            .Where(v => !string.IsNullOrWhiteSpace(v))
            .Select(v => Path.GetFullPath(v!, AppContext.BaseDirectory))
            .ToList();
        if (configured.Count > 0) return configured;
        var folder = Path.Combine(AppContext.BaseDirectory, DefaultFolder);
        return Directory.Exists(folder)
            ? [.. Directory.GetDirectories(folder).Order(StringComparer.Ordinal).Select(d => Path.Combine(d, Path.GetFileName(d) + ".dll")).Where(File.Exists)]
            : [];
    }

    /// <summary>Loads the plug-ins <paramref name="configuration"/> names and installs their entries into <paramref name="registry"/>.</summary>
    public static GeneratorRegistry InstallFrom(this GeneratorRegistry registry, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(registry);
        foreach (var path in PathsFrom(configuration)) registry.Install(Load(path));
        return registry;
    }

    /// <summary>The entries of every <see cref="IGeneratorPlugin"/> in the plug-in assembly at <paramref name="path"/>.</summary>
    public static IReadOnlyList<GeneratorEntry> Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Generator plug-in {path} does not exist ({ConfigurationKey}).", path);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        lock (Folders)
            if (Folders.Add(folder))
            {
                AssemblyLoadContext.Default.Resolving += (context, name) =>
                    Path.Combine(folder, name.Name + ".dll") is var candidate && File.Exists(candidate) ? context.LoadFromAssemblyPath(candidate) : null;
                AssemblyLoadContext.Default.ResolvingUnmanagedDll += (_, name) =>
                {
                    foreach (var file in new[] { name, $"lib{name}.so", $"{name}.so", $"{name}.dll" })
                        if (Path.Combine(folder, file) is var candidate && File.Exists(candidate)) return NativeLibrary.Load(candidate);
                    return IntPtr.Zero;
                };
            }
        // By name, not by path: an application that already carries the assembly (a test host) gets the same one.
        var assembly = AssemblyLoadContext.Default.LoadFromAssemblyName(AssemblyName.GetAssemblyName(path));
        var plugins = assembly.GetExportedTypes().Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IGeneratorPlugin).IsAssignableFrom(t)).ToList();
        if (plugins.Count == 0) throw new InvalidOperationException($"{path} is not a generator plug-in: it has no public {nameof(IGeneratorPlugin)}.");
        return [.. plugins.SelectMany(t => ((IGeneratorPlugin)Activator.CreateInstance(t)!).Entries)];
    }
}

namespace ReleaseGateway.Testing;

/// <summary>Finds files of the repository and of the workplace's shared/ folder from a test's working directory.</summary>
public static class RepositoryPaths
{
    /// <summary>The repository root (the folder holding ReleaseGateway.sln).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The shared clinical tables (../shared/data beside the repository).</summary>
    public static string SharedData => Path.GetFullPath(Path.Combine(Root, "..", "shared", "data"));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ReleaseGateway.sln"))) return dir.FullName;
        throw new InvalidOperationException("ReleaseGateway.sln not found above " + AppContext.BaseDirectory);
    }
}

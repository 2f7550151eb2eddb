using System.Runtime.InteropServices;
using System.Runtime.Loader;
using TorchSharp;

namespace ReleaseGateway.Synthesis.Neural.TorchLoading;

/// <summary>How the native TorchSharp library was made loadable in this process.</summary>
public enum NativeFixOutcome
{
    /// <summary>Not Linux, or the C++ runtime already provides every version LibTorchSharp needs.</summary>
    NotNeeded,

    /// <summary>The library next to the application was already patched (by an earlier run).</summary>
    AlreadyPatched,

    /// <summary>The library next to the application was patched now (atomically replaced by a patched copy).</summary>
    PatchedInPlace,

    /// <summary>The probed library could not be changed (NuGet cache or read-only folder); a patched copy in the user cache is loaded instead.</summary>
    PatchedCopyInCache,

    /// <summary>No libLibTorchSharp.so was found on the probing paths; TorchSharp's own loader decides.</summary>
    LibraryNotFound,
}

/// <summary>
/// Loads TorchSharp's native backend, first making <c>libLibTorchSharp.so</c> loadable on systems
/// whose libstdc++ is older than the one it was built against (Debian 12: GCC 12, while TorchSharp
/// 0.107 requires the GCC 13 version GLIBCXX_3.4.32 for one unused symbol). Call
/// <see cref="EnsureInitialized"/> before any other TorchSharp call; it is idempotent and thread-safe.
/// </summary>
/// <remarks>
/// The check uses the C++ runtime actually loaded into the process (its <c>.gnu.version_d</c>), so on
/// distributions with GCC &gt;= 13 nothing is touched. The NuGet cache is never modified: the copy in
/// the application's folder is replaced (atomic rename), or, when that folder is read-only or is the
/// NuGet cache, a patched copy under the user cache folder is loaded through
/// <see cref="AssemblyLoadContext.ResolvingUnmanagedDll"/>. Decision record: docs/adr/0016-torchsharp-glibcxx-fix.md.
/// </remarks>
public static class TorchRuntime
{
    /// <summary>File name of TorchSharp's native library on Linux.</summary>
    public const string NativeLibraryFile = "libLibTorchSharp.so";

    private const string CxxRuntime = "libstdc++.so.6";
    private static readonly Lock Gate = new();
    private static NativeFixOutcome? outcome;

    /// <summary>What the native fix did in this process (null before <see cref="EnsureInitialized"/>).</summary>
    public static NativeFixOutcome? Outcome => outcome;

    /// <summary>Applies the native fix if needed and initialises TorchSharp's CPU backend.</summary>
    /// <exception cref="InvalidOperationException">The library needs a version that cannot be safely weakened, or TorchSharp fails to load.</exception>
    public static NativeFixOutcome EnsureInitialized()
    {
        lock (Gate)
        {
            if (outcome is { } done)
            {
                return done;
            }

            NativeFixOutcome result = OperatingSystem.IsLinux() ? FixForLinux() : NativeFixOutcome.NotNeeded;
            torch.InitializeDeviceType(DeviceType.CPU);
            outcome = result;
            return result;
        }
    }

    /// <summary>The version names defined by the libstdc++ loaded into this process, or null when it cannot be located.</summary>
    public static IReadOnlySet<string>? LoadedCxxRuntimeVersions()
    {
        string? path = LoadedCxxRuntimePath();
        return path is null ? null : new ElfImage(File.ReadAllBytes(path)).VersionDefinitions();
    }

    /// <summary>Path of the libstdc++ mapped into this process (loading it first if needed), or null.</summary>
    public static string? LoadedCxxRuntimePath()
    {
        if (!OperatingSystem.IsLinux() || !NativeLibrary.TryLoad(CxxRuntime, out _))
        {
            return null;
        }

        foreach (string line in File.ReadLines("/proc/self/maps"))
        {
            int slash = line.IndexOf('/', StringComparison.Ordinal);
            // The soname is usually a symlink: the mapping shows the real file (libstdc++.so.6.0.30).
            if (slash >= 0 && Path.GetFileName(line.AsSpan(slash)).StartsWith(CxxRuntime, StringComparison.Ordinal))
            {
                return line[slash..];
            }
        }

        return null;
    }

    /// <summary>The libLibTorchSharp.so files the runtime would probe, in probing order.</summary>
    public static IReadOnlyList<string> ProbedNativeLibraries()
    {
        var directories = new List<string>();
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string searchDirectories)
        {
            directories.AddRange(searchDirectories.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        }

        directories.Add(AppContext.BaseDirectory);
        directories.Add(Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native"));
        // A generator plug-in (ADR 0043) carries TorchSharp and libtorch in its own folder, beside TorchSharp.dll.
        if (Path.GetDirectoryName(typeof(torch).Assembly.Location) is { Length: > 0 } plugin) directories.Add(plugin);
        return directories
            .Select(d => Path.GetFullPath(Path.Combine(d, NativeLibraryFile)))
            .Distinct(StringComparer.Ordinal)
            .Where(File.Exists)
            .ToArray();
    }

    private static NativeFixOutcome FixForLinux()
    {
        IReadOnlySet<string>? provided = LoadedCxxRuntimeVersions();
        string? library = ProbedNativeLibraries().FirstOrDefault();
        if (provided is null || library is null)
        {
            return NativeFixOutcome.LibraryNotFound;
        }

        byte[] original = File.ReadAllBytes(library);
        VersionPatchPlan plan = SymbolVersionPatcher.Plan(new ElfImage(original), CxxRuntime, provided);
        if (plan.IsNoOp)
        {
            return plan.AlreadyWeak.Count > 0 ? NativeFixOutcome.AlreadyPatched : NativeFixOutcome.NotNeeded;
        }

        byte[] patched = SymbolVersionPatcher.Apply(original, plan);
        if (!IsUnderNuGetCache(library) && TryReplaceAtomically(library, patched))
        {
            return NativeFixOutcome.PatchedInPlace;
        }

        string copy = WriteCachedCopy(original, patched);
        AssemblyLoadContext.Default.ResolvingUnmanagedDll += (_, name) =>
            name is "LibTorchSharp" or NativeLibraryFile ? NativeLibrary.Load(copy) : IntPtr.Zero;
        return NativeFixOutcome.PatchedCopyInCache;
    }

    /// <summary>Replaces <paramref name="path"/> by a new file (rename), so a hard link to it, such as the build's link into the NuGet cache, keeps the old bytes.</summary>
    internal static bool TryReplaceAtomically(string path, byte[] patched)
    {
        string temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            File.WriteAllBytes(temporary, patched);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, File.GetUnixFileMode(path));
            }

            // rename(2) is atomic: a concurrent process maps either the old or the patched file, and
            // a process that already mapped the old inode keeps it.
            File.Move(temporary, path, overwrite: true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(temporary);
            return false;
        }
    }

    private static string WriteCachedCopy(byte[] original, byte[] patched)
    {
        string root = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        string hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(original))[..16];
        string directory = Path.Combine(root, "releasegateway", "torchsharp", hash);
        string path = Path.Combine(directory, NativeLibraryFile);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(directory);
            string temporary = $"{path}.{Environment.ProcessId}.tmp";
            File.WriteAllBytes(temporary, patched);
            File.Move(temporary, path, overwrite: true);
        }

        return path;
    }

    private static bool IsUnderNuGetCache(string path)
    {
        string nuget = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return path.StartsWith(Path.GetFullPath(nuget).TrimEnd('/') + "/", StringComparison.Ordinal);
    }
}

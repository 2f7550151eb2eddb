using System.Runtime.InteropServices;

namespace ReleaseGateway.EventStore;

/// <summary>
/// Keeps the data folder (identity.db, events.db and their -wal/-shm files, keys, encrypted source tables,
/// artifacts, seeds) readable by the gateway's own user only: files 0600, folders 0700, whatever the umask the
/// process was started with. Creating each file with a mode is not enough, because SQLite, Data Protection, Quartz
/// and the artifact writers create files of their own; so the process's umask becomes 077 (nothing for group and
/// others) before anything is created, and what already exists (a folder made by an older version, by hand, or
/// restored from a backup) is tightened once at start. Symbolic links are not followed.
/// </summary>
public static class DataFolder
{
    /// <summary>The umask that leaves group and others no permission at all.</summary>
    private const uint OwnerOnlyUmask = 0b000_111_111; // 077

    private const UnixFileMode OwnerBits = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>From now on, files and folders this process creates are owner-only (umask 077). Does nothing on Windows.</summary>
    public static void CreateOwnerOnlyFromNowOn()
    {
        if (!OperatingSystem.IsWindows()) _ = Umask(OwnerOnlyUmask);
    }

    /// <summary>
    /// Makes <paramref name="directory"/> and everything under it owner-only (folders 0700, files keep only their owner
    /// bits, so 0600) and sets the process's umask to 077 so that what is created later is owner-only too.
    /// </summary>
    public static void Secure(string directory)
    {
        CreateOwnerOnlyFromNowOn();
        if (OperatingSystem.IsWindows()) return;
        Tighten(Directory.CreateDirectory(directory));
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void Tighten(DirectoryInfo folder)
    {
        if (folder.UnixFileMode != OwnerBits) folder.UnixFileMode = OwnerBits;
        foreach (var entry in folder.EnumerateFileSystemInfos())
        {
            if (entry.LinkTarget is not null) continue;
            if (entry is DirectoryInfo child) Tighten(child);
            else if ((entry.UnixFileMode & ~OwnerBits) != 0) entry.UnixFileMode &= OwnerBits;
        }
    }

    // DllImport rather than LibraryImport: this blittable signature needs no marshalling, and no unsafe code in the project.
    [DllImport("libc", EntryPoint = "umask")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern uint Umask(uint mask);
}

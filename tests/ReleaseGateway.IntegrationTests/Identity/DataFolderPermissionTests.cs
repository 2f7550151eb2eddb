using System.Net;
using System.Runtime.InteropServices;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.IntegrationTests.Infrastructure;
using ReleaseGateway.IntegrationTests.Requests;

namespace ReleaseGateway.IntegrationTests.Identity;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DataFolderPermissionTestsOnSqlite() : DataFolderPermissionTests(() => new SqliteGatewayHost());

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DataFolderPermissionTestsOnPostgres() : DataFolderPermissionTests(() => new PostgresGatewayHost());

/// <summary>
/// Issue 15, row 9: everything under the data folder is the gateway user's alone (files 0600, folders 0700), even when
/// the gateway is started with the common umask 022 and the folder already holds files an older version left readable.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public abstract class DataFolderPermissionTests(Func<GatewayHost> newHost)
{
    private const UnixFileMode GroupAndOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    [Fact]
    public async Task Bug_IdentityDbEventsDbAndArtifactsWereWorldReadable()
    {
        var host = newHost();
        _ = Umask(0b000_010_010); // 022: group and others may read
        Directory.CreateDirectory(Path.Combine(host.DataDirectory, "artifacts", "old"));
        await File.WriteAllTextAsync(Path.Combine(host.DataDirectory, "artifacts", "old", "left-by-an-older-version.csv"), "a,b\n1,2\n");
        Assert.NotEqual(default, File.GetUnixFileMode(Path.Combine(host.DataDirectory, "artifacts", "old", "left-by-an-older-version.csv")) & GroupAndOthers);
        await host.InitializeAsync();
        try
        {
            // Identity (users, tokens), the audit log, keys, and an encrypted source table.
            var api = new RequestsApi(host);
            var (steward, _) = await api.As(Roles.DataSteward);
            await api.DatasetWithSourceAsync(steward);
            using var officer = host.CreateClient(await host.AccessTokenForRoleAsync(Roles.ComplianceOfficer));
            Assert.Equal(HttpStatusCode.OK, (await officer.GetAsync("/api/me")).StatusCode);

            var entries = new DirectoryInfo(host.DataDirectory).EnumerateFileSystemInfos("*", SearchOption.AllDirectories).Prepend(new DirectoryInfo(host.DataDirectory)).ToList();
            var names = entries.Select(e => Path.GetRelativePath(host.DataDirectory, e.FullName)).ToList();
            if (host.PostgresConnectionString is null)
                Assert.Contains("identity.db", names);
            Assert.Contains(names, n => n.StartsWith("keys", StringComparison.Ordinal) && n.EndsWith(".pem", StringComparison.Ordinal));
            Assert.True(entries.Count(e => e is FileInfo) >= 4, string.Join(", ", names));
            Assert.All(entries, e =>
            {
                var expected = e is DirectoryInfo ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute : UnixFileMode.UserRead | UnixFileMode.UserWrite;
                Assert.True((e.UnixFileMode & GroupAndOthers) == 0 && (e is FileInfo || e.UnixFileMode == expected),
                    $"{Path.GetRelativePath(host.DataDirectory, e.FullName)} is {Convert.ToString((int)e.UnixFileMode, 8)}");
            });
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [DllImport("libc", EntryPoint = "umask")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern uint Umask(uint mask);
}

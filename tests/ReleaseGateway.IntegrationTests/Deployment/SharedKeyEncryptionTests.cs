using System.Text;
using Microsoft.Extensions.Configuration;
using ReleaseGateway.EventStore.Blobs;
using ReleaseGateway.Testing;

namespace ReleaseGateway.IntegrationTests.Deployment;

/// <summary>
/// On shared storage Data Protection's keys are encrypted by the framework with the storage key from configuration
/// (ADR 0043), as the folder mode encrypts them with a certificate (ADR 0050): no "No XML encryptor configured" warning.
/// </summary>
public sealed class SharedKeyEncryptionTests : IAsyncLifetime
{
    private GatewayCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var postgres = await PostgresCluster.Shared.CreateDatabaseAsync("rgw_dpkeys_" + Guid.NewGuid().ToString("N")[..12]);
        _cluster = new GatewayCluster(postgres, Path.Combine(RepositoryPaths.Root, "policies"));
    }

    public Task DisposeAsync()
    {
        _cluster.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Given_ASharedModeNode_When_ItCreatesItsDataProtectionKey_Then_ItLogsNoUnencryptedKeyWarningAndTheSecretIsSealed()
    {
        var node = await _cluster.StartAsync("a");
        using var http = new HttpClient { BaseAddress = node.Address };
        Assert.True((await http.GetAsync("/account/login")).IsSuccessStatusCode); // an antiforgery token: the key ring is in use

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(_cluster.Environment(node.DataDirectory)
            .Select(p => KeyValuePair.Create(p.Key.Replace("__", ":", StringComparison.Ordinal), p.Value))).Build();
        var keys = GatewayStorage.FromConfiguration(configuration).Keys;
        var stored = keys.List("keys/data-protection");
        Assert.NotEmpty(stored);
        foreach (var name in stored)
        {
            var xml = Encoding.UTF8.GetString(keys.Read($"keys/data-protection/{name}")!);
            Assert.Contains("storageKeySealed", xml, StringComparison.Ordinal);
            Assert.DoesNotContain("<masterKey", xml, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("No XML encryptor configured", node.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("without encryption", node.Output, StringComparison.Ordinal);
    }
}

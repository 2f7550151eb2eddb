using System.Security.Cryptography;
using System.Text;
using ReleaseGateway.Releases.Pipeline;
using ReleaseGateway.Requests.Datasets.UploadSourceTable;

namespace ReleaseGateway.Releases.Tests.Pipeline;

public sealed class AttemptSecretTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("rgw-vault-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private SeedVault Vault() => new(_data, SourceEncryptionKey.FromConfiguration(null, _data));

    [Fact]
    public void Given_NewAttempt_When_SecretCreated_Then_FileIsEncryptedAndOwnerOnly()
    {
        var releaseId = Guid.CreateVersion7();
        var vault = Vault();

        var secret = vault.GetOrCreate(releaseId);

        var bytes = File.ReadAllBytes(vault.PathOf(releaseId));
        Assert.Equal(32, secret.Key.Length);
        Assert.Equal(32, secret.Nonce.Length);
        Assert.Equal("RGWSRC01"u8.ToArray(), bytes[..8]);
        Assert.Equal(-1, bytes.AsSpan().IndexOf(secret.Key));
        Assert.Equal(-1, bytes.AsSpan().IndexOf(secret.Nonce));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(vault.PathOf(releaseId)));
    }

    [Fact]
    public void Given_StoredSecret_When_ResumedByAnotherVaultInstance_Then_SameKeyNonceAndEvaluationSeed()
    {
        var releaseId = Guid.CreateVersion7();
        var first = Vault().GetOrCreate(releaseId);

        var again = Vault().GetOrCreate(releaseId);
        var loaded = Vault().Load(releaseId);

        Assert.Equal(first.Key, again.Key);
        Assert.Equal(first.Nonce, loaded.Nonce);
        Assert.Equal(first.EvaluationSeed, loaded.EvaluationSeed);
        Assert.NotEqual(first.Key, Vault().GetOrCreate(Guid.CreateVersion7()).Key);
    }

    [Fact]
    public void Given_Secret_When_Committed_Then_BlindedCommitmentOpensWithKeyAndNonceButIsNotAHashOfTheKey()
    {
        var releaseId = Guid.CreateVersion7();
        var secret = Vault().GetOrCreate(releaseId);

        var commitment = secret.Commitment(releaseId);

        Assert.NotEqual(Convert.ToHexStringLower(SHA256.HashData(secret.Key)), commitment);
        Assert.NotEqual(Convert.ToHexStringLower(SHA256.HashData([.. Encoding.UTF8.GetBytes($"rgw-attempt-key:v1:{releaseId:D}"), .. secret.Key])), commitment);
        // Opening: whoever is given the key file recomputes it.
        Assert.Equal(Convert.ToHexStringLower(HMACSHA256.HashData(secret.Nonce, (byte[])[.. Encoding.UTF8.GetBytes($"rgw-attempt-key:v1:{releaseId:D}"), .. secret.Key])), commitment);
        Assert.NotEqual(commitment, secret.Commitment(Guid.CreateVersion7()));
    }

    [Fact]
    public void Given_NoStoredSecret_When_Loaded_Then_RefusedRatherThanInvented()
    {
        Assert.Throws<InvalidOperationException>(() => Vault().Load(Guid.CreateVersion7()));
    }

    [Fact]
    public void Given_TamperedFile_When_Loaded_Then_AuthenticationFails()
    {
        var releaseId = Guid.CreateVersion7();
        var vault = Vault();
        vault.GetOrCreate(releaseId);
        var path = vault.PathOf(releaseId);
        var bytes = File.ReadAllBytes(path);
        bytes[^20] ^= 1;
        File.WriteAllBytes(path, bytes);

        Assert.ThrowsAny<CryptographicException>(() => vault.Load(releaseId));
    }
}

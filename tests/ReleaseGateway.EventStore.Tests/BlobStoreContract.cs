using System.Security.Cryptography;
using System.Text;
using ReleaseGateway.EventStore.Blobs;
using ReleaseGateway.Testing;

namespace ReleaseGateway.EventStore.Tests;

public sealed class FolderBlobStoreTests : BlobStoreContract, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rgw-blobs-").FullName;

    protected override Task<IBlobStore> CreateAsync() => Task.FromResult<IBlobStore>(new FolderBlobStore(_root));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Given_AFolderStore_When_ABlobIsCreated_Then_ItIsTheOwnerOnlyFileAtItsName()
    {
        var store = (FolderBlobStore)await CreateAsync();
        Assert.True(store.TryCreate("keys/a.pem", "secret"u8));
        var path = Path.Combine(_root, "keys", "a.pem");
        Assert.Equal("secret", await File.ReadAllTextAsync(path));
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }
}

public sealed class PostgresBlobStoreTests : BlobStoreContract
{
    protected override async Task<IBlobStore> CreateAsync() =>
        new PostgresBlobStore(await PostgresCluster.Shared.CreateDatabaseAsync("rgw_blobs_" + Guid.NewGuid().ToString("N")[..12]));
}

/// <summary>What every blob store must do, on the data folder and on PostgreSQL alike (ADR 0041).</summary>
public abstract class BlobStoreContract
{
    protected abstract Task<IBlobStore> CreateAsync();

    [Fact]
    public async Task Given_ABlobLargerThanAChunk_When_StagedAndPublished_Then_ItReadsBackWhole_AndTheNameIsNotTakenTwice()
    {
        var store = await CreateAsync();
        var content = RandomNumberGenerator.GetBytes(3 * (1 << 20) + 17);
        await using (var staged = await store.StageAsync("artifacts", s => s.WriteAsync(content).AsTask(), default))
        {
            Assert.Equal(content.Length, staged.Length);
            using (var back = new MemoryStream())
            {
                await using (var read = staged.OpenRead()) await read.CopyToAsync(back);
                Assert.Equal(content, back.ToArray());
            }
            Assert.True(await staged.PublishAsync("artifacts/ab/one", default));
        }
        Assert.Equal(content, store.ReadAll("artifacts/ab/one"));

        await using var second = await store.StageAsync("artifacts", s => s.WriteAsync("other"u8.ToArray()).AsTask(), default);
        Assert.False(await second.PublishAsync("artifacts/ab/one", default));
        Assert.Equal(content, store.ReadAll("artifacts/ab/one"));
    }

    [Fact]
    public async Task Given_AStagedBlob_When_DisposedUnpublished_Or_TheWriterFails_Then_NothingIsLeftUnderAnyName()
    {
        var store = await CreateAsync();
        await using (await store.StageAsync("sources", s => s.WriteAsync(new byte[100]).AsTask(), default))
        {
        }
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.StageAsync("sources", async s =>
        {
            await s.WriteAsync(new byte[(1 << 20) + 5]);
            throw new InvalidOperationException("upload refused");
        }, default));
        Assert.Empty(store.List("sources"));
        Assert.Empty(store.List(""));
    }

    [Fact]
    public async Task Given_TwoWritersOfOneName_When_BothTryCreate_Then_TheFirstWins_AndPutReplaces_AndDeleteRemoves()
    {
        var store = await CreateAsync();
        Assert.True(store.TryCreate("attempt-keys/a.key.enc", "first"u8));
        Assert.False(store.TryCreate("attempt-keys/a.key.enc", "second"u8));
        Assert.Equal("first", Encoding.UTF8.GetString(store.ReadAll("attempt-keys/a.key.enc")));

        store.Put("progress/p.json", "1"u8);
        store.Put("progress/p.json", "22"u8);
        Assert.Equal("22", Encoding.UTF8.GetString(store.ReadAll("progress/p.json")));
        Assert.True(store.Exists("progress/p.json"));
        store.Delete("progress/p.json");
        Assert.False(store.Exists("progress/p.json"));
        Assert.Null(store.OpenRead("progress/p.json"));
    }

    [Fact]
    public async Task Given_NestedNames_When_AFolderIsListed_Then_OnlyItsDirectBlobsAreNamed()
    {
        var store = await CreateAsync();
        store.TryCreate("keys/signing-1.pem", "a"u8);
        store.TryCreate("keys/data-protection/key-1.xml", "b"u8);
        Assert.Equal(["signing-1.pem"], store.List("keys"));
        Assert.Equal(["key-1.xml"], store.List("keys/data-protection"));
        Assert.Throws<ArgumentException>(() => store.TryCreate("../escape", "x"u8));
    }

    [Fact]
    public async Task Given_SealedKeyMaterial_When_ReadWithAnotherStorageKey_Then_ItIsRefused_AndTheStoredBytesHideTheKey()
    {
        var store = await CreateAsync();
        var keys = new KeyMaterial(store, RandomNumberGenerator.GetBytes(32));
        var secret = Encoding.UTF8.GetBytes("-----BEGIN PRIVATE KEY----- not really");
        Assert.Equal(secret, keys.GetOrCreate("keys/k.pem", () => secret));
        Assert.Equal(secret, keys.GetOrCreate("keys/k.pem", () => [1, 2, 3])); // a second node gets the first node's key
        Assert.Equal(secret, keys.Read("keys/k.pem"));
        Assert.DoesNotContain("PRIVATE", Encoding.UTF8.GetString(store.ReadAll("keys/k.pem")));
        Assert.Throws<InvalidDataException>(() => new KeyMaterial(store, RandomNumberGenerator.GetBytes(32)).Read("keys/k.pem"));
    }
}

using ReleaseGateway.EventStore.Verification;

namespace ReleaseGateway.EventStore.Tests;

/// <summary>Witness co-signatures of checkpoints (ADR 0030, audit/CANONICAL-ENCODING.md §5).</summary>
public sealed class WitnessSignatureTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("rgw-witness-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private AuditSigningKey NewKey(string name) => AuditSigningKey.LoadOrCreate(Path.Combine(_folder, name + ".pem"));

    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Given_AWitnessedCheckpoint_When_ReadBackFromItsFile_Then_TheWitnessSignatureVerifies_OnlyWithTheWitnessKey()
    {
        using var gateway = NewKey("gateway");
        using var witness = NewKey("witness");
        using var stranger = NewKey("stranger");
        var checkpoint = SignedCheckpoint.Create(new ChainHead(12, new string('a', 64)), Now, gateway);

        var read = SignedCheckpoint.Parse(checkpoint.AddWitness(witness, Now.AddHours(1)).ToJson());

        Assert.True(read.VerifySignature(gateway));
        Assert.True(read.IsWitnessedBy(witness));
        Assert.False(read.IsWitnessedBy(stranger));
        Assert.False(read.IsWitnessedBy(gateway));
        Assert.Null(ChainVerifier.CheckSignatures(read, gateway, [witness]));
        Assert.Equal(TamperKind.CheckpointNotWitnessed, ChainVerifier.CheckSignatures(read, gateway, [witness, stranger])!.Kind);
    }

    [Fact]
    public void Given_AWitnessSignature_When_MovedToAnotherCheckpoint_Then_ItDoesNotVerify()
    {
        using var gateway = NewKey("gateway");
        using var witness = NewKey("witness");
        var witnessed = SignedCheckpoint.Create(new ChainHead(12, new string('a', 64)), Now, gateway).AddWitness(witness, Now);
        var shorter = SignedCheckpoint.Create(new ChainHead(10, new string('b', 64)), Now.AddMinutes(5), gateway);

        var forged = shorter with { Witnesses = witnessed.Witnesses };

        Assert.True(forged.VerifySignature(gateway));
        Assert.False(forged.IsWitnessedBy(witness));
    }

    [Fact]
    public void Given_AnUnwitnessedCheckpoint_When_Written_Then_ItsFileIsAsBeforeWitnessesExisted()
    {
        using var gateway = NewKey("gateway");
        var json = SignedCheckpoint.Create(new ChainHead(3, new string('c', 64)), Now, gateway).ToJson();

        Assert.DoesNotContain("witnesses", json);
    }
}

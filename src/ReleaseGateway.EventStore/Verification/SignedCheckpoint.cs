using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ReleaseGateway.EventStore.Chain;

namespace ReleaseGateway.EventStore.Verification;

/// <summary>
/// A signed statement "the chain's event at <see cref="Position"/> has <see cref="Hash"/>", made at
/// <see cref="CreatedAt"/>. Kept outside the database, it turns a cut tail or a re-hashed suffix into
/// detectable damage. Signature: ECDSA P-256 over SHA-256 of <see cref="SignedText"/>, IEEE P1363 format, base64.
/// The gateway's signature alone proves nothing against whoever holds the gateway's key (an operator could cut the
/// tail and sign the shorter head); <see cref="Witnesses"/> are co-signatures by keys the gateway never holds
/// (<c>rgw audit witness</c>, ADR 0030), which such an operator cannot forge.
/// </summary>
public sealed record SignedCheckpoint(string Format, long Position, string Hash, DateTimeOffset CreatedAt, string KeyId, string Algorithm, string Signature,
    IReadOnlyList<WitnessSignature>? Witnesses = null)
{
    public const string CurrentFormat = "rgw-checkpoint/1";
    public const string EcdsaP256 = "ECDSA-P256-SHA256";

    /// <summary>The exact UTF-8 text that is signed.</summary>
    public string SignedText => string.Join('\n', Format, Position.ToString(CultureInfo.InvariantCulture), Hash,
        CanonicalEncoding.FormatTimestamp(CreatedAt), KeyId, Algorithm);

    public static SignedCheckpoint Create(ChainHead head, DateTimeOffset now, AuditSigningKey key)
    {
        var unsigned = new SignedCheckpoint(CurrentFormat, head.Position, head.Hash, now, key.KeyId, EcdsaP256, "");
        return unsigned with { Signature = Convert.ToBase64String(key.Sign(Encoding.UTF8.GetBytes(unsigned.SignedText))) };
    }

    /// <summary>True when the signature verifies with <paramref name="trustedKey"/>'s public key.</summary>
    public bool VerifySignature(AuditSigningKey trustedKey)
    {
        if (Format != CurrentFormat || Algorithm != EcdsaP256) return false;
        byte[] signature;
        try { signature = Convert.FromBase64String(Signature); }
        catch (FormatException) { return false; }
        return trustedKey.Verify(Encoding.UTF8.GetBytes(SignedText), signature);
    }

    /// <summary>The text a witness signs: this checkpoint's signed statement, the gateway's signature and the witnessing time.</summary>
    public string WitnessedText(DateTimeOffset witnessedAt) => string.Join('\n', WitnessSignature.CurrentFormat, SignedText, Signature,
        CanonicalEncoding.FormatTimestamp(witnessedAt));

    /// <summary>This checkpoint co-signed by <paramref name="witnessKey"/> (a key the gateway does not hold).</summary>
    public SignedCheckpoint AddWitness(AuditSigningKey witnessKey, DateTimeOffset now)
    {
        var signature = Convert.ToBase64String(witnessKey.Sign(Encoding.UTF8.GetBytes(WitnessedText(now))));
        var witness = new WitnessSignature(witnessKey.KeyId, EcdsaP256, now, signature);
        return this with { Witnesses = [.. (Witnesses ?? []).Where(w => w.KeyId != witnessKey.KeyId), witness] };
    }

    /// <summary>True when a witness signature by <paramref name="witnessKey"/> verifies over this checkpoint.</summary>
    public bool IsWitnessedBy(AuditSigningKey witnessKey) =>
        (Witnesses ?? []).Any(w => w.KeyId == witnessKey.KeyId && w.Algorithm == EcdsaP256 && TryDecode(w.Signature) is { } signature
            && witnessKey.Verify(Encoding.UTF8.GetBytes(WitnessedText(w.WitnessedAt)), signature));

    private static byte[]? TryDecode(string base64)
    {
        try { return Convert.FromBase64String(base64); }
        catch (FormatException) { return null; }
    }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Parses a checkpoint file; a malformed one throws <see cref="FormatException"/> with the reason.</summary>
    public static SignedCheckpoint Parse(string json)
    {
        try
        {
            var c = JsonSerializer.Deserialize<SignedCheckpoint>(json, JsonOptions);
            if (c is null || c.Hash is null || c.Signature is null || c.KeyId is null || c.Format is null || c.Algorithm is null)
                throw new FormatException("checkpoint JSON lacks a required field (format, position, hash, createdAt, keyId, algorithm, signature)");
            return c;
        }
        catch (JsonException x)
        {
            throw new FormatException($"checkpoint is not valid JSON: {x.Message}", x);
        }
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        // A checkpoint nobody witnessed yet is written exactly as before witnesses existed.
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}

/// <summary>
/// A witness's co-signature of a checkpoint: ECDSA P-256 over SHA-256 of <see cref="SignedCheckpoint.WitnessedText"/>,
/// IEEE P1363, base64. <see cref="KeyId"/> is the witness key's id (as <see cref="AuditSigningKey.KeyId"/>).
/// </summary>
public sealed record WitnessSignature(string KeyId, string Algorithm, DateTimeOffset WitnessedAt, string Signature)
{
    public const string CurrentFormat = "rgw-witness/1";
}

/// <summary>
/// The audit log's ECDSA P-256 key. Loaded from a PEM file named by configuration, generated there on first
/// use (owner-only permissions) — never in code. A verifier may hold only the public half.
/// </summary>
public sealed class AuditSigningKey : IDisposable
{
    private readonly ECDsa _key;

    private AuditSigningKey(ECDsa key, bool hasPrivateKey)
    {
        _key = key;
        HasPrivateKey = hasPrivateKey;
        KeyId = Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..32];
    }

    /// <summary>First 128 bits of SHA-256 over the public key (SubjectPublicKeyInfo), hex.</summary>
    public string KeyId { get; }

    public bool HasPrivateKey { get; }

    /// <summary>Loads the private key at <paramref name="path"/>, or creates it (and its <c>.pub.pem</c>) when absent.</summary>
    public static AuditSigningKey LoadOrCreate(string path)
    {
        if (File.Exists(path)) return LoadPem(File.ReadAllText(path), path);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var writer = new StreamWriter(path, options)) writer.Write(key.ExportPkcs8PrivateKeyPem());
        var signingKey = new AuditSigningKey(key, hasPrivateKey: true);
        File.WriteAllText(PublicKeyPath(path), signingKey.ExportPublicKeyPem());
        return signingKey;
    }

    /// <summary>A new private key in PKCS#8 PEM form (for a key store that is not a file).</summary>
    public static string NewPrivateKeyPem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return key.ExportPkcs8PrivateKeyPem();
    }

    /// <summary>Loads a PEM file holding either the private key or only the public key.</summary>
    public static AuditSigningKey LoadPem(string pem, string source)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (Exception x) when (x is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new FormatException($"{source} does not hold an ECDSA P-256 key in PEM form: {x.Message}", x);
        }
        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new FormatException($"{source} holds a {key.KeySize}-bit key; the audit log uses ECDSA P-256.");
        }
        return new AuditSigningKey(key, pem.Contains("PRIVATE KEY", StringComparison.Ordinal));
    }

    public static string PublicKeyPath(string privateKeyPath) => Path.ChangeExtension(privateKeyPath, null) + ".pub.pem";

    public string ExportPublicKeyPem() => _key.ExportSubjectPublicKeyInfoPem();

    public byte[] Sign(byte[] data) =>
        HasPrivateKey ? _key.SignData(data, HashAlgorithmName.SHA256) : throw new InvalidOperationException("This key holds only the public half; it cannot sign.");

    public bool Verify(byte[] data, byte[] signature) => _key.VerifyData(data, signature, HashAlgorithmName.SHA256);

    public void Dispose() => _key.Dispose();
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;
using ReleaseGateway.EventStore.Blobs;

namespace ReleaseGateway.Identity.Keys;

/// <summary>A key of the ring with the time it was generated (from its file name).</summary>
public sealed record RingKey(string FileName, DateTimeOffset CreatedAt, SecurityKey Key);

/// <summary>
/// The token signing keys (RSA, RS256) and encryption keys (256-bit AES key wrap) of the token server, kept as
/// files under <c>{DataDirectory}/keys/</c> (ADR 0011), or sealed blobs on shared storage (ADR 0041). Generated on first start; a new pair is generated when
/// the newest is older than the rotation period, and the previous pair stays loaded for one more period so that
/// tokens issued before the rotation still validate. Keys older than two periods are no longer loaded.
/// Newest first: OpenIddict signs and encrypts with the first key and validates against all.
/// </summary>
public sealed record KeyRing(IReadOnlyList<RingKey> Signing, IReadOnlyList<RingKey> Encryption)
{
    private const string SigningPrefix = "signing-";
    private const string EncryptionPrefix = "encryption-";
    private const string TimestampFormat = "yyyyMMdd'T'HHmmss'Z'";

    /// <summary>The ring in a folder of the data folder (the embedded default).</summary>
    public static KeyRing LoadOrCreate(string directory, TimeSpan rotationPeriod, DateTimeOffset now)
    {
        Directory.CreateDirectory(directory);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return LoadOrCreate(new KeyMaterial(new FolderBlobStore(directory), null), "", rotationPeriod, now);
    }

    /// <summary>
    /// The ring in <paramref name="folder"/> of <paramref name="keys"/> (files, or sealed blobs every node shares). Keys are
    /// named by the second they were made and created only if absent, so nodes rotating at once agree on one key; after
    /// a rotation the ring is read again, so a key another node made in the same moment is trusted too.
    /// </summary>
    public static KeyRing LoadOrCreate(KeyMaterial keys, string folder, TimeSpan rotationPeriod, DateTimeOffset now)
    {
        var rotated = false;
        var signing = Load(keys, folder, SigningPrefix, ".pem", now, rotationPeriod, ReadRsa);
        if (signing.Count == 0 || now - signing[0].CreatedAt >= rotationPeriod)
        {
            Write(keys, folder, SigningPrefix, ".pem", now, CreateRsa);
            rotated = true;
        }

        var encryption = Load(keys, folder, EncryptionPrefix, ".key", now, rotationPeriod, ReadAes);
        if (encryption.Count == 0 || now - encryption[0].CreatedAt >= rotationPeriod)
        {
            Write(keys, folder, EncryptionPrefix, ".key", now, CreateAes);
            rotated = true;
        }

        return rotated
            ? new KeyRing(Load(keys, folder, SigningPrefix, ".pem", now, rotationPeriod, ReadRsa), Load(keys, folder, EncryptionPrefix, ".key", now, rotationPeriod, ReadAes))
            : new KeyRing(signing, encryption);
    }

    /// <summary>The ring's files, signing and encryption, newest first, without reading their material (for the status page).</summary>
    public static IReadOnlyList<(bool Signing, string FileName, DateTimeOffset CreatedAt)> Describe(KeyMaterial keys, string folder) =>
        [.. keys.List(folder)
            .Select(name => name.StartsWith(SigningPrefix, StringComparison.Ordinal) && name.EndsWith(".pem", StringComparison.Ordinal)
                ? (Signing: true, Name: name, Created: ParseCreated(name, SigningPrefix, ".pem"))
                : name.StartsWith(EncryptionPrefix, StringComparison.Ordinal) && name.EndsWith(".key", StringComparison.Ordinal)
                    ? (Signing: false, Name: name, Created: ParseCreated(name, EncryptionPrefix, ".key"))
                    : (Signing: false, Name: name, Created: null))
            .Where(f => f.Created is not null)
            .OrderByDescending(f => f.Created)
            .Select(f => (f.Signing, f.Name, f.Created!.Value))];

    private static List<RingKey> Load(KeyMaterial keys, string folder, string prefix, string extension, DateTimeOffset now, TimeSpan rotationPeriod,
        Func<string, string, SecurityKey> read) =>
        keys.List(folder)
            .Where(name => name.StartsWith(prefix, StringComparison.Ordinal) && name.EndsWith(extension, StringComparison.Ordinal))
            .Select(name => (name, created: ParseCreated(name, prefix, extension)))
            .Where(f => f.created is { } c && now - c < 2 * rotationPeriod)
            .OrderByDescending(f => f.created)
            .Select(f => new RingKey(f.name, f.created!.Value,
                read(Encoding.UTF8.GetString(keys.Read(BlobNames.Join(folder, f.name))!), Path.GetFileNameWithoutExtension(f.name))))
            .ToList();

    private static DateTimeOffset? ParseCreated(string fileName, string prefix, string extension) =>
        DateTimeOffset.TryParseExact(fileName[prefix.Length..^extension.Length], TimestampFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var created) ? created : null;

    private static void Write(KeyMaterial keys, string folder, string prefix, string extension, DateTimeOffset now, Func<string> create)
    {
        var name = prefix + now.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture) + extension;
        keys.GetOrCreate(BlobNames.Join(folder, name), () => Encoding.UTF8.GetBytes(create()));
    }

    private static string CreateRsa()
    {
        using var rsa = RSA.Create(3072);
        return rsa.ExportPkcs8PrivateKeyPem();
    }

    private static SecurityKey ReadRsa(string pem, string keyId)
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        return new RsaSecurityKey(rsa) { KeyId = keyId };
    }

    private static string CreateAes() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private static SecurityKey ReadAes(string base64, string keyId) =>
        new SymmetricSecurityKey(Convert.FromBase64String(base64.Trim())) { KeyId = keyId };
}

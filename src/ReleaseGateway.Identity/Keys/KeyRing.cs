using System.Globalization;
using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace ReleaseGateway.Identity.Keys;

/// <summary>A key of the ring with the time it was generated (from its file name).</summary>
public sealed record RingKey(string FileName, DateTimeOffset CreatedAt, SecurityKey Key);

/// <summary>
/// The token signing keys (RSA, RS256) and encryption keys (256-bit AES key wrap) of the token server, kept as
/// files under <c>{DataDirectory}/keys/</c> (ADR 0011). Generated on first start; a new pair is generated when
/// the newest is older than the rotation period, and the previous pair stays loaded for one more period so that
/// tokens issued before the rotation still validate. Keys older than two periods are no longer loaded.
/// Newest first: OpenIddict signs and encrypts with the first key and validates against all.
/// </summary>
public sealed record KeyRing(IReadOnlyList<RingKey> Signing, IReadOnlyList<RingKey> Encryption)
{
    private const string SigningPrefix = "signing-";
    private const string EncryptionPrefix = "encryption-";
    private const string TimestampFormat = "yyyyMMdd'T'HHmmss'Z'";

    public static KeyRing LoadOrCreate(string directory, TimeSpan rotationPeriod, DateTimeOffset now)
    {
        Directory.CreateDirectory(directory);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var signing = Load(directory, SigningPrefix, ".pem", now, rotationPeriod, ReadRsa);
        if (signing.Count == 0 || now - signing[0].CreatedAt >= rotationPeriod)
            signing.Insert(0, Write(directory, SigningPrefix, ".pem", now, CreateRsa, ReadRsa));

        var encryption = Load(directory, EncryptionPrefix, ".key", now, rotationPeriod, ReadAes);
        if (encryption.Count == 0 || now - encryption[0].CreatedAt >= rotationPeriod)
            encryption.Insert(0, Write(directory, EncryptionPrefix, ".key", now, CreateAes, ReadAes));

        return new KeyRing(signing, encryption);
    }

    private static List<RingKey> Load(string directory, string prefix, string extension, DateTimeOffset now, TimeSpan rotationPeriod,
        Func<string, string, SecurityKey> read) =>
        Directory.EnumerateFiles(directory, prefix + "*" + extension)
            .Select(path => (path, created: ParseCreated(Path.GetFileName(path), prefix, extension)))
            .Where(f => f.created is { } c && now - c < 2 * rotationPeriod)
            .OrderByDescending(f => f.created)
            .Select(f => new RingKey(Path.GetFileName(f.path), f.created!.Value, read(File.ReadAllText(f.path), Path.GetFileNameWithoutExtension(f.path))))
            .ToList();

    private static DateTimeOffset? ParseCreated(string fileName, string prefix, string extension) =>
        DateTimeOffset.TryParseExact(fileName[prefix.Length..^extension.Length], TimestampFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var created) ? created : null;

    private static RingKey Write(string directory, string prefix, string extension, DateTimeOffset now,
        Func<string> create, Func<string, string, SecurityKey> read)
    {
        var name = prefix + now.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture) + extension;
        var path = Path.Combine(directory, name);
        var temporary = path + ".tmp";
        var text = create();
        // Created with owner-only permissions before any key byte is written.
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream))
            writer.Write(text);
        File.Move(temporary, path, overwrite: true);
        return new RingKey(name, now, read(text, Path.GetFileNameWithoutExtension(name)));
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

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ReleaseGateway.Identity.Keys;

/// <summary>
/// The certificate that encrypts ASP.NET Core's data-protection keys at rest (cookies, antiforgery tokens, one-time
/// sign-in state), generated on first start with owner-only permissions (ADR 0050). A copy of the data-protection folder
/// alone (a backup, a misplaced volume) then holds no usable key; <c>Identity:DataProtection:CertificateFile</c> can keep
/// the certificate on another volume or a mounted secret.
/// </summary>
public static class DataProtectionCertificate
{
    public const string FileName = "data-protection.pfx";

    public static X509Certificate2 LoadOrCreate(string path)
    {
        if (File.Exists(path)) return X509CertificateLoader.LoadPkcs12FromFile(path, null, X509KeyStorageFlags.EphemeralKeySet);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var rsa = RSA.Create(3072);
        var request = new CertificateRequest("CN=ReleaseGateway data protection", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment, critical: true));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(100));
        var temporary = path + ".tmp";
        // Created with owner-only permissions before any key byte is written.
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var file = new FileStream(temporary, options)) file.Write(created.Export(X509ContentType.Pkcs12));
        File.Move(temporary, path, overwrite: false);
        return X509CertificateLoader.LoadPkcs12FromFile(path, null, X509KeyStorageFlags.EphemeralKeySet);
    }
}

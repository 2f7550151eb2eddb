using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.DependencyInjection;
using ReleaseGateway.EventStore.Blobs;

namespace ReleaseGateway.Identity.Keys;

/// <summary>
/// Data Protection's key encryption on shared storage (ADR 0043): each key's secret is sealed with AES-256-GCM under the
/// storage key from configuration (<see cref="KeyMaterial.Seal"/>), so the framework knows its keys are encrypted at rest
/// (no "No XML encryptor configured" warning) and a key ring read from a dump opens nothing without the storage key.
/// The folder mode uses a certificate instead (ADR 0050).
/// </summary>
public sealed class StorageKeyXmlEncryptor(KeyMaterial keys) : IXmlEncryptor
{
    internal const string Label = "data-protection-secret";

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        ArgumentNullException.ThrowIfNull(plaintextElement);
        var sealedSecret = keys.Seal(Label, Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting)));
        var element = new XElement("storageKeySealed",
            new XComment(" AES-256-GCM under the storage key (ReleaseGateway:SourceEncryptionKey) "),
            new XElement("value", Convert.ToBase64String(sealedSecret)));
        return new EncryptedXmlInfo(element, typeof(StorageKeyXmlDecryptor));
    }
}

/// <summary>Opens what <see cref="StorageKeyXmlEncryptor"/> sealed; created by Data Protection with the application's services.</summary>
public sealed class StorageKeyXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        ArgumentNullException.ThrowIfNull(encryptedElement);
        var keys = services.GetRequiredService<GatewayStorage>().Keys;
        var value = (string?)encryptedElement.Element("value") ?? throw new InvalidDataException("A sealed data-protection key has no value.");
        return XElement.Parse(Encoding.UTF8.GetString(keys.Open(StorageKeyXmlEncryptor.Label, Convert.FromBase64String(value))));
    }
}

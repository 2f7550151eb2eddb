using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using ReleaseGateway.EventStore.Blobs;

namespace ReleaseGateway.Identity.Keys;

/// <summary>
/// ASP.NET Core Data Protection's key ring (sign-in cookies, antiforgery tokens) as sealed blobs under
/// <c>keys/data-protection/</c> on shared storage, so a cookie one node issued opens on every other (ADR 0041).
/// Each key is written once under its own name; the framework never rewrites one.
/// </summary>
internal sealed class SharedDataProtectionKeys(KeyMaterial keys) : IXmlRepository
{
    private const string Folder = "keys/data-protection";

    public IReadOnlyCollection<XElement> GetAllElements() =>
        [.. keys.List(Folder).Select(name => XElement.Parse(Encoding.UTF8.GetString(keys.Read($"{Folder}/{name}")!)))];

    public void StoreElement(XElement element, string friendlyName)
    {
        var name = string.Concat(friendlyName.Where(c => char.IsAsciiLetterOrDigit(c) || c == '-'));
        keys.GetOrCreate($"{Folder}/key-{name}.xml", () => Encoding.UTF8.GetBytes(element.ToString(SaveOptions.DisableFormatting)));
    }
}

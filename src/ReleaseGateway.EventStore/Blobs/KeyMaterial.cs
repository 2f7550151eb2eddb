using System.Security.Cryptography;
using System.Text;

namespace ReleaseGateway.EventStore.Blobs;

/// <summary>
/// The gateway's keys (audit signing key, token signing and encryption keys, data-protection keys) as blobs. In the
/// data folder they stay the owner-only files they always were; in a shared store each is sealed with AES-256-GCM
/// under a key derived (HKDF-SHA256) from the storage key in configuration and the blob's name, so a database dump
/// alone opens none of them and a sealed key cannot be moved to another name (ADR 0041).
/// </summary>
public sealed class KeyMaterial(IBlobStore blobs, byte[]? sealingKey)
{
    private static readonly byte[] Magic = "RGWKEY01"u8.ToArray();

    public bool Sealed => sealingKey is not null;

    /// <summary>The key stored under <paramref name="name"/>, or null.</summary>
    public byte[]? Read(string name)
    {
        using var stream = blobs.OpenRead(name);
        if (stream is null) return null;
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return Open(name, buffer.ToArray());
    }

    /// <summary>Stores a key made by <paramref name="create"/> unless one already has that name (another node was first): returns what is stored.</summary>
    public byte[] GetOrCreate(string name, Func<byte[]> create)
    {
        if (Read(name) is { } existing) return existing;
        var fresh = create();
        return blobs.TryCreate(name, Seal(name, fresh)) ? fresh : Read(name)!;
    }

    public IReadOnlyList<string> List(string folder) => blobs.List(folder);

    /// <summary>
    /// <paramref name="plain"/> sealed for <paramref name="name"/> (a blob name, or a label for a key kept inside another
    /// document); unchanged when there is no storage key (the folder mode keeps owner-only files).
    /// </summary>
    public byte[] Seal(string name, byte[] plain)
    {
        if (sealingKey is null) return plain;
        var salt = RandomNumberGenerator.GetBytes(32);
        var output = new byte[Magic.Length + salt.Length + 16 + plain.Length];
        Magic.CopyTo(output, 0);
        salt.CopyTo(output, Magic.Length);
        using var aes = new AesGcm(Derive(name, salt), 16);
        // A fresh key per blob (random salt), so the all-zero nonce is used once per key.
        aes.Encrypt(new byte[12], plain, output.AsSpan(Magic.Length + 48), output.AsSpan(Magic.Length + 32, 16), Encoding.UTF8.GetBytes(name));
        return output;
    }

    /// <summary>What <see cref="Seal"/> sealed for <paramref name="name"/>; <see cref="InvalidDataException"/> when it does not open.</summary>
    public byte[] Open(string name, byte[] stored)
    {
        if (sealingKey is null) return stored;
        if (stored.Length < Magic.Length + 48 || !stored.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new InvalidDataException($"Key {name} is not sealed key material.");
        var salt = stored.AsSpan(Magic.Length, 32).ToArray();
        var plain = new byte[stored.Length - Magic.Length - 48];
        using var aes = new AesGcm(Derive(name, salt), 16);
        try
        {
            aes.Decrypt(new byte[12], stored.AsSpan(Magic.Length + 48), stored.AsSpan(Magic.Length + 32, 16), plain, Encoding.UTF8.GetBytes(name));
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new InvalidDataException($"Key {name} does not open with the configured storage key (ReleaseGateway:SourceEncryptionKey), or was altered.", e);
        }
        return plain;
    }

    private byte[] Derive(string name, byte[] salt) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, sealingKey!, 32, salt, Encoding.UTF8.GetBytes("releasegateway key material v1:" + name));
}

using System.Security.Cryptography;

namespace ReleaseGateway.Privacy.Randomness;

/// <summary>
/// Cryptographically secure randomness from the operating system (<see cref="RandomNumberGenerator"/>),
/// buffered. Use in production: the privacy proofs assume the noise is unpredictable.
/// </summary>
public sealed class CryptoRandomSource : IRandomSource
{
    private readonly byte[] buffer = new byte[4096];
    private int position = 4096;

    /// <inheritdoc />
    public ulong NextUInt64()
    {
        if (position + 8 > buffer.Length)
        {
            RandomNumberGenerator.Fill(buffer);
            position = 0;
        }

        ulong value = BitConverter.ToUInt64(buffer, position);
        position += 8;
        return value;
    }
}

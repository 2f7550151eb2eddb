using System.Security.Cryptography;
using System.Text;

namespace ReleaseGateway.Releases.Pipeline;

/// <summary>
/// Noise seeds of release attempts, drawn from the OS's CSPRNG and kept in the gateway's data folder (owner-only),
/// never in an event or a manifest: whoever knows a noise seed can subtract the noise. The audit log and the
/// manifest carry a commitment (SHA-256 over the release id and the seed), so an operator can prove, for an
/// investigation, which seed a release used and reproduce the run on the gateway (ADR 0020).
/// </summary>
public sealed class SeedVault(string dataDirectory)
{
    private readonly string _folder = Path.Combine(dataDirectory, "seeds");

    /// <summary>The attempt's seed, created on first use; the same on every later call (a resumed or repeated step).</summary>
    public long GetOrCreate(Guid releaseId)
    {
        var path = Path.Combine(_folder, $"{releaseId:N}.seed");
        if (File.Exists(path)) return long.Parse(File.ReadAllText(path), System.Globalization.CultureInfo.InvariantCulture);
        Directory.CreateDirectory(_folder);
        var seed = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8)) & long.MaxValue;
        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var writer = new StreamWriter(temp, Encoding.ASCII, options)) writer.Write(seed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            File.Move(temp, path, overwrite: false);
            return seed;
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another worker created it first: its seed is the attempt's seed.
            File.Delete(temp);
            return long.Parse(File.ReadAllText(path), System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    public static string Commitment(Guid releaseId, long seed) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"rgw-noise-seed:{releaseId:D}:{seed}")));
}

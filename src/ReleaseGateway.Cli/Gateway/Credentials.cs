using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Configuration;

namespace ReleaseGateway.Cli.Gateway;

/// <summary>The tokens <c>rgw login</c> saves and every gateway command reads: one file per signed-in user.</summary>
internal sealed record Credentials(Uri Gateway, string AccessToken, string? RefreshToken, DateTimeOffset ExpiresAt)
{
    public static Credentials From(Uri gateway, TokenResponse tokens, DateTimeOffset now) =>
        new(gateway, tokens.AccessToken, tokens.RefreshToken, now.AddSeconds(tokens.ExpiresIn));

    public static Credentials? Load(string path) =>
        File.Exists(path) ? JsonSerializer.Deserialize<Credentials>(File.ReadAllText(path)) : null;

    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        // Owner-only from creation: the refresh token is a credential.
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var stream = new FileStream(path, options);
        JsonSerializer.Serialize(stream, this);
    }
}

internal sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("refresh_token")] string? RefreshToken,
    [property: JsonPropertyName("expires_in")] int ExpiresIn);

/// <summary>The options every command that talks to the gateway shares, and where they lead by default.</summary>
internal static class GatewayOptions
{
    public static Option<string?> Gateway() => new("--gateway")
    {
        Description = "The gateway's base URL (default: ReleaseGateway:GatewayUrl, else http://127.0.0.1:5000, where deploy/run.sh serves)",
    };

    /// <summary>Several people can be signed in side by side (scripts, the demo): one credentials file each.</summary>
    public static Option<string?> CredentialsFile() => new("--credentials")
    {
        Description = "The credentials file to use (default: ReleaseGateway:CredentialsFile, i.e. the ReleaseGateway__CredentialsFile variable, else ~/.config/rgw/credentials.json)",
    };

    public static Uri GatewayUrl(IConfiguration configuration, string? option) =>
        new(option ?? configuration["ReleaseGateway:GatewayUrl"] ?? "http://127.0.0.1:5000");

    /// <summary><c>--credentials</c>, else <c>ReleaseGateway:CredentialsFile</c>, else <c>$XDG_CONFIG_HOME/rgw/credentials.json</c> (~/.config/rgw/...).</summary>
    public static string CredentialsPath(IConfiguration configuration, string? option) =>
        option is { Length: > 0 } ? option
        : configuration["ReleaseGateway:CredentialsFile"] is { Length: > 0 } path ? path
        : Path.Combine(Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config"), "rgw", "credentials.json");
}

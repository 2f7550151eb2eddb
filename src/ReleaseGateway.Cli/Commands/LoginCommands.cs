using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Configuration;
using ReleaseGateway.Identity.Authorization;

namespace ReleaseGateway.Cli;

/// <summary>
/// <c>rgw login [--device]</c>, <c>rgw whoami</c>, <c>rgw logout</c>: the CLI signs in as the public client
/// <c>rgw-cli</c>, with authorization code + PKCE through a loopback redirect (RFC 8252) or, on a machine without
/// a browser, with the device flow (RFC 8628). Tokens are kept in a file only the user can read.
/// </summary>
internal static class LoginCommands
{
    private const string Scope = "openid offline_access " + GatewayScopes.Api;

    public static IEnumerable<Command> Create() => [Login(), WhoAmI(), Logout()];

    private static Option<string?> GatewayOption() => new("--gateway")
    {
        Description = "The gateway's base URL (default: ReleaseGateway:GatewayUrl, else http://127.0.0.1:5000, where deploy/run.sh serves)",
    };

    private static Command Login()
    {
        var gateway = GatewayOption();
        var device = new Option<bool>("--device") { Description = "Use the device flow: sign in on another device with a short code" };
        var noBrowser = new Option<bool>("--no-browser") { Description = "Do not try to open a browser; only print the sign-in address" };
        var command = new Command("login", "Sign in to the gateway (authorization code + PKCE via a loopback redirect, or --device)") { gateway, device, noBrowser };
        command.SetAction((parse, ct) => RunAsync(async () =>
        {
            var configuration = CliConfiguration.Load();
            using var http = new HttpClient { BaseAddress = GatewayUrl(configuration, parse.GetValue(gateway)) };
            var tokens = parse.GetValue(device)
                ? await DeviceFlowAsync(http, ct)
                : await AuthorizationCodeFlowAsync(http, openBrowser: !parse.GetValue(noBrowser), ct);
            var credentials = Credentials.From(http.BaseAddress!, tokens, DateTimeOffset.UtcNow);
            credentials.Save(CredentialsPath(configuration));
            Console.WriteLine($"Signed in to {http.BaseAddress}. Credentials saved to {CredentialsPath(configuration)}.");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command WhoAmI()
    {
        var command = new Command("whoami", "Show who the saved credentials sign in as, with roles and policies");
        command.SetAction((_, ct) => RunAsync(async () =>
        {
            var configuration = CliConfiguration.Load();
            var path = CredentialsPath(configuration);
            var credentials = Credentials.Load(path) ?? throw new UsageException("Not signed in; run 'rgw login'.");
            using var http = new HttpClient { BaseAddress = credentials.Gateway };
            if (credentials.ExpiresAt <= DateTimeOffset.UtcNow.AddSeconds(30))
            {
                if (credentials.RefreshToken is null) throw new UsageException("The session expired; run 'rgw login'.");
                var refreshed = await RequestTokensAsync(http,
                    [new("grant_type", "refresh_token"), new("refresh_token", credentials.RefreshToken), new("client_id", GatewayScopes.CliClientId)], ct);
                credentials = Credentials.From(credentials.Gateway, refreshed, DateTimeOffset.UtcNow);
                credentials.Save(path);
            }
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/me");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credentials.AccessToken);
            using var response = await http.SendAsync(request, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode) throw new UsageException($"The gateway answered {(int)response.StatusCode}: {body}");
            var me = JsonDocument.Parse(body).RootElement;
            Console.WriteLine($"id:       {me.GetProperty("id").GetString()}");
            Console.WriteLine($"roles:    {string.Join(", ", me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()))}");
            Console.WriteLine($"policies: {string.Join(", ", me.GetProperty("policies").EnumerateObject().Where(p => p.Value.GetBoolean()).Select(p => p.Name))}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Logout()
    {
        var command = new Command("logout", "Revoke the saved refresh token and delete the saved credentials");
        command.SetAction((_, ct) => RunAsync(async () =>
        {
            var path = CredentialsPath(CliConfiguration.Load());
            if (Credentials.Load(path) is { RefreshToken: { } refreshToken } credentials)
            {
                using var http = new HttpClient { BaseAddress = credentials.Gateway };
                await http.PostAsync("/connect/revoke", new FormUrlEncodedContent(
                    [new("token", refreshToken), new("token_type_hint", "refresh_token"), new("client_id", GatewayScopes.CliClientId)]), ct);
            }
            File.Delete(path);
            Console.WriteLine("Signed out.");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static async Task<TokenResponse> AuthorizationCodeFlowAsync(HttpClient http, bool openBrowser, CancellationToken cancellationToken)
    {
        var port = FreeLoopbackPort();
        var redirectUri = $"http://127.0.0.1:{port}/callback";
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();

        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var state = Base64Url(RandomNumberGenerator.GetBytes(16));
        var authorize = new Uri(http.BaseAddress!, "/connect/authorize?" + string.Join('&', new Dictionary<string, string>
        {
            ["client_id"] = GatewayScopes.CliClientId, ["response_type"] = "code", ["redirect_uri"] = redirectUri, ["scope"] = Scope,
            ["state"] = state, ["code_challenge"] = challenge, ["code_challenge_method"] = "S256",
        }.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}")));

        Console.WriteLine("Open this address in a browser to sign in:");
        Console.WriteLine(authorize.AbsoluteUri);
        if (openBrowser) TryOpenBrowser(authorize);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(5));
        while (true)
        {
            var context = await listener.GetContextAsync().WaitAsync(timeout.Token);
            if (context.Request.Url?.AbsolutePath != "/callback")
            {
                context.Response.StatusCode = 404;
                context.Response.Close();
                continue;
            }
            var query = System.Web.HttpUtility.ParseQueryString(context.Request.Url.Query);
            var ok = query["state"] == state && query["code"] is { Length: > 0 };
            await RespondAsync(context, ok ? "Signed in. You can close this tab and return to the terminal." : "Sign-in failed. Return to the terminal.");
            if (query["error"] is { } error) throw new UsageException($"Sign-in refused: {error} {query["error_description"]}");
            if (!ok) throw new UsageException("The redirect did not carry this sign-in's state; nothing was saved.");
            return await RequestTokensAsync(http,
            [
                new("grant_type", "authorization_code"), new("code", query["code"]!), new("redirect_uri", redirectUri),
                new("client_id", GatewayScopes.CliClientId), new("code_verifier", verifier),
            ], cancellationToken);
        }
    }

    private static async Task<TokenResponse> DeviceFlowAsync(HttpClient http, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsync("/connect/device", new FormUrlEncodedContent(
            [new("client_id", GatewayScopes.CliClientId), new("scope", Scope)]), cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode) throw new UsageException($"The gateway refused the device sign-in: {body}");
        var device = JsonSerializer.Deserialize<DeviceAuthorization>(body)!;
        Console.WriteLine($"To sign in, open {device.VerificationUri} on any device and enter the code: {device.UserCode}");
        Console.WriteLine($"(or open {device.VerificationUriComplete})");

        var interval = TimeSpan.FromSeconds(Math.Max(device.Interval, 1));
        var deadline = DateTimeOffset.UtcNow.AddSeconds(device.ExpiresIn);
        while (DateTimeOffset.UtcNow < deadline)
        {
            // RFC 8628 §3.5: the client waits the interval between polls and slows down when told to.
            await Task.Delay(interval, cancellationToken);
            using var poll = await http.PostAsync("/connect/token", new FormUrlEncodedContent(
            [
                new("grant_type", "urn:ietf:params:oauth:grant-type:device_code"), new("device_code", device.DeviceCode),
                new("client_id", GatewayScopes.CliClientId),
            ]), cancellationToken);
            var answer = await poll.Content.ReadAsStringAsync(cancellationToken);
            if (poll.IsSuccessStatusCode) return JsonSerializer.Deserialize<TokenResponse>(answer)!;
            var error = JsonDocument.Parse(answer).RootElement.GetProperty("error").GetString();
            switch (error)
            {
                case "authorization_pending": continue;
                case "slow_down": interval += TimeSpan.FromSeconds(5); continue;
                case "access_denied": throw new UsageException("The sign-in was denied.");
                default: throw new UsageException($"The device sign-in failed: {error}");
            }
        }
        throw new UsageException("The code expired before the sign-in was approved; run 'rgw login --device' again.");
    }

    private static async Task<TokenResponse> RequestTokensAsync(HttpClient http, KeyValuePair<string, string>[] form, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsync("/connect/token", new FormUrlEncodedContent(form), cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return response.IsSuccessStatusCode
            ? JsonSerializer.Deserialize<TokenResponse>(body)!
            : throw new UsageException($"The token request was refused ({(int)response.StatusCode}): {body}");
    }

    private static async Task RespondAsync(HttpListenerContext context, string message)
    {
        var html = Encoding.UTF8.GetBytes($"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>rgw</title></head><body><p>{WebUtility.HtmlEncode(message)}</p></body></html>");
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.ContentLength64 = html.Length;
        await context.Response.OutputStream.WriteAsync(html);
        context.Response.Close();
    }

    private static void TryOpenBrowser(Uri address)
    {
        try
        {
            var opener = OperatingSystem.IsWindows() ? null : OperatingSystem.IsMacOS() ? "open" : "xdg-open";
            using var process = opener is null
                ? Process.Start(new ProcessStartInfo(address.AbsoluteUri) { UseShellExecute = true })
                : Process.Start(new ProcessStartInfo(opener, address.AbsoluteUri) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true });
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            // No browser here: the printed address is the way.
        }
    }

    private static int FreeLoopbackPort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static Uri GatewayUrl(IConfiguration configuration, string? option) =>
        new(option ?? configuration["ReleaseGateway:GatewayUrl"] ?? "http://127.0.0.1:5000");

    /// <summary><c>ReleaseGateway:CredentialsFile</c>, default <c>$XDG_CONFIG_HOME/rgw/credentials.json</c> (~/.config/rgw/...).</summary>
    private static string CredentialsPath(IConfiguration configuration) =>
        configuration["ReleaseGateway:CredentialsFile"] is { Length: > 0 } path
            ? path
            : Path.Combine(Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config"), "rgw", "credentials.json");

    private static async Task<int> RunAsync(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception e) when (e is UsageException or HttpRequestException or IOException or HttpListenerException or JsonException or OperationCanceledException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.UsageOrConnection;
        }
    }

    private sealed record TokenResponse(
        [property: JsonPropertyName("access_token")] string AccessToken,
        [property: JsonPropertyName("refresh_token")] string? RefreshToken,
        [property: JsonPropertyName("expires_in")] int ExpiresIn);

    private sealed record DeviceAuthorization(
        [property: JsonPropertyName("device_code")] string DeviceCode,
        [property: JsonPropertyName("user_code")] string UserCode,
        [property: JsonPropertyName("verification_uri")] string VerificationUri,
        [property: JsonPropertyName("verification_uri_complete")] string? VerificationUriComplete,
        [property: JsonPropertyName("expires_in")] int ExpiresIn,
        [property: JsonPropertyName("interval")] int Interval);

    private sealed record Credentials(Uri Gateway, string AccessToken, string? RefreshToken, DateTimeOffset ExpiresAt)
    {
        public static Credentials From(Uri gateway, TokenResponse tokens, DateTimeOffset now) =>
            new(gateway, tokens.AccessToken, tokens.RefreshToken, now.AddSeconds(tokens.ExpiresIn));

        public static Credentials? Load(string path) =>
            File.Exists(path) ? JsonSerializer.Deserialize<Credentials>(File.ReadAllText(path)) : null;

        public void Save(string path)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            // Owner-only from creation: the refresh token is a credential.
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using var stream = new FileStream(path, options);
            JsonSerializer.Serialize(stream, this);
        }
    }
}

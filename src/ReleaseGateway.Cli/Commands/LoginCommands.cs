using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using ReleaseGateway.Cli.Gateway;
using ReleaseGateway.Identity.Authorization;

namespace ReleaseGateway.Cli;

/// <summary>
/// <c>rgw login [--device]</c>, <c>rgw whoami</c>, <c>rgw logout</c>: the CLI signs in as the public client
/// <c>rgw-cli</c>, with authorization code + PKCE through a loopback redirect (RFC 8252) or, on a machine without
/// a browser, with the device flow (RFC 8628); scripts sign in with <c>--user EMAIL --password-stdin</c>, which drives the
/// same code flow over HTTP (<see cref="PasswordSignIn"/>). Tokens are kept in a file only the user can read
/// (<c>--credentials FILE</c> keeps several users signed in side by side).
/// </summary>
internal static class LoginCommands
{
    private const string Scope = "openid offline_access " + GatewayScopes.Api;

    public static IEnumerable<Command> Create() => [Login(), WhoAmI(), Logout()];

    private static Command Login()
    {
        var gateway = GatewayOptions.Gateway();
        var credentialsFile = GatewayOptions.CredentialsFile();
        var device = new Option<bool>("--device") { Description = "Use the device flow: sign in on another device with a short code" };
        var noBrowser = new Option<bool>("--no-browser") { Description = "Do not try to open a browser; only print the sign-in address" };
        var user = new Option<string?>("--user") { Description = "Sign in without a browser as this e-mail address (for scripts; needs --password-stdin)" };
        var passwordStdin = new Option<bool>("--password-stdin")
        {
            Description = "With --user: read the password from the first line of standard input; when the account still has its one-time " +
                          "password, the second line is the new password that replaces it",
        };
        var command = new Command("login", "Sign in to the gateway (authorization code + PKCE via a loopback redirect, --device, or --user with --password-stdin)")
        {
            gateway, credentialsFile, device, noBrowser, user, passwordStdin,
        };
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            var configuration = CliConfiguration.Load();
            var path = GatewayOptions.CredentialsPath(configuration, parse.GetValue(credentialsFile));
            var email = parse.GetValue(user);
            if (email is not null != parse.GetValue(passwordStdin))
                throw new UsageException("--user and --password-stdin go together: the password comes from standard input, never from the command line.");
            if (email is not null && parse.GetValue(device)) throw new UsageException("--device and --user exclude each other.");
            using var http = new HttpClient { BaseAddress = GatewayOptions.GatewayUrl(configuration, parse.GetValue(gateway)) };
            TokenResponse tokens;
            if (parse.GetValue(device)) tokens = await DeviceFlowAsync(http, ct);
            else if (email is not null)
            {
                var password = await Console.In.ReadLineAsync(ct) is { Length: > 0 } line
                    ? line.TrimEnd('\r')
                    : throw new UsageException("--password-stdin given but standard input has no password line.");
                var newPassword = (await Console.In.ReadLineAsync(ct))?.TrimEnd('\r') is { Length: > 0 } second ? second : null;
                tokens = await AuthorizationCodeFlowAsync(http, (authorize, redirectUri, state) =>
                    PasswordSignIn.AuthorizeAsync(http.BaseAddress!, authorize, redirectUri, state, email, password, newPassword, ct), ct);
            }
            else tokens = await AuthorizationCodeFlowAsync(http, (authorize, redirectUri, state) =>
                BrowserAuthorizeAsync(authorize, redirectUri, state, openBrowser: !parse.GetValue(noBrowser), ct), ct);
            Credentials.From(http.BaseAddress!, tokens, DateTimeOffset.UtcNow).Save(path);
            Console.WriteLine($"Signed in to {http.BaseAddress}{(email is null ? "" : $" as {email}")}. Credentials saved to {path}.");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command WhoAmI()
    {
        var credentialsFile = GatewayOptions.CredentialsFile();
        var command = new Command("whoami", "Show who the saved credentials sign in as, with roles and policies") { credentialsFile };
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            using var gateway = GatewayClient.SignedIn(parse.GetValue(credentialsFile));
            var me = await gateway.GetAsync<JsonElement>("/api/me", ct);
            Console.WriteLine($"id:       {me.GetProperty("id").GetString()}");
            Console.WriteLine($"roles:    {string.Join(", ", me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()))}");
            Console.WriteLine($"policies: {string.Join(", ", me.GetProperty("policies").EnumerateObject().Where(p => p.Value.GetBoolean()).Select(p => p.Name))}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Logout()
    {
        var credentialsFile = GatewayOptions.CredentialsFile();
        var command = new Command("logout", "Revoke the saved refresh token and delete the saved credentials") { credentialsFile };
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            var path = GatewayOptions.CredentialsPath(CliConfiguration.Load(), parse.GetValue(credentialsFile));
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

    /// <summary>
    /// Authorization code + PKCE: builds the authorize address for a loopback redirect on a free port, lets
    /// <paramref name="authorize"/> obtain the code (a browser, or <see cref="PasswordSignIn"/>) and exchanges it.
    /// </summary>
    private static async Task<TokenResponse> AuthorizationCodeFlowAsync(HttpClient http, Func<Uri, string, string, Task<string>> authorize,
        CancellationToken cancellationToken)
    {
        var redirectUri = $"http://127.0.0.1:{FreeLoopbackPort()}/callback";
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var state = Base64Url(RandomNumberGenerator.GetBytes(16));
        var authorizeUrl = new Uri(http.BaseAddress!, "/connect/authorize?" + string.Join('&', new Dictionary<string, string>
        {
            ["client_id"] = GatewayScopes.CliClientId, ["response_type"] = "code", ["redirect_uri"] = redirectUri, ["scope"] = Scope,
            ["state"] = state, ["code_challenge"] = challenge, ["code_challenge_method"] = "S256",
        }.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}")));
        var code = await authorize(authorizeUrl, redirectUri, state);
        return await GatewayClient.RequestTokensAsync(http,
        [
            new("grant_type", "authorization_code"), new("code", code), new("redirect_uri", redirectUri),
            new("client_id", GatewayScopes.CliClientId), new("code_verifier", verifier),
        ], cancellationToken);
    }

    /// <summary>The person signs in in a browser; the code arrives on the loopback listener (RFC 8252).</summary>
    private static async Task<string> BrowserAuthorizeAsync(Uri authorize, string redirectUri, string state, bool openBrowser, CancellationToken cancellationToken)
    {
        using var listener = new HttpListener();
        listener.Prefixes.Add(new Uri(redirectUri).GetLeftPart(UriPartial.Authority) + "/");
        listener.Start();

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
            return query["code"]!;
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

    private sealed record DeviceAuthorization(
        [property: JsonPropertyName("device_code")] string DeviceCode,
        [property: JsonPropertyName("user_code")] string UserCode,
        [property: JsonPropertyName("verification_uri")] string VerificationUri,
        [property: JsonPropertyName("verification_uri_complete")] string? VerificationUriComplete,
        [property: JsonPropertyName("expires_in")] int ExpiresIn,
        [property: JsonPropertyName("interval")] int Interval);
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ReleaseGateway.Identity.Authorization;

namespace ReleaseGateway.Cli.Gateway;

/// <summary>
/// The gateway as a signed-in user sees it: the saved credentials' access token on every request, refreshed (and the
/// rotated refresh token saved) shortly before it expires; refusals become <see cref="GatewayRefusedException"/> with
/// the problem's stable code.
/// </summary>
internal sealed class GatewayClient : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly HttpClient _http;
    private readonly string _credentialsPath;
    private Credentials _credentials;

    private GatewayClient(Credentials credentials, string credentialsPath)
    {
        _credentials = credentials;
        _credentialsPath = credentialsPath;
        _http = new HttpClient { BaseAddress = credentials.Gateway, Timeout = TimeSpan.FromMinutes(10) };
    }

    public Uri Gateway => _credentials.Gateway;

    /// <summary>Opens the session saved in <paramref name="credentialsOption"/> (or the configured default file).</summary>
    public static GatewayClient SignedIn(string? credentialsOption)
    {
        var path = GatewayOptions.CredentialsPath(CliConfiguration.Load(), credentialsOption);
        var credentials = Credentials.Load(path) ?? throw new UsageException($"Not signed in (no credentials at {path}); run 'rgw login'.");
        return new GatewayClient(credentials, path);
    }

    public async Task<T> GetAsync<T>(string path, CancellationToken ct)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, path), ct);
        return await ReadAsync<T>(response, ct);
    }

    public async Task<T> SendJsonAsync<T>(HttpMethod method, string path, object? body, CancellationToken ct, IReadOnlyDictionary<string, string>? headers = null)
    {
        using var response = await SendAsync(() =>
        {
            var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body, options: Json) };
            foreach (var (name, value) in headers ?? new Dictionary<string, string>()) request.Headers.TryAddWithoutValidation(name, value);
            return request;
        }, ct);
        return await ReadAsync<T>(response, ct);
    }

    /// <summary>Sends one request built by <paramref name="build"/>; the caller disposes the (successful) response.</summary>
    public async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> build, CancellationToken ct,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        await RefreshIfExpiringAsync(ct);
        using var request = build();
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _credentials.AccessToken);
        var response = await _http.SendAsync(request, completion, ct);
        if (response.IsSuccessStatusCode) return response;
        using (response) throw await GatewayRefusedException.FromAsync(response, ct);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct) =>
        await response.Content.ReadFromJsonAsync<T>(Json, ct) ?? throw new JsonException($"The gateway answered {(int)response.StatusCode} with an empty body.");

    private async Task RefreshIfExpiringAsync(CancellationToken ct)
    {
        if (_credentials.ExpiresAt > DateTimeOffset.UtcNow.AddSeconds(30)) return;
        if (_credentials.RefreshToken is null) throw new UsageException("The session expired; run 'rgw login'.");
        var refreshed = await RequestTokensAsync(_http,
            [new("grant_type", "refresh_token"), new("refresh_token", _credentials.RefreshToken), new("client_id", GatewayScopes.CliClientId)], ct);
        _credentials = Credentials.From(_credentials.Gateway, refreshed, DateTimeOffset.UtcNow);
        // Refresh tokens are one use each: the rotated one must be saved or the next command is signed out.
        _credentials.Save(_credentialsPath);
    }

    public static async Task<TokenResponse> RequestTokensAsync(HttpClient http, KeyValuePair<string, string>[] form, CancellationToken ct)
    {
        using var response = await http.PostAsync("/connect/token", new FormUrlEncodedContent(form), ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        return response.IsSuccessStatusCode
            ? JsonSerializer.Deserialize<TokenResponse>(body)!
            : throw new UsageException($"The token request was refused ({(int)response.StatusCode}): {body}");
    }

    public void Dispose() => _http.Dispose();

    /// <summary>Runs a gateway command, mapping failures to a one-line message and exit code 2 (never a stack trace).</summary>
    public static async Task<int> RunAsync(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (GatewayRefusedException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.UsageOrConnection;
        }
        catch (HttpRequestException e)
        {
            Console.Error.WriteLine($"error: cannot reach the gateway: {e.Message}");
            return ExitCodes.UsageOrConnection;
        }
        catch (Exception e) when (e is UsageException or IOException or UnauthorizedAccessException or HttpListenerException or JsonException
            or OperationCanceledException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.UsageOrConnection;
        }
    }
}

/// <summary>The gateway refused a request: its problem details' stable code (RG…), title and detail.</summary>
internal sealed class GatewayRefusedException(int status, string? code, string message) : Exception(message)
{
    public int Status { get; } = status;

    public string? Code { get; } = code;

    public static async Task<GatewayRefusedException> FromAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync(ct);
        if (status == 401)
            return new GatewayRefusedException(status, null, "the gateway did not accept the saved access token (401); run 'rgw login' again.");
        try
        {
            var problem = JsonDocument.Parse(body).RootElement;
            var code = problem.TryGetProperty("code", out var c) ? c.GetString() : null;
            var text = new StringBuilder();
            text.Append(code is null ? $"{status}" : $"{code} ({status})");
            if (problem.TryGetProperty("title", out var title)) text.Append(' ').Append(title.GetString());
            if (problem.TryGetProperty("detail", out var detail) && detail.GetString() is { Length: > 0 } d) text.Append(": ").Append(d);
            if (problem.TryGetProperty("currentState", out var state)) text.Append($" [request state: {state.GetString()}]");
            if (problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
                foreach (var field in errors.EnumerateObject())
                    text.Append($"{Environment.NewLine}  {field.Name}: {string.Join(" ", field.Value.EnumerateArray().Select(m => m.GetString()))}");
            return new GatewayRefusedException(status, code, text.ToString());
        }
        catch (JsonException)
        {
            return new GatewayRefusedException(status, null, $"the gateway answered {status}{(body.Length > 0 ? ": " + body[..Math.Min(body.Length, 500)] : "")}");
        }
    }
}

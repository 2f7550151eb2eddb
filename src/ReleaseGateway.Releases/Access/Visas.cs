using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;
using ReleaseGateway.EventStore;
using ReleaseGateway.Problems;
using ReleaseGateway.Releases.Pipeline;
using ReleaseGateway.Requests;
using ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails;
using ReleaseGateway.Requests.Agreements;
using ReleaseGateway.Requests.Audit;
using ReleaseGateway.Requests.Committees;
using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Releases.Access;

/// <summary>An issued visa: the signed JWT (GA4GH Passport v1.2 Visa Document Token) with its id and expiry.</summary>
public sealed record IssuedVisa(string Visa, string VisaId, DateTimeOffset ExpiresAt);

/// <summary>
/// What the gateway says of a visa it is shown (RFC 7662-like: <c>Active</c> false for anything it would not honour). <c>Status</c>:
/// active, revoked, expired, closed-out, unknown (not issued here) or invalid (signature, issuer or format).
/// </summary>
public sealed record VisaStatus(bool Active, string Status, string? VisaId = null, Guid? ReleaseId = null, DateTimeOffset? ExpiresAt = null);

public sealed record VisaBody(string? Visa);

public static class VisaErrors
{
    public static RequestError NotIssuable(Guid releaseId, string why) =>
        RequestErrors.From(ErrorCodes.VisaNotIssuable, $"Release {releaseId} {why}; no visa was issued.");

    public static RequestError NotRequester() =>
        RequestErrors.From(ErrorCodes.OnlyTheRequesterGetsAVisa, "A ControlledAccessGrants visa is issued only to the researcher who requested the release.");
}

/// <summary>
/// GA4GH Passport <c>ControlledAccessGrants</c> visas for published releases (ADR 0056), signed with the token server's current
/// signing key (RS256), whose public half OpenIddict already serves at <c>/.well-known/jwks</c> (the discovery document's
/// <c>jwks_uri</c>). A visa names only the grant: who (<c>sub</c>, the user id), which release, which committee, when; its
/// <c>exp</c> is never past the release's access end, and none is issued once access ended.
/// </summary>
public sealed class VisaIssuer(IEventStore store, IOptionsMonitor<OpenIddictServerOptions> server, TimeProvider time, Refusals refusals)
{
    /// <summary>A visa lives an hour at most: a verifier that holds one past a revocation honours it for that long (GA4GH advises short lives).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    public const string JwksPath = ".well-known/jwks";
    public const string VisaClaim = "ga4gh_visa_v1";
    public const string GrantType = "ControlledAccessGrants";
    private const int Attempts = 16;

    public Task<IssuedVisa> IssueAsync(CommandContext caller, Guid releaseId, Uri issuer, CancellationToken ct) =>
        refusals.RecordedAsync(caller, releaseId, "issue-visa", async () =>
        {
            for (var attempt = 1; ; attempt++)
            {
                var release = await store.LoadAsync<ReleaseDetails>(releaseId, ct);
                if (release is null || !ReleaseLifecycle.MayView(release, caller.Actor.Id, caller.Actor.Roles))
                    throw new RequestRefusedException(ReleaseErrors.ReleaseNotFound(releaseId));
                if (release.RequesterId != caller.Actor.Id) throw new RequestRefusedException(VisaErrors.NotRequester());
                var now = time.GetUtcNow();
                if (!release.IsAvailable(now))
                    throw new RequestRefusedException(VisaErrors.NotIssuable(releaseId, release.ClosedOutAt is not null ? "was closed out"
                        : release.Status == ReleaseStatus.Published ? "expired" : $"is {release.Status}"));
                if (await AgreementStatus.LoadAsync(store, release.RequestId, release.DatasetId, ct) is { MustAccept: true, Current: { } current })
                    throw new RequestRefusedException(AgreementErrors.NotAccepted(releaseId, release.RequestId, current));

                var request = await store.LoadAsync<AccessRequestDetails>(release.RequestId, ct);
                var committee = request?.CommitteeId is { } committeeId ? (await store.LoadAsync<CommitteeDetails>(committeeId, ct))?.Name : null;
                var expires = release.ExpiresAt!.Value < now + Lifetime ? release.ExpiresAt.Value : now + Lifetime;
                var credentials = server.CurrentValue.SigningCredentials.First(c => c.Key is AsymmetricSecurityKey);
                var visaId = Guid.CreateVersion7().ToString("N");
                var token = Sign(issuer, release, committee ?? RequestCommittee.DefaultName, visaId, now, expires, credentials);
                try
                {
                    await using var session = store.OpenSession(caller.Metadata(WorkflowRoles.Researcher));
                    session.Append(release.Id, release.Version,
                        new ReleaseVisaIssued(release.Id, visaId, caller.Actor.Id, credentials.Kid ?? credentials.Key.KeyId ?? "", now, expires));
                    await session.SaveChangesAsync(ct);
                    return new IssuedVisa(token, visaId, expires);
                }
                catch (StreamVersionConflictException) when (attempt < Attempts)
                {
                    // A revocation, close-out or download landed first: decide again on the new state.
                }
            }
        });

    /// <summary>
    /// Checks a visa: signed by one of the token server's keys for this issuer, issued here (its id on the release's stream),
    /// and whether the release's access still holds. Never throws for a bad token: it is reported <c>invalid</c>.
    /// </summary>
    public async Task<VisaStatus> CheckAsync(string? visa, Uri issuer, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(visa) || visa.Length > 16_384) return new VisaStatus(false, "invalid");
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(visa, new TokenValidationParameters
        {
            ValidIssuer = issuer.AbsoluteUri,
            ValidateAudience = false,
            ValidateLifetime = false, // reported as "expired" below
            IssuerSigningKeys = server.CurrentValue.SigningCredentials.Select(c => c.Key).ToList(),
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        });
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt || !jwt.TryGetClaim(VisaClaim, out var claim)
            || !Guid.TryParse(ReleaseOf(claim.Value), out var releaseId))
            return new VisaStatus(false, "invalid");
        var issued = (await store.FetchStreamAsync(releaseId, ct)).Select(e => e.Data).OfType<ReleaseVisaIssued>().FirstOrDefault(v => v.VisaId == jwt.Id);
        var release = await store.LoadAsync<ReleaseDetails>(releaseId, ct);
        if (issued is null || release is null) return new VisaStatus(false, "unknown", jwt.Id, releaseId);
        var now = time.GetUtcNow();
        var status = release.Status == ReleaseStatus.Revoked ? "revoked"
            : release.ClosedOutAt is not null ? "closed-out"
            : !release.IsAvailable(now) || issued.ExpiresAt <= now ? "expired"
            : "active";
        return new VisaStatus(status == "active", status, jwt.Id, releaseId, issued.ExpiresAt);
    }

    private static string? ReleaseOf(string visaClaim)
    {
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(visaClaim);
            return json.RootElement.TryGetProperty("value", out var value) && value.ValueKind == System.Text.Json.JsonValueKind.String
                ? value.GetString()!.Split('/')[^1] : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The visa (GA4GH Passport v1.2, Visa Document Token Format): header with <c>kid</c> and <c>jku</c>; claims <c>iss</c>, <c>sub</c>,
    /// <c>iat</c>, <c>exp</c>, <c>jti</c> and <c>ga4gh_visa_v1</c> {type, asserted (publication: access began), value (the release),
    /// source (the committee), by "dac"}. Nothing else: no dataset contents, ε, terms or people besides the subject.
    /// </summary>
    private static string Sign(Uri issuer, ReleaseDetails release, string committee, string visaId, DateTimeOffset now, DateTimeOffset expires,
        SigningCredentials credentials) =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer.AbsoluteUri,
            Subject = new ClaimsIdentity([new Claim("sub", release.RequesterId), new Claim("jti", visaId)]),
            IssuedAt = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = credentials,
            TokenType = "JWT",
            AdditionalHeaderClaims = new Dictionary<string, object> { ["jku"] = new Uri(issuer, JwksPath).AbsoluteUri },
            Claims = new Dictionary<string, object>
            {
                [VisaClaim] = new Dictionary<string, object>
                {
                    ["type"] = GrantType,
                    ["asserted"] = (release.PublishedAt ?? now).ToUnixTimeSeconds(),
                    ["value"] = new Uri(issuer, $"releases/{release.Id}").AbsoluteUri,
                    ["source"] = new Uri(issuer, $"committees/{Uri.EscapeDataString(committee)}").AbsoluteUri,
                    ["by"] = "dac",
                },
            },
        });

    /// <summary>The issuer the token server announces (configured, or this request's origin, as OpenIddict does).</summary>
    public Uri Issuer(Microsoft.AspNetCore.Http.HttpRequest request) =>
        server.CurrentValue.Issuer ?? new Uri($"{request.Scheme}://{request.Host}{request.PathBase}/");
}

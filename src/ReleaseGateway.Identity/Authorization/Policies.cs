using Microsoft.AspNetCore.Authorization;
using OpenIddict.Abstractions;
using OpenIddict.Validation.AspNetCore;

namespace ReleaseGateway.Identity.Authorization;

/// <summary>
/// Authorization policy names. Every API endpoint declares one (<c>.RequireAuthorization(Policies.Committee)</c>).
/// Each policy accepts only bearer tokens from our own server, for our audience, carrying the <c>rgw.api</c> scope;
/// the role check comes on top. Resource checks (a researcher sees only their own requests) stay in the endpoints.
/// </summary>
public static class Policies
{
    /// <summary>Any signed-in user or service client with the API scope.</summary>
    public const string Authenticated = "Authenticated";

    /// <summary>Role Researcher: submit and follow own requests.</summary>
    public const string Researcher = "Researcher";

    /// <summary>Role CommitteeMember: decide on requests routed to the member's committee.</summary>
    public const string Committee = "Committee";

    /// <summary>Role ComplianceOfficer: read everything, sign off releases, change nothing else.</summary>
    public const string Compliance = "Compliance";

    /// <summary>Role DataSteward: register datasets and release.</summary>
    public const string Steward = "Steward";

    /// <summary>Role Administrator: users, clients and configuration.</summary>
    public const string Admin = "Admin";

    /// <summary>Read the audit log: ComplianceOfficer or Administrator.</summary>
    public const string ReadAudit = "ReadAudit";

    internal static void Add(AuthorizationOptions options)
    {
        options.AddPolicy(Authenticated, p => Api(p));
        options.AddPolicy(Researcher, p => Api(p).RequireClaim(OpenIddictConstants.Claims.Role, Roles.Researcher));
        options.AddPolicy(Committee, p => Api(p).RequireClaim(OpenIddictConstants.Claims.Role, Roles.CommitteeMember));
        options.AddPolicy(Compliance, p => Api(p).RequireClaim(OpenIddictConstants.Claims.Role, Roles.ComplianceOfficer));
        options.AddPolicy(Steward, p => Api(p).RequireClaim(OpenIddictConstants.Claims.Role, Roles.DataSteward));
        options.AddPolicy(Admin, p => Api(p).RequireClaim(OpenIddictConstants.Claims.Role, Roles.Administrator));
        options.AddPolicy(ReadAudit, p => Api(p).RequireClaim(OpenIddictConstants.Claims.Role, Roles.ComplianceOfficer, Roles.Administrator));
        // An endpoint that forgets its policy is refused rather than left open.
        options.FallbackPolicy = options.GetPolicy(Authenticated);
    }

    // Bearer tokens only: the login cookie must never authorize an API call (that would reopen CSRF).
    private static AuthorizationPolicyBuilder Api(AuthorizationPolicyBuilder policy) => policy
        .AddAuthenticationSchemes(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme)
        .RequireAuthenticatedUser()
        .RequireAssertion(context => context.User.HasScope(GatewayScopes.Api));
}

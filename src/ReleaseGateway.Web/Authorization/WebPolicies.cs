using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Web.SignIn;

namespace ReleaseGateway.Web.Authorization;

/// <summary>
/// The API's policies (<see cref="Policies"/>) for the pages: <c>web:NAME</c> is policy NAME with exactly its
/// requirements (role, <c>rgw.api</c> scope, authenticated user), evaluated against the web session instead of a
/// bearer token. There is no second copy of any rule; only where the principal comes from differs. The API's
/// policies keep accepting bearer tokens only, so the session cookie never authorizes an API call.
/// </summary>
public static class WebPolicies
{
    public const string Prefix = "web:";

    public const string Authenticated = Prefix + Policies.Authenticated;
    public const string Researcher = Prefix + Policies.Researcher;
    public const string Committee = Prefix + Policies.Committee;
    public const string Compliance = Prefix + Policies.Compliance;
    public const string Steward = Prefix + Policies.Steward;
    public const string ReadAudit = Prefix + Policies.ReadAudit;
    public const string Admin = Prefix + Policies.Admin;
}

internal sealed class WebPolicyProvider(IOptions<AuthorizationOptions> options) : DefaultAuthorizationPolicyProvider(options)
{
    public override async Task<AuthorizationPolicy?> GetPolicyAsync(string policyName)
    {
        if (!policyName.StartsWith(WebPolicies.Prefix, StringComparison.Ordinal)) return await base.GetPolicyAsync(policyName);
        var api = await base.GetPolicyAsync(policyName[WebPolicies.Prefix.Length..]);
        return api is null ? null : new AuthorizationPolicy(api.Requirements, [WebSignIn.CookieScheme]);
    }

    // Policies are fixed at start-up, so endpoints may cache the combined ones.
    public override bool AllowsCachingPolicies => true;
}

namespace ReleaseGateway.Identity.Authorization;

/// <summary>The five roles of the gateway (issue 3). Names are stable: they are stored in tokens and audit events.</summary>
public static class Roles
{
    public const string Researcher = "Researcher";
    public const string CommitteeMember = "CommitteeMember";
    public const string ComplianceOfficer = "ComplianceOfficer";
    public const string DataSteward = "DataSteward";
    public const string Administrator = "Administrator";

    public static IReadOnlyList<string> All { get; } = [Researcher, CommitteeMember, ComplianceOfficer, DataSteward, Administrator];

    /// <summary>
    /// The roles that act in the release workflow. An administrator holds one only when a second administrator grants
    /// it (issue 15): whoever manages accounts must not also fill a quorum or give a sign-off alone.
    /// </summary>
    public static bool IsWorkflowRole(string role) => role is Researcher or CommitteeMember or ComplianceOfficer or DataSteward;

    /// <summary>The canonical spelling of <paramref name="role"/> (case-insensitive), or null when it is not a gateway role.</summary>
    public static string? Normalize(string role) => All.FirstOrDefault(r => string.Equals(r, role, StringComparison.OrdinalIgnoreCase));
}

/// <summary>OAuth scopes and the API resource (audience) the gateway issues tokens for.</summary>
public static class GatewayScopes
{
    /// <summary>Grants access to the gateway's API; without it a token is refused with 403.</summary>
    public const string Api = "rgw.api";

    /// <summary>The audience of access tokens for the API; a token for another audience is refused with 401.</summary>
    public const string ApiResource = "releasegateway-api";

    /// <summary>The public client the <c>rgw</c> command line signs in with (authorization code + PKCE, device flow).</summary>
    public const string CliClientId = "rgw-cli";

    /// <summary>The public client the gateway's own web interface signs in with (authorization code + PKCE, registered at start-up).</summary>
    public const string WebClientId = "rgw-web";

    /// <summary>
    /// Application property (JSON <c>true</c>) of a client the gateway serves itself: its redirect URIs are accepted on the
    /// origin the authorization request came to, with a registered path (see <c>LoopbackRedirectApplicationManager</c>).
    /// </summary>
    public const string SameOriginRedirectProperty = "rgw_same_origin_redirect";
}

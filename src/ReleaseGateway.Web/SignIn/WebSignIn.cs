using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using ReleaseGateway.Identity;
using ReleaseGateway.Identity.Authorization;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace ReleaseGateway.Web.SignIn;

/// <summary>
/// Sign-in for the pages: the gateway's own OpenID Connect server, used like any other client would use it
/// (authorization code + PKCE, public client <see cref="GatewayScopes.WebClientId"/>), and a session cookie
/// scoped to <c>/ui</c>. The session carries the claims of the access token the server issued (subject, roles,
/// actor kind, scopes), so pages evaluate the API's policies and record the same actor as the API would.
/// The authority is the origin the browser used (the gateway's address is not fixed: a port picked at start,
/// a proxy's host name), restricted to origins that are this gateway (<see cref="GatewayOrigins"/>).
/// </summary>
public static class WebSignIn
{
    public const string CookieScheme = "rgw.web";
    public const string OidcScheme = "rgw.web.oidc";
    public const string CallbackPath = WebModule.PathPrefix + "/signin-oidc";

    internal static void Add(IHostApplicationBuilder builder)
    {
        var settings = IdentitySettings.Read(builder.Configuration, builder.Environment);
        var secure = settings.RequireHttps ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
        var services = builder.Services;
        services.AddHttpContextAccessor();
        services.AddAuthentication()
            .AddCookie(CookieScheme, o =>
            {
                o.Cookie.Name = "rgw.web";
                o.Cookie.Path = WebModule.PathPrefix;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = secure;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
                o.AccessDeniedPath = WebModule.PathPrefix + "/denied";
                o.EventsType = typeof(WebSessionEvents);
            })
            .AddOpenIdConnect(OidcScheme, o =>
            {
                o.SignInScheme = CookieScheme;
                o.ClientId = GatewayScopes.WebClientId;
                o.ResponseType = OpenIdConnectResponseType.Code;
                // The code comes back in the query: form_post would need a script the pages' CSP does not allow.
                o.ResponseMode = OpenIdConnectResponseMode.Query;
                o.UsePkce = true;
                o.Scope.Clear();
                o.Scope.Add(Scopes.OpenId);
                o.Scope.Add(Scopes.Profile);
                o.Scope.Add(GatewayScopes.Api);
                o.CallbackPath = CallbackPath;
                o.SignedOutCallbackPath = WebModule.PathPrefix + "/signout-callback-oidc";
                o.RemoteSignOutPath = WebModule.PathPrefix + "/signout-oidc";
                o.MapInboundClaims = false;
                o.GetClaimsFromUserInfoEndpoint = false;
                o.SaveTokens = false;
                o.DisableTelemetry = true;
                o.RequireHttpsMetadata = settings.RequireHttps;
                o.CorrelationCookie.SameSite = SameSiteMode.Lax;
                o.CorrelationCookie.SecurePolicy = secure;
                o.NonceCookie.SameSite = SameSiteMode.Lax;
                o.NonceCookie.SecurePolicy = secure;
                o.TokenValidationParameters.NameClaimType = Claims.Name;
                o.TokenValidationParameters.RoleClaimType = Claims.Role;
                o.EventsType = typeof(WebSignInEvents);
            });
        services.AddScoped<WebSessionEvents>();
        services.AddScoped<WebSignInEvents>();
        services.AddSingleton<GatewayOrigins>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<OpenIdConnectOptions>, SameOriginAuthority>());
        services.AddHostedService<WebClientRegistration>();
    }
}

/// <summary>Points the OpenID Connect handler at the gateway on the origin of the request it is handling.</summary>
internal sealed class SameOriginAuthority(IHttpContextAccessor accessor, GatewayOrigins origins, IdentitySettings settings)
    : IPostConfigureOptions<OpenIdConnectOptions>
{
    // Runs after the handler's own post-configuration, which creates the back-channel client this uses.
    public void PostConfigure(string? name, OpenIdConnectOptions options)
    {
        if (name != WebSignIn.OidcScheme) return;
        options.ConfigurationManager = new SameOriginConfigurationManager(accessor, origins, options.Backchannel, settings.RequireHttps);
    }
}

using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using ReleaseGateway.EventStore.Blobs;
using ReleaseGateway.Identity.Audit;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Identity.Connect;
using ReleaseGateway.Identity.Data;
using ReleaseGateway.Identity.Keys;
using ReleaseGateway.Identity.SignIn;
using ReleaseGateway.Identity.Users;
using ReleaseGateway.Problems;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace ReleaseGateway.Identity;

public static class IdentityModule
{
    /// <summary>
    /// The token server (OpenIddict), token validation for the API, ASP.NET Core Identity users and roles,
    /// the sign-in pages, authorization policies and rate limits of the sign-in endpoints. Needs the event store.
    /// </summary>
    public static IHostApplicationBuilder AddIdentityModule(this IHostApplicationBuilder builder)
    {
        var settings = IdentitySettings.Read(builder.Configuration, builder.Environment);
        var services = builder.Services;
        AddStorage(services, settings);

        services.AddIdentity<GatewayUser, IdentityRole<Guid>>(o => ConfigureIdentity(o, settings))
            .AddEntityFrameworkStores<IdentityStore>()
            .AddDefaultTokenProviders();
        var secure = settings.RequireHttps ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
        services.ConfigureApplicationCookie(o =>
        {
            o.Cookie.Name = "rgw.signin";
            o.Cookie.SecurePolicy = secure;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.LoginPath = AccountEndpoints.LoginPath;
            // The cookie only bridges the sign-in page and the authorization endpoint; tokens carry the session.
            o.ExpireTimeSpan = TimeSpan.FromMinutes(30);
        });
        services.Configure<CookieAuthenticationOptions>(IdentityConstants.TwoFactorUserIdScheme, o => o.Cookie.SecurePolicy = secure);
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "rgw.antiforgery";
            o.Cookie.SecurePolicy = secure;
        });
        var dataProtection = services.AddDataProtection().SetApplicationName("ReleaseGateway");
        if (GatewayStorage.IsShared(builder.Configuration))
            // Every node must read the others' cookies and antiforgery tokens: the key ring is shared, sealed (ADR 0041).
            services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(o =>
            {
                var keys = sp.GetRequiredService<GatewayStorage>().Keys;
                o.XmlRepository = new SharedDataProtectionKeys(keys);
                // The framework encrypts each key's secret too, with the storage key from configuration (ADR 0043).
                o.XmlEncryptor = new StorageKeyXmlEncryptor(keys);
            }));
        else
        {
            var protection = DataProtectionCertificate.LoadOrCreate(
                builder.Configuration["Identity:DataProtection:CertificateFile"] is { Length: > 0 } file
                    ? file
                    : Path.Combine(settings.KeysDirectory, DataProtectionCertificate.FileName));
            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(settings.KeysDirectory, "data-protection")))
                .ProtectKeysWithCertificate(protection)
                .UnprotectKeysWithAnyCertificate(protection);
        }

        services.AddOpenIddict()
            .AddServer(o =>
            {
                o.SetAuthorizationEndpointUris(ConnectEndpoints.AuthorizationPath)
                    .SetTokenEndpointUris(ConnectEndpoints.TokenPath)
                    .SetDeviceAuthorizationEndpointUris(ConnectEndpoints.DeviceAuthorizationPath)
                    .SetEndUserVerificationEndpointUris(ConnectEndpoints.VerificationPath)
                    .SetRevocationEndpointUris(ConnectEndpoints.RevocationPath);
                // No password or implicit flow: passwords are typed into the gateway's own page only.
                o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange()
                    .AllowDeviceAuthorizationFlow()
                    .AllowClientCredentialsFlow()
                    .AllowRefreshTokenFlow();
                o.RegisterScopes(Scopes.OpenId, Scopes.Profile, Scopes.Email, Scopes.OfflineAccess, GatewayScopes.Api);
                o.SetAccessTokenLifetime(settings.AccessTokenLifetime)
                    .SetRefreshTokenLifetime(settings.RefreshTokenLifetime)
                    // Rotation with reuse detection: a refresh token works once, and replaying it revokes the chain.
                    .SetRefreshTokenReuseLeeway(TimeSpan.Zero);
                if (settings.Issuer is { } issuer) o.SetIssuer(issuer);
                var aspNetCore = o.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableTokenEndpointPassthrough()
                    .EnableEndUserVerificationEndpointPassthrough()
                    .EnableStatusCodePagesIntegration();
                if (!settings.RequireHttps) aspNetCore.DisableTransportSecurityRequirement();
            })
            .AddValidation(o =>
            {
                o.UseLocalServer();
                o.UseAspNetCore();
                o.AddAudiences(GatewayScopes.ApiResource);
                // A user's token stands only while it matches the user's current roles and account state (ADR 0029).
                o.AddEventHandler(CurrentUserTokenHandler.Descriptor);
            });
        services.AddSingleton<IConfigureOptions<OpenIddictServerOptions>, TokenKeysConfiguration>();

        services.AddAuthorization(Policies.Add);
        services.AddRateLimiter(o => ConfigureRateLimits(o, settings));
        services.AddScoped<SignInAudit>();
        services.AddSingleton<KeyRotationStatus>();
        services.AddHostedService<IdentityDatabaseInitializer>();
        services.AddHealthChecks().AddCheck<IdentityDatabaseHealthCheck>("identity-database", tags: ["ready"]);
        return builder;
    }

    /// <summary>Users, clients and roles without the web parts: what <c>rgw users</c> and <c>rgw clients</c> need.</summary>
    public static IServiceCollection AddIdentityAdministration(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = IdentitySettings.Read(configuration, environment: null);
        AddStorage(services, settings);
        services.AddIdentityCore<GatewayUser>(o => ConfigureIdentity(o, settings))
            .AddRoles<IdentityRole<Guid>>()
            .AddEntityFrameworkStores<IdentityStore>()
            .AddTokenProvider<AuthenticatorTokenProvider<GatewayUser>>(TokenOptions.DefaultAuthenticatorProvider);
        return services;
    }

    /// <summary>Rate limits, then authentication and authorization; after the host's security middleware.</summary>
    public static IApplicationBuilder UseIdentityModule(this IApplicationBuilder app) => app
        .Use(ReadWebCodeExchange)
        .UseRateLimiter()
        .UseAuthentication()
        .UseAuthorization();

    public static IEndpointRouteBuilder MapIdentityEndpoints(this IEndpointRouteBuilder app)
    {
        AccountEndpoints.Map(app);
        ConnectEndpoints.Map(app);
        UsersEndpoints.Map(app);
        PeopleEndpoints.Map(app);
        return app;
    }

    private static void AddStorage(IServiceCollection services, IdentitySettings settings)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(settings);
        services.AddMetrics();
        services.TryAddSingleton<IdentityMetrics>();
        services.AddDbContext<IdentityStore>(o =>
        {
            if (settings.UsesPostgres)
                o.UseNpgsql(settings.PostgresConnectionString);
            else
            {
                Directory.CreateDirectory(settings.DataDirectory);
                o.UseSqlite($"Data Source={settings.SqlitePath}");
            }
            o.UseOpenIddict<Guid>();
        });
        services.AddOpenIddict().AddCore(o =>
        {
            o.UseEntityFrameworkCore().UseDbContext<IdentityStore>().ReplaceDefaultEntities<Guid>();
            o.ReplaceApplicationManager(typeof(LoopbackRedirectApplicationManager<>));
        });
        services.TryAddScoped<IdentityAuditLog>();
        services.TryAddSingleton<UserAccessCheck>();
        services.TryAddSingleton<SignInThrottle>();
        services.TryAddScoped<UserAdministration>();
        services.TryAddScoped<OwnAccount>();
        IdentityAuditLog.Register(services);
    }

    private static void ConfigureIdentity(IdentityOptions o, IdentitySettings settings)
    {
        // Length over composition rules (NIST SP 800-63B): composition rules make passwords predictable, not strong.
        o.Password.RequiredLength = 12;
        o.Password.RequiredUniqueChars = 4;
        o.Password.RequireDigit = false;
        o.Password.RequireLowercase = false;
        o.Password.RequireUppercase = false;
        o.Password.RequireNonAlphanumeric = false;
        o.Lockout.AllowedForNewUsers = true;
        o.Lockout.MaxFailedAccessAttempts = settings.MaxFailedAccessAttempts;
        o.Lockout.DefaultLockoutTimeSpan = settings.LockoutDuration;
        o.User.RequireUniqueEmail = true;
        o.ClaimsIdentity.UserIdClaimType = Claims.Subject;
        o.ClaimsIdentity.UserNameClaimType = Claims.Name;
        o.ClaimsIdentity.RoleClaimType = Claims.Role;
        o.ClaimsIdentity.EmailClaimType = Claims.Email;
    }

    // Only the endpoints that take a secret (password, code, client secret) are limited, per client address and endpoint
    // (the web interface's code exchange excepted: ReadWebCodeExchange).
    private static readonly HashSet<string> LimitedPaths = new(StringComparer.OrdinalIgnoreCase)
    {
        ConnectEndpoints.TokenPath, ConnectEndpoints.DeviceAuthorizationPath, ConnectEndpoints.VerificationPath,
        AccountEndpoints.LoginPath, AccountEndpoints.TotpPath, AccountEndpoints.ChangePasswordPath, AccountEndpoints.ResetPath,
    };

    private const string WebCodeExchangeKey = "rgw:web-code-exchange";

    // A code exchange is a few hundred bytes; anything larger is not read before the limiter has counted it.
    private const long MaxTokenRequestBytes = 16 * 1024;

    /// <summary>
    /// Marks the web interface's code exchange: the gateway's own back-channel posts it, so by client address every web
    /// sign-in would share one bucket. It carries no secret to guess: the public client has none, the code is single-use
    /// and bound to its PKCE verifier, and the password behind it was checked on the login page, which stays limited per
    /// browser. The form is read here (asynchronously; the limiter's partitioner cannot) and kept for OpenIddict.
    /// </summary>
    private static async Task ReadWebCodeExchange(HttpContext context, Func<Task> next)
    {
        if (HttpMethods.IsPost(context.Request.Method) && context.Request.Path.Equals(ConnectEndpoints.TokenPath, StringComparison.OrdinalIgnoreCase)
            && context.Request.HasFormContentType && context.Request.ContentLength is > 0 and <= MaxTokenRequestBytes)
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            if (form[Parameters.GrantType] == GrantTypes.AuthorizationCode && form[Parameters.ClientId] == GatewayScopes.WebClientId
                && !form.ContainsKey(Parameters.ClientSecret) && context.Request.Headers.Authorization.Count == 0)
                context.Items[WebCodeExchangeKey] = true;
        }
        await next();
    }

    private static void ConfigureRateLimits(RateLimiterOptions options, IdentitySettings settings)
    {
        options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            HttpMethods.IsPost(context.Request.Method) && LimitedPaths.Contains(context.Request.Path.Value ?? "")
            && !context.Items.ContainsKey(WebCodeExchangeKey)
                ? RateLimitPartition.GetFixedWindowLimiter(
                    $"{context.Connection.RemoteIpAddress}|{context.Request.Path.Value!.ToLowerInvariant()}",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = settings.AuthPermitLimit, Window = settings.AuthRateWindow, QueueLimit = 0 })
                : RateLimitPartition.GetNoLimiter(""));
        options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        options.OnRejected = async (context, cancellationToken) =>
        {
            var http = context.HttpContext;
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(IdentityModule)).RateLimited(http.Request.Path.Value ?? "");
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(
                (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : settings.AuthRateWindow).TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails = GatewayProblems.Describe(ErrorCodes.TooManyAttempts),
            });
        };
    }
}

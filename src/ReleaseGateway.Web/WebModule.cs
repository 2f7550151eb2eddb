using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ReleaseGateway.Web.Authorization;
using ReleaseGateway.Web.Inbox;
using ReleaseGateway.Web.Infrastructure;
using ReleaseGateway.Web.SignIn;

namespace ReleaseGateway.Web;

/// <summary>
/// The web interface for researchers, committee members, compliance officers and stewards (issue 9): Razor Pages
/// under <c>/ui</c>, a session cookie for those pages only, signed in through the gateway's own OpenID Connect
/// server, authorized by the API's own policies, and calling the modules' commands and read models in-process.
/// Add after the identity, requests and releases modules.
/// </summary>
public static class WebModule
{
    public const string PathPrefix = "/ui";

    // The property through which ASP.NET Core's re-executing middleware finds the application's routes.
    private const string GlobalEndpointRouteBuilderKey = "__GlobalEndpointRouteBuilder";

    public static IHostApplicationBuilder AddWebModule(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var assembly = typeof(WebModule).Assembly;
        services.AddRazorPages(o =>
            {
                // Every page needs a signed-in session unless it says otherwise; each page adds its role's policy.
                o.Conventions.AuthorizeFolder("/", WebPolicies.Authenticated);
                o.Conventions.AllowAnonymousToPage("/Error");
                o.Conventions.AllowAnonymousToPage("/SignedOut");
            })
            .ConfigureApplicationPartManager(parts =>
            {
                // The host may already have discovered this library (its ApplicationPart attribute); add it once.
                if (!parts.ApplicationParts.OfType<AssemblyPart>().Any(p => p.Assembly == assembly))
                    foreach (var part in ApplicationPartFactory.GetApplicationPartFactory(assembly).GetApplicationParts(assembly))
                        parts.ApplicationParts.Add(part);
            });
        services.AddSingleton<IAuthorizationPolicyProvider, WebPolicyProvider>();
        WebSignIn.Add(builder);
        services.AddScoped<UserDirectory>();
        services.AddSingleton<AuditSigning>();
        services.AddSingleton<ChainStatus>();
        services.AddScoped<PersonalInbox>();
        services.AddInboxSource<DecisionsAwaited>();
        services.AddInboxSource<ResearcherInbox>();
        services.AddInboxSource<NotificationsInbox>();
        return builder;
    }

    public static WebApplication MapWebModule(this WebApplication app)
    {
        // Readable pages for the interface's own failures (never a stack trace); the API keeps its problem details.
        IApplicationBuilder pipeline = app;
        app.Use(main =>
        {
            // Built with the application's pipeline, once its routing exists: re-executing a request to the error page
            // routes it through the application's routes, which a branch gets only through this property.
            var ui = pipeline.New();
            ui.Properties[GlobalEndpointRouteBuilderKey] = app;
            ui.UseExceptionHandler(PathPrefix + "/error");
            ui.UseStatusCodePagesWithReExecute(PathPrefix + "/error", "?status={0}");
            ui.Run(main);
            var branch = ui.Build();
            return context => context.Request.Path.StartsWithSegments(PathPrefix) ? branch(context) : main(context);
        });
        app.MapGet("/", () => Results.Redirect(PathPrefix)).AllowAnonymous().ExcludeFromDescription();
        app.MapGet(PathPrefix + "/site.css", context => Asset(context, Css.Value, "text/css; charset=utf-8")).AllowAnonymous().ExcludeFromDescription();
        app.MapGet(PathPrefix + "/favicon.svg", context => Asset(context, Icon.Value, "image/svg+xml")).AllowAnonymous().ExcludeFromDescription();
        // Browsers ask for /favicon.ico on pages that name no icon (the API's): the same icon, not a 401.
        app.MapGet("/favicon.ico", context => Asset(context, Icon.Value, "image/svg+xml")).AllowAnonymous().ExcludeFromDescription();
        app.MapRazorPages();
        return app;
    }

    private static readonly Lazy<byte[]> Css = new(() => Embedded("ReleaseGateway.Web.site.css"));
    private static readonly Lazy<byte[]> Icon = new(() => Embedded("ReleaseGateway.Web.favicon.svg"));

    private static byte[] Embedded(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"{name} is not embedded.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static Task Asset(HttpContext context, byte[] bytes, string contentType)
    {
        context.Response.Headers.CacheControl = "public, max-age=3600";
        context.Response.Headers.Remove("Pragma");
        return Results.Bytes(bytes, contentType).ExecuteAsync(context);
    }
}

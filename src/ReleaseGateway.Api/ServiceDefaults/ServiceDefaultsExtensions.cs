using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using ReleaseGateway.Diagnostics;
using ReleaseGateway.EventStore;
using Scalar.AspNetCore;

namespace ReleaseGateway.Api.ServiceDefaults;

/// <summary>What every gateway host has: telemetry, health, problem details, security headers, CORS, OpenAPI.</summary>
public static class ServiceDefaultsExtensions
{
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder)
    {
        AddTelemetry(builder);
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ProblemDetailsDefaults.Customize);
        builder.Services.AddExceptionHandler<UnexpectedExceptionHandler>();
        builder.Services.AddHealthChecks().AddCheck<EventStoreHealthCheck>("event-store", tags: ["ready"]);
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer<BearerSecuritySchemeTransformer>());
        // Closed by default: only origins listed under ReleaseGateway:Cors:AllowedOrigins may call from a browser.
        var origins = builder.Configuration.GetSection("ReleaseGateway:Cors:AllowedOrigins").Get<string[]>() ?? [];
        builder.Services.AddCors(o => o.AddDefaultPolicy(p =>
        {
            if (origins.Length > 0) p.WithOrigins(origins).AllowAnyHeader().WithMethods("GET", "POST", "PUT", "DELETE");
        }));
        var proxies = TrustedProxies.Read(builder.Configuration);
        builder.Services.Configure<ForwardedHeadersOptions>(o => proxies.Apply(o));
        builder.Services.AddSingleton(proxies);
        builder.Services.AddHsts(o => o.MaxAge = TimeSpan.FromDays(365));
        return builder;
    }

    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        var requireHttps = app.Configuration.GetValue("ReleaseGateway:RequireHttps", !app.Environment.IsDevelopment());
        // Off by default: the time a response took on the server, for bench/ReleaseGateway.Web.Bench and browser dev tools.
        if (app.Configuration.GetValue("ReleaseGateway:ServerTiming", false)) app.UseMiddleware<ServerTimingMiddleware>();
        // Only a proxy listed in ReleaseGateway:ForwardedHeaders:KnownProxies may claim the client's address and scheme;
        // with none listed, the headers are ignored (the rate limits key on the connection's address, issue 15).
        if (app.Services.GetRequiredService<TrustedProxies>().Any) app.UseForwardedHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        if (requireHttps)
        {
            app.UseHsts();
            app.UseMiddleware<RequireHttpsMiddleware>();
        }
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseCors();
        return app;
    }

    public static WebApplication MapServiceDefaults(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") }).AllowAnonymous();
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        // The reference only: no vendor services ("Ask AI", MCP, "Generate SDK", "Deploy", "Share"), no telemetry.
        if (app.Environment.IsDevelopment())
            app.MapScalarApiReference(o =>
            {
                o.WithTitle("ReleaseGateway API").DisableAgent().DisableMcp().DisableTelemetry();
                o.ShowDeveloperTools = DeveloperToolsVisibility.Never;
            }).AllowAnonymous();
        ErrorPages.Map(app);
        DocsPages.Map(app);
        return app;
    }

    private static void AddTelemetry(WebApplicationBuilder builder)
    {
        var console = builder.Configuration.GetValue("ReleaseGateway:Telemetry:Console", false);
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        builder.Logging.AddOpenTelemetry(o =>
        {
            o.IncludeFormattedMessage = true;
            o.IncludeScopes = true;
            if (console) o.AddConsoleExporter();
        });
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(GatewayTelemetry.Name))
            .WithTracing(t =>
            {
                t.AddSource(GatewayTelemetry.Name, "Quartz")
                    .AddAspNetCoreInstrumentation(o => o.Filter = context => !context.Request.Path.StartsWithSegments("/health"))
                    .AddHttpClientInstrumentation();
                if (console) t.AddConsoleExporter();
            })
            .WithMetrics(m =>
            {
                m.AddMeter(GatewayTelemetry.Name, "Quartz")
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation();
                if (console) m.AddConsoleExporter();
            });
        // The standard OTEL_EXPORTER_OTLP_* variables configure endpoint, protocol and headers.
        if (otlp) telemetry.UseOtlpExporter();
    }
}

/// <summary>Ready only when the audit log answers: the gateway must not act without recording.</summary>
internal sealed class EventStoreHealthCheck(IEventStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await store.ReadHeadAsync(cancellationToken);
        return HealthCheckResult.Healthy();
    }
}

using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using ReleaseGateway.EventStore;
using ReleaseGateway.EventStore.Blobs;
using ReleaseGateway.EventStore.Verification;
using ReleaseGateway.Releases.Artifacts;
using ReleaseGateway.Releases.Budget;
using ReleaseGateway.Releases.Generators;
using ReleaseGateway.Releases.Jobs;
using ReleaseGateway.Releases.Pipeline;
using ReleaseGateway.Requests.Datasets.UploadSourceTable;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Datasets.Sources;

namespace ReleaseGateway.Releases;

/// <summary>
/// The release pipeline: the privacy budget ledger (reserved on approval, charged at generation), the durable jobs
/// that generate, evaluate and publish, content-addressed artifacts, signed manifests, downloads, revocation and
/// expiry. Configuration: <c>ReleaseGateway:AuditSigningKeyFile</c> (the gateway's signing key, also used for audit
/// checkpoints) and the job engine's <c>ReleaseGateway:Jobs:*</c> keys (ADR 0019).
/// </summary>
public static class ReleasesModule
{
    public static IHostApplicationBuilder AddReleasesModule(this IHostApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var dataDirectory = configuration.ReadEventStoreSettings().DataDirectory;
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.ConfigureEventStore(o =>
        {
            PrivacyBudgetLedgers.Register(o);
            foreach (var type in ReleaseEventTypes.All) o.Events.Register(type);
            o.Projections.Add(new ReleaseDetailsProjection());
            ReleaseQueries.Index(o.Indexes);
        });
        services.AddSingleton<PrivacyBudgetLedgers>();
        services.AddSingleton<BudgetLedgerViews>();
        services.AddSingleton<IAccessRequestDecisionHook, BudgetReservationHook>();
        services.AddSingleton<ReleaseGateway.Requests.Datasets.Lifecycle.IDatasetVersionHook, LedgerRestartHook>();
        services.AddSingleton(sp => new ArtifactStore(sp.GetRequiredService<GatewayStorage>().Blobs));
        services.AddSingleton(sp => new SeedVault(sp.GetRequiredService<GatewayStorage>().Blobs, sp.GetRequiredService<SourceEncryptionKey>()));
        services.AddSingleton(sp => sp.GetRequiredService<GatewayStorage>() is { Shared: true } shared
            ? new PipelineProgress(shared.Blobs)
            : new PipelineProgress());
        services.AddSingleton(sp => new EvaluationSamples(dataDirectory, sp.GetRequiredService<SourceEncryptionKey>(), sp.GetRequiredService<EngineSourceOptions>()));
        services.AddSingleton(sp => new Lazy<AuditSigningKey>(() => configuration.LoadAuditSigningKey(sp.GetRequiredService<GatewayStorage>())));
        services.AddSingleton(sp => new ReleasePublication(sp.GetRequiredService<ArtifactStore>(), () => sp.GetRequiredService<Lazy<AuditSigningKey>>().Value));
        services.AddSingleton<ReleaseGeneration>();
        services.AddSingleton<ReleaseEvaluation>();
        services.AddSingleton<ReleaseLifecycle>();
        services.AddScoped<ReleaseCommands>();
        services.AddScoped<Access.CloseOutCommands>();
        services.AddScoped<Access.VisaIssuer>();
        services.AddScoped<Requests.AccessRequests.ISubmissionCheck, Access.CloseOutDueCheck>();
        services.AddTransient<ReleasePipeline>();
        // Plug-in generators (ADR 0043) before the job engine: a node serves the jobs of the generators it can run.
        var generators = GeneratorRegistry.Default.InstallFrom(configuration);
        builder.AddReleaseJobs(refusedExecutionGroups: [.. generators.Entries.Where(e => !e.IsInstalled).Select(e => e.ExecutionGroup!)]);
        services.AddSingleton<GeneratorNodes>();
        services.AddHostedService(sp => sp.GetRequiredService<GeneratorNodes>());
        services.AddHostedService<PipelineDispatcher>();
        services.AddScoped<IDatasetStreams, ReleaseStreamsOfDataset>();
        return builder;
    }

    public static IEndpointRouteBuilder MapReleasesEndpoints(this IEndpointRouteBuilder app)
    {
        BudgetEndpoints.Map(app);
        ReleaseEndpoints.Map(app);
        Access.AccessEndpoints.Map(app);
        return app;
    }
}

using FluentValidation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ReleaseGateway.EventStore;
using ReleaseGateway.EventStore.Blobs;
using ReleaseGateway.Problems;
using ReleaseGateway.Requests.Audit;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.AccessRequests.AcceptForReview;
using ReleaseGateway.Requests.AccessRequests.AdvanceAccessRequest;
using ReleaseGateway.Requests.AccessRequests.CastVote;
using ReleaseGateway.Requests.AccessRequests.DeclareConflict;
using ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails;
using ReleaseGateway.Requests.AccessRequests.ListAwaitingMyDecision;
using ReleaseGateway.Requests.AccessRequests.ListMyRequests;
using ReleaseGateway.Requests.AccessRequests.RequestChanges;
using ReleaseGateway.Requests.AccessRequests.ResubmitAccessRequest;
using ReleaseGateway.Requests.AccessRequests.SubmitAccessRequest;
using ReleaseGateway.Requests.AccessRequests.WithdrawAccessRequest;
using ReleaseGateway.Requests.Committees;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Datasets.AssignCommittee;
using ReleaseGateway.Requests.Datasets.GetDataset;
using ReleaseGateway.Requests.Datasets.RegisterDataset;
using ReleaseGateway.Requests.Notifications;
using ReleaseGateway.Requests.Datasets.UploadSourceTable;
using ReleaseGateway.Requests.Policies;
using ReleaseGateway.Requests.Workflows;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Datasets.Sources;
using ReleaseGateway.Requests.Datasets.ConnectSourceTable;

namespace ReleaseGateway.Requests;

/// <summary>
/// Datasets, access requests and committee decisions. Workflow definitions and policies are loaded and
/// checked while the host is built: a broken file stops start-up with its file, line and reason.
/// Configuration: <c>ReleaseGateway:WorkflowsDirectory</c>, <c>ReleaseGateway:PoliciesDirectory</c> (default:
/// the nearest <c>workflows/</c> and <c>policies/</c> above the content root), <c>ReleaseGateway:MaxUploadBytes</c>
/// (default 256 MiB), <c>ReleaseGateway:SourceEncryptionKey</c> (base64, else a key file under the data folder).
/// </summary>
public static class RequestsModule
{
    public const long DefaultMaxUploadBytes = 256L * 1024 * 1024;

    /// <param name="evaluationSections">The evaluation module's check of a policy's gates (the host passes it, ADR 0032).</param>
    /// <param name="noiseScale">The synthesis module's noise bound: which ε a release can be made with (issue 15, row 5).</param>
    public static IHostApplicationBuilder AddRequestsModule(this IHostApplicationBuilder builder, PolicySectionsCheck evaluationSections,
        NoiseScaleBound noiseScale)
    {
        var configuration = builder.Configuration;
        var workflows = WorkflowCatalog.LoadDirectory(configuration["ReleaseGateway:WorkflowsDirectory"] is { Length: > 0 } w
            ? w : FindAbove(builder.Environment.ContentRootPath, "workflows"));
        var policies = PolicyLoader.LoadDirectory(configuration["ReleaseGateway:PoliciesDirectory"] is { Length: > 0 } p
            ? p : FindAbove(builder.Environment.ContentRootPath, "policies"), workflows, evaluationSections, noiseScale);
        var dataDirectory = configuration.ReadEventStoreSettings().DataDirectory;
        var maxUpload = configuration.GetValue("ReleaseGateway:MaxUploadBytes", DefaultMaxUploadBytes);

        builder.Services.AddSingleton(workflows);
        builder.Services.AddSingleton(policies);
        builder.Services.AddSingleton(noiseScale);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(_ => SourceEncryptionKey.FromConfiguration(configuration["ReleaseGateway:SourceEncryptionKey"], dataDirectory));
        builder.Services.AddSingleton(sp => new SourceTableStore(sp.GetRequiredService<GatewayStorage>().Blobs, sp.GetRequiredService<SourceEncryptionKey>(), maxUpload));
        // Engine-backed sources (ADR 0038): connection strings by name and the folders files may be read from.
        builder.Services.AddSingleton(configuration.GetSection("ReleaseGateway:Sources").Get<EngineSourceOptions>() ?? new EngineSourceOptions());
        builder.Services.AddScoped<IDatasetStreams, RequestStreamsOfDataset>();
        builder.Services.AddScoped<AccessRequestCommands>();
        builder.Services.AddScoped<DatasetCommands>();
        builder.Services.AddScoped<Datasets.Lifecycle.DatasetLifecycleCommands>();
        builder.Services.AddScoped<CommitteeCommands>();
        builder.Services.AddScoped<Agreements.AgreementCommands>();
        builder.Services.AddScoped<Refusals>();
        builder.Services.AddSingleton(SmtpSettings.FromConfiguration(configuration));
        // Reset links go to the person's own address straight away, outside the outbox: they are secrets (ADR 0053).
        if (SmtpSettings.FromConfiguration(configuration).Host is not null)
            builder.Services.AddSingleton<ReleaseGateway.Identity.Users.IAccountMail>(sp => new SmtpNotificationSender(sp.GetRequiredService<SmtpSettings>()));
        // The dispatcher writes outbox events of its own; it runs where notifications are wanted (ADR 0049).
        if (configuration.GetValue("ReleaseGateway:Notifications:Enabled", SmtpSettings.FromConfiguration(configuration).Host is not null))
            builder.Services.AddHostedService<NotificationHostedService>();
        builder.Services.ConfigureEventStore(o =>
        {
            foreach (var type in AccessRequestEventTypes.All.Concat(DatasetEventTypes.All).Concat(CommitteeEventTypes.All)
                .Concat(Agreements.AgreementEventTypes.All).Concat(NotificationEventTypes.All).Append(typeof(NotificationPreferencesSet))) o.Events.Register(type);
            o.Projections.Add(new AccessRequestDetailsProjection());
            AccessRequestQueries.Index(o.Indexes);
            o.Projections.Add(new DatasetDetailsProjection());
            o.Projections.Add(new CommitteeDetailsProjection());
            o.Projections.Add(new Agreements.DataUseAgreementProjection());
            o.Projections.Add(new NotificationDetailsProjection());
            o.Projections.Add(new NotificationPreferencesProjection());
        });
        return builder;
    }

    public static IEndpointRouteBuilder MapRequestsEndpoints(this IEndpointRouteBuilder app)
    {
        var datasets = app.MapGroup("/datasets").WithTags("Datasets").AddEndpointFilter<RequestsProblemFilter>()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesValidationProblem();
        RegisterDatasetEndpoint.Map(datasets);
        UploadSourceTableEndpoint.Map(datasets);
        ConnectSourceTableEndpoint.Map(datasets);
        GetDatasetEndpoint.Map(datasets);
        AssignCommitteeEndpoint.Map(datasets);
        Datasets.Lifecycle.DatasetLifecycleEndpoints.Map(datasets);

        NotificationEndpoints.Map(app.MapGroup("/notifications").WithTags("Notifications").AddEndpointFilter<RequestsProblemFilter>());
        var committees = app.MapGroup("/committees").WithTags("Committees").AddEndpointFilter<RequestsProblemFilter>()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesValidationProblem();
        CommitteeEndpoints.Map(committees);
        Agreements.AgreementEndpoints.Map(app);

        var requests = app.MapGroup("/requests").WithTags("Requests").AddEndpointFilter<RequestsProblemFilter>()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesValidationProblem();
        SubmitAccessRequestEndpoint.Map(requests);
        ListMyRequestsEndpoint.Map(requests);
        GetAccessRequestDetailsEndpoint.Map(requests);
        WithdrawAccessRequestEndpoint.Map(requests);
        ResubmitAccessRequestEndpoint.Map(requests);

        var decisions = app.MapGroup("/decisions").WithTags("Decisions").AddEndpointFilter<RequestsProblemFilter>()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesValidationProblem();
        ListAwaitingMyDecisionEndpoint.Map(decisions);
        AcceptForReviewEndpoint.Map(decisions);
        CastVoteEndpoint.Map(decisions);
        DeclareConflictEndpoint.Map(decisions);
        RequestChangesEndpoint.Map(decisions);
        SignOffEndpoint.Map(decisions);
        return app;
    }

    private static string FindAbove(string start, string folder)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, folder))) return Path.Combine(dir.FullName, folder);
        return Path.Combine(start, folder);
    }
}

/// <summary>Turns refusals into problem details with the module's stable codes; nothing was appended when any of these is thrown.</summary>
public sealed partial class RequestsProblemFilter(ILogger<RequestsProblemFilter> logger) : IEndpointFilter
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Refused {Method} {Path}: {Code}")]
    private partial void Refused(string method, string path, string code);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Refused {Method} {Path}: {Code} in state {State}")]
    private partial void RefusedInState(string method, string path, string code, string state);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (RequestRefusedException e)
        {
            var request = context.HttpContext.Request;
            if (e.Error.CurrentState is { } current) RefusedInState(request.Method, request.Path, e.Error.Code, current);
            else Refused(request.Method, request.Path, e.Error.Code);
            var extensions = new Dictionary<string, object?>();
            if (e.Error.CurrentState is { } state) extensions["currentState"] = state;
            foreach (var (name, value) in e.Error.Extensions ?? new Dictionary<string, object?>()) extensions[name] = value;
            return GatewayProblems.Create(e.Error.Code, e.Error.Detail, extensions);
        }
        catch (ValidationException e)
        {
            return Validation(RequestErrors.ValidationFailed, "The command is invalid.",
                e.Errors.GroupBy(x => x.PropertyName).ToDictionary(g => g.Key, g => g.Select(x => x.ErrorMessage).ToArray()), null);
        }
        catch (CsvValidationException e)
        {
            var problems = e.Problems.Select(p => new { row = p.Row, column = p.Column, message = p.Message }).ToList();
            return Validation(RequestErrors.UploadRejected, $"The source table was rejected with {e.Problems.Count}{(e.Truncated ? "+" : "")} problem(s); nothing was stored.",
                e.Problems.GroupBy(p => p.Column is null ? $"row {p.Row}" : $"row {p.Row}, column {p.Column}")
                    .ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray()), problems);
        }
        catch (UploadTooLargeException e)
        {
            var error = RequestErrors.UploadTooLarge(e.Limit);
            return GatewayProblems.Create(error.Code, error.Detail);
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // The server's own limit (Kestrel's request body size) stopped the upload before the store saw it.
            return GatewayProblems.Create(ErrorCodes.UploadTooLarge, e.Message);
        }
    }

    private static IResult Validation(string code, string detail, IDictionary<string, string[]> errors, object? problems)
    {
        var description = ErrorCodes.Get(code);
        var extensions = new Dictionary<string, object?> { [GatewayProblems.CodeMember] = code };
        if (problems is not null) extensions["problems"] = problems;
        return TypedResults.ValidationProblem(errors, detail, type: ErrorCodes.TypeUri(code), title: description.Title, extensions: extensions);
    }
}

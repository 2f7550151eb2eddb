using FluentValidation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ReleaseGateway.Datasets.Sources;
using ReleaseGateway.Problems;
using ReleaseGateway.Requests.Validation;
using AuthPolicies = ReleaseGateway.Identity.Authorization.Policies;

namespace ReleaseGateway.Requests.Datasets.ConnectSourceTable;

/// <summary>The body of <c>PUT /datasets/{id}/source/connection</c>: which engine-backed source (ADR 0038).</summary>
/// <param name="Kind"><c>Postgres</c> or <c>File</c> (an upload uses <c>PUT /datasets/{id}/source</c>).</param>
public sealed record ConnectSourceTable(SourceKind Kind, string? Connection, string? Relation, string? Query, string? Path, string? RowKey)
{
    public EngineSource ToSource() => new(Kind, Connection, Relation, Query, Path, RowKey);
}

public sealed class ConnectSourceTableValidator : AbstractValidator<ConnectSourceTable>
{
    public ConnectSourceTableValidator()
    {
        RuleFor(c => c.Kind).Must(k => k is SourceKind.Postgres or SourceKind.File)
            .WithMessage("Kind must be Postgres or File; an uploaded file is sent with PUT /datasets/{id}/source.");
        When(c => c.Kind == SourceKind.Postgres, () =>
        {
            RuleFor(c => c.Connection).NotEmpty().WithMessage("Name the configured connection (ReleaseGateway:Sources:Connections).")
                .Matches("^[A-Za-z0-9_-]{1,64}$").WithMessage("A connection name is 1-64 letters, digits, '_' or '-'.");
            RuleFor(c => c).Must(c => (c.Relation is { Length: > 0 }) != (c.Query is { Length: > 0 }))
                .WithName("Relation").WithMessage("Give either a relation (schema.table or a view) or a read-only query, not both.");
            RuleFor(c => c.Relation).MaximumLength(200).IsPlainText()
                .Matches("^[^.\"]{1,63}(\\.[^.\"]{1,63})?$").When(c => c.Relation is { Length: > 0 })
                .WithMessage("A relation is name or schema.name (no quotes; each part is quoted by the gateway).");
            RuleFor(c => c.Query).MaximumLength(20_000).WithMessage("The query may be at most 20000 characters.")
                .Must(q => q is null || !q.Contains(';', StringComparison.Ordinal))
                .WithMessage("The query must be one SELECT without ';' (it runs as a subquery in a read-only transaction).")
                .IsPlainText(multiLine: true);
            RuleFor(c => c.Path).Empty().WithMessage("A PostgreSQL source has no path.");
        });
        When(c => c.Kind == SourceKind.File, () =>
        {
            RuleFor(c => c.Path).NotEmpty().WithMessage("Give the file's absolute path.").MaximumLength(4096).IsPlainText();
            RuleFor(c => c.Connection).Empty().WithMessage("A file source has no connection.");
            RuleFor(c => c.Relation).Empty().WithMessage("A file source has no relation.");
            RuleFor(c => c.Query).Empty().WithMessage("A file source has no query.");
        });
        RuleFor(c => c.RowKey).MaximumLength(63).IsPlainText().When(c => c.RowKey is not null);
    }
}

internal static class ConnectSourceTableEndpoint
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder datasets) => datasets
        .MapPut("/{id:guid}/source/connection", Handle)
        .RequireAuthorization(AuthPolicies.Steward)
        .WithName("ConnectSourceTable")
        .WithSummary("Connect the dataset to a PostgreSQL table, view or query, or to a large CSV/Parquet file (counted in the engine)")
        .WithDescription("The source is checked against the schema in one snapshot (columns, types, every value in the domain); a refusal stores nothing.");

    private static async Task<Ok<DatasetDetails>> Handle(Guid id, ConnectSourceTable body, HttpContext http, DatasetCommands commands, CancellationToken ct) =>
        TypedResults.Ok(await commands.ConnectSourceTableAsync(CommandContext.Of(http), id, body, ct));

    /// <summary>The refusal of a source problem, with its RG code (RG2101–RG2107).</summary>
    public static RequestError Refusal(SourceProblemException e) => RequestErrors.From(e.Kind switch
    {
        SourceProblemKind.UnknownConnection => ErrorCodes.SourceConnectionUnknown,
        SourceProblemKind.Unreachable => ErrorCodes.SourceUnreachable,
        SourceProblemKind.RelationMissing => ErrorCodes.SourceRelationMissing,
        SourceProblemKind.ColumnMismatch => ErrorCodes.SourceColumnsMismatch,
        SourceProblemKind.OutOfDomain => ErrorCodes.SourceOutOfDomain,
        SourceProblemKind.FileRefused => ErrorCodes.SourceFileRefused,
        _ => ErrorCodes.SourceChanged,
    }, e.Message + " Nothing was stored.");
}

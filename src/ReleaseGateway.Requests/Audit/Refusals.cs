using FluentValidation;
using Microsoft.AspNetCore.Http;
using ReleaseGateway.EventStore;
using ReleaseGateway.EventStore.Audit;
using ReleaseGateway.Problems;
using ReleaseGateway.Requests.Datasets.UploadSourceTable;
using ReleaseGateway.Datasets.Data;

namespace ReleaseGateway.Requests.Audit;

/// <summary>
/// Runs a state-changing command and, when it is refused on a stream that exists, records <see cref="CommandRefused"/>
/// (who, what, code, why) before the refusal reaches the caller (issue 15, row 10; ADR 0031). The API and the web pages run
/// the same commands, so both are covered. A command on a stream that does not exist leaves no record: there is nothing to
/// protect, and an unauthenticated flood of guessed ids could otherwise grow the log.
/// </summary>
public sealed class Refusals(IEventStore store, TimeProvider time)
{
    public async Task<T> RecordedAsync<T>(CommandContext caller, Guid streamId, string command, Func<Task<T>> run)
    {
        try
        {
            return await run();
        }
        catch (Exception e) when (Describe(e) is not null)
        {
            var (code, reason) = Describe(e)!.Value;
            if ((await store.FetchStreamAsync(streamId, CancellationToken.None)).Count > 0)
            {
                var actor = caller.Actor;
                var role = actor.Roles.Order(StringComparer.Ordinal).FirstOrDefault() ?? "none";
                await AuditTrail.RecordAsync(store, caller.Metadata(role),
                    new CommandRefused(streamId, command, code, reason, actor.Id, time.GetUtcNow()), CancellationToken.None);
            }
            throw;
        }
    }

    /// <summary>
    /// The refusals recorded against <paramref name="streamId"/> since <paramref name="since"/>, oldest first (at most the
    /// newest 500 refusals of the whole log are read: a request's page shows its recent history, not an attack's flood).
    /// </summary>
    public static async Task<IReadOnlyList<(CommandRefused Refusal, string ActorRole)>> OfStreamAsync(IEventStore store, Guid streamId,
        DateTimeOffset since, CancellationToken ct)
    {
        var page = await store.QueryEventsAsync(new EventQuery { EventTypes = [nameof(CommandRefused)], From = since, Limit = EventQuery.MaxLimit }, ct);
        return page.Events.Where(e => e.Data is CommandRefused r && r.StreamId == streamId)
            .Select(e => ((CommandRefused)e.Data!, e.Metadata.ActorRole)).OrderBy(r => r.Item1.RefusedAt).ToList();
    }

    /// <summary>
    /// The code and a reason fit for a log that is never rewritten: the refusal's own text for workflow refusals; for invalid
    /// input only which fields were invalid, and for a rejected upload only how many problems (they quote the private table).
    /// </summary>
    private static (string Code, string Reason)? Describe(Exception e) => e switch
    {
        RequestRefusedException r => (r.Error.Code, r.Error.Detail),
        ValidationException v => (RequestErrors.ValidationFailed,
            "invalid: " + string.Join(", ", v.Errors.Select(x => x.PropertyName).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))),
        CsvValidationException c => (RequestErrors.UploadRejected, $"the source table was rejected with {c.Problems.Count}{(c.Truncated ? "+" : "")} problem(s)"),
        UploadTooLargeException t => (RequestErrors.UploadTooLarge(t.Limit).Code, RequestErrors.UploadTooLarge(t.Limit).Detail),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } b => (ErrorCodes.UploadTooLarge, b.Message),
        _ => null,
    };
}

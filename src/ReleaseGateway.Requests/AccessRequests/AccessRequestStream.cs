using ReleaseGateway.EventStore;

namespace ReleaseGateway.Requests.AccessRequests;

/// <summary>Loads a request's stream and rebuilds its state (the write side's view, with the stream's version).</summary>
public static class AccessRequestStream
{
    public static async Task<AccessRequest> LoadAsync(IEventStore store, Guid id, CancellationToken ct)
    {
        var events = await store.FetchStreamAsync(id, ct);
        var request = AccessRequest.Rebuild(events.Select(e => e.Data).OfType<object>())
            ?? throw new RequestRefusedException(RequestErrors.RequestNotFound(id));
        return request with { Version = events[^1].StreamVersion };
    }
}

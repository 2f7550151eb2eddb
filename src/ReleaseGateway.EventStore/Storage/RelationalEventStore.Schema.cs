namespace ReleaseGateway.EventStore.Storage;

/// <summary>Schema bootstrap: once per process, before the first read or write.</summary>
internal sealed partial class RelationalEventStore
{
    private async Task CreateSchemaAsync()
    {
        await using var connection = await OpenAsync(CancellationToken.None);
        await _dialect.EnsureSchemaAsync(connection, CancellationToken.None);
        await FillIndexesAsync(connection);
    }
}

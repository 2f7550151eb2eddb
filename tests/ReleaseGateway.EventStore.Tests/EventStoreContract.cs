using System.Data.Common;
using ReleaseGateway.EventStore.Chain;
using ReleaseGateway.EventStore.Verification;

namespace ReleaseGateway.EventStore.Tests;

/// <summary>The one contract both backends must keep. Each test gets a fresh, empty store.</summary>
public abstract class EventStoreContract(IBackend backend) : IAsyncLifetime
{
    private readonly List<IEventStore> _stores = [];
    protected EventStoreSettings Settings { get; private set; } = null!;
    protected IEventStore Store { get; private set; } = null!;
    private static readonly EventMetadata Alice = new("user-alice", "Researcher", "corr-1", "cmd-1");

    public async Task InitializeAsync()
    {
        Settings = await backend.CreateEmptyAsync(GetType().Name);
        Store = Open();
    }

    public async Task DisposeAsync()
    {
        foreach (var s in _stores) if (s is IAsyncDisposable d) await d.DisposeAsync();
    }

    private IEventStore Open(EventStoreOptions? options = null)
    {
        var store = EventStoreFactory.Create(Settings, options ?? TestRegistry.Options(), TimeProvider.System);
        _stores.Add(store);
        return store;
    }

    private async Task<Guid> CreateThingAsync(string name = "alpha", IEventStore? store = null)
    {
        var id = Guid.CreateVersion7();
        await using var session = (store ?? Store).OpenSession(Alice);
        session.StartStream(id, new ThingCreated(id, name, DateTimeOffset.UnixEpoch));
        await session.SaveChangesAsync();
        return id;
    }

    private async Task AppendAsync(Guid id, long expectedVersion, params object[] events)
    {
        await using var session = Store.OpenSession(Alice);
        session.Append(id, expectedVersion, events);
        await session.SaveChangesAsync();
    }

    private async Task<List<StoredEvent>> AllAsync(long from = 1)
    {
        var list = new List<StoredEvent>();
        await foreach (var e in Store.ReadAllAsync(from)) list.Add(e);
        return list;
    }

    [Fact]
    public async Task Given_StartedStream_When_Fetched_Then_EventsComeInVersionOrderWithTypedData()
    {
        var id = await CreateThingAsync();
        await AppendAsync(id, 1, new ThingRenamed(id, "beta"), new ThingRenamed(id, "gamma"));

        var stream = await Store.FetchStreamAsync(id);

        Assert.Equal([1L, 2L, 3L], stream.Select(e => e.StreamVersion));
        Assert.Equal(["ThingCreated", "ThingRenamed", "ThingRenamed"], stream.Select(e => e.EventType));
        Assert.Equal("gamma", Assert.IsType<ThingRenamed>(stream[2].Data).NewName);
        Assert.Empty(await Store.FetchStreamAsync(Guid.NewGuid()));
    }

    [Fact]
    public async Task Given_StaleExpectedVersion_When_Appending_Then_RefusedAndNothingOfTheSessionIsWritten()
    {
        var id = await CreateThingAsync();
        var other = await CreateThingAsync("other");
        await AppendAsync(id, 1, new ThingRenamed(id, "beta"));

        await using var session = Store.OpenSession(Alice);
        session.Append(other, 1, new ThingRenamed(other, "fine on its own"));
        session.Append(id, 1, new ThingRenamed(id, "stale"));
        var conflict = await Assert.ThrowsAsync<StreamVersionConflictException>(() => session.SaveChangesAsync());

        Assert.Equal((id, 1L, 2L), (conflict.StreamId, conflict.ExpectedVersion, conflict.ActualVersion));
        Assert.Single(await Store.FetchStreamAsync(other));
        Assert.Equal(3, (await AllAsync()).Count);
    }

    [Fact]
    public async Task Given_ExistingStream_When_StartedAgain_Then_Refused()
    {
        var id = await CreateThingAsync();
        await using var session = Store.OpenSession(Alice);
        session.StartStream(id, new ThingCreated(id, "again", DateTimeOffset.UnixEpoch));
        await Assert.ThrowsAsync<StreamVersionConflictException>(() => session.SaveChangesAsync());
    }

    [Fact]
    public async Task Given_StoredEvents_When_AllAreReadFromAPosition_Then_TheRestComeInGlobalOrder()
    {
        for (var i = 0; i < 7; i++) await CreateThingAsync($"t{i}");
        var all = await AllAsync();
        Assert.Equal(Enumerable.Range(1, 7).Select(i => (long)i), all.Select(e => e.Position));
        Assert.Equal([5L, 6L, 7L], (await AllAsync(5)).Select(e => e.Position));
        Assert.Equal(new ChainHead(7, all[^1].Hash), await Store.ReadHeadAsync());
    }

    [Fact]
    public async Task Given_AppendedEvent_When_Read_Then_ItCarriesMetadataTimestampAndAVerifiableHash()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        await CreateThingAsync();
        var e = Assert.Single(await AllAsync());

        Assert.Equal(Alice, e.Metadata);
        Assert.InRange(e.Timestamp, before, DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Equal(ChainHead.GenesisHash, e.PreviousHash);
        Assert.Equal(CanonicalEncoding.ComputeHash(e), e.Hash);
        Assert.Equal(1, e.SchemaVersion);
    }

    [Fact]
    public async Task Given_ConcurrentWriters_When_Appending_Then_TheyExtendOneLinearChainWithoutGapsOrForks()
    {
        const int writers = 8, each = 40;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < each; i++) await CreateThingAsync($"w{w}-{i}");
        })));
        // A second store instance stands for a second gateway process writing to the same database.
        var second = Open();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => CreateThingAsync("p2", second)));

        var result = await ChainVerifier.VerifyStoreAsync(Store);
        Assert.True(result.Intact, result.ToString());
        Assert.Equal(writers * each + 4, result.EventCount);
        Assert.Equal(result.EventCount, result.HeadPosition);
    }

    [Fact]
    public async Task Given_OneStream_When_AppendsRace_Then_ExactlyOneWinsEachVersion()
    {
        var id = await CreateThingAsync();
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(async () =>
        {
            try { await AppendAsync(id, 1, new ThingRenamed(id, $"n{i}")); return true; }
            catch (StreamVersionConflictException) { return false; }
        })));

        Assert.Equal(1, outcomes.Count(won => won));
        Assert.Equal(2, (await Store.FetchStreamAsync(id)).Count);
    }

    [Fact]
    public async Task Given_InlineProjection_When_SessionsCommitOrAreRefused_Then_ItIsWrittenWithTheEventsAndUntouchedByARefusal()
    {
        var id = await CreateThingAsync();
        await AppendAsync(id, 1, new ThingRenamed(id, "beta"));
        await Assert.ThrowsAsync<StreamVersionConflictException>(() => AppendAsync(id, 1, new ThingRenamed(id, "lost")));

        Assert.Equal(new ThingSummary(id, "beta", 1), await Store.LoadAsync<ThingSummary>(id));
        await AppendAsync(id, 2, new ThingArchived(id));
        Assert.Null(await Store.LoadAsync<ThingSummary>(id));
        var other = await CreateThingAsync("other");
        Assert.Equal([other], (await Store.QueryAsync<ThingSummary>()).Select(s => s.Id));
    }

    [Fact]
    public async Task Given_EventOfAnOldSchemaVersion_When_Read_Then_ItIsUpcastToTheCurrentType()
    {
        var id = Guid.CreateVersion7();
        await Store.ReadHeadAsync(); // creates the schema
        await using (var raw = backend.OpenRaw(Settings))
        {
            // Written by an earlier build that knew ThingLabelled v1 with a "title" field.
            await WriteRawEventAsync(raw, id, "ThingLabelled", 1, $$"""{"thingId":"{{id}}","title":"old"}""");
        }
        var stream = await Store.FetchStreamAsync(id);
        Assert.Equal(new ThingLabelled(id, "old"), stream[0].Data);
        Assert.True((await ChainVerifier.VerifyStoreAsync(Store)).Intact);
    }

    [Fact]
    public async Task Given_UnknownEventType_When_Read_Then_ItIsRawJsonAndStillVerifies()
    {
        var id = await CreateThingAsync("kept");
        var reader = Open(new EventStoreOptions()); // a build that knows no event types
        var e = Assert.Single(await reader.FetchStreamAsync(id));
        Assert.Null(e.Data);
        Assert.Contains("\"name\":\"kept\"", e.Body);
        Assert.True((await ChainVerifier.VerifyStoreAsync(reader)).Intact);
    }

    [Fact]
    public async Task Given_UnregisteredEventType_When_Appended_Then_RefusedBeforeAnythingIsWritten()
    {
        await using var session = Store.OpenSession(Alice);
        session.StartStream(Guid.NewGuid(), new { Anonymous = true });
        await Assert.ThrowsAsync<InvalidOperationException>(() => session.SaveChangesAsync());
        Assert.Empty(await AllAsync());
    }

    [Fact]
    public async Task Given_StoredEvents_When_RawSqlUpdatesOrDeletesThem_Then_TheDatabaseRefuses()
    {
        await CreateThingAsync();
        await using var raw = backend.OpenRaw(Settings);
        await Assert.ThrowsAnyAsync<DbException>(() => ExecAsync(raw, "UPDATE rg_events SET body = '{}' WHERE position = 1"));
        await Assert.ThrowsAnyAsync<DbException>(() => ExecAsync(raw, "DELETE FROM rg_events WHERE position = 1"));
        Assert.True((await ChainVerifier.VerifyStoreAsync(Store)).Intact);
    }

    // --- Tampering through a privileged path: the triggers are dropped first, as a database owner could. ---

    private async Task<IReadOnlyList<StoredEvent>> TenEventsAsync()
    {
        for (var i = 0; i < 10; i++) await CreateThingAsync($"alpha{i}");
        return await AllAsync();
    }

    private async Task TamperAsync(string sql)
    {
        await using var raw = backend.OpenRaw(Settings);
        await ExecAsync(raw, backend.DropProtectionSql);
        await ExecAsync(raw, sql);
    }

    [Fact]
    public async Task Given_OneChangedByteOfABody_When_TheChainIsVerified_Then_ItIsDetectedAtItsPosition()
    {
        await TenEventsAsync();
        await TamperAsync("UPDATE rg_events SET body = replace(body, 'alpha4', 'alphb4') WHERE position = 5");
        var result = await ChainVerifier.VerifyStoreAsync(Store);
        Assert.Equal((false, 5L, TamperKind.BodyAltered), (result.Intact, result.FailedPosition, result.Kind));
    }

    [Fact]
    public async Task Given_DeletedMiddleEvent_When_TheChainIsVerified_Then_AGapIsDetectedAtItsPosition()
    {
        await TenEventsAsync();
        await TamperAsync("DELETE FROM rg_events WHERE position = 5");
        var result = await ChainVerifier.VerifyStoreAsync(Store);
        Assert.Equal((false, 5L, TamperKind.PositionGap), (result.Intact, result.FailedPosition, result.Kind));
    }

    [Fact]
    public async Task Given_SwappedEvents_When_TheChainIsVerified_Then_ReorderingIsDetected()
    {
        await TenEventsAsync();
        await TamperAsync("""
            UPDATE rg_events SET position = -5 WHERE position = 5;
            UPDATE rg_events SET position = 5 WHERE position = 6;
            UPDATE rg_events SET position = 6 WHERE position = -5;
            """);
        var result = await ChainVerifier.VerifyStoreAsync(Store);
        Assert.Equal((false, 5L, TamperKind.Reordered), (result.Intact, result.FailedPosition, result.Kind));
    }

    [Fact]
    public async Task Given_CutTail_When_Verified_Then_ABareChainCheckPassesButASignedCheckpointFails()
    {
        var events = await TenEventsAsync();
        using var key = NewKey(out _);
        var checkpoint = SignedCheckpoint.Create(new ChainHead(10, events[^1].Hash), DateTimeOffset.UtcNow, key);
        await TamperAsync("DELETE FROM rg_events WHERE position > 8");

        Assert.True((await ChainVerifier.VerifyStoreAsync(Store)).Intact);
        var result = await ChainVerifier.VerifyStoreAsync(Store, checkpoint, key);
        Assert.Equal((false, 9L, TamperKind.Truncated), (result.Intact, result.FailedPosition, result.Kind));
    }

    [Fact]
    public async Task Given_RehashedForgedSuffixWithoutTheKey_When_Verified_Then_ItFailsAgainstTheSignedCheckpoint()
    {
        var events = await TenEventsAsync();
        using var key = NewKey(out _);
        var checkpoint = SignedCheckpoint.Create(new ChainHead(10, events[^1].Hash), DateTimeOffset.UtcNow, key);

        // The forger rewrites event 5 and recomputes every later hash, which the bare chain cannot notice.
        var previous = events[3].Hash;
        var updates = new List<string>();
        foreach (var e in events.Skip(4))
        {
            var forged = e with { PreviousHash = previous, Body = e.Position == 5 ? e.Body.Replace("alpha4", "forged") : e.Body };
            forged = forged with { Hash = CanonicalEncoding.ComputeHash(forged) };
            updates.Add($"UPDATE rg_events SET body = '{forged.Body}', previous_hash = '{forged.PreviousHash}', hash = '{forged.Hash}' WHERE position = {e.Position};");
            previous = forged.Hash;
        }
        await TamperAsync(string.Join('\n', updates));

        Assert.True((await ChainVerifier.VerifyStoreAsync(Store)).Intact);
        var result = await ChainVerifier.VerifyStoreAsync(Store, checkpoint, key);
        Assert.Equal((false, 10L, TamperKind.CheckpointMismatch), (result.Intact, result.FailedPosition, result.Kind));

        // Nor can the forger sign a new checkpoint over the forged head: they do not hold the key.
        using var forgerKey = NewKey(out _);
        var forgedCheckpoint = SignedCheckpoint.Create(await Store.ReadHeadAsync(), DateTimeOffset.UtcNow, forgerKey);
        var forgedResult = await ChainVerifier.VerifyStoreAsync(Store, forgedCheckpoint with { KeyId = key.KeyId }, key);
        Assert.Equal(TamperKind.CheckpointSignatureInvalid, forgedResult.Kind);
    }

    [Fact]
    public async Task Given_Export_When_VerifiedOffline_Then_ItPassesAndATamperedExportIsLocated()
    {
        await TenEventsAsync();
        using var key = NewKey(out _);
        var dir = Path.Combine(Path.GetTempPath(), "rgw-es-tests", $"export-{Guid.NewGuid():N}");
        var manifest = await Export.AuditExport.WriteAsync(Store, dir, key, DateTimeOffset.UtcNow);

        Assert.Equal((10L, 10L), (manifest.EventCount, manifest.HeadPosition));
        var ok = await Export.AuditExport.VerifyAsync(dir, trustedKey: null);
        Assert.True(ok.Intact, ok.ToString());

        var eventsFile = Path.Combine(dir, Export.AuditExport.EventsFileName);
        var lines = await File.ReadAllLinesAsync(eventsFile);
        lines[2] = lines[2].Replace("alpha2", "alphX2");
        await File.WriteAllLinesAsync(eventsFile, lines);
        var tampered = await Export.AuditExport.VerifyAsync(dir, trustedKey: null);
        Assert.Equal((false, 3L, TamperKind.BodyAltered), (tampered.Intact, tampered.FailedPosition, tampered.Kind));

        await File.WriteAllLinesAsync(eventsFile, lines.Take(6));
        var cut = await Export.AuditExport.VerifyAsync(dir, key);
        Assert.False(cut.Intact);
    }

    [Fact]
    public async Task Given_Export_When_CheckedWithAnotherKeyOrMalformed_Then_TheSignatureFailsOrTheMalformedFolderIsNamed()
    {
        await TenEventsAsync();
        using var key = NewKey(out _);
        using var otherKey = NewKey(out _);
        var dir = Path.Combine(Path.GetTempPath(), "rgw-es-tests", $"export-{Guid.NewGuid():N}");
        await Export.AuditExport.WriteAsync(Store, dir, key, DateTimeOffset.UtcNow);

        Assert.Equal(TamperKind.CheckpointSignatureInvalid, (await Export.AuditExport.VerifyAsync(dir, otherKey)).Kind);

        await File.WriteAllTextAsync(Path.Combine(dir, Export.AuditExport.ManifestFileName), "{ not json");
        var malformed = await Assert.ThrowsAsync<FormatException>(() => Export.AuditExport.VerifyAsync(dir, key));
        Assert.Contains("manifest.json", malformed.Message);
    }

    private static AuditSigningKey NewKey(out string path)
    {
        path = Path.Combine(Path.GetTempPath(), "rgw-es-tests", $"key-{Guid.NewGuid():N}.pem");
        return AuditSigningKey.LoadOrCreate(path);
    }

    private static async Task ExecAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task WriteRawEventAsync(DbConnection connection, Guid streamId, string type, int schemaVersion, string body)
    {
        var e = new StoredEvent(1, streamId, 1, type, schemaVersion, body, new EventMetadata("old-build", "System", "corr-old"),
            new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero), ChainHead.GenesisHash, "", null);
        e = e with { Hash = CanonicalEncoding.ComputeHash(e) };
        await ExecAsync(connection, $"""
            INSERT INTO rg_events (position, stream_id, stream_version, event_type, schema_version, body, actor_id, actor_role, correlation_id, causation_id, ts, previous_hash, hash)
            VALUES (1, '{CanonicalEncoding.FormatStreamId(streamId)}', 1, '{type}', {schemaVersion}, '{body}', 'old-build', 'System', 'corr-old', NULL,
                    '{CanonicalEncoding.FormatTimestamp(e.Timestamp)}', '{ChainHead.GenesisHash}', '{e.Hash}')
            """);
    }
}

public sealed class SqliteEventStoreContractTests() : EventStoreContract(new SqliteBackend());

public sealed class PostgresEventStoreContractTests() : EventStoreContract(new PostgresBackend());

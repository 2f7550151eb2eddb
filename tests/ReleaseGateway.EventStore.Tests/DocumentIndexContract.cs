namespace ReleaseGateway.EventStore.Tests;

/// <summary>Projected documents found through their indexes (filtered, ordered, paged in the database), on both backends.</summary>
public abstract class DocumentIndexContract(IBackend backend) : IAsyncLifetime
{
    private readonly List<IEventStore> _stores = [];
    private EventStoreSettings _settings = null!;
    private IEventStore _store = null!;

    public async Task InitializeAsync()
    {
        _settings = await backend.CreateEmptyAsync(GetType().Name);
        _store = Open(withIndexes: true);
    }

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
            if (store is IAsyncDisposable d) await d.DisposeAsync();
    }

    private IEventStore Open(bool withIndexes)
    {
        var options = TestRegistry.Options();
        if (withIndexes)
            options.Indexes
                .Add<ThingSummary>("name", t => t.Name)
                .Add<ThingSummary>("letters", t => t.Name.Select(c => c.ToString()))
                .Add<ThingSummary>("renames", t => t.Renames == 0 ? null : t.Renames.ToString("D4", System.Globalization.CultureInfo.InvariantCulture));
        var store = EventStoreFactory.Create(_settings, options, TimeProvider.System);
        _stores.Add(store);
        return store;
    }

    private static async Task<Guid> CreateAsync(IEventStore store, string name)
    {
        var id = Guid.CreateVersion7();
        await using var session = store.OpenSession(new EventMetadata("alice", "Researcher", "corr"));
        session.StartStream(id, new ThingCreated(id, name, DateTimeOffset.UnixEpoch));
        await session.SaveChangesAsync();
        return id;
    }

    private async Task AppendAsync(Guid id, long expectedVersion, params object[] events)
    {
        await using var session = _store.OpenSession(new EventMetadata("alice", "Researcher", "corr"));
        session.Append(id, expectedVersion, events);
        await session.SaveChangesAsync();
    }

    private async Task<string[]> NamesAsync(string index, params string[] values) =>
        [.. (await _store.QueryAsync<ThingSummary>(index, values)).Select(t => t.Name).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Given_IndexedDocuments_When_QueriedByValue_Then_TheMatchingOnesAreFoundAndTheirChangesFollowed()
    {
        var alpha = await CreateAsync(_store, "alpha");
        await CreateAsync(_store, "beta");
        var gamma = await CreateAsync(_store, "gamma");

        Assert.Equal(["alpha", "gamma"], await NamesAsync("name", "alpha", "gamma", "nobody"));
        // A document with several values of one index is found once.
        Assert.Equal(["alpha", "beta", "gamma"], await NamesAsync("letters", "a", "m"));
        Assert.Empty(await NamesAsync("name"));
        Assert.Empty(await NamesAsync("renames", "0000"));

        await AppendAsync(alpha, 1, new ThingRenamed(alpha, "delta"));
        await AppendAsync(gamma, 1, new ThingArchived(gamma));
        // A refused session changes no entry.
        await Assert.ThrowsAsync<StreamVersionConflictException>(() => AppendAsync(alpha, 1, new ThingRenamed(alpha, "lost")));

        Assert.Empty(await NamesAsync("name", "alpha", "gamma", "lost"));
        Assert.Equal(["delta"], await NamesAsync("name", "delta"));
        Assert.Equal(["delta"], await NamesAsync("renames", "0001"));
        Assert.Equal(["beta"], await NamesAsync("letters", "b"));
    }

    [Fact]
    public async Task Given_IndexedDocuments_When_PagedInOrder_Then_PagesWalkTheMatchesWithoutGapsOrOverlapsAndCountThemAll()
    {
        for (var i = 0; i < 23; i++) await CreateAsync(_store, $"t{i:00}{(i % 2 == 0 ? "e" : "o")}");
        var even = new DocumentQuery { Index = "letters", Values = ["e"], OrderBy = "name", Descending = true, Take = 5 };

        var first = await _store.QueryAsync<ThingSummary>(even);
        var third = await _store.QueryAsync<ThingSummary>(even with { Skip = 10 });
        var last = await _store.QueryAsync<ThingSummary>(even with { Skip = 10, Take = 50 });
        var all = await _store.QueryAsync<ThingSummary>(new DocumentQuery { OrderBy = "name" });
        var count = await _store.QueryAsync<ThingSummary>(even with { Take = 0 });

        Assert.Equal(["t22e", "t20e", "t18e", "t16e", "t14e"], first.Documents.Select(t => t.Name));
        Assert.Equal(12, first.Total);
        Assert.Equal(["t02e", "t00e"], third.Documents.Select(t => t.Name));
        Assert.Equal(12, third.Total);
        Assert.Equal(third.Documents, last.Documents);
        Assert.Equal(23, all.Total);
        Assert.Equal(all.Documents.Select(t => t.Name).Order(StringComparer.Ordinal), all.Documents.Select(t => t.Name));
        Assert.Empty(count.Documents);
        Assert.Equal(12, count.Total);
        // A document without a value of the ordering index is left out of an ordered query.
        Assert.Equal(0, (await _store.QueryAsync<ThingSummary>(new DocumentQuery { OrderBy = "renames" })).Total);
    }

    [Fact]
    public async Task Given_IndexRegisteredAfterItsDocuments_When_TheStoreOpens_Then_ItIsFilledFromThem()
    {
        var before = Open(withIndexes: false);
        await CreateAsync(before, "early");
        await CreateAsync(before, "earlier");

        var after = Open(withIndexes: true);

        Assert.Equal(["earlier", "early"], (await after.QueryAsync<ThingSummary>("letters", ["l"])).Select(t => t.Name).Order(StringComparer.Ordinal));
        await CreateAsync(after, "yearly");
        Assert.Equal(3, (await after.QueryAsync<ThingSummary>("letters", ["l"])).Count);
    }

    [Fact]
    public async Task Given_UnknownIndexOrAPageWithoutOrder_When_Queried_Then_Refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _store.QueryAsync<ThingSummary>("colour", ["red"]));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.QueryAsync<ThingSummary>(new DocumentQuery { Take = 5 }));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.QueryAsync<ThingSummary>(new DocumentQuery { OrderBy = "name", Skip = 5 }));
    }
}

public sealed class SqliteDocumentIndexTests() : DocumentIndexContract(new SqliteBackend());

public sealed class PostgresDocumentIndexTests() : DocumentIndexContract(new PostgresBackend());

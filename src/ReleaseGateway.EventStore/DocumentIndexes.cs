namespace ReleaseGateway.EventStore;

/// <summary>
/// Values of projected documents the store keeps in an index beside them, so a read can fetch the documents that
/// match instead of every document of the type (Marten's duplicated fields and computed indexes, for our single
/// documents table). The store maintains the entries in the transaction that writes the document, and fills a newly
/// registered index from the documents already stored the first time it opens the database; an index is identified by
/// its type and name, so changing what an index holds means registering it under a new name.
/// </summary>
public sealed class DocumentIndexes
{
    private readonly Dictionary<Type, List<DocumentIndex>> _byType = [];

    /// <summary>Indexes <typeparamref name="TDocument"/> by the values <paramref name="values"/> gives (none, one or several).</summary>
    public DocumentIndexes Add<TDocument>(string name, Func<TDocument, IEnumerable<string>> values) where TDocument : class
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!_byType.TryGetValue(typeof(TDocument), out var indexes)) _byType[typeof(TDocument)] = indexes = [];
        if (indexes.Any(i => i.Name == name)) throw new InvalidOperationException($"{typeof(TDocument).Name} already has an index '{name}'.");
        indexes.Add(new DocumentIndex(name, document => values((TDocument)document).Distinct(StringComparer.Ordinal)));
        return this;
    }

    /// <summary>Indexes <typeparamref name="TDocument"/> by one value (none when <paramref name="value"/> gives null).</summary>
    public DocumentIndexes Add<TDocument>(string name, Func<TDocument, string?> value) where TDocument : class =>
        Add<TDocument>(name, d => value(d) is { } v ? [v] : []);

    /// <summary>A time as index text that sorts in time order (UTC, fixed width, to the tick).</summary>
    public static string Sortable(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    internal IReadOnlyList<DocumentIndex> For(Type type) => _byType.TryGetValue(type, out var indexes) ? indexes : [];

    internal IEnumerable<(Type Type, DocumentIndex Index)> All => _byType.SelectMany(p => p.Value.Select(i => (p.Key, i)));

    internal bool Has(Type type, string name) => For(type).Any(i => i.Name == name);
}

internal sealed record DocumentIndex(string Name, Func<object, IEnumerable<string>> Values);

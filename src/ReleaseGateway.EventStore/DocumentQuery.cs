namespace ReleaseGateway.EventStore;

/// <summary>
/// A read of projected documents by their indexes (<see cref="DocumentIndexes"/>), shaped like Marten's
/// <c>Query&lt;T&gt;().Where(...).OrderBy(...).Skip(...).Take(...)</c> with its statistics: the documents whose index
/// <see cref="Index"/> holds any of <see cref="Values"/> (every document of the type when unset), ordered by the value of
/// the index <see cref="OrderBy"/> (a document without one is left out), one page of them and how many match in all.
/// </summary>
public sealed record DocumentQuery
{
    /// <summary>Filter: the index to match; null for every document of the type.</summary>
    public string? Index { get; init; }

    /// <summary>Filter: the values, any of which matches; an empty set matches nothing.</summary>
    public IReadOnlyCollection<string>? Values { get; init; }

    /// <summary>The index whose value orders the documents (compared as text; ties broken by document id); null for no order.</summary>
    public string? OrderBy { get; init; }

    public bool Descending { get; init; }

    /// <summary>Documents to pass over; only with <see cref="OrderBy"/> and <see cref="Take"/>.</summary>
    public int Skip { get; init; }

    /// <summary>Documents to return at most (null: all); only with <see cref="OrderBy"/>.</summary>
    public int? Take { get; init; }

    internal void Validate()
    {
        if ((Index is null) != (Values is null)) throw new ArgumentException("Filter with an index and its values together.");
        if (OrderBy is null && (Skip != 0 || Take is not null)) throw new ArgumentException("Page (Skip, Take) only an ordered query.");
        if (Skip != 0 && Take is null) throw new ArgumentException("Skip needs Take.");
        ArgumentOutOfRangeException.ThrowIfNegative(Skip, nameof(Skip));
        if (Take is { } take) ArgumentOutOfRangeException.ThrowIfNegative(take, nameof(Take));
    }
}

/// <summary>One page of a <see cref="DocumentQuery"/> and the number of documents that match it in all.</summary>
public sealed record DocumentPage<TDocument>(IReadOnlyList<TDocument> Documents, int Total);

public static class DocumentQueryExtensions
{
    /// <summary>Every read model of one type whose index <paramref name="index"/> holds any of <paramref name="values"/>, in no particular order.</summary>
    public static async Task<IReadOnlyList<TDocument>> QueryAsync<TDocument>(this IEventStore store, string index, IReadOnlyCollection<string> values,
        CancellationToken cancellationToken = default) where TDocument : class =>
        (await store.QueryAsync<TDocument>(new DocumentQuery { Index = index, Values = values }, cancellationToken)).Documents;
}

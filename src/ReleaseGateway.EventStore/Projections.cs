namespace ReleaseGateway.EventStore;

/// <summary>
/// An inline projection: a read model per stream, updated in the same transaction as the events
/// (Marten's single-stream projection). The document id is the stream id.
/// </summary>
public interface IInlineProjection
{
    Type DocumentType { get; }

    /// <summary>Applies one event; returns the new document, or null to delete it.</summary>
    object? Apply(object? current, StoredEvent @event);
}

/// <summary>Base for typed single-stream projections.</summary>
public abstract class SingleStreamProjection<TDocument> : IInlineProjection where TDocument : class
{
    public Type DocumentType => typeof(TDocument);

    /// <summary>Returns the document after <paramref name="event"/>; return <paramref name="current"/> unchanged for events it ignores.</summary>
    public abstract TDocument? Apply(TDocument? current, StoredEvent @event);

    object? IInlineProjection.Apply(object? current, StoredEvent @event) => Apply((TDocument?)current, @event);
}

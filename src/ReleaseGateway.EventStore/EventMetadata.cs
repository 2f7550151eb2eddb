namespace ReleaseGateway.EventStore;

/// <summary>
/// Who caused a set of events and in which conversation. Carried on every stored event and covered
/// by its hash. Never put personal data or secrets here: the chain makes every byte permanent.
/// </summary>
/// <param name="ActorId">Stable id of the user or service client (not an e-mail address).</param>
/// <param name="ActorRole">Role the actor acted in, e.g. <c>Researcher</c>, or <c>System</c>.</param>
/// <param name="CorrelationId">Id shared by everything done for one request or job.</param>
/// <param name="CausationId">Id of the command or event that caused these events, if any.</param>
public sealed record EventMetadata(string ActorId, string ActorRole, string CorrelationId, string? CausationId = null)
{
    /// <summary>Metadata for work the gateway does on its own (jobs, start-up).</summary>
    public static EventMetadata System(string correlationId, string? causationId = null) =>
        new("system", "System", correlationId, causationId);
}

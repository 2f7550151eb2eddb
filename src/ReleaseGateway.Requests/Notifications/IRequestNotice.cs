namespace ReleaseGateway.Requests.Notifications;

/// <summary>
/// An event of another module's stream that concerns a request and is told like one of its steps (a release's close-out, ADR 0055).
/// Its texts follow ADR 0049's trust boundary: no reasons, notes or figures, only what happened and the link to the request.
/// </summary>
public interface IRequestNotice
{
    Guid RequestId { get; }

    /// <summary>True: the request's committee is told; false: the requester.</summary>
    bool ToCommittee { get; }

    string Headline { get; }

    string Body { get; }
}

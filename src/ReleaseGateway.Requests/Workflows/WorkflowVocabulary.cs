namespace ReleaseGateway.Requests.Workflows;

/// <summary>
/// The triggers the gateway can fire. A definition may only use these: a trigger no command fires
/// would be a transition nobody can take. The release pipeline fires the ones after approval.
/// </summary>
public static class WorkflowTriggers
{
    public const string AcceptForReview = "accept-for-review";
    public const string RequestChanges = "request-changes";
    public const string Resubmit = "resubmit";
    public const string Approve = "approve";
    public const string Reject = "reject";
    public const string DeclareConflict = "declare-conflict";
    public const string Withdraw = "withdraw";
    public const string StartGeneration = "start-generation";
    public const string CompleteGeneration = "complete-generation";
    public const string PassGates = "pass-gates";
    public const string Block = "block";
    public const string SignOff = "sign-off";
    public const string RefuseSignOff = "refuse-sign-off";
    public const string Publish = "publish";
    public const string Revoke = "revoke";
    public const string Expire = "expire";

    /// <summary>Votes: counted towards the state's quorum; the transition happens when the quorum is reached.</summary>
    public static readonly IReadOnlySet<string> Votes = new HashSet<string> { Approve, Reject };

    /// <summary>
    /// Triggers that take one of a request's keys (screening, the committee's vote, the compliance sign-off): each must be
    /// guarded by separation of duties, so no definition can let one person hold two keys (ADR 0031).
    /// </summary>
    public static readonly IReadOnlySet<string> Keys = new HashSet<string>
    {
        AcceptForReview, RequestChanges, Approve, Reject, DeclareConflict, SignOff, RefuseSignOff,
    };

    /// <summary>Triggers that record something without changing the state.</summary>
    public static readonly IReadOnlySet<string> Internal = new HashSet<string> { DeclareConflict };

    public static readonly IReadOnlySet<string> All = new HashSet<string>
    {
        AcceptForReview, RequestChanges, Resubmit, Approve, Reject, DeclareConflict, Withdraw, StartGeneration,
        CompleteGeneration, PassGates, Block, SignOff, RefuseSignOff, Publish, Revoke, Expire,
    };
}

/// <summary>Role names as issued by the identity module; <c>System</c> is the gateway's own jobs.</summary>
public static class WorkflowRoles
{
    public const string Researcher = "Researcher";
    public const string CommitteeMember = "CommitteeMember";
    public const string ComplianceOfficer = "ComplianceOfficer";
    public const string DataSteward = "DataSteward";
    public const string Administrator = "Administrator";
    public const string System = "System";

    public static readonly IReadOnlySet<string> All = new HashSet<string>
    {
        Researcher, CommitteeMember, ComplianceOfficer, DataSteward, Administrator, System,
    };
}

/// <summary>Guards a definition can name. Each is a pure predicate over the request and the actor.</summary>
public static class WorkflowGuards
{
    /// <summary>Only the researcher who submitted the request.</summary>
    public const string Requester = "requester";

    /// <summary>The identity module's separation-of-duties rule: not the requester, not twice, not recused.</summary>
    public const string SeparationOfDuties = "separation-of-duties";

    /// <summary>Internal guards the machine adds to votes; not written in definitions.</summary>
    internal const string Role = "role";
    internal const string QuorumReached = "quorum reached";
    internal const string QuorumNotReached = "quorum not reached";

    public static readonly IReadOnlySet<string> All = new HashSet<string> { Requester, SeparationOfDuties };
}

using ReleaseGateway.Problems;
using ReleaseGateway.Requests.AccessRequests;

namespace ReleaseGateway.Requests;

/// <summary>
/// A refusal with its stable error code (the RG2xxx range belongs to this module; each code has its row,
/// with the explanation served at <c>/errors/{code}</c>, in <c>ReleaseGateway.Problems.ErrorCodes</c>) and, for workflow refusals, the request's current state so the caller can see why.
/// <c>Extensions</c> are further members of the problem details (e.g. where to accept a data-use agreement).
/// </summary>
public sealed record RequestError(string Code, int Status, string Title, string Detail, string? CurrentState = null,
    IReadOnlyDictionary<string, object?>? Extensions = null);

/// <summary>Thrown by deciders and endpoints; the endpoint filter turns it into problem details. Nothing has been appended.</summary>
public sealed class RequestRefusedException(RequestError error) : Exception(error.Detail)
{
    public RequestError Error { get; } = error;
}

public static class RequestErrors
{
    /// <summary>A refusal with <paramref name="code"/>; its status and title come from the one table.</summary>
    public static RequestError From(string code, string detail, string? state = null)
    {
        var row = ErrorCodes.Get(code);
        return new(row.Code, row.Status, row.Title, detail, state);
    }

    /// <summary>A role the step requires is missing, stated in <paramref name="detail"/> (RG2002).</summary>
    public static RequestError RoleRequired(string detail) => From(ErrorCodes.RoleRequired, detail);

    public static RequestError NotPermittedInState(string trigger, string state) =>
        From(ErrorCodes.NotPermittedInState, $"'{trigger}' is not allowed while the request is {state}.", state);

    public static RequestError MissingRole(string trigger, string roles, string state) =>
        From(ErrorCodes.RoleRequired, $"'{trigger}' requires the role {roles}.", state);

    public static RequestError NotRequester(string trigger, string state) =>
        From(ErrorCodes.OnlyTheRequester, $"Only the researcher who submitted the request may '{trigger}' it.", state);

    public static RequestError RequestNotFound(Guid id) => From(ErrorCodes.RequestNotFound, $"No access request {id}.");

    public static RequestError DatasetNotFound(string id) => From(ErrorCodes.DatasetNotFound, $"No dataset {id}.");

    public static RequestError StaleVersion(long expected, long actual, string? state) =>
        From(ErrorCodes.ChangedMeanwhile, $"The request is at version {actual}, not {expected}; reload and try again.", state);

    public static RequestError IdempotencyKeyReused() =>
        From(ErrorCodes.IdempotencyKeyReused, "This Idempotency-Key was already used for a different submission.");

    public static RequestError DatasetNameTaken(string name) => From(ErrorCodes.DatasetNameTaken, $"A dataset named '{name}' is already registered.");

    public static RequestError UploadTooLarge(long limit) =>
        From(ErrorCodes.UploadTooLarge, $"The source table exceeds the upload limit of {limit} bytes; nothing was stored.");

    public static RequestError SchemaInvalid(string detail) => From(ErrorCodes.InvalidSchema, detail);

    public static RequestError PersonKeyRequired(string datasetName, string policy) =>
        From(ErrorCodes.PersonKeyRequired,
            $"The policy '{policy}' of dataset '{datasetName}' makes the person the privacy unit: the schema must declare one identifier column with \"role\": \"personKey\" (docs/schema.md). Nothing was stored.");

    public static RequestError DpBinsNeedUploadedSource(string columns) =>
        From(ErrorCodes.DpBinsNeedUploadedSource,
            $"Columns {columns} declare bounds only (or dpBins): the release pipeline places their bin edges by DP quantiles over an uploaded table, not yet over a source counted in a database engine. Upload the table, or declare 'bins' or 'binEdges' for them (docs/schema.md). Nothing was stored.");

    public static RequestError SourceNotUploaded(Guid datasetId) =>
        From(ErrorCodes.NoSourceTable, $"Dataset {datasetId} has no source table yet; requests can be submitted once it is uploaded.");

    public static RequestError SourceAlreadyUploaded(Guid datasetId) =>
        From(ErrorCodes.SourceAlreadyUploaded, $"Dataset {datasetId} already has its source table; register a new dataset for new data.");

    public static RequestError NotDatasetSteward(Guid datasetId) =>
        From(ErrorCodes.NotDatasetSteward, $"Only the steward who registered dataset {datasetId} may upload its source table.");

    public static RequestError RegenerationNotApplicable(string state) =>
        From(ErrorCodes.NoRegenerationToApprove, $"New generation parameters can only come with an approval of a blocked request; the request is {state}.", state);

    public static RequestError RegenerationTermsDiffer(AccessRequestTerms proposed, string state) =>
        From(ErrorCodes.RegenerationVotesDisagree,
            $"Approving votes in this round approve a regeneration with ε = {proposed.Epsilon}, {proposed.Rows} rows, generator {proposed.Generator ?? "default"}; " +
            "approve with the same parameters, or reject.", state);

    public static RequestError SourceTooSmall(long rows, long minRows) =>
        new(ErrorCodes.SourceTooSmall, 422, "Source table too small",
            $"The source table has {rows} record(s); the dataset's policy requires at least {minRows} (minSourceRows). Nothing was stored.");

    public static RequestError CommitteeNotFound(string committee) => From(ErrorCodes.CommitteeNotFound, $"No committee {committee}.");

    public static RequestError CommitteeNameTaken(string name) => From(ErrorCodes.CommitteeNameTaken, $"A committee named '{name}' already exists.");

    public static RequestError NotCommitteeManager(string committee) =>
        From(ErrorCodes.NotCommitteeManager, $"Only an administrator or a chair of committee '{committee}' may change its members.");

    public static RequestError OwnMembership(string committee) =>
        From(ErrorCodes.OwnCommitteeMembership, $"Nobody changes their own seat on committee '{committee}'; ask an administrator or another chair.");

    public static RequestError AlreadyMember(string committee) => From(ErrorCodes.CommitteeMembershipUnchanged, $"They already sit on committee '{committee}' in that capacity.");

    public static RequestError NotMember(string committee) => From(ErrorCodes.CommitteeMembershipUnchanged, $"They do not sit on committee '{committee}'.");

    public static RequestError CommitteeCannotDecide(string committee, string dataset) =>
        From(ErrorCodes.CommitteeCannotDecide,
            $"Committee '{committee}', which decides requests on dataset '{dataset}', has too few members to reach its quorum; nothing was recorded.");

    public static RequestError QuorumWouldBeUnreachable(string committee, int approvals) =>
        From(ErrorCodes.CommitteeCannotDecide,
            $"Committee '{committee}' needs {approvals} approval(s); removing this member would leave too few to decide. Add a member first.");

    /// <param name="reasons">The reason of every term not met, as one text.</param>
    public static RequestError ConsentIncompatible(string dataset, string reasons) =>
        From(ErrorCodes.ConsentIncompatible, $"The stated use does not fit the consent terms of dataset '{dataset}': {reasons} Nothing was recorded.");

    public static RequestError NotDatasetStewardForCommittee(Guid datasetId) =>
        From(ErrorCodes.NotDatasetSteward, $"Only the steward who registered dataset {datasetId} may name its committee.");

    /// <summary>A separation-of-duties refusal: the identity module's rule gives the code (RG101x) and the reason.</summary>
    public static RequestError SeparationOfDuties(string code, int status, string reason, string state) =>
        new(code, status, "Separation of duties", reason, state);

    /// <summary>Codes used with validation problem details (400): RG2009 for commands, RG2013 for uploads.</summary>
    public const string ValidationFailed = ErrorCodes.InvalidCommand;

    public const string UploadRejected = ErrorCodes.UploadRejected;
}

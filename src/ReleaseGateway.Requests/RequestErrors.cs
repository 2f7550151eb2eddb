using ReleaseGateway.Requests.AccessRequests;

namespace ReleaseGateway.Requests;

/// <summary>
/// A refusal with its stable error code (the RG2xxx range belongs to this module; each code has its row,
/// with the explanation served at <c>/errors/{code}</c>, in <c>ReleaseGateway.Problems.ErrorCodes</c>) and, for workflow refusals, the request's current state so the caller can see why.
/// </summary>
public sealed record RequestError(string Code, int Status, string Title, string Detail, string? CurrentState = null);

/// <summary>Thrown by deciders and endpoints; the endpoint filter turns it into problem details. Nothing has been appended.</summary>
public sealed class RequestRefusedException(RequestError error) : Exception(error.Detail)
{
    public RequestError Error { get; } = error;
}

public static class RequestErrors
{
    public static RequestError NotPermittedInState(string trigger, string state) =>
        new("RG2001", 409, "Not allowed in the current state", $"'{trigger}' is not allowed while the request is {state}.", state);

    public static RequestError MissingRole(string trigger, string roles, string state) =>
        new("RG2002", 403, "Role required", $"'{trigger}' requires the role {roles}.", state);

    public static RequestError NotRequester(string trigger, string state) =>
        new("RG2003", 403, "Only the requester", $"Only the researcher who submitted the request may '{trigger}' it.", state);

    public static RequestError RequestNotFound(Guid id) => new("RG2007", 404, "Access request not found", $"No access request {id}.");

    public static RequestError DatasetNotFound(string id) => new("RG2008", 404, "Dataset not found", $"No dataset {id}.");

    public static RequestError StaleVersion(long expected, long actual, string? state) =>
        new("RG2010", 409, "Changed meanwhile", $"The request is at version {actual}, not {expected}; reload and try again.", state);

    public static RequestError IdempotencyKeyReused() =>
        new("RG2011", 422, "Idempotency key reused", "This Idempotency-Key was already used for a different submission.");

    public static RequestError DatasetNameTaken(string name) => new("RG2014", 409, "Dataset name taken", $"A dataset named '{name}' is already registered.");

    public static RequestError UploadTooLarge(long limit) =>
        new("RG2015", 413, "Upload too large", $"The source table exceeds the upload limit of {limit} bytes; nothing was stored.");

    public static RequestError SchemaInvalid(string detail) => new("RG2016", 400, "Invalid schema", detail);

    public static RequestError SourceNotUploaded(Guid datasetId) =>
        new("RG2017", 409, "No source table", $"Dataset {datasetId} has no source table yet; requests can be submitted once it is uploaded.");

    public static RequestError SourceAlreadyUploaded(Guid datasetId) =>
        new("RG2018", 409, "Source table already uploaded", $"Dataset {datasetId} already has its source table; register a new dataset for new data.");

    public static RequestError NotDatasetSteward(Guid datasetId) =>
        new("RG2019", 403, "Not the dataset's steward", $"Only the steward who registered dataset {datasetId} may upload its source table.");

    public static RequestError RegenerationNotApplicable(string state) =>
        new("RG2020", 409, "No regeneration to approve", $"New generation parameters can only come with an approval of a blocked request; the request is {state}.", state);

    public static RequestError RegenerationTermsDiffer(AccessRequestTerms proposed, string state) =>
        new("RG2021", 409, "Regeneration votes disagree",
            $"Approving votes in this round approve a regeneration with ε = {proposed.Epsilon}, {proposed.Rows} rows, generator {proposed.Generator ?? "default"}; " +
            "approve with the same parameters, or reject.", state);

    public static RequestError SourceTooSmall(long rows, long minRows) =>
        new("RG2022", 422, "Source table too small",
            $"The source table has {rows} record(s); the dataset's policy requires at least {minRows} (minSourceRows). Nothing was stored.");

    /// <summary>A separation-of-duties refusal: the identity module's rule gives the code (RG101x) and the reason.</summary>
    public static RequestError SeparationOfDuties(string code, int status, string reason, string state) =>
        new(code, status, "Separation of duties", reason, state);

    /// <summary>Codes used with validation problem details (400): RG2009 for commands, RG2013 for uploads.</summary>
    public const string ValidationFailed = "RG2009";

    public const string UploadRejected = "RG2013";
}

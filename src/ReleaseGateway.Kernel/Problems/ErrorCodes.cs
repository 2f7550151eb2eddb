using Microsoft.AspNetCore.Http;

namespace ReleaseGateway.Problems;

/// <summary>One row of the error table: stable code, HTTP status, short title and the explanation served at <c>/errors/{code}</c>.</summary>
public sealed record ErrorDescription(string Code, int Status, string Title, string Explanation);

/// <summary>
/// The gateway's one table of stable error codes (ADR 0012). Ranges: RG0xxx generic, RG1xxx identity and access,
/// RG2xxx workflow and requests, RG3xxx releases and privacy budget. A code, once shipped, keeps its meaning
/// forever: clients and runbooks match on it. Add rows here; never renumber or reuse one.
/// </summary>
public static class ErrorCodes
{
    public const string Unexpected = "RG0001";
    public const string HttpsRequired = "RG0002";
    public const string ValidationFailed = "RG0003";
    public const string NotFound = "RG0004";
    public const string MethodNotAllowed = "RG0005";
    public const string BadRequest = "RG0006";

    public const string AuthenticationRequired = "RG1001";
    public const string AccessDenied = "RG1002";
    public const string AccountLocked = "RG1003";
    public const string InvalidCredentials = "RG1004";
    public const string InvalidSecondFactor = "RG1005";
    public const string PasswordChangeRequired = "RG1006";
    public const string UserAlreadyExists = "RG1007";
    public const string TooManyAttempts = "RG1008";
    public const string UnknownRole = "RG1009";
    public const string RequesterCannotDecide = "RG1010";
    public const string AlreadyVoted = "RG1011";
    public const string Recused = "RG1012";
    public const string TwoKeysNeedTwoPeople = "RG1013";
    public const string PasswordRejected = "RG1014";
    public const string RoleChangeOnSelf = "RG1015";
    public const string SecondAdministratorRequired = "RG1016";

    // RG1200–RG1229: people's self-service and administration (issue 21).
    public const string SecondFactorNotEnabled = "RG1200";
    public const string ResetLinkInvalid = "RG1201";
    public const string SecondFactorAlreadyEnabled = "RG1202";
    public const string EnrolmentCodeWrong = "RG1203";

    public const string NotPermittedInState = "RG2001";
    public const string RoleRequired = "RG2002";
    public const string OnlyTheRequester = "RG2003";
    public const string RequestNotFound = "RG2007";
    public const string DatasetNotFound = "RG2008";
    public const string InvalidCommand = "RG2009";
    public const string ChangedMeanwhile = "RG2010";
    public const string IdempotencyKeyReused = "RG2011";
    public const string UploadRejected = "RG2013";
    public const string DatasetNameTaken = "RG2014";
    public const string UploadTooLarge = "RG2015";
    public const string InvalidSchema = "RG2016";
    public const string NoSourceTable = "RG2017";
    public const string SourceAlreadyUploaded = "RG2018";
    public const string NotDatasetSteward = "RG2019";
    public const string NoRegenerationToApprove = "RG2020";
    public const string RegenerationVotesDisagree = "RG2021";
    public const string SourceTooSmall = "RG2022";
    public const string PersonKeyRequired = "RG2040";
    public const string SourceKindInvalid = "RG2100";
    public const string SourceConnectionUnknown = "RG2101";
    public const string SourceUnreachable = "RG2102";
    public const string SourceRelationMissing = "RG2103";
    public const string SourceColumnsMismatch = "RG2104";
    public const string SourceOutOfDomain = "RG2105";
    public const string SourceFileRefused = "RG2106";
    public const string SourceChanged = "RG2107";
    public const string CommitteeNotFound = "RG2200";
    public const string CommitteeNameTaken = "RG2201";
    public const string NotCommitteeManager = "RG2202";
    public const string OwnCommitteeMembership = "RG2203";
    public const string CommitteeMembershipUnchanged = "RG2204";
    public const string CommitteeCannotDecide = "RG2205";
    public const string ConsentIncompatible = "RG2206";

    // RG2300–RG2329: data-use agreements, close-out and access visas (issue 20; ADRs 0055, 0056).
    public const string AgreementNotAccepted = "RG2300";
    public const string AgreementVersionNotCurrent = "RG2301";
    public const string AgreementAlreadyAccepted = "RG2302";
    public const string NoAgreement = "RG2303";
    public const string AgreementUnchanged = "RG2304";
    public const string OnlyTheRequesterClosesOut = "RG2310";
    public const string CloseOutNotOpen = "RG2311";
    public const string CloseOutDue = "RG2312";
    public const string VisaNotIssuable = "RG2320";
    public const string OnlyTheRequesterGetsAVisa = "RG2321";

    // RG2330–RG2359: dataset lifecycle (versions, policy changes, retirement) and notification preferences (issue 20).
    public const string DatasetRetired = "RG2330";
    public const string PolicyNotLoaded = "RG2331";
    public const string PolicyUnchanged = "RG2332";
    public const string ReleaseInFlight = "RG2333";
    public const string VersionNeedsUploadedSource = "RG2334";

    public const string BudgetExhausted = "RG3001";
    public const string ReleaseNotFound = "RG3002";
    public const string ReleaseNoLongerAvailable = "RG3003";
    public const string NotAllowedToDownload = "RG3004";
    public const string ReleaseNotPublished = "RG3005";
    public const string DpBinsNotInReleases = "RG3100";
    public const string DpBinsNeedUploadedSource = "RG3101";

    public static IReadOnlyList<ErrorDescription> All { get; } =
    [
        new(Unexpected, StatusCodes.Status500InternalServerError, "Unexpected error",
            "The gateway failed in a way it did not anticipate. Nothing was half-done that the audit log does not show; quote the trace id to an administrator."),
        new(HttpsRequired, StatusCodes.Status400BadRequest, "HTTPS required",
            "Outside Development the gateway answers only over HTTPS, so tokens and passwords never cross the network in clear text."),
        new(ValidationFailed, StatusCodes.Status400BadRequest, "Validation failed",
            "One or more fields of the request are invalid; the errors member lists them by field."),
        new(NotFound, StatusCodes.Status404NotFound, "Not found",
            "There is nothing at this address, or nothing you are allowed to know exists."),
        new(MethodNotAllowed, StatusCodes.Status405MethodNotAllowed, "Method not allowed",
            "The address exists but does not accept this HTTP method."),
        new(BadRequest, StatusCodes.Status400BadRequest, "Bad request",
            "The request could not be understood (malformed syntax, a missing antiforgery token, or an unsupported content type)."),

        new(AuthenticationRequired, StatusCodes.Status401Unauthorized, "Authentication required",
            "The call carries no access token, or one the gateway refuses: expired, signed with a key it does not know, altered, or issued for another audience. Sign in again (rgw login) or request a new client-credentials token."),
        new(AccessDenied, StatusCodes.Status403Forbidden, "Access denied",
            "The token is valid but does not grant this: the caller lacks the role the endpoint requires, or the token lacks the rgw.api scope."),
        new(AccountLocked, StatusCodes.Status403Forbidden, "Account locked",
            "Too many wrong authenticator codes locked the account for a while, or an administrator disabled it. Wait, or ask an administrator; every failure and the lockout are in the audit log. (A wrong password never answers this: after repeated failures from one address the sign-in page keeps answering RG1004, see docs/security.md.)"),
        new(InvalidCredentials, StatusCodes.Status401Unauthorized, "Invalid credentials",
            "The e-mail address or password is wrong. The gateway does not say which, so that accounts cannot be enumerated."),
        new(InvalidSecondFactor, StatusCodes.Status401Unauthorized, "Invalid authenticator code",
            "The six-digit code from the authenticator app was wrong or expired. Codes change every 30 seconds; check the device's clock."),
        new(PasswordChangeRequired, StatusCodes.Status403Forbidden, "Password change required",
            "The account still has the one-time password it was created with; choose a new password before signing in to a client."),
        new(UserAlreadyExists, StatusCodes.Status409Conflict, "User already exists",
            "A user with this e-mail address is already registered."),
        new(TooManyAttempts, StatusCodes.Status429TooManyRequests, "Too many attempts",
            "The sign-in, token and device endpoints accept a limited number of requests per client address and minute. Wait for the time given in Retry-After."),
        new(UnknownRole, StatusCodes.Status400BadRequest, "Unknown role",
            "Roles are Researcher, CommitteeMember, ComplianceOfficer, DataSteward and Administrator."),
        new(RequesterCannotDecide, StatusCodes.Status403Forbidden, "Requester cannot decide",
            "Separation of duties: whoever submitted a request can never vote on it, sign it off or release it."),
        new(AlreadyVoted, StatusCodes.Status409Conflict, "Already voted",
            "Separation of duties: each committee member votes at most once on a request."),
        new(Recused, StatusCodes.Status403Forbidden, "Recused",
            "Separation of duties: a member who declared a conflict of interest takes no part in the decision."),
        new(TwoKeysNeedTwoPeople, StatusCodes.Status403Forbidden, "Two keys need two people",
            "Separation of duties: one person holds one key of a request over its whole history; whoever screened, voted (in any round) or signed off takes no other key, whatever roles they hold."),
        new(PasswordRejected, StatusCodes.Status400BadRequest, "Password rejected",
            "The new password does not meet the policy: at least 12 characters, not the one-time password."),
        new(RoleChangeOnSelf, StatusCodes.Status403Forbidden, "No role grants to oneself",
            "Nobody grants a role to their own account, nor disables or re-enables it: another administrator must do it, and the audit log shows who did."),
        new(SecondAdministratorRequired, StatusCodes.Status403Forbidden, "Second administrator required",
            "An administrator holds a workflow role (Researcher, CommitteeMember, ComplianceOfficer, DataSteward) only when another administrator grants it, in person (not a service client) and not one whose account the receiver created. No account is created with both."),
        new(SecondFactorNotEnabled, StatusCodes.Status409Conflict, "Second factor not enabled",
            "Recovery codes replace the authenticator app's code, so they are issued only to a user whose second factor is on. Turn it on first (rgw users totp --email ...), which prints the codes too."),
        new(ResetLinkInvalid, StatusCodes.Status400BadRequest, "Reset link not valid",
            "A password-reset link works once and only until it expires; this one was used, has expired, was replaced by a newer one, or was mistyped. Nothing was changed. Ask an administrator for a new link (Administration → Users, or rgw users reset-link --email ...)."),
        new(SecondFactorAlreadyEnabled, StatusCodes.Status409Conflict, "Second factor already on",
            "This account already has an authenticator app enrolled. To replace the app, an administrator re-enrols it (rgw users totp --email ...); new recovery codes are on your account page."),
        new(EnrolmentCodeWrong, StatusCodes.Status400BadRequest, "Authenticator code not accepted",
            "The six-digit code did not match the secret shown on the page: check that the app holds the secret from this page and the device's clock is right, then type the code it shows now. The second factor stays off until a code matches."),

        // RG2xxx: datasets, access requests and workflows (src/ReleaseGateway.Requests/RequestErrors.cs raises them).
        new(NotPermittedInState, StatusCodes.Status409Conflict, "Not allowed in the current state",
            "The request's workflow does not allow this step in the state it is in (the problem's currentState member says which). Nothing was recorded."),
        new(RoleRequired, StatusCodes.Status403Forbidden, "Role required",
            "The workflow definition names the roles that may take this step; the caller holds none of them."),
        new(OnlyTheRequester, StatusCodes.Status403Forbidden, "Only the requester",
            "Only the researcher who submitted a request may withdraw or resubmit it."),
        new(RequestNotFound, StatusCodes.Status404NotFound, "Access request not found",
            "There is no such request, or it is not one the caller may see."),
        new(DatasetNotFound, StatusCodes.Status404NotFound, "Dataset not found",
            "There is no dataset with this id."),
        new(InvalidCommand, StatusCodes.Status400BadRequest, "Invalid command",
            "One or more fields are invalid or outside the dataset's policy (columns, ε, rows, generator, duration); the errors member lists them."),
        new(ChangedMeanwhile, StatusCodes.Status409Conflict, "Changed meanwhile",
            "The request changed since the version given in If-Match (or kept changing under concurrent writers). Reload it and decide again."),
        new(IdempotencyKeyReused, StatusCodes.Status422UnprocessableEntity, "Idempotency key reused",
            "The Idempotency-Key was already used for a submission with different content. Use a new key for a new request."),
        new(UploadRejected, StatusCodes.Status400BadRequest, "Upload rejected",
            "The source table does not match the dataset's schema; the errors member lists each problem by row and column. Nothing was stored."),
        new(DatasetNameTaken, StatusCodes.Status409Conflict, "Dataset name taken",
            "Dataset names are unique: they select the dataset's policy file (policies/NAME.yaml)."),
        new(UploadTooLarge, StatusCodes.Status413PayloadTooLarge, "Upload too large",
            "The source table exceeds the configured upload limit (ReleaseGateway:MaxUploadBytes). Nothing was stored."),
        new(InvalidSchema, StatusCodes.Status400BadRequest, "Invalid schema",
            "The dataset schema is malformed or describes an invalid domain; the detail names the JSON path and the reason (format: docs/schema.md)."),
        new(NoSourceTable, StatusCodes.Status409Conflict, "No source table",
            "Requests can be submitted only for a dataset whose source table has been uploaded."),
        new(SourceAlreadyUploaded, StatusCodes.Status409Conflict, "Source table already uploaded",
            "A dataset's source table is uploaded once; register a new dataset for new data."),
        new(NotDatasetSteward, StatusCodes.Status403Forbidden, "Not the dataset's steward",
            "Only the data steward who registered a dataset may upload its source table."),
        new(NoRegenerationToApprove, StatusCodes.Status409Conflict, "No regeneration to approve",
            "New generation parameters (ε, rows, generator) can only be given when approving a regeneration of a blocked request."),
        new(RegenerationVotesDisagree, StatusCodes.Status409Conflict, "Regeneration votes disagree",
            "All approving votes of a round must approve the same regeneration parameters; the problem's detail gives the ones already voted for."),
        new(SourceTooSmall, StatusCodes.Status422UnprocessableEntity, "Source table too small",
            "The source table has fewer records than the dataset's policy requires (minSourceRows); nothing was stored. Differential privacy on a handful of records protects no one usefully and the evaluation's attacks need a holdout."),
        new(PersonKeyRequired, StatusCodes.Status400BadRequest, "Person key required",
            "The dataset's policy sets privacyUnit.requirePersonKey: its schema must declare a person-key column (an identifier column with role personKey), so that ε holds per person. Nothing was stored."),
        new(SourceKindInvalid, StatusCodes.Status400BadRequest, "Source description invalid",
            "A source is an uploaded file, a PostgreSQL table, view or read-only query under a configured connection name, or a CSV/Parquet file under a configured folder (docs/sources.md). Nothing was stored."),
        new(SourceConnectionUnknown, StatusCodes.Status400BadRequest, "Unknown connection",
            "The connection name is not configured under ReleaseGateway:Sources:Connections; connection strings live in the gateway's configuration, never in a request or an event. Nothing was stored."),
        new(SourceUnreachable, StatusCodes.Status502BadGateway, "Source database unreachable",
            "The gateway could not connect to the configured database (host down, wrong credentials, network). Nothing was stored."),
        new(SourceRelationMissing, StatusCodes.Status422UnprocessableEntity, "Relation missing",
            "The table or view does not exist (or the gateway's database user cannot read it), or the query does not run. Nothing was stored."),
        new(SourceColumnsMismatch, StatusCodes.Status422UnprocessableEntity, "Columns do not match the schema",
            "Every synthesis column of the schema (and the person or row key) must exist in the source, under the same name, with a type that can hold the schema's values. Nothing was stored."),
        new(SourceOutOfDomain, StatusCodes.Status422UnprocessableEntity, "Values outside the schema's domain",
            "Some values of the source lie outside the schema's public domain (unknown category, out of bounds, not a whole number, empty where missing values are not allowed). Fix the data or the schema; nothing was stored."),
        new(SourceFileRefused, StatusCodes.Status422UnprocessableEntity, "File source refused",
            "A file source must be an existing .csv, .csv.gz or .parquet file under a folder listed in ReleaseGateway:Sources:FileRoots, readable by the gateway. Nothing was stored."),
        new(SourceChanged, StatusCodes.Status409Conflict, "Source changed",
            "The source changed while the gateway read it, so no consistent snapshot was seen; the attempt fails closed."),
        new(CommitteeNotFound, StatusCodes.Status404NotFound, "Committee not found",
            "There is no committee with this id or name (docs/committees.md)."),
        new(CommitteeNameTaken, StatusCodes.Status409Conflict, "Committee name taken",
            "Committee names are unique: datasets and people name committees by them."),
        new(NotCommitteeManager, StatusCodes.Status403Forbidden, "Not the committee's manager",
            "An administrator, or a chair of the committee, changes its members. Nothing was recorded."),
        new(OwnCommitteeMembership, StatusCodes.Status403Forbidden, "Own committee seat",
            "Nobody adds, removes or promotes themself on a committee (separation of duties across administration and the workflow, like RG1015). Nothing was recorded."),
        new(CommitteeMembershipUnchanged, StatusCodes.Status409Conflict, "Membership unchanged",
            "The person already holds that seat, or does not sit on the committee. Nothing was recorded."),
        new(CommitteeCannotDecide, StatusCodes.Status409Conflict, "Committee cannot reach its quorum",
            "The committee has fewer members than the approvals its quorum needs: a submission to it is refused, and a member whose removal would leave it so stays. Nothing was recorded."),
        new(ConsentIncompatible, StatusCodes.Status422UnprocessableEntity, "Use not covered by consent",
            "The request's use, stated in GA4GH Data Use Ontology terms, does not fit the dataset's consent terms; the detail names each term not met (docs/committees.md). Nothing was recorded."),
        new(AgreementNotAccepted, StatusCodes.Status403Forbidden, "Data-use agreement not accepted",
            "The dataset has a data-use agreement and the requester has not accepted its current version for this request. Read and accept it on the release page (/ui/releases/{id}), with POST /requests/{id}/agreement/accept or `rgw agreements accept`; then download. A new version needs a new acceptance."),
        new(AgreementVersionNotCurrent, StatusCodes.Status409Conflict, "Not the current agreement",
            "Only the current version of a data-use agreement can be accepted; the steward published a newer one. Read it and accept that version. Nothing was recorded."),
        new(AgreementAlreadyAccepted, StatusCodes.Status409Conflict, "Agreement already accepted",
            "This request has already accepted the current version of the agreement. Nothing was recorded."),
        new(NoAgreement, StatusCodes.Status404NotFound, "No data-use agreement",
            "The dataset has no data-use agreement; its releases download without one."),
        new(AgreementUnchanged, StatusCodes.Status409Conflict, "Agreement unchanged",
            "The text and title are those of the current version; a new version is published only when something changes (every version must be accepted again)."),
        new(OnlyTheRequesterClosesOut, StatusCodes.Status403Forbidden, "Only the requester closes out",
            "The close-out note (progress report) of a release is written by the researcher who requested it."),
        new(CloseOutNotOpen, StatusCodes.Status409Conflict, "Close-out not possible",
            "A release is closed out once: when it is published, expired or revoked, and not yet closed out. Nothing was recorded."),
        new(CloseOutDue, StatusCodes.Status409Conflict, "Close-out due",
            "The dataset's policy requires a close-out note when a release's access ends; the requester has an ended release of this dataset without one. File it (rgw release close-out, or the release page), then submit again. Nothing was recorded."),
        new(VisaNotIssuable, StatusCodes.Status409Conflict, "No visa for this release",
            "A GA4GH Passport visa is issued only for a published release whose access has not ended (not revoked, expired or closed out). Nothing was recorded."),
        new(OnlyTheRequesterGetsAVisa, StatusCodes.Status403Forbidden, "Only the requester gets a visa",
            "A ControlledAccessGrants visa asserts the requester's own grant; it is issued to the researcher who requested the release."),

        new(DatasetRetired, StatusCodes.Status409Conflict, "Dataset retired",
            "The dataset was retired by its steward: it takes no new requests, versions or policy changes. Releases already published stay downloadable until their expiry (docs/committees.md, \"Dataset lifecycle\"). Nothing was recorded."),
        new(PolicyNotLoaded, StatusCodes.Status404NotFound, "Policy not loaded",
            "The gateway has no policy of that name: policies are the files policies/NAME.yaml read at start-up (docs/workflow.md). Nothing was recorded."),
        new(PolicyUnchanged, StatusCodes.Status409Conflict, "Policy unchanged",
            "The dataset is already under that policy. Nothing was recorded."),
        new(ReleaseInFlight, StatusCodes.Status409Conflict, "Release in flight",
            "A request on the dataset is approved and its release is not yet published or blocked; a new version waits until the pipeline has finished with the current one, so no release mixes two versions and no reservation straddles a ledger restart (ADR 0057). Nothing was recorded."),
        new(VersionNeedsUploadedSource, StatusCodes.Status409Conflict, "New version needs an uploaded source",
            "A new version is a new upload replacing an uploaded source table; a dataset without one uploads its first table, and a source in a database engine is read where it lives (ADR 0057). Nothing was recorded."),

        // RG3xxx: privacy budget and releases (src/ReleaseGateway.Releases raises them).
        new(BudgetExhausted, StatusCodes.Status409Conflict, "Privacy budget exhausted",
            "Approving the request would take the dataset's composed privacy budget over its cap (or past its number of releases); the detail gives the largest ε still available. Nothing was recorded: the approval was refused with it."),
        new(ReleaseNotFound, StatusCodes.Status404NotFound, "Release not found",
            "There is no such release, or it is not one the caller may see."),
        new(ReleaseNoLongerAvailable, StatusCodes.Status410Gone, "Release no longer available",
            "The release was revoked by the committee or passed its expiry; its artifacts can no longer be downloaded."),
        new(NotAllowedToDownload, StatusCodes.Status403Forbidden, "Not allowed to download",
            "Only the researcher who requested a release, committee members and compliance officers may download it."),
        new(ReleaseNotPublished, StatusCodes.Status409Conflict, "Release not published",
            "The release has not passed its gates and been published (or was already revoked)."),
        new(DpBinsNotInReleases, StatusCodes.Status400BadRequest, "DP bin edges not available for releases",
            "Retired: no longer raised. Registration refused schemas with bounds-only numeric columns until the release pipeline placed their bin edges by DP quantiles (ADR 0036, ADR 0037); it now does, so such schemas are accepted."),
        new(DpBinsNeedUploadedSource, StatusCodes.Status400BadRequest, "DP bin edges need an uploaded source table",
            "The schema has numeric columns with bounds only (or dpBins), whose bin edges the release pipeline places by DP quantiles over the raw values (ADR 0037). It does so for uploaded source tables; a source counted in a database engine (PostgreSQL or a large file) cannot be connected to such a schema yet: upload the table, or declare 'bins' or 'binEdges' for those columns. Nothing was stored."),
    ];

    private static readonly Dictionary<string, ErrorDescription> ByCode = All.ToDictionary(e => e.Code, StringComparer.OrdinalIgnoreCase);

    public static ErrorDescription? Find(string code) => ByCode.GetValueOrDefault(code);

    public static ErrorDescription Get(string code) =>
        Find(code) ?? throw new ArgumentException($"Error code {code} is not in the table.", nameof(code));

    /// <summary>The code used when a response has a status but no code of its own (status code pages).</summary>
    public static string ForStatus(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => AuthenticationRequired,
        StatusCodes.Status403Forbidden => AccessDenied,
        StatusCodes.Status404NotFound => NotFound,
        StatusCodes.Status405MethodNotAllowed => MethodNotAllowed,
        StatusCodes.Status429TooManyRequests => TooManyAttempts,
        >= 500 => Unexpected,
        _ => BadRequest,
    };

    /// <summary>The <c>type</c> URI of a problem with <paramref name="code"/>: the page explaining it.</summary>
    public static string TypeUri(string code) => $"/errors/{code}";
}

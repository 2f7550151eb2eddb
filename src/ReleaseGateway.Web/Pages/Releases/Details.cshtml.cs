using ReleaseGateway.Requests.Committees;
using Microsoft.AspNetCore.Mvc;
using ReleaseGateway.EventStore;
using ReleaseGateway.Releases.Access;
using ReleaseGateway.Releases.Artifacts;
using ReleaseGateway.Requests.Agreements;
using ReleaseGateway.Releases.Manifests;
using ReleaseGateway.Releases.Pipeline;
using ReleaseGateway.Requests;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails;
using ReleaseGateway.Requests.Workflows;
using ReleaseGateway.Web.Infrastructure;
using ReleaseGateway.Web.Pages.Requests;

namespace ReleaseGateway.Web.Pages.Releases;

/// <summary>
/// One release attempt for whoever may see it (<see cref="ReleaseLifecycle.MayView"/>; anyone else gets "not found"):
/// status and progress, the files with their hashes and a recorded download of each, the signed manifest, expiry,
/// the gate results (and, for the committee, compliance and stewards, the full evaluation report), who downloaded
/// it, and revocation where the workflow allows it.
/// </summary>
public sealed class DetailsModel(
    IEventStore store, ArtifactStore artifacts, PipelineProgress progress, WorkflowCatalog workflows, UserDirectory directory, TimeProvider time,
    ReleaseCommands commands, AgreementCommands agreements, CloseOutCommands closeOuts, VisaIssuer visas)
    : GatewayPageModel
{
    [FromRoute]
    public Guid Id { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Done { get; set; }

    [BindProperty]
    public ReasonForm Revoke { get; set; } = new();

    [BindProperty]
    public CloseOutForm CloseOut { get; set; } = new();

    /// <summary>The agreement version the requester read on this page and accepts.</summary>
    [BindProperty]
    public int AgreementNumber { get; set; }

    /// <summary>The dataset's data-use agreement and where this request stands with it (ADR 0055).</summary>
    public AgreementStatus? Agreement { get; private set; }

    /// <summary>A visa issued by this page's last post (shown once; the gateway does not keep the token).</summary>
    public IssuedVisa? Visa { get; private set; }

    /// <summary>The requester may file the close-out note now.</summary>
    public bool MayCloseOut => IsRequester && Release.ClosedOutAt is null &&
        Release.Status is ReleaseStatus.Published or ReleaseStatus.Expired or ReleaseStatus.Revoked;

    public ReleaseDetails Release { get; private set; } = null!;

    public AccessRequestDetails? RequestDetails { get; private set; }

    public LiveProgress? Live { get; private set; }

    public ReleaseManifest? Manifest { get; private set; }

    public DateTimeOffset Now { get; private set; }

    public bool IsRequester { get; private set; }

    public bool MayDownload { get; private set; }

    public bool MayReadReport { get; private set; }

    public bool MayRevoke { get; private set; }

    /// <summary>Staff see every download and the approvers by name; the requester sees only their own downloads.</summary>
    public bool SeesStaff { get; private set; }

    public IReadOnlyList<ReleaseDownload> Downloads { get; private set; } = [];

    public UserDirectory Names => directory;

    public IReadOnlySet<string> Roles => Actor.Roles;

    public bool Available => Release.IsAvailable(Now);

    /// <summary>The gateway is working on this attempt now (the page refreshes itself until it is done).</summary>
    public bool InProgress { get; private set; }

    public string? Confirmation => Done switch
    {
        "revoked" => "The release is revoked: downloads have stopped.",
        "accepted" => "You accepted the data-use agreement; the files can be downloaded.",
        "closed-out" => "Your close-out note is filed; the committee can read it. Access to the files has ended.",
        _ => null,
    };

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct) ? Page() : NotFound();

    /// <summary>A download is a form post, not a link: each one is an event in the audit log, so it needs the page's antiforgery token.</summary>
    public async Task<IActionResult> OnPostDownloadAsync(string? artifact, CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFound();
        (ReleaseArtifact Artifact, Stream Content)? download = null;
        if (await TryAsync(async () => download = await commands.DownloadAsync(Caller, Id, artifact ?? "", ct), ""))
            return File(download!.Value.Content, download.Value.Artifact.MediaType, download.Value.Artifact.Name);
        return await RedisplayAsync(() => LoadAsync(ct));
    }

    /// <summary>
    /// Every file the caller may download, with the signed manifest, as one zip: each file is a recorded download, as if taken
    /// one by one (a refusal leaves nothing recorded, the first file refused). Unzipped, the folder verifies offline with
    /// <c>rgw release verify manifest.json --key ...</c>.
    /// </summary>
    public async Task<IActionResult> OnPostDownloadAllAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFound();
        var archive = new FileStream(Path.GetTempFileName(), FileMode.Open, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose);
        var ok = await TryAsync(async () =>
        {
            using var zip = new System.IO.Compression.ZipArchive(archive, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true);
            foreach (var artifact in Release.Artifacts)
            {
                var (file, content) = await commands.DownloadAsync(Caller, Id, artifact.Name, ct);
                await using (content)
                await using (var entry = zip.CreateEntry(file.Name, System.IO.Compression.CompressionLevel.Optimal).Open())
                    await content.CopyToAsync(entry, ct);
            }
        }, "");
        if (!ok)
        {
            await archive.DisposeAsync();
            return await RedisplayAsync(() => LoadAsync(ct));
        }
        archive.Position = 0;
        return File(archive, "application/zip", $"release-{Release.DatasetName}-attempt-{Release.Attempt}.zip");
    }

    public async Task<IActionResult> OnPostRevokeAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFound();
        if (await TryAsync(() => commands.RevokeAsync(Caller, Id, Revoke.Reason, ct), nameof(Revoke)))
            return Redirect($"/ui/releases/{Id}?done=revoked");
        return await RedisplayAsync(() => LoadAsync(ct));
    }

    public async Task<IActionResult> OnPostAcceptAgreementAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFound();
        if (await TryAsync(() => agreements.AcceptAsync(Caller, new AcceptDataUseAgreement(Release.RequestId, AgreementNumber), ct), ""))
            return Redirect($"/ui/releases/{Id}?done=accepted#agreement");
        return await RedisplayAsync(() => LoadAsync(ct));
    }

    public async Task<IActionResult> OnPostCloseOutAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFound();
        if (await TryAsync(() => closeOuts.CloseOutAsync(Caller, new CloseOutRelease(Id, CloseOut.Note ?? ""), ct), nameof(CloseOut)))
            return Redirect($"/ui/releases/{Id}?done=closed-out#close-out");
        return await RedisplayAsync(() => LoadAsync(ct));
    }

    public async Task<IActionResult> OnPostVisaAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFound();
        IssuedVisa? issued = null;
        await TryAsync(async () => issued = await visas.IssueAsync(Caller, Id, visas.Issuer(Request), ct), "");
        var page = await RedisplayAsync(() => LoadAsync(ct));
        Visa = issued;
        return page;
    }

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        var actor = Actor;
        if (await store.LoadAsync<ReleaseDetails>(Id, ct) is not { } release || !ReleaseLifecycle.MayView(release, actor.Id, actor.Roles)) return false;
        Release = ReleaseBoundary.View(release, actor.Roles);
        Now = time.GetUtcNow();
        Live = ReleaseBoundary.View(progress.Get(Id), actor.Roles);
        IsRequester = release.RequesterId == actor.Id;
        SeesStaff = AccessRequestQueries.SeesCommittee(actor);
        MayDownload = ReleaseLifecycle.MayDownload(release, actor.Id, actor.Roles);
        MayReadReport = ReleaseLifecycle.MayReadEvaluation(actor.Roles) && release.Passed is not null;
        Downloads = SeesStaff ? release.Downloads : release.Downloads.Where(d => d.By == actor.Id).ToList();
        RequestDetails = await store.LoadAsync<AccessRequestDetails>(release.RequestId, ct);
        Agreement = await AgreementStatus.LoadAsync(store, release.RequestId, release.DatasetId, ct);
        MayRevoke = release.Status == ReleaseStatus.Published && RequestDetails is not null &&
            new AccessRequestWorkflow(workflows.Get(RequestDetails.Workflow), RequestDetails.ToRequest(),
                (await CommitteeRoster.LoadAsync(store, ct)).For(RequestDetails.CommitteeId)).PermittedTriggers(actor).Contains(WorkflowTriggers.Revoke);
        Manifest = await ReleaseQueries.ManifestAsync(artifacts, release, ct);
        await directory.LoadAsync([release.RequesterId, .. Release.Approvers, .. Downloads.Select(d => d.By)], ct);
        if (MayReadReport) ContentSecurity.AllowSameOriginFrames(Response);
        InProgress = release.Status is ReleaseStatus.Generating or ReleaseStatus.Evaluating or ReleaseStatus.AwaitingPublication && RequestDetails is not null &&
            ReleasePipeline.NextStep(RequestDetails.ToRequest(), workflows.Get(RequestDetails.Workflow)) is not null;
        if (InProgress) ViewData["RefreshSeconds"] = 3;
        return true;
    }
}

public sealed class CloseOutForm
{
    public string? Note { get; set; }
}

using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using ReleaseGateway.EventStore;
using ReleaseGateway.EventStore.Audit;
using ReleaseGateway.EventStore.Export;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.EventStore.Verification;
using ReleaseGateway.Identity.Data;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Web.Authorization;
using ReleaseGateway.Web.Infrastructure;

namespace ReleaseGateway.Web.Pages.Audit;

/// <summary>
/// The audit trail for compliance officers: a filtered page of the log, newest first, read with the store's keyset
/// query (fast however large the log); a chain verification on demand; the offline export and a signed checkpoint,
/// the same files <c>rgw audit export</c> and <c>rgw audit checkpoint</c> write.
/// </summary>
[Authorize(Policy = WebPolicies.ReadAudit)]
public sealed class IndexModel(
    IEventStore store, IOptions<EventStoreOptions> storeOptions, IEnumerable<IDatasetStreams> datasetStreams, UserManager<GatewayUser> users,
    UserDirectory directory, AuditSigning signing, TimeProvider time, ChainStatus chain) : GatewayPageModel
{
    public static readonly int[] PageSizes = [25, 50, 100, 200];

    [BindProperty(SupportsGet = true, Name = "dataset")]
    public Guid? Dataset { get; set; }

    [BindProperty(SupportsGet = true, Name = "stream")]
    public Guid? Stream { get; set; }

    [BindProperty(SupportsGet = true, Name = "actor")]
    public string? ActorFilter { get; set; }

    [BindProperty(SupportsGet = true, Name = "type")]
    public string? Type { get; set; }

    /// <summary>UTC, as typed into a date-time field.</summary>
    [BindProperty(SupportsGet = true, Name = "from")]
    public DateTime? From { get; set; }

    [BindProperty(SupportsGet = true, Name = "until")]
    public DateTime? Until { get; set; }

    [BindProperty(SupportsGet = true, Name = "before")]
    public long? Before { get; set; }

    [BindProperty(SupportsGet = true, Name = "after")]
    public long? After { get; set; }

    [BindProperty(SupportsGet = true, Name = "size")]
    public int Size { get; set; } = 50;

    public EventPage Events { get; private set; } = EventPage.Empty;

    public IReadOnlyList<string> EventTypes { get; private set; } = [];

    public IReadOnlyList<DatasetDetails> Datasets { get; private set; } = [];

    public ChainHead Head { get; private set; } = new(0, ChainHead.GenesisHash);

    public VerificationResult? Verification { get; private set; }

    public string? CheckpointUsed { get; private set; }

    public UserDirectory Names => directory;

    /// <summary>The e-mail address of the user whose stream this is (identity events: role changes, sign-ins), else nothing.</summary>
    public string StreamOwner(Guid streamId) => directory.Name(streamId.ToString()) is var name && name != streamId.ToString() ? name : "";

    /// <summary>The chain's last verification in this process (verified on opening when the log is small), when there is one.</summary>
    public ChainStatus.Checked? LastVerified { get; private set; }

    /// <summary>What each stream on the page is, in words: "request 'TITLE'", "dataset 'NAME'", "release attempt 2 of 'TITLE'", ...</summary>
    public IReadOnlyDictionary<Guid, string> StreamNames { get; private set; } = new Dictionary<Guid, string>();

    private async Task NameStreamsAsync(CancellationToken ct)
    {
        var names = new Dictionary<Guid, string>();
        var ledgers = Datasets.ToDictionary(d => ReleaseGateway.Releases.Budget.PrivacyBudgetLedger.StreamIdFor(d.Id), d => d.Name);
        foreach (var id in Events.Events.Select(e => e.StreamId).Distinct())
        {
            if (Datasets.FirstOrDefault(d => d.Id == id) is { } dataset) names[id] = $"dataset '{dataset.Name}'";
            else if (ledgers.TryGetValue(id, out var ledger)) names[id] = $"budget ledger of '{ledger}'";
            else if (await store.LoadAsync<ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails.AccessRequestDetails>(id, ct) is { } request)
                names[id] = $"request '{request.Terms.Title}'";
            else if (await store.LoadAsync<ReleaseGateway.Releases.Pipeline.ReleaseDetails>(id, ct) is { } release)
                names[id] = $"release attempt {release.Attempt} of '{release.DatasetName}'";
        }
        StreamNames = names;
    }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        return Page();
    }

    /// <summary>Walks the whole chain; with a checkpoint file, also proves nothing before it was cut or rewritten.</summary>
    public async Task<IActionResult> OnPostVerifyAsync(IFormFile? checkpoint, CancellationToken ct)
    {
        SignedCheckpoint? signed = null;
        if (checkpoint is { Length: > 0 })
        {
            try
            {
                using var reader = new StreamReader(checkpoint.OpenReadStream(), Encoding.UTF8);
                signed = SignedCheckpoint.Parse(await reader.ReadToEndAsync(ct));
                CheckpointUsed = $"position {signed.Position}, signed {Display.Time(signed.CreatedAt)} with key {signed.KeyId}";
            }
            catch (FormatException e)
            {
                ModelState.AddModelError("checkpoint", $"The checkpoint file could not be read: {e.Message}");
                Response.StatusCode = StatusCodes.Status400BadRequest;
            }
        }
        if (ModelState.IsValid)
        {
            Verification = await ChainVerifier.VerifyStoreAsync(store, signed, signed is null ? null : signing.Key, signing.WitnessKeys, ct);
            if (signed is null) chain.Record(Verification);
        }
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnGetExportAsync(CancellationToken ct)
    {
        var work = Directory.CreateTempSubdirectory("rgw-audit-export-");
        try
        {
            var folder = Path.Combine(work.FullName, "audit-export");
            var manifest = await AuditExport.WriteAsync(store, folder, signing.Key, time.GetUtcNow(), ct);
            await RecordExportAsync("export", manifest.HeadPosition, manifest.HeadHash, ct);
            var zip = Path.Combine(Path.GetTempPath(), $"rgw-audit-export-{Guid.NewGuid():N}.zip");
            ZipFile.CreateFromDirectory(folder, zip, CompressionLevel.Fastest, includeBaseDirectory: true);
            var stream = new FileStream(zip, FileMode.Open, FileAccess.Read, FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
            return File(stream, "application/zip", $"audit-export-{manifest.HeadPosition}.zip");
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    public async Task<IActionResult> OnGetCheckpointAsync(CancellationToken ct)
    {
        var checkpoint = SignedCheckpoint.Create(await store.ReadHeadAsync(ct), time.GetUtcNow(), signing.Key);
        await RecordExportAsync("checkpoint", checkpoint.Position, checkpoint.Hash, ct);
        return File(Encoding.UTF8.GetBytes(checkpoint.ToJson()), "application/json", $"checkpoint-{checkpoint.Position}.json");
    }

    /// <summary>Who took which range of the log, and when (issue 15, row 10): recorded before the file is served.</summary>
    private Task RecordExportAsync(string kind, long head, string hash, CancellationToken ct) =>
        AuditTrail.RecordAsync(store, HttpContext.GetEventMetadata(Roles.ComplianceOfficer),
            new AuditLogExported(kind, 1, head, hash, HttpContext.GetActor().Id, time.GetUtcNow()), ct);

    public IActionResult OnGetPublicKey() =>
        File(Encoding.ASCII.GetBytes(signing.Key.ExportPublicKeyPem()), "application/x-pem-file", "audit-signing-key.pub.pem");

    /// <summary>The filters as query parameters, with one cursor; for the paging links.</summary>
    public string Link(long? before = null, long? after = null)
    {
        var query = new List<KeyValuePair<string, string?>>
        {
            new("dataset", Dataset?.ToString()), new("stream", Stream?.ToString()), new("actor", ActorFilter), new("type", Type),
            new("from", From?.ToString("yyyy-MM-dd'T'HH:mm")), new("until", Until?.ToString("yyyy-MM-dd'T'HH:mm")),
            new("before", before?.ToString()), new("after", after?.ToString()), new("size", Size.ToString()),
        };
        return "/ui/audit" + QueryString.Create(query.Where(q => !string.IsNullOrEmpty(q.Value)));
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        EventTypes = storeOptions.Value.Events.Names.Order(StringComparer.Ordinal).ToList();
        Datasets = (await store.QueryAsync<DatasetDetails>(ct)).OrderBy(d => d.Name, StringComparer.Ordinal).ToList();
        Head = await store.ReadHeadAsync(ct);
        LastVerified = Verification is null ? await chain.OnOpenAsync(store, Head, ct) : chain.Last;
        if (!PageSizes.Contains(Size)) Size = 50;
        var query = await QueryAsync(ct);
        if (query is null) return;
        Events = await store.QueryEventsAsync(query, ct);
        // Actors, and the streams that are users (their identity events: role changes, sign-ins), by name.
        await directory.LoadAsync(Events.Events.Select(e => e.Metadata.ActorId).Concat(Events.Events.Select(e => e.StreamId.ToString())), ct);
        await NameStreamsAsync(ct);
    }

    /// <summary>The store query for the filters; null (and a message beside the field) when a filter cannot match.</summary>
    private async Task<EventQuery?> QueryAsync(CancellationToken ct)
    {
        string? actorId = null;
        if (!string.IsNullOrWhiteSpace(ActorFilter))
        {
            actorId = ActorFilter.Trim();
            if (actorId.Contains('@'))
            {
                actorId = (await users.FindByEmailAsync(actorId))?.Id.ToString();
                if (actorId is null)
                {
                    ModelState.AddModelError("actor", "No user has this e-mail address.");
                    return null;
                }
            }
        }
        IReadOnlyCollection<Guid>? streams = null;
        if (Dataset is { } datasetId)
        {
            var all = new HashSet<Guid>();
            foreach (var contributor in datasetStreams) all.UnionWith(await contributor.OfDatasetAsync(datasetId, ct));
            streams = all;
        }
        if (Stream is { } stream) streams = streams is null || streams.Contains(stream) ? [stream] : [];
        return new EventQuery
        {
            StreamIds = streams,
            ActorId = actorId,
            EventTypes = string.IsNullOrEmpty(Type) ? null : [Type],
            From = From is { } from ? new DateTimeOffset(DateTime.SpecifyKind(from, DateTimeKind.Utc)) : null,
            Until = Until is { } until ? new DateTimeOffset(DateTime.SpecifyKind(until, DateTimeKind.Utc)) : null,
            Before = After is null ? Before : null,
            After = After,
            Limit = Size,
        };
    }
}

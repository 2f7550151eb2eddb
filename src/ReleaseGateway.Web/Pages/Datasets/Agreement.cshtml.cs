using Microsoft.AspNetCore.Mvc;
using ReleaseGateway.EventStore;
using ReleaseGateway.Requests.Agreements;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Web.Infrastructure;

namespace ReleaseGateway.Web.Pages.Datasets;

/// <summary>
/// A dataset's data-use agreement: every version for anyone signed in, and for its registering steward a form that publishes the
/// next version (ADR 0055; the command checks who may again).
/// </summary>
public sealed class AgreementModel(IEventStore store, AgreementCommands commands) : GatewayPageModel
{
    [FromRoute]
    public Guid Id { get; set; }

    [BindProperty(SupportsGet = true)]
    public bool Published { get; set; }

    [BindProperty]
    public AgreementForm Form { get; set; } = new();

    public DatasetDetails Dataset { get; private set; } = null!;

    public DataUseAgreement? Agreement { get; private set; }

    public bool MayPublish { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFound();
        Form = new AgreementForm { Title = Agreement?.Current.Title, Text = Agreement?.Current.Text };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFound();
        if (await TryAsync(() => commands.PublishAsync(Caller, new PublishDataUseAgreement(Id, Form.Title ?? "", Form.Text ?? ""), ct), nameof(Form)))
            return Redirect($"/ui/datasets/{Id}/agreement?published=true");
        return await RedisplayAsync(() => LoadAsync(ct));
    }

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        if (await store.LoadAsync<DatasetDetails>(Id, ct) is not { } dataset) return false;
        Dataset = dataset;
        Agreement = await DataUseAgreement.LoadAsync(store, Id, ct);
        MayPublish = dataset.RegisteredBy == Actor.Id && Actor.Roles.Contains(Identity.Authorization.Roles.DataSteward);
        return true;
    }
}

public sealed class AgreementForm
{
    public string? Title { get; set; }
    public string? Text { get; set; }
}

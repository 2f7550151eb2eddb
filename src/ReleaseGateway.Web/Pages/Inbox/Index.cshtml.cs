using ReleaseGateway.Web.Inbox;
using ReleaseGateway.Web.Infrastructure;

namespace ReleaseGateway.Web.Pages.Inbox;

/// <summary>Everything awaiting the signed-in person, from every inbox source.</summary>
public sealed class IndexModel(PersonalInbox inbox) : GatewayPageModel
{
    public IReadOnlyList<InboxItem> Items { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => Items = await inbox.ForAsync(Actor, ct);
}

using Microsoft.AspNetCore.Authorization;
using ReleaseGateway.EventStore;
using ReleaseGateway.Requests.Workflows;
using ReleaseGateway.Web.Authorization;

namespace ReleaseGateway.Web.Pages;

[Authorize(Policy = WebPolicies.Steward)]
public sealed class ScreeningModel(IEventStore store, WorkflowCatalog workflows)
    : AwaitingTriggerPageModel(store, workflows, WorkflowTriggers.AcceptForReview, "No request awaits screening.");

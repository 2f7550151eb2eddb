using Microsoft.AspNetCore.Authorization;
using ReleaseGateway.EventStore;
using ReleaseGateway.Requests.Workflows;
using ReleaseGateway.Web.Authorization;

namespace ReleaseGateway.Web.Pages;

[Authorize(Policy = WebPolicies.Compliance)]
public sealed class SignOffQueueModel(IEventStore store, WorkflowCatalog workflows)
    : AwaitingTriggerPageModel(store, workflows, WorkflowTriggers.SignOff, "No release awaits sign-off.");

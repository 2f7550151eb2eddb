using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Policies;

namespace ReleaseGateway.Requests.AccessRequests;

/// <summary>
/// A condition another module sets on a submission, asked after the request's own decider accepted it and before anything is
/// stored (e.g. the release module's close-out rule, ADR 0055). Refuses by throwing <see cref="RequestRefusedException"/>.
/// </summary>
public interface ISubmissionCheck
{
    Task CheckAsync(Actor requester, DatasetDetails dataset, DatasetPolicy policy, CancellationToken ct);
}

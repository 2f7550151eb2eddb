using System.Security.Cryptography;
using System.Text;

namespace ReleaseGateway.Releases.Pipeline;

/// <summary>
/// A release attempt's id is derived from its request and the version of the approval that started it, so the
/// budget hook (at approval) and the pipeline's jobs (later, in any process) name the same attempt without
/// exchanging anything; a regeneration is a new approval, hence a new attempt.
/// </summary>
public static class ReleaseIds
{
    public static Guid For(Guid requestId, long approvalVersion)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"release:{requestId:D}:{approvalVersion}"));
        return new Guid(hash.AsSpan(0, 16));
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Identity.Data;
using ReleaseGateway.Problems;

namespace ReleaseGateway.Identity.Users;

/// <summary>One actor id and the name staff see for it: a user's e-mail address, else the id (service clients, the gateway).</summary>
public sealed record Person(string Id, string Name);

/// <summary>
/// Names for the ids that events and read models carry, for staff tools (the CLI): staff see people by e-mail, never by
/// raw id (issue 15, row 8), while events keep ids only. Researchers are refused: what they see is already labelled by role.
/// </summary>
internal static class PeopleEndpoints
{
    public const int MaxIds = 200;

    private static readonly string[] Staff = [Roles.CommitteeMember, Roles.ComplianceOfficer, Roles.DataSteward, Roles.Administrator];

    public static void Map(IEndpointRouteBuilder app) => app.MapGet("/api/people", Handle)
        .RequireAuthorization(Policies.Authenticated)
        .WithTags("Identity").WithName("GetPeople")
        .WithSummary("E-mail addresses for actor ids (committee, compliance, stewards, administrators); ?id=...&id=...");

    private static async Task<Results<Ok<IReadOnlyList<Person>>, ProblemHttpResult>> Handle(
        [FromQuery(Name = "id")] string[]? ids, HttpContext context, UserManager<GatewayUser> users, CancellationToken ct)
    {
        if (!Staff.Any(context.GetActor().IsInRole))
            return GatewayProblems.Create(ErrorCodes.AccessDenied, "Names of people are shown to committee members, compliance officers, data stewards and administrators.");
        var wanted = (ids ?? []).Distinct(StringComparer.Ordinal).Take(MaxIds).ToList();
        var guids = wanted.Select(id => Guid.TryParse(id, out var g) ? g : (Guid?)null).OfType<Guid>().ToList();
        var emails = guids.Count == 0 ? new Dictionary<string, string?>()
            : await users.Users.Where(u => guids.Contains(u.Id)).Select(u => new { u.Id, u.Email }).ToDictionaryAsync(u => u.Id.ToString(), u => u.Email, ct);
        return TypedResults.Ok<IReadOnlyList<Person>>(wanted.Select(id => new Person(id, emails.GetValueOrDefault(id) ?? id)).ToList());
    }
}
